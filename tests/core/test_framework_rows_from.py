"""A framework table filled from the task list (``rows_from``): what the checker accepts and
what it refuses, each with its place in the file. Pure core, no database."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from govplan.core.frameworks.files import read_catalogue, read_legal
from govplan.core.frameworks.model import Framework, RowsFrom
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text

ROOT = Path(__file__).resolve().parents[2]
TASKS_2008 = ROOT / "data" / "frameworks" / "bc-nhiemvu-2008.yaml"
TABLE = "sections[0].tables[0]"


@pytest.fixture(scope="module")
def catalogues() -> tuple[Any, Any]:
    return read_catalogue(), read_legal()


@pytest.fixture
def data() -> dict[str, Any]:
    return load_text(TASKS_2008.read_text(encoding="utf-8"))


def problems(data: Any, catalogues: tuple[Any, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_framework(data, *catalogues)
    return [str(p) for p in caught.value.problems]


def table(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["sections"][0]["tables"][0]
    return result


def test_the_2008_task_report_fills_its_table_from_the_programme(catalogues) -> None:  # type: ignore[no-untyped-def]
    spec = parse_framework(load_text(TASKS_2008.read_text(encoding="utf-8")), *catalogues)
    tasks = spec.table("tasks")
    assert tasks is not None
    assert tasks.rows_from == RowsFrom("programme_tasks", "CT-CNTT-2007-2010")
    # Read-only: what the list fills; the agency writes status, results and evidence.
    assert [c.code for c in tasks.source_columns()] == ["task_code", "content", "deadline", "role"]
    assert [c.code for c in tasks.columns if c not in tasks.source_columns()] == [
        "status",
        "results",
        "evidence",
    ]
    # Stored and read back whole.
    stored = spec.to_dict()
    assert stored["sections"][0]["tables"][0]["rows_from"] == {
        "source": "programme_tasks",
        "programme": "CT-CNTT-2007-2010",
    }
    assert Framework.from_dict(stored) == spec


def test_a_table_without_rows_from_keeps_its_stored_form(catalogues) -> None:  # type: ignore[no-untyped-def]
    shipped = ROOT / "data" / "frameworks" / "kh-udcntt-2018.yaml"
    spec = parse_framework(load_text(shipped.read_text(encoding="utf-8")), *catalogues)
    stored = spec.to_dict()
    assert all("rows_from" not in t for s in stored["sections"] for t in s["tables"])
    assert Framework.from_dict(stored) == spec


def test_an_unknown_source_is_refused_at_its_place(data, catalogues) -> None:  # type: ignore[no-untyped-def]
    table(data)["rows_from"]["source"] = "ministry_projects"
    found = problems(data, catalogues)
    assert any(
        f"{TABLE}.rows_from.source" in p and "ministry_projects" in p and "programme_tasks" in p
        for p in found
    ), found


def test_rows_from_needs_the_programme(data, catalogues) -> None:  # type: ignore[no-untyped-def]
    del table(data)["rows_from"]["programme"]
    found = problems(data, catalogues)
    assert any(f"{TABLE}.rows_from" in p and "programme" in p for p in found), found


def test_rows_from_needs_the_column_that_keys_the_rows(data, catalogues) -> None:  # type: ignore[no-untyped-def]
    table(data)["columns"] = [c for c in table(data)["columns"] if c.get("role") != "task_code"]
    found = problems(data, catalogues)
    assert any(f"{TABLE}.columns" in p and "task_code" in p for p in found), found


def test_the_role_column_must_say_lead_co_and_removed(data, catalogues) -> None:  # type: ignore[no-untyped-def]
    role = next(c for c in table(data)["columns"] if c.get("role") == "task_lead")
    role["choices"] = role["choices"][:2]  # no "removed"
    found = problems(data, catalogues)
    assert any(f"{TABLE}.columns[3].choices" in p and "lead, co, removed" in p for p in found), (
        found
    )


def test_a_task_role_without_rows_from_is_refused(data, catalogues) -> None:  # type: ignore[no-untyped-def]
    del table(data)["rows_from"]
    found = problems(data, catalogues)
    assert any(f"{TABLE}.columns[0].role" in p and "rows_from" in p for p in found), found


def test_a_filled_table_has_no_phasing(data, catalogues) -> None:  # type: ignore[no-untyped-def]
    changed = copy.deepcopy(data)
    table(changed)["phasing"] = {"sources": ["central_budget"], "types": ["capital"]}
    found = problems(changed, catalogues)
    assert any(f"{TABLE}.phasing" in p for p in found), found
