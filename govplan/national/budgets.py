"""Where the money goes: the planned investment of the project tables, summed by the
database over any subtree the user may see (issue 14, item 5; docs/national-budgets-targets.md).

Only the project tables' phasing is read (BudgetFact ``collection`` "table:…"): a typed
budget line repeats amounts the projects already give, and counting both would count twice.
Every figure is a GROUP BY over the budget facts, scoped by ``visible_to`` exactly as the
documents they come from; per-unit sums are rolled up to the units shown by the pure core
(govplan.core.national.money), so the number of queries does not grow with the units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.access.scoping import visible_to
from govplan.accounts.types import AnyUser
from govplan.core.documents.totals import WHOLE_PERIOD
from govplan.core.frameworks.model import Framework as Spec
from govplan.core.frameworks.model import Table
from govplan.core.national.money import roll_up
from govplan.facts.models import BudgetFact, Layer
from govplan.frameworks import labels
from govplan.frameworks.models import Framework, FrameworkVersion
from govplan.orgunits.history import came_from
from govplan.orgunits.models import OrgUnit, Succession

LAYERS = (Layer.APPROVED.value, Layer.SUBMITTED.value, Layer.LIVE.value)
FILED, CURRENT = "filed", "current"
STRUCTURES = (FILED, CURRENT)
# The breakdowns a page offers: the name in the URL → the fact column.
DIMENSIONS: dict[str, str] = {
    "year": "year",
    "source": "funding_source",
    "type": "funding_type",
    "field": "field",
    "group": "group",
    "status": "project_status",
    "unit": "org_unit_id",
}
PROJECT_TABLES = "table:"
MAX_GENERATIONS = 20


@dataclass(frozen=True)
class Selection:
    """What a budget page shows: one framework's plans, one layer, the subtree of ``root``
    (None: everything the user sees), the units as they filed or as they are now."""

    framework: Framework
    layer: str = Layer.APPROVED.value
    root: OrgUnit | None = None
    structure: str = FILED
    on: dt.date = field(default_factory=timezone.localdate)


@dataclass(frozen=True)
class Line:
    """One line of a breakdown: its code, its label and its amount (million VND)."""

    code: str
    label: str
    amount: Decimal
    unit: OrgUnit | None = None  # the unit line of the "unit" breakdown


@dataclass
class Project:
    document_id: int
    entry_key: str
    unit: OrgUnit | None
    name: str
    group: str
    field: str
    status: str
    amounts: dict[tuple[int, str], Decimal]  # (year, source) → amount
    total: Decimal = Decimal(0)


def frameworks_with_budgets(user: AnyUser) -> list[Framework]:
    """The frameworks whose plans have project phasing the user may see, newest first."""
    ids = (
        visible_to(BudgetFact.objects.all(), user)
        .filter(collection__startswith=PROJECT_TABLES, document_kind="plan")
        .values("framework_version__framework")
        .distinct()
    )
    return list(Framework.objects.filter(pk__in=ids).order_by("-created_at", "-pk"))


def spec_of(framework: Framework) -> Spec | None:
    """The framework's latest published version, parsed (its labels name the codes); read
    once per framework object (a page asks several times)."""
    if hasattr(framework, "_money_spec"):
        cached: Spec | None = framework._money_spec
        return cached
    version = (
        FrameworkVersion.objects.filter(framework=framework, status="published")
        .order_by("-pk")
        .first()
    )
    framework._money_spec = version.parsed() if version is not None else None  # type: ignore[attr-defined]
    return framework._money_spec  # type: ignore[attr-defined,no-any-return]


def _validity(ids: Iterable[int]) -> dict[int, tuple[dt.date | None, dt.date | None, str]]:
    return {
        pk: (start, end, path)
        for pk, start, end, path in OrgUnit.objects.filter(pk__in=list(ids)).values_list(
            "pk", "valid_from", "valid_to", "path"
        )
    }


def _in_force(span: tuple[dt.date | None, dt.date | None, str], on: dt.date) -> bool:
    start, end, _path = span
    return (start is None or start <= on) and (end is None or end >= on)


def current_units(unit_ids: Iterable[int], on: dt.date) -> dict[int, tuple[int, str]]:
    """Each given unit no longer in force on ``on`` → (id, path) of the one unit in force
    that it became (through merges, renames, transfers, at any distance). A unit split
    between several successors maps to none: its amounts cannot be divided, so it stays as
    it filed. One query per generation of changes, whatever the number of units."""
    spans = _validity(unit_ids)
    ended = {pk for pk, span in spans.items() if not _in_force(span, on)}
    reached: dict[int, set[int]] = {pk: {pk} for pk in ended}  # frontier unit → its origins
    found: dict[int, set[int]] = {pk: set() for pk in ended}
    for _generation in range(MAX_GENERATIONS):
        if not reached:
            break
        edges = list(
            Succession.objects.filter(
                predecessor_id__in=list(reached), effective_date__lte=on
            ).values_list("predecessor_id", "successor_id")
        )
        later = _validity({s for _p, s in edges})
        following: dict[int, set[int]] = {}
        for predecessor, successor in edges:
            for origin in reached[predecessor]:
                if _in_force(later[successor], on):
                    found[origin].add(successor)
                else:
                    following.setdefault(successor, set()).add(origin)
        spans.update(later)
        reached = following
    return {
        origin: (next(iter(units)), spans[next(iter(units))][2])
        for origin, units in found.items()
        if len(units) == 1
    }


def facts(user: AnyUser, selection: Selection) -> QuerySet[BudgetFact]:
    """The project phasing facts of the selection the user may see."""
    queryset = visible_to(BudgetFact.objects.all(), user).filter(
        framework_version__framework=selection.framework,
        layer=selection.layer,
        collection__startswith=PROJECT_TABLES,
        document_kind="plan",
    )
    root = selection.root
    if root is None:
        return queryset
    if selection.structure == CURRENT:
        # The root's subtree and those of every unit it came from (the new Bắc Ninh's
        # includes what the old Bắc Giang filed).
        units = came_from({root.pk: True}, selection.on)
        paths = OrgUnit.objects.filter(pk__in=list(units)).values_list("path", flat=True)
        condition = Q()
        for path in paths:
            condition |= Q(unit_path__startswith=path)
        return queryset.filter(condition)
    return queryset.filter(unit_path__startswith=root.path)


@dataclass(frozen=True)
class Vocabulary:
    """The names the framework gives to the codes the facts hold."""

    spec: Spec | None

    def _table(self) -> Table | None:
        if self.spec is None:
            return None
        return next((t for _s, t in self.spec.tables() if t.phasing is not None), None)

    def _choice(self, role: str, code: str) -> str:
        table = self._table()
        column = table.by_role(role) if table is not None else None
        if column is not None:
            for option in column.choices:
                if option.code == code:
                    return option.title
        return code

    def label(self, dimension: str, code: str) -> str:
        if dimension == "year":
            return _("Whole period") if int(code) == WHOLE_PERIOD else code
        if dimension == "source":
            return labels.funding_source_title(self.spec, code)
        if dimension == "type":
            return labels.funding_type_title(self.spec, code)
        if dimension == "status":
            return self._choice("project_status", code) if code else _("Not stated")
        if dimension == "field":
            return self._choice("application_field", code) if code else _("Not stated")
        if dimension == "group":
            table = self._table()
            group = next((g for g in table.groups if g.code == code), None) if table else None
            if group is not None:
                return f"{group.number}. {group.title}"
            return code or _("No group")
        return code

    def order(self, dimension: str) -> list[str]:
        """The framework's order of a dimension's codes (those it does not name come after)."""
        table = self._table()
        if table is None or table.phasing is None:
            return []
        if dimension == "source":
            return list(table.phasing.sources)
        if dimension == "type":
            return list(table.phasing.types)
        if dimension == "group":
            return [g.code for g in table.groups]
        role = {"status": "project_status", "field": "application_field"}.get(dimension)
        column = table.by_role(role) if role else None
        return [o.code for o in column.choices] if column is not None else []


def _sort_key(dimension: str, order: Sequence[str]) -> Any:
    def key(item: tuple[str, Decimal]) -> tuple[int, Any]:
        code = item[0]
        if dimension == "year":
            number = int(code)
            return (1 if number == WHOLE_PERIOD else 0, number)
        return (order.index(code) if code in order else len(order), code)

    return key


def _lines(dimension: str, sums: dict[str, Decimal], vocabulary: Vocabulary) -> list[Line]:
    ordered = sorted(sums.items(), key=_sort_key(dimension, vocabulary.order(dimension)))
    return [Line(code, vocabulary.label(dimension, code), amount) for code, amount in ordered]


def _unit_lines(selection: Selection, rows: list[tuple[int, str, Decimal]]) -> list[Line]:
    """Per filing unit sums → the units directly under the root (the top-level units for
    the whole country), each with its sub-units' amounts, the root's own as its own line;
    for the current structure an old unit counts for the one unit it became."""
    moved = (
        current_units({unit for unit, _p, _a in rows}, selection.on)
        if selection.structure == CURRENT
        else {}
    )
    root_path = selection.root.path if selection.root is not None else ""
    totals = roll_up(
        ((moved[unit][1] if unit in moved else path, amount) for unit, path, amount in rows),
        root_path,
    )
    units = OrgUnit.objects.in_bulk(list(totals))
    lines = [
        Line(str(pk), units[pk].name, amount, units[pk])
        for pk, amount in totals.items()
        if pk in units
    ]
    lines.sort(key=lambda line: (-line.amount, line.label))
    return lines


@dataclass
class Summary:
    """What the page shows above the projects, from one GROUP BY."""

    total: Decimal
    lines: list[Line]  # by the dimension asked
    units: list[Line]
    by_status: list[Line]


def summary(selection: Selection, queryset: QuerySet[BudgetFact], dimension: str) -> Summary:
    """The total, the breakdown by ``dimension``, by unit and by status from one grouped
    query (per filing unit × status × the dimension's value: at most thousands of rows,
    combined here)."""
    vocabulary = Vocabulary(spec_of(selection.framework))
    column = DIMENSIONS[dimension] if dimension not in ("unit", "status") else ""
    names = ["org_unit_id", "unit_path", "project_status", *([column] if column else [])]
    rows = list(queryset.values(*names).annotate(s=Sum("amount")).order_by())
    by_unit: dict[tuple[int, str], Decimal] = {}
    by_status: dict[str, Decimal] = {}
    by_value: dict[str, Decimal] = {}
    for row in rows:
        amount = row["s"]
        place = (row["org_unit_id"], row["unit_path"])
        by_unit[place] = by_unit.get(place, Decimal(0)) + amount
        status = row["project_status"]
        by_status[status] = by_status.get(status, Decimal(0)) + amount
        if column:
            value = str(row[column])
            by_value[value] = by_value.get(value, Decimal(0)) + amount
    units = _unit_lines(selection, [(u, p, a) for (u, p), a in by_unit.items()])
    statuses = _lines("status", by_status, vocabulary)
    if dimension == "unit":
        lines = units
    elif dimension == "status":
        lines = statuses
    else:
        lines = _lines(dimension, by_value, vocabulary)
    return Summary(sum(by_unit.values(), Decimal(0)), lines, units, statuses)


def breakdown(selection: Selection, queryset: QuerySet[BudgetFact], dimension: str) -> list[Line]:
    """The selection's amounts by one dimension (the units one level under the root for
    "unit"), in the framework's order: one grouped query."""
    if dimension == "unit":
        rows = queryset.values("org_unit_id", "unit_path").annotate(s=Sum("amount")).order_by()
        return _unit_lines(selection, [(r["org_unit_id"], r["unit_path"], r["s"]) for r in rows])
    column = DIMENSIONS[dimension]
    sums = {
        str(row[column]): row["s"]
        for row in queryset.values(column).annotate(s=Sum("amount")).order_by()
    }
    return _lines(dimension, sums, Vocabulary(spec_of(selection.framework)))


