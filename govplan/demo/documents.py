"""Plausible content for demonstration documents (`load_demo`): every required part filled
through the same actions an editor's saves go through, so the result passes the checks the
way a real plan would."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from govplan.accounts.types import User
from govplan.core.documents import keys
from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.documents.values import cell_keys
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Column, Framework, Table
from govplan.core.frameworks.visibility import asked_options, narrowed
from govplan.documents.actions import do_add_entry, do_save_entry
from govplan.documents.models import Document
from govplan.documents.read import visible_sections

WHOLE = 1000  # an undivided count; the cells of a divided one share less than this


def _indicator_cells(
    indicator: Indicator, spec: Framework, options: tuple[str, ...] = ()
) -> dict[str, Any]:
    keys = cell_keys(indicator, narrowed(spec, indicator.code, options))
    part = WHOLE // (len(keys) + 1)
    cells: dict[str, Any] = {}
    for key in keys:
        if indicator.type == "ratio":
            # Cells of one scope may share a denominator: their numerators together fit in it.
            cells[key] = {"n": str(90 // len(keys)), "d": "100"}
        elif indicator.type in ("integer", "decimal", "money"):
            cells[key] = str(WHOLE if len(keys) == 1 else part)
        elif indicator.type == "boolean":
            cells[key] = "có"
        elif indicator.type == "date":
            cells[key] = f"01/06/{spec.period.start}"
        elif indicator.type == "choice":
            cells[key] = indicator.choices[0].code
        else:
            cells[key] = "Đã triển khai"
    return cells


def demo_cell(column: Column, spec: Framework, name: str) -> Any:
    start, end = spec.period.start, spec.period.end
    by_role = {
        "project_name": name,
        "lead_unit": "Sở Khoa học và Công nghệ",
        "total_investment": "3.000",
        "year_amount": "1.000",
    }
    if column.role in by_role:
        return by_role[column.role]
    return {
        "text": column.title,
        "longtext": "Triển khai theo kế hoạch, bảo đảm an toàn thông tin.",
        "integer": "10",
        "decimal": "10",
        "money": "1.000",
        "percent": "80",
        "year": str(start),
        "year_range": f"{start}-{end}",
        "date": f"01/06/{start}",
        "boolean": "có",
        "choice": column.choices[0].title if column.choices else "",
        "multichoice": column.choices[0].title if column.choices else "",
        "url": "https://dichvucong.gov.vn",
    }.get(column.type, "")


def _row(table: Table, spec: Framework, name: str) -> dict[str, Any]:
    cells = {c.code: demo_cell(c, spec, name) for c in table.columns}
    phasing: dict[str, str] = {}
    if table.phasing is not None:
        source, kind = table.phasing.sources[0], table.phasing.types[0]
        for column in table.columns:
            if column.role == "year_amount" and column.year is not None:
                phasing[f"{column.year}|{source}|{kind}"] = "1.000"
    return {"cells": cells, "phasing": phasing}


def fill_for_demo(document: Document, *, actor: User, except_tables: Container[str] = ()) -> None:
    """Texts, values, one measurable target and one project per table (but the tables
    ``except_tables``, which the caller fills), as an editor would."""
    spec = document.framework_version.parsed()
    save: dict[str, Any] = {"actor": actor, "locale": "vi"}
    for section in visible_sections(spec, document):
        if section.narrative:
            # The first letter up, the rest as written ("CNTT" stays upper case).
            title = section.title[:1].upper() + section.title[1:]
            html = f"<p>{title}: nội dung do đơn vị soạn thảo.</p>"
            do_save_entry(
                document, str(EntryKey.narrative(section.code)), 0, {"html": html}, **save
            )
        if section.legal_basis:
            items = [{"code": section.legal_basis[0]}]
            do_save_entry(document, str(EntryKey.legal(section.code)), 0, {"items": items}, **save)
        for use in section.indicators:
            indicator = spec.indicators[use.indicator]
            cells = _indicator_cells(indicator, spec, asked_options(spec, use.indicator))
            do_save_entry(document, str(EntryKey.value(use.indicator)), 0, {"cells": cells}, **save)
        if section.targets is not None and section.targets.indicators:
            do_add_entry(
                document,
                Collection(keys.TARGET, section.code).container,
                {
                    "indicator": section.targets.indicators[0],
                    "baseline": "60",
                    "target": "90",
                    "year": str(spec.period.end),
                },
                **save,
            )
        for table in section.tables:
            if table.code in except_tables:
                continue
            row = _row(table, spec, f"Nền tảng tích hợp, chia sẻ dữ liệu – {table.title}")
            do_add_entry(document, Collection.table(table.code).container, row, **save)
