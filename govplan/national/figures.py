"""The national figures' query API: every national page asks its numbers here.

One call, one grouped query over the fact table (plus one for the structure's units and
one for the successions), scoped to the user exactly as documents are; the pure core
(``govplan.core.national``) does the rest. Nothing is cached: a value saved is in the next
answer. docs/national-figures.md defines every figure.

Public API
----------
``Ask`` (frozen dataclass): what to read.
    ``indicator`` (catalogue code), ``years`` (first, last: period starts, inclusive),
    ``layer`` ("live", "submitted", "approved"), ``structure`` (the day whose units are the
    places: :data:`OLD_STRUCTURE` = 63 provinces and 22 ministries, None = today's),
    ``kinds`` (unit kinds, default :data:`NATIONAL_KINDS`), ``within`` (an OrgUnit: its
    subtree and those of the units it came from; None = all the user may see),
    ``document_kind`` ("plan", "report", "" both).

``answers(user, ask, codes) -> {code: Answer}``: several indicators (a pivot, a dashboard)
in one grouped query; ``ask.indicator`` is not read. ``latest_year(user, codes, layer)``:
the latest period start holding a figure of any of them (a dashboard opens on it).

``values(user, ask) -> Answer`` (core.national.figures.Answer): the indicator on that
structure; read it with
    ``answer.figure(year, cell=TOTAL, kind="") -> Figure``: totals (Totals: value,
        numerator, denominator, trues, falses, no_data), ``figure`` (Σ value; Σn/Σd in %;
        for yes/no the number of units saying yes), ``reporting`` / ``no_data`` /
        ``expected`` / ``missing`` places, ``distribution`` (count, minimum, median,
        maximum, bins), ``approximate`` (holds a split unit attributed whole);
    ``answer.place_figures(year, cell) -> list[PlaceFigure]`` (per province/ministry:
        place ids, names, kind, totals, figure, sources, own, approximate, grouped,
        codes); ``answer.places`` lists every place of the structure in scope (PlaceInfo:
        id, name, kind, code), with or without a figure;
    ``answer.count(year, Condition(operator, threshold), cell, kind) -> Count``
        ("19/22 bộ": met, reporting, no_data, expected, missing, met_units);
    ``answer.by_kind(year, cell) -> {kind: Figure}``, ``answer.by_option(year) ->
        {cell: Figure}``, ``answer.series(cell) -> {place: {year: PlaceFigure}}``.
    ``cell``: TOTAL ("*", the indicator's option cells added up, or its undivided value),
    "" (the undivided value only) or an option code ("TOAN_TRINH").

``figure(user, ask, year, cell=TOTAL) -> Figure``, ``count_units(user, ask, year,
condition, cell=TOTAL, kind="") -> Count``, ``time_series(user, ask, cell=TOTAL) ->
Answer`` (``.series()``): shortcuts over :func:`values`.

``Condition`` and ``TOTAL`` are re-exported from the core. Bad input (an unknown indicator,
layer or kind, years out of order) raises :class:`BadAsk` with a message for the user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count as DbCount
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.access.scoping import visible_to
from govplan.accounts.types import AnyUser
from govplan.core.documents.series import lineage
from govplan.core.documents.values import cell_keys
from govplan.core.frameworks.catalogue import Catalogue
from govplan.core.national.arithmetic import Condition, Count, Totals
from govplan.core.national.figures import TOTAL, Answer, Figure, PlaceInfo, Row, answer
from govplan.core.national.structure import Edge, History
from govplan.facts.models import Layer, ValueFact
from govplan.frameworks.models import Dimension as DimensionModel
from govplan.frameworks.models import Indicator as IndicatorModel
from govplan.orgunits.history import predecessor_ids
from govplan.orgunits.models import Kind, OrgUnit, OrgUnitName, Succession

__all__ = [
    "NATIONAL_KINDS",
    "OLD_STRUCTURE",
    "STRUCTURES",
    "TOTAL",
    "Answer",
    "Ask",
    "BadAsk",
    "Condition",
    "Count",
    "Figure",
    "answers",
    "count_units",
    "figure",
    "latest_year",
    "parse_structure",
    "time_series",
    "values",
]

# The day of the structure "as it was": 63 provinces and the 22 ministries and
# ministry-level agencies (the ministries were reorganised on 1 March 2025, the provinces
# on 1 July 2025).
OLD_STRUCTURE = dt.date(2025, 2, 28)
NATIONAL_KINDS: tuple[str, ...] = (
    Kind.MINISTRY,
    Kind.MINISTRY_LEVEL,
    Kind.GOV_AGENCY,
    Kind.PROVINCE,
)
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Up to this many units are named by id in the facts query (see _rows); beyond (every
# commune of the country) their rows are most of the indicator's anyway.
NAMED_UNITS = 5000
# The structures a shared URL names: as it was (old) and as it is (new).
STRUCTURES: dict[str, dt.date | None] = {"old": OLD_STRUCTURE, "new": None}


class BadAsk(ValueError):
    """A question that cannot be answered as asked (the message says why)."""


def parse_structure(text: str) -> dt.date | None:
    """``Ask.structure`` from a URL's "old" or "new" ("" is the new one)."""
    if text in ("", "new"):
        return None
    if text not in STRUCTURES:
        raise BadAsk(_("Unknown structure: %(structure)s") % {"structure": text})
    return STRUCTURES[text]


