"""Plans that ask for central budget, made through the normal save path and submitted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from govplan.accounts.models import User
from govplan.allocations.actions import do_create_pool
from govplan.allocations.models import Pool
from govplan.core.documents import keys
from govplan.core.documents.cells import format_number, parse_number
from govplan.core.documents.keys import Collection
from govplan.demo.documents import _row, fill_for_demo
from govplan.documents.actions import do_add_entry
from govplan.documents.models import Document
from govplan.orgunits.models import OrgUnit
from govplan.workflow import actions
from govplan.workflow.explanations import do_explain
from govplan.workflow.validation import validate
from tests.conftest import example_version

YEAR = 2027


def project(
    name: str, central: str | None, provincial: str | None = None, field: str = "Nền tảng số"
) -> dict[str, object]:
    """A project row as an editor fills it (every column, as the demo does), asking
    ``central`` million VND of central budget in 2027."""
    spec = example_version().parsed()
    table = next(t for _s, t in spec.tables() if t.code == "projects")
    row = _row(table, spec, name)
    phasing: dict[str, str] = {}
    if central is not None:
        phasing[f"{YEAR}|central_budget|capital"] = central
    if provincial is not None:
        phasing[f"{YEAR}|provincial_budget|capital"] = provincial
    whole = sum((parse_number(v) for v in phasing.values()), Decimal(0))
    shown = format_number(whole, locale="vi")
    cells = {**row["cells"], "field": field, "total": shown, "amount_2027": shown}
    return {**row, "cells": cells, "phasing": phasing}


def add_projects(document: Document, editor: User, rows: Sequence[dict[str, object]]) -> list[str]:
    keys_ = []
    for row in rows:
        entry = do_add_entry(
            document, Collection.table("projects").container, row, actor=editor, locale="vi"
        )
        keys_.append(entry.key)
    return keys_


def submitted_plan(
    unit: OrgUnit, editor: User, rows: Sequence[dict[str, object]]
) -> tuple[Document, list[str]]:
    from govplan.documents.actions import do_create_document

    document = do_create_document(unit=unit, version=example_version(), actor=editor)
    fill_for_demo(document, actor=editor, except_tables=("projects",))
    entry_keys = add_projects(document, editor, rows)
    for finding in validate(document).warnings:
        do_explain(document, {finding.check_id: "Đã rà soát."}, actor=editor)
    actions.do_transition(document, "submit", actor=editor)
    document.refresh_from_db()
    return document, entry_keys


def pool_2027(actor: User, amount: str = "10000000000") -> Pool:
    return do_create_pool(
        actor=actor,
        name="Kinh phí trung ương hỗ trợ chuyển đổi số",
        amount=Decimal(amount),
        year=YEAR,
        frameworks=[example_version().framework],
    )


__all__ = ["YEAR", "add_projects", "dt", "keys", "pool_2027", "project", "submitted_plan"]
