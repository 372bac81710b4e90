"""A whole cycle's tables in one workbook: the list of documents, then one sheet per table of
the framework with every unit's rows (and a totals row), then every unit's indicator values.

The documents are read through the read model (``documents.read.load_document_views``) and
when each last changed by one query of its own: a constant number of queries whatever the
number of documents (the legal catalogue, and two per ``CHUNK`` documents: the entries and
the last changes). Written by ``govplan.core.adapters.report_xlsx`` with the same headers
as the document workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone, translation

from govplan.core.adapters.report_xlsx import ReportColumn, ReportSheet, write_report
from govplan.core.adapters.xlsx import MONEY_UNIT, SheetSpec, column_header, phasing_columns
from govplan.core.documents.cells import display_value
from govplan.core.documents.totals import WHOLE_PERIOD, amount, row_phasing_total
from govplan.core.documents.values import CELL_SEPARATOR, cell_keys, ratio_percent
from govplan.core.documents.view import DocumentView, TableRow
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Column, Framework, Table
from govplan.core.frameworks.visibility import asked_options, narrowed, split_cells, split_parts
from govplan.core.printable import printable_data
from govplan.documents.models import Document, Entry
from govplan.documents.read import CHUNK, load_document_views
from govplan.documents.tables_xlsx import TYPE_SHORT, sheet_years, source_labels
from govplan.frameworks.models import FrameworkVersion
from govplan.official.printed_tables import OTHER_GROUP, grouped_rows, used_phasing_keys
from govplan.orgunits.models import Kind

LIST_SHEET = "Danh sách"
INDICATOR_SHEET = "Chỉ tiêu"
UNIT_NAME = "Đơn vị"
UNIT_CODE = "Mã đơn vị"
TOTAL_FUNDING = f"Tổng kinh phí ({MONEY_UNIT})"
GROUP = "Nhóm"  # the row's group of the table ("I. Ứng dụng CNTT"), when it has groups
KIND_NAMES = {"plan": "Kế hoạch", "report": "Báo cáo"}

# Column types of a framework table as a report column (choices are written as their titles).
_REPORT_TYPES = {
    "integer": "integer",
    "decimal": "decimal",
    "money": "money",
    "percent": "percent",
    "year": "year",
    "date": "date",
    "longtext": "longtext",
}
_SHOWN_AS_TITLES = ("boolean", "choice", "multichoice")
_INDICATOR_NUMBERS = ("integer", "decimal", "money")
PERCENT_PLACES = Decimal("0.01")
QUOTIENT_PLACES = Decimal("0.0001")


def _changed(documents: Sequence[Document]) -> dict[int, dt.datetime]:
    """When each document's entries last changed (one query per ``CHUNK`` documents)."""
    changed: dict[int, dt.datetime] = {}
    ids = [d.pk for d in documents]
    for start in range(0, len(ids), CHUNK):
        found = (
            Entry.objects.filter(document_id__in=ids[start : start + CHUNK])
            .values("document_id")
            .annotate(last=Max("updated_at"))
            .order_by()
        )
        for item in found:
            changed[item["document_id"]] = item["last"]
    return changed


def cycle_workbook(
    version: FrameworkVersion, documents: Sequence[Document], *, title: str
) -> bytes:
    """The workbook of ``documents`` (all written against ``version``, in the order given):
    the list of documents, one sheet per table, the indicator values."""
    documents = list(documents)
    spec = version.parsed()
    # Like every official writer, the workbook drops the characters no file can hold.
    views = load_document_views(documents, versions=[version], clean=printable_data)
    changed = _changed(documents)
    with translation.override("vi"):
        sheets = [_list_sheet(documents, changed, title)]
        for _, table in spec.tables():
            sheets.append(_table_sheet(spec, table, documents, views, title))
            if table.groups:
                sheets.append(_group_sheet(table, sheets[-1], title))
        indicators = _indicator_sheet(spec, documents, views, title)
        if indicators.rows:
            sheets.append(indicators)
    return write_report(sheets, title=title)


