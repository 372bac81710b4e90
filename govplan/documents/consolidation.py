"""A parent unit's view of its sub-units' documents for the same framework: their indicator
values summed (ratios as sums of numerators over sums of denominators) and their projects
listed, ready to be taken into the parent's own document without retyping."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govplan.access.scoping import visible_to
from govplan.accounts.types import AnyUser
from govplan.core.documents import keys
from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.documents.totals import row_phasing_total
from govplan.core.documents.values import is_no_data, sum_values
from govplan.documents.models import Document, Entry
from govplan.documents.presentation import describe_cell, input_locale


@dataclass
class SubDocument:
    document: Document
    values: dict[str, dict[str, Any]]


def sub_documents(document: Document, user: AnyUser | None = None) -> list[Document]:
    """The documents of the units under the document's unit in the structure of the day the
    document is written for (a 2011-2015 plan's communes are those of 2010); those the user
    may see, or all of them for the rules (``user`` None)."""
    units = document.org_unit.descendants(on=document.structure_date)
    documents = Document.objects.all() if user is None else visible_to(Document.objects.all(), user)
    return list(
        documents.filter(framework=document.framework, org_unit__in=units)
        .select_related("org_unit")
        .order_by("org_unit__name")
    )


def counted(documents: list[Document]) -> list[Document]:
    """The documents a sum counts: a unit's document already stands for the units under it
    (a district's plan covers its communes), so a document whose unit lies under another
    unit with a document is left out, and nothing is counted twice."""
    kept: list[Document] = []
    for document in sorted(documents, key=lambda d: (len(d.org_unit.path), d.org_unit.path)):
        if not any(document.org_unit.path.startswith(k.org_unit.path) for k in kept):
            kept.append(document)
    return kept


def consolidated(document: Document, user: AnyUser) -> dict[str, Any]:
    spec = document.framework_version.parsed()
    locale = input_locale()
    subs = sub_documents(document, user)
    summed = counted(subs)
    values: dict[int, dict[str, dict[str, Any]]] = {d.pk: {} for d in summed}
    for entry in Entry.objects.filter(document__in=summed, kind=keys.VALUE, deleted=False):
        values[entry.document_id][EntryKey.parse(entry.key).code] = entry.content
    own = {
        EntryKey.parse(e.key).code: e
        for e in Entry.objects.filter(document=document, kind=keys.VALUE, deleted=False)
    }
    indicators = []
    for code in spec.used_indicators():
        indicator = spec.indicators[code]
        if indicator.type not in ("integer", "decimal", "money", "ratio"):
            continue
        if not any(code == u.indicator for s in spec.walk() for u in s.indicators):
            continue
        given = [values[d.pk][code] for d in summed if code in values[d.pk]]
        # A value marked "no data" adds nothing and is counted with the missing ones.
        contents = [c for c in given if not is_no_data(c)]
        total = sum_values(indicator, contents)
        own_entry = own.get(code)
        indicators.append(
            {
                "code": code,
                "name": indicator.name,
                "unit": indicator.unit,
                "reported": len(contents),
                "no_data": len(given) - len(contents),
                "missing": len(summed) - len(contents),
                "cells": [
                    {"key": key, "text": describe_cell(indicator, cell, locale)}
                    for key, cell in total["cells"].items()
                ],
                "total": total,
                "own": {
                    key: describe_cell(indicator, cell, locale)
                    for key, cell in (
                        own_entry.content.get("cells", {}) if own_entry else {}
                    ).items()
                },
                "own_revision": own_entry.revision if own_entry else 0,
            }
        )
    projects = []
    for _section, table in spec.tables():
        name = table.by_role("project_name")
        total_column = table.by_role("total_investment")
        if name is None:
            continue
        for entry in Entry.objects.filter(
            document__in=summed, collection=str(Collection.table(table.code)), deleted=False
        ).select_related("document__org_unit"):
            cells = entry.content.get("cells", {})
            projects.append(
                {
                    "unit": entry.document.org_unit.name,
                    "table": table.title,
                    "name": cells.get(name.code, ""),
                    "total_investment": Decimal(str(cells[total_column.code]))
                    if total_column and cells.get(total_column.code)
                    else None,
                    "phasing_total": row_phasing_total(entry.content.get("phasing", {})),
                }
            )
    summed_ids = {d.pk for d in summed}
    return {
        "subs": [(d, d.pk in summed_ids) for d in subs],
        "indicators": indicators,
        "projects": projects,
        "structure_date": document.structure_date,
    }
