"""XLSX export and import of framework tables (govplan.core.adapters.xlsx); no database."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter  # type: ignore[import-untyped]
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from govplan.core.adapters.xlsx import (
    HELP_SHEET,
    LISTS_SHEET,
    TOTAL_LABEL,
    UID_HEADER,
    ImportProblem,
    RowData,
    SheetSpec,
    check_workbook_file,
    column_letter,
    read_workbook,
    sheet_names,
    write_workbook,
)
from govplan.core.documents.cells import CellValueError
from govplan.core.frameworks.catalogue import Option
from govplan.core.frameworks.files import read_framework
from govplan.core.frameworks.model import Column, Phasing, Table

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"central_budget": "NSTW", "provincial_budget": "NSĐP", "oda": "ODA"}
TYPES = {"capital": "Vốn ĐTPT", "recurrent": "Vốn sự nghiệp"}
LONG_OPTIONS = tuple(
    Option(f"o{i}", f"Lựa chọn số {i} có tên khá dài để vượt giới hạn") for i in range(12)
)

ALL_TYPES = Table(
    code="all_types",
    title="Bảng: mọi kiểu/cột [thử] với tên rất dài để bị cắt",
    numbered=True,
    columns=(
        Column("name", "Tên", "text", required=True),
        Column("note", "Ghi chú", "longtext"),
        Column("count", "Số lượng", "integer", unit="hệ thống"),
        Column("ratio", "Hệ số", "decimal"),
        Column("total", "Tổng mức đầu tư", "money", unit="triệu đồng"),
        Column("share", "Tỷ lệ", "percent", unit="%"),
        Column("year", "Năm bắt đầu", "year"),
        Column("span", "Thời gian", "year_range"),
        Column("signed", "Ngày ký", "date"),
        Column("done", "Hoàn thành", "boolean"),
        Column(
            "status",
            "Tình trạng",
            "choice",
            choices=(Option("new", "Dự án mới"), Option("continuing", "Dự án chuyển tiếp")),
        ),
        Column(
            "fields",
            "Lĩnh vực",
            "multichoice",
            choices=(Option("health", "Y tế"), Option("edu", "Giáo dục"), Option("tax", "Thuế")),
        ),
        Column("kind", "Loại (danh mục dài)", "choice", choices=LONG_OPTIONS),
        Column("link", "Địa chỉ", "url"),
    ),
    phasing=Phasing(("central_budget", "oda"), ("capital", "recurrent")),
)
ALL_SPEC = SheetSpec(ALL_TYPES, (2026, 2027), SOURCES, TYPES)


@cache
def _framework_table() -> Table:
    framework = read_framework(ROOT / "data/frameworks/kh-udcntt-2018.yaml")
    table = framework.table("projects")
    assert table is not None
    return table


def projects_spec() -> SheetSpec:
    return SheetSpec(_framework_table(), (2018,), SOURCES, TYPES)


def full_row(uid: str | None, name: str = "Hệ thống một cửa điện tử") -> RowData:
    return RowData(
        uid=uid,
        cells={
            "name": name,
            "note": "Dòng một\nDòng hai",
            "count": 12,
            "ratio": "-3.25",
            "total": "1234567.891",
            "share": "45.5",
            "year": 2026,
            "span": "2026-2030",
            "signed": "2026-11-22",
            "done": True,
            "status": "continuing",
            "fields": ["edu", "health"],
            "kind": "o11",
            "link": "https://dichvucong.gov.vn/p/home.html",
        },
        phasing={"2026|central_budget|capital": "1500.5", "2027|oda|recurrent": "0.001"},
    )


def sheet_rows(data: bytes, sheet: str) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def edited(sheet: str, rows: list[list[Any]]) -> bytes:
    """A workbook as a user might send it back: one sheet, raw cells as typed."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                worksheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                worksheet.write_number(r, c, value)
            elif isinstance(value, dt.date):
                worksheet.write_datetime(r, c, value, date_format)
            else:
                worksheet.write_string(r, c, value)
    workbook.close()
    return buffer.getvalue()


# --- writing and reading back -----------------------------------------------------------------


