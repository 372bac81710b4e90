#!/usr/bin/env python3
"""Screenshots for docs/huong-dan-soan-thao.md, taken from a running GovPlan with the demo
data (`make run`), in Debian's Chromium:

    .venv/bin/python scripts/docs_screenshots.py [http://127.0.0.1:8000]

It writes a 2027 plan for Bắc Ninh as the demo editor would, and saves the pictures in
docs/images/. Run it on a fresh database loaded with `manage.py load_demo
--without-documents` (the full demo already has Bắc Ninh's 2027 plan).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "images"
PASSWORD = "govplan-demo"

PASTE = """text => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    document.activeElement.dispatchEvent(
        new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""

ROWS = [
    [
        "Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP)",
        "Sở Khoa học và Công nghệ",
        "Nền tảng số",
        "Dự án chuyển tiếp",
    ],
    ["Kho dữ liệu dùng chung của tỉnh", "Sở Khoa học và Công nghệ", "Dữ liệu số", "Dự án mới"],
    [
        "Hệ thống giám sát an toàn thông tin (SOC)",
        "Công an tỉnh",
        "An toàn thông tin mạng",
        "Dự án mới",
    ],
]


def login(page: Page, base: str, user: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()


def wait_saved(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.entry.dirty, .entry.saving')", timeout=20000
    )
    page.wait_for_timeout(300)


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="vi-VN")
        login(page, base, "bacninh.bientap")
        page.screenshot(path=str(OUT / "01-trang-chu.png"))
        page.get_by_role("link", name="Tỉnh Bắc Ninh").first.click()
        page.locator("#documents").scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "02-don-vi.png"))
        page.locator("form.create-doc", has_text="2027").get_by_role("button").click()
        page.screenshot(path=str(OUT / "03-soan-thao.png"))

        section = page.locator("section[data-section='II.1']")
        section.scroll_into_view_if_needed()
        section.locator(".rte").click()
        page.keyboard.type(
            "Năm 2026, 100% cơ quan cấp tỉnh, cấp xã kết nối mạng truyền số liệu chuyên dùng; "
        )
        section.get_by_role("button", name="In đậm").click()
        page.keyboard.type("trung tâm dữ liệu của tỉnh")
        section.get_by_role("button", name="In đậm").click()
        page.keyboard.type(" đã vận hành.")
        ratio = section.locator("tr.value-entry").first.locator("input.num")
        ratio.nth(0).fill("3.150")
        ratio.nth(1).fill("2.980")
        ratio.nth(1).press("Tab")
        wait_saved(page)
        section.screenshot(path=str(OUT / "04-muc-noi-dung-chi-tieu.png"))

        grid = page.locator(".grid-block[data-table='projects']")
        grid.scroll_into_view_if_needed()
        grid.get_by_role("button", name="Thêm dòng").click()
        grid.locator("tbody tr.row-entry").first.locator("input.gcell").first.focus()
        page.evaluate(PASTE, "\n".join("\t".join(r) for r in ROWS))
        wait_saved(page)
        for index, amount in enumerate(["1.200", "850", "2.000"]):
            cell = (
                grid.locator("tbody tr.row-entry")
                .nth(index)
                .locator("td[data-phasing='2027|provincial_budget|capital'] input")
            )
            cell.fill(amount)
            cell.press("Tab")
        wait_saved(page)
        bad = grid.locator("tbody tr.row-entry").nth(1).locator("td[data-column='status'] input")
        bad.fill("Tạm dừng")
        page.wait_for_timeout(500)
        grid.locator(".grid-wrap").evaluate("e => { e.scrollLeft = 0; }")
        grid.screenshot(path=str(OUT / "05-bang-du-an.png"))
        bad.fill("Dự án mới")
        bad.press("Tab")
        wait_saved(page)

        # A colleague saves the same text meanwhile: the conflict shows both versions.
        other = browser.new_page(viewport={"width": 1366, "height": 860}, locale="vi-VN")
        login(other, base, "bacninh.bientap")
        other.goto(page.url)
        text = other.locator("section[data-section='II.1'] .rte")
        text.click()
        other.keyboard.press("End")
        other.keyboard.type(" (Văn phòng UBND bổ sung số liệu.)")
        wait_saved(other)
        page.locator("section[data-section='II.1'] .rte").click()
        page.keyboard.press("End")
        page.keyboard.type(" Sở KH&CN cập nhật.")
        page.wait_for_selector("#conflict-dialog:not([hidden])", timeout=20000)
        page.screenshot(path=str(OUT / "06-xung-dot.png"))
        page.locator(".conflict-take-theirs").click()

        page.goto(page.url.rstrip("/") + "/history/tables/projects/")
        page.screenshot(path=str(OUT / "07-lich-su-bang.png"))
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
