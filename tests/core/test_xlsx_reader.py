"""Reading an uploaded workbook cannot take the server down: the declared range is checked
before anything reads the sheet, the cells are read in a separate process under limits, and
whatever goes wrong there is a refusal ("too large or damaged"), logged; no database."""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import zipfile
from pathlib import Path

import pytest
import xlsxwriter  # type: ignore[import-untyped]

from govplan.core.adapters import xlsx_reader
from govplan.core.adapters.xlsx import (
    UID_HEADER,
    RowData,
    SheetSpec,
    check_workbook_file,
    read_workbook,
    sheet_names,
    write_workbook,
)
from govplan.core.adapters.xlsx_reader import ReadLimits, inspect_workbook
from govplan.core.documents.cells import CellValueError
from govplan.core.frameworks.model import Column, Table
from tests.support.crafted_xlsx import crafted_workbook

TABLE = Table(
    "projects",
    "Danh mục dự án",
    (Column("name", "Tên dự án", "text", required=True), Column("total", "Tổng", "money")),
)
SPEC = SheetSpec(TABLE, (), {}, {})
SHEET = sheet_names([SPEC])[0]
HEADER = {"A1": "Tên dự án", "B1": "Tổng", "C1": UID_HEADER}
UNREADABLE = "the file could not be read: it is too large or damaged"


def test_a_sheet_declaring_a_million_rows_is_refused_by_name_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The 1.5 KB file of the issue: its sheet declares A1:XFD1048576 (and holds that cell)."""
    data = crafted_workbook(SHEET, dimension="A1:XFD1048576", cells={**HEADER, "XFD1048576": "x"})
    assert len(data) < 2000

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sheet was handed to the reader")

    monkeypatch.setattr("govplan.core.adapters.xlsx.read_sheets", no_reading)
    result = read_workbook(data, [SPEC])
    assert result.tables == {}
    (problem,) = result.problems
    assert problem.sheet == SHEET
    assert problem.params["range"] == "A1:XFD1048576"
    assert str(problem).startswith(
        "Sheet 'Danh mục dự án': the sheet declares the range A1:XFD1048576 "
        "(1048576 rows, 16384 columns); a sheet of this table may reach at most row 20002"
    )


def test_a_cell_at_the_far_corner_without_a_declared_range_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No <dimension>, one cell at XFD1048576: calamine asks for 512 GB and aborts its
    process. That process is the reader's own: this one carries on and says why."""
    data = crafted_workbook(SHEET, dimension=None, cells={**HEADER, "XFD1048576": "x"})
    with caplog.at_level(logging.WARNING, logger="govplan.core.adapters.xlsx_reader"):
        result = read_workbook(data, [SPEC], context="bang.xlsx")
    assert result.tables == {}
    assert [str(p) for p in result.problems] == [UNREADABLE]
    (record,) = caplog.records
    assert "bang.xlsx" in record.getMessage()
    assert "1024 MB" in record.getMessage()


def test_cells_beyond_the_table_without_a_declared_range_are_refused_by_name() -> None:
    data = crafted_workbook(SHEET, dimension=None, cells={**HEADER, "A25000": "x"})
    (problem,) = read_workbook(data, [SPEC], max_rows=5000).problems
    assert str(problem).startswith(
        "Sheet 'Danh mục dự án': the sheet has cells up to C25000 (25000 rows, 3 columns); "
        "a sheet of this table may reach at most row 10002"
    )


def test_a_range_the_table_can_fill_is_read() -> None:
    cells = {**HEADER, "A2": "Cổng dịch vụ công", "B2": "1.500,5"}
    data = crafted_workbook(SHEET, dimension="A1:C2", cells=cells)
    result = read_workbook(data, [SPEC])
    assert result.problems == []
    assert result.tables["projects"] == [
        RowData(None, {"name": "Cổng dịch vụ công", "total": "1500.5"}, {})
    ]


def test_a_reader_that_does_not_finish_in_time_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    endless = tmp_path / "endless.py"
    endless.write_text("while True:\n    pass\n")
    monkeypatch.setattr(xlsx_reader, "CHILD", endless)
    data = write_workbook([(SPEC, [RowData(None, {"name": "A"}, {})])], title="")
    with caplog.at_level(logging.WARNING, logger="govplan.core.adapters.xlsx_reader"):
        result = read_workbook(data, [SPEC], limits=ReadLimits(seconds=1))
    assert [str(p) for p in result.problems] == [UNREADABLE]
    assert "timed out" in caplog.records[0].getMessage()


