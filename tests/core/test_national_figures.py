"""The database's per-unit rows read into answers (core.national.figures): series joined
across ``maps_from``, the total of an indicator's options, "no data" for every cell, and the
``merge_method`` a catalogue indicator may name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from govplan.core.documents.series import lineage, read_cell
from govplan.core.frameworks.catalogue import Indicator, Mapping, parse_catalogue
from govplan.core.frameworks.problems import SpecError
from govplan.core.national.arithmetic import Condition, Totals
from govplan.core.national.figures import TOTAL, PlaceInfo, Row, answer, read_rows
from govplan.core.national.structure import Edge, History

OLD = Indicator("DVC.2011", "Mức độ", "", "integer", disaggregation=("MUC",))
NEW = Indicator(
    "DVC",
    "Toàn trình, một phần",
    "",
    "integer",
    disaggregation=("PHAM_VI",),
    maps_from=Mapping("DVC.2011", {"M4": "TOAN_TRINH", "M3": "MOT_PHAN", "M1": None}),
)
NEWER = Indicator(
    "DVC.2030", "Toàn trình", "", "integer", maps_from=Mapping("DVC", {"TOAN_TRINH": None})
)
INDEX = Indicator("CHI_SO", "Chỉ số", "", "decimal", merge_method="mean")
INDICATORS = {i.code: i for i in (OLD, NEW, NEWER, INDEX)}
CELLS = ("TOAN_TRINH", "MOT_PHAN")


def value(unit: int, code: str, year: int, cell: str, v: int) -> Row:
    return Row(unit, code, year, cell, Totals(value=Decimal(v), figures=1))


def test_the_lineage_follows_maps_from_back_and_composes_the_mappings() -> None:
    assert [code for code, _ in lineage(INDICATORS, "DVC.2030")] == ["DVC.2030", "DVC", "DVC.2011"]
    steps = dict(lineage(INDICATORS, "DVC"))
    assert read_cell(steps["DVC.2011"], "M4") == "TOAN_TRINH"
    assert read_cell(steps["DVC.2011"], "M1") is None
    assert read_cell(steps["DVC.2011"], "M2") is None  # not mapped: dropped
    assert read_cell(steps["DVC.2011"], "") == ""


def test_rows_of_the_earlier_indicator_are_read_into_the_later_cells() -> None:
    rows = [
        value(1, "DVC.2011", 2017, "M4", 10),
        value(1, "DVC.2011", 2017, "M3", 20),
        value(1, "DVC.2011", 2017, "M1", 5),
        value(1, "DVC", 2026, "TOAN_TRINH", 60),
        value(1, "DVC", 2026, "MOT_PHAN", 15),
        value(1, "OTHER", 2026, "", 1000),
    ]
    toan_trinh = {(u, y): t.value for u, y, t in read_rows(rows, INDICATORS, "DVC", "TOAN_TRINH")}
    assert toan_trinh == {(1, 2017): Decimal(10), (1, 2026): Decimal(60)}
    every = {(u, y): t.value for u, y, t in read_rows(rows, INDICATORS, "DVC", TOTAL, CELLS)}
    assert every == {(1, 2017): Decimal(30), (1, 2026): Decimal(75)}  # level 1 is dropped


def test_no_data_counts_for_every_cell_of_its_unit_and_year() -> None:
    rows = [Row(2, "DVC", 2026, "", Totals(no_data=1))]
    for cell in ("TOAN_TRINH", TOTAL):
        [(unit, year, totals)] = read_rows(rows, INDICATORS, "DVC", cell, CELLS)
        assert (unit, year, totals.is_no_data) == (2, 2026, True)


PLACES = {
    10: PlaceInfo(10, "Bắc Ninh", "province"),
    11: PlaceInfo(11, "Hà Nội", "province"),
    30: PlaceInfo(30, "Bộ Tài chính", "ministry"),
}
HISTORY = History.of([Edge(1, 10, "merge"), Edge(2, 10, "merge")])


def test_an_answer_gives_figures_by_place_kind_and_option() -> None:
    rows = [
        value(1, "DVC.2011", 2017, "M4", 10),
        value(2, "DVC.2011", 2017, "M4", 30),
        value(11, "DVC.2011", 2017, "M4", 100),
        value(11, "DVC.2011", 2017, "M3", 50),
        value(30, "DVC.2011", 2017, "M3", 7),
    ]
    found = answer(INDICATORS, "DVC", rows, PLACES, HISTORY, [2017], CELLS)
    # The ministry gave no level-4 figure: it has no toàn trình place figure.
    assert [(f.names, f.figure) for f in found.place_figures(2017, "TOAN_TRINH")] == [
        (("Bắc Ninh",), Decimal(40)),
        (("Hà Nội",), Decimal(100)),
    ]
    assert found.figure(2017).figure == Decimal(197)
    assert {k: f.figure for k, f in found.by_kind(2017).items()} == {
        "province": Decimal(190),
        "ministry": Decimal(7),
    }
    assert {c: f.figure for c, f in found.by_option(2017).items()} == {
        "TOAN_TRINH": Decimal(140),
        "MOT_PHAN": Decimal(57),
    }
    at_least_50 = found.count(2017, Condition("ge", Decimal(50)), kind="province")
    assert (at_least_50.met, at_least_50.reporting, at_least_50.expected) == (1, 2, 2)
    assert found.series("TOAN_TRINH")[(10,)][2017].sources == (1, 2)


def test_an_index_merged_by_the_mean_is_the_mean_nationally_too() -> None:
    rows = [
        value(1, "CHI_SO", 2024, "", 60),
        value(2, "CHI_SO", 2024, "", 80),
        value(11, "CHI_SO", 2024, "", 90),
    ]
    found = answer(INDICATORS, "CHI_SO", rows, PLACES, HISTORY, [2024])
    by_place = {f.names: f.figure for f in found.place_figures(2024)}
    assert by_place == {("Bắc Ninh",): Decimal(70), ("Hà Nội",): Decimal(90)}
    assert found.figure(2024).figure == Decimal(80)


def catalogue(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "govplan/indicators@1",
        "indicators": [{"code": "CHI_SO", "name": "Chỉ số", "type": "decimal", **extra}],
    }


def test_the_catalogue_reads_merge_method() -> None:
    assert parse_catalogue(catalogue({})).indicators["CHI_SO"].merge_method == "sum"
    parsed = parse_catalogue(catalogue({"merge_method": "mean"}))
    assert parsed.indicators["CHI_SO"].merge_method == "mean"
    again = Indicator.from_dict(parsed.indicators["CHI_SO"].to_dict())
    assert again.merge_method == "mean"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"merge_method": "median"}, "median"),
        ({"merge_method": "mean", "type": "text"}, "only a number or a ratio"),
    ],
)
def test_the_catalogue_refuses_a_bad_merge_method(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError) as refused:
        parse_catalogue(catalogue(extra))
    assert message in str(refused.value)
    assert [p.path for p in refused.value.problems] == ["indicators[0].merge_method"]


def test_a_units_report_is_read_rather_than_its_plan_for_the_same_year() -> None:
    rows = [
        Row(1, "DVC", 2018, "TOAN_TRINH", Totals(value=Decimal(10), figures=1), "report"),
        Row(1, "DVC", 2018, "TOAN_TRINH", Totals(value=Decimal(99), figures=1), "plan"),
        Row(2, "DVC", 2018, "TOAN_TRINH", Totals(value=Decimal(7), figures=1), "plan"),
    ]
    found = {u: t.value for u, _, t in read_rows(rows, INDICATORS, "DVC", "TOAN_TRINH")}
    assert found == {1: Decimal(10), 2: Decimal(7)}  # never 109; a plan alone is read
