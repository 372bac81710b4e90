"""The whole appraisal cycle in a real browser, two people at two desks.

The province's editor checks the plan, explains the one warning and submits; the central
authority's appraiser starts the appraisal, writes two comments and returns the plan; the
editor answers both comments, fixes the text and resubmits; the appraiser approves; the
revision comparison shows exactly the change that was made."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from govplan.accounts.models import Membership, Role, User
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.models import Document
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.workflow.models import Comment, DocumentRevision, WarningExplanation
from tests.browser.conftest import PASSWORD
from tests.support.nation import Slice, emptied_slice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("test-results")

FRAMEWORK = """
format: govplan/framework@1
code: TEST-THAMDINH-2027
kind: plan
title: Kế hoạch ứng dụng CNTT năm 2027 (thử thẩm định)
period: {from: 2027, to: 2027}
issued_by: {number: 9/TEST, date: 2026-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2099-12-20
sections:
  - number: I
    title: HIỆN TRẠNG
    narrative: true
    indicators: [DVC.TONG_SO, HT.LAN]
  - number: II
    title: GIẢI PHÁP
    narrative: true
rules:
  - code: R-LAN
    check: "#{HT.LAN} >= 50"
    message: Tỷ lệ cơ quan có mạng LAN thấp hơn 50%.
    importance: warning
"""


def province_draft(lan_share: str) -> tuple[Document, Slice]:
    """An emptied database with the central authority (its administrator cds.quantri and
    appraiser cds.thamdinh), one province, its editor bacninh.bientap, and the province's
    filled-in draft: ``lan_share`` of 100 agencies with a LAN (below 50 draws a warning)."""
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
    draft = do_upload_framework(FRAMEWORK, actor=admin)
    version = do_publish(
        draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    document = do_create_document(unit=province, version=version, actor=editor)
    for key, content in (
        ("narrative:I", {"html": "<p>Toàn tỉnh có 120 dịch vụ công trực tuyến.</p>"}),
        ("narrative:II", {"html": "<p>Nâng cấp mạng LAN cho các sở trong năm 2027.</p>"}),
        ("value:DVC.TONG_SO", {"cells": {"": "1.250"}}),
        ("value:HT.LAN", {"cells": {"": {"n": lan_share, "d": "100"}}}),
    ):
        do_save_entry(document, key, 0, content, actor=editor, locale="vi")
    return document, nation


@pytest.fixture
def plan_in_draft() -> Document:
    """The province's draft whose LAN share (30 %) draws a warning."""
    return province_draft("30")[0]


def test_submit_return_fix_resubmit_approve_and_compare(
    desks: Callable[[str], Page], live_server: Any, plan_in_draft: Document
) -> None:
    SHOTS.mkdir(exist_ok=True)
    document = plan_in_draft
    url = live_server.url
    editor = desks("bacninh.bientap")
    appraiser = desks("cds.thamdinh")

    # The editor checks: one warning, which blocks until explained; then submits.
    editor.goto(f"{url}/documents/{document.pk}/")
    editor.locator("#workflow").get_by_role("link", name="Kiểm tra", exact=True).click()
    finding = editor.locator(".finding-warning")
    expect(finding).to_have_count(1)
    expect(finding).to_contain_text("Tỷ lệ cơ quan có mạng LAN thấp hơn 50%.")
    expect(editor.get_by_role("button", name="Gửi thẩm định")).to_have_count(0)
    # The finding's link opens the document with the warning marked on the value itself.
    finding.get_by_role("link").click()
    lan = editor.locator("tr[data-key='value:HT.LAN']")
    expect(lan).to_have_class(re.compile("flag-warning"))
    expect(lan).to_be_in_viewport()
    expect(lan.locator(".finding-note")).to_have_text(
        "Tỷ lệ cơ quan có mạng LAN thấp hơn 50%. (HT.LAN = 30)"
    )
    listed = editor.locator("section[data-section='I'] .section-findings")
    expect(listed).to_contain_text("Tỷ lệ cơ quan có mạng LAN thấp hơn 50%.")
    expect(editor.locator("#check-summary")).to_contain_text("0 lỗi cần sửa, 1 cảnh báo")
    editor.screenshot(path=str(SHOTS / "workflow-marked.png"), full_page=False)
    editor.locator("#workflow").get_by_role("link", name="Kiểm tra", exact=True).click()
    finding.get_by_role("textbox").fill("Đang lắp mạng LAN cho 70 xã mới, xong trong quý II.")
    editor.screenshot(path=str(SHOTS / "workflow-check.png"), full_page=True)
    editor.get_by_role("button", name="Lưu giải trình").click()
    editor.get_by_role("button", name="Gửi thẩm định").click()
    expect(editor.locator("#workflow .badge").first).to_have_text("Đã gửi")
    assert WarningExplanation.objects.get(document=document).text.startswith("Đang lắp")
    # While it is with the appraiser the text cannot be edited.
    locked = editor.locator("section[data-section='II'] .rte")
    expect(locked).to_have_attribute("aria-readonly", "true")
    expect(locked).not_to_have_attribute("contenteditable", "true")
    expect(editor.locator("section[data-section='II'] .rte-toolbar")).to_have_count(0)

    # The appraiser finds it in the queue, starts, comments twice and returns it.
    appraiser.goto(f"{url}/")
    expect(
        appraiser.get_by_role("heading", name="1 kế hoạch, báo cáo đang chờ thẩm định")
    ).to_be_visible()
    appraiser.get_by_role("link", name="Tất cả kế hoạch, báo cáo cần thẩm định").click()
    appraiser.get_by_role("link", name="Kế hoạch ứng dụng CNTT năm 2027").first.click()
    appraiser.locator("#workflow").get_by_role("button", name="Bắt đầu thẩm định").click()
    expect(appraiser.locator("#workflow .badge").first).to_have_text("Đang thẩm định")
    for section, text in (
        ("I", "Đề nghị nêu rõ số dịch vụ công toàn trình."),
        ("II", "Cần ghi thời gian hoàn thành nâng cấp mạng LAN."),
    ):
        block = appraiser.locator(f"section[data-section='{section}'] .comment-form")
        block.get_by_role("textbox").fill(text)
        block.get_by_role("button", name="Thêm ý kiến").click()
        expect(appraiser.locator(".review-comment", has_text=text)).to_be_visible()
    panel = appraiser.locator("#workflow")
    appraiser.screenshot(path=str(SHOTS / "workflow-appraiser.png"), full_page=True)
    panel.locator("summary", has_text="Trả lại để chỉnh sửa").click()
    expect(panel).to_contain_text("2 ý kiến chưa giải quyết được gửi kèm")
    panel.get_by_label("Lý do").fill("Bổ sung theo các góp ý.")
    panel.get_by_role("button", name="Trả lại để chỉnh sửa").click()
    assert Document.objects.get(pk=document.pk).status == "returned"

    # The editor sees both comments where they belong, answers them, fixes the text.
    editor.goto(f"{url}/documents/{document.pk}/")
    expect(editor.locator("#workflow .badge").first).to_have_text("Đã trả lại để chỉnh sửa")
    expect(editor.locator(".review-comment")).to_have_count(2)
    first = editor.locator("section[data-section='I'] .review-comment")
    first.get_by_role("textbox").fill("Đã bổ sung: 80 dịch vụ toàn trình.")
    first.get_by_role("button", name="Trả lời").click()
    second = editor.locator("section[data-section='II'] .review-comment")
    second.get_by_role("textbox").fill("Đã ghi thời hạn quý II.")
    second.get_by_role("button", name="Trả lời").click()
    expect(editor.locator(".review-comment .reply")).to_have_count(2)
    text = editor.locator("section[data-section='II'] .rte")
    text.click()
    editor.keyboard.press("End")
    editor.keyboard.type(" Hoàn thành trong quý II.")
    expect(editor.locator("#save-status")).to_contain_text("Đã lưu", timeout=15000)
    editor.wait_for_function(
        "() => !document.querySelector('.entry.dirty, .entry.saving')", timeout=15000
    )
    editor.screenshot(path=str(SHOTS / "workflow-returned.png"), full_page=True)
    # Checking on the page: the warning stands, explained, so nothing blocks.
    editor.get_by_role("button", name="Kiểm tra ngay").click()
    expect(editor.locator("tr[data-key='value:HT.LAN']")).to_have_class(re.compile("flag-warning"))
    expect(editor.locator("#check-summary")).to_have_class(re.compile("is-clear"))
    editor.locator("#workflow").get_by_role("link", name="Kiểm tra", exact=True).click()
    editor.get_by_role("button", name="Gửi lại").click()
    expect(editor.locator("#workflow .badge").first).to_have_text("Đã gửi")
    assert [r.number for r in DocumentRevision.objects.filter(document=document)] == [2, 1]

    # The appraiser reads the answers, resolves the comments and approves.
    appraiser.goto(f"{url}/documents/{document.pk}/")
    appraiser.locator("#workflow").get_by_role("button", name="Bắt đầu thẩm định").click()
    expect(appraiser.locator(".review-comment .reply")).to_have_count(2)
    for _ in range(2):
        appraiser.get_by_role("button", name="Đánh dấu đã giải quyết").first.click()
    expect(appraiser.locator(".review-comment.resolved")).to_have_count(2)
    appraiser.locator("#workflow").get_by_role("button", name="Phê duyệt").click()
    assert Document.objects.get(pk=document.pk).status == "approved"
    assert not Comment.objects.filter(document=document, resolved=False).exists()

    # The comparison of the two submissions shows the one sentence added, nothing else.
    editor.goto(f"{url}/documents/{document.pk}/revisions/")
    expect(editor.locator("tbody tr")).to_have_count(2)
    editor.get_by_role("button", name="So sánh").click()
    comparison = editor.locator(".comparison")
    expect(comparison.locator("h3")).to_have_count(1)
    expect(comparison.locator("h3")).to_contain_text("II")
    expect(comparison.locator("ins")).to_have_text("Hoàn thành trong quý II.")
    expect(comparison.locator("del")).to_have_count(0)
    expect(comparison.locator("tbody tr")).to_have_count(0)
    editor.screenshot(path=str(SHOTS / "workflow-compare.png"), full_page=True)
    editor.goto(f"{url}/documents/{document.pk}/")
    expect(editor.locator("#workflow .badge").first).to_have_text("Đã phê duyệt")


def test_a_batch_export_shows_its_progress_and_offers_the_zip(
    desks: Callable[[str], Page],
    live_server: Any,
    plan_in_draft: Document,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The export waits for a worker; the page follows it without a reload by hand and
    offers the ZIP when the worker is done."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    admin = desks("cds.quantri")
    version = plan_in_draft.framework_version
    admin.goto(f"{live_server.url}/frameworks/{version.framework.code}/v{version.number}/")
    export = admin.locator("form[action$='/export/']")
    export.get_by_label("Kế hoạch, báo cáo").select_option(label="Mọi trạng thái")
    export.get_by_label("PDF").uncheck()
    export.get_by_role("button", name="Xuất thành tệp ZIP").click()
    expect(admin.locator("#export-state")).to_have_text("Đang chờ")
    expect(admin.locator("#export-count")).to_have_text("0/1 văn bản")

    # A worker takes the job up (here in the test's thread, as `manage.py db_worker` would).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    download = admin.get_by_role("link", name=re.compile(r"Tải xuống .*\.zip"))
    expect(download).to_be_visible(timeout=15_000)
    expect(admin.locator("#export-state")).to_have_text("Đã xong")
    with admin.expect_download() as info:
        download.click()
    archive = info.value.path()
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
    assert any(n.endswith("/ke-hoach.docx") for n in names)
    assert "bang-bieu.xlsx" in names