def test_round_trip_every_column_type_and_phasing() -> None:
    rows = [
        full_row("u-1"),
        RowData(None, {"name": "Chỉ có tên"}, {}),
        RowData(
            "42",
            {
                "name": "Số lớn và số nhỏ",
                "total": "999999999999.999",  # the largest amount: 15 digits, all kept
                "ratio": "123456789012345.123456",  # more digits than Excel keeps
                "count": 0,
                "done": False,
                "signed": "1900-01-01",  # the first day of Excel's calendar (the earliest date)
                "fields": ["tax"],
                "status": "new",
                "kind": "o0",
                "share": "100",
            },
            {"2027|central_budget|capital": "99999999999.999"},
        ),
    ]
    data = write_workbook([(ALL_SPEC, rows)], title="Kế hoạch thử")

    result = read_workbook(data, [ALL_SPEC])

    assert result.problems == []
    assert [r.uid for r in result.tables["all_types"]] == ["u-1", None, "42"]
    for written, read in zip(rows, result.tables["all_types"], strict=True):
        assert read.cells == written.cells
        assert read.phasing == written.phasing


def test_workbook_layout() -> None:
    data = write_workbook([(ALL_SPEC, [full_row("u-1"), full_row("u-2")])], title="Kế hoạch")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    name = sheet_names([ALL_SPEC])[0]
    assert name == "Bảng mọi kiểucột thử với tên rấ"
    assert len(name) <= 31
    assert book.sheet_names == [HELP_SHEET, name, LISTS_SHEET]
    assert book.sheets_metadata[2].visible == SheetVisibleEnum.Hidden

    grid = sheet_rows(data, name)
    header = grid[0]
    assert header[0] == "TT"
    assert header[1] == "Tên"
    assert "Tổng mức đầu tư (triệu đồng)" in header
    assert "Kinh phí 2026 - NSTW - Vốn ĐTPT (triệu đồng)" in header
    assert "Kinh phí 2027 - ODA - Vốn sự nghiệp (triệu đồng)" in header
    assert header[-1] == UID_HEADER
    assert [grid[1][0], grid[2][0]] == [1, 2]
    assert [grid[1][-1], grid[2][-1]] == ["u-1", "u-2"]
    row = dict(zip(header, grid[1], strict=True))
    assert row["Tổng mức đầu tư (triệu đồng)"] == 1234567.891
    assert row["Ngày ký"] == dt.date(2026, 11, 22)
    assert row["Hoàn thành"] == "có"
    assert row["Tình trạng"] == "Dự án chuyển tiếp"
    assert row["Lĩnh vực"] == "Giáo dục; Y tế"

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert '<pane ySplit="1"' in sheet_xml
    assert "<autoFilter" in sheet_xml
    assert "Dự án mới,Dự án chuyển tiếp" in sheet_xml  # inline drop-down
    assert "'Danh mục'!$A$2:$A$13" in sheet_xml  # the long list, on the hidden sheet
    assert '"có,không"' in sheet_xml
    assert 'operator="greaterThanOrEqual"' in sheet_xml
    assert 'sqref="A1:' not in sheet_xml.split("<dataValidations")[1].split("</dataValidations>")[0]

    help_text = " ".join(str(c) for r in sheet_rows(data, HELP_SHEET) for c in r)
    assert "Mã dòng" in help_text
    assert "triệu đồng" in help_text
    assert name in help_text
    assert "Y tế; Giáo dục; Thuế" in help_text


def test_realistic_framework_table_round_trip() -> None:
    spec = projects_spec()
    rows = [
        RowData(
            "p1",
            {
                "name": "Nâng cấp cổng thông tin điện tử",
                "lead_unit": "Sở Thông tin và Truyền thông",
                "status": "new",
                "duration": "2018-2020",
                "total": "5000",
                "source": ["central_budget", "oda"],
                "amount_2018": "1200.5",
            },
            {"2018|central_budget|capital": "1000", "2018|oda|recurrent": "200.5"},
        )
    ]
    data = write_workbook([(spec, rows)], title="KH ƯDCNTT 2018")
    result = read_workbook(data, [spec])
    assert result.problems == []
    assert result.tables["projects"] == rows