def _list_sheet(
    documents: list[Document], changes: dict[int, dt.datetime], title: str
) -> ReportSheet:
    columns = [
        ReportColumn("TT", "integer"),
        ReportColumn(UNIT_CODE),
        ReportColumn(UNIT_NAME),
        ReportColumn("Cấp"),
        ReportColumn("Loại"),
        ReportColumn("Trạng thái"),
        ReportColumn("Số ký hiệu"),
        ReportColumn("Ngày ban hành", "date"),
        ReportColumn("Cập nhật lần cuối", "datetime"),
    ]
    rows = []
    for number, document in enumerate(documents, start=1):
        unit = document.org_unit
        changed = max(
            (t for t in (document.updated_at, changes.get(document.pk)) if t is not None),
            default=None,
        )
        rows.append(
            [
                number,
                unit.code,
                unit.name,
                str(Kind(unit.kind).label) if unit.kind in Kind.values else unit.kind,
                KIND_NAMES.get(document.kind, document.kind),
                document.get_status_display(),
                document.issued_number,
                document.issued_date,
                _local(changed),
            ]
        )
    return ReportSheet(
        LIST_SHEET,
        columns,
        rows,
        title_lines=[title, f"Số văn bản: {len(documents)}"],
    )


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.replace(tzinfo=None, microsecond=0)


def _table_sheet(
    spec: Framework,
    table: Table,
    documents: list[Document],
    views: dict[int, DocumentView],
    title: str,
) -> ReportSheet:
    sheet_spec = SheetSpec(
        table=table,
        years=sheet_years(spec, table),
        source_labels=source_labels(spec),
        type_labels=TYPE_SHORT,
    )
    found_rows: list[tuple[Any, TableRow]] = []
    for document in documents:
        found = [
            t for s in views[document.pk].sections for t in s.tables if t.table.code == table.code
        ]
        if not found:
            continue  # the table's section does not apply to this unit
        # In their order on the page; under the table's groups, in the groups' order.
        for _group, members in grouped_rows(table.groups, found[0].rows, lambda r: r.group):
            found_rows += [(document.org_unit, row) for row in members]
    # As in the official document: only the years, sources and types holding an amount, the
    # amounts for the whole period first.
    used = used_phasing_keys(row.phasing for _unit, row in found_rows)
    phasing = [(key, header) for key, header in _phasing_headers(sheet_spec) if key in used]
    columns = [ReportColumn(UNIT_NAME), ReportColumn(UNIT_CODE)]
    groups = {g.code: f"{g.number}. {g.title}" if g.number else g.title for g in table.groups}
    if table.groups:
        columns.append(ReportColumn(GROUP))
    columns += [
        ReportColumn(column_header(c), _REPORT_TYPES.get(c.type, "text")) for c in table.columns
    ]
    columns += [ReportColumn(header, "money") for _, header in phasing]
    if table.phasing is not None:
        columns.append(ReportColumn(TOTAL_FUNDING, "money"))
    rows: list[list[Any]] = []
    for unit, table_row in found_rows:
        cells = table_row.cells
        row: list[Any] = [unit.name, unit.code]
        if table.groups:
            row.append(groups.get(table_row.group, OTHER_GROUP))
        row += [_cell(c, cells.get(c.code)) for c in table.columns]
        if table.phasing is not None:
            amounts = table_row.phasing
            row += [amounts.get(key) for key, _ in phasing]
            row.append(row_phasing_total(amounts))
        rows.append(row)
    return ReportSheet(
        table.title or table.code,
        columns,
        rows,
        title_lines=[table.title, title],
        totals=True,
    )


def _group_sheet(table: Table, rows_sheet: ReportSheet, title: str) -> ReportSheet:
    """The subtotals of a table with groups: one row per group over every unit's rows (each
    money column and phasing column summed), then the grand total, as the printed table
    has them. A sheet of its own, so that the rows' sheet still adds up each row once.

    Summed here, not from the typed facts: the money columns (total investment, a year's
    amount) are cells of the rows, which the facts do not hold (only the phasing amounts
    are BudgetFacts), and the rows' sheet has every row in memory already."""
    at = [c.header for c in rows_sheet.columns].index(GROUP)
    money = [i for i, c in enumerate(rows_sheet.columns) if c.type == "money"]
    sums: dict[str, list[Decimal]] = {}
    for row in rows_sheet.rows:
        line = sums.setdefault(row[at], [Decimal(0)] * len(money))
        for j, i in enumerate(money):
            number = amount(row[i])
            if number is not None:
                line[j] += number
    names = [f"{g.number}. {g.title}" if g.number else g.title for g in table.groups]
    order = [n for n in (*names, OTHER_GROUP) if n in sums]
    return ReportSheet(
        f"{table.title or table.code} - {GROUP.lower()}",
        [ReportColumn(GROUP), *(rows_sheet.columns[i] for i in money)],
        [[name, *sums[name]] for name in order],
        title_lines=[f"{table.title} – {GROUP.lower()}", title],
        totals=True,
    )