def projects(selection: Selection, queryset: QuerySet[BudgetFact]) -> list[Project]:
    """The projects of the root unit's own documents (for the current structure, of the
    units it came from too): name, group, field, status, amounts by year and source."""
    root = selection.root
    if root is None:
        return []
    own = {root.pk}
    if selection.structure == CURRENT:
        own |= set(came_from({root.pk: True}, selection.on))
    rows = (
        queryset.filter(org_unit_id__in=own)
        .values(
            "document_id",
            "entry_key",
            "org_unit_id",
            "project_name",
            "group",
            "field",
            "project_status",
            "year",
            "funding_source",
        )
        .annotate(s=Sum("amount"))
        .order_by("document_id", "entry_key")
    )
    found: dict[tuple[int, str], Project] = {}
    for row in rows:
        key = (row["document_id"], row["entry_key"])
        project = found.get(key)
        if project is None:
            project = found[key] = Project(
                row["document_id"],
                row["entry_key"],
                None,
                row["project_name"],
                row["group"],
                row["field"],
                row["project_status"],
                {},
            )
            project.unit = OrgUnit(pk=row["org_unit_id"])
        place = (row["year"], row["funding_source"])
        project.amounts[place] = project.amounts.get(place, Decimal(0)) + row["s"]
        project.total += row["s"]
    units = OrgUnit.objects.in_bulk({p.unit.pk for p in found.values() if p.unit is not None})
    for project in found.values():
        if project.unit is not None:
            project.unit = units.get(project.unit.pk)
    # The facts keep no row position: the framework's group order, then the name.
    groups = Vocabulary(spec_of(selection.framework)).order("group")
    return sorted(
        found.values(),
        key=lambda p: (
            groups.index(p.group) if p.group in groups else len(groups),
            p.name,
            p.document_id,
            p.entry_key,
        ),
    )


def project_columns(
    vocabulary: Vocabulary, found: Sequence[Project]
) -> list[tuple[tuple[int, str], str, str]]:
    """The (year, source) columns the projects use, years in order with the whole period
    last, sources in the framework's order: (place, year label, source label)."""
    places = {place for p in found for place in p.amounts}
    order = vocabulary.order("source")
    ranked = sorted(
        places,
        key=lambda p: (
            p[0] == WHOLE_PERIOD,
            p[0],
            order.index(p[1]) if p[1] in order else len(order),
            p[1],
        ),
    )
    return [
        (place, vocabulary.label("year", str(place[0])), vocabulary.label("source", place[1]))
        for place in ranked
    ]