@pytest.mark.parametrize("text", ["=1+1", "+84 912", "-", "@x", '=HYPERLINK("http://x")'])
def test_formula_looking_text_stays_text(text: str) -> None:
    data = write_workbook([(ALL_SPEC, [RowData("u", {"name": text, "note": text}, {})])], title="")
    name = sheet_names([ALL_SPEC])[0]
    grid = sheet_rows(data, name)
    assert grid[1][1] == text
    assert grid[1][2] == text
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/worksheets/"):
                assert not re.search(r"<f[ >]", archive.read(part).decode()), part
    assert read_workbook(data, [ALL_SPEC]).tables["all_types"][0].cells["name"] == text


# --- the totals row ---------------------------------------------------------------------------


def test_totals_row_sums_money_integer_decimal_and_phasing_as_values() -> None:
    rows = [full_row("u-1"), full_row("u-2"), RowData(None, {"name": "Thêm", "count": 3}, {})]
    data = write_workbook([(ALL_SPEC, rows)], title="Kế hoạch")
    name = sheet_names([ALL_SPEC])[0]
    grid = sheet_rows(data, name)
    assert len(grid) == 5  # header, three rows, totals
    header, totals = grid[0], dict(zip(grid[0], grid[4], strict=True))
    assert grid[4][0] == TOTAL_LABEL  # in the TT column of a numbered table
    assert totals[UID_HEADER] == TOTAL_LABEL  # and always as the marker in the row-code column
    assert totals["Số lượng (hệ thống)"] == 27
    assert totals["Hệ số"] == -6.5
    assert totals["Tổng mức đầu tư (triệu đồng)"] == 2469135.782
    assert totals["Kinh phí 2026 - NSTW - Vốn ĐTPT (triệu đồng)"] == 3001.0
    assert totals["Kinh phí 2027 - ODA - Vốn sự nghiệp (triệu đồng)"] == 0.002
    assert totals["Kinh phí 2026 - ODA - Vốn ĐTPT (triệu đồng)"] == 0
    for not_summed in ("Tên", "Tỷ lệ (%)", "Năm bắt đầu", "Ngày ký", "Hoàn thành"):
        assert totals[not_summed] == "", not_summed
    assert all(isinstance(totals[h], float) for h in header if "Kinh phí" in str(h))

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet2.xml").decode()
    last = column_letter(len(header) - 1)
    assert f'<autoFilter ref="A1:{last}4"/>' in sheet_xml  # the data rows only
    assert not re.search(r"<f[ >]", sheet_xml)  # totals are values, not formulas
    row_5 = re.search(r'<row r="5".*?</row>', sheet_xml)
    assert row_5 is not None
    styles = {int(n) for n in re.findall(r' s="(\d+)"', row_5.group(0))}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles_xml = archive.read("xl/styles.xml").decode()
    fonts = re.findall(r"<font>.*?</font>|<font/>", styles_xml.split("<fonts")[1])
    xfs = re.findall(r"<xf [^>]*>", styles_xml.split("<cellXfs")[1].split("</cellXfs>")[0])
    font_of = [int(re.search(r'fontId="(\d+)"', xf).group(1)) for xf in xfs]  # type: ignore[union-attr]
    assert styles
    assert all("<b/>" in fonts[font_of[s]] for s in styles)  # the totals row is bold


def test_a_downloaded_workbook_reads_back_without_its_totals_row() -> None:
    rows = [full_row("u-1"), full_row("u-2", name="Hai")]
    data = write_workbook([(ALL_SPEC, rows)], title="")
    result = read_workbook(data, [ALL_SPEC])
    assert result.problems == []
    assert [r.uid for r in result.tables["all_types"]] == ["u-1", "u-2"]
    assert [r.cells for r in result.tables["all_types"]] == [r.cells for r in rows]
    assert [r.phasing for r in result.tables["all_types"]] == [r.phasing for r in rows]


