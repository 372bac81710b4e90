"""The figures a letter sets, in the framework format (docs/frameworks.md, "Figures the
letter sets"): ``national:`` (reference figures, national minimums) and ``unit_targets:``
(targets set for named units), what is refused and where, their use in rules, their stored
form and cloning. Pure core, no database."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from govplan.core.frameworks.clone import clone_document
from govplan.core.frameworks.figures import national_value, unit_targets_for
from govplan.core.frameworks.files import read_catalogue, read_legal
from govplan.core.frameworks.model import Framework, NationalFigure, UnitTarget
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text
from govplan.core.rules import DictData, evaluate, parse

ROOT = Path(__file__).resolve().parents[2]
EVERY_FEATURE = ROOT / "tests" / "frameworks" / "files" / "every_feature.yaml"


@pytest.fixture(scope="module")
def catalogues() -> tuple[Any, Any]:
    return read_catalogue(), read_legal()


@pytest.fixture
def document() -> dict[str, Any]:
    return load_text(EVERY_FEATURE.read_text(encoding="utf-8"))


def problems(data: Any, catalogues: tuple[Any, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_framework(data, *catalogues)
    return [str(p) for p in caught.value.problems]


def test_national_figures_and_unit_targets_are_read(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    spec = parse_framework(document, *catalogues)
    assert spec.national == (
        NationalFigure(
            "DVC.TRUC_TUYEN", "TOAN_TRINH", None, None, "10", 2027, "Mức tối thiểu thử nghiệm"
        ),
        NationalFigure("HT.MAY_TINH_CBCC", "", "19", "22", None, None, "Cả nước năm 2026"),
    )
    assert spec.unit_targets == (
        UnitTarget(("govplan:VPCP",), "DVC.TRUC_TUYEN", "100", "", 2028, "Giao riêng"),
    )
    assert unit_targets_for(spec, "govplan", "VPCP") == list(spec.unit_targets)
    assert unit_targets_for(spec, "gso-province", "24") == []
    # The stored form reads back the same; a version stored before these keys reads empty.
    assert Framework.from_dict(spec.to_dict()) == spec
    old = spec.to_dict()
    del old["national"], old["unit_targets"]
    assert Framework.from_dict(old).national == () and Framework.from_dict(old).unit_targets == ()


@pytest.mark.parametrize(
    ("key", "item", "expected"),
    [
        (
            "national",
            {"indicator": "DVC.TONG_SO", "minimum": 1},
            "national[0].indicator: DVC.TONG_SO is not an indicator of this framework: "
            "ask for it in a section",
        ),
        (
            "national",
            {"indicator": "NO.SUCH", "minimum": 1},
            'national[0].indicator: "NO.SUCH" is not in the indicator catalogue',
        ),
        (
            "national",
            {"indicator": "DVC.TRUC_TUYEN", "label": "x"},
            "national[0]: states no figure: give a value, a minimum or both",
        ),
        (
            "national",
            {"indicator": "DVC.TRUC_TUYEN", "option": "M3", "minimum": 1},
            'national[0].option: "M3" is not a cell of DVC.TRUC_TUYEN',
        ),
        (
            "national",
            {"indicator": "DVC.TRUC_TUYEN", "minimum": 1, "year": 2030},
            "national[0].year: 2030 is outside the period 2027-2028",
        ),
        (
            "national",
            {"indicator": "DVC.TRUC_TUYEN", "minimum": -1},
            "national[0].minimum: must not be negative",
        ),
        (
            "national",
            {"indicator": "HT.MAY_TINH_CBCC", "value": 23, "of": 22},
            "national[0].value: is more than its whole (of)",
        ),
        (
            "national",
            {"indicator": "LGSP.TRIEN_KHAI", "minimum": 1},
            "national[0].indicator: LGSP.TRIEN_KHAI is not a number: a figure needs a numeric "
            "indicator",
        ),
        (
            "national",
            {"indicator": "DVC.TRUC_TUYEN", "minimun": 1},
            'national[0].minimun: unknown key "minimun"',
        ),
        (
            "national",
            {"indicator": "LGSP.TRIEN_KHAI", "value": 19},
            "national[0].of: a yes/no indicator's figure counts units: give of (19 of 22)",
        ),
        (
            "unit_targets",
            {"units": ["BTC"], "indicator": "DVC.TRUC_TUYEN", "value": 5},
            'unit_targets[0].units[0]: "BTC" is not a unit reference',
        ),
        (
            "unit_targets",
            {"units": ["govplan:BTC"], "indicator": "DVC.TRUC_TUYEN"},
            "unit_targets[0].value: required",
        ),
    ],
)
def test_a_wrong_figure_is_refused_where_it_is(  # type: ignore[no-untyped-def]
    document, catalogues, key, item, expected
) -> None:
    broken = copy.deepcopy(document)
    broken[key] = [item]
    found = problems(broken, catalogues)
    assert any(p.startswith(expected) for p in found), found


def test_a_rule_naming_a_figure_the_framework_does_not_state_is_refused(  # type: ignore[no-untyped-def]
    document, catalogues
) -> None:
    broken = copy.deepcopy(document)
    broken["rules"].append(
        {
            "code": "R-NO-FIGURE",
            "check": "#{DVC.TRUC_TUYEN} >= national(#{DVC.TRUC_TUYEN})",
            "message": "x",
        }
    )
    assert f"rules[{len(broken['rules']) - 1}].check: national(#{{DVC.TRUC_TUYEN}}): the " in (
        "\n".join(problems(broken, catalogues))
    )


def test_rules_read_the_national_figures(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    spec = parse_framework(document, *catalogues)
    assert national_value(spec, "DVC.TRUC_TUYEN:TOAN_TRINH", "minimum") == Decimal(10)
    assert national_value(spec, "DVC.TRUC_TUYEN", "minimum") is None
    percent = national_value(spec, "HT.MAY_TINH_CBCC", "national")
    assert percent is not None and round(percent, 2) == Decimal("86.36")
    rule = parse("#{DVC.TRUC_TUYEN:TOAN_TRINH} >= minimum(#{DVC.TRUC_TUYEN:TOAN_TRINH})")
    figures = {"minimum:DVC.TRUC_TUYEN:TOAN_TRINH": Decimal(10)}
    low = DictData(values={"DVC.TRUC_TUYEN:TOAN_TRINH": Decimal(4)}, figures=figures)
    high = DictData(values={"DVC.TRUC_TUYEN:TOAN_TRINH": Decimal(12)}, figures=figures)
    assert evaluate(rule, low).status == "fail"
    assert evaluate(rule, high).status == "pass"
    assert evaluate(rule, DictData(values=low.values)).status == "skipped"


def test_cloning_moves_the_figures_years_and_keeps_their_values(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    text = clone_document(EVERY_FEATURE.read_text(encoding="utf-8"), new_code="X-2029", delta=2)
    spec = parse_framework(load_text(text), *catalogues)
    assert [(f.minimum, f.year) for f in spec.national] == [("10", 2029), (None, None)]
    assert [(t.value, t.year) for t in spec.unit_targets] == [("100", 2030)]


def test_a_yes_no_indicator_has_a_national_figure_counting_units(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    document["national"].append({"indicator": "LGSP.TRIEN_KHAI", "value": 19, "of": 22})
    spec = parse_framework(document, *catalogues)
    assert spec.national[-1] == NationalFigure("LGSP.TRIEN_KHAI", "", "19", "22")
    percent = national_value(spec, "LGSP.TRIEN_KHAI", "national")
    assert percent is not None and round(percent, 1) == Decimal("86.4")