def _phasing_headers(sheet_spec: SheetSpec) -> list[tuple[str, str]]:
    """Every phasing column's (key, header) as the document workbook heads them, those of the
    amounts given for the whole period (year WHOLE_PERIOD, "Kinh phí cả giai đoạn - …")
    first, then each year's."""
    years = (WHOLE_PERIOD, *(y for y in sheet_spec.years if y != WHOLE_PERIOD))
    return phasing_columns(replace(sheet_spec, years=years))


def _cell(column: Column, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if column.type in _SHOWN_AS_TITLES:
        return display_value(column.type, value, choices=column.choices, locale="vi")
    return value


def _indicator_sheet(
    spec: Framework,
    documents: list[Document],
    views: dict[int, DocumentView],
    title: str,
) -> ReportSheet:
    columns = [
        ReportColumn(UNIT_NAME),
        ReportColumn(UNIT_CODE),
        ReportColumn("Mã chỉ tiêu"),
        ReportColumn("Chỉ tiêu", "longtext"),
        ReportColumn("Phân tổ"),
        ReportColumn("Đơn vị tính"),
        ReportColumn("Giá trị", "decimal"),
        ReportColumn("Tử số", "decimal"),
        ReportColumn("Mẫu số", "decimal"),
        ReportColumn("Không có số liệu", "longtext"),
    ]
    options = {
        code: {o.code: o.title for o in dimension.options}
        for code, dimension in spec.dimensions.items()
    }
    # The options the framework asks, and the levels of a split figure after its whole.
    keys = {
        code: cell_keys(ind, narrowed(spec, code, asked_options(spec, code)))
        + list(split_cells(spec, code))
        for code, ind in spec.indicators.items()
    }
    levels = {
        o.code: o.title for s in spec.walk() for u in s.indicators for o in split_parts(spec, u)
    }
    rows: list[list[Any]] = []
    for document in documents:
        unit = document.org_unit
        view = views[document.pk]
        seen: set[str] = set()
        for section in view.sections:
            for use in section.section.indicators:
                indicator = spec.indicators.get(use.indicator)
                if indicator is None or indicator.code in seen:
                    continue
                seen.add(indicator.code)
                value = view.values.get(indicator.code)
                cells = value.cells if value is not None else {}
                for key in keys[indicator.code]:
                    cell = cells[key].raw() if key in cells else {}
                    breakdown = levels.get(key, "") if not indicator.disaggregation else ""
                    breakdown = breakdown or " – ".join(
                        options.get(dimension, {}).get(part, part)
                        for dimension, part in zip(
                            indicator.disaggregation, key.split(CELL_SEPARATOR), strict=False
                        )
                        if key
                    )
                    rows.append(
                        [
                            unit.name,
                            unit.code,
                            indicator.code,
                            use.label or indicator.name,
                            breakdown,
                            indicator.unit,
                            *_indicator_value(indicator, cell),
                            # Marked "no data": its reason; the value is missing, not 0.
                            (value.no_data_reason or "x") if value and value.no_data else None,
                        ]
                    )
    return ReportSheet(INDICATOR_SHEET, columns, rows, title_lines=[title])


def _indicator_value(indicator: Indicator, cell: dict[str, Any]) -> list[Any]:
    """(value, numerator, denominator) of one indicator cell; a ratio's value is in the
    indicator's unit: a percentage when that is "%", else the quotient (computers per
    civil servant)."""
    kind, choices = indicator.type, indicator.choices
    if kind == "ratio":
        percent = ratio_percent(cell)
        shown = None
        if percent is not None and indicator.unit.strip() == "%":
            shown = percent.quantize(PERCENT_PLACES)
        elif percent is not None:
            shown = (percent / 100).quantize(QUOTIENT_PLACES)
        return [shown, cell.get("n"), cell.get("d")]
    value = cell.get("v")
    if value is None or value == "":
        return [None, None, None]
    if kind in _INDICATOR_NUMBERS:
        return [value, None, None]
    if kind == "boolean":
        return ["có" if value else "không", None, None]
    if kind == "choice":
        return [display_value("choice", value, choices=choices, locale="vi"), None, None]
    if kind == "date":
        try:
            return [display_value("date", value, locale="vi"), None, None]
        except ValueError:
            return [str(value), None, None]
    return [str(value), None, None]