def test_a_row_added_below_the_totals_row_is_still_read() -> None:
    spec = SheetSpec(
        Table("t", "Bảng", (Column("name", "Tên", "text"), Column("m", "Tiền", "money"))),
        (),
        {},
        {},
    )
    grid: list[list[Any]] = [
        ["Tên", "Tiền", UID_HEADER],
        ["a", 1.5, "x1"],
        [None, 1.5, TOTAL_LABEL],
        ["mới", 2, None],
    ]
    result = read_workbook(edited("Bảng", grid), [spec])
    assert result.problems == []
    assert [(r.uid, r.cells) for r in result.tables["t"]] == [
        ("x1", {"name": "a", "m": "1.5"}),
        (None, {"name": "mới", "m": "2"}),
    ]


def test_no_totals_row_without_rows_or_without_a_summed_column() -> None:
    texts = SheetSpec(
        Table("t", "Chữ", (Column("name", "Tên", "text"), Column("p", "Tỷ lệ", "percent"))),
        (),
        {},
        {},
    )
    data = write_workbook([(texts, [RowData("a", {"name": "x", "p": "50"})])], title="")
    assert sheet_rows(data, "Chữ") == [["Tên", "Tỷ lệ", UID_HEADER], ["x", 50.0, "a"]]
    data = write_workbook([(ALL_SPEC, [])], title="")
    assert len(sheet_rows(data, sheet_names([ALL_SPEC])[0])) == 1


@pytest.mark.parametrize("text", ["=1+2", "+84 912 345 678", "-x", "@SUM(A1)"])
def test_formula_looking_text_is_a_string_cell_next_to_totals(text: str) -> None:
    rows = [RowData("u", {"name": text, "note": text, "total": "5"}, {})]
    data = write_workbook([(ALL_SPEC, rows)], title="")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/worksheets/"):
                assert not re.search(r"<f[ >]", archive.read(part).decode()), part
    grid = sheet_rows(data, sheet_names([ALL_SPEC])[0])
    assert grid[1][1] == grid[1][2] == text
    assert grid[2][0] == TOTAL_LABEL
    result = read_workbook(data, [ALL_SPEC])
    assert result.problems == []
    assert [r.cells for r in result.tables["all_types"]] == [rows[0].cells]


# --- reading what users send back -------------------------------------------------------------


def _headers(spec: SheetSpec) -> list[str]:
    data = write_workbook([(spec, [])], title="")
    return [str(h) for h in sheet_rows(data, sheet_names([spec])[0])[0]]


def test_bad_cells_give_one_problem_each_and_good_rows_are_read() -> None:
    spec = projects_spec()
    name = sheet_names([spec])[0]
    headers = _headers(spec)
    col = {h: i for i, h in enumerate(headers)}

    def row(**cells: Any) -> list[Any]:
        values: list[Any] = [None] * len(headers)
        for header, value in cells.items():
            values[col[header]] = value
        return values

    total = "Tổng mức đầu tư dự kiến (triệu đồng)"
    status = "Dự án chuyênn tiếp hay dự án mới"
    phasing = "Kinh phí 2018 - NSTW - Vốn ĐTPT (triệu đồng)"
    money_2018 = "Kinh phí đầu tư năm 2018 (triệu đồng)"
    spec_ints = SheetSpec(
        Table(
            "counts",
            "Số liệu",
            (
                Column("name", "Tên", "text", required=True),
                Column("n", "Số hệ thống", "integer"),
                Column("d", "Ngày", "date"),
            ),
        ),
        (2018,),
        SOURCES,
        TYPES,
    )
    grid: list[list[Any]] = [
        headers,
        row(**{"TT": 1, headers[1]: "Dự án tốt", total: 1500.5, UID_HEADER: "a1"}),
        row(**{"TT": 2, headers[1]: "Tiền bằng chữ", total: "một tỷ"}),
        row(**{"TT": 3, headers[1]: "Lựa chọn lạ", status: "Dự án cũ"}),
        [None] * len(headers),  # an empty row is skipped
        row(**{"TT": 5}),  # so is a row with only its number
        row(**{headers[1]: "Kinh phí âm", phasing: -5}),
        row(**{headers[1]: "Tiếng Việt", money_2018: "1.234,5", status: "dự án mới"}),
        row(**{total: 7}),  # no name
    ]
    result = read_workbook(edited(name, grid), [spec])
    assert [str(p) for p in result.problems] == [
        f"Sheet '{name}', row 3, column {column_letter(col[total])} ({total}): "
        "not a number: một tỷ",
        f"Sheet '{name}', row 4, column {column_letter(col[status])} ({status}): "
        '"Dự án cũ" is not one of: Dự án chuyển tiếp; Dự án mới',
        f"Sheet '{name}', row 7, column {column_letter(col[phasing])} ({phasing}): "
        "must not be negative",
        f"Sheet '{name}', row 9, column B ({headers[1]}): required",
    ]
    rows = result.tables["projects"]
    assert [r.cells.get("name") for r in rows] == [
        "Dự án tốt",
        "Tiền bằng chữ",
        "Lựa chọn lạ",
        "Kinh phí âm",
        "Tiếng Việt",
        None,
    ]
    assert rows[0].uid == "a1"
    assert rows[0].cells["total"] == "1500.5"
    assert rows[4].cells == {"name": "Tiếng Việt", "amount_2018": "1234.5", "status": "new"}

    ints_name = sheet_names([spec_ints])[0]
    grid = [
        ["Tên", "Số hệ thống", "Ngày", UID_HEADER],
        ["Âm", -3, dt.date(2026, 1, 2), None],
        ["Ngày sai", 4, "31/02/2026", 12.0],
        ["Được", 2.0, "22/11/2026", None],
    ]
    result = read_workbook(edited(ints_name, grid), [spec_ints])
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "B (Số hệ thống)", "must not be negative"),
        (3, "C (Ngày)", "not a date (write it as 22/11/2026): 31/02/2026"),
    ]
    rows = result.tables["counts"]
    assert [r.uid for r in rows] == [None, "12", None]
    assert rows[2].cells == {"name": "Được", "n": 2, "d": "2026-11-22"}


