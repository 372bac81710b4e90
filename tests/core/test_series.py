"""An indicator's series across catalogue versions and reorganisations (core.documents.series),
fed plain data."""

from __future__ import annotations

from govplan.core.documents.series import EarlierDocument, combined_values, mapped_values
from govplan.core.frameworks.catalogue import Indicator, Mapping

COUNT = Indicator(code="DVC", name="Dịch vụ công", name_en="", type="integer")
OLD_LEVELS = Indicator(
    code="DVC.MUC", name="Theo mức độ", name_en="", type="integer", disaggregation=("muc",)
)
# Level 4 of 2011 continues as "toàn trình"; levels 2 and 3 merge into "một phần"; level 1
# has no successor.
NEW_LEVELS = Indicator(
    code="DVC.PHAM_VI",
    name="Theo phạm vi",
    name_en="",
    type="integer",
    disaggregation=("pham_vi",),
    maps_from=Mapping(
        "DVC.MUC", {"M4": "TOAN_TRINH", "M3": "MOT_PHAN", "M2": "MOT_PHAN", "M1": None}
    ),
)
INDICATORS = {i.code: i for i in (COUNT, NEW_LEVELS)}


def test_an_indicator_kept_under_its_code_is_read_as_it_was() -> None:
    old = {"DVC": {"cells": {"": {"v": "12"}}}}
    assert mapped_values(INDICATORS, old) == {"DVC": {"cells": {"": {"v": "12"}}}}


def test_a_mapped_indicator_renames_and_adds_up_its_options() -> None:
    old = {
        "DVC.MUC": {
            "cells": {"M1": {"v": "5"}, "M2": {"v": "10"}, "M3": {"v": "20"}, "M4": {"v": "7"}}
        }
    }
    mapped = mapped_values(INDICATORS, old)
    assert mapped["DVC.PHAM_VI"] == {
        "cells": {"MOT_PHAN": {"v": "30"}, "TOAN_TRINH": {"v": "7"}},
        "mapped_from": "DVC.MUC",
    }
    assert "DVC" not in mapped


def test_predecessors_values_combine_after_mapping() -> None:
    def values(count: str, level_4: str) -> dict[str, dict[str, object]]:
        return {"DVC": {"cells": {"": {"v": count}}}, "DVC.MUC": {"cells": {"M4": {"v": level_4}}}}

    bac_giang = EarlierDocument("Bắc Giang", values("100", "3"))
    bac_ninh = EarlierDocument("Bắc Ninh", values("40", "2"))
    combined = combined_values(INDICATORS, [bac_giang, bac_ninh])
    assert combined["DVC"]["cells"] == {"": {"v": "140"}}
    assert [s["label"] for s in combined["DVC"]["sources"]] == ["Bắc Giang", "Bắc Ninh"]
    assert combined["DVC.PHAM_VI"]["cells"] == {"TOAN_TRINH": {"v": "5"}}
    assert combined["DVC.PHAM_VI"]["mapped_from"] == "DVC.MUC"


def test_a_part_of_a_unit_is_listed_never_added() -> None:
    part = EarlierDocument("Bắc Giang", {"DVC": {"cells": {"": {"v": "100"}}}}, whole=False)
    combined = combined_values(INDICATORS, [part])
    assert combined["DVC"]["cells"] == {}
    assert combined["DVC"]["sources"][0]["whole"] is False


def test_no_earlier_document_no_series() -> None:
    assert combined_values(INDICATORS, []) == {}
