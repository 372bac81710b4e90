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
from tests.browser.conftest import PASSWORD, sign_in
from tests.support.nation import emptied_slice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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
    province = emptied_slice(
        province_code="01",
        province_name="Thành phố Hà Nội",
        ministry=("BTTTT", "Bộ Thông tin và Truyền thông"),
        central=("THH", "Cục Tin học hóa"),
    ).province
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
    sign_in(page, live_server.url, "hanoi.bientap")
    page.get_by_role("link", name="Thành phố Hà Nội").first.click()

    # Create the 2018 plan from the unit's page.
    form = page.locator("form.create-doc", has_text="năm 2018")
    form.get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2018")
    document = Document.objects.get()
    assert document.framework.code == "KH-UDCNTT-2018"

    # The legal picker: the framework's suggestions, then the rest of the catalogue (written
    # once for the page), each document offered once.
    picker = page.locator("section[data-section='I'] select.legal-select")
    offered = picker.evaluate(
        """select => Array.from(select.querySelectorAll("optgroup")).map(group =>
             [group.label, Array.from(group.children).map(option => option.value)])"""
    )
    assert [label for label, _codes in offered] == [
        "Do khung gợi ý",
        "Các văn bản khác trong danh mục",
    ]
    codes = [code for _label, group in offered for code in group]
    assert "LUAT-67-2006-QH11" in offered[0][1] and len(offered[1][1]) > 0
    assert len(codes) == len(set(codes))

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


# ---------------------------------------------------------------------------------------------
# A value the server refuses, or the page cannot read, never erases the saved one.

REFUSALS_FRAMEWORK = """
format: govplan/framework@1
code: TEST-NHAPLIEU-2027
kind: plan
title: Kế hoạch chuyển đổi số năm 2027 (thử nhập liệu)
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
    indicators: [DVC.TONG_SO, HT.LAN]
  - number: II
    title: DỰ ÁN
    tables:
      - code: projects
        title: Danh mục dự án
        columns:
          - {code: name, title: Tên dự án, type: text, required: true, role: project_name}
          - {code: total, title: Tổng mức đầu tư, type: money, unit: triệu đồng}
        phasing: {sources: [central_budget], types: [capital]}
  - number: III
    title: MỤC TIÊU VÀ KINH PHÍ
    targets: {indicators: [DVC.TONG_SO], free_text: false}
    budget: {rows: content, sources: [central_budget], types: [capital]}
"""


