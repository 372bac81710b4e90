"""The tables of the official document, from the document's read model (DocumentView):
indicator values with the previous cycle's, targets, results, project tables and budget
phasing, each as printed (Vietnamese number writing, whoever asks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govplan.core.documents.cells import display_value, format_number
from govplan.core.documents.totals import (
    column_totals,
    phasing_key,
    row_phasing_total,
    table_phasing_totals,
)
from govplan.core.documents.values import cell_keys
from govplan.core.documents.view import IndicatorView, ResultRow, TableRow, TableView, TargetRow
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework
from govplan.core.frameworks.model import Table as FrameworkTable
from govplan.core.frameworks.visibility import asked_dimensions, narrowed, split_parts
from govplan.core.official.model import HeaderCell, Table
from govplan.documents.presentation import NUMERIC_TYPES, attainment, cell_display
from govplan.frameworks import labels

LOCALE = "vi"  # printed as Vietnamese documents write numbers, whoever asks
_COLUMN_WIDTHS = {"text": 2.6, "longtext": 2.6, "year_range": 2.2}  # others 1.5


def _value_text(indicator: Indicator, cell: dict[str, Any]) -> str:
    """A value as printed: 90/100 (90,0%), có/không, a choice's title."""
    if indicator.type == "ratio":
        if not cell.get("n") or not cell.get("percent"):
            return f"{cell['n']}/{cell['d']}" if cell.get("n") else ""
        if (indicator.unit or "%").strip() == "%":
            return f"{cell['n']}/{cell['d']} ({cell['percent']}%)"
        return f"{cell['n']}/{cell['d']} ({cell['quotient']} {indicator.unit})"
    value = cell.get("value", "")
    if indicator.type == "boolean" and value not in ("", None):
        return "Có" if value is True or value in ("1", "true") else "Không"
    if indicator.type == "choice":
        titles = {o.code: o.title for o in indicator.choices}
        return titles.get(str(value), str(value))
    return str(value)


def indicator_table(spec: Framework, indicators: tuple[IndicatorView, ...]) -> Table:
    rows: list[tuple[str, ...]] = []
    for number, item in enumerate(indicators, start=1):
        indicator = item.indicator
        unit = indicator.unit or ""
        dims = asked_dimensions(spec, item.use)
        if len(dims) == 2:
            columns = [o.title for o in dims[1].options]
            lines = [
                (first.title, [f"{first.code}|{second.code}" for second in dims[1].options])
                for first in dims[0].options
            ]
        else:
            columns = []
            titles = {o.code: o.title for o in dims[0].options} if dims else {"": ""}
            asked = narrowed(spec, indicator.code, item.use.options)
            lines = [(titles.get(k, ""), [k]) for k in cell_keys(indicator, asked)]
            parts = split_parts(spec, item.use)
            if parts:  # the whole unit's figure, then its units' at each level
                lines = [("Toàn đơn vị", [""])] + [(p.title, [p.code]) for p in parts]
        for r_index, (title, cell_keys_) in enumerate(lines):
            for c_index, key in enumerate(cell_keys_):
                cell = cell_display(indicator, key, item.cells, item.previous, LOCALE)
                label = " – ".join(t for t in (title, columns[c_index] if columns else "") if t)
                first = r_index == 0 and c_index == 0
                name = item.name if first else ""
                rows.append(
                    (
                        str(number) if first else "",
                        f"{name} ({label})" if name and label else name or f"- {label}",
                        unit if first else "",
                        _value_text(indicator, cell),
                        cell["previous"],
                    )
                )
    return Table(
        header=(
            (
                HeaderCell("TT"),
                HeaderCell("Chỉ tiêu"),
                HeaderCell("Đơn vị tính"),
                HeaderCell("Giá trị"),
                HeaderCell("Kỳ trước"),
            ),
        ),
        rows=tuple(rows),
        widths=(0.5, 4.5, 1.2, 1.6, 1.4),
        numeric=(False, False, False, True, True),
    )


def _number(value: Any) -> str:
    return format_number(Decimal(str(value)), locale=LOCALE) if value not in (None, "") else ""


def targets_table(spec: Framework, targets: tuple[TargetRow, ...]) -> Table:
    rows = []
    for i, row in enumerate(targets, start=1):
        indicator = spec.indicators.get(row.indicator)
        rows.append(
            (
                str(i),
                (indicator.name if indicator else "") or row.text,
                _number(row.baseline),
                _number(row.target),
                str(row.year or ""),
            )
        )
    return Table(
        header=(
            (
                HeaderCell("TT"),
                HeaderCell("Mục tiêu"),
                HeaderCell("Hiện trạng"),
                HeaderCell("Chỉ tiêu"),
                HeaderCell("Năm"),
            ),
        ),
        rows=tuple(rows),
        widths=(0.5, 5.0, 1.3, 1.3, 0.9),
        numeric=(False, False, True, True, False),
    )


def _percent(value: Decimal | None) -> str:
    return f"{format_number(value, locale=LOCALE, places=1)}%" if value is not None else ""


