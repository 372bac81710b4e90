"""Spent and remaining, end to end through the application's own actions.

No shipped report framework carries a project table with central-budget phasing for 2027
(BC-UDCNTT-2017 and BC-NHIEMVU-2008 are of 2017 and 2008 and have no phasing), so the
central authority uploads and publishes one here, as it would through the framework pages;
Hà Nội's editor writes its results report through the normal save path and submits it.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from govplan.allocations.actions import do_approve_scenario, do_save_scenario
from govplan.allocations.models import Allocation
from govplan.core.documents.totals import phasing_key
from govplan.documents.actions import do_add_entry, do_create_document
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.workflow import actions as workflow
from govplan.workflow.explanations import do_explain
from govplan.workflow.validation import validate
from tests.allocations.support import YEAR, pool_2027, project, submitted_plan
from tests.conftest import PASSWORD, Cast

pytestmark = pytest.mark.django_db

RULES = {"priorities": ["shared_platform", "investment_decided"]}
ALLOCATED_NAME = "Cổng dịch vụ công thành phố"
UNMATCHED_NAME = "Dự án không có trong phân bổ"

REPORT = """
format: govplan/framework@1
code: TEST-BC-KQ-2027
kind: report
title: Báo cáo thử kết quả thực hiện năm 2027
period: {from: 2027, to: 2027}
issued_by: {number: 3/TEST, date: 2027-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ KH&CN
  delivery: [system]
  frequency: annual
  cutoff: {from: 2026-12-15, to: 2027-12-14}
  deadline: 2027-12-20
funding_sources:
  - {code: central_budget, title: Ngân sách trung ương}
  - {code: provincial_budget, title: Ngân sách địa phương}
sections:
  - number: I
    title: KẾT QUẢ THỰC HIỆN CÁC DỰ ÁN
    tables:
      - code: projects
        title: Kinh phí đã thực hiện của các dự án
        columns:
          - {code: name, title: Tên dự án, type: text, required: true, role: project_name}
        phasing:
          sources: [central_budget, provincial_budget]
          types: [capital, recurrent]
"""


def login(user: object) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def reported(
    document: object, editor: object, name: str, amounts: dict[tuple[str, str], str]
) -> None:
    content = {
        "cells": {"name": name},
        "phasing": {phasing_key(YEAR, source, kind): v for (source, kind), v in amounts.items()},
    }
    do_add_entry(document, "row:projects", content, actor=editor, locale="vi")  # type: ignore[arg-type]


@pytest.fixture
def approved(cast: Cast):  # type: ignore[no-untyped-def]
    submitted_plan(
        cast.province_a, cast.editor_a, [project("Nền tảng tích hợp dữ liệu tỉnh", "3.000")]
    )
    submitted_plan(cast.province_b, cast.editor_b, [project(ALLOCATED_NAME, "2.000,5")])
    pool = pool_2027(cast.central_admin, amount="4000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    do_approve_scenario(scenario, actor=cast.central_admin)
    return pool, scenario


def draft_report(cast: Cast):  # type: ignore[no-untyped-def]
    draft = do_upload_framework(REPORT, actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    report = do_create_document(unit=cast.province_b, version=version, actor=cast.editor_b)
    assert report.kind == "report" and report.period_start == YEAR
    # The same project, differently cased and spaced: central budget, capital and recurrent
    # (both count), plus provincial budget (does not count).
    reported(
        report,
        cast.editor_b,
        "  cổng DỊCH VỤ công   thành PHỐ ",
        {
            ("central_budget", "capital"): "1.000,5",
            ("central_budget", "recurrent"): "0,125",
            ("provincial_budget", "capital"): "999",
        },
    )
    reported(report, cast.editor_b, UNMATCHED_NAME, {("central_budget", "capital"): "7"})
    return report


def submit(report, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    for finding in validate(report).warnings:
        do_explain(report, {finding.check_id: "Đã rà soát."}, actor=cast.editor_b)
    workflow.do_transition(report, "submit", actor=cast.editor_b)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_submitted_report_gives_spent_and_remaining_in_dong(approved, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pool, scenario = approved
    row = Allocation.objects.get(scenario=scenario, project_name=ALLOCATED_NAME)
    allocated = int(row.amount)
    assert allocated > 0
    spent = 1_000_500_000 + 125_000  # 1.000,5 + 0,125 million VND of central budget

    # A draft report is not what the agency reported yet.
    report = draft_report(cast)
    draft_page = login(cast.central_admin).get(
        reverse("allocation_scenario", args=[pool.pk, scenario.pk])
    )
    assert draft_page.context["spent"]["spent"] == "0"

    submit(report, cast)
    url = reverse("allocation_scenario", args=[pool.pk, scenario.pk])
    for user in (cast.editor_b, cast.central_admin):  # the agency, then everything
        page = login(user).get(url)
        assert page.status_code == 200
        context = page.context["spent"]
        by_name = {x["s"].row.project_name: x for x in context["rows"]}
        matched = by_name[ALLOCATED_NAME]
        assert matched["s"].reported
        assert matched["s"].spent == spent
        assert matched["s"].remaining == allocated - spent
        assert matched["spent"] == "1.000.625.000"
        assert context["spent"] == "1.000.625.000"
        assert [(u["u"].project_name, u["u"].spent) for u in context["unmatched"]] == [
            (UNMATCHED_NAME, 7_000_000)
        ]
        # What the page shows, as text.
        html = page.content.decode()
        section = text_of(
            html[html.index('id="spent"') : html.index("</section>", html.index('id="spent"'))]
        )
        assert "1.000.625.000" in section
        assert matched["remaining"] in section
        assert f"{UNMATCHED_NAME} (7.000.000" in section

    shown = format(allocated - spent, ",").replace(",", ".")
    assert by_name[ALLOCATED_NAME]["remaining"] == shown
    # Province A reported nothing: all its allocation remains, shown as not reported.
    other = by_name["Nền tảng tích hợp dữ liệu tỉnh"]
    assert not other["s"].reported and other["s"].remaining == int(other["s"].row.amount)
    assert context["remaining"] == format(int(pool.amount) - spent, ",").replace(
        ",", "."
    )  # the whole pool was allocated


def test_an_agency_sees_only_its_own_spent_rows(approved, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pool, scenario = approved
    submit(draft_report(cast), cast)
    page = login(cast.editor_a).get(reverse("allocation_scenario", args=[pool.pk, scenario.pk]))
    assert page.status_code == 200
    context = page.context["spent"]
    assert {x["s"].row.project_name for x in context["rows"]} == {"Nền tảng tích hợp dữ liệu tỉnh"}
    assert context["unmatched"] == [] and context["spent"] == "0"
    assert UNMATCHED_NAME not in page.content.decode()


def test_a_name_two_allocated_projects_share_is_not_counted_twice(cast: Cast) -> None:
    """An agency's plan may list two projects of the same name (e.g. in two groups): the
    report cannot say which one it spent on, so neither is guessed and the figure is not
    counted twice; it is listed with the reason."""
    submitted_plan(
        cast.province_b,
        cast.editor_b,
        [project(ALLOCATED_NAME, "1.000"), project(ALLOCATED_NAME.upper(), "500")],
    )
    pool = pool_2027(cast.central_admin, amount="1500000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    do_approve_scenario(scenario, actor=cast.central_admin)
    submit(draft_report(cast), cast)
    page = login(cast.central_admin).get(
        reverse("allocation_scenario", args=[pool.pk, scenario.pk])
    )
    context = page.context["spent"]
    assert [x["s"].reported for x in context["rows"]] == [False, False]
    assert context["spent"] == "0" and context["remaining"] == "1.500.000.000"
    assert [
        (u["u"].project_name, u["u"].spent, u["u"].ambiguous) for u in context["unmatched"]
    ] == [
        ("cổng DỊCH VỤ công   thành PHỐ", 1_000_625_000, True),
        (UNMATCHED_NAME, 7_000_000, False),
    ]
    assert "nhiều dự án được phân bổ trùng tên" in page.content.decode()
