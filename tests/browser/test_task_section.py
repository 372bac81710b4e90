"""The ministry's editor opens its 2008 report on the tasks assigned to it in a real browser:
the task table is filled from the programme's list, the cells from the list are read-only,
and the agency's own cells save as in any table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from govplan.accounts.models import Membership, Role, User
from govplan.core.programmes.deadlines import Deadline
from govplan.documents.actions import do_create_document
from govplan.documents.models import Document, Entry
from govplan.frameworks.models import FrameworkVersion
from govplan.programmes.models import Programme, Task
from tests.browser.conftest import PASSWORD, sign_in
from tests.support.nation import emptied_slice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTENT = "Hoàn thành cơ chế phân bổ kinh phí 200 tỷ đồng"


@pytest.fixture
def report() -> Document:
    """The ministry of 2008, the shipped frameworks, the programme with one task it leads,
    its editor and its (still empty) 2008 report."""
    nation = emptied_slice(
        ministry=("BTTTT", "Bộ Thông tin và Truyền thông"), central=("THH", "Cục Tin học hóa")
    )
    call_command("load_frameworks", verbosity=0)
    programme = Programme.objects.create(
        code="CT-CNTT-2007-2010",
        name="Chương trình ứng dụng CNTT trong hoạt động của cơ quan nhà nước 2007-2010",
        period_start=2007,
        period_end=2010,
        basis_number="TB-VPCP",
        basis_date=dt.date(2007, 12, 28),
        basis_title="Thông báo kết luận ngày 28/12/2007",
        assigning_unit=nation.central,
    )
    task = Task(
        programme=programme,
        code="2.b",
        content=CONTENT,
        source_document="Thông báo kết luận ngày 28/12/2007",
        assigned_on=dt.date(2007, 12, 28),
        lead_unit=nation.ministry,
    )
    task.set_deadline(Deadline.on(dt.date(2008, 6, 30)))
    task.save()
    editor = User.objects.create_user("btttt.bientap", password=PASSWORD, full_name="Lê Văn Bộ")
    Membership.objects.create(user=editor, org_unit=nation.ministry, role=Role.EDITOR)
    version = FrameworkVersion.objects.get(framework__code="BC-NHIEMVU-2008", status="published")
    return do_create_document(unit=nation.ministry, version=version, actor=editor)


def test_the_task_table_is_filled_read_only_where_the_list_fills_it(
    page: Page, live_server, report: Document
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "btttt.bientap")
    page.goto(f"{live_server.url}/documents/{report.pk}/")

    expect(page.get_by_text("bổ sung 1 nhiệm vụ")).to_be_visible()
    (entry,) = Entry.objects.filter(document=report, collection="table:tasks")
    row = page.locator(f"tr[data-key='{entry.key}']")
    content = row.locator("td[data-column='content'] input")
    expect(content).to_have_value(CONTENT)
    for column in ("task_code", "content", "deadline", "role"):
        expect(row.locator(f"td[data-column='{column}'] input")).to_have_attribute("readonly", "")
    expect(row.locator("td[data-column='deadline'] input")).to_have_value("30/06/2008")
    expect(row.locator("td[data-column='role'] input")).to_have_value("Chủ trì")
    expect(row.locator(".delete-row")).to_have_count(0)
    expect(page.locator("[data-table='tasks'] .add-row")).to_have_count(0)

    row.locator("td[data-column='status'] input").fill("Đang thực hiện")
    row.locator("td[data-column='results'] input").fill("Đã trình dự thảo cơ chế")
    page.locator("#save-status").click()  # leave the row
    expect(page.locator("#save-status")).to_contain_text("Đã lưu", timeout=15000)
    page.wait_for_function(
        "() => !document.querySelector('.entry.dirty, .entry.saving')", timeout=15000
    )
    entry.refresh_from_db()
    assert entry.content["cells"] == {
        "task_code": "2.b",
        "content": CONTENT,
        "deadline": "30/06/2008",
        "role": "lead",
        "status": "in_progress",
        "results": "Đã trình dự thảo cơ chế",
    }
    page.get_by_role("button", name="Cập nhật danh sách nhiệm vụ").click()
    expect(page.get_by_text("Bảng nhiệm vụ đã khớp với danh mục nhiệm vụ.")).to_be_visible()
    assert errors == []
