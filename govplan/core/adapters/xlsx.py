"""Framework tables as Excel workbooks: written for agencies to fill, read back when they return.

``write_workbook`` gives one sheet per table (after an instructions sheet), with typed cells,
drop-down lists and number checks; ``read_workbook`` maps the columns back by their header
text and parses every cell with the same parser as the grid and the forms
(``govplan.core.documents.cells``), collecting every problem with its sheet, row and column.
``check_workbook_file`` refuses an upload that is not a plain .xlsx workbook before anything
opens it.

Sheet names are derived from the table titles (``sheet_names``); the reader finds a table's
sheet by the name the writer gave it, so both must be given the same list of specs.

Long because: the writer and the reader are two halves of one format (the sheet names, the
header texts, the row-code column, the totals row and the typed cells each side must agree
on), and keeping them in one module keeps that agreement in one place. The seam is marked
(``# --- reading``); the reader is the half to move out if the module grows.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from govplan.core.adapters.xlsx_reader import (
    UNREADABLE,
    ReadLimits,
    SheetCells,
    SheetRequest,
    WorkbookReadFailed,
    check_archive,
    inspect_workbook,
    read_sheets,
)
from govplan.core.documents.cells import (
    MONEY_PLACES,
    YEAR_MAX,
    YEAR_MIN,
    CellValueError,
    canonical_decimal,
    display_value,
    is_blank,
    parse_column_value,
    parse_money,
)
from govplan.core.documents.totals import (
    WHOLE_PERIOD,
    amount,
    column_totals,
    table_phasing_totals,
)
from govplan.core.frameworks.model import Column, RowGroup, Table
from govplan.core.i18n import gettext_noop
from govplan.core.printable import printable

HELP_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
TT_HEADER = "TT"
UID_HEADER = "Mã dòng (không sửa)"
UID_HEADER_SHORT = "Mã dòng"
MONEY_UNIT = "triệu đồng"
GROUP_HEADER = "Nhóm"
WHOLE_PERIOD_LABEL = "cả giai đoạn"
# The label of a totals row; in the row-code column it marks the row the reader skips.
TOTAL_LABEL = "Tổng cộng"
SUMMED_TYPES = ("integer", "decimal", "money")  # column types that get a total
EXTRA_ROWS = 2000  # drop-downs and number checks reach this many rows below the data
COLUMN_SLACK = 50  # columns a table's sheet may reach beyond the table's own (max_sheet_columns)
MAX_CONTENT_TYPES_BYTES = 1_000_000
MAX_WIDTH = 50
SHEET_NAME_MAX = 31
EXCEL_LIST_MAX = 255
EXCEL_MAX_ROW = 1_048_576
FLOAT_DIGITS = 15  # what Excel keeps of a number

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_NUMBER_TYPES = ("integer", "decimal", "money", "percent", "year")
_NUMBER_STYLES = {"integer": "whole", "year": "year"}  # money: "whole" or "money"
_TEXT_TYPES = ("text", "longtext", "url", "year_range")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_TYPE_HELP = {
    "text": "Văn bản",
    "longtext": "Văn bản dài (có thể xuống dòng bằng Alt+Enter)",
    "integer": "Số nguyên, không âm",
    "decimal": "Số",
    "money": "Số tiền (triệu đồng), không âm, tối đa 3 chữ số thập phân",
    "percent": "Tỷ lệ phần trăm từ 0 đến 100 (ghi 45 cho 45%)",
    "year": f"Năm, từ {YEAR_MIN} đến {YEAR_MAX} (ví dụ 2026)",
    "year_range": "Khoảng năm (ví dụ 2018-2020)",
    "date": "Ngày/tháng/năm (ví dụ 22/11/2026)",
    "boolean": "Có/không: chọn «có» hoặc «không»",
    "choice": "Chọn một giá trị trong danh sách thả xuống",
    "multichoice": "Một hoặc nhiều giá trị trong danh sách, cách nhau bằng dấu chấm phẩy (;)",
    "url": "Địa chỉ web, bắt đầu bằng https://",
}


# --- public data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetSpec:
    table: Table
    years: tuple[int, ...]
    source_labels: dict[str, str]
    type_labels: dict[str, str]


@dataclass
class RowData:
    uid: str | None
    cells: dict[str, Any]
    phasing: dict[str, str] = field(default_factory=dict)
    group: str = ""  # the code of its group, in a table with groups


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int | None
    column: str | None
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        where = [f"Sheet '{self.sheet}'"] if self.sheet else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ImportResult:
    tables: dict[str, list[RowData]] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)


# --- layout shared by the writer and the reader ---------------------------------------------


@dataclass(frozen=True)
class _Slot:
    kind: str  # "tt", "group", "column", "phasing", "uid"
    header: str
    accepts: frozenset[str]  # normalised header texts that map to this slot
    column: Column | None = None
    key: str = ""  # phasing key "YEAR|source|type"
    groups: tuple[RowGroup, ...] = ()  # the table's groups, for the "group" slot


def group_label(group: RowGroup) -> str:
    """A group as a workbook shows it, and reads it back: "I. Ứng dụng CNTT"."""
    return f"{group.number}. {group.title}"


def find_group(groups: Sequence[RowGroup], text: str) -> RowGroup | None:
    """The group ``text`` names: its label, number, title or code."""
    wanted = _norm(text)
    return next(
        (
            g
            for g in groups
            if wanted in {_norm(group_label(g)), _norm(g.number), _norm(g.title), _norm(g.code)}
        ),
        None,
    )


def column_header(column: Column) -> str:
    """The header text of a table column: its title, with " (unit)" when it has a unit."""
    return f"{column.title} ({column.unit})" if column.unit else column.title


def phasing_columns(spec: SheetSpec) -> list[tuple[str, str]]:
    """(key "YEAR|source|type", header) of each phasing column, in sheet order."""
    phasing = spec.table.phasing
    if phasing is None:
        return []
    result = []
    for year in spec.years:
        for source in phasing.sources:
            for kind in phasing.types:
                label = (
                    f"Kinh phí {year if year != WHOLE_PERIOD else WHOLE_PERIOD_LABEL}"
                    f" - {spec.source_labels.get(source, source)}"
                    f" - {spec.type_labels.get(kind, kind)}"
                )
                result.append((f"{year}|{source}|{kind}", f"{label} ({MONEY_UNIT})"))
    return result


def _layout(spec: SheetSpec) -> list[_Slot]:
    slots: list[_Slot] = []
    tt = _Slot("tt", TT_HEADER, frozenset({_norm(TT_HEADER)}))
    if spec.table.numbered:
        slots.append(tt)
    if spec.table.groups:
        slots.append(
            _Slot("group", GROUP_HEADER, frozenset({_norm(GROUP_HEADER)}), groups=spec.table.groups)
        )
    for column in spec.table.columns:
        header = column_header(column)
        slots.append(
            _Slot("column", header, frozenset({_norm(header), _norm(column.title)}), column)
        )
    for key, header in phasing_columns(spec):
        short = header.removesuffix(f" ({MONEY_UNIT})")
        slots.append(_Slot("phasing", header, frozenset({_norm(header), _norm(short)}), key=key))
    slots.append(_Slot("uid", UID_HEADER, frozenset({_norm(UID_HEADER), _norm(UID_HEADER_SHORT)})))
    if not spec.table.numbered:  # a TT column is ignored even where the writer put none
        slots.append(tt)
    return slots


def sheet_names(specs: Sequence[SheetSpec]) -> list[str]:
    """The sheet name of each spec's table: its title without the characters Excel refuses,
    cut to 31 characters, made unique (the instructions and lists sheets' names are taken)."""
    taken = {HELP_SHEET.casefold(), LISTS_SHEET.casefold()}
    names = []
    for spec in specs:
        base = clean_sheet_name(spec.table.title) or clean_sheet_name(spec.table.code) or "Bảng"
        names.append(unique_sheet_name(base, taken))
    return names


def unique_sheet_name(base: str, taken: set[str]) -> str:
    """``base`` (already cleaned), or ``base (2)``, ``base (3)`` … cut to fit, whichever is
    not in ``taken`` (casefolded names); the name returned is added to ``taken``."""
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    taken.add(name.casefold())
    return name


def clean_sheet_name(text: str) -> str:
    """``text`` without the characters Excel refuses in a sheet name, cut to 31 characters."""
    name = _SHEET_NAME_BAD.sub("", unicodedata.normalize("NFC", text))
    name = " ".join(name.split()).strip("'").strip()
    return name[:SHEET_NAME_MAX].rstrip().strip("'").rstrip()


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def column_letter(index: int) -> str:
    """0 → "A", 26 → "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- writing ---------------------------------------------------------------------------------


# Workbook options for everything written here: a text stays a text (no formula, no link,
# no number guessed from it), whatever it starts with.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

# Cell styles by name; each exists plain and bold (for totals rows).
_CELL_STYLES: dict[str, dict[str, Any]] = {
    "text": {"valign": "top"},
    "wrap": {"text_wrap": True, "valign": "top"},
    "money": {"num_format": "#,##0.###", "valign": "top"},
    "whole": {"num_format": "#,##0", "valign": "top"},
    "year": {"num_format": "0", "valign": "top"},
    "date": {"num_format": "dd/mm/yyyy", "valign": "top"},
    "datetime": {"num_format": "dd/mm/yyyy hh:mm", "valign": "top"},
}


def new_workbook(buffer: io.BytesIO, *, title: str) -> Any:
    """An xlsxwriter workbook writing into ``buffer`` with WORKBOOK_OPTIONS."""
    workbook = xlsxwriter.Workbook(buffer, dict(WORKBOOK_OPTIONS))
    workbook.set_properties({"title": title[:255], "comments": "GovPlan"})
    return workbook


class Formats:
    """The cell formats of one workbook."""

    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "top",
                "bg_color": "#DDEBF7",
                "border": 1,
            }
        )
        self.uid_header = workbook.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "top",
                "bg_color": "#E7E6E6",
                "font_color": "#7F7F7F",
                "border": 1,
            }
        )
        self.uid = workbook.add_format({"font_color": "#808080", "bg_color": "#F2F2F2"})
        self.uid_total = workbook.add_format(
            {"font_color": "#808080", "bg_color": "#F2F2F2", "bold": True}
        )
        self._workbook = workbook
        self._styles: dict[tuple[str, bool], Any] = {}
        self.text = self.style("text")
        self.wrap = self.style("wrap")
        self.money = self.style("money")
        self.whole = self.style("whole")
        self.year = self.style("year")
        self.date = self.style("date")
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.heading = workbook.add_format({"bold": True, "font_size": 12})
        self.table_header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})

    def style(self, name: str, *, bold: bool = False) -> Any:
        """The cell format named in _CELL_STYLES, bold or not (made on first use)."""
        key = (name, bold)
        made = self._styles.get(key)
        if made is None:
            properties = dict(_CELL_STYLES[name])
            if bold:
                properties["bold"] = True
            made = self._styles[key] = self._workbook.add_format(properties)
        return made

    def for_column(self, column_type: str) -> Any:
        return {
            "money": self.money,
            "integer": self.whole,
            "year": self.year,
            "date": self.date,
            "longtext": self.wrap,
        }.get(column_type, self.text)


@dataclass
class _Lists:
    """Option lists too long (or too awkward) for an inline drop-down: one column each on the
    hidden lists sheet, with a heading in row 1."""

    columns: list[tuple[str, list[str]]] = field(default_factory=list)

    def reference(self, heading: str, titles: list[str]) -> str:
        self.columns.append((heading, titles))
        letter = column_letter(len(self.columns) - 1)
        sheet = LISTS_SHEET.replace("'", "''")
        return f"='{sheet}'!${letter}$2:${letter}${len(titles) + 1}"


def write_workbook(
    sheets: list[tuple[SheetSpec, list[RowData]]], *, title: str, locale: str = "vi"
) -> bytes:
    """An .xlsx workbook: the instructions sheet, then one sheet per table with its rows."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, title=title)
    formats = Formats(workbook)
    lists = _Lists()
    names = sheet_names([spec for spec, _ in sheets])
    help_sheet = workbook.add_worksheet(HELP_SHEET)
    for (spec, rows), name in zip(sheets, names, strict=True):
        worksheet = workbook.add_worksheet(name)
        _write_table(worksheet, name, spec, rows, formats, lists, locale)
    _write_help(help_sheet, title, list(zip(names, sheets, strict=True)), formats)
    if lists.columns:
        lists_sheet = workbook.add_worksheet(LISTS_SHEET)
        for index, (heading, titles) in enumerate(lists.columns):
            lists_sheet.write_string(0, index, heading, formats.header)
            for row, option in enumerate(titles, start=1):
                lists_sheet.write_string(row, index, option)
            lists_sheet.set_column(index, index, fit_width([heading, *titles]))
        lists_sheet.hide()
    workbook.close()
    return buffer.getvalue()


def _write_table(
    worksheet: Any,
    name: str,
    spec: SheetSpec,
    rows: list[RowData],
    formats: Formats,
    lists: _Lists,
    locale: str,
) -> None:
    slots = _layout(spec)
    if not spec.table.numbered:
        slots = slots[:-1]  # the trailing TT slot is only for reading
    last_row = min(len(rows) + EXTRA_ROWS, EXCEL_MAX_ROW - 1)  # 0-based
    totals = _totals(slots, rows)
    totals_row = len(rows) + 1
    for index, slot in enumerate(slots):
        header_format = formats.uid_header if slot.kind == "uid" else formats.header
        worksheet.write_string(0, index, slot.header, header_format)
        texts: list[str] = []
        for row_index, row in enumerate(rows, start=1):
            texts.append(_write_cell(worksheet, row_index, index, slot, row, formats, locale))
        if totals is not None:
            if slot.kind == "tt":
                worksheet.write_string(
                    totals_row, index, TOTAL_LABEL, formats.style("text", bold=True)
                )
            elif slot.kind == "uid":
                worksheet.write_string(totals_row, index, TOTAL_LABEL, formats.uid_total)
                texts.append(TOTAL_LABEL)
            elif index in totals:
                kind = "money" if slot.kind == "phasing" else _slot_type(slot)
                total = canonical_decimal(totals[index])
                texts.append(
                    write_typed(worksheet, totals_row, index, kind, total, formats, bold=True)
                )
        column_format: Any = formats.text
        if slot.kind == "column" and slot.column is not None:
            column_format = formats.for_column(slot.column.type)
            _validate(worksheet, index, last_row, name, slot.column, formats, lists, locale)
        elif slot.kind == "phasing":
            column_format = formats.money
            _validate_number(worksheet, index, last_row, "money")
        elif slot.kind == "uid":
            column_format = formats.uid
        if slot.kind == "tt":
            width = len(TOTAL_LABEL) + 2.0 if totals is not None else 6.0
        else:
            width = fit_width(texts, header=slot.header)
        worksheet.set_column(index, index, width, column_format)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, max(len(rows), 1), len(slots) - 1)
    worksheet.ignore_errors({"number_stored_as_text": f"A1:{column_letter(len(slots) - 1)}1048576"})
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.repeat_rows(0)
    worksheet.fit_to_pages(1, 0)