@dataclass(frozen=True)
class Ask:
    """What to read: an indicator (its catalogue code), the period starts from ``years[0]``
    to ``years[1]``, a layer, the structure whose units are the places (a day:
    :data:`OLD_STRUCTURE`, or None for today's), the kinds of units, a subtree (``within``:
    a unit with its sub-units and those of the units it came from) and the kind of
    document ("" both)."""

    indicator: str
    years: tuple[int, int]
    layer: str = Layer.LIVE
    structure: dt.date | None = None  # None: the units in force today
    kinds: tuple[str, ...] = NATIONAL_KINDS
    within: OrgUnit | None = None
    document_kind: str = ""

    def structure_day(self) -> dt.date:
        return self.structure or timezone.localdate()


def _check(ask: Ask) -> None:
    first, last = ask.years
    if not (FIRST_YEAR <= first <= last <= LAST_YEAR):
        raise BadAsk(_("The years must run from an earlier to a later year."))
    if ask.layer not in Layer.values:
        raise BadAsk(_("Unknown layer: %(layer)s") % {"layer": ask.layer})
    unknown = [k for k in ask.kinds if k not in Kind.values]
    if unknown or not ask.kinds:
        raise BadAsk(_("Unknown kind of unit: %(kind)s") % {"kind": ", ".join(unknown)})
    if ask.document_kind not in ("", "plan", "report"):
        raise BadAsk(_("Unknown kind of document: %(kind)s") % {"kind": ask.document_kind})


def _subtree_paths(root: OrgUnit) -> list[str]:
    """The root's path and those of the units it came from (the new Bắc Ninh's subtree
    holds what Bắc Giang filed)."""
    ids = predecessor_ids([root.pk])
    paths = list(OrgUnit.objects.filter(pk__in=ids).values_list("path", flat=True))
    return [root.path, *paths]


def _under(paths: list[str], field_name: str) -> Q:
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field_name}__startswith": path})
    return condition


def _places(user: AnyUser, ask: Ask, paths: list[str] | None) -> dict[int, PlaceInfo]:
    units = visible_to(OrgUnit.objects.all(), user).valid_on(ask.structure_day())
    units = units.filter(kind__in=ask.kinds)
    if paths is not None:
        units = units.filter(_under(paths, "path"))
    found = {
        pk: PlaceInfo(pk, short or name, kind, code)
        for pk, name, short, kind, code in units.order_by("kind", "code", "pk").values_list(
            "pk", "name", "short_name", "kind", "code"
        )
    }
    # Each place named as it was on the structure's day (Thừa Thiên Huế before 2025).
    day = ask.structure_day()
    names = OrgUnitName.objects.filter(unit_id__in=list(found)).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day)
    )
    for unit_id, name, short in names.order_by(
        "unit_id", F("valid_from").asc(nulls_first=True)
    ).values_list("unit_id", "name", "short_name"):
        found[unit_id] = replace(found[unit_id], name=short or name)  # the latest wins
    return found


def _history(kinds: tuple[str, ...]) -> History:
    edges = Succession.objects.filter(predecessor__kind__in=kinds).order_by("pk")
    return History.of(
        Edge(p, s, k) for p, s, k in edges.values_list("predecessor_id", "successor_id", "kind")
    )


