"""The extractor (pure core): what facts an entry gives, including the cases a national sum
would get wrong if they were read naively: a split figure's levels, "no data", a ratio
with one part, a choice, phasing for the whole period, figures and keys that are no figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from govplan.core.facts.extract import StoredEntry, document_facts, entry_facts
from govplan.core.frameworks.files import read_catalogue, read_legal
from govplan.core.frameworks.model import Framework
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.yamlsafe import load_text

EVERY_FEATURE = Path(__file__).resolve().parents[2] / "tests/frameworks/files/every_feature.yaml"
D = Decimal


@pytest.fixture(scope="module")
def spec() -> Framework:
    data = load_text(EVERY_FEATURE.read_text(encoding="utf-8"))
    return parse_framework(data, read_catalogue(), read_legal())


def facts(spec: Framework, key: str, content: dict[str, Any]) -> Any:
    return entry_facts(spec, StoredEntry(key, content))


def test_a_split_figures_levels_are_parts_not_options(spec: Framework) -> None:
    found = facts(
        spec,
        "value:HT.MAY_TINH_CBCC",
        {"cells": {"": {"n": "200", "d": "260"}, "TINH": {"n": "90", "d": "100"}}},
    ).values
    assert [(f.cell, f.level, f.option_1, f.numerator, f.denominator) for f in found] == [
        ("", "", "", D(200), D(260)),
        ("TINH", "TINH", "", D(90), D(100)),
    ]


def test_a_disaggregated_value_names_its_options(spec: Framework) -> None:
    found = facts(
        spec,
        "value:VB.DIEN_TU",
        {"cells": {"NOI_BO|HOAN_TOAN": {"n": "218", "d": "230"}, "NOI_BO|SONG_SONG": {"d": "5"}}},
    ).values
    assert [(f.option_1, f.option_2, f.level, f.numerator, f.denominator) for f in found] == [
        ("NOI_BO", "HOAN_TOAN", "", D(218), D(230)),
        ("NOI_BO", "SONG_SONG", "", None, D(5)),  # a part given alone is kept as it is
    ]


def test_no_data_is_one_fact_whatever_cells_remain(spec: Framework) -> None:
    found = facts(
        spec,
        "value:DVC.TRUC_TUYEN",
        {"cells": {"TOAN_TRINH": {"v": "3"}}, "no_data": True, "no_data_reason": "x"},
    ).values
    assert [(f.cell, f.no_data, f.value) for f in found] == [("", True, None)]


def test_kinds_of_value(spec: Framework) -> None:
    assert facts(spec, "value:LGSP.TRIEN_KHAI", {"cells": {"": {"v": True}}}).values[0].boolean
    assert facts(spec, "value:HT.WAN_LOAI", {"cells": {"": {"v": "TSLCD"}}}).values[0].text == (
        "TSLCD"
    )
    # Integers are stored as numbers, money as strings; both come out as Decimals.
    assert facts(spec, "value:DVC.TRUC_TUYEN", {"cells": {"TOAN_TRINH": {"v": 12}}}).values[
        0
    ].value == D(12)
    money = facts(spec, "value:NS.KINH_PHI_CNTT", {"cells": {"NSTW": {"v": "1500.123456789"}}})
    assert money.values[0].value == D("1500.12345679")  # the column's 8 places
    # Not a figure, or an indicator the framework does not have: nothing.
    assert not facts(spec, "value:DVC.TRUC_TUYEN", {"cells": {"TOAN_TRINH": {"v": "x"}}}).values
    assert not facts(spec, "value:KHONG.CO", {"cells": {"": {"v": "1"}}}).values


def test_phasing_by_year_source_type_and_for_the_whole_period(spec: Framework) -> None:
    found = facts(
        spec,
        "row:projects:abc123",
        {
            "cells": {"name": "Kho", "field": "Y tế", "status": "continuing"},
            "group": "infra",
            "phasing": {
                "2027|central_budget|capital": "100",
                "0|oda|recurrent": "5",
                "2028|provincial_budget|capital": "",
                "bad-key": "7",
            },
        },
    ).budgets
    assert [(f.year, f.funding_source, f.funding_type, f.amount) for f in found] == [
        (0, "oda", "recurrent", D(5)),
        (2027, "central_budget", "capital", D(100)),
    ]
    assert {(f.collection, f.group, f.project_name, f.field, f.project_status) for f in found} == {
        ("table:projects", "infra", "Kho", "Y tế", "continuing")
    }


def test_a_result_is_about_its_targets_words_unless_it_has_its_own(spec: Framework) -> None:
    source = {"document": 7, "key": "target:MUC_TIEU:x00001", "text": "Số DVC", "year": 2028}
    got = facts(spec, "result:MUC_TIEU:r00001", {"source": source, "achieved": "5"}).results[0]
    assert (got.source_document, got.source_key, got.text, got.achieved, got.year) == (
        7,
        "target:MUC_TIEU:x00001",
        "Số DVC",
        D(5),
        2028,
    )
    own = facts(spec, "result:MUC_TIEU:r00001", {"source": source, "text": "Riêng"}).results[0]
    assert own.text == "Riêng"


def test_texts_and_keys_give_nothing(spec: Framework) -> None:
    everything = document_facts(
        spec,
        [
            StoredEntry("narrative:II.1", {"html": "<p>x</p>"}),
            StoredEntry("not a key", {"cells": {}}),
            StoredEntry("value:DVC.TRUC_TUYEN", {"cells": "oops"}),
        ],
    )
    assert (everything.values, everything.budgets, everything.targets, everything.results) == (
        [],
        [],
        [],
        [],
    )
