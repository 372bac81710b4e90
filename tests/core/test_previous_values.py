"""The arithmetic of a previous cycle made of several units' documents (pure core)."""

from __future__ import annotations

from govplan.core.documents.values import Source, combine_sources
from govplan.core.frameworks.catalogue import Indicator

COUNT = Indicator(code="DVC.TONG_SO", name="Dịch vụ công", name_en="", type="integer")
LAN = Indicator(code="HT.LAN", name="LAN", name_en="", type="ratio")
LGSP = Indicator(code="LGSP", name="LGSP", name_en="", type="boolean")
SHARE = Indicator(code="PCT", name="Tỷ lệ nhập sẵn", name_en="", type="percent")


def value(v: str, key: str = "") -> dict[str, object]:
    return {"cells": {key: {"v": v}}}


def test_two_whole_predecessors_add_up() -> None:
    combined = combine_sources(
        COUNT, [Source("Bắc Giang", value("100")), Source("Bắc Ninh", value("40"))]
    )
    assert combined["cells"] == {"": {"v": "140"}}
    assert [(s["label"], s["cells"]) for s in combined["sources"]] == [
        ("Bắc Giang", {"": {"v": "100"}}),
        ("Bắc Ninh", {"": {"v": "40"}}),
    ]


def test_ratios_add_numerators_and_denominators() -> None:
    combined = combine_sources(
        LAN,
        [
            Source("Bắc Giang", {"cells": {"": {"n": "30", "d": "100"}}}),
            Source("Bắc Ninh", {"cells": {"": {"n": "10", "d": "50"}}}),
        ],
    )
    assert combined["cells"] == {"": {"n": "40", "d": "150"}}  # 26.7 %, not (30 + 20) / 2 %


def test_values_that_do_not_add_up_are_only_listed() -> None:
    for indicator, cells in ((LGSP, ({"v": True}, {"v": False})), (SHARE, ({"v": "30"},) * 2)):
        combined = combine_sources(
            indicator,
            [Source("A", {"cells": {"": cells[0]}}), Source("B", {"cells": {"": cells[1]}})],
        )
        assert combined["cells"] == {}
        assert len(combined["sources"]) == 2


def test_a_partial_predecessor_is_never_added() -> None:
    combined = combine_sources(
        COUNT, [Source("Ngọc Đường", value("12")), Source("Yên Định", value("30"), whole=False)]
    )
    assert combined["cells"] == {}
    assert [s["whole"] for s in combined["sources"]] == [True, False]
    alone = combine_sources(COUNT, [Source("Yên Định", value("30"), whole=False)])
    assert alone["cells"] == {}


def test_a_cell_missing_from_a_predecessor_has_no_sum() -> None:
    combined = combine_sources(
        COUNT,
        [
            Source("A", {"cells": {"M3": {"v": "5"}, "M4": {"v": "1"}}}),
            Source("B", {"cells": {"M3": {"v": "2"}}}),
        ],
    )
    assert combined["cells"] == {"M3": {"v": "7"}}


def test_one_whole_source_is_the_value() -> None:
    assert combine_sources(LGSP, [Source("Hà Nội", value("x"), own=True)])["cells"] == {
        "": {"v": "x"}
    }