def test_unknown_header_and_missing_column() -> None:
    spec = projects_spec()
    name = sheet_names([spec])[0]
    headers = _headers(spec)
    lead = "Đơn vị chủ trì triển khai"
    headers[headers.index(lead)] = "Ghi chú thêm"
    total = headers.index("Tổng mức đầu tư dự kiến (triệu đồng)")
    headers[total] = "  Tổng mức đầu tư   dự kiến "  # without its unit, spaced: still known
    result = read_workbook(edited(name, [headers, ["", "Dự án", "x", "", "", "", "", ""]]), [spec])
    letter = column_letter(headers.index("Ghi chú thêm"))
    assert [str(p) for p in result.problems] == [
        f"Sheet '{name}', row 1, column {letter} (Ghi chú thêm): unknown column Ghi chú thêm",
        f"Sheet '{name}': column {lead} is missing",
    ]
    assert result.tables["projects"][0].cells == {"name": "Dự án"}


def test_sheets_found_by_name_and_missing_sheets() -> None:
    spec = projects_spec()
    data = write_workbook([(spec, [RowData(None, {"name": "A"}, {})])], title="")
    both = read_workbook(data, [ALL_SPEC, spec])
    assert both.problems == []
    assert list(both.tables) == ["projects"]  # a sheet not sent back is just absent

    other = edited("Trang tính 1", [["Tên"], ["A"]])
    result = read_workbook(other, [ALL_SPEC, spec])
    assert result.tables == {}
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [
        (n, None, None) for n in sheet_names([ALL_SPEC, spec])
    ]
    assert "Trang tính 1" in result.problems[0].message


def test_sheet_names_are_cleaned_and_unique() -> None:
    def spec(title: str) -> SheetSpec:
        return SheetSpec(Table("t", title, ()), (), {}, {})

    names = sheet_names([spec("Danh mục"), spec("Danh mục"), spec("a/b?"), spec("[]*")])
    assert names == ["Danh mục (2)", "Danh mục (3)", "ab", "t"]


def test_too_many_rows_and_copied_row_codes() -> None:
    spec = SheetSpec(Table("t", "Bảng", (Column("name", "Tên", "text"),)), (), {}, {})
    grid: list[list[Any]] = [["Tên", UID_HEADER], ["a", "x1"], ["b", "x1"], ["c", None]]
    result = read_workbook(edited("Bảng", grid), [spec])
    assert [(p.row, p.column) for p in result.problems] == [(3, f"B ({UID_HEADER})")]
    assert len(result.tables["t"]) == 3

    result = read_workbook(edited("Bảng", grid), [spec], max_rows=2)
    assert "t" not in result.tables
    assert [str(p) for p in result.problems][-1] == (
        "Sheet 'Bảng': the sheet has more than 2 rows; split it into several files"
    )