def _slot_type(slot: _Slot) -> str:
    return slot.column.type if slot.column is not None else ""


def _totals(slots: list[_Slot], rows: list[RowData]) -> dict[int, Decimal] | None:
    """The totals row (slot index → sum) of the money, integer and decimal columns and the
    phasing columns, or None when the table has no such column or no row. A value that is not
    a number (written as text) counts for nothing."""
    summed = {
        index: slot
        for index, slot in enumerate(slots)
        if slot.kind == "phasing" or (slot.kind == "column" and _slot_type(slot) in SUMMED_TYPES)
    }
    if not rows or not summed:
        return None
    codes = [slot.column.code for slot in summed.values() if slot.column is not None]
    cells = column_totals(
        (
            {code: row.cells.get(code) for code in codes if _summable(row.cells.get(code))}
            for row in rows
        ),
        codes,
    )
    phasing = table_phasing_totals(
        {key: value for key, value in row.phasing.items() if _summable(value)} for row in rows
    )
    return {
        index: (
            cells[slot.column.code]
            if slot.column is not None
            else phasing.get(slot.key, Decimal(0))
        )
        for index, slot in summed.items()
    }


def finite_decimal(value: Any) -> Decimal | None:
    """``value`` as a finite number to add into a total, or None (empty, a yes/no, a text
    that is not a number, infinity, NaN or out of range): such cells count for nothing."""
    return amount(value)


