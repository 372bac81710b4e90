"""Every change to pools and scenarios: one function each, rows and audit entries in one
transaction, state checked under a row lock where two people could race."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.accounts.models import User
from govplan.allocations.issuer import issuing_ministry
from govplan.allocations.models import Allocation, Pool, ProposalMark, Scenario, ScenarioStatus
from govplan.allocations.proposals import digest, is_proposal, is_stale, proposals
from govplan.audit.models import Action
from govplan.audit.recorder import record, snapshot
from govplan.core.allocation.appendix import format_dong
from govplan.core.allocation.compute import allocate
from govplan.core.allocation.rules import MAX_AMOUNT, Problem, parse_rules
from govplan.frameworks.models import Framework
from govplan.programmes.models import Programme


class Refused(Exception):
    """A change refused, with the message to show (it names the field or the rule)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RulesRefused(Exception):
    """Rules with problems: each names the rule (key) it is about."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.path for p in problems))
        self.problems = list(problems)


def problem_text(problem: Problem) -> str:
    return _(problem.message) % dict(problem.params) if problem.params else _(problem.message)


def do_create_pool(
    *,
    actor: User | None,
    name: str,
    amount: Decimal,
    year: int,
    frameworks: Sequence[Framework],
    programme: Programme | None = None,
    unit_kinds: Sequence[str] = (),
    fields: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> Pool:
    if amount != amount.to_integral_value() or amount <= 0:
        raise Refused(_("The amount must be a whole number of đồng greater than 0."), "amount")
    if amount >= MAX_AMOUNT:
        raise Refused(_("The amount must be below 10^18 đồng."), "amount")
    if not frameworks:
        raise Refused(_("Choose at least one framework whose plans may propose."), "frameworks")
    with transaction.atomic():
        pool = Pool.objects.create(
            name=name,
            amount=amount,
            year=year,
            programme=programme,
            unit_kinds=sorted(set(unit_kinds)),
            fields=sorted(set(fields)),
            statuses=sorted(set(statuses)),
            created_by=actor,
        )
        pool.frameworks.set(frameworks)
        after = {**snapshot(pool), "frameworks": sorted(f.code for f in frameworks)}
        record(Action.POOL_CREATE, actor=actor, obj=pool, after=after)
    return pool


def do_mark_proposal(
    pool: Pool,
    *,
    document_id: int,
    entry_key: str,
    shared_platform: bool,
    investment_decided: bool,
    note: str,
    actor: User | None,
) -> ProposalMark:
    """Record what the central authority knows of one proposal (a shared platform, an
    approved investment decision). Refused for a row that is not a proposal of the pool."""
    if not is_proposal(pool, document_id, entry_key):
        raise Refused(_("This project is not a proposal of the pool."), "entry_key")
    fields = ("shared_platform", "investment_decided", "note")
    with transaction.atomic():
        # The pool's lock first (the approval's order): a mark and an approval never cross, so
        # an approval sees every mark made before it, or the mark waits for it.
        Pool.objects.select_for_update(no_key=True).get(pk=pool.pk)
        mark, _created = ProposalMark.objects.select_for_update(no_key=True).get_or_create(
            pool=pool, document_id=document_id, entry_key=entry_key
        )
        before = snapshot(mark, fields)
        mark.shared_platform = shared_platform
        mark.investment_decided = investment_decided
        mark.note = note
        after = snapshot(mark, fields)
        if before != after:
            mark.save()
            record(Action.PROPOSAL_MARK, actor=actor, obj=mark, before=before, after=after)
    return mark


def do_save_scenario(
    pool: Pool,
    *,
    name: str,
    rules_data: Mapping[str, Any],
    actor: User | None,
    scenario: Scenario | None = None,
) -> Scenario:
    """Create (or, for a draft, change) a scenario and compute its rows from the proposals
    as they are now. Rules with problems are refused whole; rules that cannot hold together
    (an infeasible minimum, caps too tight) are saved with the rule named and no rows; an
    approved scenario is refused."""
    rules, problems = parse_rules(rules_data)
    if rules is None:
        raise RulesRefused(problems)
    with transaction.atomic():
        if scenario is not None:
            scenario = Scenario.objects.select_for_update(no_key=True).get(
                pk=scenario.pk, pool=pool
            )
            if scenario.is_approved:
                raise Refused(_("This scenario is approved: it can no longer be changed."))
            before: dict[str, Any] | None = snapshot(scenario, ("name", "rules", "total"))
        else:
            scenario = Scenario(pool=pool, created_by=actor)
            before = None
        found = proposals(pool)
        amount = int(pool.amount)
        outcome = allocate(amount, [p.as_core() for p in found], rules)
        scenario.name = name
        scenario.rules = rules.as_data()
        scenario.asked = Decimal(sum(p.asked for p in found))
        scenario.computed_at = timezone.now()
        scenario.proposals_digest = digest(found)
        if outcome.infeasible is not None:
            params = {
                k: format_dong(int(v)) if v.isdigit() else v
                for k, v in outcome.infeasible.params.items()
            }
            scenario.infeasible_rule = outcome.infeasible.rule
            scenario.infeasible_message = _(outcome.infeasible.message) % params
            scenario.total = Decimal(0)
        else:
            scenario.infeasible_rule = scenario.infeasible_message = ""
            scenario.total = Decimal(outcome.total)
        scenario.save()
        scenario.rows.all().delete()
        by_key = {p.key: p for p in found}
        Allocation.objects.bulk_create(
            Allocation(
                scenario=scenario,
                document_id=by_key[line.key].document_id,
                entry_key=by_key[line.key].entry_key,
                org_unit_id=by_key[line.key].org_unit_id,
                unit_name=by_key[line.key].unit_name,
                unit_kind=by_key[line.key].unit_kind,
                project_name=by_key[line.key].project_name,
                field=by_key[line.key].field,
                project_status=by_key[line.key].project_status,
                shared_platform=by_key[line.key].shared_platform,
                investment_decided=by_key[line.key].investment_decided,
                asked=Decimal(line.ask),
                amount=Decimal(line.amount),
                group=line.group,
                reason=line.reason,
                percent=line.percent,
                position=position,
            )
            for position, line in enumerate(
                sorted(
                    outcome.lines,
                    key=lambda x: (by_key[x.key].unit_name, by_key[x.key].org_unit_id, x.key),
                )
            )
        )
        after = {
            **snapshot(scenario, ("name", "rules", "total", "infeasible_rule")),
            "rows": len(outcome.lines),
        }
        record(Action.SCENARIO_COMPUTE, actor=actor, obj=scenario, before=before, after=after)
    return scenario


def do_approve_scenario(
    scenario: Scenario,
    *,
    actor: User | None,
    decision_number: str = "",
    decision_date: dt.date | None = None,
) -> Scenario:
    """Approve the scenario: its rows are frozen from now on. Under a lock on the pool, so
    that two administrators (or a double click) approve at most one scenario, once: the
    second click finds it approved and changes nothing."""
    with transaction.atomic():
        Pool.objects.select_for_update(no_key=True).get(pk=scenario.pool_id)
        scenario = Scenario.objects.select_for_update(no_key=True).get(pk=scenario.pk)
        if scenario.is_approved:
            return scenario
        other = (
            Scenario.objects.filter(pool_id=scenario.pool_id, status=ScenarioStatus.APPROVED)
            .exclude(pk=scenario.pk)
            .first()
        )
        if other is not None:
            raise Refused(
                _("Scenario “%(name)s” of this pool is already approved; only one can be.")
                % {"name": other.name}
            )
        if scenario.infeasible_rule:
            raise Refused(
                _("This scenario's rules cannot hold together: %(why)s")
                % {"why": scenario.infeasible_message}
            )
        if not scenario.rows.exists():
            raise Refused(_("This scenario allocates nothing: no proposal was found."))
        if is_stale(scenario):
            raise Refused(
                _(
                    "The proposals changed after this scenario was computed (%(when)s): a plan "
                    "was submitted or approved, or a project's amount or mark changed. Compute "
                    "it again (save its rules) and check it before approving."
                )
                % {"when": f"{timezone.localtime(scenario.computed_at):%d/%m/%Y %H:%M}"}
            )
        before = snapshot(scenario, ("status",))
        scenario.status = ScenarioStatus.APPROVED
        scenario.approved_at = timezone.now()
        scenario.approved_by = actor
        scenario.decision_number = decision_number
        scenario.decision_date = decision_date
        scenario.issuer_name, scenario.issuer_code = issuing_ministry(
            decision_date or timezone.localdate()
        )
        scenario.save()
        after = snapshot(
            scenario,
            ("status", "total", "decision_number", "decision_date", "issuer_name", "issuer_code"),
        )
        record(Action.SCENARIO_APPROVE, actor=actor, obj=scenario, before=before, after=after)
    return scenario
