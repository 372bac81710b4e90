"""The central budget pool's pages: pools, proposals, scenarios compared side by side, the
approval, the decision's appendix (DOCX, XLSX), spent and remaining, and the total
investment estimate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability, visible_to
from govplan.accounts.types import AnyUser
from govplan.allocations import figures
from govplan.allocations.access import (
    load_pool,
    load_scenario,
    manages,
    reads_everything,
    require_manager,
)
from govplan.allocations.actions import (
    Refused,
    RulesRefused,
    do_approve_scenario,
    do_create_pool,
    do_mark_proposal,
    do_save_scenario,
    problem_text,
)
from govplan.allocations.display import reason_text
from govplan.allocations.forms import (
    FLAG_LABELS,
    ApproveForm,
    MarkForm,
    PoolForm,
    ScenarioForm,
)
from govplan.allocations.models import Allocation, Pool, Scenario
from govplan.allocations.proposals import is_stale, proposals
from govplan.core.allocation.appendix import format_dong
from govplan.webutils.forms import form_action
from govplan.webutils.inputs import int_param

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _rows(scenario: Scenario, user: AnyUser) -> QuerySet[Allocation]:
    rows = scenario.rows.all()
    return rows if reads_everything(user) else visible_to(rows, user)


def _by_agency(rows: QuerySet[Allocation]) -> list[dict[str, Any]]:
    return list(
        rows.values("org_unit_id", "unit_name")
        .annotate(asked=Sum("asked"), amount=Sum("amount"))
        .order_by("unit_name", "org_unit_id")
    )


def _cap_text(cap: Any) -> str:
    if not isinstance(cap, dict):
        return _("(none)")
    if cap.get("kind") == "percent":
        return f"{cap.get('value')} %"
    return f"{format_dong(int(cap.get('value', 0)))} đồng"


def rules_lines(rules: dict[str, Any]) -> list[tuple[str, str]]:
    """The scenario's rules in words, as the form names them."""
    priorities = [str(FLAG_LABELS.get(f, f)) for f in rules.get("priorities") or []]
    weights = rules.get("weights") or {}
    minimum = rules.get("province_minimum")
    return [
        *(
            (_("Priority group 1") if i == 0 else _("Priority group 2"), label)
            for i, label in enumerate(priorities[:2])
        ),
        (_("Cap per agency"), _cap_text(rules.get("agency_cap"))),
        (_("Cap per project"), _cap_text(rules.get("project_cap"))),
        (
            _("Minimum per province (đồng)"),
            format_dong(int(minimum)) if minimum else _("(none)"),
        ),
        (
            _("Weights by kind of unit"),
            "; ".join(f"{k}={v}" for k, v in (weights.get("unit_kind") or {}).items())
            or _("(none)"),
        ),
        (
            _("Weights by application field"),
            "; ".join(f"{k}={v}" for k, v in (weights.get("field") or {}).items()) or _("(none)"),
        ),
    ]


def spent_context(spent: figures.Spending) -> dict[str, Any]:
    """Spent and remaining as the pages show them (đồng, Vietnamese grouping)."""
    return {
        "rows": [
            {
                "s": s,
                "spent": format_dong(s.spent),
                "remaining": format_dong(s.remaining),
                "amount": format_dong(int(s.row.amount)),
            }
            for s in spent.rows
        ],
        "unmatched": [{"u": u, "spent": format_dong(u.spent)} for u in spent.unmatched],
        "allocated": format_dong(spent.allocated),
        "spent": format_dong(spent.spent),
        "remaining": format_dong(spent.remaining),
        "agencies": spent.agencies,
        "agencies_reported": spent.agencies_reported,
    }


# --- pools -----------------------------------------------------------------------------------


@authenticated
def pool_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form: PoolForm | None = None
    if request.method == "POST":
        require_manager(user)
        form = PoolForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = form_action(
                request,
                form,
                lambda: do_create_pool(
                    actor=user,  # type: ignore[arg-type]
                    name=data["name"],
                    amount=data["amount"],
                    year=data["year"],
                    frameworks=list(data["frameworks"]),
                    programme=data["programme"],
                    unit_kinds=data["unit_kinds"],
                    fields=data["fields_text"],
                    statuses=data["statuses_text"],
                ),
                success=_("The pool is created."),
                then=lambda pool: redirect("allocation_pool", pk=pool.pk),
                refused=(Refused,),
            )
            if done is not None:
                return done
    elif manages(user):
        form = PoolForm()
    pools = Pool.objects.select_related("programme").all()
    return render(
        request,
        "allocations/pools.html",
        {"pools": pools, "form": form, "manages": manages(user), "central": reads_everything(user)},
    )