def _summable(value: Any) -> bool:
    return finite_decimal(value) is not None


def _write_cell(
    worksheet: Any,
    row: int,
    col: int,
    slot: _Slot,
    data: RowData,
    formats: Formats,
    locale: str,
) -> str:
    """Write one cell; return its text as shown (for the column width)."""
    if slot.kind == "tt":
        worksheet.write_number(row, col, row)
        return str(row)
    if slot.kind == "uid":
        if data.uid is None or data.uid == "":
            return ""
        worksheet.write_string(row, col, str(data.uid), formats.uid)
        return str(data.uid)
    if slot.kind == "phasing":
        return write_typed(worksheet, row, col, "money", data.phasing.get(slot.key), formats)
    if slot.kind == "group":
        group = next((g for g in slot.groups if g.code == data.group), None)
        text = group_label(group) if group is not None else ""
        if text:
            worksheet.write_string(row, col, printable(text), formats.text)
        return text
    assert slot.column is not None
    column = slot.column
    value = data.cells.get(column.code)
    if column.type in ("boolean", "choice", "multichoice"):
        if value is None or value == "" or value == []:
            return ""
        text = printable(display_value(column.type, value, choices=column.choices, locale=locale))
        worksheet.write_string(row, col, text, formats.text)
        return text
    return write_typed(worksheet, row, col, column.type, value, formats)


