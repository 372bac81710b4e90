"""Spent and remaining, end to end through the application's own actions.

The shipped example BC-CDS-2027-MAU (data/frameworks/bc-cds-2027-mau.yaml, published with the
other shipped frameworks) is the 2027 results report: its project table phases what each
project spent in 2027 by funding source and type. Hà Nội's editor writes its results report
through the normal save path and submits it; the scenario page, the pool page and the
appendix XLSX's second sheet show what was spent and what remains.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from govplan.allocations.actions import do_approve_scenario, do_save_scenario
from govplan.allocations.models import Allocation
from govplan.core.documents.totals import phasing_key
from govplan.demo.documents import fill_for_demo
from govplan.documents.actions import do_add_entry, do_create_document
from govplan.documents.content import ContentError
from govplan.documents.models import Entry
from govplan.frameworks.models import FrameworkVersion
from govplan.workflow import actions as workflow
from govplan.workflow.explanations import do_explain
from govplan.workflow.validation import validate
from tests.allocations.support import YEAR, pool_2027, project, submitted_plan
from tests.conftest import PASSWORD, Cast

pytestmark = pytest.mark.django_db

RULES = {"priorities": ["shared_platform", "investment_decided"]}
ALLOCATED_NAME = "Cổng dịch vụ công thành phố"
OTHER_NAME = "Nền tảng tích hợp dữ liệu tỉnh"
UNMATCHED_NAME = "Dự án không có trong phân bổ"
REPORT_FRAMEWORK = "BC-CDS-2027-MAU"


def report_version() -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__code=REPORT_FRAMEWORK, status="published")


def login(user: object) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def reported(
    document: object, editor: object, name: str, amounts: dict[tuple[str, str], str]
) -> None:
    content = {
        "cells": {"name": name, "result": "Đã triển khai."},
        "phasing": {phasing_key(YEAR, source, kind): v for (source, kind), v in amounts.items()},
    }
    do_add_entry(document, "row:projects", content, actor=editor, locale="vi")  # type: ignore[arg-type]


@pytest.fixture
def approved(cast: Cast):  # type: ignore[no-untyped-def]
    submitted_plan(cast.province_a, cast.editor_a, [project(OTHER_NAME, "3.000")])
    submitted_plan(cast.province_b, cast.editor_b, [project(ALLOCATED_NAME, "2.000,5")])
    pool = pool_2027(cast.central_admin, amount="4000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    do_approve_scenario(scenario, actor=cast.central_admin)
    return pool, scenario


def new_report(cast: Cast):  # type: ignore[no-untyped-def]
    """Province B's results report with its texts written, as an editor does (the demo's
    filler), and its project table empty."""
    report = do_create_document(unit=cast.province_b, version=report_version(), actor=cast.editor_b)
    fill_for_demo(report, actor=cast.editor_b, except_tables=("projects",))
    return report


def draft_report(cast: Cast):  # type: ignore[no-untyped-def]
    report = new_report(cast)
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
    other = by_name[OTHER_NAME]
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
    assert {x["s"].row.project_name for x in context["rows"]} == {OTHER_NAME}
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


def appendix_sheets(pool, scenario, user) -> dict[str, list[list[object]]]:  # type: ignore[no-untyped-def]
    response = login(user).get(reverse("allocation_appendix", args=[pool.pk, scenario.pk, "xlsx"]))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_the_shipped_report_gives_spent_and_remaining_in_the_appendix_xlsx(
    approved, cast: Cast
) -> None:  # type: ignore[no-untyped-def]
    pool, scenario = approved
    submit(draft_report(cast), cast)
    rows = {r.project_name: int(r.amount) for r in Allocation.objects.filter(scenario=scenario)}
    spent = 1_000_625_000

    sheets = appendix_sheets(pool, scenario, cast.appraiser)
    assert list(sheets)[:2] == ["Phu luc", "Đã chi, còn lại"]
    sheet = sheets["Đã chi, còn lại"]
    assert "1/2 cơ quan, đơn vị đã báo cáo" in str(sheet[1][0])
    body = {r[2]: r for r in sheet if r and str(r[0]).isdigit()}
    matched, other = body[ALLOCATED_NAME], body[OTHER_NAME]
    # Numbers as numbers, exact to the đồng.
    assert all(isinstance(x, int | float) for x in (matched[3], matched[4], matched[5]))
    assert (int(matched[3]), int(matched[4]), int(matched[5])) == (
        rows[ALLOCATED_NAME],
        spent,
        rows[ALLOCATED_NAME] - spent,
    )
    # Province A has not reported: said so, not 0; all of its allocation remains.
    assert other[4] == "chưa báo cáo" and int(other[5]) == rows[OTHER_NAME]
    [total] = [r for r in sheet if r and r[0] == "Tổng cộng"]
    assert (int(total[3]), int(total[4]), int(total[5])) == (
        4_000_000_000,
        spent,
        4_000_000_000 - spent,
    )
    # The reported project that matches no allocation, on its own sheet, not in the total.
    unmatched = sheets["Báo cáo không khớp"]
    assert [(r[1], int(r[2])) for r in unmatched if r and r[1] == UNMATCHED_NAME] == [
        (UNMATCHED_NAME, 7_000_000)
    ]

    # A draft scenario's appendix is the decision only.
    draft = do_save_scenario(pool, name="B", rules_data=RULES, actor=cast.central_admin)
    assert list(appendix_sheets(pool, draft, cast.appraiser)) == ["Phu luc"]


def test_the_pool_page_sums_up_the_approved_scenario(approved, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    pool, scenario = approved
    url = reverse("allocation_pool", args=[pool.pk])
    before = login(cast.central_admin).get(url).context["spent"]
    # Nobody has reported: nothing spent, everything remains, 0 of 2 agencies.
    assert (before["spent"], before["remaining"]) == ("0", "4.000.000.000")
    assert (before["agencies_reported"], before["agencies"]) == (0, 2)

    submit(draft_report(cast), cast)
    page = login(cast.central_admin).get(url)
    summary = page.context["spent"]
    assert (summary["allocated"], summary["spent"], summary["remaining"]) == (
        "4.000.000.000",
        "1.000.625.000",
        "2.999.375.000",
    )
    assert (summary["agencies_reported"], summary["agencies"]) == (1, 2)
    html = page.content.decode()
    section = text_of(
        html[
            html.index('id="pool-spent"') : html.index("</section>", html.index('id="pool-spent"'))
        ]
    )
    assert "1.000.625.000" in section and "2.999.375.000" in section
    assert scenario.name in section

    # An agency sees the summary of its own allocation only.
    own = login(cast.editor_a).get(url).context["spent"]
    assert (own["spent"], own["agencies_reported"], own["agencies"]) == ("0", 0, 1)


def test_an_agency_that_reported_without_a_project_is_told_apart_from_one_that_did_not(
    cast: Cast,
) -> None:
    """Province B reports, but not on its second allocated project: that project is "not in
    the report"; Province A has not reported at all: "not reported". Neither is shown as 0."""
    submitted_plan(cast.province_a, cast.editor_a, [project(OTHER_NAME, "1.000")])
    submitted_plan(
        cast.province_b,
        cast.editor_b,
        [project(ALLOCATED_NAME, "1.000"), project("Hệ thống một cửa điện tử", "1.000")],
    )
    pool = pool_2027(cast.central_admin, amount="3000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    do_approve_scenario(scenario, actor=cast.central_admin)
    submit(draft_report(cast), cast)
    page = login(cast.central_admin).get(
        reverse("allocation_scenario", args=[pool.pk, scenario.pk])
    )
    by_name = {x["s"].row.project_name: x["s"] for x in page.context["spent"]["rows"]}
    assert [
        (by_name[n].reported, by_name[n].agency_reported)
        for n in (ALLOCATED_NAME, "Hệ thống một cửa điện tử", OTHER_NAME)
    ] == [(True, True), (False, True), (False, False)]
    assert page.context["spent"]["agencies_reported"] == 1
    rows_html = page.content.decode()
    assert "chưa báo cáo" in rows_html  # Province A, as the page has always said
    sheet = appendix_sheets(pool, scenario, cast.appraiser)["Đã chi, còn lại"]
    shown = {r[2]: r[4] for r in sheet if r and str(r[0]).isdigit()}
    assert shown["Hệ thống một cửa điện tử"] == "không có trong báo cáo"
    assert shown[OTHER_NAME] == "chưa báo cáo"


@pytest.mark.parametrize("amount", ["-5", "−1.000", "100000000000000000000", "1e20", "NaN"])
def test_an_absurd_spent_amount_is_refused_by_the_report_and_the_pages_stay_up(
    approved, cast: Cast, amount: str
) -> None:  # type: ignore[no-untyped-def]
    pool, scenario = approved
    report = new_report(cast)
    key = phasing_key(YEAR, "central_budget", "capital")
    with pytest.raises(ContentError) as refused:
        reported(report, cast.editor_b, ALLOCATED_NAME, {("central_budget", "capital"): amount})
    assert f"phasing.{key}" in refused.value.errors  # type: ignore[attr-defined]
    # The same through the editor's page: refused with the cell named, nothing saved.
    client = login(cast.editor_b)
    response = client.post(
        reverse("document_entry_add", args=[report.pk]),
        data=json.dumps(
            {
                "container": "row:projects",
                "content": {"cells": {"name": ALLOCATED_NAME}, "phasing": {key: amount}},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400 and f"phasing.{key}" in response.content.decode()
    assert not Entry.objects.filter(document=report, deleted=False, key__startswith="row:").exists()
    # A valid figure is taken; the pages read it as ever.
    reported(report, cast.editor_b, ALLOCATED_NAME, {("central_budget", "capital"): "5"})
    submit(report, cast)
    for url in (
        reverse("allocation_scenario", args=[pool.pk, scenario.pk]),
        reverse("allocation_pool", args=[pool.pk]),
    ):
        page = login(cast.central_admin).get(url)
        assert page.status_code == 200 and page.context["spent"]["spent"] == "5.000.000"


def test_of_the_shipped_reports_only_the_2027_one_can_say_what_was_spent() -> None:
    """The figures read a report whose project table phases central budget: the 2027 example
    does; the 2017 report and the 2008 task report have no such table."""
    from govplan.allocations.figures import carries_spending

    carrying = {
        v.framework.code
        for v in FrameworkVersion.objects.filter(status="published", framework__kind="report")
        if carries_spending(v)
    }
    assert carrying == {REPORT_FRAMEWORK}
    table = report_version().parsed().table("projects")
    assert table is not None and table.phasing is not None
    assert table.phasing.sources[0] == "central_budget"
    assert [c.code for c in table.columns] == ["name", "decision", "allocated", "result"]
