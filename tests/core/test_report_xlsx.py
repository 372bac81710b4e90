"""Report workbooks (govplan.core.adapters.report_xlsx); no database."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from govplan.core.adapters.report_xlsx import (
    ReportColumn,
    ReportSheet,
    header_row,
    sheet_totals,
    write_report,
)
from govplan.core.adapters.xlsx import TOTAL_LABEL

COLUMNS = [
    ReportColumn("Đơn vị"),
    ReportColumn("Mô tả", "longtext"),
    ReportColumn("Số hệ thống", "integer"),
    ReportColumn("Hệ số", "decimal"),
    ReportColumn("Kinh phí (triệu đồng)", "money"),
    ReportColumn("Tỷ lệ (%)", "percent"),
    ReportColumn("Năm", "year"),
    ReportColumn("Ngày ban hành", "date"),
    ReportColumn("Cập nhật", "datetime"),
]
ROWS: list[list[Any]] = [
    [
        "Tỉnh Bắc Ninh",
        "Dòng một\nDòng hai",
        12,
        "0.1",
        "1234567.891",
        "45.5",
        2026,
        dt.date(2026, 11, 22),
        dt.datetime(2026, 11, 22, 9, 30),
    ],
    ["Thành phố Hà Nội", None, "3", "0.2", "1500", "100", 2027, "2026-01-02", None],
]


def report(**kwargs: Any) -> ReportSheet:
    options: dict[str, Any] = {"name": "Dự án", "columns": COLUMNS, "rows": ROWS}
    options.update(kwargs)
    return ReportSheet(**options)


def grid(data: bytes, name: str) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode()


def test_typed_cells_and_totals_as_values() -> None:
    data = write_report([report(totals=True)], title="Kỳ kế hoạch")
    rows = grid(data, "Dự án")
    assert rows[0] == [c.header for c in COLUMNS]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Số hệ thống"] == 12.0
    assert first["Hệ số"] == 0.1
    assert first["Kinh phí (triệu đồng)"] == 1234567.891
    assert first["Tỷ lệ (%)"] == 45.5
    assert first["Năm"] == 2026
    assert first["Ngày ban hành"] == dt.date(2026, 11, 22)
    assert first["Cập nhật"] == dt.datetime(2026, 11, 22, 9, 30)
    assert first["Mô tả"] == "Dòng một\nDòng hai"
    assert rows[2][7] == dt.date(2026, 1, 2)
    totals = dict(zip(rows[0], rows[3], strict=True))
    assert totals["Đơn vị"] == TOTAL_LABEL
    assert totals["Số hệ thống"] == 15
    assert totals["Hệ số"] == 0.3  # exact: 0.1 + 0.2 summed as decimals
    assert totals["Kinh phí (triệu đồng)"] == 1236067.891
    assert totals["Tỷ lệ (%)"] == totals["Năm"] == totals["Ngày ban hành"] == ""
    assert len(rows) == 4

    sheet = part(data, "xl/worksheets/sheet1.xml")
    assert not re.search(r"<f[ >]", sheet)
    styles = part(data, "xl/styles.xml")
    assert 'formatCode="#,##0"' in styles
    assert 'formatCode="#,##0.###"' in styles
    assert 'formatCode="dd/mm/yyyy"' in styles


def test_sheet_totals_are_exact_and_skip_what_is_not_a_number() -> None:
    sheet = ReportSheet(
        "x",
        [ReportColumn("a"), ReportColumn("m", "money"), ReportColumn("n", "integer")],
        [["x", "0.1", 1], ["y", "0.2", None], ["z", "không rõ", "2"], ["w"]],
        totals=True,
    )
    assert sheet_totals(sheet) == {1: Decimal("0.3"), 2: Decimal(3)}
    data = write_report([sheet], title="")
    rows = grid(data, "x")
    assert rows[3][1] == "không rõ"  # a text in a money column stays a text
    assert rows[5] == [TOTAL_LABEL, 0.3, 3]
    assert sheet_totals(ReportSheet("x", sheet.columns, sheet.rows)) is None  # not asked
    assert sheet_totals(ReportSheet("x", sheet.columns, [], totals=True)) is None
    texts = ReportSheet("x", [ReportColumn("a"), ReportColumn("p", "percent")], [["a", 5]])
    assert sheet_totals(ReportSheet("x", texts.columns, texts.rows, totals=True)) is None


def test_layout_title_lines_frozen_header_filter_print_setup_and_widths() -> None:
    sheet = report(title_lines=["Kế hoạch chuyển đổi số 2027", "Toàn quốc"], totals=True)
    assert header_row(sheet) == 3
    data = write_report([sheet], title="Kỳ kế hoạch")
    rows = grid(data, "Dự án")
    assert rows[0][0] == "Kế hoạch chuyển đổi số 2027"
    assert rows[1][0] == "Toàn quốc"
    assert rows[3][0] == "Đơn vị"
    assert rows[4][0] == "Tỉnh Bắc Ninh"
    assert rows[6][0] == TOTAL_LABEL
    xml = part(data, "xl/worksheets/sheet1.xml")
    assert '<pane ySplit="4" topLeftCell="A5"' in xml
    assert '<autoFilter ref="A4:I6"/>' in xml  # header and data rows, not the totals
    assert 'orientation="landscape"' in xml
    assert 'paperSize="9"' in xml
    assert '<pageSetUpPr fitToPage="1"/>' in xml
    workbook = part(data, "xl/workbook.xml")
    assert "_xlnm.Print_Titles" in workbook and "$4:$4" in workbook
    widths = [float(w) for w in re.findall(r'<col min="\d+" max="\d+" width="([\d.]+)"', xml)]
    assert widths[0] >= len("Thành phố Hà Nội")  # fits the longest text
    assert widths[4] >= len("1,234,567.891")
    assert max(widths) <= 51
    assert "Kỳ kế hoạch" in part(data, "docProps/core.xml")


@pytest.mark.parametrize("text", ["=1+2", "+84 912 345 678", "-x", "@SUM(A1)", "=HYPERLINK(1)"])
def test_text_that_looks_like_a_formula_is_a_string(text: str) -> None:
    sheet = ReportSheet(
        "t", [ReportColumn("a"), ReportColumn("b", "longtext"), ReportColumn("m", "money")]
    )
    sheet.rows = [[text, text, text]]
    data = write_report([sheet], title="")
    assert grid(data, "t")[1] == [text, text, text]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(r"<f[ >]", archive.read(name).decode()), name


def test_sheet_names_are_cleaned_and_unique() -> None:
    columns = [ReportColumn("a")]
    data = write_report(
        [
            ReportSheet("Danh sách", columns),
            ReportSheet("danh sách", columns),
            ReportSheet("a/b?[c]*:", columns),
            ReportSheet("", columns),
            ReportSheet("Một tên trang tính rất dài vượt quá ba mươi mốt ký tự", columns),
        ],
        title="",
    )
    names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    assert names[:4] == ["Danh sách", "danh sách (2)", "abc", "Trang"]
    assert len(names[4]) == 31


def test_an_empty_sheet_and_an_unknown_type() -> None:
    data = write_report([ReportSheet("Trống", [ReportColumn("a", "money")], totals=True)], title="")
    assert grid(data, "Trống") == [["a"]]
    with pytest.raises(ValueError):
        ReportColumn("a", "formula")


def test_many_rows_total_exactly() -> None:
    columns = [ReportColumn("Đơn vị"), ReportColumn("Mã"), *COLUMNS[2:7]]
    rows = [["Tỉnh", str(i), i, "1.5", "1000.125", "50", 2026] for i in range(20_000)]
    data = write_report([ReportSheet("Lớn", columns, rows, totals=True)], title="")
    last = grid(data, "Lớn")[-1]
    assert last[0] == TOTAL_LABEL
    assert last[4] == 20_000 * 1000.125
