"""The pivot's table as CSV and XLSX: the same selection, the same numbers as the page.

Both files open with a header naming the selection (indicators, units, years, options), the
layer, the structure and the moment they were made; then one row per unit and the totals
row. Numbers are numbers (the XLSX writes them as numbers; the CSV writes them with a "."
decimal point and no grouping, as a program reads them); an empty cell is a missing figure,
and "no data" is written as such, never as 0. A text that a spreadsheet would run (starting
with =, +, -, @ …) is written so that it stays a text: the XLSX through the project's
workbook options (``core.adapters.xlsx``), the CSV with a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from govplan.core import csvsafe
from govplan.core.adapters.xlsx import Formats, fit_width, new_workbook, write_typed
from govplan.core.csvsafe import csv_cell
from govplan.core.printable import printable
from govplan.national.pivot_table import Column, PivotTable, Value


def csv_text(text: str) -> str:
    """A text cell a spreadsheet opening the CSV will not run as a formula (the CSV writer
    applies it to every cell too)."""
    return csv_cell(text)


def number_text(value: Decimal | None) -> str:
    """A figure as a program reads it: 1234.5 (at most 4 decimals), "" when missing."""
    if value is None:
        return ""
    rounded = round(value, 4).normalize()
    text = format(rounded, "f")
    return "0" if text in ("-0", "") else text


def column_title(column: Column) -> str:
    parts = [column.indicator.code]
    if column.option:
        parts.append(column.option)
    parts.append(str(column.year))
    unit = column.indicator.unit
    return " · ".join(parts) + (f" ({unit})" if unit else "")


def header_lines(description: Sequence[tuple[str, str]]) -> list[list[str]]:
    return [[label, value] for label, value in description]


def _cell_text(value: Value) -> str:
    if value.figure is None:
        return _("no data") if value.no_data else ""
    return number_text(value.figure)


def to_csv(table: PivotTable, description: Sequence[tuple[str, str]]) -> str:
    """The table as CSV (UTF-8 with a byte-order mark, so that Excel reads Vietnamese)."""
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")
    for label, value in description:
        writer.writerow([csv_text(label), csv_text(value)])
    writer.writerow([])
    writer.writerow([_("Unit"), _("Code"), *(csv_text(column_title(c)) for c in table.columns)])
    for place, values in table.rows():
        writer.writerow(
            [csv_text(place.name), csv_text(place.code), *(_cell_text(v) for v in values)]
        )
    writer.writerow([_("Total"), "", *(_cell_text(v) for v in table.total_row())])
    return "\ufeff" + out.getvalue()


def to_xlsx(table: PivotTable, description: Sequence[tuple[str, str]], *, title: str) -> bytes:
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, title=title)
    formats = Formats(workbook)
    sheet = workbook.add_worksheet(_("Pivot")[:31])
    bold = workbook.add_format({"bold": True})
    row = 0
    sheet.write_string(row, 0, printable(title)[:32767], bold)
    row += 1
    for label, words in description:
        sheet.write_string(row, 0, printable(label))
        sheet.write_string(row, 1, printable(words)[:32767])
        row += 1
    row += 1
    headings = [_("Unit"), _("Code"), *(column_title(c) for c in table.columns)]
    for col, heading in enumerate(headings):
        sheet.write_string(row, col, printable(heading), bold)
    header_row = row
    row += 1
    names: list[str] = []
    for place, values in table.rows():
        names.append(write_typed(sheet, row, 0, "text", place.name, formats))
        write_typed(sheet, row, 1, "text", place.code, formats)
        for col, figure in enumerate(values, start=2):
            _write_value(sheet, row, col, figure, formats)
        row += 1
    write_typed(sheet, row, 0, "text", _("Total"), formats, bold=True)
    for col, figure in enumerate(table.total_row(), start=2):
        _write_value(sheet, row, col, figure, formats, bold=True)
    sheet.set_column(0, 0, fit_width(names, header=_("Unit")))
    sheet.set_column(2, 1 + max(len(table.columns), 1), 16)
    sheet.freeze_panes(header_row + 1, 2)
    workbook.close()
    return buffer.getvalue()


def _write_value(
    sheet: object, row: int, col: int, value: Value, formats: Formats, *, bold: bool = False
) -> None:
    if value.figure is None:
        if value.no_data:
            write_typed(sheet, row, col, "text", _("no data"), formats, bold=bold)
        return
    write_typed(sheet, row, col, "decimal", number_text(value.figure), formats, bold=bold)


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")
