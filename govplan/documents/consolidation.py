"""A parent unit's view of its sub-units' documents for the same framework: their indicator
values summed (ratios as sums of numerators over sums of denominators) and their projects
listed, ready to be taken into the parent's own document without retyping. The sums are
the database's, over the live typed facts (govplan.facts), not the entries' JSON."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from govplan.access.scoping import visible_to
from govplan.accounts.types import AnyUser
from govplan.core.documents import keys
from govplan.core.documents.cells import canonical_decimal
from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.documents.values import cell_keys
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework
from govplan.core.frameworks.visibility import split_cells
from govplan.documents.models import Document, Entry
from govplan.documents.presentation import describe_cell, input_locale
from govplan.facts.models import BudgetFact, Layer, ValueFact


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


@dataclass
class FactSums:
    """The counted documents' live indicator values, summed by the database: per indicator
    and cell the sum of each part (v, n, d: a ratio as a sum over a sum, never a mean of
    percentages), and per indicator how many documents give a figure and how many say
    "no data" (counted as missing, never as 0)."""

    cells: dict[str, dict[str, dict[str, Decimal]]]
    reported: dict[str, int]
    no_data: dict[str, int]


def fact_sums(documents: Sequence[Document], codes: Iterable[str] | None = None) -> FactSums:
    """Two GROUP BY queries over the live ValueFacts of ``documents`` (of ``codes`` only
    when given). A document counts as reporting an indicator when it gives a figure in at
    least one cell; an entry left with no figure at all counts as missing."""
    live = ValueFact.objects.filter(document__in=list(documents), layer=Layer.LIVE)
    if codes is not None:
        live = live.filter(indicator_code__in=list(codes))
    cells: dict[str, dict[str, dict[str, Decimal]]] = {}
    rows = (
        live.filter(no_data=False)
        .values("indicator_code", "cell")
        .annotate(v=Sum("value"), n=Sum("numerator"), d=Sum("denominator"))
        .order_by()
    )
    for row in rows:
        parts = {part: row[part] for part in ("v", "n", "d") if row[part] is not None}
        if parts:
            cells.setdefault(row["indicator_code"], {})[row["cell"]] = parts
    reported: dict[str, int] = {}
    no_data: dict[str, int] = {}
    counts = (
        live.values("indicator_code", "no_data")
        .annotate(documents=Count("document", distinct=True))
        .order_by()
    )
    for row in counts:
        into = no_data if row["no_data"] else reported
        into[row["indicator_code"]] = row["documents"]
    return FactSums(cells, reported, no_data)


def _total(
    spec: Framework, indicator: Indicator, cells: dict[str, dict[str, Decimal]]
) -> dict[str, Any]:
    """Summed cells as a stored value ({"cells": {key: {"v": "…"}}}), in the order the
    indicator's cells are asked, then a split figure's levels."""
    order = {
        key: i
        for i, key in enumerate(
            [*cell_keys(indicator, spec.dimensions), *split_cells(spec, indicator.code)]
        )
    }
    return {
        "cells": {
            key: {part: canonical_decimal(value) for part, value in cells[key].items()}
            for key in sorted(cells, key=lambda k: (order.get(k, len(order)), k))
        }
    }


def consolidated(document: Document, user: AnyUser) -> dict[str, Any]:
    spec = document.framework_version.parsed()
    locale = input_locale()
    subs = sub_documents(document, user)
    summed = counted(subs)
    sums = fact_sums(summed)
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
        # A value marked "no data" adds nothing and is counted with the missing ones.
        reported = sums.reported.get(code, 0)
        total = _total(spec, indicator, sums.cells.get(code, {}))
        own_entry = own.get(code)
        indicators.append(
            {
                "code": code,
                "name": indicator.name,
                "unit": indicator.unit,
                "reported": reported,
                "no_data": sums.no_data.get(code, 0),
                "missing": len(summed) - reported,
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
    # The rows' cells (name, total investment) are no facts: the rows are read; their
    # phasing totals are the budget facts' sums.
    phasing_totals = {
        (row["document_id"], row["entry_key"]): row["total"]
        for row in BudgetFact.objects.filter(document__in=summed, layer=Layer.LIVE)
        .values("document_id", "entry_key")
        .annotate(total=Sum("amount"))
        .order_by()
    }
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
                    "phasing_total": phasing_totals.get(
                        (entry.document_id, entry.key), Decimal(0)
                    ).normalize(),
                }
            )
    summed_ids = {d.pk for d in summed}
    return {
        "subs": [(d, d.pk in summed_ids) for d in subs],
        "indicators": indicators,
        "projects": projects,
        "structure_date": document.structure_date,
    }
