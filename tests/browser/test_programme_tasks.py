"""A task from assignment to confirmed completion in a real browser: the central
administrator assigns it to the province, the province's editor reports progress with a
file, then declares it completed; the administrator confirms, then reopens it (confirmed by
mistake). The status shown changes at each step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from govplan.accounts.models import Membership, Role, User
from govplan.programmes.actions import do_save_programme
from govplan.programmes.models import Programme, Task, TaskProgress
from tests.browser.conftest import PASSWORD
from tests.support.hostile_files import clean_pdf
from tests.support.nation import emptied_slice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date.today()


@pytest.fixture
def programme() -> Programme:
    nation = emptied_slice()
    admin = User.objects.create_user("cds.quantri", password=PASSWORD, full_name="Quản trị")
    Membership.objects.create(user=admin, org_unit=nation.central, role=Role.CENTRAL_ADMIN)
    editor = User.objects.create_user("bacninh.bientap", password=PASSWORD, full_name="Lê Thu")
    Membership.objects.create(user=editor, org_unit=nation.province, role=Role.EDITOR)
    return do_save_programme(
        None,
        {
            "code": "CT-CDS",
            "name": "Chương trình chuyển đổi số",
            "name_en": "",
            "period_start": TODAY.year,
            "period_end": TODAY.year + 2,
            "basis_number": "749/QĐ-TTg",
            "basis_date": TODAY - dt.timedelta(days=60),
            "basis_title": "Quyết định phê duyệt Chương trình",
            "assigning_unit": nation.central,
            "description": "",
        },
        actor=admin,
    )


def test_assign_report_declare_and_confirm(
    desks: Callable[[str], Page], live_server: Any, programme: Programme, tmp_path: Path
) -> None:
    url = live_server.url
    admin = desks("cds.quantri")
    # The administrator assigns the task to the province: first without a lead agency.
    admin.goto(f"{url}/programmes/{programme.pk}/")
    admin.get_by_role("link", name="Thêm nhiệm vụ").click()
    admin.locator("#id_code").fill("1")
    admin.locator("#id_content").fill("Xây dựng nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh")
    admin.locator("#id_source_document").fill("749/QĐ-TTg")
    admin.locator("#id_assigned_on").fill((TODAY - dt.timedelta(days=30)).isoformat())
    admin.locator("#id_deadline").fill(f"Quý IV/{TODAY.year + 1}")
    admin.get_by_role("button", name="Lưu").click()
    expect(admin.locator("#id_lead_unit_errors")).to_contain_text("cơ quan chủ trì")
    assert not Task.objects.exists()
    admin.locator("#id_lead_unit").select_option(label="Tỉnh Bắc Ninh (24)")
    admin.get_by_role("button", name="Lưu").click()
    expect(admin.locator("#task-status")).to_have_attribute("data-status", "not_started")
    expect(admin.locator("#task-deadline")).to_contain_text(f"Quý IV/{TODAY.year + 1}")
    task = Task.objects.get()

    # The province's editor finds it from the home page and reports progress with a file.
    editor = desks("bacninh.bientap")
    editor.get_by_role("link", name="Nhiệm vụ được giao").first.click()
    editor.get_by_role("link", name="1", exact=True).click()
    expect(editor.locator("#task-status")).to_have_attribute("data-status", "not_started")
    evidence = tmp_path / "bien-ban-khao-sat.pdf"
    evidence.write_bytes(clean_pdf())
    editor.locator("#id_p-reported_on").fill(TODAY.isoformat())
    editor.locator("#id_p-text").fill("Đã hoàn thành khảo sát hiện trạng tại 12 sở, ngành.")
    editor.locator("#id_p-file").set_input_files(str(evidence))
    editor.get_by_role("button", name="Gửi báo cáo").click()
    expect(editor.locator("#task-status")).to_have_attribute("data-status", "in_progress")
    expect(editor.get_by_role("link", name="bien-ban-khao-sat.pdf")).to_be_visible()

    # It declares the task completed, with the official letter's number.
    editor.locator("#id_c-completed_on").fill(TODAY.isoformat())
    editor.locator("#id_c-product").fill("Nền tảng LGSP đưa vào vận hành")
    editor.locator("#id_c-text").fill("Nền tảng đã vận hành chính thức.")
    editor.locator("#id_c-official_number").fill("45/UBND-KGVX")
    editor.get_by_role("button", name="Báo cáo hoàn thành").click()
    expect(editor.get_by_text("Báo cáo hoàn thành chờ xác nhận")).to_be_visible()
    expect(editor.locator("#task-status")).to_have_attribute("data-status", "in_progress")
    # The editor has no button to confirm it.
    expect(editor.get_by_role("button", name="Xác nhận hoàn thành")).to_have_count(0)

    # The administrator confirms.
    admin.goto(f"{url}/programmes/tasks/{task.pk}/")
    admin.get_by_role("button", name="Xác nhận hoàn thành").click()
    expect(admin.locator("#task-status")).to_have_attribute("data-status", "completed_on_time")
    expect(admin.locator("#task-status")).to_have_text("Hoàn thành đúng hạn")
    task.refresh_from_db()
    assert task.completed_on == TODAY
    assert TaskProgress.objects.filter(task=task).count() == 2
    # The programme's page shows it completed too.
    admin.goto(f"{url}/programmes/{programme.pk}/?status=completed_on_time")
    expect(admin.locator("tr[data-status='completed_on_time']")).to_have_count(1)

    # Confirmed by mistake: the administrator reopens it, and must say why.
    admin.goto(f"{url}/programmes/tasks/{task.pk}/")
    admin.get_by_role("button", name="Mở lại nhiệm vụ").click()
    expect(admin.locator("#id_r-reason_errors")).to_be_visible()
    task.refresh_from_db()
    assert task.completed_on == TODAY
    admin.locator("#id_r-reason").fill("Nền tảng chưa được bàn giao cho tỉnh.")
    admin.get_by_role("button", name="Mở lại nhiệm vụ").click()
    expect(admin.locator("#task-status")).to_have_attribute("data-status", "in_progress")
    expect(admin.get_by_text("Nền tảng chưa được bàn giao cho tỉnh.")).to_be_visible()
    expect(admin.get_by_role("button", name="Mở lại nhiệm vụ")).to_have_count(0)
    # The province reports on it again.
    editor.reload()
    expect(editor.get_by_role("button", name="Báo cáo hoàn thành")).to_be_visible()
