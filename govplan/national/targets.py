"""Targets against results, per unit and nationally (issue 14, item 4;
docs/national-budgets-targets.md): each quantified target of the plans the user may see, the
value reported against it, the attainment and whether it is on track; the framework's
national reference figures and minimum targets against the aggregate and each unit.

The reported value is the report's explicit result (ResultFact ``achieved``, joined to the
target by ``source_document`` and ``source_key``); where the result gives no figure, the
value the unit's report gives for the same indicator and cell in the latest report period
ending by the target year (ValueFact), marked as such. A fixed number of GROUP BY / filtered
queries whatever the number of units and targets; the arithmetic is the pure core's
(govplan.core.national.money).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import Q, QuerySet

from govplan.access.scoping import visible_to
from govplan.accounts.types import AnyUser
from govplan.core.frameworks.model import Framework as Spec
from govplan.core.national.money import (
    Attainment,
    attainment_percent,
    judge,
    ratio_percent,
    target_value,
)
from govplan.facts.models import ResultFact, TargetFact, ValueFact
from govplan.frameworks.models import Framework, FrameworkVersion
from govplan.national.budgets import CURRENT, Selection, current_units
from govplan.national.figures import TOTAL, Ask, answers
from govplan.orgunits.history import came_from
from govplan.orgunits.models import OrgUnit

RESULT, VALUE = "result", "value"  # where the reported figure comes from


@dataclass
class Reported:
    figure: Decimal | None
    source: str  # RESULT, VALUE, or "" when nothing was reported
    no_data: bool = False
    report_id: int | None = None
    report_year: int | None = None
    stated: str = ""


@dataclass
class TargetLine:
    fact: TargetFact
    unit: OrgUnit  # as filed, or the unit it became (current structure)
    target: Decimal | None
    reported: Reported
    verdict: Attainment


def frameworks_with_targets(user: AnyUser) -> list[Framework]:
    ids = (
        visible_to(TargetFact.objects.all(), user)
        .exclude(indicator_code="")
        .values("framework_version__framework")
        .distinct()
    )
    return list(Framework.objects.filter(pk__in=ids).order_by("-created_at", "-pk"))


Q_ = TypeVar("Q_", QuerySet[TargetFact], QuerySet[ValueFact])


def _subtree(queryset: Q_, selection: Selection) -> Q_:
    root = selection.root
    if root is None:
        return queryset
    if selection.structure == CURRENT:
        units = came_from({root.pk: True}, selection.on)
        condition = Q()
        for path in OrgUnit.objects.filter(pk__in=list(units)).values_list("path", flat=True):
            condition |= Q(unit_path__startswith=path)
        return queryset.filter(condition)
    return queryset.filter(unit_path__startswith=root.path)


def target_facts(user: AnyUser, selection: Selection) -> QuerySet[TargetFact]:
    """The quantified targets (those with an indicator) of the framework's plans."""
    queryset = visible_to(TargetFact.objects.all(), user).filter(
        framework_version__framework=selection.framework, layer=selection.layer
    )
    return _subtree(queryset, selection).exclude(indicator_code="")


def lines(user: AnyUser, selection: Selection) -> list[TargetLine]:
    """Every quantified target with what was reported against it and the verdict."""
    targets = list(
        target_facts(user, selection)
        .select_related("org_unit")
        .order_by("unit_path", "document_id", "section", "pk")
    )
    if not targets:
        return []
    documents = {t.document_id for t in targets}
    results = {
        (r.source_document_id, r.source_key): r
        for r in visible_to(ResultFact.objects.all(), user)
        .filter(source_document_id__in=documents, layer=selection.layer)
        .order_by("period_end", "pk")
    }
    unit_ids = {t.org_unit_id for t in targets}
    values = _report_values(user, selection, unit_ids, {t.indicator_code for t in targets})
    moved = current_units(unit_ids, selection.on) if selection.structure == CURRENT else {}
    units = OrgUnit.objects.in_bulk(unit_ids | {pk for pk, _p in moved.values()})
    found: list[TargetLine] = []
    for fact in targets:
        goal = target_value(fact.target, fact.target_n, fact.target_d)
        result = results.get((fact.document_id, fact.entry_key))
        reported = _reported(fact, result, values)
        verdict = judge(
            attainment_percent(fact.baseline, goal, reported.figure),
            reported.stated,
            period_start=fact.period_start,
            target_year=fact.year or fact.period_end,
            report_year=reported.report_year,
        )
        shown = moved[fact.org_unit_id][0] if fact.org_unit_id in moved else fact.org_unit_id
        found.append(TargetLine(fact, units[shown], goal, reported, verdict))
    return found