def write_typed(
    worksheet: Any,
    row: int,
    col: int,
    column_type: str,
    value: Any,
    formats: Formats,
    *,
    bold: bool = False,
) -> str:
    """Write ``value`` as a cell of ``column_type``: numbers (integer, decimal, money,
    percent, year) as numbers, dates as dates, anything else (or a number that does not parse)
    always as a string, never a formula. Return the text as shown, for the column width."""
    if value is None or value == "":
        return ""
    if column_type in _NUMBER_TYPES:
        raw = str(value)
        try:
            number = Decimal(raw)
        except InvalidOperation:
            number = None
        if number is not None and amount(number) is not None:
            # (a text of at most 15 characters cannot hold more than 15 digits)
            if len(raw) > FLOAT_DIGITS and len(number.normalize().as_tuple().digits) > FLOAT_DIGITS:
                # more digits than Excel keeps: as text, which the reader parses exactly
                text = canonical_decimal(number)
                worksheet.write_string(row, col, text, formats.style("text", bold=bold))
                return text
            if column_type == "money":
                whole = number == number.to_integral_value()
                style: str | None = "whole" if whole else "money"
            else:
                style = _NUMBER_STYLES.get(column_type)
            if style is not None:
                cell_format = formats.style(style, bold=bold)
            else:  # decimal, percent: the column's format, or a plain bold one
                cell_format = formats.style("text", bold=True) if bold else None
            worksheet.write_number(row, col, float(number), cell_format)
            if column_type == "money":
                return f"{number:,.{MONEY_PLACES}f}"
            return canonical_decimal(number)
    elif column_type == "datetime" and isinstance(value, dt.datetime) and value.year >= 1900:
        moment = value.replace(tzinfo=None)  # the caller gives local time
        worksheet.write_datetime(row, col, moment, formats.style("datetime", bold=bold))
        return "00/00/0000 00:00"
    elif column_type in ("date", "datetime"):
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            day = None
        if isinstance(day, dt.datetime):
            day = day.date()
        if day is not None and day.year >= 1900:
            worksheet.write_datetime(row, col, day, formats.style("date", bold=bold))
            return "00/00/0000"
        if day is not None:  # before Excel's calendar: as the text the reader parses back
            text = day.strftime("%d/%m/") + f"{day.year:04d}"
            worksheet.write_string(row, col, text, formats.style("text", bold=bold))
            return text
    text = printable(str(value))
    style = "wrap" if column_type == "longtext" or "\n" in text else "text"
    worksheet.write_string(row, col, text, formats.style(style, bold=bold))
    return text