def _rows(user: AnyUser, ask: Ask, codes: list[str], paths: list[str] | None) -> list[Row]:
    """The one grouped query: per unit × indicator × period start × cell, the sums.

    The units are named by id (every unit of the kinds asked, at any time, under the
    subtree): PostgreSQL then reads the index ``valuefact_by_unit`` (unit, indicator, layer,
    period) for just their rows, where a filter on the kind alone would scan every commune's
    rows of the indicator (milliseconds instead of seconds on 20 million facts)."""
    units = OrgUnit.objects.filter(kind__in=ask.kinds)
    if paths is not None:
        units = units.filter(_under(paths, "path"))
    ids = list(units.values_list("pk", flat=True)[: NAMED_UNITS + 1])
    facts = visible_to(ValueFact.objects.all(), user)
    if len(ids) <= NAMED_UNITS:
        facts = facts.filter(org_unit_id__in=ids)
    facts = facts.filter(
        indicator_code__in=codes,
        level="",  # a split figure's parts by administrative level are inside the whole
        layer=ask.layer,
        period_start__gte=ask.years[0],
        period_start__lte=ask.years[1],
        unit_kind__in=ask.kinds,
    )
    if paths is not None:
        facts = facts.filter(_under(paths, "unit_path"))
    if ask.document_kind:
        facts = facts.filter(document_kind=ask.document_kind)
    grouped = (
        facts.order_by()
        .values("org_unit_id", "indicator_code", "period_start", "cell", "document_kind")
        .annotate(
            v=Sum("value"),
            # A ratio adds up by complete pairs: a numerator given without its denominator
            # (or the reverse) would bias Σn/Σd.
            n=Sum("numerator", filter=Q(denominator__isnull=False)),
            d=Sum("denominator", filter=Q(numerator__isnull=False)),
            figures=DbCount("pk", filter=Q(no_data=False)),
            trues=DbCount("pk", filter=Q(boolean=True)),
            falses=DbCount("pk", filter=Q(boolean=False)),
            empty=DbCount("pk", filter=Q(no_data=True)),
        )
    )
    return [
        Row(
            g["org_unit_id"],
            g["indicator_code"],
            g["period_start"],
            g["cell"],
            Totals(g["v"], g["n"], g["d"], g["figures"], g["trues"], g["falses"], g["empty"]),
            g["document_kind"],
        )
        for g in grouped
    ]


def _catalogue(codes: list[str]) -> Catalogue:
    """The catalogue entries of ``codes``, the indicators they continue and their
    dimensions (a query per generation of ``maps_from``, usually one or two)."""
    specs: dict[str, Any] = {}
    wanted = set(codes)
    while wanted:
        found = dict(IndicatorModel.objects.filter(code__in=wanted).values_list("code", "spec"))
        specs.update(found)
        wanted = {
            spec["maps_from"]["indicator"]
            for spec in found.values()
            if spec.get("maps_from") and spec["maps_from"]["indicator"] not in specs
        }
    dimensions = {d for spec in specs.values() for d in spec.get("disaggregation", ())}
    return Catalogue.from_dict(
        {
            "dimensions": dict(
                DimensionModel.objects.filter(code__in=dimensions).values_list("code", "spec")
            ),
            "indicators": specs,
        }
    )


def answers(user: AnyUser, ask: Ask, codes: Sequence[str]) -> dict[str, Answer]:
    """Several indicators on the same structure, years and layer (a pivot, a dashboard):
    one grouped query for all of them. ``ask.indicator`` is not read."""
    _check(ask)
    codes = list(dict.fromkeys(codes))
    catalogue = _catalogue(codes)
    unknown = [code for code in codes if code not in catalogue.indicators]
    if unknown or not codes:
        raise BadAsk(_("No indicator %(code)s in the catalogue.") % {"code": ", ".join(unknown)})
    lineages = {code: [c for c, _steps in lineage(catalogue.indicators, code)] for code in codes}
    paths = _subtree_paths(ask.within) if ask.within is not None else None
    rows = _rows(user, ask, sorted({c for chain in lineages.values() for c in chain}), paths)
    places = _places(user, ask, paths)
    history = _history(ask.kinds)
    years = range(ask.years[0], ask.years[1] + 1)
    result = {}
    for code in codes:
        indicator = catalogue.indicators[code]
        option_cells = [c for c in cell_keys(indicator, catalogue.dimensions) if c]
        result[code] = answer(
            catalogue.indicators, code, rows, places, history, years, option_cells
        )
    return result


def values(user: AnyUser, ask: Ask) -> Answer:
    """The indicator's figures on the structure asked, as far as ``user`` may see."""
    return answers(user, ask, [ask.indicator])[ask.indicator]


def figure(user: AnyUser, ask: Ask, year: int, cell: str = TOTAL) -> Figure:
    return values(user, ask).figure(year, cell)


def count_units(
    user: AnyUser, ask: Ask, year: int, condition: Condition, cell: str = TOTAL, kind: str = ""
) -> Count:
    return values(user, ask).count(year, condition, cell, kind)


def time_series(user: AnyUser, ask: Ask, cell: str = TOTAL) -> Answer:
    """One indicator × every place × the years asked (``.series(cell)``)."""
    return values(user, ask)


def latest_year(user: AnyUser, codes: Sequence[str], layer: str) -> int | None:
    """The latest period start with a figure of any of ``codes`` on ``layer`` that the user
    may see (a dashboard opens on it)."""
    found: int | None = (
        visible_to(ValueFact.objects.all(), user)
        .filter(indicator_code__in=list(codes), layer=layer)
        .aggregate(latest=Max("period_start"))["latest"]
    )
    return found
