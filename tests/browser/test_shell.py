"""A central administrator in a real browser: logs in, follows a merged province through
its history, gives a colleague a role, switches to English. No JavaScript is needed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from govplan.accounts.models import Membership, Role, User
from govplan.orgunits.actions import do_create_unit
from govplan.orgunits.models import Kind, Succession
from tests.browser.conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFORM = dt.date(2025, 7, 1)


@pytest.fixture
def small_nation() -> dict[str, object]:
    """A slice of the real structure. Live-server tests commit their data, so they start
    from an emptied database instead of the session's reference data."""
    call_command("flush", interactive=False, verbosity=0)
    ministry = do_create_unit(
        actor=None,
        scheme="govplan",
        code="BKHCN",
        kind=Kind.MINISTRY,
        name="Bộ Khoa học và Công nghệ",
        parent=None,
        valid_from=None,
    )
    central = do_create_unit(
        actor=None,
        scheme="govplan",
        code="CDSQG",
        kind=Kind.CENTRAL,
        name="Cục Chuyển đổi số quốc gia",
        parent=ministry,
        valid_from=dt.date(2025, 3, 1),
    )
    bac_giang = do_create_unit(
        actor=None,
        scheme="gso-province",
        code="24",
        kind=Kind.PROVINCE,
        name="Tỉnh Bắc Giang",
        parent=None,
        valid_from=None,
        valid_to=dt.date(2025, 6, 30),
    )
    old_bac_ninh = do_create_unit(
        actor=None,
        scheme="gso-province",
        code="27",
        kind=Kind.PROVINCE,
        name="Tỉnh Bắc Ninh",
        parent=None,
        valid_from=None,
        valid_to=dt.date(2025, 6, 30),
    )
    bac_ninh = do_create_unit(
        actor=None,
        scheme="gso-province",
        code="24",
        kind=Kind.PROVINCE,
        name="Tỉnh Bắc Ninh",
        parent=None,
        valid_from=REFORM,
    )
    for old in (bac_giang, old_bac_ninh):
        Succession.objects.create(
            predecessor=old, successor=bac_ninh, kind="merge", effective_date=REFORM
        )
    admin = User.objects.create_user("quantri", password=PASSWORD, full_name="Nguyễn Văn Quản")
    Membership.objects.create(user=admin, org_unit=central, role=Role.CENTRAL_ADMIN)
    colleague = User.objects.create_user("bientap", password=PASSWORD, full_name="Lê Văn Biên")
    return {"bac_ninh": bac_ninh, "colleague": colleague}


def test_admin_walks_history_and_grants_a_role(
    page: Page, live_server, small_nation: dict[str, object]
) -> None:
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Đăng nhập GovPlan")).to_be_visible()
    # A central administrator sets up the second factor at the first login.
    sign_in(page, live_server.url, "quantri")
    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Văn Quản")).to_be_visible()

    # The structure before the reform has Bắc Giang; after it, only the new Bắc Ninh.
    page.get_by_role("link", name="Đơn vị", exact=True).click()
    page.get_by_label("Tại ngày").fill("2025-06-30")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("link", name="Tỉnh Bắc Giang")).to_be_visible()
    page.get_by_role("link", name="Tỉnh Bắc Giang").click()
    expect(page.get_by_text("hết hiệu lực").first).to_be_visible()
    page.locator(".message-warning").get_by_role("link", name="Tỉnh Bắc Ninh").click()
    expect(page.get_by_role("heading", name="Tỉnh Bắc Ninh")).to_be_visible()
    history = page.locator("section", has=page.get_by_role("heading", name="Lịch sử"))
    expect(history.get_by_role("link", name="Tỉnh Bắc Giang")).to_be_visible()

    # Give the colleague the editor role in Bắc Ninh, without any JavaScript.
    page.get_by_role("link", name="Người dùng").click()
    page.get_by_role("link", name="bientap").click()
    page.get_by_label("Tìm đơn vị (tên hoặc mã)").fill("Bắc Ninh")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_label("Tỉnh Bắc Ninh (24)").check()
    page.get_by_label("Vai trò").select_option("editor")
    page.get_by_role("button", name="Giao", exact=True).click()
    expect(page.get_by_text("Đã giao vai trò.")).to_be_visible()
    assert Membership.objects.filter(
        user=small_nation["colleague"], org_unit=small_nation["bac_ninh"], role="editor"
    ).exists()

    # English is one switch away and stays for the session.
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Chuyển").click()
    expect(page.get_by_role("link", name="Organisation units")).to_be_visible()
    page.screenshot(path="test-results/shell-english.png", full_page=True)
