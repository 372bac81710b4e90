"""The national dashboard (/national/): the figures a guidance letter opens with ("x/22
bộ, y/63 tỉnh …", online services, electronic documents, spending), live from the facts;
and a unit's dashboard (/national/units/<id>/): its indicators over the years, its own
figures and its sub-units' added up, beside the national figure.

Scope: a user sees the figures of the units they may see. The central authority sees the
nation; a province sees its own part only (its province, the units it came from and their
sub-units), never the nation's figure: the page says "the units you can see", and the
unit dashboard shows the national column only to those who see the whole nation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from govplan.access.policies import requires
from govplan.access.scoping import Capability, get_for, scope_for
from govplan.core.charts import Series, line_chart
from govplan.core.frameworks.catalogue import Catalogue
from govplan.frameworks.catalogues import db_catalogue
from govplan.national import headlines as hl
from govplan.national.figures import Ask, BadAsk, answers, latest_year
from govplan.national.selection import (
    FIGURE_TYPES,
    Selection,
    cell_label,
    default_year,
    parse,
)
from govplan.national.views.pivot import LEVEL_KINDS, english, figure_text, switches
from govplan.orgunits.models import Kind, OrgUnit

UNIT_YEARS = 15  # a unit's series: the last fifteen years by default (2011 on)
MAX_UNIT_INDICATORS = 12


def shown(value: Decimal | None) -> str:
    return figure_text(value)


def _read(request: HttpRequest, catalogue: Catalogue, codes: list[str]) -> Selection:
    names = ("from", "to", "layer", "structure")
    data = {name: request.GET.get(name, "") for name in names}
    if not data["from"] and request.GET.get("year"):
        data["from"] = data["to"] = request.GET.get("year", "")
    return parse(data, {"i": codes}, catalogue)


def _pivot_link(headline: hl.Headline, selection: Selection, year: int, level: str) -> str:
    cells = [] if headline.cell == hl.TOTAL else [headline.cell]
    cells += list(headline.cells)
    query = selection.query(
        i=[headline.indicator],
        level=level,
        unit=None,
        o=cells,
        **{"from": year, "to": year},
        chart="map" if level == "provinces" else "bar",
    )
    return f"{reverse('national_pivot')}?{query}"


@requires(Capability.VIEW)
def national_dashboard(request: HttpRequest) -> HttpResponse:
    catalogue = db_catalogue()
    figures = [h for h in hl.headlines() if h.indicator in catalogue.indicators]
    codes = [h.indicator for h in figures]
    selection = _read(request, catalogue, codes)
    problems = list(selection.problems)
    year = selection.first_year
    if not request.GET.get("from") and not request.GET.get("year") and not problems:
        year = latest_year(request.user, codes, selection.layer) or default_year()
    cards: list[dict[str, Any]] = []
    if not problems:
        ask = Ask("", (year, year), selection.layer, selection.structure_day, hl.KINDS)
        try:
            found = answers(request.user, ask, codes)
        except BadAsk as refusal:
            problems.append(str(refusal))
            found = {}
        for headline in figures:
            if headline.indicator not in found:
                continue
            computed = hl.compute(headline, found[headline.indicator], year)
            cards.append(_card(headline, computed, catalogue, selection, year))
    national = scope_for(request.user).grant(Capability.VIEW).national
    return render(
        request,
        "national/dashboard.html",
        {
            "selection": selection,
            "year": year,
            "problems": problems,
            "cards": cards,
            "national": national,
            "completeness_url": reverse("national_completeness_index"),
            "budgets_url": reverse("national_budgets"),
            "targets_url": reverse("national_targets"),
            **switches(request),
        },
        status=400 if problems else 200,
    )


def _card(
    headline: hl.Headline,
    computed: hl.Shown,
    catalogue: Catalogue,
    selection: Selection,
    year: int,
) -> dict[str, Any]:
    indicator = catalogue.indicators[headline.indicator]
    group_words = {
        "ministries": _("ministries"),
        "provinces": _("provinces"),
    }
    counts = [
        {
            "group": c.group,
            "met": c.met,
            "expected": c.expected,
            "reporting": c.reporting,
            "no_data": c.no_data,
            "words": group_words[c.group],
            "link": _pivot_link(
                headline, selection, year, "ministries" if c.group == "ministries" else "provinces"
            ),
        }
        for c in computed.counts
    ]
    is_ratio = headline.measure == "ratio"
    return {
        "code": headline.code,
        "title": headline.label(english()),
        "indicator": indicator,
        "measure": headline.measure,
        "counts": counts,
        "figure": (shown(computed.figure) + (" %" if is_ratio else ""))
        if computed.figure is not None
        else None,
        "reporting": computed.reporting,
        "expected": computed.expected,
        "no_data": computed.no_data,
        "approximate": computed.approximate,
        "parts": [
            (cell_label(catalogue, indicator, p.cell, english=english()), shown(p.figure))
            for p in computed.parts
        ],
        "link": _pivot_link(headline, selection, year, "provinces"),
    }


# ------------------------------------------------------------------ a unit's dashboard

SUB_KINDS = LEVEL_KINDS["subtree"]


@requires(Capability.VIEW)
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_for(request.user, OrgUnit.objects.all(), pk=pk)
    catalogue = db_catalogue()
    chosen = request.GET.getlist("i") or [h.indicator for h in hl.headlines()]
    codes = [c for c in chosen if c in catalogue.indicators][:MAX_UNIT_INDICATORS]
    data = {name: request.GET.get(name, "") for name in ("from", "to", "layer", "structure")}
    last = default_year()
    data["from"] = data["from"] or str(last - UNIT_YEARS + 1)
    data["to"] = data["to"] or str(last)
    selection = parse(data, {"i": chosen[:MAX_UNIT_INDICATORS]}, catalogue)
    problems = list(selection.problems)
    national = scope_for(request.user).grant(Capability.VIEW).national
    sections: list[dict[str, Any]] = []
    if not problems and selection.indicators:
        codes = list(selection.codes)
        years = (selection.first_year, selection.last_year)
        kinds = (unit.kind,)
        below = tuple(k for k in SUB_KINDS if k != unit.kind) or (Kind.COMMUNE,)
        # A unit no longer in force is shown on its last day's structure.
        today = timezone.localdate()
        day = unit.valid_to if unit.valid_to is not None and unit.valid_to < today else None
        try:
            own = answers(request.user, Ask("", years, selection.layer, day, kinds, unit), codes)
            subs = answers(request.user, Ask("", years, selection.layer, day, below, unit), codes)
            nation = (
                answers(request.user, Ask("", years, selection.layer, day, kinds), codes)
                if national
                else {}
            )
        except BadAsk as refusal:
            problems.append(str(refusal))
        else:
            for indicator in selection.indicators:
                sections.append(
                    _series(indicator.code, catalogue, selection, unit, own, subs, nation)
                )
    return render(
        request,
        "national/unit_dashboard.html",
        {
            "unit": unit,
            "selection": selection,
            "problems": problems,
            "sections": sections,
            "national": national,
            "pivot_query": selection.query(level="subtree", unit=unit.pk, chart="bar"),
            "indicator_choices": [
                (i.code, i.name, i.code in selection.codes)
                for i in catalogue.indicators.values()
                if i.type in FIGURE_TYPES
            ],
        },
        status=400 if problems else 200,
    )


def _series(
    code: str,
    catalogue: Catalogue,
    selection: Selection,
    unit: OrgUnit,
    own: dict[str, Any],
    subs: dict[str, Any],
    nation: dict[str, Any],
) -> dict[str, Any]:
    indicator = catalogue.indicators[code]
    ratio = indicator.type == "ratio"
    rows = []
    lines: dict[str, list[Decimal | None]] = {"own": [], "subs": [], "nation": []}
    for year in selection.years:
        mine = own[code].figure(year)
        under = subs[code].figure(year)
        whole = nation[code].figure(year) if code in nation else None
        lines["own"].append(mine.figure)
        lines["subs"].append(under.figure)
        lines["nation"].append(whole.figure if whole is not None else None)
        rows.append(
            {
                "year": year,
                "own": shown(mine.figure),
                "own_no_data": mine.reporting == 0 and mine.no_data > 0,
                "subs": shown(under.figure),
                "subs_reporting": under.reporting,
                "subs_expected": under.expected,
                "nation": shown(whole.figure) if whole is not None else "",
                "nation_reporting": whole.reporting if whole is not None else 0,
            }
        )
    series = [Series(unit.short_name or unit.name, lines["own"])]
    series.append(Series(_("its sub-units added up"), lines["subs"]))
    if nation and (ratio or indicator.type == "boolean"):
        # A ratio is comparable with the nation's; a sum is not (it is the nation's total).
        series.append(Series(_("national"), lines["nation"]))
    svg = ""
    if any(v is not None for s in series for v in s.values):
        svg = line_chart([str(y) for y in selection.years], series, title=indicator.name)
    return {
        "indicator": indicator,
        "unit_of_measure": "%" if ratio else indicator.unit,
        "rows": rows,
        "chart": mark_safe(svg),  # built by core.charts: every text escaped
    }
