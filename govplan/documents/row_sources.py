"""Where a table's rows come from when its framework says ``rows_from`` (docs/frameworks.md).

A table may be filled from a list kept elsewhere: the tasks a programme assigns to the
document's unit. The list belongs to an app above documents (programmes), which documents
must not import; so each source registers itself here by name when its app is ready, as the
editor's panels do (panels.py), and the documents app asks it for the rows of a document.

A source returns one ``SourceRow`` per item: the item's key (the task's code, unique in the
list) and the values of the read-only columns by their role (task_code, task_content …).
``documents.actions.do_fill_rows`` adds the missing rows, refreshes the read-only cells and
flags the rows whose item left the list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from govplan.core.adapters.xlsx import ImportProblem
from govplan.core.frameworks.model import RowsFrom, Table
from govplan.core.i18n import gettext_noop
from govplan.documents.models import Document


@dataclass(frozen=True, slots=True)
class SourceRow:
    key: str  # unique within the source's list for this table (a task's code)
    cells: dict[str, Any]  # by role: {"task_code": "2.a", "task_lead": "lead", …}


RowSource = Callable[[Document, RowsFrom], Sequence[SourceRow]]

_sources: dict[str, RowSource] = {}


def register(name: str, source: RowSource) -> None:
    """Provide the source ``name`` (registering it again replaces it: ``ready()`` may run
    twice)."""
    _sources[name] = source


def source_rows(document: Document, rows_from: RowsFrom) -> list[SourceRow] | None:
    """The rows the source gives for ``document``; None when no app provides the source
    (the table is then left as it is)."""
    source = _sources.get(rows_from.source)
    if source is None:
        return None
    return list(source(document, rows_from))


def row_uid(rows_from: RowsFrom, key: str) -> str:
    """The row id of an item's row: the same item always lands on the same row (the entry
    key is unique per document), so a double click or two editors at once add it once."""
    text = f"{rows_from.source}\0{rows_from.programme}\0{key}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


# An XLSX import of a table filled from the task list: its read-only columns are ignored (kept
# as they are), and a file neither adds nor removes its rows (tables_xlsx.plan_tables).


def with_source_cells(
    table: Table, stored: dict[str, Any], content: dict[str, Any]
) -> dict[str, Any]:
    """``content`` read from a file, with the cells the list fills as ``stored`` has them."""
    source = {c.code for c in table.source_columns()}
    if not source:
        return content
    kept = {k: v for k, v in stored.get("cells", {}).items() if k in source}
    theirs = {k: v for k, v in content.get("cells", {}).items() if k not in source}
    return {**content, "cells": {**theirs, **kept}}


def added_row_problem(table: Table, row: int) -> ImportProblem:
    return ImportProblem(
        sheet=table.title[:31],
        row=row,
        column=None,
        template=gettext_noop(
            "the rows of this table come from the task list: a file cannot add one"
        ),
        params={},
    )
