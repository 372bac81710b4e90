"""Plain tables as an XLSX workbook (the allocation appendix, the total investment
estimate): numbers as numbers, texts as texts (written as strings, so never run as
formulas), and a totals row of SUM formulas that agree with the figures (their value is
stored too, for readers that do not compute)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from govplan.core.adapters.xlsx import Formats, clean_sheet_name, column_letter, new_workbook
from govplan.core.printable import printable

Cell = str | int | Decimal


@dataclass(frozen=True)
class SheetTable:
    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    lines_above: tuple[str, ...] = ()  # title lines printed above the table
    totals: bool = True  # a "Tổng cộng" row: SUM of every numeric column
    total_label: str = "Tổng cộng"
    widths: tuple[float, ...] = field(default_factory=tuple)
    whole: bool = True  # numbers are whole đồng (#,##0); else million VND (#,##0.###)


def write_tables_xlsx(title: str, sheets: Sequence[SheetTable]) -> bytes:
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, title=printable(title))
    formats = Formats(workbook)
    taken: set[str] = set()
    for sheet in sheets:
        name = clean_sheet_name(sheet.name)[:31] or "Sheet"
        while name in taken:
            name = name[:28] + f"_{len(taken)}"
        taken.add(name)
        worksheet = workbook.add_worksheet(name)
        number = formats.whole if sheet.whole else formats.money
        bold_number = formats.style("whole" if sheet.whole else "money", bold=True)
        row = 0
        for line in sheet.lines_above:
            worksheet.write_string(row, 0, printable(line), formats.heading)
            row += 1
        if sheet.lines_above:
            row += 1
        header_row = row
        for col, heading in enumerate(sheet.headers):
            worksheet.write_string(row, col, printable(heading), formats.table_header)
        for col, width in enumerate(sheet.widths):
            worksheet.set_column(col, col, width)
        numeric: set[int] = set()
        sums: dict[int, Decimal] = {}
        for values in sheet.rows:
            row += 1
            for col, value in enumerate(values):
                if isinstance(value, int | Decimal) and not isinstance(value, bool):
                    worksheet.write_number(row, col, value, number)
                    numeric.add(col)
                    sums[col] = sums.get(col, Decimal(0)) + Decimal(value)
                else:
                    worksheet.write_string(row, col, printable(str(value)), formats.text)
        if sheet.totals:
            first, last = header_row + 2, row + 1  # 1-based rows of the body
            row += 1
            worksheet.write_string(row, 0, sheet.total_label, formats.style("text", bold=True))
            for col in sorted(numeric):
                letter = column_letter(col)
                worksheet.write_formula(
                    row, col, f"=SUM({letter}{first}:{letter}{last})", bold_number, sums[col]
                )
    workbook.close()
    return buffer.getvalue()