def test_excel_float_noise_is_read_as_excel_shows_it() -> None:
    spec = SheetSpec(
        Table("t", "Bảng", (Column("m", "Tiền", "money"), Column("s", "Mã", "text"))), (), {}, {}
    )
    grid: list[list[Any]] = [["Tiền", "Mã", UID_HEADER], [0.1 + 0.2, 2018.0, None]]
    result = read_workbook(edited("Bảng", grid), [spec])
    assert result.problems == []
    assert result.tables["t"][0].cells == {"m": "0.3", "s": "2018"}


def test_problem_text() -> None:
    problem = ImportProblem(
        "X", 5, "D (Tổng mức đầu tư)", "not a number: %(value)s", {"value": "abc"}
    )
    assert str(problem) == "Sheet 'X', row 5, column D (Tổng mức đầu tư): not a number: abc"
    assert str(ImportProblem("X", None, None, "required", {})) == "Sheet 'X': required"


def test_unreadable_file_is_a_problem_not_a_crash() -> None:
    result = read_workbook(b"%PDF-1.7 not a workbook", [ALL_SPEC])
    assert result.tables == {}
    assert len(result.problems) == 1


def test_large_table_round_trip() -> None:
    rows = [full_row(f"u{i}", name=f"Dự án {i}") for i in range(2000)]
    data = write_workbook([(ALL_SPEC, rows)], title="")
    result = read_workbook(data, [ALL_SPEC])
    assert result.problems == []
    assert len(result.tables["all_types"]) == 2000
    assert result.tables["all_types"][1999].cells == rows[1999].cells


# --- checking the upload ----------------------------------------------------------------------


def _refusal(data: bytes, filename: str, **kwargs: Any) -> str:
    with pytest.raises(CellValueError) as caught:
        check_workbook_file(data, filename, **kwargs)
    return caught.value.error.template


def _workbook() -> bytes:
    return write_workbook([(ALL_SPEC, [full_row("u")])], title="")


def _with_entry(data: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def test_a_written_workbook_passes() -> None:
    check_workbook_file(_workbook(), "Kế hoạch.XLSX")


def test_a_pdf_renamed_xlsx_is_refused() -> None:
    template = _refusal(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF", "bao-cao.xlsx")
    assert template == "the file is not an Excel workbook (.xlsx), whatever its name says"


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert "not an Excel workbook" in _refusal(buffer.getvalue(), "a.xlsx")


@pytest.mark.parametrize("filename", ["a.xlsm", "a.xls", "a.csv", "xlsx"])
def test_other_extensions_are_refused(filename: str) -> None:
    with pytest.raises(CellValueError) as caught:
        check_workbook_file(_workbook(), filename)
    assert caught.value.error.template == "only .xlsx files are accepted (not %(ext)s)"
    if filename == "a.xlsm":
        assert str(caught.value) == "only .xlsx files are accepted (not .xlsm)"


def test_macros_are_refused() -> None:
    with_vba = _with_entry(_workbook(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    assert _refusal(with_vba, "a.xlsx") == (
        "the workbook contains macros; save it as a plain .xlsx workbook"
    )
    data = _workbook()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
                assert b"macroEnabled" in content
            target.writestr(item, content)
    assert "macros" in _refusal(buffer.getvalue(), "a.xlsx")


def test_too_large_is_refused() -> None:
    with pytest.raises(CellValueError) as caught:
        check_workbook_file(_workbook(), "a.xlsx", max_bytes=1000)
    assert str(caught.value) == "the file is larger than 0.001 MB"
    assert _refusal(b"x" * 10_000_001, "a.xlsx") == "the file is larger than %(max)s MB"


def test_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_workbook())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        with target.open("xl/media/zeros.bin", "w") as stream:
            chunk = b"\0" * 1_000_000
            for _ in range(201):
                stream.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 10_000_000
    assert "too large once unpacked" in _refusal(data, "a.xlsx")
