"""Joint appraisal in a real browser: the central appraiser asks a ministry for its opinion on
a province's plan under appraisal; the ministry's editor, told by a notification, reads the
plan as submitted (and nothing else of it) and answers; the appraiser sees the opinion, and
approves with it before them; the approval records it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from govplan.accounts.models import Membership, Role, User
from govplan.documents.models import Document
from govplan.workflow import actions
from govplan.workflow.models import OpinionRequest, RecordedOpinions
from tests.browser.conftest import PASSWORD
from tests.browser.test_appraisal import province_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Đề nghị Bộ cho ý kiến về tính khả thi của giải pháp nâng cấp mạng LAN."


@pytest.fixture
def plan_under_appraisal() -> Document:
    """The province's plan, submitted and under the central appraiser's appraisal; the
    ministry at the top of the slice has an editor."""
    document, nation = province_draft("80")
    ministry_editor = User.objects.create_user(
        "bo.bientap", password=PASSWORD, full_name="Phạm Văn Bộ"
    )
    Membership.objects.create(user=ministry_editor, org_unit=nation.ministry, role=Role.EDITOR)
    editor = User.objects.get(username="bacninh.bientap")
    appraiser = User.objects.get(username="cds.thamdinh")
    actions.do_transition(document, "submit", actor=editor)
    actions.do_transition(document, "start_appraisal", actor=appraiser)
    return Document.objects.get(pk=document.pk)


def test_ask_answer_and_approve_with_the_opinion(
    plan_under_appraisal: Document, desks: Callable[[str], Page], live_server: Any
) -> None:
    document = plan_under_appraisal
    base = live_server.url
    deadline = dt.date.today() + dt.timedelta(days=10)

    # The appraiser asks the ministry.
    appraiser = desks("cds.thamdinh")
    appraiser.goto(f"{base}/documents/{document.pk}/")
    appraiser.locator("#opinions").get_by_role("link", name="Xin ý kiến cơ quan khác").click()
    agency = appraiser.get_by_label("Cơ quan được xin ý kiến")
    agency.select_option(label="Bộ Khoa học và Công nghệ")
    appraiser.get_by_label("Nội dung đề nghị cho ý kiến").fill(QUESTION)
    appraiser.get_by_label("Thời hạn gửi ý kiến").fill(deadline.isoformat())
    appraiser.get_by_role("button", name="Gửi đề nghị").click()
    opinions = appraiser.locator("#opinions")
    expect(opinions).to_contain_text("Bộ Khoa học và Công nghệ")
    expect(opinions).to_contain_text("đang chờ")
    expect(opinions).to_contain_text(deadline.strftime("%d/%m/%Y"))

    # The ministry's editor follows the notification to the request, and nowhere else.
    ministry = desks("bo.bientap")
    ministry.goto(f"{base}/notifications/")
    ministry.get_by_role("link", name="cho ý kiến").first.click()
    expect(ministry.locator("main")).to_contain_text(QUESTION)
    expect(ministry.locator(".frozen-revision")).to_contain_text("Nâng cấp mạng LAN")
    ministry.get_by_label("Đồng ý có điều kiện").check()
    ministry.get_by_label("Ý kiến của cơ quan").fill("Đồng ý, đề nghị bổ sung dự toán chi tiết.")
    ministry.get_by_role("button", name="Gửi ý kiến").click()
    expect(ministry.locator("#answer")).to_contain_text("Ý kiến đã gửi")
    expect(ministry.get_by_role("button", name="Gửi ý kiến")).to_have_count(0)
    response = ministry.goto(f"{base}/documents/{document.pk}/")
    assert response is not None and response.status == 404

    # The appraiser sees the opinion, opens the approval and approves with it in view.
    appraiser.goto(f"{base}/documents/{document.pk}/")
    expect(appraiser.locator("#opinions")).to_contain_text("đã nhận")
    appraiser.locator("#workflow").get_by_role("link", name="Phê duyệt").click()
    expect(appraiser.locator("main")).to_contain_text("bổ sung dự toán chi tiết")
    expect(appraiser.locator("main")).to_contain_text("Đồng ý có điều kiện")
    appraiser.locator("main").get_by_role("button", name="Phê duyệt").click()
    expect(appraiser.locator(".message").first).to_contain_text("Đã phê duyệt")

    assert Document.objects.get(pk=document.pk).status == "approved"
    (entry,) = RecordedOpinions.objects.get(document=document).opinions
    assert entry["kind"] == "conditions" and "dự toán chi tiết" in entry["answer"]
    assert OpinionRequest.objects.get(document=document).answered_by.username == "bo.bientap"  # type: ignore[union-attr]