def fit_width(texts: Sequence[str], *, header: str = "") -> float:
    """A column width (in characters) for these cell texts under a wrapping header."""
    longest = max((len(line) for text in texts for line in text.split("\n")), default=0)
    header_width = min(len(header), 24)  # the header wraps
    longest_word = max((len(word) for word in header.split()), default=0)
    return float(min(MAX_WIDTH, max(8, header_width, longest_word, longest) + 2))


def _validate(
    worksheet: Any,
    col: int,
    last_row: int,
    sheet: str,
    column: Column,
    formats: Formats,
    lists: _Lists,
    locale: str,
) -> None:
    if column.type in _NUMBER_TYPES:
        _validate_number(worksheet, col, last_row, column.type)
    elif column.type == "boolean":
        answers = [display_value("boolean", True, locale=locale)]
        answers.append(display_value("boolean", False, locale=locale))
        worksheet.data_validation(
            1,
            col,
            last_row,
            col,
            {
                "validate": "list",
                "source": answers,
                "error_title": "Giá trị không hợp lệ",
                "error_message": f"Chọn «{answers[0]}» hoặc «{answers[1]}».",
            },
        )
    elif column.type in ("choice", "multichoice") and column.choices:
        titles = [option.title for option in column.choices]
        source: Any = titles
        if (
            len(",".join(titles)) > EXCEL_LIST_MAX
            or any("," in t or '"' in t for t in titles)
            or len(set(titles)) != len(titles)
        ):
            source = lists.reference(f"{sheet} - {column.title}"[:255], titles)
        options: dict[str, Any] = {"validate": "list", "source": source}
        if column.type == "choice":
            options["error_title"] = "Giá trị không hợp lệ"
            options["error_message"] = "Chọn một giá trị trong danh sách thả xuống."
        else:  # several answers are typed, separated by ';': the list only helps
            options["show_error"] = False
            options["input_title"] = "Chọn một hoặc nhiều"
            options["input_message"] = (
                "Chọn trong danh sách, hoặc ghi nhiều giá trị cách nhau bằng dấu chấm phẩy (;)."
            )
        worksheet.data_validation(1, col, last_row, col, options)


def _validate_number(worksheet: Any, col: int, last_row: int, column_type: str) -> None:
    options: dict[str, Any]
    if column_type == "money":
        options = {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_message": "Nhập số tiền bằng số, không âm (đơn vị: triệu đồng).",
        }
    elif column_type == "integer":
        options = {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "error_message": "Nhập số nguyên, không âm.",
        }
    elif column_type == "percent":
        options = {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "error_message": "Nhập tỷ lệ phần trăm từ 0 đến 100 (ghi 45 cho 45%).",
        }
    elif column_type == "year":
        options = {
            "validate": "integer",
            "criteria": "between",
            "minimum": YEAR_MIN,
            "maximum": YEAR_MAX,
            "error_message": f"Nhập năm từ {YEAR_MIN} đến {YEAR_MAX}, ví dụ 2026.",
        }
    else:
        return
    options["error_title"] = "Giá trị không hợp lệ"
    worksheet.data_validation(1, col, last_row, col, options)


