"""Figures around the pool, each a GROUP BY over typed columns:

- spent and remaining: for an approved scenario, what each agency's results report says it
  spent of central budget in the pool's year on the projects allocated;
- the total investment estimate: for a framework's plans and years a..b, the investment
  proposed by year, funding source and application field, and what the approved
  allocations of the pools of those years cover.

How a reported project is matched to an allocated one: the report's project-table row of the
same unit (the unit that filed the plan), whose project name is the same once case, accents'
composition and spaces are set aside (NFC, casefold, single spaces). The report's central
budget cells of the pool's year are summed per (unit, name). Reported projects that match
no allocated project are listed as unmatched, never guessed; so are those whose name is
shared by several allocated projects of the unit (the report cannot say which one spent it:
counting it for each would count it twice).

Which agencies have reported: those with a results report of the pool's year submitted at
least once (the same revisions the figures are read from) whose framework has a project
table phasing central budget. An allocated project of such an agency that its report does not
list is "not in the report"; one of an agency that has not reported is "not reported": never
0, which would claim the agency said it spent nothing.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from govplan.allocations.models import Allocation, Scenario, ScenarioStatus
from govplan.allocations.proposals import CENTRAL_BUDGET, PROJECT_TABLES, to_dong
from govplan.documents.models import Document
from govplan.facts.models import BudgetFact, Layer
from govplan.frameworks.models import Framework, FrameworkVersion, version_heavy_fields


def name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _latest_layer(facts: QuerySet[BudgetFact]) -> QuerySet[BudgetFact]:
    """Each document's approved layer if it has one, else its latest submitted revision."""
    approved = facts.filter(layer=Layer.APPROVED).values("document_id")
    return facts.filter(
        Q(layer=Layer.APPROVED) | (Q(layer=Layer.SUBMITTED) & ~Q(document_id__in=approved))
    )


@dataclass
class SpentRow:
    row: Allocation
    spent: int = 0
    reported: bool = False  # the project is in its agency's report
    agency_reported: bool = False  # its agency has reported (the project may be missing)

    @property
    def remaining(self) -> int:
        return int(self.row.amount) - self.spent


@dataclass
class Unmatched:
    unit_name: str
    project_name: str
    spent: int
    # Several allocated projects of the unit have this name: matched to none of them.
    ambiguous: bool = False


@dataclass
class Spending:
    rows: list[SpentRow]
    unmatched: list[Unmatched] = field(default_factory=list)

    @property
    def agencies(self) -> int:
        return len({r.row.org_unit_id for r in self.rows})

    @property
    def agencies_reported(self) -> int:
        return len({r.row.org_unit_id for r in self.rows if r.agency_reported})

    @property
    def allocated(self) -> int:
        return sum(int(r.row.amount) for r in self.rows)

    @property
    def spent(self) -> int:
        return sum(r.spent for r in self.rows)

    @property
    def remaining(self) -> int:
        return self.allocated - self.spent


def carries_spending(version: FrameworkVersion) -> bool:
    """Whether the version's reports can say what was spent of central budget: a project
    table (a ``project_name`` column) whose phasing has the central budget."""
    spec = version.parsed()
    return any(
        table.phasing is not None
        and CENTRAL_BUDGET in table.phasing.sources
        and any(c.role == "project_name" for c in table.columns)
        for _section, table in spec.tables()
    )


def reporting_units(year: int, units: set[int]) -> set[int]:
    """The ``units`` whose results report of ``year`` was submitted at least once."""
    found = (
        Document.objects.filter(
            kind="report",
            org_unit_id__in=units,
            period_start__lte=year,
            period_end__gte=year,
            revision__gte=1,
        )
        .values_list("org_unit_id", "framework_version_id")
        .distinct()
    )
    pairs = list(found)
    versions = {
        v.pk: carries_spending(v)
        # A published version's spec comes from the process cache: its columns are not read.
        for v in FrameworkVersion.objects.filter(pk__in={v for _u, v in pairs}).defer(
            *version_heavy_fields()
        )
    }
    return {unit for unit, version in pairs if versions.get(version)}


