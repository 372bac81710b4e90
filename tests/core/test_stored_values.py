"""The writers on data no input check would let in today: control characters and halves of
surrogate pairs are dropped, amounts that are not finite numbers in range count for
nothing."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from docx import Document as Docx
from python_calamine import CalamineWorkbook

from govplan.core.adapters.docx import write_docx
from govplan.core.adapters.pdf import write_pdf
from govplan.core.adapters.report_xlsx import ReportColumn, ReportSheet, write_report
from govplan.core.documents.totals import amount, column_totals, row_phasing_total
from govplan.core.official.model import Paragraph, Run
from govplan.core.printable import printable, printable_data
from tests.core.test_official_docx import PLAN, PROJECTS

BAD = "Dự án\x07 chuông\x1b thoát \ud800 lẻ\x00"
HUGE = "1" + "0" * 400


def test_printable_drops_what_no_file_can_hold_and_keeps_the_rest() -> None:
    assert printable(BAD) == "Dự án chuông thoát  lẻ"
    assert printable("a\tb\nc\r\nd") == "a\tb\nc\r\nd"  # breaks are the writers' to lay out
    assert printable("\ud83d\ude00") == "😀"  # a pair that stands together is one character
    assert printable("Nghị định 30/2020/NĐ-CP") == "Nghị định 30/2020/NĐ-CP"
    assert printable_data({"cells": {"name\x1b": [BAD, 1, None]}}) == {
        "cells": {"name": ["Dự án chuông thoát  lẻ", 1, None]}
    }


def poisoned_plan():  # type: ignore[no-untyped-def]
    table = dataclasses.replace(PROJECTS, rows=((BAD, *PROJECTS.rows[0][1:]), *PROJECTS.rows[1:]))
    section = dataclasses.replace(
        PLAN.sections[0], blocks=(Paragraph((Run(f"Mở đầu {BAD}"),)), table)
    )
    return dataclasses.replace(PLAN, subject=f"Chuyển đổi số {BAD}", sections=(section,))


def test_the_docx_writer_drops_bad_characters() -> None:
    document = Docx(io.BytesIO(write_docx(poisoned_plan())))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Mở đầu Dự án chuông thoát  lẻ" in text
    assert "Dự án chuông thoát  lẻ" in cells


def test_the_pdf_writer_drops_bad_characters() -> None:
    pdf = pdfium.PdfDocument(write_pdf(poisoned_plan()))
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "chuông thoát" in text and "\x07" not in text


@pytest.mark.parametrize(
    "value", [HUGE, "1e400", "-1e400", "Infinity", "NaN", "sNaN", "abc", "", None, True]
)
def test_an_amount_out_of_range_or_not_a_number_counts_for_nothing(value: object) -> None:
    assert amount(value) is None
    assert row_phasing_total({"2027|a|b": value, "2027|c|d": "5"}) == Decimal(5)
    assert column_totals([{"x": value}, {"x": "2.5"}], ["x"]) == {"x": Decimal("2.5")}


def test_the_report_workbook_writes_bad_amounts_as_text_and_adds_the_rest() -> None:
    sheet = ReportSheet(
        "Dự án",
        [ReportColumn("Tên"), ReportColumn("Kinh phí", "money")],
        [[BAD, HUGE], ["Tốt", "1000"], ["Vô hạn", "Infinity"], ["Lớn", "1e400"]],
        title_lines=[f"Tiêu đề {BAD}"],
        totals=True,
    )
    book = CalamineWorkbook.from_filelike(io.BytesIO(write_report([sheet], title="t")))
    rows = book.get_sheet_by_name("Dự án").to_python()
    assert rows[0][0] == "Tiêu đề Dự án chuông thoát  lẻ"
    body = rows[3:]
    assert body[0] == ["Dự án chuông thoát  lẻ", HUGE]
    assert body[2][1] == "Infinity" and body[3][1] == "1e400"
    assert body[-1][1] == 1000  # the total: the good amount only