def test_a_reader_over_its_memory_limit_is_stopped() -> None:
    """No <dimension>, one cell at ZZ8000: calamine needs 180 MB for the sheet's rectangle
    before anything can look at it. With 400 MB the reader gets that far and the sheet is
    refused by its size; with 100 MB the memory limit stops the reading process."""
    data = crafted_workbook(SHEET, dimension=None, cells={**HEADER, "ZZ8000": "x"})
    enough = read_workbook(data, [SPEC], limits=ReadLimits(memory_bytes=400 * 1024 * 1024))
    assert "the sheet has cells up to ZZ8000" in str(enough.problems[0])
    small = ReadLimits(memory_bytes=100 * 1024 * 1024)
    assert [str(p) for p in read_workbook(data, [SPEC], limits=small).problems] == [UNREADABLE]


def test_what_the_reader_sends_back_is_plain_data_with_its_types() -> None:
    """Numbers (non-finite ones too, for the cell parser to refuse), dates, booleans and
    text come back from the reading process as calamine gave them."""
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>T</t></is></c></row>'
        b'<row r="2"><c r="A2"><v>inf</v></c><c r="B2"><v>NaN</v></c><c r="C2"><v>2.5</v></c>'
        b'<c r="D2" t="b"><v>1</v></c><c r="E2"><v>7</v></c></row>'
        b"</sheetData></worksheet>"
    )
    data = crafted_workbook("T", dimension=None, cells={}, sheet_xml=sheet)
    cells = xlsx_reader.read_sheets(data, [xlsx_reader.SheetRequest("T", 10, 10)], ReadLimits())
    rows = cells.sheets["T"].rows
    assert rows is not None
    assert rows[0] == ["T"]
    assert rows[1][0] == math.inf and math.isnan(rows[1][1])
    assert rows[1][2:] == [2.5, True, 7.0]


def test_a_non_finite_number_reaches_the_cell_parser() -> None:
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên dự án</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Tổng</t></is></c>'
        f'<c r="C1" t="inlineStr"><is><t>{UID_HEADER}</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><v>inf</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    result = read_workbook(
        crafted_workbook(SHEET, dimension=None, cells={}, sheet_xml=sheet), [SPEC]
    )
    assert [(p.row, p.column) for p in result.problems] == [(2, "B (Tổng)")]


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
        target.writestr(name, content)
    return buffer.getvalue()


def test_a_part_packed_like_a_zip_bomb_is_refused() -> None:
    """20 MB of one repeated byte packs into some 20 KB: within the size limit once
    unpacked, but no workbook part packs a thousand times."""
    data = write_workbook([(SPEC, [RowData(None, {"name": "A"}, {})])], title="")
    bomb = _with_member(data, "xl/sharedStrings.xml", b" " * 20_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(CellValueError) as caught:
        check_workbook_file(bomb, "a.xlsx")
    assert "zip bomb" in str(caught.value) and "xl/sharedStrings.xml" in str(caught.value)
    result = read_workbook(bomb, [SPEC])
    assert result.tables == {} and "zip bomb" in str(result.problems[0])


def test_a_workbook_part_with_a_dtd_is_not_a_workbook() -> None:
    data = write_workbook([(SPEC, [])], title="")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml")
    laughs = workbook.replace(b"<workbook", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><workbook', 1)
    with pytest.raises(CellValueError):
        inspect_workbook(_with_member(data, "xl/workbook.xml", laughs))


def test_the_declared_range_of_each_sheet_is_found_without_unpacking_it() -> None:
    data = write_workbook([(SPEC, [RowData(None, {"name": "A"}, {})] * 3)], title="")
    sheets = {s.name: s for s in inspect_workbook(data)}
    assert sheets[SHEET].part == "xl/worksheets/sheet2.xml"
    assert sheets[SHEET].last_cell == (5, 3)  # header, three rows, totals; three columns


def test_the_reading_process_gets_none_of_the_servers_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spy = tmp_path / "spy.py"
    out = tmp_path / "env.txt"
    spy.write_text(f"import os\nopen({str(out)!r}, 'w').write(repr(dict(os.environ)))\n")
    monkeypatch.setattr(xlsx_reader, "CHILD", spy)
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    read_workbook(write_workbook([(SPEC, [])], title=""), [SPEC])
    assert "do-not-leak" not in out.read_text()


def test_dates_and_times_come_back_from_the_reading_process_as_such() -> None:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("T")
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    moment = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    clock = workbook.add_format({"num_format": "hh:mm"})
    sheet.write_datetime(0, 0, dt.date(2026, 11, 22), day)
    sheet.write_datetime(0, 1, dt.datetime(2026, 11, 22, 9, 30), moment)
    sheet.write_datetime(0, 2, dt.time(9, 30), clock)
    workbook.close()
    cells = xlsx_reader.read_sheets(
        buffer.getvalue(), [xlsx_reader.SheetRequest("T", 10, 10)], ReadLimits()
    )
    assert cells.sheets["T"].rows == [
        [dt.date(2026, 11, 22), dt.datetime(2026, 11, 22, 9, 30), dt.time(9, 30)]
    ]
