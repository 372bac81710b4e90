"""A small hand-made data set for the budget and target pages, built through the real do_*
actions: the 2024-2026 plans of the old Bắc Giang (merged into the new Bắc Ninh, province A,
on 1 July 2025) and of Hà Nội (province B), each with a project table phased by year and for
the whole period from two sources, quantified targets (one a ratio), both approved; and their
2024 reports with results against the targets (one without a figure, whose report value is
"no data"), approved too.

Amounts (million VND, capital unless said):
- Bắc Giang, "Cổng dữ liệu" (apps, continuing, field "Dữ liệu"): 2024 central 100,
  2025 central 50, 2025 provincial 25 recurrent; whole period provincial 200 → 375.
- Bắc Giang, "Mạng WAN" (infra, new, field "Hạ tầng"): 2024 provincial 40.5 → 40.5.
- Hà Nội, "Trung tâm điều hành" (apps, new, field "Đô thị thông minh"): 2024 central 1,000,
  2026 provincial 300; whole period central 700 → 2,000.
- Bắc Giang's live draft (after approval) adds 1,000,000 in a new row: only in "live".
Totals: Bắc Giang 415.5, Hà Nội 2,000, together 2,415.5.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from govplan.accounts.models import User
from govplan.core.documents.totals import WHOLE_PERIOD, phasing_key
from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
from govplan.documents.models import Document, Entry
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import OrgUnit
from govplan.workflow.actions import do_transition
from tests.conftest import BEFORE_REFORM, Cast, unit

PLAN = """
format: govplan/framework@1
code: TEST-MONEY-2024
kind: plan
title: Khung thử ngân sách và mục tiêu 2024-2026
period: {from: 2024, to: 2026}
issued_by: {number: 1/TEST, date: 2023-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting: {recipient: Bộ KH&CN, delivery: [system], frequency: multi_year, deadline: 2023-12-20}
funding_sources:
  - {code: central_budget, title: Ngân sách trung ương}
  - {code: provincial_budget, title: Ngân sách địa phương}
sections:
  - number: I
    title: MỤC TIÊU
    targets:
      indicators: [DVC.TRUC_TUYEN, DVC.HO_SO_TRUC_TUYEN]
  - number: II
    title: DANH MỤC
    tables:
      - code: projects
        title: Danh mục dự án
        columns:
          - {code: name, title: Tên, type: text, required: true, role: project_name}
          - {code: field, title: Lĩnh vực, type: text, role: application_field}
          - code: status
            title: Chuyển tiếp hay mới
            type: choice
            role: project_status
            choices: [{code: continuing, title: Chuyển tiếp}, {code: new, title: Mới}]
        groups:
          - {code: apps, number: I, title: Ứng dụng CNTT}
          - {code: infra, number: II, title: Hạ tầng}
        phasing:
          sources: [central_budget, provincial_budget]
          types: [capital, recurrent]
          whole_period: true
national:
  - {indicator: DVC.TRUC_TUYEN, option: TOAN_TRINH, minimum: 10, year: 2026, label: Tối thiểu}
  - {indicator: DVC.TRUC_TUYEN, option: TOAN_TRINH, value: 30, year: 2024, label: Cả nước 2024}
unit_targets:
  - units: ["gso-province:01"]
    indicator: DVC.TRUC_TUYEN
    option: TOAN_TRINH
    value: 40
    year: 2026
    label: Giao Hà Nội
"""

REPORT = """
format: govplan/framework@1
code: TEST-MONEY-BC-2024
kind: report
title: Báo cáo thử năm 2024
period: {from: 2024, to: 2024}
issued_by: {number: 2/TEST, date: 2024-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ KH&CN
  delivery: [system]
  frequency: annual
  cutoff: {from: 2023-12-15, to: 2024-12-14}
  deadline: 2024-12-20
sections:
  - number: I
    title: KẾT QUẢ
    target_results: true
  - number: II
    title: SỐ LIỆU
    indicators: [DVC.TRUC_TUYEN, DVC.HO_SO_TRUC_TUYEN]
"""


@dataclass
class MoneySet:
    bac_giang: OrgUnit  # the old province, merged into province A
    ha_noi: OrgUnit
    plan_bg: Document
    plan_hn: Document
    report_bg: Document
    report_hn: Document
    appraiser: User


def publish(text: str, cast: Cast) -> FrameworkVersion:
    draft = do_upload_framework(text, actor=cast.central_admin)
    return do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )


def approve(document: Document, agent: User, appraiser: User) -> None:
    for action, actor in (
        ("submit", agent),
        ("start_appraisal", appraiser),
        ("approve", appraiser),
    ):
        do_transition(document, action, actor=actor)


def project(
    document: Document,
    actor: User,
    name: str,
    group: str,
    field: str,
    status: str,
    amounts: dict[tuple[int, str, str], str],
) -> Entry:
    content: dict[str, Any] = {
        "group": group,
        "cells": {"name": name, "field": field, "status": status},
        "phasing": {phasing_key(y, s, t): v for (y, s, t), v in amounts.items()},
    }
    return do_add_entry(document, "row:projects", content, actor=actor, locale="vi")


def target(document: Document, actor: User, content: dict[str, Any]) -> Entry:
    return do_add_entry(document, "target:I", content, actor=actor, locale="vi")


def build(cast: Cast) -> MoneySet:
    bac_giang = unit("gso-province", "24", on=BEFORE_REFORM)
    assert bac_giang.valid_to is not None and bac_giang.valid_to < dt.date(2025, 7, 1)
    ha_noi = cast.province_b
    plan_version = publish(PLAN, cast)
    admin, editor_b, appraiser = cast.central_admin, cast.editor_b, cast.appraiser
    plan_bg = do_create_document(unit=bac_giang, version=plan_version, actor=admin)
    plan_hn = do_create_document(unit=ha_noi, version=plan_version, actor=editor_b)
    c, p = "central_budget", "provincial_budget"
    project(
        plan_bg,
        admin,
        "Cổng dữ liệu",
        "apps",
        "Dữ liệu",
        "continuing",
        {
            (2024, c, "capital"): "100",
            (2025, c, "capital"): "50",
            (2025, p, "recurrent"): "25",
            (WHOLE_PERIOD, p, "capital"): "200",
        },
    )
    project(plan_bg, admin, "Mạng WAN", "infra", "Hạ tầng", "new", {(2024, p, "capital"): "40,5"})
    project(
        plan_hn,
        editor_b,
        "Trung tâm điều hành",
        "apps",
        "Đô thị thông minh",
        "new",
        {
            (2024, c, "capital"): "1.000",
            (2026, p, "capital"): "300",
            (WHOLE_PERIOD, c, "capital"): "700",
        },
    )
    # Targets: a count by option with a baseline, a ratio, and one with no result figure.
    target(
        plan_bg,
        admin,
        {
            "indicator": "DVC.TRUC_TUYEN",
            "option": "TOAN_TRINH",
            "baseline": "10",
            "target": "40",
            "year": 2026,
        },
    )
    target(
        plan_bg,
        admin,
        {"indicator": "DVC.HO_SO_TRUC_TUYEN", "target_n": "60", "target_d": "100", "year": 2024},
    )
    target(
        plan_hn,
        editor_b,
        {"indicator": "DVC.TRUC_TUYEN", "option": "TOAN_TRINH", "target": "45", "year": 2026},
    )
    target(plan_hn, editor_b, {"indicator": "DVC.HO_SO_TRUC_TUYEN", "target": "80", "year": 2024})
    approve(plan_bg, admin, appraiser)
    approve(plan_hn, editor_b, appraiser)
    # Reopened after approval, a draft row only the live layer has.
    do_transition(plan_bg, "reopen", actor=admin, reason="Bổ sung dự án")
    project(plan_bg, admin, "Dự án nháp", "apps", "", "new", {(2026, c, "capital"): "1000000"})

    report_version = publish(REPORT, cast)
    report_bg = do_create_document(unit=bac_giang, version=report_version, actor=admin)
    report_hn = do_create_document(unit=ha_noi, version=report_version, actor=editor_b)
    results = _results(report_bg) | _results(report_hn)
    # Bắc Giang: 25 services fully online in 2024 (baseline 10, target 40 in 2026: half of
    # the way, with a third of the period gone: on track); the ratio 45 % of 60 % in 2024,
    # the target year (75 %: not achieved).
    save_result(report_bg, admin, results[(plan_bg.pk, "DVC.TRUC_TUYEN")], "25")
    save_result(report_bg, admin, results[(plan_bg.pk, "DVC.HO_SO_TRUC_TUYEN")], "45")
    # Hà Nội: no result figure for the services, the report's value says 9 in 2024 (9 of 45:
    # 20 %, below the third of the way: behind); the ratio target has no result and the
    # report's value is "no data".
    for document, actor, key, content in (
        (report_bg, admin, "value:DVC.TRUC_TUYEN", {"cells": {"TOAN_TRINH": "25"}}),
        (report_hn, editor_b, "value:DVC.TRUC_TUYEN", {"cells": {"TOAN_TRINH": "9"}}),
        (
            report_hn,
            editor_b,
            "value:DVC.HO_SO_TRUC_TUYEN",
            {"no_data": True, "no_data_reason": "Chưa thống kê"},
        ),
        (report_bg, admin, "value:DVC.HO_SO_TRUC_TUYEN", {"cells": {"": {"n": "45", "d": "100"}}}),
    ):
        do_save_entry(document, key, 0, content, actor=actor, locale="vi")
    approve(report_bg, admin, appraiser)
    approve(report_hn, editor_b, appraiser)
    return MoneySet(bac_giang, ha_noi, plan_bg, plan_hn, report_bg, report_hn, appraiser)


def _results(report: Document) -> dict[tuple[int, str], Entry]:
    return {
        (e.content["source"]["document"], e.content["source"]["indicator"]): e
        for e in Entry.objects.filter(document=report, kind="result")
    }


def save_result(report: Document, actor: User, entry: Entry, achieved: str) -> None:
    content = {"source": entry.content["source"], "achieved": achieved}
    do_save_entry(report, entry.key, entry.revision, content, actor=actor, locale="vi")
