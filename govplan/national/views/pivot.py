"""The pivot (/national/pivot/?…): indicators × units (ministries, provinces, or the units
under one) × years × options, as a table, a chart (bar, line, stacked bar, tile map) and
CSV/XLSX files of the same selection. The address holds the whole selection.

Queries: the catalogue, the selection's unit (subtree only), then the figures API's
``answers`` (one grouped query over the facts for every indicator, the structure's
units and the successions once): the count does not grow with units or indicators.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from govplan.access.policies import requires
from govplan.access.scoping import Capability, visible_to
from govplan.accounts.types import AnyUser
from govplan.core.charts import Series, bar_chart, line_chart, tile_map
from govplan.core.frameworks.catalogue import Catalogue
from govplan.frameworks.catalogues import db_catalogue
from govplan.national import exports
from govplan.national.figures import NATIONAL_KINDS, Ask, BadAsk, answers
from govplan.national.pivot_table import Column, PivotTable, Place, Value, build
from govplan.national.selection import FIGURE_TYPES, TOTAL, Selection, cell_label, cells_of, parse
from govplan.national.tiles import layout
from govplan.orgunits.models import Kind, OrgUnit
from govplan.webutils.downloads import XLSX, attachment

LEVEL_KINDS: dict[str, tuple[str, ...]] = {
    "provinces": (Kind.PROVINCE,),
    "ministries": (Kind.MINISTRY, Kind.MINISTRY_LEVEL, Kind.GOV_AGENCY),
    "subtree": (Kind.DEPARTMENT, Kind.DISTRICT, Kind.COMMUNE, Kind.SUBORDINATE),
}
MAX_BARS = 70  # 63 provinces fit; more units: the table has them all
MAX_LINES = 10
MAX_SERIES = 6


def english() -> bool:
    return (translation.get_language() or "vi").startswith("en")


def switches(request: HttpRequest) -> dict[str, str]:
    """Links to the same page on the other structure or layer (the rest of the address
    kept as it is)."""
    links = {}
    for key, param, value in (
        ("query_new", "structure", "new"),
        ("query_old", "structure", "old"),
        ("query_approved", "layer", "approved"),
        ("query_live", "layer", "live"),
    ):
        params = request.GET.copy()
        params[param] = value
        links[key] = params.urlencode()
    return links


def read_selection(request: HttpRequest) -> tuple[Selection, Catalogue]:
    catalogue = db_catalogue()
    names = ("level", "unit", "from", "to", "layer", "structure", "chart")
    data = {name: request.GET.get(name, "") for name in names}
    lists = {"i": request.GET.getlist("i"), "o": request.GET.getlist("o")}
    return parse(data, lists, catalogue), catalogue


def _within(user: AnyUser, selection: Selection) -> tuple[OrgUnit | None, list[str]]:
    if selection.level != "subtree" or selection.unit is None:
        return None, []
    unit = visible_to(OrgUnit.objects.all(), user).filter(pk=selection.unit).first()
    if unit is None:
        return None, [_("No unit number %(n)s that you can see.") % {"n": selection.unit}]
    return unit, []


def compute(
    user: AnyUser, selection: Selection, catalogue: Catalogue
) -> tuple[PivotTable | None, OrgUnit | None, list[str]]:
    """The table of the selection, or the problems that keep it from being made."""
    problems = list(selection.problems)
    within, more = _within(user, selection)
    problems += more
    if problems or not selection.indicators:
        return None, within, problems
    ask = Ask(
        "",
        (selection.first_year, selection.last_year),
        selection.layer,
        selection.structure_day,
        LEVEL_KINDS[selection.level],
        within,
    )
    try:
        found = answers(user, ask, selection.codes)
    except BadAsk as refusal:
        return None, within, [str(refusal)]
    return build(selection, catalogue, found, english=english()), within, []


def describe(selection: Selection, within: OrgUnit | None) -> list[tuple[str, str]]:
    """The selection in words: the header of the page's files."""
    levels = {
        "provinces": _("provinces and centrally-run cities"),
        "ministries": _("ministries, ministry-level and government agencies"),
        "subtree": _("the units under %(unit)s") % {"unit": within.name if within else "?"},
    }
    layers = {
        "approved": _("approved"),
        "submitted": _("latest submitted"),
        "live": _("live (drafts as saved now)"),
    }
    structures = {
        "new": _("as it is (34 provinces, 17 ministries and ministry-level agencies)"),
        "old": _("as it was (63 provinces, 22 ministries and ministry-level agencies)"),
    }
    years = (
        str(selection.first_year)
        if selection.first_year == selection.last_year
        else f"{selection.first_year}–{selection.last_year}"
    )
    return [
        (_("Indicators"), ", ".join(selection.codes)),
        (_("Units"), levels[selection.level]),
        (_("Years"), years),
        (_("Options"), ", ".join(selection.cells) or _("each indicator's total")),
        (_("Layer"), layers[selection.layer]),
        (_("Structure"), structures[selection.structure]),
        (_("Made on"), exports.stamp(timezone.localtime())),
    ]


