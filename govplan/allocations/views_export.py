"""The pool's exports: the approved allocation as the appendix table of a decision (DOCX,
XLSX), and the total investment estimate (page and XLSX), for the central authority."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from govplan.access.policies import authenticated
from govplan.allocations import figures
from govplan.allocations.access import load_pool, load_scenario, require_central_reader
from govplan.allocations.display import million, reason_text
from govplan.allocations.forms import EstimateForm
from govplan.allocations.issuer import issuing_ministry
from govplan.allocations.models import Allocation, Scenario
from govplan.core.adapters.appendix_docx import write_appendix_docx
from govplan.core.adapters.tables_xlsx import SheetTable, write_tables_xlsx
from govplan.core.allocation.appendix import AppendixData, AppendixRow, format_dong
from govplan.facts.models import BudgetFact
from govplan.frameworks import labels
from govplan.frameworks.models import Framework
from govplan.webutils.downloads import XLSX, attachment

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- exports ---------------------------------------------------------------------------------


def appendix_data(scenario: Scenario) -> AppendixData:
    rows = scenario.rows.all()
    if scenario.is_approved and scenario.issuer_name:
        issuer_name, issuer_code = scenario.issuer_name, scenario.issuer_code
    else:  # a draft, or approved before the issuer was kept: the ministry of the decision day
        issuer_name, issuer_code = issuing_ministry(scenario.decision_date or timezone.localdate())
    return AppendixData(
        title=f"Phân bổ {scenario.pool.name} năm {scenario.pool.year}",
        issuer_name=issuer_name,
        issuer_code=issuer_code,
        decision_number=scenario.decision_number,
        decision_date=scenario.decision_date,
        rows=tuple(
            AppendixRow(r.unit_name, r.project_name, int(r.asked), int(r.amount), _vi_reason(r))
            for r in rows
        ),
    )


def _vi_reason(row: Allocation) -> str:
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
    sheets = [sheet]
    if scenario.is_approved:
        sheets += spent_sheets(scenario, data.title)
    return attachment(write_tables_xlsx(data.title, sheets), XLSX, f"{name}.xlsx")


NOT_REPORTED = "chưa báo cáo"
NOT_IN_REPORT = "không có trong báo cáo"


def spent_sheets(scenario: Scenario, title: str) -> list[SheetTable]:
    """An approved scenario's spent and remaining (the page's figures): a project not
    reported is said so, never written as 0; the reported projects that match no allocation
    follow on a sheet of their own."""
    spent = figures.spending(scenario, list(scenario.rows.all()))
    heading = (
        f"Kinh phí đã chi và còn lại: {title}",
        f"Theo báo cáo kết quả năm {scenario.pool.year}: {spent.agencies_reported}/"
        f"{spent.agencies} cơ quan, đơn vị đã báo cáo.",
    )
    sheets = [
        SheetTable(
            name="Đã chi, còn lại",
            headers=(
                "TT",
                "Cơ quan, đơn vị",
                "Tên nhiệm vụ, dự án",
                "Kinh phí phân bổ (đồng)",
                "Đã chi (đồng)",
                "Còn lại (đồng)",
            ),
            rows=tuple(
                (
                    str(i),
                    s.row.unit_name,
                    s.row.project_name,
                    int(s.row.amount),
                    s.spent
                    if s.reported
                    else (NOT_IN_REPORT if s.agency_reported else NOT_REPORTED),
                    s.remaining,
                )
                for i, s in enumerate(spent.rows, start=1)
            ),
            lines_above=heading,
            widths=(6, 36, 50, 22, 22, 22),
        )
    ]
    if spent.unmatched:
        sheets.append(
            SheetTable(
                name="Báo cáo không khớp",
                headers=(
                    "Cơ quan, đơn vị",
                    "Tên nhiệm vụ, dự án trong báo cáo",
                    "Đã chi (đồng)",
                    "Ghi chú",
                ),
                rows=tuple(
                    (
                        u.unit_name,
                        u.project_name,
                        u.spent,
                        "Nhiều dự án được phân bổ trùng tên"
                        if u.ambiguous
                        else "Không khớp dự án được phân bổ",
                    )
                    for u in spent.unmatched
                ),
                lines_above=(
                    "Dự án trong báo cáo kết quả không khớp dự án được phân bổ (không tính vào "
                    "số đã chi)",
                ),
                widths=(36, 50, 22, 36),
            )
        )
    return sheets


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
    ids = (
        BudgetFact.objects.filter(document_kind="plan", collection__startswith="table:")
        .values("framework_version__framework")
        .distinct()
    )
    return Framework.objects.filter(pk__in=ids).order_by("-created_at", "-pk").first()


def _period(framework: Framework) -> tuple[int, int]:
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
