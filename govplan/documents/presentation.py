"""The editor page's presentation of a document's read model: display strings in the user's
locale, and the blocks the templates lay out (``page_context``). It reads the typed
``DocumentView`` (``documents.read``) and never the database, but for the section's
attachments, which only the page shows.

Long because: every kind of entry the page lays out has its block here (indicator cells
with the previous cycle, targets with their words, results, tables with their groups,
subtotals and phasing columns, budgets), each returned whole by a save for the page to
redraw, and they share the display helpers (which the official document's tables reuse, so
that the page and the print say the same thing); split apart they would import each other
back.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govplan.core.documents import keys
from govplan.core.documents.cells import display_value, format_number
from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.documents.totals import (
    WHOLE_PERIOD,
    by_group,
    column_totals,
    phasing_by,
    phasing_key,
    row_phasing_total,
    table_phasing_totals,
)
from govplan.core.documents.values import cell_keys, ratio_percent
from govplan.core.documents.view import (
    BudgetView,
    Cell,
    DocumentView,
    IndicatorView,
    Origin,
    PreviousValue,
    ResultRow,
    SectionView,
    TableRow,
    TargetRow,
)
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework, Section, Table
from govplan.core.frameworks.visibility import asked_dimensions, narrowed, split_parts
from govplan.documents.models import Attachment, Document
from govplan.frameworks import labels
from govplan.frameworks.models import FrameworkVersion
from govplan.frameworks.presentation import applies_label, figure_lines, option_title, with_unit
from govplan.webutils import helper_cache

NUMERIC_TYPES = ("integer", "decimal", "money", "percent")


def input_locale() -> str:
    """How the user writes numbers and dates (1.234,5 or 1,234.5): their interface language."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def describe_cell(indicator: Indicator, cell: Mapping[str, Any] | None, locale: str) -> str:
    """One stored cell of an indicator as text: "90/100 (90,0%)", "1.000", "có"."""
    if not cell:
        return ""
    if indicator.type == "ratio":
        if "n" not in cell or "d" not in cell:
            return ""
        percent = ratio_percent(dict(cell))
        numerator = format_number(Decimal(str(cell["n"])), locale=locale)
        denominator = format_number(Decimal(str(cell["d"])), locale=locale)
        text = f"{numerator}/{denominator}"
        if percent is not None:
            text += f" ({format_number(percent, locale=locale, places=1)}%)"
        return text
    value = cell.get("v")
    if value is None:
        return ""
    if indicator.type in ("integer", "decimal", "money"):
        return format_number(Decimal(str(value)), locale=locale)
    if indicator.type == "boolean":
        return ("có" if value else "không") if locale == "vi" else ("yes" if value else "no")
    if indicator.type == "choice":
        titles = {o.code: o.title for o in indicator.choices}
        return titles.get(str(value), str(value))
    return str(value)


def _described(indicator: Indicator, cell: Cell | None, locale: str) -> str:
    return describe_cell(indicator, cell.raw() if cell else None, locale)


def describe_previous(
    indicator: Indicator, prev: PreviousValue | None, key: str, locale: str
) -> str:
    """The previous cycle's value of one cell as shown beside it: "140 (Bắc Giang 100 +
    Bắc Ninh 40)" for a merged unit; each predecessor's value where they do not add up
    ("Bắc Giang: có; Bắc Ninh: không") or where one gave only part of itself."""
    if prev is None:
        return ""
    total = _described(indicator, prev.cells.get(key), locale)
    sources = prev.sources
    if len(sources) <= 1 and all(s.own and s.whole for s in sources):
        return total
    parts = []
    for source in sources:
        label = source.label if source.whole else _("%(unit)s (part)") % {"unit": source.label}
        parts.append((label, _described(indicator, source.cells.get(key), locale)))
    if not any(text for _label, text in parts):
        return ""
    if total and len(parts) == 1:
        return f"{total} ({parts[0][0]})"
    if total:
        return f"{total} ({' + '.join(f'{label} {text}' for label, text in parts)})"
    return "; ".join(f"{label}: {text or '—'}" for label, text in parts)