@authenticated
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pool = load_pool(user, pk)
    everything = reads_everything(user)
    found = proposals(pool, None if everything else user)
    scenarios = list(pool.scenarios.all())
    # At most one is approved (the pool's lock); its summary, of the rows the user may see.
    approved = next((s for s in scenarios if s.is_approved), None)
    spent = figures.spending(approved, list(_rows(approved, user))) if approved else None
    return render(
        request,
        "allocations/pool.html",
        {
            "pool": pool,
            "amount": format_dong(int(pool.amount)),
            "proposals": [{"p": p, "asked": format_dong(p.asked)} for p in found],
            "asked": format_dong(sum(p.asked for p in found)),
            "scenarios": [{"s": s, "total": format_dong(int(s.total))} for s in scenarios],
            "manages": manages(user),
            "everything": everything,
            "frameworks": pool.frameworks.all(),
            "approved": approved,
            "spent": spent_context(spent) if spent else None,
        },
    )


@requires(Capability.ADMINISTER)
@require_POST
def pool_mark(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_manager(user)
    pool = load_pool(user, pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The mark was not saved: the form is incomplete."))
        return redirect("allocation_pool", pk=pool.pk)
    data = form.cleaned_data
    try:
        do_mark_proposal(
            pool,
            document_id=data["document"],
            entry_key=data["entry_key"],
            shared_platform=data["shared_platform"],
            investment_decided=data["investment_decided"],
            note=data["note"],
            actor=user,  # type: ignore[arg-type]
        )
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The proposal's marks are saved."))
    return redirect("allocation_pool", pk=pool.pk)


# --- scenarios -------------------------------------------------------------------------------


def _scenario_form(request: HttpRequest, pool: Pool, scenario: Scenario | None) -> HttpResponse:
    user = request.user
    if scenario is not None and scenario.is_approved:
        messages.error(request, _("This scenario is approved: it can no longer be changed."))
        return redirect("allocation_scenario", pk=pool.pk, scenario_id=scenario.pk)
    if request.method == "POST":
        form = ScenarioForm(request.POST)
        if form.is_valid():
            try:
                saved = do_save_scenario(
                    pool,
                    name=form.cleaned_data["name"],
                    rules_data=form.cleaned_data["rules_data"],
                    actor=user,  # type: ignore[arg-type]
                    scenario=scenario,
                )
            except RulesRefused as exc:
                for problem in exc.problems:
                    form.add_error(None, problem_text(problem))
            except Refused as exc:
                form.add_error(None, exc.message)
            else:
                if saved.infeasible_rule:
                    messages.error(request, saved.infeasible_message)
                else:
                    messages.success(request, _("The scenario is computed."))
                return redirect("allocation_scenario", pk=pool.pk, scenario_id=saved.pk)
    elif scenario is not None:
        form = ScenarioForm(initial=ScenarioForm.initial_from(scenario.name, scenario.rules))
    else:
        form = ScenarioForm(
            initial={"priority_1": "shared_platform", "priority_2": "investment_decided"}
        )
    return render(
        request,
        "allocations/scenario_form.html",
        {"pool": pool, "scenario": scenario, "form": form},
    )


@requires(Capability.ADMINISTER)
def scenario_new(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    return _scenario_form(request, load_pool(request.user, pk), None)


@requires(Capability.ADMINISTER)
def scenario_edit(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    require_manager(request.user)
    pool = load_pool(request.user, pk)
    return _scenario_form(request, pool, load_scenario(request.user, pool, scenario_id))


@authenticated
def scenario_detail(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    user = request.user
    pool = load_pool(user, pk)
    scenario = load_scenario(user, pool, scenario_id)
    rows = _rows(scenario, user)
    listed = list(rows)
    spent = figures.spending(scenario, listed) if scenario.is_approved else None
    return render(
        request,
        "allocations/scenario.html",
        {
            "pool": pool,
            "scenario": scenario,
            "amount": format_dong(int(pool.amount)),
            "total": format_dong(int(scenario.total)),
            "asked": format_dong(int(scenario.asked)),
            "agencies": [
                {
                    **a,
                    "asked_text": format_dong(int(a["asked"])),
                    "amount_text": format_dong(int(a["amount"])),
                }
                for a in _by_agency(rows)
            ],
            "rows": [
                {
                    "r": r,
                    "asked": format_dong(int(r.asked)),
                    "amount": format_dong(int(r.amount)),
                    "reason": reason_text(r),
                }
                for r in listed
            ],
            "spent": spent_context(spent) if spent else None,
            "manages": manages(user),
            "everything": reads_everything(user),
            "approve_form": ApproveForm(),
            "rules": rules_lines(scenario.rules),
            "others": pool.scenarios.exclude(pk=scenario.pk),
            "stale": is_stale(scenario),
        },
    )


@requires(Capability.ADMINISTER)
@require_POST
def scenario_approve(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    user = request.user
    require_manager(user)
    pool = load_pool(user, pk)
    scenario = load_scenario(user, pool, scenario_id)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("allocation_scenario", pk=pool.pk, scenario_id=scenario.pk)
    try:
        was_approved = scenario.is_approved
        do_approve_scenario(
            scenario,
            actor=user,  # type: ignore[arg-type]
            decision_number=form.cleaned_data["decision_number"],
            decision_date=form.cleaned_data["decision_date"],
        )
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        if was_approved:
            messages.info(request, _("This scenario was already approved."))
        else:
            messages.success(request, _("The scenario is approved; its allocation is frozen."))
    return redirect("allocation_scenario", pk=pool.pk, scenario_id=scenario.pk)


def _int_or_none(request: HttpRequest, name: str) -> int | None:
    return int_param(request.GET, name)


@authenticated
def scenario_compare(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pool = load_pool(user, pk)
    scenarios = list(pool.scenarios.all())
    a_id, b_id = _int_or_none(request, "a"), _int_or_none(request, "b")
    by_id = {s.pk: s for s in scenarios}
    if (a_id is not None and a_id not in by_id) or (b_id is not None and b_id not in by_id):
        raise Http404
    if a_id is None and len(scenarios) >= 1:
        a_id = scenarios[0].pk
    if b_id is None and len(scenarios) >= 2:
        b_id = scenarios[1].pk
    a = by_id.get(a_id) if a_id is not None else None
    b = by_id.get(b_id) if b_id is not None else None
    agencies: list[dict[str, Any]] = []
    projects: list[dict[str, Any]] = []
    if a is not None and b is not None:
        agencies, projects = _compare(_rows(a, user), _rows(b, user))
    return render(
        request,
        "allocations/compare.html",
        {
            "pool": pool,
            "scenarios": scenarios,
            "a": a,
            "b": b,
            "agencies": agencies,
            "projects": projects,
        },
    )


def _diff(x: int, y: int) -> str:
    d = y - x
    return ("+" if d > 0 else "") + format_dong(d) if d else "0"


def _compare(
    rows_a: QuerySet[Allocation], rows_b: QuerySet[Allocation]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    agencies: dict[int, dict[str, Any]] = {}
    for side, rows in (("a", rows_a), ("b", rows_b)):
        for r in _by_agency(rows):
            line = agencies.setdefault(r["org_unit_id"], {"name": r["unit_name"], "a": 0, "b": 0})
            line[side] = int(r["amount"])
    projects: dict[tuple[int | None, str], dict[str, Any]] = {}
    for side, rows in (("a", rows_a), ("b", rows_b)):
        for row in rows:
            line = projects.setdefault(
                (row.document_id, row.entry_key),
                {
                    "unit": row.unit_name,
                    "project": row.project_name,
                    "asked": int(row.asked),
                    "a": 0,
                    "b": 0,
                    "reason_a": "",
                    "reason_b": "",
                },
            )
            line[side] = int(row.amount)
            line[f"reason_{side}"] = reason_text(row)

    def shown(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                **line,
                "a_text": format_dong(line["a"]),
                "b_text": format_dong(line["b"]),
                "diff": _diff(line["a"], line["b"]),
                "changed": line["a"] != line["b"],
            }
            for line in lines
        ]

    return (
        shown(sorted(agencies.values(), key=lambda x: x["name"])),
        shown(sorted(projects.values(), key=lambda x: (x["unit"], x["project"]))),
    )
