"""An ICT-office editor writes the province's 2018 plan in a real browser: creates it,
writes a section, fills a quantified target, pastes three project rows copied from Excel,
sees the totals computed, reloads and finds everything saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from govplan.accounts.models import Membership, Role, User
from govplan.documents.models import Document, Entry
from govplan.orgunits.actions import do_create_unit
from govplan.orgunits.models import Kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mật-khẩu-thử-nghiệm-2026"
SHOTS = Path("test-results")

ROWS = [
    [
        "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)",
        "Sở TT&TT",
        "Hạ tầng",
        "Dự án mới",
        "Kết nối các hệ thống",
        "Toàn tỉnh",
        "Cấp tỉnh",
        "2018-2019",
        "Xây dựng trục",
        "1.500",
        "Ngân sách địa phương",
        "800",
    ],
    [
        "Cổng dịch vụ công trực tuyến",
        "Văn phòng UBND tỉnh",
        "Dịch vụ công",
        "Dự án chuyển tiếp",
        "DVC mức 3, 4",
        "120 DVC",
        "Cấp tỉnh, huyện",
        "2017-2018",
        "Nâng cấp",
        "2.000,5",
        "Ngân sách Trung ương",
        "1.000",
    ],
    [
        "Hệ thống quản lý văn bản và điều hành",
        "Sở TT&TT",
        "Nội bộ",
        "Dự án mới",
        "Liên thông 4 cấp",
        "60 cơ quan",
        "Toàn tỉnh",
        "2018",
        "Triển khai",
        "500",
        "Ngân sách địa phương",
        "500",
    ],
]


@pytest.fixture
def province_editor() -> User:
    """A province in force in 2017, the shipped frameworks published for it, its editor."""
    call_command("flush", interactive=False, verbosity=0)
    ministry = do_create_unit(
        actor=None,
        scheme="govplan",
        code="BTTTT",
        kind=Kind.MINISTRY,
        name="Bộ Thông tin và Truyền thông",
        parent=None,
        valid_from=None,
    )
    do_create_unit(
        actor=None,
        scheme="govplan",
        code="THH",
        kind=Kind.CENTRAL,
        name="Cục Tin học hóa",
        parent=ministry,
        valid_from=None,
    )
    province = do_create_unit(
        actor=None,
        scheme="gso-province",
        code="01",
        kind=Kind.PROVINCE,
        name="Thành phố Hà Nội",
        parent=None,
        valid_from=None,
    )
    call_command("load_frameworks", verbosity=0)
    editor = User.objects.create_user("hanoi.bientap", password=PASSWORD, full_name="Vũ Thị Hà")
    Membership.objects.create(user=editor, org_unit=province, role=Role.EDITOR)
    return editor


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_contain_text("Đã lưu", timeout=15000)
    page.wait_for_function(
        "() => !document.querySelector('.entry.dirty, .entry.saving')", timeout=15000
    )


def test_editor_writes_a_plan_and_finds_it_after_reload(
    page: Page, live_server, province_editor: User
) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Tên đăng nhập").fill("hanoi.bientap")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Thành phố Hà Nội").first.click()

    # Create the 2018 plan from the unit's page.
    form = page.locator("form.create-doc", has_text="năm 2018")
    form.get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2018")
    document = Document.objects.get()
    assert document.framework.code == "KH-UDCNTT-2018"

    # Write section III.1 in the rich-text editor, with a bold word.
    section = page.locator("section[data-section='III.1']")
    editor = section.locator(".rte")
    editor.click()
    page.keyboard.type("Năm 2018 tập trung ")
    section.get_by_role("button", name="In đậm").click()
    page.keyboard.type("liên thông văn bản")
    section.get_by_role("button", name="In đậm").click()
    page.keyboard.type(" bốn cấp.")
    wait_saved(page)

    # Pasting from Word keeps headings, lists and emphasis and drops Word's own styling.
    word = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal'
        "{font-family:Times}</style></head><body>"
        '<h1 style="mso-style-name:x">Giải pháp</h1><p class="MsoNormal" '
        'style="font-size:14pt"><span style="color:red">Đào tạo <b>cán bộ chuyên trách</b>'
        '</span><o:p></o:p></p><ul><li class="MsoListParagraph">An toàn thông tin</li></ul>'
        "</body></html>"
    )
    solutions = page.locator("section[data-section='IV.1'] .rte")
    solutions.click()
    page.evaluate(
        """html => {
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', 'Giải pháp');
            const paste = new ClipboardEvent(
                'paste', {clipboardData: data, bubbles: true, cancelable: true});
            document.activeElement.dispatchEvent(paste);
        }""",
        word,
    )
    wait_saved(page)
    stored = Entry.objects.get(document=document, key="narrative:IV.1").content["html"]
    assert "<h3>Giải pháp</h3>" in stored and "<b>cán bộ chuyên trách</b>" in stored
    assert "<li>An toàn thông tin</li>" in stored
    assert "style" not in stored and "Mso" not in stored and "o:p" not in stored

    # A quantified target: an indicator with baseline, value and year.
    targets = page.locator("section[data-section='II'] .rows-block")
    targets.get_by_role("button", name="Thêm mục tiêu").click()
    target_row = targets.locator("tbody tr.target-row").first
    target_row.locator("[data-field=indicator]").select_option("QLVB.DON_VI")
    target_row.locator("[data-field=baseline]").fill("60")
    target_row.locator("[data-field=target]").fill("95")
    target_row.locator("[data-field=year]").select_option("2018")
    wait_saved(page)

    # Three project rows pasted as tab-separated text, as Excel puts it on the clipboard.
    grid = page.locator(".grid-block[data-table='projects']")
    grid.get_by_role("button", name="Thêm dòng").click()
    first_cell = grid.locator("tbody tr.row-entry").first.locator("input.gcell").first
    first_cell.focus()
    tsv = "\n".join("\t".join(row) for row in ROWS)
    page.evaluate(
        """text => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            const paste = new ClipboardEvent(
                'paste', {clipboardData: data, bubbles: true, cancelable: true});
            document.activeElement.dispatchEvent(paste);
        }""",
        tsv,
    )
    expect(grid.locator("tbody tr.row-entry")).to_have_count(3)
    wait_saved(page)
    totals = grid.locator("tfoot .total-cell")
    columns = [
        th.get_attribute("data-column") for th in grid.locator("thead th[data-column]").all()
    ]
    expect(totals.nth(columns.index("total"))).to_have_text("4.000,5")
    expect(totals.nth(columns.index("amount_2018"))).to_have_text("2.300")
    page.screenshot(path=str(SHOTS / "editor-table.png"), full_page=False)

    # A block wider than the room left from the cell is refused whole, with the reason.
    columns_left = grid.locator("tbody tr.row-entry").first.locator(
        "td[data-column='amount_2018'] input"
    )
    columns_left.focus()
    page.evaluate(
        """text => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            const paste = new ClipboardEvent(
                'paste', {clipboardData: data, bubbles: true, cancelable: true});
            document.activeElement.dispatchEvent(paste);
        }""",
        "\t".join(["9"] * 40),  # wider than the cells left in the row, phasing included
    )
    expect(page.locator("#save-status")).to_contain_text("Chưa dán")
    expect(columns_left).to_have_value("800")
    expect(grid.locator("tbody tr.row-entry")).to_have_count(3)

    # A wrong cell is marked where it is, with its reason, and is not saved.
    bad = grid.locator("tbody tr.row-entry").nth(2).locator("td[data-column='total'] input")
    bad.fill("năm trăm")
    expect(bad).to_have_class(re.compile("invalid"))
    bad.fill("500")
    bad.press("Tab")
    wait_saved(page)

    page.reload()
    section = page.locator("section[data-section='III.1']")
    expect(section.locator(".rte")).to_contain_text(
        "Năm 2018 tập trung liên thông văn bản bốn cấp."
    )
    expect(section.locator(".rte b, .rte strong")).to_have_text("liên thông văn bản")
    target_row = page.locator("section[data-section='II'] tbody tr.target-row").first
    expect(target_row.locator("[data-field=target]")).to_have_value("95")
    grid = page.locator(".grid-block[data-table='projects']")
    expect(grid.locator("tbody tr.row-entry")).to_have_count(3)
    names = [
        row.locator("td[data-column='name'] input").input_value()
        for row in grid.locator("tbody tr.row-entry").all()
    ]
    assert names == [row[0] for row in ROWS]
    expect(grid.locator("tfoot .total-cell").nth(columns.index("total"))).to_have_text("4.000,5")
    stored = Entry.objects.filter(document=document, kind="row").order_by("position")
    assert [e.content["cells"]["status"] for e in stored] == ["new", "continuing", "new"]
    assert [e.content["cells"]["total"] for e in stored] == ["1500", "2000.5", "500"]
    page.locator("section[data-section='III.1']").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "editor-text.png"), full_page=False)