@pytest.fixture
def saved_values() -> dict[str, object]:
    """A province's draft with a ratio saved as 10/33, a count saved as 1.250 and one project
    row (name and total investment), and its editor."""
    from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
    from govplan.frameworks.actions import do_publish, do_upload_framework

    nation = emptied_slice()
    central, province = nation.central, nation.province
    admin = User.objects.create_user("cds.quantri", password=PASSWORD, full_name="Quản trị")
    Membership.objects.create(user=admin, org_unit=central, role=Role.CENTRAL_ADMIN)
    editor = User.objects.create_user("bacninh.bientap", password=PASSWORD, full_name="Lê Thu")
    Membership.objects.create(user=editor, org_unit=province, role=Role.EDITOR)
    draft = do_upload_framework(REFUSALS_FRAMEWORK, actor=admin)
    version = do_publish(
        draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    document = do_create_document(unit=province, version=version, actor=editor)
    for key, content in (
        ("value:HT.LAN", {"cells": {"": {"n": "10", "d": "33"}}}),
        ("value:DVC.TONG_SO", {"cells": {"": "1.250"}, "comment": "số liệu 14/12"}),
    ):
        do_save_entry(document, key, 0, content, actor=editor, locale="vi")
    row = do_add_entry(
        document,
        "row:projects",
        {"cells": {"name": "Cổng dữ liệu", "total": "1.500"}},
        actor=editor,
        locale="vi",
    )
    target = do_add_entry(
        document,
        "target:III",
        {"indicator": "DVC.TONG_SO", "baseline": "100", "target": "1.234,5", "year": 2027},
        actor=editor,
        locale="vi",
    )
    line = do_add_entry(
        document,
        "budget:III",
        {"label": "Đào tạo", "phasing": {"2027|central_budget|capital": "0,125"}},
        actor=editor,
        locale="vi",
    )
    return {"document": document, "row": row.key, "target": target.key, "budget": line.key}


def open_editor(page: Page, live_server, document: Document) -> list[str]:  # type: ignore[no-untyped-def]
    """Signs the editor in and opens the document; returns the page's script errors, as they
    come. Leaving with a value not saved asks first: the tests accept."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, "bacninh.bientap")
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    return errors


def wait_settled(page: Page) -> None:
    """Every save the page started has been answered."""
    page.wait_for_function(
        "() => !document.querySelector('.entry.saving, .entry.dirty')", timeout=15000
    )


def stored(document: Document, key: str) -> dict:  # type: ignore[type-arg]
    return Entry.objects.get(document=document, key=key).content


def test_a_ratio_the_server_refuses_keeps_the_saved_value(
    page: Page, live_server, saved_values: dict[str, object]
) -> None:
    document = saved_values["document"]
    assert isinstance(document, Document)
    errors = open_editor(page, live_server, document)
    status = page.locator("#save-status")
    lan = page.locator("tr[data-key='value:HT.LAN']")
    numerator, denominator = lan.locator("[data-part=n]"), lan.locator("[data-part=d]")
    expect(numerator).to_have_value("10")

    # 40 of 33: the server refuses it, the field says why, and the page does not claim it saved.
    numerator.fill("40")
    numerator.press("Tab")
    expect(status).to_contain_text("chưa được lưu")
    wait_settled(page)
    expect(numerator).to_have_class(re.compile("invalid"))
    expect(lan.locator(".value-cell .cell-error")).to_contain_text("40 lớn hơn 33")
    expect(status).to_contain_text("40 lớn hơn 33")
    expect(status).not_to_contain_text("Đã lưu")
    assert stored(document, "value:HT.LAN")["cells"] == {"": {"n": "10", "d": "33"}}

    # Saving something else, in the same indicator, does not make the refused value saved.
    lan.locator(".comment").fill("ước tính")
    page.locator("tr[data-key='value:DVC.TONG_SO'] [data-part=v]").click()
    expect(status).to_contain_text("chưa được lưu")
    wait_settled(page)
    assert stored(document, "value:HT.LAN") == {
        "cells": {"": {"n": "10", "d": "33"}},
        "comment": "ước tính",
    }
    expect(numerator).to_have_value("40")
    expect(numerator).to_have_class(re.compile("invalid"))
    expect(lan.locator(".value-cell .cell-error")).to_contain_text("40 lớn hơn 33")
    expect(status).not_to_contain_text("Đã lưu")

    # Reloading shows what is saved: 10/33, not an empty field.
    page.reload()
    lan = page.locator("tr[data-key='value:HT.LAN']")
    numerator, denominator = lan.locator("[data-part=n]"), lan.locator("[data-part=d]")
    expect(numerator).to_have_value("10")
    expect(denominator).to_have_value("33")

    # Escape in the refused field puts the saved value back.
    numerator.fill("40")
    numerator.press("Tab")
    expect(numerator).to_have_class(re.compile("invalid"))
    numerator.press("Escape")
    expect(numerator).to_have_value("10")
    expect(numerator).not_to_have_class(re.compile("invalid"))
    wait_saved(page)

    # Corrected to 20: saved, and now the page says so.
    numerator.fill("20")
    numerator.press("Tab")
    wait_saved(page)
    expect(numerator).not_to_have_class(re.compile("invalid"))
    expect(status).to_contain_text("Đã lưu lúc")
    assert stored(document, "value:HT.LAN")["cells"] == {"": {"n": "20", "d": "33"}}
    assert errors == []


def test_a_count_the_page_cannot_read_is_not_sent_and_keeps_the_saved_value(
    page: Page, live_server, saved_values: dict[str, object]
) -> None:
    document = saved_values["document"]
    assert isinstance(document, Document)
    sent: list[dict] = []  # type: ignore[type-arg]
    page.on(
        "request",
        lambda request: (
            sent.append(request.post_data_json)
            if request.method == "POST" and "/api/" in request.url
            else None
        ),
    )
    errors = open_editor(page, live_server, document)
    status = page.locator("#save-status")
    count = page.locator("tr[data-key='value:DVC.TONG_SO']")
    value = count.locator("[data-part=v]")
    expect(value).to_have_value("1.250")

    value.fill("abc")
    expect(value).to_have_class(re.compile("invalid"))
    count.locator(".comment").fill("số liệu 15/12")
    page.locator("tr[data-key='value:HT.LAN'] [data-part=d]").click()  # leave the indicator
    expect(status).to_contain_text("chưa được lưu")
    wait_settled(page)
    expect(status).not_to_contain_text("Đã lưu")
    expect(value).to_have_value("abc")
    expect(value).to_have_class(re.compile("invalid"))
    # The comment was saved; the count was never sent, so the saved one stands.
    assert stored(document, "value:DVC.TONG_SO") == {
        "cells": {"": {"v": 1250}},
        "comment": "số liệu 15/12",
    }
    saves = [body for body in sent if body.get("key") == "value:DVC.TONG_SO"]
    assert saves and all("" not in body["content"]["cells"] for body in saves)

    page.reload()
    expect(page.locator("tr[data-key='value:DVC.TONG_SO'] [data-part=v]")).to_have_value("1.250")
    assert errors == []


def test_an_unreadable_cell_of_a_row_keeps_its_saved_value_while_the_rest_is_saved(
    page: Page, live_server, saved_values: dict[str, object]
) -> None:
    document, key = saved_values["document"], saved_values["row"]
    assert isinstance(document, Document)
    errors = open_editor(page, live_server, document)
    status = page.locator("#save-status")
    row = page.locator(f"tr[data-key='{key}']")
    total = row.locator("td[data-column='total'] input")
    expect(total).to_have_value("1.500")

    total.fill("một nghìn")
    expect(total).to_have_class(re.compile("invalid"))
    row.locator("td[data-column='name'] input").fill("Cổng dữ liệu mở")
    row.locator("td[data-phasing='2027|central_budget|capital'] input").fill("300")
    page.locator("tr[data-key='value:HT.LAN'] [data-part=n]").click()  # leave the row
    expect(status).to_contain_text("chưa được lưu")
    wait_settled(page)
    expect(status).to_contain_text("Tổng mức đầu tư")
    expect(status).not_to_contain_text("Đã lưu")
    assert stored(document, key) == {
        "cells": {"name": "Cổng dữ liệu mở", "total": "1500"},
        "phasing": {"2027|central_budget|capital": "300"},
    }

    page.reload()
    row = page.locator(f"tr[data-key='{key}']")
    expect(row.locator("td[data-column='total'] input")).to_have_value("1.500")
    expect(row.locator("td[data-column='name'] input")).to_have_value("Cổng dữ liệu mở")
    assert errors == []


def test_targets_and_budget_lines_keep_saved_values_the_page_cannot_send(
    page: Page, live_server, saved_values: dict[str, object]
) -> None:
    document = saved_values["document"]
    target_key, budget_key = saved_values["target"], saved_values["budget"]
    assert isinstance(document, Document)
    errors = open_editor(page, live_server, document)
    status = page.locator("#save-status")
    target = page.locator(f"tr[data-key='{target_key}']")
    value = target.locator("[data-field=target]")
    expect(value).to_have_value("1.234,5")
    value.fill("nhiều")
    expect(value).to_have_class(re.compile("invalid"))
    expect(target.locator(".entry-note")).to_contain_text("không phải là số")
    target.locator("[data-field=baseline]").fill("120")
    line = page.locator(f"tr[data-key='{budget_key}']")
    amount = line.locator("td[data-phasing] input")
    expect(amount).to_have_value("0,125")
    amount.fill("-5")  # leaves the target row: it is saved
    expect(amount).to_have_class(re.compile("invalid"))
    line.locator("td[data-field=label] input").fill("Đào tạo cán bộ")
    page.locator("tr[data-key='value:HT.LAN'] [data-part=n]").click()  # leaves the budget line
    expect(status).to_contain_text("2 ô chưa được lưu")
    wait_settled(page)
    expect(status).not_to_contain_text("Đã lưu")
    assert stored(document, target_key) == {
        "indicator": "DVC.TONG_SO",
        "baseline": "120",
        "target": "1234.5",
        "year": 2027,
    }
    assert stored(document, budget_key) == {
        "label": "Đào tạo cán bộ",
        "phasing": {"2027|central_budget|capital": "0.125"},
    }
    # The total counts what is stored, not the refused amount.
    expect(line.locator(".row-total")).to_have_text("0,125")

    # Escape puts both back; then nothing on the page is unsaved.
    value.press("Escape")
    expect(value).to_have_value("1.234,5")
    amount.press("Escape")
    expect(amount).to_have_value("0,125")
    wait_saved(page)
    expect(page.locator(".entry .invalid")).to_have_count(0)
    assert errors == []


def test_no_data_is_marked_with_its_reason_in_the_page(
    page: Page, live_server, saved_values: dict[str, object]
) -> None:
    """Issue 13, item 6: "Không có số liệu" without a reason is refused at the reason, and the
    saved figures stay; with the reason it is saved, the figures dropped."""
    document = saved_values["document"]
    assert isinstance(document, Document)
    errors = open_editor(page, live_server, document)
    status = page.locator("#save-status")
    count = page.locator("tr[data-key='value:DVC.TONG_SO']")
    mark = count.locator("[data-field=no_data]")
    reason = count.locator("[data-field=no_data_reason]")
    mark.select_option("1")
    reason.focus()
    reason.press("Tab")
    wait_settled(page)
    expect(count.locator(".no-data-mark .cell-error")).to_contain_text("lý do là bắt buộc")
    expect(status).not_to_contain_text("Đã lưu")
    assert stored(document, "value:DVC.TONG_SO")["cells"] == {"": {"v": 1250}}
    reason.fill("Chưa có số liệu thống kê năm 2017")
    reason.press("Tab")
    wait_settled(page)
    assert stored(document, "value:DVC.TONG_SO") == {
        "cells": {},
        "comment": "số liệu 14/12",
        "no_data": True,
        "no_data_reason": "Chưa có số liệu thống kê năm 2017",
    }
    page.reload()
    count = page.locator("tr[data-key='value:DVC.TONG_SO']")
    expect(count.locator(".no-data-badge")).to_contain_text(
        "Không có số liệu: Chưa có số liệu thống kê năm 2017"
    )
    assert errors == []


def test_a_row_moved_to_another_group_goes_under_it_with_both_subtotals_redrawn(
    page: Page, live_server, province_editor: User
) -> None:
    """Issue 13, item 2: the 2011-2015 plan lists its projects under the groups of its
    section IV; choosing another group for a row moves it there at once, and both groups'
    subtotals are redrawn, as they read after a reload."""
    from govplan.documents.actions import do_add_entry, do_create_document
    from govplan.frameworks.models import FrameworkVersion

    version = FrameworkVersion.objects.get(
        framework__code="KH-UDCNTT-2011-2015", status="published"
    )
    unit = province_editor.memberships.get().org_unit
    document = do_create_document(unit=unit, version=version, actor=province_editor)
    for name, group, total in (
        ("Mạng diện rộng của tỉnh", "infrastructure", "8.000"),
        ("Quản lý văn bản và điều hành", "infrastructure", "4.100"),
        ("Cổng thông tin điện tử", "citizens", "4.300"),
    ):
        do_add_entry(
            document,
            "row:projects",
            {"group": group, "cells": {"name": name, "total": total}},
            actor=province_editor,
            locale="vi",
        )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "hanoi.bientap")
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    grid = page.locator(".grid-block[data-table='projects']")
    infrastructure = grid.locator("tr.group-total[data-group='infrastructure'] .group-cell")
    internal = grid.locator("tr.group-total[data-group='internal'] .group-cell")
    expect(infrastructure.last).to_have_text("12.100")
    expect(internal.last).to_have_text("0")

    moved = grid.locator(
        "tr.row-entry", has=page.locator("input[value='Quản lý văn bản và điều hành']")
    )
    moved.locator("td[data-field=group] select").select_option("internal")
    wait_saved(page)
    # Under group II now: after its heading, before its subtotal.
    order = grid.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.group ? r.className + ':' + r.dataset.group"
        " : (r.querySelector('input.gcell') || {}).value)"
    )
    at = order.index("Quản lý văn bản và điều hành")
    assert order[at - 1] == "group-head:internal" and order[at + 1] == "group-total:internal"
    expect(infrastructure.last).to_have_text("8.000")
    expect(internal.last).to_have_text("4.100")
    assert (
        Entry.objects.get(
            document=document, content__cells__name="Quản lý văn bản và điều hành"
        ).content["group"]
        == "internal"
    )
    page.reload()
    expect(grid.locator("tr.group-total[data-group='internal'] .group-cell").last).to_have_text(
        "4.100"
    )
    assert errors == []


def test_a_reader_sees_the_rows_drawn_from_data_each_field_named_and_read_only(
    page: Page, live_server, saved_values: dict[str, object]
) -> None:
    document = saved_values["document"]
    assert isinstance(document, Document)
    viewer = User.objects.create_user("bacninh.xem", password=PASSWORD, full_name="Đỗ Xem")
    Membership.objects.create(user=viewer, org_unit=document.org_unit, role=Role.VIEWER)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "bacninh.xem")
    page.goto(f"{live_server.url}/documents/{document.pk}/")

    grid = page.locator(".grid-block[data-table='projects']")
    row = grid.locator("tbody tr.row-entry")
    expect(row).to_have_count(1)
    expect(row.locator("td[data-column='name'] input")).to_have_value("Cổng dữ liệu")
    expect(row.locator("td[data-column='total'] input")).to_have_value("1.500")
    expect(row.locator(".row-number")).to_have_text("1")
    # Every field is named by its column's heading, and none can be changed.
    unnamed = row.evaluate(
        """row => Array.from(row.querySelectorAll("input")).filter(input => {
             const head = row.closest("table").tHead.rows[0].cells[input.closest("td").cellIndex];
             const name = head.textContent.replace(/\\s+/g, " ").trim();
             return !name || input.getAttribute("aria-label") !== name || !input.readOnly;
           }).length"""
    )
    assert unnamed == 0
    expect(row.locator("td[data-column='name'] input")).to_have_attribute(
        "aria-label", re.compile("\\S")
    )
    expect(grid.locator(".delete-row, .add-row")).to_have_count(0)
    assert errors == []
