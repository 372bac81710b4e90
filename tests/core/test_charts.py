"""The SVG charts (govplan.core.charts) and the province tile layouts."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

from govplan.core.charts import (
    NO_FIGURE,
    SHADES,
    Series,
    Tile,
    bar_chart,
    line_chart,
    shade_of,
    tile_map,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "dashboards"
HOSTILE = '<script>alert("x")</script> & "quoted"'


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # well-formed XML, or this raises


def test_bars_are_proportional_and_a_missing_figure_draws_nothing() -> None:
    svg = bar_chart(["A", "B", "C"], [Series("s", [Decimal(10), Decimal(5), None])], title="t")
    widths = [
        float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" height="10"', svg)
    ]
    assert len(widths) == 2
    assert widths[0] == 2 * widths[1]
    parse(svg)


def test_stacked_bars_add_the_parts() -> None:
    svg = bar_chart(
        ["A"], [Series("x", [Decimal(3)]), Series("y", [Decimal(1)])], title="t", stacked=True
    )
    assert ">4<" in svg  # the stack's total printed at its end
    parse(svg)


def test_a_line_breaks_where_a_year_has_no_figure() -> None:
    svg = line_chart(
        ["2020", "2021", "2022", "2023"],
        [Series("s", [Decimal(1), Decimal(2), None, Decimal(4)])],
        title="t",
    )
    assert svg.count("<polyline") == 1  # 2020–2021; 2023 alone is a point
    assert svg.count("<circle") == 3
    parse(svg)


def test_every_text_is_escaped() -> None:
    tiles = [Tile("01", 0, 0, HOSTILE, HOSTILE)]
    for svg in (
        bar_chart([HOSTILE], [Series(HOSTILE, [Decimal(1)])], title=HOSTILE),
        line_chart([HOSTILE], [Series(HOSTILE, [Decimal(1)])], title=HOSTILE),
        tile_map(tiles, {"01": Decimal(1)}, title=HOSTILE),
    ):
        assert "<script>" not in svg
        parse(svg)


def test_tiles_are_shaded_by_their_figure_and_grey_without_one() -> None:
    low, high = Decimal(0), Decimal(100)
    assert shade_of(None, low, high) == NO_FIGURE
    assert shade_of(Decimal(0), low, high) == SHADES[0]
    assert shade_of(Decimal(100), low, high) == SHADES[-1]
    svg = tile_map(
        [Tile("01", 0, 0, "A", "A"), Tile("02", 0, 1, "B", "B")], {"01": Decimal(5)}, title="t"
    )
    assert f'fill="{NO_FIGURE}"' in svg


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_layouts_hold_every_province_once_on_its_own_square() -> None:
    units = Path(__file__).resolve().parents[2] / "data" / "orgunits" / "units" / "40-provinces.csv"
    with units.open(encoding="utf-8", newline="") as handle:
        provinces = list(csv.DictReader(handle))
    old = {p["code"] for p in provinces if p["valid_from"] == ""}
    new = {p["code"] for p in provinces if p["valid_to"] == ""}
    assert (len(old), len(new)) == (63, 34)
    for name, codes in (("tiles-63.csv", old), ("tiles-34.csv", new)):
        rows = read(name)
        assert {r["code"] for r in rows} == codes
        places = [(r["row"], r["col"]) for r in rows]
        assert len(set(places)) == len(places), f"{name}: two provinces on one square"
        assert max(int(r["col"]) for r in rows) < 12
