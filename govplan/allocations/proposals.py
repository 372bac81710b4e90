"""The proposals of a pool, read from the typed budget facts with SQL.

A proposal is one project row (document × entry key) of the project tables
(``collection`` "table:…") of a plan of an eligible framework, in its approved layer if the
plan has one, else its latest submitted revision, whose phasing asks for central budget
(``funding_source`` "central_budget") in the pool's year. Its amount is the SUM of those
cells, in million VND as the project tables phase money, converted to đồng exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum

from govplan.access.scoping import visible_to
from govplan.accounts.types import AnyUser
from govplan.allocations.models import Pool, ProposalMark, Scenario
from govplan.core.allocation.compute import Proposal
from govplan.core.allocation.rules import INVESTMENT_DECIDED, SHARED_PLATFORM
from govplan.facts.models import BudgetFact, Layer
from govplan.orgunits.models import Kind, OrgUnit

CENTRAL_BUDGET = "central_budget"
PROJECT_TABLES = "table:"
# The project tables phase money in million VND (govplan.core.documents.cells).
DONG_PER_MILLION = Decimal(1_000_000)


def to_dong(million: Decimal) -> int:
    """Million VND (up to 8 decimals) to whole đồng; the tables keep 3 decimals (thousand
    đồng), so this is exact for what they hold."""
    return int((million * DONG_PER_MILLION).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class ProposalRow:
    document_id: int
    entry_key: str
    org_unit_id: int
    unit_name: str
    unit_kind: str
    project_name: str
    field: str
    project_status: str
    layer: str
    asked: int  # đồng
    shared_platform: bool = False
    investment_decided: bool = False
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.document_id}:{self.entry_key}"

    def as_core(self) -> Proposal:
        flags = {
            flag
            for flag, on in (
                (SHARED_PLATFORM, self.shared_platform),
                (INVESTMENT_DECIDED, self.investment_decided),
            )
            if on
        }
        return Proposal(
            key=self.key,
            agency=str(self.org_unit_id),
            ask=self.asked,
            unit_kind=self.unit_kind,
            application_field=self.field,
            is_province=self.unit_kind == Kind.PROVINCE,
            flags=frozenset(flags),
        )


def eligible_facts(pool: Pool) -> QuerySet[BudgetFact]:
    """The budget cells that may make a proposal of ``pool`` (every layer)."""
    facts = BudgetFact.objects.filter(
        collection__startswith=PROJECT_TABLES,
        document_kind="plan",
        funding_source=CENTRAL_BUDGET,
        year=pool.year,
        framework_version__framework__in=pool.frameworks.all(),
    )
    if pool.unit_kinds:
        facts = facts.filter(unit_kind__in=pool.unit_kinds)
    if pool.fields:
        facts = facts.filter(field__in=pool.fields)
    if pool.statuses:
        facts = facts.filter(project_status__in=pool.statuses)
    return facts


def proposals(pool: Pool, user: AnyUser | None = None) -> list[ProposalRow]:
    """The pool's proposals (those of the units ``user`` sees, if given), by unit and key;
    one GROUP BY, one query for the unit names and one for the marks."""
    facts = eligible_facts(pool)
    if user is not None:
        facts = visible_to(facts, user)
    approved = facts.filter(layer=Layer.APPROVED).values("document_id")
    chosen = facts.filter(
        Q(layer=Layer.APPROVED) | (Q(layer=Layer.SUBMITTED) & ~Q(document_id__in=approved))
    )
    grouped = (
        chosen.values(
            "document_id",
            "entry_key",
            "org_unit_id",
            "unit_kind",
            "project_name",
            "field",
            "project_status",
            "layer",
        )
        .annotate(total=Sum("amount"))
        .order_by("org_unit_id", "document_id", "entry_key")
    )
    rows = [r for r in grouped if r["total"] is not None and to_dong(r["total"]) > 0]
    names = dict(
        OrgUnit.objects.filter(pk__in={r["org_unit_id"] for r in rows}).values_list("pk", "name")
    )
    marks = {(m.document_id, m.entry_key): m for m in ProposalMark.objects.filter(pool=pool)}
    found = []
    for r in rows:
        mark = marks.get((r["document_id"], r["entry_key"]))
        found.append(
            ProposalRow(
                document_id=r["document_id"],
                entry_key=r["entry_key"],
                org_unit_id=r["org_unit_id"],
                unit_name=names.get(r["org_unit_id"], ""),
                unit_kind=r["unit_kind"],
                project_name=r["project_name"],
                field=r["field"],
                project_status=r["project_status"],
                layer=r["layer"],
                asked=to_dong(r["total"]),
                shared_platform=bool(mark and mark.shared_platform),
                investment_decided=bool(mark and mark.investment_decided),
                note=mark.note if mark else "",
            )
        )
    return found


def is_proposal(pool: Pool, document_id: int, entry_key: str) -> bool:
    return (
        eligible_facts(pool)
        .filter(document_id=document_id, entry_key=entry_key)
        .filter(layer__in=(Layer.APPROVED, Layer.SUBMITTED))
        .exists()
    )


def digest(found: Iterable[ProposalRow]) -> str:
    """A fingerprint of what a scenario is computed from: every proposal's key, amount asked
    and marks. Another submission, a withdrawn project, a changed amount or mark changes it."""
    h = hashlib.sha256()
    for p in sorted(found, key=lambda p: p.key):
        h.update(
            f"{p.key}|{p.asked}|{int(p.shared_platform)}{int(p.investment_decided)}|"
            f"{p.org_unit_id}|{p.unit_kind}|{p.field}|{p.project_status}\n".encode()
        )
    return h.hexdigest()


def is_stale(scenario: Scenario) -> bool:
    """Whether a draft scenario's proposals changed since it was computed (never for an
    approved one: it is frozen; unknown, so False, for one computed before digests)."""
    if scenario.is_approved or not scenario.proposals_digest:
        return False
    return digest(proposals(scenario.pool)) != scenario.proposals_digest