def chart(selection: Selection, table: PivotTable) -> tuple[str, str]:
    """The SVG of the chosen chart, and a note on what it shows."""
    if not table.columns:
        return "", ""
    first = table.columns[0]
    title = first.indicator.name
    placed = [
        p for p in table.places if any(table.value(p, c).figure is not None for c in table.columns)
    ]
    if selection.chart == "map":
        if selection.level != "provinces":
            return "", _("The tile map shows provinces: choose the provinces as units.")
        values = {p.code: table.value(p, first).figure for p in table.places if len(p.ids) == 1}
        note = _("The map shows the first column: %(column)s.") % {
            "column": exports.column_title(first)
        }
        return tile_map(layout(selection.structure), values, title=title), note
    if selection.chart == "line":
        columns = [
            c for c in table.columns if c.indicator == first.indicator and c.cell == first.cell
        ]
        series = [
            Series(p.name, [table.value(p, c).figure for c in columns]) for p in placed[:MAX_LINES]
        ]
        note = _("One line per unit (the first %(n)s with a figure), for %(indicator)s.") % {
            "n": MAX_LINES,
            "indicator": first.indicator.code,
        }
        return line_chart([str(c.year) for c in columns], series, title=title), note
    in_year = [c for c in table.columns if c.year == first.year]
    if selection.chart == "stacked":
        parts = [c for c in in_year if c.indicator == first.indicator and c.cell != TOTAL]
        columns = parts or in_year[:MAX_SERIES]
    else:
        columns = in_year[:MAX_SERIES]
    series = [
        Series(_series_label(c), [table.value(p, c).figure for p in placed[:MAX_BARS]])
        for c in columns
    ]
    note = _("%(n)s units with a figure; the table lists every unit.") % {"n": len(placed)}
    svg = bar_chart(
        [p.name for p in placed[:MAX_BARS]],
        series,
        title=title,
        stacked=selection.chart == "stacked",
    )
    return svg, note


def _series_label(column: Column) -> str:
    return column.option or column.indicator.code


def figure_text(figure: Decimal | None, places: int = 2) -> str:
    """A figure as the page prints it: 1.234,5 (at most ``places`` decimals); "—" if none."""
    if figure is None:
        return "—"
    rounded = round(figure, places)
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal(1))
    else:
        rounded = rounded.normalize()
    return str(formats.number_format(rounded, force_grouping=True))


def _text(value: Value) -> str:
    if value.figure is None:
        return _("no data") if value.no_data else "—"
    return figure_text(value.figure)


def _choices(catalogue: Catalogue, selection: Selection) -> dict[str, Any]:
    chosen = set(selection.codes)
    indicators = [
        (i.code, i.name, i.code in chosen)
        for i in catalogue.indicators.values()
        if i.type in FIGURE_TYPES
    ]
    cells = [
        (
            cell,
            f"{i.code}: {cell_label(catalogue, i, cell, english=english())}",
            cell in selection.cells,
        )
        for i in selection.indicators
        for cell in cells_of(catalogue, i)
    ]
    return {"indicator_choices": indicators, "cell_choices": cells}


def _units(user: AnyUser, selection: Selection) -> list[OrgUnit]:
    """The units whose sub-units can be asked: ministries and provinces of the structure."""
    return list(
        visible_to(OrgUnit.objects.all(), user)
        .valid_on(selection.day)
        .filter(kind__in=NATIONAL_KINDS)
        .order_by("kind", "code")
        .only("pk", "name", "kind", "code")
    )


def table_body(rows: list[tuple[Place, list[str]]], layer: str) -> str:
    """The table's rows as HTML, escaped here: 34 units × 50 columns are 1,700 cells, which
    the template language renders several times slower than a join."""
    unit_url = reverse("national_unit", args=[0]).replace("/0/", "/{}/")
    group = escape(_("group"))
    lines = []
    for place, texts in rows:
        if len(place.ids) == 1:
            href = unit_url.format(place.ids[0]) + "?" + urlencode({"layer": layer})
            head = f'<a href="{escape(href)}">{escape(place.name)}</a>'
        else:
            head = f'{escape(place.name)} <span class="badge badge-warn">{group}</span>'
        cells = "".join(f'<td class="num">{escape(t)}</td>' for t in texts)
        lines.append(
            f'<tr data-place="{escape(place.key)}"><th scope="row">{head}</th>{cells}</tr>'
        )
    return "\n".join(lines)


@requires(Capability.VIEW)
def pivot(request: HttpRequest) -> HttpResponse:
    selection, catalogue = read_selection(request)
    table, within, problems = compute(request.user, selection, catalogue)
    svg, note = chart(selection, table) if table is not None else ("", "")
    rows = (
        [(place, [_text(v) for v in values]) for place, values in table.rows()]
        if table is not None
        else []
    )
    context = {
        "selection": selection,
        "problems": problems,
        "table": table,
        "body": mark_safe(table_body(rows, selection.layer)),  # every text escaped
        "total_row": [_text(v) for v in table.total_row()] if table is not None else [],
        "headings": [exports.column_title(c) for c in table.columns] if table is not None else [],
        "chart_svg": mark_safe(svg),  # built by core.charts: every text escaped
        "chart_note": note,
        "within": within,
        "units": _units(request.user, selection),
        "description": describe(selection, within),
        "query": selection.query(),
        **switches(request),
        **_choices(catalogue, selection),
    }
    return render(request, "national/pivot.html", context, status=400 if problems else 200)


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    selection, catalogue = read_selection(request)
    table, within, problems = compute(request.user, selection, catalogue)
    if table is None:
        if not problems:
            problems = [_("Choose at least one indicator.")]
        context = {"selection": selection, "problems": problems, "table": None, "units": []}
        return render(request, "national/pivot.html", context, status=400)
    description = describe(selection, within)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "csv":
        content = exports.to_csv(table, description)
        return attachment(content, "text/csv; charset=utf-8", f"govplan-pivot-{stamp}.csv")
    title = _("GovPlan pivot")
    data = exports.to_xlsx(table, description, title=title)
    return attachment(data, XLSX, f"govplan-pivot-{stamp}.xlsx")


@requires(Capability.VIEW)
def pivot_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@requires(Capability.VIEW)
def pivot_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")