def _write_help(
    worksheet: Any,
    title: str,
    tables: list[tuple[str, tuple[SheetSpec, list[RowData]]]],
    formats: Formats,
) -> None:
    worksheet.set_column(0, 0, 34)
    worksheet.set_column(1, 1, 40)
    worksheet.set_column(2, 2, 12)
    worksheet.set_column(3, 3, 60)
    row = 0

    def line(text: str, cell_format: Any = None, *, gap: int = 1) -> None:
        nonlocal row
        worksheet.write_string(row, 0, text, cell_format)
        row += gap

    line(title or "Biểu mẫu", formats.title, gap=2)
    line("Hướng dẫn điền", formats.heading)
    steps = [
        "1. Mỗi bảng của biểu mẫu nằm trên một trang tính riêng (danh sách ở dưới). "
        "Mỗi dòng của trang tính là một dòng của bảng, bắt đầu từ dòng 2.",
        "2. Không sửa dòng tiêu đề (dòng 1), không đổi tên trang tính. Thêm dòng mới ở cuối "
        "bảng; muốn bỏ một dòng thì xóa cả dòng. Dòng để trống được bỏ qua.",
        f"3. Cột «{UID_HEADER}» giúp hệ thống nhận ra dòng đã có: không sửa, không chép sang "
        "dòng khác; dòng mới thì để trống ô này.",
        f"4. Cột «{TT_HEADER}» chỉ để đánh số thứ tự, hệ thống không đọc cột này.",
        f"5. Số tiền tính bằng {MONEY_UNIT} (ví dụ 1.500,5 là 1 tỷ 500 triệu 500 nghìn đồng): "
        "nhập bằng số, không âm, tối đa 3 chữ số thập phân.",
        "6. Ngày ghi theo dạng ngày/tháng/năm, ví dụ 22/11/2026. Ô có/không: chọn «có» hoặc "
        "«không». Ô lựa chọn: chọn trong danh sách thả xuống; ô chọn nhiều giá trị: ghi các "
        "giá trị cách nhau bằng dấu chấm phẩy (;).",
        "7. Các cột «Kinh phí NĂM - nguồn vốn - loại vốn» ghi kinh phí của từng dòng theo năm, "
        f"nguồn vốn và loại vốn ({MONEY_UNIT}).",
        "8. Trang tính bị xóa khỏi tệp thì không được nhập. Hệ thống kiểm tra từng ô khi nhập "
        "và báo lỗi theo trang tính, dòng và cột.",
        f"9. Dòng «{TOTAL_LABEL}» ở cuối bảng do hệ thống tính; khi nhập, dòng này được bỏ qua.",
    ]
    for step in steps:
        line(step)
    row += 1
    line("Các trang tính", formats.heading)
    for col, text in enumerate(("Trang tính", "Bảng", "Số dòng", "Cột bắt buộc")):
        worksheet.write_string(row, col, text, formats.table_header)
    row += 1
    for name, (spec, rows) in tables:
        required = "; ".join(c.title for c in spec.table.columns if c.required)
        worksheet.write_string(row, 0, name, formats.cell)
        worksheet.write_string(row, 1, spec.table.title, formats.cell)
        worksheet.write_number(row, 2, len(rows), formats.cell)
        worksheet.write_string(row, 3, required or "(không có)", formats.cell)
        row += 1
    for name, (spec, _) in tables:
        row += 1
        line(f"Trang tính «{name}»: các cột", formats.heading)
        for col, text in enumerate(("Cột", "Kiểu dữ liệu", "Bắt buộc", "Giá trị được phép")):
            worksheet.write_string(row, col, text, formats.table_header)
        row += 1
        for column in spec.table.columns:
            allowed = column.help
            if column.type in ("choice", "multichoice"):
                allowed = "; ".join(o.title for o in column.choices)
            elif column.type == "boolean":
                allowed = "có; không"
            worksheet.write_string(row, 0, column_header(column), formats.cell)
            worksheet.write_string(row, 1, _TYPE_HELP.get(column.type, column.type), formats.cell)
            worksheet.write_string(row, 2, "bắt buộc" if column.required else "", formats.cell)
            worksheet.write_string(row, 3, allowed, formats.cell)
            row += 1
        if spec.table.phasing is not None:
            worksheet.write_string(row, 0, "Kinh phí NĂM - nguồn - loại", formats.cell)
            worksheet.write_string(row, 1, _TYPE_HELP["money"], formats.cell)
            worksheet.write_string(row, 2, "", formats.cell)
            worksheet.write_string(
                row, 3, f"Một cột cho mỗi năm, nguồn vốn và loại vốn ({MONEY_UNIT})", formats.cell
            )
            row += 1


# --- reading ---------------------------------------------------------------------------------


def read_workbook(
    data: bytes,
    specs: list[SheetSpec],
    *,
    locale: str = "vi",
    max_rows: int = 10000,
    limits: ReadLimits | None = None,
    context: str = "",
) -> ImportResult:
    """The rows of each table whose sheet is in the workbook, and every problem found.

    A sheet is found by the name ``write_workbook`` gives it (ignoring case and spacing).
    Sheets that are not there are left out of ``tables``; only a workbook with none of them
    is a problem. A sheet with more than ``max_rows`` rows is left out, with a problem.

    The file is an upload nobody has vouched for: ``xlsx_reader`` looks at its parts first
    (a sheet declaring a range larger than its table can fill is refused by name), then
    reads the cells in a separate process under ``limits``; a file that makes that process
    fail is one problem, "too large or damaged" (logged with ``context``)."""
    result = ImportResult()
    try:
        declared = inspect_workbook(data)
    except CellValueError as error:
        result.problems.append(_cell_problem("", None, None, error))
        return result
    in_workbook = [sheet.name for sheet in declared]
    by_name = {sheet.name: sheet for sheet in declared}
    in_file = {_norm(name): name for name in reversed(in_workbook)}
    found: list[tuple[SheetSpec, str]] = []
    names = sheet_names(specs)
    for spec, name in zip(specs, names, strict=True):
        actual = name if name in by_name else in_file.get(_norm(name))
        if actual is not None:
            found.append((spec, actual))
    if not found:
        for name in names:
            result.problems.append(
                ImportProblem(
                    name,
                    None,
                    None,
                    gettext_noop("the sheet is missing (the workbook has: %(sheets)s)"),
                    {"sheets": ", ".join(in_workbook) or "-"},
                )
            )
        return result
    requests: dict[str, SheetRequest] = {}
    for spec, actual in found:
        request = SheetRequest(actual, max_sheet_rows(max_rows), max_sheet_columns(spec))
        sheet = by_name[actual]
        last = sheet.last_cell
        if last is not None and (last[0] > request.max_rows or last[1] > request.max_columns):
            result.problems.append(_too_large(actual, *last, request, sheet.declared))
            continue
        requests[actual] = request
    if not requests:
        return result
    try:
        cells = read_sheets(data, list(requests.values()), limits or ReadLimits(), context=context)
    except CellValueError as error:
        result.problems.append(_cell_problem("", None, None, error))
        return result
    except WorkbookReadFailed:
        result.problems.append(ImportProblem("", None, None, UNREADABLE))
        return result
    for spec, actual in found:
        if actual not in requests:
            continue
        sheet_cells = cells.sheets.get(actual) or SheetCells(unreadable=True)
        if sheet_cells.too_large is not None:
            last_row, last_column = sheet_cells.too_large
            result.problems.append(
                _too_large(actual, last_row, last_column, requests[actual], None)
            )
            continue
        if sheet_cells.rows is None:  # a damaged sheet part
            result.problems.append(
                ImportProblem(actual, None, None, gettext_noop("the sheet could not be read"))
            )
            continue
        rows = _read_sheet(iter(sheet_cells.rows), actual, spec, locale, max_rows, result.problems)
        if rows is not None:
            result.tables[spec.table.code] = rows
    return result