def cell_display(
    indicator: Indicator,
    key: str,
    cells: Mapping[str, Cell],
    prev: PreviousValue | None,
    locale: str,
) -> dict[str, Any]:
    """One cell of an indicator as the page (and the printed table) shows it."""
    cell = cells.get(key) or Cell()
    data: dict[str, Any] = {"key": key, "previous": describe_previous(indicator, prev, key, locale)}
    if indicator.type == "ratio":
        data["n"] = format_number(Decimal(cell.n), locale=locale) if cell.n is not None else ""
        data["d"] = format_number(Decimal(cell.d), locale=locale) if cell.d is not None else ""
        percent = ratio_percent(cell.raw()) if cell.raw() else None
        data["percent"] = (
            format_number(percent, locale=locale, places=1) if percent is not None else ""
        )
        # In the indicator's own unit where that is not a percentage (computers per person).
        data["quotient"] = (
            format_number(percent / 100, locale=locale, places=2) if percent is not None else ""
        )
    else:
        value = cell.value
        if value is None:
            data["value"] = ""
        elif indicator.type in ("integer", "decimal", "money"):
            data["value"] = format_number(Decimal(str(value)), locale=locale)
        elif indicator.type == "date":
            data["value"] = display_value("date", value)
        else:
            data["value"] = value
    return data


def indicator_block(
    spec: Framework, item: IndicatorView, locale: str, unit: tuple[str, str] | None = None
) -> dict[str, Any]:
    indicator, use = item.indicator, item.use
    cells = item.cells
    dims = asked_dimensions(spec, use)
    prev = item.previous
    rows: list[dict[str, Any]] = []
    if len(dims) == 2:
        for first in dims[0].options:
            rows.append(
                {
                    "title": first.title,
                    "cells": [
                        cell_display(indicator, f"{first.code}|{second.code}", cells, prev, locale)
                        for second in dims[1].options
                    ],
                }
            )
    else:
        titles = {o.code: o.title for o in dims[0].options} if dims else {"": ""}
        parts = split_parts(spec, use)  # a split figure: the whole unit's, then each level's
        if parts:
            titles = {"": _("Whole unit"), **{p.code: p.title for p in parts}}
        for key in cell_keys(indicator, narrowed(spec, indicator.code, use.options)) + [
            p.code for p in parts
        ]:
            rows.append(
                {
                    "title": titles.get(key, ""),
                    "cells": [cell_display(indicator, key, cells, prev, locale)],
                }
            )
    return {
        "key": item.key,
        "revision": item.value.revision if item.value else 0,
        "code": indicator.code,
        "name": item.name,
        "unit": indicator.unit,
        "type": indicator.type,
        "minimum": indicator.minimum,
        "maximum": indicator.maximum,
        "required": use.required,
        "definition": indicator.definition,
        "numerator": indicator.numerator.label if indicator.numerator else "",
        "denominator": indicator.denominator.label if indicator.denominator else "",
        "choices": indicator.choices,
        "columns": [o.title for o in dims[1].options] if len(dims) == 2 else [],
        "dimension_titles": [d.title for d in dims]
        or ([spec.dimensions[use.split.dimension].title] if use.split else []),
        "rows": rows,
        "comment": item.value.comment if item.value else "",
        "no_data": item.no_data,
        "no_data_reason": item.value.no_data_reason if item.value else "",
        "figures": figure_lines(spec, indicator.code, locale, unit),
        "filled": item.filled,
        "previous_from": prev.mapped_from if prev else "",
    }


def origin_of(origin: Origin | None) -> dict[str, str] | None:
    return {"unit": origin.unit, "period": origin.period} if origin else None


def _money(value: Any, locale: str) -> str:
    return display_value("money", value, locale=locale)


def _phasing_columns(
    spec: Framework, sources: Sequence[str], types: Sequence[str], whole_period: bool = False
) -> list[Any]:
    """The amount columns: each year × source × type, then, where the framework allows an
    amount for the whole period without a year split, those (year WHOLE_PERIOD)."""
    years = spec.period.years() + ([WHOLE_PERIOD] if whole_period else [])
    return [
        {
            "key": phasing_key(y, s, t),
            "year": y if y != WHOLE_PERIOD else _("Whole period"),
            "source": labels.funding_source_title(spec, s),
            "type": labels.funding_type_title(spec, t),
        }
        for y in years
        for s in sources
        for t in types
    ]