def spending(scenario: Scenario, rows: list[Allocation]) -> Spending:
    """Spent and remaining for ``rows`` (an approved scenario's rows the user may see)."""
    units = {r.org_unit_id for r in rows}
    facts = BudgetFact.objects.filter(
        collection__startswith=PROJECT_TABLES,
        document_kind="report",
        funding_source=CENTRAL_BUDGET,
        year=scenario.pool.year,
        org_unit_id__in=units,
    )
    reported = (
        _latest_layer(facts)
        .values("org_unit_id", "project_name")
        .annotate(total=Sum("amount"))
        .order_by("org_unit_id", "project_name")
    )
    by_key: dict[tuple[int, str], int] = defaultdict(int)
    shown_name: dict[tuple[int, str], str] = {}
    for line in reported:
        key = (line["org_unit_id"], name_key(line["project_name"]))
        by_key[key] += to_dong(line["total"] or Decimal(0))
        shown_name.setdefault(key, line["project_name"])
    allocated_keys = Counter((r.org_unit_id, name_key(r.project_name)) for r in rows)
    # Figures read from a report prove it was submitted, whatever its framework.
    has_reported = reporting_units(scenario.pool.year, units) | {unit for unit, _n in by_key}
    result = []
    for r in rows:
        key = (r.org_unit_id, name_key(r.project_name))
        matched = key in by_key and allocated_keys[key] == 1
        result.append(
            SpentRow(r, by_key[key] if matched else 0, matched, r.org_unit_id in has_reported)
        )
    unit_names = {r.org_unit_id: r.unit_name for r in rows}
    unmatched = [
        Unmatched(unit_names.get(unit, ""), shown_name[(unit, name)], amount, ambiguous=True)
        if allocated_keys[(unit, name)] > 1
        else Unmatched(unit_names.get(unit, ""), shown_name[(unit, name)], amount)
        for (unit, name), amount in sorted(by_key.items())
        if allocated_keys[(unit, name)] != 1
    ]
    return Spending(result, unmatched)


@dataclass
class Estimate:
    framework: Framework
    year_from: int
    year_to: int
    # million VND
    by_year: dict[int, Decimal]
    by_source: dict[str, Decimal]
    by_field: dict[str, Decimal]
    by_year_source: dict[tuple[int, str], Decimal]
    # đồng: the approved allocations of the pools of these years (of this framework's plans)
    covered: dict[int, int]

    @property
    def total(self) -> Decimal:
        return sum(self.by_year.values(), Decimal(0))

    def central(self, year: int) -> Decimal:
        return self.by_year_source.get((year, CENTRAL_BUDGET), Decimal(0))

    def left(self, year: int) -> int:
        """Central budget proposed that year, in đồng, that no approved allocation covers."""
        return to_dong(self.central(year)) - self.covered.get(year, 0)


def estimate(framework: Framework, year_from: int, year_to: int) -> Estimate:
    facts = _latest_layer(
        BudgetFact.objects.filter(
            collection__startswith=PROJECT_TABLES,
            document_kind="plan",
            framework_version__framework=framework,
            year__gte=year_from,
            year__lte=year_to,
        )
    )
    by_year_source: dict[tuple[int, str], Decimal] = {}
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    for r in facts.values("year", "funding_source").annotate(total=Sum("amount")).order_by():
        amount = r["total"] or Decimal(0)
        by_year_source[(r["year"], r["funding_source"])] = amount
        by_year[r["year"]] += amount
        by_source[r["funding_source"]] += amount
    by_field = {
        r["field"]: r["total"] or Decimal(0)
        for r in facts.values("field").annotate(total=Sum("amount")).order_by("field")
    }
    covered = {
        r["scenario__pool__year"]: int(r["total"] or 0)
        for r in Allocation.objects.filter(
            scenario__status=ScenarioStatus.APPROVED,
            scenario__pool__year__gte=year_from,
            scenario__pool__year__lte=year_to,
            scenario__pool__frameworks=framework,
        )
        .values("scenario__pool__year")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    return Estimate(
        framework,
        year_from,
        year_to,
        dict(sorted(by_year.items())),
        dict(sorted(by_source.items(), key=lambda kv: -kv[1])),
        by_field,
        by_year_source,
        covered,
    )
