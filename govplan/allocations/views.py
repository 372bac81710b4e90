"""The central budget pool's pages: pools, proposals, scenarios compared side by side, the
approval, the decision's appendix (DOCX, XLSX), spent and remaining, and the total
investment estimate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
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
    require_central_reader,
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
from govplan.allocations.forms import (
    ApproveForm,
    EstimateForm,
    MarkForm,
    PoolForm,
    ScenarioForm,
)
from govplan.allocations.models import Allocation, Pool, Scenario
from govplan.allocations.proposals import proposals
from govplan.core.adapters.appendix_docx import write_appendix_docx
from govplan.core.adapters.tables_xlsx import SheetTable, write_tables_xlsx
from govplan.core.allocation.appendix import AppendixData, AppendixRow, format_dong
from govplan.core.allocation.compute import REASONS
from govplan.core.documents.cells import format_number
from govplan.frameworks import labels
from govplan.frameworks.models import Framework
from govplan.webutils.downloads import XLSX, attachment
from govplan.webutils.inputs import int_param

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The authority that issues the decision the appendix is attached to.
ISSUER_NAME = "Bộ Thông tin và Truyền thông"
ISSUER_CODE = "BTTTT"


def reason_text(row: Allocation) -> str:
    template = REASONS.get(row.reason, row.reason)
    percent = format_number(Decimal(row.percent), locale="vi", places=1)
    return _(template) % {"group": row.group, "percent": percent}


def million(amount: Decimal) -> str:
    return format_number(amount.normalize(), locale="vi")


def _rows(scenario: Scenario, user: AnyUser) -> QuerySet[Allocation]:
    rows = scenario.rows.all()
    return rows if reads_everything(user) else visible_to(rows, user)


def _by_agency(rows: QuerySet[Allocation]) -> list[dict[str, Any]]:
    return list(
        rows.values("org_unit_id", "unit_name")
        .annotate(asked=Sum("asked"), amount=Sum("amount"))
        .order_by("unit_name", "org_unit_id")
    )


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
            try:
                pool = do_create_pool(
                    actor=user,  # type: ignore[arg-type]
                    name=data["name"],
                    amount=data["amount"],
                    year=data["year"],
                    frameworks=list(data["frameworks"]),
                    programme=data["programme"],
                    unit_kinds=data["unit_kinds"],
                    fields=data["fields_text"],
                    statuses=data["statuses_text"],
                )
            except Refused as exc:
                form.add_error(exc.field or None, exc.message)
            else:
                messages.success(request, _("The pool is created."))
                return redirect("allocation_pool", pk=pool.pk)
    elif manages(user):
        form = PoolForm()
    pools = Pool.objects.select_related("programme").all()
    return render(
        request,
        "allocations/pools.html",
        {"pools": pools, "form": form, "manages": manages(user)},
    )


@authenticated
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pool = load_pool(user, pk)
    everything = reads_everything(user)
    found = proposals(pool, None if everything else user)
    scenarios = list(pool.scenarios.all())
    return render(
        request,
        "allocations/pool.html",
        {
            "pool": pool,
            "amount": format_dong(int(pool.amount)),
            "proposals": [
                {"p": p, "asked": format_dong(p.asked), "field": labels_field(p.field)}
                for p in found
            ],
            "asked": format_dong(sum(p.asked for p in found)),
            "scenarios": [{"s": s, "total": format_dong(int(s.total))} for s in scenarios],
            "manages": manages(user),
            "everything": everything,
            "frameworks": pool.frameworks.all(),
        },
    )


def labels_field(code: str) -> str:
    return code


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
            "spent": spent
            and {
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
            },
            "manages": manages(user),
            "everything": reads_everything(user),
            "approve_form": ApproveForm(),
            "others": pool.scenarios.exclude(pk=scenario.pk),
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


# --- exports ---------------------------------------------------------------------------------


def appendix_data(scenario: Scenario) -> AppendixData:
    rows = scenario.rows.all()
    return AppendixData(
        title=f"Phân bổ {scenario.pool.name} năm {scenario.pool.year}",
        issuer_name=ISSUER_NAME,
        issuer_code=ISSUER_CODE,
        decision_number=scenario.decision_number,
        decision_date=scenario.decision_date,
        rows=tuple(
            AppendixRow(r.unit_name, r.project_name, int(r.asked), int(r.amount), _vi_reason(r))
            for r in rows
        ),
    )


def _vi_reason(row: Allocation) -> str:
    from django.utils import translation

    with translation.override("vi"):
        return reason_text(row)


@authenticated
def scenario_appendix(request: HttpRequest, pk: int, scenario_id: int, fmt: str) -> HttpResponse:
    user = request.user
    require_central_reader(user)
    pool = load_pool(user, pk)
    scenario = load_scenario(user, pool, scenario_id)
    if fmt not in ("docx", "xlsx"):
        raise Http404
    data = appendix_data(scenario)
    name = f"phu-luc-phan-bo-{pool.year}-{scenario.pk}"
    if fmt == "docx":
        return attachment(write_appendix_docx(data), DOCX, f"{name}.docx")
    sheet = SheetTable(
        name="Phu luc",
        headers=(
            "TT",
            "Cơ quan, đơn vị",
            "Tên nhiệm vụ, dự án",
            "Kinh phí đề xuất (đồng)",
            "Kinh phí phân bổ (đồng)",
            "Căn cứ phân bổ",
        ),
        rows=tuple(
            (str(i), r.unit, r.project, r.asked, r.amount, r.reason)
            for i, r in enumerate(data.rows, start=1)
        ),
        lines_above=(f"Phụ lục {data.number}", data.title.upper(), data.note),
        widths=(6, 36, 50, 22, 22, 36),
    )
    return attachment(write_tables_xlsx(data.title, [sheet]), XLSX, f"{name}.xlsx")


# --- the total investment estimate -----------------------------------------------------------


@authenticated
def estimate(request: HttpRequest) -> HttpResponse:
    return _estimate(request, xlsx=False)


@authenticated
def estimate_xlsx(request: HttpRequest) -> HttpResponse:
    return _estimate(request, xlsx=True)


def _estimate(request: HttpRequest, *, xlsx: bool) -> HttpResponse:
    require_central_reader(request.user)
    form = EstimateForm(request.GET or None)
    frameworks = Framework.objects.filter(kind="plan").order_by("-created_at", "code")
    result: figures.Estimate | None = None
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if form.is_bound else {}
        framework = data.get("framework") or _default_framework()
        if framework is not None:
            start, end = _period(framework)
            result = figures.estimate(
                framework, data.get("year_from") or start, data.get("year_to") or end
            )
    if xlsx:
        if result is None:
            raise Http404
        return attachment(
            write_tables_xlsx("Ước tính tổng mức đầu tư", _estimate_sheets(result)),
            XLSX,
            f"uoc-tinh-dau-tu-{result.year_from}-{result.year_to}.xlsx",
        )
    return render(
        request,
        "allocations/estimate.html",
        {"form": form, "frameworks": frameworks, "result": result and _estimate_view(result)},
    )


def _default_framework() -> Framework | None:
    from govplan.facts.models import BudgetFact

    ids = (
        BudgetFact.objects.filter(document_kind="plan", collection__startswith="table:")
        .values("framework_version__framework")
        .distinct()
    )
    return Framework.objects.filter(pk__in=ids).order_by("-created_at", "-pk").first()


def _period(framework: Framework) -> tuple[int, int]:
    from govplan.facts.models import BudgetFact

    span = (
        BudgetFact.objects.filter(
            framework_version__framework=framework, document_kind="plan", year__gt=0
        )
        .values_list("period_start", "period_end")
        .first()
    )
    if span is None:
        today = dt.date.today().year
        return today, today
    return int(span[0]), int(span[1])


def _estimate_view(result: figures.Estimate) -> dict[str, Any]:
    years = range(result.year_from, result.year_to + 1)
    return {
        "e": result,
        "total": million(result.total),
        "years": [
            {
                "year": y,
                "total": million(result.by_year.get(y, Decimal(0))),
                "central": million(result.central(y)),
                "covered": format_dong(result.covered.get(y, 0)),
                "left": format_dong(result.left(y)),
            }
            for y in years
        ],
        "sources": [
            {"code": s, "label": labels.funding_source_title(None, s), "amount": million(a)}
            for s, a in result.by_source.items()
        ],
        "fields": [{"code": f or "—", "amount": million(a)} for f, a in result.by_field.items()],
    }


def _estimate_sheets(result: figures.Estimate) -> list[SheetTable]:
    years = range(result.year_from, result.year_to + 1)
    heading = (
        f"Ước tính tổng mức đầu tư {result.year_from}-{result.year_to}: {result.framework.title}",
    )
    return [
        SheetTable(
            name="Theo năm",
            headers=(
                "Năm",
                "Tổng mức đầu tư đề xuất (triệu đồng)",
                "Trong đó ngân sách trung ương (triệu đồng)",
                "Đã phân bổ từ nguồn kinh phí trung ương (đồng)",
                "Ngân sách trung ương còn thiếu (đồng)",
            ),
            rows=tuple(
                (
                    str(y),
                    result.by_year.get(y, Decimal(0)),
                    result.central(y),
                    result.covered.get(y, 0),
                    result.left(y),
                )
                for y in years
            ),
            lines_above=heading,
            widths=(8, 24, 24, 26, 26),
            whole=False,
        ),
        SheetTable(
            name="Theo nguồn vốn",
            headers=("Nguồn vốn", "Triệu đồng"),
            rows=tuple((s, a) for s, a in result.by_source.items()),
            lines_above=heading,
            widths=(30, 20),
            whole=False,
        ),
        SheetTable(
            name="Theo lĩnh vực",
            headers=("Lĩnh vực", "Triệu đồng"),
            rows=tuple((f or "—", a) for f, a in result.by_field.items()),
            lines_above=heading,
            widths=(30, 20),
            whole=False,
        ),
    ]
