"""Browser tests drive the system's Chromium (Debian's package) through Playwright.

Playwright cannot download its own browsers here, so it is launched with
``executable_path``. Where Chromium is missing the tests are skipped, except in CI
(GOVPLAN_REQUIRE_BROWSER=1), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# test itself are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "mật-khẩu-thử-nghiệm-2026"  # the password of the accounts the tests create


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM:
        return
    if os.environ.get("GOVPLAN_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError("GOVPLAN_REQUIRE_BROWSER=1 but no chromium on PATH")
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


def pass_second_factor(page: Any, username: str) -> None:
    """After the password: type the authenticator's code where the account has one, or set
    one up as a person would (the key the enrolment page shows, its first code). Accounts
    whose role does not require it land on their page untouched."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from govplan.accounts.second_factor import current_code

    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    if "/account/verify/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.locator("#id_token").fill(current_code(device.key))
        page.locator("main").get_by_role("button", name="Xác thực").click()
    elif "/account/two-factor/" in page.url:
        import base64

        manual = page.locator("main code.code").first.inner_text().strip()
        key = base64.b32decode(manual + "=" * (-len(manual) % 8)).hex()
        page.locator("#id_token").fill(current_code(key))
        page.locator("main").get_by_role("button", name="Xác nhận").click()
        page.get_by_role("link", name="Tôi đã lưu lại, tiếp tục").click()
    expect(page.locator("#id_token")).to_have_count(0)


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Signs in on the login page as a person does, then the second factor where the
    account has or needs one; the page is left where the sign-in lands."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    pass_second_factor(page, username)


@pytest.fixture
def desks(
    browser: Any, live_server: Any, browser_context_args: dict[str, Any]
) -> Iterator[Callable[[str], Any]]:
    """Signs people in (the tests' password), each in their own browser context, and closes
    every context at the end so no keep-alive request outlives the live server."""
    contexts: list[Any] = []

    def desk(username: str) -> Any:
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server.url, username)
        return page

    yield desk
    for context in contexts:
        context.close()