def max_sheet_rows(max_rows: int) -> int:
    """The last row a table's sheet may reach: its header, ``max_rows`` rows, the totals row,
    and as many empty or formatted rows again, which Excel counts in a sheet's range."""
    return 2 * max_rows + 2


def max_sheet_columns(spec: SheetSpec) -> int:
    """The last column a table's sheet may reach: the table's columns and some to spare
    (a column added by mistake is reported as such, not refused as too large)."""
    return len(_layout(spec)) + COLUMN_SLACK


def _too_large(
    sheet: str, last_row: int, last_column: int, request: SheetRequest, declared: str | None
) -> ImportProblem:
    params = {
        "cell": f"{column_letter(last_column - 1)}{last_row}",
        "rows": last_row,
        "columns": last_column,
        "max_rows": request.max_rows,
        "max_column": column_letter(request.max_columns - 1),
    }
    if declared is not None:
        return ImportProblem(
            sheet,
            None,
            None,
            gettext_noop(
                "the sheet declares the range %(range)s (%(rows)s rows, %(columns)s columns); "
                "a sheet of this table may reach at most row %(max_rows)s and column "
                "%(max_column)s: delete the empty rows and columns after the table, or copy "
                "the table into a new workbook"
            ),
            {**params, "range": declared},
        )
    return ImportProblem(
        sheet,
        None,
        None,
        gettext_noop(
            "the sheet has cells up to %(cell)s (%(rows)s rows, %(columns)s columns); "
            "a sheet of this table may reach at most row %(max_rows)s and column "
            "%(max_column)s: delete the empty rows and columns after the table, or copy "
            "the table into a new workbook"
        ),
        params,
    )


def _read_sheet(
    rows: Iterator[list[Any]],
    name: str,
    spec: SheetSpec,
    locale: str,
    max_rows: int,
    problems: list[ImportProblem],
) -> list[RowData] | None:
    """The table's rows from the sheet's rows of raw cells (each from column A)."""
    header = next(rows, [])
    slots = _layout(spec)
    mapping: dict[int, _Slot] = {}
    labels: dict[int, str] = {}
    headless: set[int] = set()
    matched: set[int] = set()
    for index, raw in enumerate(header):
        text = _as_text(raw).strip()
        if not text:
            headless.add(index)
            continue
        labels[index] = f"{column_letter(index)} ({text})"
        candidates = [i for i, slot in enumerate(slots) if _norm(text) in slot.accepts]
        free = [i for i in candidates if i not in matched]
        if free:
            matched.add(free[0])
            mapping[index] = slots[free[0]]
        else:
            template = (
                gettext_noop("column %(header)s appears twice")
                if candidates
                else gettext_noop("unknown column %(header)s")
            )
            problems.append(ImportProblem(name, 1, labels[index], template, {"header": text}))
    for i, slot in enumerate(slots):
        if i not in matched and slot.kind != "tt":
            problems.append(
                ImportProblem(
                    name,
                    None,
                    None,
                    gettext_noop("column %(header)s is missing"),
                    {"header": slot.header},
                )
            )
    result: list[RowData] = []
    uids: dict[str, int] = {}
    for row_number, raw_row in enumerate(rows, start=2):
        for index in sorted(headless):
            if index < len(raw_row) and not _blank(raw_row[index]):
                problems.append(
                    ImportProblem(
                        name,
                        row_number,
                        column_letter(index),
                        gettext_noop("this column has no header; give it one or delete it"),
                    )
                )
                headless.discard(index)
        cells = {i: raw_row[i] for i in mapping if i < len(raw_row)}
        if any(mapping[i].kind == "uid" and _uid(v) == TOTAL_LABEL for i, v in cells.items()):
            continue  # the totals row the writer added: computed, never read
        if all(_blank(v) for i, v in cells.items() if mapping[i].kind in ("column", "phasing")):
            continue
        if len(result) >= max_rows:
            problems.append(
                ImportProblem(
                    name,
                    None,
                    None,
                    gettext_noop(
                        "the sheet has more than %(max)s rows; split it into several files"
                    ),
                    {"max": max_rows},
                )
            )
            return None
        row = RowData(uid=None, cells={}, phasing={})
        for index, slot in mapping.items():
            raw = cells.get(index, "")
            where = labels[index]
            if slot.kind == "uid":
                row.uid = _uid(raw)
                if row.uid is not None:
                    if row.uid in uids:
                        problems.append(
                            ImportProblem(
                                name,
                                row_number,
                                where,
                                gettext_noop(
                                    "the row code %(uid)s is also on row %(other)s; clear it "
                                    "on the copied row"
                                ),
                                {"uid": row.uid, "other": uids[row.uid]},
                            )
                        )
                    else:
                        uids[row.uid] = row_number
            elif slot.kind == "group":
                if _blank(raw):
                    continue
                group = find_group(spec.table.groups, _as_text(raw))
                if group is None:
                    problems.append(
                        ImportProblem(
                            name,
                            row_number,
                            where,
                            gettext_noop('"%(value)s" is not a group of this table (%(groups)s)'),
                            {
                                "value": _as_text(raw)[:100],
                                "groups": "; ".join(group_label(g) for g in spec.table.groups),
                            },
                        )
                    )
                else:
                    row.group = group.code
            elif slot.kind == "phasing":
                if _blank(raw):
                    continue
                try:
                    row.phasing[slot.key] = parse_money(_for_number(raw), locale=locale)
                except CellValueError as error:
                    problems.append(_cell_problem(name, row_number, where, error))
            elif slot.kind == "column" and slot.column is not None:
                column = slot.column
                try:
                    value = parse_column_value(
                        column.type,
                        _for_type(column.type, raw),
                        choices=column.choices,
                        locale=locale,
                    )
                except CellValueError as error:
                    problems.append(_cell_problem(name, row_number, where, error))
                    continue
                if value is None:
                    if column.required:
                        problems.append(
                            ImportProblem(name, row_number, where, gettext_noop("required"))
                        )
                    continue
                row.cells[column.code] = value
        result.append(row)
    return result