ValueKey = tuple[int, str, str]  # unit, indicator, cell


@dataclass
class ReportValue:
    period_end: int
    figure: Decimal | None
    no_data: bool
    document_id: int


def _figure(
    kind: str, value: Decimal | None, numerator: Decimal | None, denominator: Decimal | None
) -> Decimal | None:
    """A reported value as one figure: a ratio's as a percentage."""
    return ratio_percent(numerator, denominator) if kind == "ratio" else value


def _report_values(
    user: AnyUser, selection: Selection, unit_ids: set[int], codes: set[str]
) -> dict[ValueKey, list[ReportValue]]:
    """What the units' reports give for the targets' indicators, by period (one query)."""
    rows = (
        visible_to(ValueFact.objects.all(), user)
        .filter(
            org_unit_id__in=unit_ids,
            indicator_code__in=codes,
            level="",  # the whole unit's figure, not its parts by level
            document_kind="report",
            layer=selection.layer,
        )
        .values(
            "org_unit_id",
            "indicator_code",
            "cell",
            "period_end",
            "value_type",
            "value",
            "numerator",
            "denominator",
            "no_data",
            "document_id",
        )
        .order_by("period_end", "document_id")
    )
    found: dict[ValueKey, list[ReportValue]] = {}
    for row in rows:
        key = (row["org_unit_id"], row["indicator_code"], row["cell"])
        found.setdefault(key, []).append(
            ReportValue(
                row["period_end"],
                _figure(row["value_type"], row["value"], row["numerator"], row["denominator"]),
                row["no_data"],
                row["document_id"],
            )
        )
    return found


def _reported(
    fact: TargetFact, result: ResultFact | None, values: dict[ValueKey, list[ReportValue]]
) -> Reported:
    if result is not None and result.achieved is not None:
        return Reported(
            result.achieved, RESULT, False, result.document_id, result.period_end, result.status
        )
    year = fact.year or fact.period_end
    candidates = list(values.get((fact.org_unit_id, fact.indicator_code, fact.cell), []))
    # "No data" is one row with cell "": it answers every cell of the indicator.
    candidates += values.get((fact.org_unit_id, fact.indicator_code, ""), []) if fact.cell else []
    usable = [v for v in candidates if v.period_end <= year and (v.figure is not None or v.no_data)]
    stated = result.status if result is not None else ""
    if not usable:
        if result is not None:
            return Reported(None, "", False, result.document_id, result.period_end, stated)
        return Reported(None, "")
    latest = max(usable, key=lambda v: (v.period_end, v.figure is not None))
    return Reported(
        latest.figure,
        VALUE if latest.figure is not None else "",
        latest.no_data and latest.figure is None,
        latest.document_id,
        latest.period_end,
        stated,
    )


@dataclass
class FigureLine:
    """A national figure of the framework against the units in view: the values filed for
    the figure's year added up (a ratio as the sum of numerators over the sum of
    denominators, a yes/no as the units answering yes: the national figures API's
    arithmetic, docs/national-figures.md), the plans' targets added up, and the units whose
    plan target or reported value is below the minimum."""

    indicator: str
    option: str
    label: str
    year: int | None
    reference: str  # "19/22", "12" …
    minimum: Decimal | None
    aggregate: Decimal | None
    units_reporting: int
    units_no_data: int
    planned: Decimal | None = None
    below_planned: list[tuple[OrgUnit, Decimal]] = field(default_factory=list)
    below_reported: list[tuple[OrgUnit, Decimal]] = field(default_factory=list)