def results_table(results: tuple[ResultRow, ...]) -> Table:
    rows = []
    for i, row in enumerate(results, start=1):
        reached = attainment(row.source.baseline, row.source.target, row.achieved)
        rows.append(
            (
                str(i),
                row.source.text or row.text,
                _number(row.source.target),
                _number(row.achieved),
                f"{format_number(reached, locale=LOCALE, places=1)}%"
                if reached is not None
                else "",
                row.obstacles,
            )
        )
    return Table(
        header=(
            (
                HeaderCell("TT"),
                HeaderCell("Mục tiêu"),
                HeaderCell("Chỉ tiêu"),
                HeaderCell("Kết quả"),
                HeaderCell("Mức đạt"),
                HeaderCell("Khó khăn, vướng mắc"),
            ),
        ),
        rows=tuple(rows),
        widths=(0.5, 3.5, 1.1, 1.1, 1.0, 2.8),
        numeric=(False, False, True, True, True, False),
    )


def column_values(spec_table: FrameworkTable, row: TableRow) -> list[str]:
    return [
        display_value(c.type, row.cells.get(c.code), choices=c.choices, locale=LOCALE)
        for c in spec_table.columns
    ]


def project_table(view: TableView) -> Table:
    columns = view.table.columns
    header = [HeaderCell("TT")] + [
        HeaderCell(f"{c.title} ({c.unit})" if c.unit else c.title) for c in columns
    ]
    rows = tuple(
        (str(number), *column_values(view.table, row))
        for number, row in enumerate(view.rows, start=1)
    )
    # Short columns wide enough for their bold heading words ("chuyển", "Nguồn") at 11 pt.
    widths = (0.9, *(_COLUMN_WIDTHS.get(c.type, 1.5) for c in columns))
    numeric = (False, *(c.type in NUMERIC_TYPES for c in columns))
    money = [c.code for c in columns if c.type == "money"]
    sums = column_totals(
        (r.cells for r in view.rows), [c.code for c in columns if c.type in NUMERIC_TYPES]
    )
    totals = [
        format_number(sums[c.code], locale=LOCALE) if c.code in money else "" for c in columns
    ]
    total = None
    if any(totals):
        total = ("", *(totals[i] or ("Tổng cộng" if i == 0 else "") for i in range(len(columns))))
    return Table(
        header=(tuple(header),),
        rows=rows,
        widths=widths,
        numeric=numeric,
        total=total,
        unit_note="Đơn vị tính: triệu đồng" if any(c.type == "money" for c in columns) else "",
    )


@dataclass(frozen=True)
class PhasingColumn:
    key: str
    year: int
    source: str
    type: str


def phasing_columns(
    years: list[int], sources: tuple[str, ...], types: tuple[str, ...]
) -> list[PhasingColumn]:
    return [
        PhasingColumn(
            phasing_key(y, s, t),
            y,
            labels.funding_source_title(None, s),
            labels.funding_type_title(None, t),
        )
        for y in years
        for s in sources
        for t in types
    ]


def phasing_lines(columns: list[PhasingColumn], rows: list[tuple[str, Mapping[str, Any]]]) -> Table:
    """Rows (label, phasing) as the phasing table, with their totals."""
    money = [
        (
            label,
            [display_value("money", phasing.get(c.key), locale=LOCALE) for c in columns],
            format_number(row_phasing_total(phasing), locale=LOCALE),
        )
        for label, phasing in rows
    ]
    sums = table_phasing_totals(phasing for _label, phasing in rows)
    totals = [format_number(sums.get(c.key, Decimal(0)), locale=LOCALE) for c in columns]
    grand = format_number(sum(sums.values(), Decimal(0)), locale=LOCALE)
    return _phasing_table(columns, money, totals, grand)


def _phasing_table(
    columns: list[PhasingColumn],
    rows: list[tuple[str, list[str], str]],
    totals: list[str],
    grand_total: str,
) -> Table:
    """Budget by year × source × type: two heading rows (year, then source and type)."""
    years: list[tuple[Any, int]] = []
    for column in columns:
        if years and years[-1][0] == column.year:
            years[-1] = (column.year, years[-1][1] + 1)
        else:
            years.append((column.year, 1))
    top = (
        HeaderCell("TT"),
        HeaderCell("Nội dung"),
        HeaderCell("Tổng số"),
        *(HeaderCell(f"Năm {year}", span) for year, span in years),
    )
    second = (
        HeaderCell(""),
        HeaderCell(""),
        HeaderCell(""),
        *(HeaderCell(f"{c.source} ({c.type[:1].lower()}{c.type[1:]})") for c in columns),
    )
    body = tuple(
        (str(i), label, total, *values) for i, (label, values, total) in enumerate(rows, start=1)
    )
    # A column no row has a figure in stays blank in the total row too, as in the body.
    totals = [t if any(values[i] for _l, values, _t in rows) else "" for i, t in enumerate(totals)]
    return Table(
        header=(top, second),
        rows=body,
        widths=(0.7, 3.0, 1.2, *([1.1] * len(columns))),
        numeric=(False, False, True, *([True] * len(columns))),
        total=("", "Tổng cộng", grand_total, *totals),
        unit_note="Đơn vị tính: triệu đồng",
    )