def budget_whole_period(spec: Framework, section: Section) -> bool:
    """Whether a budget holds whole-period amounts: typed, where it allows them; computed
    from the projects, where a project table does."""
    budget = section.budget
    if budget is None:
        return False
    if budget.rows == "projects":
        return any(t.phasing is not None and t.phasing.whole_period for _s, t in spec.tables())
    return budget.whole_period


def _phasing_summary(
    spec: Framework, table: Table, years: list[int], totals: Mapping[str, Decimal], locale: str
) -> list[dict[str, str]]:
    """Totals per year, per funding source and per funding type, for the line under a grid."""
    if table.phasing is None:
        return []
    by_year, by_source = phasing_by(totals, "year"), phasing_by(totals, "source")
    by_type = phasing_by(totals, "type")
    items = [(str(y), by_year.get(y, Decimal(0))) for y in years]
    if WHOLE_PERIOD in by_year:
        items.append((_("Whole period"), by_year[WHOLE_PERIOD]))
    items += [
        (labels.funding_source_title(spec, s), by_source[s])
        for s in table.phasing.sources
        if s in by_source
    ]
    items += [
        (labels.funding_type_title(spec, t), by_type[t])
        for t in table.phasing.types
        if t in by_type
    ]
    return [
        {"label": label, "value": format_number(value, locale=locale)} for label, value in items
    ]


