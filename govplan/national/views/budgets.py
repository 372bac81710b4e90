"""The budget pages: where the money goes, by year, source, type, field, group, status and
unit, with drill-down to a unit's projects and export of the breakdown shown."""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govplan.access.policies import requires
from govplan.access.scoping import Capability, get_for
from govplan.accounts.types import AnyUser
from govplan.core import csvsafe
from govplan.core.adapters.xlsx import new_workbook
from govplan.core.documents.cells import canonical_decimal, format_number
from govplan.core.inputs import forbidden_character
from govplan.frameworks.models import Framework
from govplan.national import budgets
from govplan.national.budgets import Line, Selection
from govplan.orgunits.models import OrgUnit
from govplan.webutils.inputs import InputRefused, int_param, shown

EXPORT_FORMATS = ("csv", "xlsx")


def _choice(data: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    raw = data.get(name) or allowed[0]
    if raw not in allowed:
        raise InputRefused(
            name,
            _("“%(field)s” must be one of %(allowed)s, not “%(value)s”.")
            % {"field": name, "allowed": ", ".join(allowed), "value": shown(raw)},
        )
    return str(raw)


def selection_for(
    user: AnyUser, data: Mapping[str, Any], offered: list[Framework]
) -> Selection | None:
    """The page's selection from its query string (None: no framework offers anything to
    the user). A unit the user may not see is a 404, a malformed parameter a 400 naming it;
    without a framework named, the newest ``offered``."""
    layer = _choice(data, "layer", budgets.LAYERS)
    structure = _choice(data, "structure", budgets.STRUCTURES)
    unit_id = int_param(data, "unit")
    root = get_for(user, OrgUnit, pk=unit_id) if unit_id is not None else None
    code = str(data.get("framework") or "")
    if code:
        # A code no framework has (NUL included, which PostgreSQL cannot even compare).
        known = forbidden_character(code, unstorable_only=True) is None and len(code) <= 64
        framework = Framework.objects.filter(code=code).first() if known else None
        if framework is None:
            raise InputRefused(
                "framework", _("No framework has the code “%(value)s”.") % {"value": shown(code)}
            )
    elif offered:
        framework = offered[0]
    else:
        return None
    return Selection(framework, layer, root, structure)


def money(amount: Decimal) -> str:
    """An amount in million VND the way the page's language writes it (1.234,5)."""
    return format_number(amount.normalize(), locale="en" if _english() else "vi")


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _lines(lines: list[Line], whole: Decimal) -> list[dict[str, Any]]:
    return [
        {
            "code": line.code,
            "label": line.label,
            "amount": money(line.amount),
            "share": format_number((line.amount * 100 / whole).quantize(Decimal("0.1")))
            if whole
            else "",
            "unit": line.unit,
        }
        for line in lines
    ]


@requires(Capability.VIEW)
def budget_overview(request: HttpRequest) -> HttpResponse:
    """A framework's planned investment over the subtree asked for, by the dimension asked
    for, with the units one level down and the root unit's own projects."""
    user = request.user
    offered = budgets.frameworks_with_budgets(user)
    selection = selection_for(user, request.GET, offered)
    dimension = _choice(request.GET, "by", tuple(budgets.DIMENSIONS))
    context: dict[str, Any] = {
        "frameworks": offered,
        "dimensions": _dimension_labels(),
        "layers": _layer_labels(),
        "dimension": dimension,
        "selection": selection,
    }
    if selection is None:
        return render(request, "national/budgets.html", context)
    queryset = budgets.facts(user, selection)
    shown = budgets.summary(selection, queryset, dimension)
    whole = shown.total
    found = budgets.projects(selection, queryset)
    vocabulary = budgets.Vocabulary(budgets.spec_of(selection.framework))
    columns = budgets.project_columns(vocabulary, found)
    context.update(
        {
            "total": money(whole),
            "lines": _lines(shown.lines, whole),
            "units": _lines(shown.units, whole),
            "by_status": _lines(shown.by_status, whole),
            "columns": columns,
            "projects": [
                {
                    "project": p,
                    "group": vocabulary.label("group", p.group) if p.group else "",
                    "field": vocabulary.label("field", p.field) if p.field else "",
                    "status": vocabulary.label("status", p.status),
                    "amounts": [
                        money(p.amounts[place]) if place in p.amounts else ""
                        for place, _y, _s in columns
                    ],
                    "total": money(p.total),
                }
                for p in found
            ],
        }
    )
    return render(request, "national/budgets.html", context)


def _dimension_labels() -> list[tuple[str, str]]:
    return [
        ("year", _("Year")),
        ("source", _("Funding source")),
        ("type", _("Funding type")),
        ("field", _("Application field")),
        ("group", _("Group")),
        ("status", _("Continuing or new")),
        ("unit", _("Unit")),
    ]


def _layer_labels() -> list[tuple[str, str]]:
    return [
        ("approved", _("Approved")),
        ("submitted", _("Latest submitted")),
        ("live", _("Live draft")),
    ]


@requires(Capability.VIEW)
def budget_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The breakdown the page shows, as CSV or XLSX (amounts as numbers, million VND)."""
    if fmt not in EXPORT_FORMATS:
        raise InputRefused("fmt", _("Export as csv or xlsx."))
    user = request.user
    selection = selection_for(user, request.GET, budgets.frameworks_with_budgets(user))
    dimension = _choice(request.GET, "by", tuple(budgets.DIMENSIONS))
    lines: list[Line] = []
    if selection is not None:
        lines = budgets.breakdown(selection, budgets.facts(user, selection), dimension)
    label = dict(_dimension_labels())[dimension]
    header = [_("Code"), label, _("Amount (million VND)")]
    name = f"ngan-sach-{dimension}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csvsafe.writer(out)
        writer.writerow(header)
        for line in lines:
            writer.writerow([line.code, line.label, canonical_decimal(line.amount)])
        response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
    else:
        buffer = io.BytesIO()
        workbook = new_workbook(buffer, title=_("Planned investment"))
        sheet = workbook.add_worksheet(label[:31])
        bold = workbook.add_format({"bold": True})
        amount_format = workbook.add_format({"num_format": "#,##0.###"})
        sheet.write_row(0, 0, header, bold)
        for row, line in enumerate(lines, start=1):
            sheet.write_string(row, 0, line.code)
            sheet.write_string(row, 1, line.label)
            sheet.write_number(row, 2, float(line.amount), amount_format)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 2, 18)
        workbook.close()
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
