"""In a real browser: the session ends while the editor types; the page says so, keeps the
value, and saves it by itself once the user has signed in again in another tab."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from govplan.audit.models import Action, AuditEvent
from govplan.documents.models import Document
from govplan.usersessions.models import UserSession
from govplan.usersessions.tracking import LAST_ACTIVITY, session_store
from tests.browser.conftest import CHROMIUM, browser_context_args, browser_type_launch_args
from tests.browser.test_editor import PASSWORD, open_editor, saved_values, stored

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
__all__ = ["browser_context_args", "browser_type_launch_args", "saved_values"]


def make_idle(username: str, seconds: int) -> None:
    for row in UserSession.objects.filter(user__username=username):
        store = session_store(row.session_key)
        store[LAST_ACTIVITY] = int(time.time() - seconds)
        store.save()


def test_an_expired_session_keeps_the_typed_value_and_saves_it_after_signing_in_again(
    page: Page,
    live_server,
    saved_values: dict[str, object],  # type: ignore[no-untyped-def]
) -> None:
    document = saved_values["document"]
    assert isinstance(document, Document)
    errors = open_editor(page, live_server, document)
    status = page.locator("#save-status")
    count = page.locator("tr[data-key='value:DVC.TONG_SO'] [data-part=v]")
    expect(count).to_have_value("1.250")
    before = stored(document, "value:DVC.TONG_SO")["cells"]

    make_idle("bacninh.bientap", 31 * 60)
    count.fill("2.000")
    count.press("Tab")
    expect(status).to_contain_text("Phiên làm việc đã kết thúc sau 30 phút", timeout=15000)
    expect(status).to_contain_text("vẫn còn trên trang này")
    expect(count).to_have_value("2.000")
    assert stored(document, "value:DVC.TONG_SO")["cells"] == before
    assert AuditEvent.objects.filter(action=Action.SESSION_IDLE).count() == 1

    # Signed in again in another tab: the page sends the value again by itself.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/login/")
    other.get_by_label("Tên đăng nhập").fill("bacninh.bientap")
    other.get_by_label("Mật khẩu").fill(PASSWORD)
    other.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(other.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(status).to_contain_text("Đã lưu", timeout=30000)
    assert stored(document, "value:DVC.TONG_SO")["cells"] == {"": {"v": 2000}}
    expect(count).to_have_value("2.000")
    assert errors == []