def table_block(
    spec: Framework,
    table: Table,
    rows: Sequence[TableRow],
    locale: str,
    *,
    only: str | None = None,
    formatted: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """The table as the page shows it; with ``only`` (a row's key), that row alone is laid
    out (the totals still count every row): what a save returns for the page to redraw.
    ``formatted``: rows already written in this locale, language and framework, by
    ``key@revision`` (a row's content at a revision never changes): taken from there,
    and the rows written here are added to it."""
    phasing_columns = (
        _phasing_columns(
            spec, table.phasing.sources, table.phasing.types, table.phasing.whole_period
        )
        if table.phasing
        else []
    )
    numeric = [c.code for c in table.columns if c.type in NUMERIC_TYPES]
    money = [c.code for c in table.columns if c.type == "money"]
    source_columns = table.source_columns()
    body = []
    for index, row in enumerate(rows, start=1):
        if only is not None and row.key != only:
            continue
        memo = f"{row.key}@{row.revision}"
        written = formatted.get(memo) if formatted is not None else None
        if written is None:
            written = [
                [
                    display_value(c.type, row.cells.get(c.code), choices=c.choices, locale=locale)
                    for c in table.columns
                ],
                [_money(row.phasing.get(p["key"]), locale) for p in phasing_columns],
                format_number(row_phasing_total(row.phasing), locale=locale)
                if table.phasing
                else "",
            ]
            if formatted is not None:
                formatted[memo] = written
        cells, amounts, total = written
        body.append(
            {
                "key": row.key,
                "revision": row.revision,
                "number": index,
                "origin": origin_of(row.origin),
                "cells": [
                    {"code": c.code, "value": value}
                    for c, value in zip(table.columns, cells, strict=True)
                ],
                "phasing": [
                    {"key": p["key"], "value": value}
                    for p, value in zip(phasing_columns, amounts, strict=True)
                ],
                "total": total,
                "group": row.group,
            }
        )
    totals = column_totals((r.cells for r in rows), numeric)
    phasing_totals = table_phasing_totals(r.phasing for r in rows)
    return {
        "code": table.code,
        "container": Collection.table(table.code).container,
        "title": table.title,
        "numbered": table.numbered,
        "columns": [
            {
                "code": c.code,
                "title": c.title,
                "type": c.type,
                "type_label": labels.VALUE_TYPES.get(c.type, c.type),
                "unit": c.unit,
                "required": c.required,
                "choices": [{"code": o.code, "title": o.title} for o in c.choices],
                "numeric": c.type in NUMERIC_TYPES,
                "readonly": c in source_columns,
            }
            for c in table.columns
        ],
        "rows_from": table.rows_from is not None,
        "phasing_columns": phasing_columns,
        "rows": body,
        "row_count": len(rows),
        "totals": [
            format_number(totals[c.code], locale=locale) if c.code in money else ""
            for c in table.columns
        ],
        "phasing_totals": [
            format_number(phasing_totals.get(p["key"], Decimal(0)), locale=locale)
            for p in phasing_columns
        ],
        "grand_total": format_number(sum(phasing_totals.values(), Decimal(0)), locale=locale)
        if table.phasing
        else "",
        "summary": _phasing_summary(spec, table, spec.period.years(), phasing_totals, locale),
        "groups": _groups_block(table, rows, body, locale),
    }


def _groups_block(
    table: Table, rows: Sequence[TableRow], body: list[dict[str, Any]], locale: str
) -> list[dict[str, Any]]:
    """A grouped table's rows under their groups, each with its subtotal of the money
    columns and of the phasing; rows in no group come last, under a heading that says so.
    Empty for a table without groups."""
    if not table.groups:
        return []
    laid_out = {r["key"]: r for r in body}
    money = [c.code for c in table.columns if c.type == "money"]
    titles = {g.code: g for g in table.groups}
    out = []
    for code, members in by_group([g.code for g in table.groups], rows, lambda r: r.group):
        group = titles.get(code) if code is not None else None
        sums = column_totals((r.cells for r in members), money)
        phased = row_phasing_total(table_phasing_totals(r.phasing for r in members))
        out.append(
            {
                "code": code or "",
                "number": group.number if group else "",
                "title": group.title if group else _("Rows in no group"),
                "rows": [laid_out[r.key] for r in members if r.key in laid_out],
                "totals": [
                    format_number(sums[c.code], locale=locale) if c.code in money else ""
                    for c in table.columns
                ],
                "phasing_total": format_number(phased, locale=locale) if table.phasing else "",
            }
        )
    return out


def script_json(value: Any) -> str:
    """Compact JSON safe inside a <script> element; unlike json_script, not ASCII-only
    (a Vietnamese letter escaped as a six-character \\u sequence costs 6 bytes, not 2 or 3)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # As json_script escapes, so that the data cannot close its <script>; by replace, which
    # is some 20 times faster than str.translate on 200 KB.
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def grid_rows(table: dict[str, Any]) -> list[list[Any]]:
    """The rows of ``table_block`` in page order, by the group they are drawn under ("" for
    an ungrouped table): ``[[group, [[uid, revision, group, cells, phasing, total, origin,
    number], …]], …]``, uid the key without its container (the table's ``data-container``),
    cells and phasing in the order of the table's columns (phasing without its trailing
    empty amounts), origin the words of a row carried over from the previous cycle ("" for
    the others), number its place in the table as stored."""

    prefix = f"{table['container']}:"

    def row(r: dict[str, Any]) -> list[Any]:
        origin = r["origin"]
        phasing = [p["value"] for p in r["phasing"]]
        while phasing and phasing[-1] == "":  # most rows use a few sources: ~5 % of the data
            phasing.pop()
        return [
            r["key"].removeprefix(prefix),
            r["revision"],
            r["group"] or "",
            [c["value"] for c in r["cells"]],
            phasing,
            r["total"],
            _("from %(unit)s (%(period)s)") % origin if origin else "",
            r["number"],
        ]

    if table["groups"]:
        return [[g["code"], [row(r) for r in g["rows"]]] for g in table["groups"]]
    return [["", [row(r) for r in table["rows"]]]]


# -- The editor page's table blocks, cached ---------------------------------------------------
#
# Formatting a 300-row table (every cell and amount in the reader's locale, the totals, the
# grid's JSON) was most of the editor page's presentation time, on every view. The page's
# block of a table is a function of: the table's rows in their order (each row's key and
# revision: every change of a row, a move, an import, a restore or a deletion gives a row a
# new revision or removes it; its group and where it was carried over from), the framework
# version (a published version is immutable: its id and publication time name it), and the
# language (number formats and every translated word). It does not depend on who reads it:
# what the reader may do (inputs editable or not, the add-row button) is laid out by the
# template around the block, from the page's ``editable``. So the block is kept in Django's
# cache under a key made of exactly those; a shared cache (CACHES) serves every process.

TABLE_CACHE_SECONDS = 24 * 3600


def _code_revision() -> str:
    """The code and translations a block is laid out by: this module, the number and cell
    formats, the totals, the vocabulary's labels and the compiled translations. A deployment
    that changes any of them reads none of the blocks the previous code laid out (a shared
    cache outlives a restart)."""
    from govplan.core.documents import cells, totals

    digest = hashlib.blake2b(digest_size=8)
    locale_dir = Path(__file__).resolve().parent.parent / "locale"
    for path in (
        Path(__file__),
        Path(cells.__file__),
        Path(totals.__file__),
        Path(labels.__file__),
        *sorted(locale_dir.glob("*/LC_MESSAGES/django.mo")),
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()


TABLE_CACHE_FORMAT = _code_revision()


def table_revision(rows: Sequence[TableRow]) -> str:
    """A digest of what a table block is made of, row by row in page order: key, revision,
    group and origin (the content of a row at a revision never changes)."""
    digest = hashlib.blake2b(digest_size=16)
    for row in rows:
        origin = row.origin
        digest.update(
            f"{row.key}\x1f{row.revision}\x1f{row.group}\x1f"
            f"{origin.unit if origin else ''}\x1f{origin.period if origin else ''}\x1e".encode()
        )
    return digest.hexdigest()


def framework_revision(version: FrameworkVersion) -> str | None:
    """What names a framework version's content for ever: a published version's id and
    publication time (published versions are immutable). None for a draft (its spec may
    change under the same id): its blocks are not cached."""
    if not version.is_published or version.published_at is None:
        return None
    return f"{version.pk}@{version.published_at.timestamp()}"


def document_revision(document: Document) -> str:
    """The document's identity for the cache: its id and creation time (an id SQLite reuses
    after a deletion names another document)."""
    return f"{document.pk}.{document.created_at.timestamp()}"


def table_cache_key(
    document_id: str, framework: str, table_code: str, rows: Sequence[TableRow] | None
) -> str:
    """The key of the table's block (``rows``: the rows it shows), or, with ``rows`` None,
    of its rows as last written (``table_block``'s ``formatted``), which a block of other
    rows reuses for the rows it shares (a row saved: the other 299 are not written again)."""
    return ":".join(
        (
            "govplan.table" if rows is not None else "govplan.table-rows",
            TABLE_CACHE_FORMAT,
            document_id,
            framework,
            table_code,
            get_language() or "",
            table_revision(rows) if rows is not None else "",
        )
    )


def page_table_block(
    spec: Framework,
    table: Table,
    rows: Sequence[TableRow],
    locale: str,
    *,
    document_id: str | None = None,
    framework: str | None = None,
) -> dict[str, Any]:
    """The table's block as the editor page lays it out: ``table_block`` with the grid's
    rows as JSON (``grid_json``) instead of one dict per row and cell. From the cache when
    ``document_id`` (``document_revision``) and ``framework`` (``framework_revision``) are
    given and the same rows were laid out before in the same language."""
    if document_id is None or framework is None:
        return _page_block(table_block(spec, table, rows, locale))
    key = table_cache_key(document_id, framework, table.code, rows)
    rows_key = table_cache_key(document_id, framework, table.code, None)
    found = helper_cache.get_many([key, rows_key])
    if isinstance(found.get(key), dict):
        return dict(found[key])
    formatted = found.get(rows_key)
    if not isinstance(formatted, dict):
        formatted = {}
    block = _page_block(table_block(spec, table, rows, locale, formatted=formatted))
    shown = {f"{r.key}@{r.revision}" for r in rows}  # rows deleted or saved since: dropped
    written = {memo: row for memo, row in formatted.items() if memo in shown}
    helper_cache.put_many({key: block, rows_key: written}, TABLE_CACHE_SECONDS)
    return block


def _page_block(block: dict[str, Any]) -> dict[str, Any]:
    block["grid_json"] = script_json(grid_rows(block))
    # The rows are in the JSON; the page keeps none of the 300 dicts (nor does the cache).
    block["rows"] = []
    block["groups"] = [{**g, "rows": []} for g in block["groups"]]
    return block


def _number(value: Any, locale: str) -> str:
    return format_number(Decimal(str(value)), locale=locale) if value not in (None, "") else ""


def target_words(spec: Framework, row: TargetRow, locale: str) -> str:
    """A target as a sentence keeps it: the figure with its unit, the words (the row's own,
    else the indicator's name and the option), a ratio's parts: "50 % dịch vụ công ở mức
    độ 3 (831/1.661)". A target in words only is its words."""
    indicator = spec.indicators.get(row.indicator)
    if indicator is None:
        return row.text
    words = row.text or indicator.name
    if row.option and not row.text:
        words += f" – {option_title(spec, indicator, row.option)}"
    parts = ""
    if row.target_n is not None and row.target_d is not None:
        parts = f" ({_number(row.target_n, locale)}/{_number(row.target_d, locale)})"
    figure = with_unit(row.target, indicator, locale)
    unit = indicator.unit.strip()
    if unit and words.casefold().startswith(unit.casefold()):
        figure = _number(row.target, locale)  # "12 dịch vụ công", not "12 dịch vụ dịch vụ công"
    return f"{figure} {words}{parts}".strip()


def target_row(spec: Framework, row: TargetRow, locale: str) -> dict[str, Any]:
    indicator = spec.indicators.get(row.indicator)
    return {
        "key": row.key,
        "revision": row.revision,
        "origin": origin_of(row.origin),
        "indicator": indicator.code if indicator else "",
        "indicator_name": indicator.name if indicator else "",
        "text": row.text,
        "baseline": _number(row.baseline, locale) if row.baseline is not None else "",
        "target": _number(row.target, locale) if row.target is not None else "",
        "year": row.year if row.year is not None else "",
        "option": row.option,
        "target_n": _number(row.target_n, locale) if row.target_n is not None else "",
        "target_d": _number(row.target_d, locale) if row.target_d is not None else "",
        "words": target_words(spec, row, locale) if indicator else "",
        "measurable": bool(indicator),
    }


def attainment(baseline: Any, target: Any, achieved: Any) -> Decimal | None:
    """How far the target was reached, in percent: the way from the baseline to the target
    when there is a baseline, else the achieved value over the target."""
    if achieved in (None, "") or target in (None, ""):
        return None
    goal, done = Decimal(str(target)), Decimal(str(achieved))
    if baseline not in (None, "") and Decimal(str(baseline)) != goal:
        start = Decimal(str(baseline))
        return (done - start) * 100 / (goal - start)
    return done * 100 / goal if goal else None


def result_row(row: ResultRow, locale: str) -> dict[str, Any]:
    source = row.source
    reached = attainment(source.baseline, source.target, row.achieved)
    stored = {
        name: value
        for name, value in (
            ("document", source.document),
            ("key", source.key),
            ("indicator", source.indicator),
            ("text", source.text),
            ("baseline", source.baseline),
            ("year", source.year),
            ("option", source.option),
            ("target_n", source.target_n),
            ("target_d", source.target_d),
            ("words", source.words),
        )
        if value not in (None, "")
    }
    return {
        "key": row.key,
        "revision": row.revision,
        "origin": origin_of(row.origin),
        "source": {**stored, "target": _number(source.target, locale)},
        "text": row.text,
        "achieved": _number(row.achieved, locale),
        "attainment": f"{format_number(reached, locale=locale, places=1)}%"
        if reached is not None
        else "",
        "status": row.status,
        "obstacles": row.obstacles,
    }


def budget_block(
    spec: Framework, view: SectionView, budget: BudgetView, locale: str
) -> dict[str, Any]:
    assert view.section.budget is not None
    columns = _phasing_columns(
        spec,
        view.section.budget.sources,
        view.section.budget.types,
        budget_whole_period(spec, view.section),
    )
    rows = [
        {
            "key": row.key,
            "revision": row.revision,
            "label": row.label,
            "phasing": row.phasing,
            "values": [
                {"key": c["key"], "value": _money(row.phasing.get(c["key"]), locale)}
                for c in columns
            ],
            "total": format_number(row_phasing_total(row.phasing), locale=locale),
        }
        for row in budget.rows
    ]
    totals = table_phasing_totals(r.phasing for r in budget.rows)
    return {
        "container": Collection(keys.BUDGET, view.code).container,
        "rows_from": budget.rows_from,
        "editable": budget.editable,
        "columns": columns,
        "rows": rows,
        "totals": [format_number(totals.get(c["key"], Decimal(0)), locale=locale) for c in columns],
        "grand_total": format_number(sum(totals.values(), Decimal(0)), locale=locale),
    }


def offered_legal(view: DocumentView) -> dict[str, Any]:
    """The legal documents the editor's picker offers, by code: entries of the catalogue
    (not retired, not proposals) issued before the document's period ends."""
    end = view.spec.period.end
    return {
        c: d
        for c, d in view.legal_catalogue.items()
        if d.offered and d.code == c and d.issued_by_end_of(end)
    }


def section_block(
    spec: Framework,
    view: DocumentView,
    item: SectionView,
    locale: str,
    attachments: Sequence[Attachment] = (),
    unit: tuple[str, str] | None = None,
    *,
    document_id: str | None = None,
    framework: str | None = None,
) -> dict[str, Any]:
    """One section as the templates lay it out; ``unit`` (scheme, code) the document's unit,
    for the targets the framework sets for it; ``document_id`` and ``framework`` (the
    document's saved entries are shown, not a frozen revision): its tables from the cache
    (``page_table_block``)."""
    section = item.section
    block: dict[str, Any] = {
        "code": section.code,
        "number": section.number,
        "title": section.title,
        "depth": section.depth,
        "guidance": section.guidance,
        "required": section.required,
        "suggested": section.subsections == "suggested",
        "applies": applies_label(section.applies_to, {}),
        "attachments": [
            {
                "pk": a.pk,
                "original_name": a.original_name,
                "size": a.size,
                "description": a.description,
            }
            for a in attachments
        ],
        "anchors": [{"key": a.key, "label": a.label} for a in item.anchors],
    }
    if section.narrative:
        key = str(EntryKey.narrative(section.code))
        narrative = item.narrative
        block["narrative"] = {
            "key": key,
            "revision": narrative.revision if narrative else 0,
            "html": narrative.html if narrative else "",
        }
    if section.legal_basis is not None:
        # The framework's suggestions; the rest of the catalogue is offered once for the
        # whole page (page_context's legal_catalogue), not once per section.
        catalogue = offered_legal(view)
        block["legal"] = {
            "key": str(EntryKey.legal(section.code)),
            "revision": item.legal.revision if item.legal else 0,
            "items": list(item.legal.items) if item.legal else [],
            "suggested": [catalogue[c] for c in section.legal_basis if c in catalogue],
        }
    if section.indicators:
        block["indicators"] = [indicator_block(spec, i, locale, unit) for i in item.indicators]
    if section.targets is not None:
        block["targets"] = {
            "container": Collection(keys.TARGET, section.code).container,
            "indicators": [spec.indicators[c] for c in section.targets.indicators]
            or list(spec.indicators.values()),
            "free_text": section.targets.free_text,
            "years": spec.period.years(),
            "rows": [target_row(spec, r, locale) for r in item.targets],
            "options": [
                {"indicator": i.code, "key": key, "title": option_title(spec, i, key)}
                for i in (spec.indicators[c] for c in section.targets.indicators)
                if i.disaggregation
                for key in cell_keys(i, spec.dimensions)
            ],
            "ratios": any(spec.indicators[c].type == "ratio" for c in section.targets.indicators),
            "figures": [
                f"{spec.indicators[c].name}: {line}"
                for c in section.targets.indicators
                for line in figure_lines(spec, c, locale, unit)
            ],
        }
    if section.target_results:
        block["results"] = {
            "container": Collection(keys.RESULT, section.code).container,
            "rows": [result_row(r, locale) for r in item.results],
        }
    if section.tables:
        block["tables"] = [
            page_table_block(
                spec, t.table, t.rows, locale, document_id=document_id, framework=framework
            )
            for t in item.tables
        ]
    if item.budget is not None:
        block["budget"] = budget_block(spec, item, item.budget, locale)
    return block


def page_context(document: Document, view: DocumentView, *, editable: bool) -> dict[str, Any]:
    """The editor page's context: every visible section's block and the completeness."""
    spec = view.spec
    locale = input_locale()
    attachments: dict[str, list[Attachment]] = defaultdict(list)
    for attachment in document.attachments.filter(removed=False):
        attachments[attachment.section_code].append(attachment)
    parts = view.required_parts()
    required_filled = sum(filled for _, filled in parts)
    framework = framework_revision(document.framework_version)
    return {
        "spec": spec,
        "sections": [
            section_block(
                spec,
                view,
                s,
                locale,
                attachments.get(s.code, []),
                (document.org_unit.scheme, document.org_unit.code),
                document_id=document_revision(document),
                framework=framework,
            )
            for s in view.sections
        ],
        "legal_catalogue": list(offered_legal(view).values()),
        "completeness": round(100 * required_filled / len(parts)) if parts else 100,
        "required_total": len(parts),
        "required_filled": required_filled,
        "locale": locale,
        "editable": editable,
    }
