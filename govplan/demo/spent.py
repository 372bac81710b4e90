"""The demo's results report: the Ministry of Finance's 2027 digital-transformation results
report (BC-CDS-2027-MAU, data/frameworks/bc-cds-2027-mau.yaml), written and submitted by its
editor through the normal save path. Its project table says what two of the ministry's
projects allocated by the demo pool spent in 2027, so the pool's approved scenario shows
spent and remaining (docs/programme.md); the ministry's third project is not in the report
and Hà Nội and Bắc Ninh have not reported. Created once; running again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings

from govplan.accounts.models import User
from govplan.allocations.models import Allocation, ScenarioStatus
from govplan.core.documents.cells import format_number
from govplan.core.documents.keys import Collection
from govplan.demo.allocations import POOL_NAME, PROJECTS, YEAR
from govplan.demo.documents import fill_for_demo
from govplan.documents.actions import do_add_entry, do_create_document
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import OrgUnit
from govplan.workflow import actions
from govplan.workflow.explanations import do_explain
from govplan.workflow.validation import validate

FRAMEWORK = "BC-CDS-2027-MAU"
UNIT = "govplan:BTC"
EDITOR = "taichinh.bientap"
# What the ministry reports it spent in 2027 (million VND) on two of its allocated projects:
# project, {(source, type): amount}, results.
SPENT: tuple[tuple[str, dict[tuple[str, str], str], str], ...] = (
    (
        PROJECTS[0][0],
        {
            ("central_budget", "capital"): "45.000,5",
            ("central_budget", "recurrent"): "1.250",
            ("other", "recurrent"): "300",
        },
        "Hoàn thành giai đoạn 1: kết nối 12 hệ thống thông tin của các đơn vị trong ngành.",
    ),
    (
        PROJECTS[1][0],
        {("central_budget", "capital"): "20.000"},
        "Hoàn thành thiết kế cơ sở, triển khai thu thập dữ liệu tại 5 đơn vị thí điểm.",
    ),
)


def _allocated(unit: OrgUnit) -> dict[str, Decimal]:
    """The demo pool's approved allocation of the unit's projects, in million VND."""
    rows = Allocation.objects.filter(
        scenario__pool__name=POOL_NAME,
        scenario__pool__year=YEAR,
        scenario__status=ScenarioStatus.APPROVED,
        org_unit=unit,
    )
    return {r.project_name: Decimal(int(r.amount)) / Decimal(1_000_000) for r in rows}


def _row(name: str, amounts: dict[tuple[str, str], str], result: str, allocated: Any) -> Any:
    cells = {"name": name, "result": result}
    if allocated is not None:
        # The table keeps thousand đồng: an allocation's odd đồng are rounded off here.
        cells["allocated"] = format_number(round(allocated, 3), locale="vi")
        cells["decision"] = "Quyết định phân bổ kinh phí ngân sách trung ương năm 2027"
    phasing = {f"{YEAR}|{source}|{kind}": v for (source, kind), v in amounts.items()}
    return {"cells": cells, "phasing": phasing}


def create_demo_results_report(
    user: Callable[[str], User], unit: Callable[[str], OrgUnit]
) -> Document | None:
    """The ministry's submitted results report; None when it exists already or the framework
    is not published."""
    version = FrameworkVersion.objects.filter(framework__code=FRAMEWORK, status="published").first()
    if version is None:
        return None
    ministry = unit(UNIT)
    if Document.objects.filter(org_unit=ministry, framework=version.framework).exists():
        return None
    editor = user(EDITOR)
    allocated = _allocated(ministry)
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        report = do_create_document(unit=ministry, version=version, actor=editor)
        fill_for_demo(report, actor=editor, except_tables=("projects",))
        for name, amounts, result in SPENT:
            do_add_entry(
                report,
                Collection.table("projects").container,
                _row(name, amounts, result, allocated.get(name)),
                actor=editor,
                locale="vi",
            )
        for finding in validate(report).warnings:
            do_explain(report, {finding.check_id: "Đơn vị đã rà soát số liệu."}, actor=editor)
        actions.do_transition(report, "submit", actor=editor)
    return report
