"""Tasks from a spreadsheet: preview (every row, every error by row and column), apply all or
nothing, stale previews, and hostile files (a message, never a 500)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govplan.programmes import actions
from govplan.programmes.models import Programme, Task, TaskImport
from tests.conftest import Cast
from tests.programmes.conftest import task_input
from tests.support.crafted_xlsx import crafted_workbook

pytestmark = pytest.mark.django_db

HEADER = [
    "Mã nhiệm vụ",
    "Mã nhiệm vụ cha",
    "Nội dung",
    "Văn bản giao",
    "Điều khoản",
    "Ngày giao",
    "Mã cơ quan chủ trì",
    "Mã cơ quan phối hợp",
    "Thời hạn",
    "Sản phẩm dự kiến",
]
ASSIGNED = dt.date(2026, 1, 5)


def workbook(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Nhiệm vụ")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


GOOD = [
    [
        "1",
        "",
        "Xây dựng nền tảng",
        "383/TB-VPCP",
        "Mục 1",
        ASSIGNED,
        "24",
        "01",
        "Quý II/2026",
        "Nền tảng",
    ],
    [
        "1.1",
        "1",
        "Khảo sát",
        "383/TB-VPCP",
        "",
        "05/01/2026",
        "24",
        "",
        "tháng 03 năm 2026",
        "Báo cáo",
    ],
    ["2", "", "Duy trì cổng", "383/TB-VPCP", "", ASSIGNED, "CDSQG", "24; 01", "thường xuyên", ""],
    ["3", "", "Ban hành quy chế", "383/TB-VPCP", "", ASSIGNED, "24", "", "30/6/2026", "Quy chế"],
]


def preview(cast: Cast, programme: Programme, data: bytes) -> tuple[TaskImport, dict[str, Any]]:
    batch, _plan = actions.do_preview_import(
        programme, data, filename="nhiem-vu.xlsx", actor=cast.central_admin
    )
    return batch, batch.plan


def test_preview_shows_every_row_and_apply_writes_them_all(
    cast: Cast, programme: Programme
) -> None:
    batch, plan = preview(cast, programme, workbook(GOOD))
    assert plan["problems"] == []
    assert [r["code"] for r in plan["rows"]] == ["1", "1.1", "2", "3"]
    assert [r["deadline_label"] for r in plan["rows"]] == [
        "Quý II/2026",
        "Tháng 03/2026",
        "Thường xuyên",
        "30/06/2026",
    ]
    assert not Task.objects.exists()  # a preview writes nothing
    created = actions.do_apply_import(batch, actor=cast.central_admin)
    assert len(created) == 4
    child = Task.objects.get(code="1.1")
    assert child.parent == Task.objects.get(code="1")
    assert child.due_date == dt.date(2026, 3, 31)
    assert set(Task.objects.get(code="2").co_units.values_list("code", flat=True)) == {"24", "01"}
    assert Task.objects.get(code="2").due_date is None
    with pytest.raises(actions.AlreadyDone):  # the double click
        actions.do_apply_import(batch, actor=cast.central_admin)
    assert Task.objects.count() == 4


def errors_of(plan: dict[str, Any]) -> list[tuple[int | None, str, str]]:
    return [(p["row"], p["column"], p["message"]) for p in plan["problems"]]


def test_each_error_is_named_by_row_and_column_and_nothing_is_applied(
    cast: Cast, programme: Programme
) -> None:
    rows = [
        ["1", "", "Hợp lệ", "383/TB-VPCP", "", ASSIGNED, "24", "", "Quý II/2026", ""],
        ["2", "", "Không có chủ trì", "383/TB-VPCP", "", ASSIGNED, "", "", "Quý II/2026", ""],
        [
            "3",
            "",
            "Hạn trước ngày giao",
            "383/TB-VPCP",
            "",
            ASSIGNED,
            "24",
            "",
            "tháng 01/2008",
            "",
        ],
        ["1", "", "Trùng mã", "383/TB-VPCP", "", ASSIGNED, "24", "", "Quý III/2026", ""],
        ["5", "", "Bộ đã giải thể", "383/TB-VPCP", "", ASSIGNED, "BTTTT", "", "Quý III/2026", ""],
        ["6", "", "Hạn sai", "383/TB-VPCP", "", ASSIGNED, "24", "", "sớm nhất", ""],
        [
            "7",
            "",
            '=HYPERLINK("http://x")',
            "383/TB-VPCP",
            "",
            ASSIGNED,
            "24",
            "",
            "Quý II/2026",
            "",
        ],
        ["8", "99", "Cha không có", "383/TB-VPCP", "", "ngày mai", "24", "", "Quý II/2026", ""],
        ["9", "", "Hạn là số", "383/TB-VPCP", "", ASSIGNED, "24", "", 45000, ""],
    ]
    batch, plan = preview(cast, programme, workbook(rows))
    found = errors_of(plan)
    assert (3, "G", "Nhiệm vụ phải có cơ quan chủ trì.") in found
    assert any(r == 4 and c == "I" and "trước ngày giao" in m for r, c, m in found)
    assert any(r == 5 and c == "A" and "dòng 2" in m for r, c, m in found)
    assert any(r == 6 and c == "G" and "giải thể vào ngày 05/01/2026" in m for r, c, m in found)
    assert any(r == 7 and c == "I" and "Không đọc được thời hạn" in m for r, c, m in found)
    assert any(r == 8 and c == "C" and "công thức" in m for r, c, m in found)
    assert any(r == 9 and c == "B" for r, c, m in found)
    assert any(r == 9 and c == "F" and "Không phải ngày" in m for r, c, m in found)
    assert any(r == 10 and c == "I" for r, c, m in found)
    assert not any(r == 2 for r, c, m in found)  # the good row is shown as good
    with pytest.raises(Exception):
        actions.do_apply_import(batch, actor=cast.central_admin)
    assert not Task.objects.exists()


def test_a_stale_preview_is_refused(cast: Cast, programme: Programme) -> None:
    batch, plan = preview(cast, programme, workbook(GOOD))
    assert plan["problems"] == []
    # Someone adds task "1" by hand meanwhile.
    actions.do_save_task(programme, task_input(cast, code="9"), actor=cast.central_admin)
    with pytest.raises(actions.StaleImport):
        actions.do_apply_import(batch, actor=cast.central_admin)
    assert Task.objects.count() == 1


def test_a_code_already_in_the_programme_is_refused(cast: Cast, programme: Programme) -> None:
    actions.do_save_task(programme, task_input(cast, code="3"), actor=cast.central_admin)
    _batch, plan = preview(cast, programme, workbook(GOOD))
    assert any(r == 5 and c == "A" and "đã có nhiệm vụ" in m for r, c, m in errors_of(plan))


def bomb() -> bytes:
    """A few kilobytes of ZIP whose sheet unpacks to 200 MB of empty rows."""
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    sheet += b"<row/>" * (200_000_000 // 6) + b"</sheetData></worksheet>"
    return crafted_workbook("Nhiệm vụ", dimension=None, cells={}, sheet_xml=sheet)


def hundred_thousand_rows() -> bytes:
    """100,000 filled rows and no <dimension>: found too large while reading."""
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{n}</t></is></c></row>'
        for n in range(1, 100_001)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()
    return crafted_workbook("Nhiệm vụ", dimension=None, cells={}, sheet_xml=sheet)


def formula_workbook() -> bytes:
    """A formula in the content column (its cached value is text beginning with "=")."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["1", "", "", "383/TB-VPCP", "", "05/01/2026", "24", "", "Quý II/2026"])
    sheet.write_formula(1, 2, '=CONCATENATE("=cmd","|x")', None, "=cmd|x")
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("not a workbook", lambda: b"MZ\x90\x00 not a workbook"),
        ("empty", lambda: b""),
        (
            "a declared far corner",
            lambda: crafted_workbook("S", dimension="A1:XFD1048576", cells={"A1": "Mã"}),
        ),
        ("100,000 rows", lambda: crafted_workbook("S", dimension="A1:J100000", cells={"A1": "Mã"})),
        ("no header", lambda: workbook([["x"]], header=["Tên", "Khác"])),
        ("header only", lambda: workbook([])),
        ("a zip bomb", bomb),
        ("100,000 rows, no declared range", hundred_thousand_rows),
        ("a formula cell", lambda: formula_workbook()),
    ],
)
def test_hostile_files_get_a_message_never_a_500(
    cast: Cast, programme: Programme, name: str, make: Any
) -> None:
    client = Client()
    client.force_login(cast.central_admin)
    data = make()
    response = client.post(
        reverse("task_import", args=[programme.pk]),
        {"file": SimpleUploadedFile("nhiem-vu.xlsx", data)},
    )
    assert response.status_code == 200, name
    page = response.content.decode()
    assert "message-error" in page or "errorlist" in page, name
    assert "task_import_apply" not in page and "/apply/" not in page
    assert not Task.objects.exists()


def test_the_zip_bomb_is_small(cast: Cast) -> None:
    assert len(bomb()) < 400_000
    with zipfile.ZipFile(io.BytesIO(bomb())) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 100_000_000


def test_import_pages_through_the_views(cast: Cast, programme: Programme) -> None:
    admin = Client()
    admin.force_login(cast.central_admin)
    response = admin.post(
        reverse("task_import", args=[programme.pk]),
        {"file": SimpleUploadedFile("nhiem-vu.xlsx", workbook(GOOD))},
    )
    assert response.status_code == 200
    batch = TaskImport.objects.get()
    assert reverse("task_import_apply", args=[programme.pk, batch.pk]) in response.content.decode()
    # Province A's editor may not import into the programme.
    editor = Client()
    editor.force_login(cast.editor_a)
    assert (
        editor.post(reverse("task_import_apply", args=[programme.pk, batch.pk])).status_code == 403
    )
    assert not Task.objects.exists()
    response = admin.post(reverse("task_import_apply", args=[programme.pk, batch.pk]))
    assert response.status_code == 302
    assert Task.objects.count() == 4
