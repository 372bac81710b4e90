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
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.models import Document
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.workflow import actions
from govplan.workflow.models import OpinionRequest, RecordedOpinions
from tests.browser.conftest import PASSWORD
from tests.browser.test_appraisal import FRAMEWORK
from tests.support.nation import emptied_slice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Đề nghị Bộ cho ý kiến về tính khả thi của giải pháp nâng cấp mạng LAN."


@pytest.fixture
def plan_under_appraisal() -> Document:
    """The province's plan, submitted and under the central appraiser's appraisal; the
    ministry at the top of the slice has an editor."""
    nation = emptied_slice()
    central, province = nation.central, nation.province
    admin = User.objects.create_user("cds.quantri", password=PASSWORD, full_name="Quản trị")
    Membership.objects.create(user=admin, org_unit=central, role=Role.CENTRAL_ADMIN)
    editor = User.objects.create_user("bacninh.bientap", password=PASSWORD, full_name="Lê Thu")
    Membership.objects.create(user=editor, org_unit=province, role=Role.EDITOR)
    appraiser = User.objects.create_user(
        "cds.thamdinh", password=PASSWORD, full_name="Trần Minh Thẩm"
    )
    Membership.objects.create(user=appraiser, org_unit=central, role=Role.APPRAISER)
    ministry_editor = User.objects.create_user(
        "bo.bientap", password=PASSWORD, full_name="Phạm Văn Bộ"
    )
    Membership.objects.create(user=ministry_editor, org_unit=nation.ministry, role=Role.EDITOR)
    draft = do_upload_framework(FRAMEWORK, actor=admin)
    version = do_publish(
        draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    document = do_create_document(unit=province, version=version, actor=editor)
    for key, content in (
        ("narrative:I", {"html": "<p>Toàn tỉnh có 120 dịch vụ công trực tuyến.</p>"}),
        ("narrative:II", {"html": "<p>Nâng cấp mạng LAN cho các sở trong năm 2027.</p>"}),
        ("value:DVC.TONG_SO", {"cells": {"": "1.250"}}),
        ("value:HT.LAN", {"cells": {"": {"n": "80", "d": "100"}}}),
    ):
        do_save_entry(document, key, 0, content, actor=editor, locale="vi")
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
