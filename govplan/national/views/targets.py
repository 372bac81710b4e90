"""The targets page: each quantified target against what was reported, per unit and over
any subtree, with the framework's national figures and unit targets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from govplan.access.policies import requires
from govplan.access.scoping import Capability
from govplan.core.documents.cells import format_number
from govplan.core.national.money import ACHIEVED, BEHIND, NOT_ACHIEVED, ON_TRACK
from govplan.frameworks.presentation import option_title
from govplan.national import budgets, targets
from govplan.national.views.budgets import selection_for


def _number(value: Decimal | None, places: int | None = None) -> str:
    if value is None:
        return ""
    return format_number(value, places=places)


# The list shows this many targets (the counts are over all): a subtree shows the rest.
MAX_ROWS = 500


def _short(value: Decimal | None) -> str:
    """A sum or a percentage to at most two decimals, trailing zeros dropped."""
    return "" if value is None else format_number(value.quantize(Decimal("0.01")).normalize())


def status_labels() -> dict[str, str]:
    return {
        ACHIEVED: _("Target achieved"),
        ON_TRACK: _("On track"),
        BEHIND: _("Behind"),
        NOT_ACHIEVED: _("Not achieved"),
    }


@requires(Capability.VIEW)
def target_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    offered = targets.frameworks_with_targets(user)
    selection = selection_for(user, request.GET, offered)
    context: dict[str, Any] = {"frameworks": offered, "selection": selection}
    if selection is None:
        return render(request, "national/targets.html", context)
    spec = budgets.spec_of(selection.framework)
    found = targets.lines(user, selection)
    labels = status_labels()
    rows = []
    counts: dict[str, int] = {}
    for line in found:
        status = line.verdict.status
        counts[status] = counts.get(status, 0) + 1
    for line in found[:MAX_ROWS]:
        fact = line.fact
        indicator = spec.indicators.get(fact.indicator_code) if spec is not None else None
        status = line.verdict.status
        rows.append(
            {
                "line": line,
                "indicator": indicator.name if indicator is not None else fact.indicator_code,
                "option": option_title(spec, indicator, fact.cell)
                if spec is not None and indicator is not None
                else fact.cell,
                "baseline": _number(fact.baseline),
                "target": _number(line.target),
                "parts": f"{_number(fact.target_n)}/{_number(fact.target_d)}"
                if fact.target_n is not None and fact.target_d is not None
                else "",
                "reported": _number(line.reported.figure),
                "attainment": _number(line.verdict.percent, 1),
                "status": labels.get(status, ""),
                "status_code": status,
            }
        )
    context.update(
        {
            "rows": rows,
            "all_rows": len(found),
            "counts": [(labels[code], counts.get(code, 0)) for code in labels],
            "unknown": counts.get("", 0),
            "figures": [
                {
                    "figure": f,
                    "aggregate": _short(f.aggregate),
                    "minimum": _number(f.minimum),
                    "planned": _short(f.planned),
                    "below_planned": [(u, _number(v)) for u, v in f.below_planned],
                    "below_reported": [(u, _number(v)) for u, v in f.below_reported],
                }
                for f in targets.national_figures(user, selection, spec, found)
            ],
            "unit_targets": [
                {
                    "line": u,
                    "required": _number(u.required),
                    "planned": _number(u.planned),
                    "reported": _number(u.reported),
                }
                for u in targets.unit_targets(spec, found)
            ],
        }
    )
    return render(request, "national/targets.html", context)
