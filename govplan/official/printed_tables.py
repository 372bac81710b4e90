"""The tables of the official document, from the document's read model (DocumentView):
indicator values with the previous cycle's, targets, results, project tables and budget
phasing, each as printed (Vietnamese number writing, whoever asks).

Long because: the budget phasing is laid out here, not only listed: which columns are
printed, how wide each must be to stay readable (measured with the type's widths), and how a
table too wide for a page is split; keeping it beside the project table it accompanies keeps
the group headings, subtotals and numbering of both in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from govplan.core.documents.cells import display_value, format_number
from govplan.core.documents.totals import (
    WHOLE_PERIOD,
    amount,
    by_group,
    column_totals,
    phasing_key,
    row_phasing_total,
    table_phasing_totals,
)
from govplan.core.documents.values import cell_keys
from govplan.core.documents.view import IndicatorView, ResultRow, TableRow, TableView, TargetRow
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework, RowGroup
from govplan.core.frameworks.model import Table as FrameworkTable
from govplan.core.frameworks.visibility import asked_dimensions, narrowed, split_parts
from govplan.core.official.layout import (
    LANDSCAPE,
    PORTRAIT,
    TWIPS_PER_PT,
    amount_width_pt,
    label_width_pt,
    table_type_pt,
    unbroken_width_pt,
)
from govplan.core.official.model import HeaderCell, RowKind, Table
from govplan.documents.presentation import NUMERIC_TYPES, attainment, cell_display, target_words
from govplan.frameworks import labels
from govplan.frameworks.presentation import with_unit

LOCALE = "vi"  # printed as Vietnamese documents write numbers, whoever asks
_COLUMN_WIDTHS = {"text": 2.6, "longtext": 2.6, "year_range": 2.2}  # others 1.5
T = TypeVar("T")


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
        if item.no_data:
            # "Không có số liệu" is the answer, with its reason: no figure, not zero.
            reason = item.value.no_data_reason if item.value else ""
            rows.append(
                (
                    str(number),
                    item.name,
                    unit,
                    "Không có số liệu" + (f" ({reason})" if reason else ""),
                    "",
                )
            )
            continue
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
    header = (
        HeaderCell("TT"),
        HeaderCell("Chỉ tiêu"),
        HeaderCell("Đơn vị tính"),
        HeaderCell("Giá trị"),
        HeaderCell("Kỳ trước"),
    )
    widths = (0.5, 4.5, 1.2, 1.6, 1.4)
    numeric = (False, False, False, True, True)
    if not any(row[4] for row in rows):
        # No row has a previous value (a first cycle): no empty "Kỳ trước" column.
        return Table(
            header=(header[:4],),
            rows=tuple(row[:4] for row in rows),
            widths=(0.5, 4.9, 1.2, 2.4),
            numeric=numeric[:4],
        )
    return Table(header=(header,), rows=tuple(rows), widths=widths, numeric=numeric)


def _number(value: Any) -> str:
    return format_number(Decimal(str(value)), locale=LOCALE) if value not in (None, "") else ""


def targets_table(spec: Framework, targets: tuple[TargetRow, ...]) -> Table:
    """The targets, each with its words: "50 % dịch vụ công ở mức độ 3 (831/1.661)", the
    baseline and the target with the indicator's unit."""
    rows = []
    for i, row in enumerate(targets, start=1):
        indicator = spec.indicators.get(row.indicator)
        rows.append(
            (
                str(i),
                target_words(spec, row, LOCALE) or row.text,
                with_unit(row.baseline, indicator, LOCALE),
                with_unit(row.target, indicator, LOCALE),
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


def results_table(results: tuple[ResultRow, ...], spec: Framework | None = None) -> Table:
    """The results against the plan's targets; with ``spec``, each target with the words and
    the unit of its indicator."""
    rows = []
    for i, row in enumerate(results, start=1):
        reached = attainment(row.source.baseline, row.source.target, row.achieved)
        indicator = spec.indicators.get(row.source.indicator) if spec else None
        words = row.source.text or row.text or (indicator.name if indicator else "")
        if row.source.words:
            words = row.source.words  # as the plan printed its target
        elif spec is not None and indicator is not None and row.source.target is not None:
            # The plan's target with its words: "50 % dịch vụ công ở mức độ 3".
            source = row.source
            words = target_words(
                spec,
                TargetRow(
                    source.key,
                    0,
                    source.indicator,
                    source.text,
                    None,
                    str(source.target),
                    None,
                    option=source.option,
                    target_n=None if source.target_n is None else str(source.target_n),
                    target_d=None if source.target_d is None else str(source.target_d),
                ),
                LOCALE,
            )
        rows.append(
            (
                str(i),
                words,
                with_unit(row.source.target, indicator, LOCALE),
                with_unit(row.achieved, indicator, LOCALE),
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


def grouped_rows(
    groups: tuple[RowGroup, ...], rows: Sequence[T], group_of: Callable[[T], str]
) -> list[tuple[RowGroup | None, list[T]]]:
    """``rows`` under the table's groups, in the groups' order; a group without a row is not
    printed. Without groups: all the rows, under None. Rows whose group is not (or no longer)
    one of the table's come last, under a group "Khác" without a number."""
    if not groups:
        return [(None, list(rows))]
    by_code = {g.code: g for g in groups}
    return [
        (by_code[code] if code is not None else RowGroup("", "", OTHER_GROUP), members)
        for code, members in by_group([g.code for g in groups], rows, group_of)
        if members
    ]


def _subtotal_label(group: RowGroup) -> str:
    return f"Cộng {group.number}" if group.number else "Cộng"


def project_table(view: TableView) -> Table:
    columns = view.table.columns
    header = [HeaderCell("TT")] + [
        HeaderCell(f"{c.title} ({c.unit})" if c.unit else c.title) for c in columns
    ]
    money = [c.code for c in columns if c.type == "money"]
    body: list[tuple[str, ...]] = []
    kinds: list[RowKind] = []
    # The label of a group's heading and subtotal goes in the first column, unless that
    # column holds amounts: then in the "TT" column.
    at = 0 if columns and columns[0].code not in money else -1
    for group, members in grouped_rows(view.table.groups, view.rows, lambda r: r.group):
        if group is not None:
            cells = [""] * len(columns)
            if at == 0:
                cells[0] = group.title
            body.append((group.number if at == 0 else _join(group), *cells))
            kinds.append("group")
        for number, row in enumerate(members, start=1):
            body.append((str(number), *column_values(view.table, row)))
            kinds.append("")
        if group is not None and money:  # a subtotal of the group's amounts
            sums = column_totals((r.cells for r in members), money)
            cells = [
                format_number(sums[c.code], locale=LOCALE) if c.code in money else ""
                for c in columns
            ]
            if at == 0:
                cells[0] = _subtotal_label(group)
            body.append(("" if at == 0 else _subtotal_label(group), *cells))
            kinds.append("subtotal")
    rows = tuple(body)
    # Short columns wide enough for their bold heading words ("chuyển", "Nguồn") at 11 pt.
    shares = (0.9, *(_COLUMN_WIDTHS.get(c.type, 1.5) for c in columns))
    numeric = (False, *(c.type in NUMERIC_TYPES for c in columns))
    widths = _readable(shares, header, rows, numeric, ("", *(c.type for c in columns)))
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
        row_kinds=tuple(kinds) if any(kinds) else (),
    )


def _readable(
    shares: tuple[float, ...],
    header: list[HeaderCell],
    rows: tuple[tuple[str, ...], ...],
    numeric: tuple[bool, ...],
    types: tuple[str, ...],
) -> tuple[float, ...]:
    """The columns' widths in points on the page the table is printed on, in ``shares``, but
    none narrower than its heading's longest word, its longest figure (money: at least
    "1.000.000") or its longest word: what a column falls short is taken from the columns
    with room to spare. Too many columns for any page: the least widths, scaled by the writer."""
    page = LANDSCAPE_PT if len(shares) > _PORTRAIT_COLUMNS else PORTRAIT_PT
    size = table_type_pt(len(shares))
    least = []
    for i, head in enumerate(header):
        values = [row[i] for row in rows if i < len(row)]
        if types[i] == "money":
            need = amount_width_pt(head.text, values, size)
        elif numeric[i]:
            need = max(
                unbroken_width_pt(values, size), unbroken_width_pt([head.text], size, bold=True)
            )
        else:
            need = unbroken_width_pt([head.text], size, bold=True)
            need = max(need, min(unbroken_width_pt(values, size), 100.0))
        least.append(need)
    if sum(least) >= page:
        return tuple(round(w, 1) for w in least)
    widths = [share * page / sum(shares) for share in shares]
    short = sum(max(0.0, need - w) for need, w in zip(least, widths, strict=True))
    spare = sum(max(0.0, w - need) for need, w in zip(least, widths, strict=True))
    if short:
        widths = [
            need if w <= need else w - (w - need) * short / spare
            for need, w in zip(least, widths, strict=True)
        ]
    return tuple(round(w, 1) for w in widths)


def _join(group: RowGroup) -> str:
    return f"{group.number}. {group.title}" if group.number else group.title


# --- budget phasing --------------------------------------------------------------------------

WHOLE_PERIOD_TITLE = "Cả giai đoạn"  # the column of amounts given for the whole period
OTHER_GROUP = "Khác"  # rows whose group the table no longer has
PHASING_LABEL = "Nội dung"
PHASING_TOTAL = "Tổng số"
BY_YEAR_TITLE = "Kinh phí theo năm"
BY_SOURCE_TITLE = "Kinh phí theo nguồn vốn"
# The page a phasing table is laid out for, in points: a landscape A4 page's text width,
# or a portrait one's for a narrow table (an appendix is landscape only when it must be).
LANDSCAPE_PT = LANDSCAPE.text_width / TWIPS_PER_PT
PORTRAIT_PT = PORTRAIT.text_width / TWIPS_PER_PT


@dataclass(frozen=True)
class PhasingColumn:
    key: str
    year: int
    source: str
    type: str
    rank: int = 0  # the (source, type)'s place in the framework's lists: the by-source order

    @property
    def year_title(self) -> str:
        return WHOLE_PERIOD_TITLE if self.year == WHOLE_PERIOD else f"Năm {self.year}"


def phasing_columns(
    years: list[int],
    sources: tuple[str, ...],
    types: tuple[str, ...],
    spec: Framework | None = None,
) -> list[PhasingColumn]:
    """Every (year, source, type) column, in the order printed; year WHOLE_PERIOD (0) is the
    amount given for the whole period, printed "Cả giai đoạn"."""
    return [
        PhasingColumn(
            phasing_key(y, s, t),
            y,
            labels.funding_source_title(spec, s),
            labels.funding_type_title(spec, t),
            si * len(types) + ti,
        )
        for y in years
        for si, s in enumerate(sources)
        for ti, t in enumerate(types)
    ]


def used_phasing_columns(
    columns: list[PhasingColumn], phasings: Iterable[Mapping[str, Any]]
) -> list[PhasingColumn]:
    """The columns printed: those where at least one row holds an amount other than 0. A
    column of blanks and typed zeros says no money is planned there, which the row's total
    already says; a typed 0 in a printed column is printed "0"."""
    used = used_phasing_keys(phasings)
    return [c for c in columns if c.key in used]


def used_phasing_keys(phasings: Iterable[Mapping[str, Any]]) -> set[str]:
    """The phasing keys that hold an amount other than 0 in at least one of ``phasings``."""
    used: set[str] = set()
    for phasing in phasings:
        for key, value in phasing.items():
            number = amount(value)
            if number is not None and number != 0:
                used.add(key)
    return used


@dataclass(frozen=True)
class _Printed:
    """One printed column of amounts: its headings and the phasing keys it adds up."""

    top: str
    sub: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class _Line:
    kind: RowKind
    number: str
    label: str
    phasing: Mapping[str, Any] | None  # None: a group's heading, no figures


@dataclass
class _Lines:
    """A phasing table's lines, with what is measured of them kept: a table is measured
    for several sets of columns before it is printed."""

    items: list[_Line]
    figures: dict[tuple[int, tuple[str, ...]], str] = field(default_factory=dict)
    fixed: dict[float, tuple[float, float, float, float]] = field(default_factory=dict)

    def figure(self, index: int, keys: tuple[str, ...]) -> str:
        key = (index, keys)
        if key not in self.figures:
            self.figures[key] = _figure(self.items[index].phasing, keys)
        return self.figures[key]

    def column(self, keys: tuple[str, ...]) -> list[str]:
        return [self.figure(i, keys) for i in range(len(self.items))]


def _phasing_lines_of(
    rows: Sequence[tuple[str, Mapping[str, Any], str]], groups: tuple[RowGroup, ...]
) -> _Lines:
    lines: list[_Line] = []
    for group, members in grouped_rows(groups, rows, lambda r: r[2]):
        if group is not None:
            lines.append(_Line("group", group.number, group.title, None))
        lines += [
            _Line("", str(i), label, phasing) for i, (label, phasing, _g) in enumerate(members, 1)
        ]
        if group is not None:
            summed = table_phasing_totals(phasing for _l, phasing, _g in members)
            lines.append(_Line("subtotal", "", _subtotal_label(group), summed))
    return _Lines(lines)


def _figure(phasing: Mapping[str, Any] | None, keys: tuple[str, ...]) -> str:
    """The amount of ``keys`` in a row: blank when none of them holds one."""
    if phasing is None:
        return ""
    numbers = [n for n in (amount(phasing.get(k)) for k in keys) if n is not None]
    return format_number(sum(numbers, Decimal(0)), locale=LOCALE) if numbers else ""


def phasing_lines(
    columns: list[PhasingColumn],
    rows: list[tuple[str, Mapping[str, Any]]],
    *,
    groups: tuple[RowGroup, ...] = (),
    row_groups: Sequence[str] = (),
) -> Table:
    """Rows (label, phasing) as one phasing table with every one of ``columns``, with their
    totals (and their groups' headings and subtotals); ``phasing_tables`` splits it."""
    grouped = [
        (label, phasing, row_groups[i] if i < len(row_groups) else "")
        for i, (label, phasing) in enumerate(rows)
    ]
    return _phasing_table(_full(columns), _phasing_lines_of(grouped, groups), LANDSCAPE_PT)


def _full(columns: list[PhasingColumn]) -> list[_Printed]:
    return [
        _Printed(c.year_title, f"{c.source} ({c.type[:1].lower()}{c.type[1:]})", (c.key,))
        for c in columns
    ]


def phasing_tables(
    columns: list[PhasingColumn],
    rows: Sequence[tuple[str, Mapping[str, Any], str]],
    groups: tuple[RowGroup, ...] = (),
    *,
    landscape: bool = False,
) -> tuple[Table, ...]:
    """Rows (label, phasing, group code) as the budget phasing appendix (``landscape``: on
    landscape pages whatever its width, beside a wide project table): one table by year ×
    source × type when it fits a page at a readable width (``layout.amount_width_pt``), else
    a table of totals by year and one by source and type.

    Why that split and not one table per group of years: it is how plans print a budget too
    wide for the page ("Phân kỳ theo năm" beside "Nguồn vốn"), each of the two tables lists
    the projects once, so six projects with all 40 columns take two short tables, not five
    that repeat them; every figure typed stays in the workbook of the tables. When even one
    of the two does not fit (a ten-year period, many sources), it is cut into parts by year
    or by source, each with the "TT", "Nội dung" and "Tổng số" columns again."""
    lines = _phasing_lines_of(rows, groups)
    full = _full(columns)
    caption = ""
    if len({p.sub for p in full}) == 1:
        # One source and type only: named once above the table, not under every year.
        caption = f"Nguồn vốn: {full[0].sub}"
        full = [_Printed(p.top, "", p.keys) for p in full]
    for page in (PORTRAIT_PT, LANDSCAPE_PT):
        if (len(full) + 3 <= _PORTRAIT_COLUMNS and not landscape) or page == LANDSCAPE_PT:
            widths = _widths(full, lines, page)
            if widths is not None:
                return (_phasing_table(full, lines, page, title=caption),)
    by_year: dict[str, list[str]] = {}
    by_source: dict[tuple[str, str], list[str]] = {}
    # The sources in the framework's order (the central budget first), whatever year first
    # uses them.
    for c in sorted(columns, key=lambda c: c.rank):
        by_source.setdefault((c.source, c.type), []).append(c.key)
    for c in columns:
        by_year.setdefault(c.year_title, []).append(c.key)
    years = [_Printed(title, "", tuple(keys)) for title, keys in by_year.items()]
    several_types = len({t for _s, t in by_source}) > 1
    sources = [
        _Printed(s, t if several_types else "", tuple(keys))
        if several_types
        else _Printed(f"{s} ({t[:1].lower()}{t[1:]})", "", tuple(keys))
        for (s, t), keys in by_source.items()
    ]
    tables: list[Table] = []
    for title, part in ((BY_YEAR_TITLE, years), (BY_SOURCE_TITLE, sources)):
        pieces = _pieces(part, lines)
        for i, piece in enumerate(pieces, start=1):
            suffix = f" (phần {i}/{len(pieces)})" if len(pieces) > 1 else ""
            tables.append(_phasing_table(piece, lines, LANDSCAPE_PT, title=title + suffix))
    return tuple(tables)


_PORTRAIT_COLUMNS = 7  # as build.WIDE: a table of more columns goes to a landscape page


def _pieces(part: list[_Printed], lines: _Lines) -> list[list[_Printed]]:
    """``part`` cut into runs of columns that each fit a landscape page, never inside a
    heading spanning several columns unless that heading alone is too wide."""
    runs: list[list[_Printed]] = []
    for column in part:
        if runs and runs[-1][-1].top == column.top:
            runs[-1].append(column)
        else:
            runs.append([column])
    pieces: list[list[_Printed]] = []
    for run in runs:
        if pieces and _widths([*pieces[-1], *run], lines, LANDSCAPE_PT) is not None:
            pieces[-1] += run
        elif _widths(run, lines, LANDSCAPE_PT) is not None:
            pieces.append(list(run))
        else:
            for column in run:
                if pieces and _widths([*pieces[-1], column], lines, LANDSCAPE_PT) is not None:
                    pieces[-1].append(column)
                else:
                    pieces.append([column])
    return pieces


def _widths(printed: list[_Printed], lines: _Lines, page_pt: float) -> list[float] | None:
    """The columns' widths in points on a page ``page_pt`` wide, or None when they do not
    fit at a readable width: numbers on one line, headings broken between words only, the
    "Nội dung" column wide enough for names to read on a few lines."""
    size = table_type_pt(len(printed) + 3)
    two_rows = any(p.sub for p in printed)
    numbers = [
        amount_width_pt(p.sub if two_rows else p.top, lines.column(p.keys), size) for p in printed
    ]
    tt, total, label, least = _fixed_widths(lines, size)
    room = page_pt - tt - total - sum(numbers)
    if room < least:
        return None
    # Heading words of a spanning top heading must fit in the columns it spans.
    if two_rows:
        for top, span_widths in _spans(printed, numbers):
            if unbroken_width_pt([top], size, bold=True) > sum(span_widths):
                return None
    # The page's width left over goes to the columns beside "TT" (which stays narrow), so
    # that the writers, which fill the text width, do not widen "TT" too.
    others = [min(label, room), total, *numbers]
    grow = max(1.0, (page_pt - tt) / sum(others))
    return [tt, *(w * grow for w in others)]


def _fixed_widths(lines: _Lines, size: float) -> tuple[float, float, float, float]:
    """The widths of "TT" and "Tổng số", and the wished and least widths of "Nội dung"."""
    if size not in lines.fixed:
        lines.fixed[size] = _measure_fixed(lines.items, size)
    return lines.fixed[size]


def _measure_fixed(lines: list[_Line], size: float) -> tuple[float, float, float, float]:
    totals = [
        format_number(row_phasing_total(line.phasing), locale=LOCALE)
        for line in lines
        if line.phasing is not None
    ]
    tt = unbroken_width_pt(["TT", *(line.number for line in lines)], size, bold=True) + 2
    total = amount_width_pt(PHASING_TOTAL, totals, size)
    label, least = label_width_pt([PHASING_LABEL, *(line.label for line in lines)], size)
    return tt, total, label, least


def _spans(printed: list[_Printed], widths: list[float]) -> list[tuple[str, list[float]]]:
    spans: list[tuple[str, list[float]]] = []
    for p, w in zip(printed, widths, strict=True):
        if spans and spans[-1][0] == p.top:
            spans[-1][1].append(w)
        else:
            spans.append((p.top, [w]))
    return spans


def _phasing_table(
    printed: list[_Printed], lines: _Lines, page_pt: float, *, title: str = ""
) -> Table:
    """The phasing table of ``printed`` columns: one heading row, or two (the year or source
    over the source or type); its rows, then "Tổng cộng"."""
    two_rows = any(p.sub for p in printed)
    spans = _spans(printed, [1.0] * len(printed))
    top = (
        HeaderCell("TT"),
        HeaderCell(PHASING_LABEL),
        HeaderCell(PHASING_TOTAL),
        *(HeaderCell(t, len(w)) if two_rows else HeaderCell(t) for t, w in spans),
    )
    header: tuple[tuple[HeaderCell, ...], ...] = (top,)
    if two_rows:
        blank = (HeaderCell(""), HeaderCell(""), HeaderCell(""))
        header = (top, (*blank, *(HeaderCell(p.sub) for p in printed)))
    columns = [lines.column(p.keys) for p in printed]
    body = tuple(
        (
            line.number,
            line.label,
            format_number(row_phasing_total(line.phasing), locale=LOCALE)
            if line.phasing is not None
            else "",
            *(column[i] for column in columns),
        )
        for i, line in enumerate(lines.items)
    )
    kinds = tuple(line.kind for line in lines.items)
    ordinary = [i for i, line in enumerate(lines.items) if line.kind == ""]
    sums = table_phasing_totals(
        phasing for i in ordinary if (phasing := lines.items[i].phasing) is not None
    )
    # A column no row has a figure in stays blank in the total row too, as in the body.
    totals = [
        _figure(sums, p.keys) if any(column[i] for i in ordinary) else ""
        for p, column in zip(printed, columns, strict=True)
    ]
    grand = format_number(sum(sums.values(), Decimal(0)), locale=LOCALE)
    widths = _widths(printed, lines, page_pt)
    if widths is None:  # not even one column fits: printed at the least widths, page or not
        size = table_type_pt(len(printed) + 3)
        widths = [24.0, 110.0, amount_width_pt(PHASING_TOTAL, [], size)] + [
            amount_width_pt(p.sub or p.top, [], size) for p in printed
        ]
    return Table(
        header=header,
        rows=body,
        widths=tuple(round(w, 1) for w in widths),
        numeric=(False, False, True, *([True] * len(printed))),
        total=("", "Tổng cộng", grand, *totals),
        title=title,
        unit_note="Đơn vị tính: triệu đồng",
        row_kinds=kinds if any(kinds) else (),
    )