def _planned(kind: str, matching: list[TargetLine]) -> Decimal | None:
    """The plans' targets added up: sums, or a ratio's parts summed (never an average of
    percentages; None when a ratio target gives no parts)."""
    if not matching:
        return None
    if kind == "ratio":
        parts = [(t.fact.target_n, t.fact.target_d) for t in matching]
        if any(n is None or d is None for n, d in parts):
            return None
        return ratio_percent(
            sum((n for n, _d in parts if n is not None), Decimal(0)),
            sum((d for _n, d in parts if d is not None), Decimal(0)),
        )
    figures = [t.target for t in matching if t.target is not None]
    return sum(figures, Decimal(0)) if figures else None


def _structure_day(selection: Selection) -> dt.date | None:
    """The structure the figures are placed on: today's (None) for the current structure,
    else the one the framework's documents were written for."""
    if selection.structure == CURRENT:
        return None
    version = (
        FrameworkVersion.objects.filter(framework=selection.framework, status="published")
        .order_by("-pk")
        .first()
    )
    return version.structure_date if version is not None else None


def national_figures(
    user: AnyUser, selection: Selection, spec: Spec | None, found: Iterable[TargetLine]
) -> list[FigureLine]:
    """Each national figure of the framework against the units in view: the values through
    the national figures API (govplan.national.figures: one grouped query for all the
    figures), the plans' targets from ``found``."""
    if spec is None or not spec.national:
        return []
    first_year = spec.period.years()[0]
    years = [f.year or first_year for f in spec.national]
    ask = Ask(
        indicator="",
        years=(min(years), max(years)),
        layer=selection.layer,
        structure=_structure_day(selection),
        within=selection.root,
    )
    answered = answers(user, ask, [f.indicator for f in spec.national])
    lines_ = list(found)
    result = []
    for figure, year in zip(spec.national, years, strict=True):
        indicator = spec.indicators.get(figure.indicator)
        kind = indicator.type if indicator is not None else ""
        value = answered[figure.indicator].figure(year, figure.option or TOTAL)
        reference = figure.value or ""
        if figure.of:
            reference = f"{figure.value}/{figure.of}"
        matching = [
            t
            for t in lines_
            if t.fact.indicator_code == figure.indicator
            and t.fact.cell == figure.option
            and (figure.year is None or t.fact.year == figure.year)
        ]
        line = FigureLine(
            figure.indicator,
            figure.option,
            figure.label,
            year,
            reference,
            Decimal(figure.minimum) if figure.minimum is not None else None,
            value.figure,
            value.reporting,
            value.no_data,
            _planned(kind, matching),
        )
        if line.minimum is not None:
            line.below_planned = [
                (t.unit, t.target)
                for t in matching
                if t.target is not None and t.target < line.minimum
            ]
            line.below_reported = [
                (t.unit, t.reported.figure)
                for t in matching
                if t.reported.figure is not None and t.reported.figure < line.minimum
            ]
        result.append(line)
    return result


@dataclass
class UnitTargetLine:
    """A target the framework sets for a named unit against that unit's plan target and
    what it reported (from the target lines already computed: no extra query)."""

    unit: OrgUnit
    indicator: str
    option: str
    year: int | None
    required: Decimal
    planned: Decimal | None
    reported: Decimal | None

    @property
    def plan_meets(self) -> bool | None:
        return None if self.planned is None else self.planned >= self.required

    @property
    def result_meets(self) -> bool | None:
        return None if self.reported is None else self.reported >= self.required


def unit_targets(spec: Spec | None, found: Iterable[TargetLine]) -> list[UnitTargetLine]:
    if spec is None or not spec.unit_targets:
        return []
    result = []
    for line in found:
        fact = line.fact
        for goal in spec.unit_targets:
            if goal.indicator != fact.indicator_code or goal.option != fact.cell:
                continue
            if goal.year is not None and goal.year != fact.year:
                continue
            # The unit as filed, or the one it became, may be the one the letter names.
            if not (_names(goal.units, line.unit) or _names(goal.units, fact.org_unit)):
                continue
            result.append(
                UnitTargetLine(
                    line.unit,
                    goal.indicator,
                    goal.option,
                    goal.year,
                    Decimal(goal.value),
                    line.target,
                    line.reported.figure,
                )
            )
    return result


def _names(refs: Iterable[str], unit: OrgUnit) -> bool:
    return f"{unit.scheme}:{unit.code}" in refs
