"""The anomaly check: a value far from the unit's own history is questioned (the arithmetic
is the core's, ``core.documents.statistics``): a modified z-score above 3.5 when there are
three earlier values or more, else a change beyond the framework's threshold (±100 % unless
it says otherwise)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from govplan.core.documents.statistics import FarFromMedian, anomaly
from govplan.core.documents.view import Cell, DocumentView
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework
from govplan.documents.cycles import earlier_values
from govplan.documents.models import Document
from govplan.workflow.validation.data import number
from govplan.workflow.validation.findings import WARNING, Finding

HISTORY_CYCLES = 6


def history(document: Document, spec: Framework) -> dict[str, list[dict[str, Any]]]:
    """The unit's earlier values of each indicator, oldest first, following the frameworks'
    `follows` chain (and catalogue mappings at each step) and, across mergers, the units it
    came from: a merged unit's earlier value is its predecessors' together (cycles)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for values in earlier_values(document, HISTORY_CYCLES):
        for code, content in values.items():
            result.setdefault(code, []).append(content)
    return result


def _single_value(indicator: Indicator, cell: Mapping[str, Any]) -> Decimal | None:
    if indicator.type == "ratio":
        n, d = number(cell.get("n")), number(cell.get("d"))
        return n * 100 / d if n is not None and d else None
    return number(cell.get("v")) if indicator.type in ("integer", "decimal", "money") else None


def _now(indicator: Indicator, cell: Cell) -> Decimal | None:
    return _single_value(indicator, cell.raw())


def movement(document: Document, view: DocumentView) -> list[Finding]:
    spec = view.spec
    findings = []
    past = history(document, spec)
    threshold = Decimal(str(spec.change_threshold))
    for code, entry in view.values.items():
        indicator = spec.indicators.get(code)
        if indicator is None or code not in past:
            continue
        for cell_key, cell in entry.cells.items():
            now = _now(indicator, cell)
            earlier = [
                _single_value(indicator, c.get("cells", {}).get(cell_key, {})) for c in past[code]
            ]
            series = [x for x in earlier if x is not None]
            if now is None:
                continue
            found = anomaly(now, series, threshold)
            if found is None:
                continue
            where = indicator.name + (f" ({cell_key.replace('|', ' × ')})" if cell_key else "")
            if isinstance(found, FarFromMedian):
                message = _(
                    "%(name)s = %(now)s is far from this unit's earlier values "
                    "(median %(median)s): please check or explain."
                ) % {"name": where, "now": now, "median": found.median}
            else:
                message = _(
                    "%(name)s moved from %(last)s to %(now)s (%(change)s %%) "
                    "since the previous cycle: please check or explain."
                ) % {
                    "name": where,
                    "last": found.last,
                    "now": now,
                    "change": round(found.change * 100),
                }
            findings.append(
                Finding(
                    f"change:{entry.key}:{cell_key}",
                    WARNING,
                    message,
                    entry.section,
                    entry.key,
                    indicator.name,
                    field=cell_key,
                )
            )
    return findings