def _cell_problem(
    sheet: str, row: int | None, column: str | None, error: CellValueError
) -> ImportProblem:
    return ImportProblem(sheet, row, column, error.error.template, dict(error.error.params))


def _blank(raw: Any) -> bool:
    return is_blank(raw)


def _uid(raw: Any) -> str | None:
    if _blank(raw) or isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return _as_text(raw).strip() or None


def _for_number(raw: Any) -> Any:
    """What Excel holds, as the parser takes it: a float that is a whole number as int,
    another float to Excel's 15 significant digits (0.1 + 0.2 is 0.3, as Excel shows it)."""
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 2**53:
            return int(raw)
        if not math.isfinite(raw):
            return str(raw)
        return Decimal(format(raw, f".{FLOAT_DIGITS}g"))
    return raw


def _for_type(column_type: str, raw: Any) -> Any:
    if column_type in _NUMBER_TYPES:
        return _for_number(raw)
    if column_type in ("date", "boolean"):
        return raw
    return _as_text(raw)


def _as_text(raw: Any) -> str:
    """A cell as text: numbers without a trailing ".0", dates as 22/11/2026."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "có" if raw else "không"
    if isinstance(raw, float | int):
        number = _for_number(raw)
        return str(number) if isinstance(number, int | str) else canonical_decimal(number)
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time():
            return raw.strftime("%d/%m/%Y")
        return raw.strftime("%d/%m/%Y %H:%M")
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    return "" if raw is None else str(raw)


# --- checking an upload ----------------------------------------------------------------------


def check_workbook_file(data: bytes, filename: str, *, max_bytes: int = 10_000_000) -> None:
    """Refuse (CellValueError) a file that is not a plain .xlsx workbook within the limits,
    looking at the bytes as well as at the name."""
    if len(data) > max_bytes:
        raise CellValueError(
            gettext_noop("the file is larger than %(max)s MB"), max=f"{max_bytes / 1_000_000:g}"
        )
    extension = PurePath(filename).suffix.lower()
    if extension != ".xlsx":
        raise CellValueError(
            gettext_noop("only .xlsx files are accepted (not %(ext)s)"),
            ext=extension or filename or "-",
        )
    if data.startswith(_OLE_MAGIC):
        raise CellValueError(
            gettext_noop(
                "the file is an old .xls workbook or is protected by a password; save it as a "
                "plain .xlsx workbook without a password"
            )
        )
    not_excel = gettext_noop("the file is not an Excel workbook (.xlsx), whatever its name says")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise CellValueError(not_excel) from None
    with archive:
        check_archive(archive)
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise CellValueError(not_excel)
        macros = gettext_noop("the workbook contains macros; save it as a plain .xlsx workbook")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise CellValueError(macros)
        if archive.getinfo("[Content_Types].xml").file_size > MAX_CONTENT_TYPES_BYTES:
            raise CellValueError(not_excel)
        try:
            content_types = archive.read("[Content_Types].xml")
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            raise CellValueError(not_excel) from None
        if b"macroenabled" in content_types.lower():
            raise CellValueError(macros)
