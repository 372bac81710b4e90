"""Read-only report workbooks: any list of sheets, each a header row over typed rows.

The cycle workbook (every unit's tables of one framework version) is written with it. Cells
are typed the way the document workbook types them (``govplan.core.adapters.xlsx``): numbers
are numbers, money in million VND with thousands separators ("#,##0" or "#,##0.###"), dates
are dates, and a text is always written as a string, so a text starting with =, +, - or @ is
never something a spreadsheet would run. A totals row holds values, not formulas.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govplan.core.adapters.xlsx import (
    EXCEL_MAX_ROW,
    SUMMED_TYPES,
    TOTAL_LABEL,
    Formats,
    clean_sheet_name,
    column_letter,
    finite_decimal,
    fit_width,
    new_workbook,
    unique_sheet_name,
    write_typed,
)
from govplan.core.documents.cells import canonical_decimal
from govplan.core.printable import printable

REPORT_TYPES = (
    "text",
    "longtext",
    "integer",
    "decimal",
    "money",
    "percent",
    "year",
    "date",
    "datetime",
)
DEFAULT_SHEET_NAME = "Trang"


@dataclass(frozen=True)
class ReportColumn:
    header: str
    type: str = "text"  # one of REPORT_TYPES

    def __post_init__(self) -> None:
        if self.type not in REPORT_TYPES:
            raise ValueError(f"unknown column type {self.type!r}")


@dataclass
class ReportSheet:
    """One sheet: optional title lines, then the header row, the rows (one value per column,
    None for an empty cell) and, with ``totals``, a row summing the integer, decimal and money
    columns."""

    name: str
    columns: Sequence[ReportColumn]
    rows: Sequence[Sequence[Any]] = ()
    title_lines: Sequence[str] = field(default_factory=list)
    totals: bool = False


def write_report(sheets: list[ReportSheet], *, title: str) -> bytes:
    """An .xlsx workbook of the sheets, in order (names cleaned and made unique)."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, title=title)
    formats = Formats(workbook)
    taken: set[str] = set()
    for sheet in sheets:
        name = unique_sheet_name(clean_sheet_name(sheet.name) or DEFAULT_SHEET_NAME, taken)
        _write_sheet(workbook.add_worksheet(name), sheet, formats)
    workbook.close()
    return buffer.getvalue()


def header_row(sheet: ReportSheet) -> int:
    """The 0-based row of a sheet's header: below its title lines and one blank row."""
    return len(sheet.title_lines) + 1 if sheet.title_lines else 0


def sheet_totals(sheet: ReportSheet) -> dict[int, Decimal] | None:
    """Column index → sum of the integer, decimal and money columns over the rows, exactly
    (values that are not numbers count for nothing); None when the sheet asks for no totals,
    has no row or no such column."""
    summed = [i for i, column in enumerate(sheet.columns) if column.type in SUMMED_TYPES]
    if not sheet.totals or not sheet.rows or not summed:
        return None
    totals = dict.fromkeys(summed, Decimal(0))
    for row in sheet.rows:
        for index in summed:
            if index < len(row):
                number = finite_decimal(row[index])
                if number is not None:
                    totals[index] += number
    return totals


def _write_sheet(worksheet: Any, sheet: ReportSheet, formats: Formats) -> None:
    for index, line in enumerate(sheet.title_lines):
        worksheet.write_string(
            index, 0, printable(line), formats.title if index == 0 else formats.heading
        )
    columns = list(sheet.columns)
    if not columns:
        return
    top = header_row(sheet)
    if top + len(sheet.rows) + 1 >= EXCEL_MAX_ROW:
        raise ValueError(f"{sheet.name}: {len(sheet.rows)} rows do not fit in a sheet")
    texts: list[list[str]] = [[] for _ in columns]
    for col, column in enumerate(columns):
        worksheet.write_string(top, col, printable(column.header), formats.header)
    for number, row in enumerate(sheet.rows, start=top + 1):
        for col, value in enumerate(row[: len(columns)]):
            texts[col].append(
                write_typed(worksheet, number, col, columns[col].type, value, formats)
            )
    last_data_row = top + max(len(sheet.rows), 1)
    totals = sheet_totals(sheet)
    if totals is not None:
        totals_row = top + len(sheet.rows) + 1
        label = next((i for i in range(len(columns)) if i not in totals), None)
        if label is not None:
            worksheet.write_string(totals_row, label, TOTAL_LABEL, formats.style("text", bold=True))
            texts[label].append(TOTAL_LABEL)
        for col, total in totals.items():
            shown = write_typed(
                worksheet,
                totals_row,
                col,
                columns[col].type,
                canonical_decimal(total),
                formats,
                bold=True,
            )
            texts[col].append(shown)
    for col, column in enumerate(columns):
        column_format = (
            formats.style("datetime")
            if column.type == "datetime"
            else formats.for_column(column.type)
        )
        worksheet.set_column(col, col, fit_width(texts[col], header=column.header), column_format)
    last_col = len(columns) - 1
    worksheet.freeze_panes(top + 1, 0)
    worksheet.autofilter(top, 0, last_data_row, last_col)
    worksheet.ignore_errors({"number_stored_as_text": f"A1:{column_letter(last_col)}1048576"})
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.repeat_rows(top)
    worksheet.fit_to_pages(1, 0)
