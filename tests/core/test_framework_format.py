"""The framework format (docs/frameworks.md): what passes, and what is refused with a
message that names its place in the file. Pure core, no database."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from govplan.core.frameworks.catalogue import parse_catalogue
from govplan.core.frameworks.clone import clone_document
from govplan.core.frameworks.files import follows_loop, read_catalogue, read_legal
from govplan.core.frameworks.model import Framework
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text

ROOT = Path(__file__).resolve().parents[2]
EVERY_FEATURE = ROOT / "tests" / "frameworks" / "files" / "every_feature.yaml"


@pytest.fixture(scope="module")
def catalogues() -> tuple[Any, Any]:
    return read_catalogue(), read_legal()


@pytest.fixture
def document() -> dict[str, Any]:
    return load_text(EVERY_FEATURE.read_text(encoding="utf-8"))


def parse(data: Any, catalogues: tuple[Any, Any]) -> Framework:
    return parse_framework(data, *catalogues)


def problems(data: Any, catalogues: tuple[Any, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse(data, catalogues)
    return [str(p) for p in caught.value.problems]


def test_the_example_in_the_documentation_is_a_valid_framework(catalogues) -> None:  # type: ignore[no-untyped-def]
    text = (ROOT / "docs" / "frameworks.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete small example\n\n```yaml\n(.*?)```", text, re.S)
    assert example is not None
    framework = parse(load_text(example.group(1)), catalogues)
    assert framework.code == "KH-CDS-MAU-DOC-2027"
    assert [s.code for s in framework.walk()] == [
        "I",
        "II",
        "III",
        "III.1",
        "III.2",
        "IV",
        "V",
        "VI",
    ]


def test_every_feature_is_read(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    framework = parse(document, catalogues)
    assert framework.period.years() == [2027, 2028]
    assert framework.reporting.cutoff_to is not None
    assert framework.section("II.2.b").applies_to.units == ("govplan:VPCP",)
    assert framework.section("MUC_TIEU").target_results
    projects = framework.table("projects")
    assert projects.numbered and len(projects.columns) == 21
    assert projects.by_role("year_amount", 2028).code == "amount_2028"
    assert projects.column("total").unit == "triệu đồng"  # money defaults to million VND
    assert projects.phasing.types == ("capital", "recurrent")
    assert framework.section("V").budget.rows == "projects"
    assert {r.code for r in framework.rules} == {
        "R-RATIO",
        "R-CELL",
        "R-LEVEL",
        "R-TABLE",
        "R-NATIONAL",
    }
    # The framework keeps a snapshot of the indicators it asks for.
    assert set(framework.indicators) == set(framework.used_indicators())
    assert framework.dimensions["VB_PHAM_VI"].option_codes() == ("NOI_BO", "BEN_NGOAI")


def test_the_canonical_form_reads_back_identically(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    framework = parse(document, catalogues)
    assert Framework.from_dict(framework.to_dict()) == framework


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["sections"][3]["tables"][0]["columns"][5].__setitem__("type", "moneyy"),
            'sections[3].tables[0].columns[5].type: unknown type "moneyy" (allowed: text,',
        ),
        (
            lambda d: d["sections"][1]["sections"][0].__setitem__("colour", "red"),
            'sections[1].sections[0].colour: unknown key "colour"',
        ),
        (
            lambda d: d["sections"][1]["sections"][1]["indicators"].append("DVC.KHONG_CO"),
            'sections[1].sections[1].indicators[3].indicator: "DVC.KHONG_CO" is not in the '
            "indicator catalogue",
        ),
        (
            lambda d: d["sections"][3]["tables"][1].__setitem__("code", "projects"),
            'sections[3].tables[1].code: duplicate table code "projects" (first at '
            "sections[3].tables[0])",
        ),
        (
            lambda d: d["sections"][1].__setitem__("number", "I"),
            'sections[1].number: number "I" is used twice at this level (first at sections[0])',
        ),
        (
            lambda d: d["rules"].append({"code": "R9", "check": "1 < 2", "message": "x"}),
            "rules[5].check: the rule names no indicator #{…} and no table column @{…}",
        ),
        (
            lambda d: d["rules"][2].__setitem__("check", "#{DVC.TONG_SO} > 0"),
            "rules[2].check: #{DVC.TONG_SO}: DVC.TONG_SO is not an indicator of this framework",
        ),
        (
            lambda d: d["rules"][2].__setitem__("check", "#{DVC.TRUC_TUYEN:MUC_4} > 0"),
            'rules[2].check: #{DVC.TRUC_TUYEN:MUC_4}: "MUC_4" is not an option of DVC_MUC_DO_2022',
        ),
        (
            lambda d: d["rules"][2].__setitem__("check", "#{DVC.TRUC_TUYEN.numerator} > 0"),
            "rules[2].check: #{DVC.TRUC_TUYEN.numerator}: DVC.TRUC_TUYEN is not a ratio",
        ),
        (
            lambda d: d["rules"][3].__setitem__("check", "sum(@{services.total}) > 0"),
            "rules[3].check: @{services.total}: table services has no column total",
        ),
        (
            lambda d: d["sections"][3]["tables"][0]["columns"][11].__setitem__("year", 2030),
            "sections[3].tables[0].columns[11].year: 2030 is outside the framework's period "
            "2027-2028",
        ),
        (
            lambda d: d["sections"][3]["tables"][0]["columns"][9].__setitem__("type", "integer"),
            'sections[3].tables[0].columns[9].type: role "total_investment" needs type money',
        ),
        (
            lambda d: d["sections"][3]["tables"][0]["columns"][0].__setitem__("role", "objective"),
            'sections[3].tables[0].columns[4].role: role "objective" is already given to '
            "sections[3].tables[0].columns[0]",
        ),
        (
            lambda d: d["sections"].append({"number": "VI", "title": "TRỐNG"}),
            "sections[5]: section VI asks for nothing",
        ),
        (
            lambda d: d.__setitem__("applies_to", {"kinds": []}),
            "applies_to: names no unit kind and no unit: it would apply to nobody",
        ),
        (
            lambda d: d.__setitem__("period", {"from": 2028, "to": 2027}),
            "period.to: the period ends before it starts",
        ),
        (
            lambda d: d["reporting"].__setitem__("deadline", "20/12/2026"),
            'reporting.deadline: "20/12/2026" is not a date in YYYY-MM-DD form',
        ),
        (
            lambda d: d["sections"][0]["legal_basis"]["suggested"].append("ND-999-2099"),
            'sections[0].legal_basis.suggested[2]: "ND-999-2099" is not in the legal-document '
            "catalogue",
        ),
        (
            lambda d: d["sections"][3]["tables"][1]["columns"][1].pop("choices"),
            "sections[3].tables[1].columns[1].choices: required",
        ),
        (
            lambda d: d.__setitem__("follows", d["code"]),
            "follows: a framework cannot follow itself",
        ),
        (
            lambda d: d["applies_to"]["units"].append("BQP"),
            'applies_to.units[1]: "BQP" is not a unit reference: write scheme:code',
        ),
        (lambda d: d.pop("reporting"), "reporting: required"),
    ],
)
def test_a_bad_file_is_refused_where_it_is_wrong(document, catalogues, change, expected) -> None:  # type: ignore[no-untyped-def]
    broken = copy.deepcopy(document)
    change(broken)
    found = problems(broken, catalogues)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    document["kind"] = "budget"
    document["sections"][3]["tables"][0]["columns"][5]["type"] = "moneyy"
    document["rules"][0]["importance"] = "fatal"
    found = problems(document, catalogues)
    assert [p.split(":")[0] for p in found] == [
        "kind",
        "sections[3].tables[0].columns[5].type",
        "rules[0].importance",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x [1]\nb: *x\n", "line 1: not valid YAML (anchors and aliases"),
        ("code: A\ncode: B\n", "line 2: not valid YAML (the key 'code' appears twice)"),
        ("sections: [1\n", "not valid YAML"),
        ('{"code": "A", "code": "B"}', "the key 'code' appears twice"),
        (b"\xff\xfe", "the file is not UTF-8 text"),
        ("x" * 2_000_001, "the file is larger than 2 MB"),
    ],
)
def test_unsafe_or_broken_text_is_refused(text: str | bytes, expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_text(text)
    assert expected in str(caught.value)


def test_json_is_accepted_as_well(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    import json

    assert parse(load_text(json.dumps(document, ensure_ascii=False)), catalogues).code


def test_catalogue_mapping_checks_options_and_loops() -> None:
    catalogue = {
        "format": "govplan/indicators@1",
        "dimensions": [
            {"code": "OLD", "title": "Old", "options": [{"code": "M4", "title": "4"}]},
            {"code": "NEW", "title": "New", "options": [{"code": "FULL", "title": "Full"}]},
        ],
        "indicators": [
            {
                "code": "A",
                "name": "A",
                "type": "integer",
                "disaggregation": ["OLD"],
                "maps_from": {"indicator": "B"},
            },
            {
                "code": "B",
                "name": "B",
                "type": "integer",
                "disaggregation": ["NEW"],
                "maps_from": {"indicator": "A", "options": {"M4": "FULL", "M3": "FULL"}},
            },
        ],
    }
    with pytest.raises(SpecError) as caught:
        parse_catalogue(catalogue)
    found = [str(p) for p in caught.value.problems]
    assert 'indicators[1].maps_from.options.M3: "M3" is not an option of A' in found
    assert any("the maps_from chain loops: A → B → A" in p for p in found)


def test_the_shipped_level_mapping_continues_level_4_as_whole_process(catalogues) -> None:  # type: ignore[no-untyped-def]
    catalogue, _ = catalogues
    mapping = catalogue.indicators["DVC.TRUC_TUYEN"].maps_from
    assert mapping.indicator == "DVC.TRUC_TUYEN_2011"
    assert mapping.options["M4"] == "TOAN_TRINH"
    assert mapping.options["M3"] == "MOT_PHAN"


def test_a_follows_loop_is_found() -> None:
    chain = {"B": "A", "A": "C"}
    assert follows_loop("C", "B", chain.get) == ["C", "B", "A", "C"]
    assert follows_loop("D", "B", chain.get) == []


def test_cloning_moves_the_cycle_forward(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    text = EVERY_FEATURE.read_text(encoding="utf-8")
    clone = parse(load_text(clone_document(text, new_code="TEST-2029", delta=2)), catalogues)
    assert clone.code == "TEST-2029"
    assert clone.follows == "TEST-EVERY-FEATURE-2027"
    assert clone.period.years() == [2029, 2030]
    assert clone.title == "Khung kế hoạch thử nghiệm mọi tính năng năm 2029"
    assert str(clone.reporting.deadline) == "2028-12-20"
    projects = clone.table("projects")
    assert projects.by_role("year_amount", 2030).title == "Kinh phí 2028".replace("2028", "2030")
    # Rules follow the renamed per-year columns; other references stay as they were.
    assert projects.by_role("year_amount", 2030).code == "amount_2030"
    assert [r.check for r in clone.rules] == [
        r.check for r in parse(load_text(text), catalogues).rules
    ]  # no rule of this file names a per-year column
    assert clone.issued_by.number == "9999/BKHCN-CĐSQG (thử nghiệm)"


def test_a_rule_that_does_not_parse_is_refused_with_its_position(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    check = "#{HT.MAY_TINH_CBCC.numerator} <= (2 * #{HT.MAY_TINH_CBCC.denominator}"
    document["rules"][0]["check"] = check
    (problem,) = [
        p for p in problems(document, catalogues) if p.startswith("rules[0].check: position")
    ]
    # The closing bracket is missing at the very end.
    assert (
        problem
        == f"rules[0].check: position {len(check)}: expected ')' but found the end of the rule"
    )
