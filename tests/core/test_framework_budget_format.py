"""The framework format's money keys (docs/frameworks.md, issue 13 items 2-4): a table's row
groups, the framework's own funding sources, amounts for the whole period, and a typed budget
reconciled with the projects. What passes, and what is refused where it is wrong. Pure core."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from govplan.core.documents.totals import (
    WHOLE_PERIOD,
    phasing_by,
    phasing_key,
    row_phasing_total,
)
from govplan.core.frameworks.files import read_catalogue, read_legal
from govplan.core.frameworks.model import Framework, FundingSource, RowGroup
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text

ROOT = Path(__file__).resolve().parents[2]
EVERY_FEATURE = ROOT / "tests" / "frameworks" / "files" / "every_feature.yaml"
PROJECTS = ("sections", 3, "tables", 0)


@pytest.fixture(scope="module")
def catalogues() -> tuple[Any, Any]:
    return read_catalogue(), read_legal()


@pytest.fixture
def document() -> dict[str, Any]:
    return load_text(EVERY_FEATURE.read_text(encoding="utf-8"))


def projects(d: dict[str, Any]) -> dict[str, Any]:
    table: dict[str, Any] = d["sections"][3]["tables"][0]
    return table


def budget(d: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = d["sections"][4]["budget"]
    return section


def problems(data: Any, catalogues: tuple[Any, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_framework(data, *catalogues)
    return [str(p) for p in caught.value.problems]


def test_groups_sources_and_whole_period_are_read(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    framework = parse_framework(document, *catalogues)
    table = framework.table("projects")
    assert table is not None and table.phasing is not None
    assert table.groups == (
        RowGroup("apps", "I", "Ứng dụng CNTT", "IT applications"),
        RowGroup("infra", "II", "Phát triển hạ tầng"),
    )
    assert table.phasing.whole_period
    assert "science_fund" in table.phasing.sources
    assert framework.funding_source("science_fund") == FundingSource(
        "science_fund", "Quỹ phát triển khoa học và công nghệ", "Science fund"
    )
    assert Framework.from_dict(framework.to_dict()) == framework


def test_a_framework_stored_before_these_keys_reads_with_their_defaults(
    document, catalogues
) -> None:  # type: ignore[no-untyped-def]
    """A version frozen before issue 13 has none of the new keys in its stored form."""
    stored = parse_framework(document, *catalogues).to_dict()
    stored.pop("funding_sources")
    for section in stored["sections"]:
        for table in section.get("tables", ()):
            table.pop("groups", None)
            if table.get("phasing"):
                table["phasing"].pop("whole_period")
        if section.get("budget"):
            section["budget"].pop("reconcile")
            section["budget"].pop("whole_period")
    old = Framework.from_dict(stored)
    table = old.table("projects")
    assert table is not None and table.phasing is not None
    assert (table.groups, table.phasing.whole_period, old.funding_sources) == ((), False, ())
    section = old.section("V")
    assert section is not None and section.budget is not None
    assert (section.budget.reconcile, section.budget.whole_period) == ("", False)


def test_without_its_own_list_a_framework_has_the_standard_sources(document, catalogues) -> None:  # type: ignore[no-untyped-def]
    document.pop("funding_sources")
    projects(document)["phasing"]["sources"].remove("science_fund")
    budget(document)["sources"].remove("science_fund")
    framework = parse_framework(document, *catalogues)
    assert framework.funding_sources == ()
    section = framework.section("V")
    assert section is not None and section.budget is not None
    assert "commune_budget" in section.budget.sources


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: projects(d)["groups"].append({"code": "apps", "number": "III", "title": "X"}),
            'sections[3].tables[0].groups[2].code: duplicate group code "apps"',
        ),
        (
            lambda d: projects(d)["groups"].append({"code": "train", "number": "I", "title": "X"}),
            'sections[3].tables[0].groups[2].number: number "I" is given to two groups',
        ),
        (
            lambda d: projects(d)["groups"].append({"code": "Train", "number": "III"}),
            "sections[3].tables[0].groups[2].title: required",
        ),
        (
            lambda d: projects(d).__setitem__("groups", []),
            "sections[3].tables[0].groups: needs at least one group",
        ),
        (
            lambda d: projects(d)["phasing"]["sources"].append("lottery"),
            'sections[3].tables[0].phasing.sources[6]: unknown value "lottery"',
        ),
        (
            # Declared sources replace the standard list: a standard code not declared is refused.
            lambda d: d["funding_sources"].pop(3),
            'sections[4].budget.sources[3]: unknown value "commune_budget"',
        ),
        (
            lambda d: d["funding_sources"].append({"code": "oda", "title": "ODA again"}),
            'funding_sources[8].code: "oda" is listed twice',
        ),
        (
            lambda d: d["funding_sources"].append({"code": "Quỹ", "title": "Quỹ"}),
            "funding_sources[8].code:",
        ),
        (
            lambda d: projects(d)["phasing"].__setitem__("whole_period", "yes"),
            "sections[3].tables[0].phasing.whole_period: must be true or false",
        ),
        (
            lambda d: budget(d)["sources"].remove("oda"),
            "sections[4].budget.sources: the projects' phasing also has oda: list them here",
        ),
        (
            lambda d: budget(d).update(rows="content", reconcile="warning", types=["capital"]),
            "sections[4].budget.types: the projects' phasing also has recurrent",
        ),
        (
            lambda d: budget(d).__setitem__("whole_period", True),
            "sections[4].budget.whole_period: a budget computed from the projects takes their "
            "phasing",
        ),
        (
            lambda d: budget(d).__setitem__("reconcile", "warning"),
            "sections[4].budget.reconcile: a budget computed from the projects has nothing to "
            "reconcile",
        ),
        (
            lambda d: budget(d).update(rows="content", reconcile="fatal"),
            'sections[4].budget.reconcile: unknown value "fatal"',
        ),
        (
            lambda d: (
                budget(d).update(rows="content", reconcile="error"),
                projects(d).pop("phasing"),
            ),
            "sections[4].budget.reconcile: there is no project table with a phasing to "
            "reconcile it with",
        ),
    ],
)
def test_a_bad_money_key_is_refused_where_it_is_wrong(
    document, catalogues, change, expected
) -> None:  # type: ignore[no-untyped-def]
    broken = copy.deepcopy(document)
    change(broken)
    found = problems(broken, catalogues)
    assert any(p.startswith(expected) for p in found), found


def test_a_typed_budget_may_be_reconciled_and_given_for_the_whole_period(
    document, catalogues
) -> None:  # type: ignore[no-untyped-def]
    budget(document).update(rows="content", reconcile="error", whole_period=True)
    section = parse_framework(document, *catalogues).section("V")
    assert section is not None and section.budget is not None
    assert (section.budget.reconcile, section.budget.whole_period) == ("error", True)


def test_a_whole_period_amount_counts_in_the_row_total_not_in_any_year() -> None:
    phasing = {
        phasing_key(2027, "central_budget", "capital"): "100",
        phasing_key(WHOLE_PERIOD, "district_budget", "capital"): "250.5",
    }
    assert row_phasing_total(phasing) == 350.5
    by_year = phasing_by(phasing, "year")
    assert [by_year.get(y, 0) for y in (2027, 2028)] == [100, 0]
    assert by_year[WHOLE_PERIOD] == 250.5
