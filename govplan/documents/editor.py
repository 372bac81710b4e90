"""The document editor's page model: every section the unit must fill, with what is saved
so far, the previous cycle's values beside the fields, and computed totals.

Long because: it is the editor page's model and everything the official documents,
validation and the cycle workbook read from it as well (visibility, entries, the previous
cycle, indicator mapping, cells, tables, budgets, completeness); issue 12's typed read model
takes the reading out of it, after which this page model is short.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govplan.core.documents import keys
from govplan.core.documents.cells import display_value, format_number
from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.documents.totals import (
    column_totals,
    phasing_by,
    phasing_key,
    row_phasing_total,
    table_phasing_totals,
)
from govplan.core.documents.values import cell_keys, is_filled, ratio_percent
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework, Section, Table
from govplan.documents import cycles
from govplan.documents.labels import entry_label
from govplan.documents.models import Attachment, Document, Entry
from govplan.documents.sanitize import text_of
from govplan.frameworks import labels
from govplan.frameworks.models import LegalDocument
from govplan.frameworks.presentation import applies_label

NUMERIC_TYPES = ("integer", "decimal", "money", "percent")


def input_locale() -> str:
    """How the user writes numbers and dates (1.234,5 or 1,234.5): their interface language."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def visible_sections(spec: Framework, document: Document) -> list[Section]:
    """The sections that apply to the document's unit (a ministry-specific task shows only
    in that ministry's document), in order, depth first."""
    unit = document.org_unit
    result: list[Section] = []

    def walk(sections: tuple[Section, ...]) -> None:
        for section in sections:
            if section.applies(unit.kind, unit.scheme, unit.code):
                result.append(section)
                walk(section.sections)

    walk(spec.sections)
    return result


def load_entries(document: Document) -> dict[str, Any]:
    entries = list(
        Entry.objects.filter(document=document, deleted=False)
        .select_related("origin__org_unit")
        .only(
            "key",
            "kind",
            "collection",
            "position",
            "content",
            "revision",
            "section_code",
            "origin__period_start",
            "origin__period_end",
            "origin__org_unit__name",
        )
    )
    by_key = {e.key: e for e in entries}
    collections: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.collection:
            collections[entry.collection].append(entry)
    for rows in collections.values():
        rows.sort(key=lambda e: (e.position, e.pk))
    return {"by_key": by_key, "collections": collections}


def entries_from_snapshot(document: Document, snapshot: dict[str, Any]) -> dict[str, Any]:
    """A frozen revision's entries (``workflow.actions.snapshot``) in the form of
    ``load_entries``: unsaved entries placed by their keys. A key the framework does not know
    (or no longer applies) is left out, as the editor leaves it out."""
    from govplan.documents.content import parse_key

    spec = document.framework_version.parsed()
    by_key: dict[str, Entry] = {}
    collections: dict[str, list[Entry]] = defaultdict(list)
    for key, item in (snapshot.get("entries") or {}).items():
        try:
            address = parse_key(spec, key)
        except KeyError:
            continue
        entry = Entry(
            document=document,
            key=key,
            kind=item.get("kind") or address.kind,
            section_code=address.section,
            collection=address.collection,
            position=float(item.get("position") or 0),
            content=item.get("content") or {},
        )
        by_key[key] = entry
        if entry.collection:
            collections[entry.collection].append(entry)
    for rows in collections.values():
        rows.sort(key=lambda e: (e.position, e.key))
    return {"by_key": by_key, "collections": collections}


def previous_values(document: Document) -> dict[str, dict[str, Any]]:
    """Indicator code → previous content, reading through catalogue mappings (level 4 of
    2011 continues as toàn trình) and across mergers (documents.cycles)."""
    return cycles.previous_values(document)


def describe_cell(indicator: Indicator, cell: dict[str, Any] | None, locale: str) -> str:
    if not cell:
        return ""
    if indicator.type == "ratio":
        if "n" not in cell or "d" not in cell:
            return ""
        percent = ratio_percent(cell)
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


def _indicator_block(
    spec: Framework, use: Any, entries: dict[str, Entry], previous: dict[str, Any], locale: str
) -> dict[str, Any]:
    indicator = spec.indicators[use.indicator]
    entry = entries.get(str(EntryKey.value(indicator.code)))
    content = entry.content if entry else {}
    cells = content.get("cells", {})
    dims = [spec.dimensions[d] for d in indicator.disaggregation]
    keys = cell_keys(indicator, spec.dimensions)
    prev = previous.get(indicator.code, {})
    rows: list[dict[str, Any]] = []
    if len(dims) == 2:
        for first in dims[0].options:
            rows.append(
                {
                    "title": first.title,
                    "cells": [
                        _cell(indicator, f"{first.code}|{second.code}", cells, prev, locale)
                        for second in dims[1].options
                    ],
                }
            )
    else:
        titles = {o.code: o.title for o in dims[0].options} if dims else {"": ""}
        for key in keys:
            rows.append(
                {
                    "title": titles.get(key, ""),
                    "cells": [_cell(indicator, key, cells, prev, locale)],
                }
            )
    return {
        "key": str(EntryKey.value(indicator.code)),
        "revision": entry.revision if entry else 0,
        "code": indicator.code,
        "name": use.label or indicator.name,
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
        "dimension_titles": [d.title for d in dims],
        "rows": rows,
        "comment": content.get("comment", ""),
        "filled": is_filled(indicator, content),
        "previous_from": prev.get("mapped_from", ""),
    }


def _phasing_summary(
    table: Table,
    years: list[int],
    by_year: dict[Any, Decimal],
    by_source: dict[Any, Decimal],
    by_type: dict[Any, Decimal],
    locale: str,
) -> list[dict[str, str]]:
    """Totals per year, per funding source and per funding type, for the line under a grid."""
    if table.phasing is None:
        return []
    items = [(str(y), by_year.get(y, Decimal(0))) for y in years]
    items += [
        (str(labels.FUNDING_SOURCES[s]), by_source[s])
        for s in table.phasing.sources
        if s in by_source
    ]
    items += [
        (str(labels.FUNDING_TYPES[t]), by_type[t]) for t in table.phasing.types if t in by_type
    ]
    return [
        {"label": label, "value": format_number(value, locale=locale)} for label, value in items
    ]


def describe_previous(indicator: Indicator, prev: dict[str, Any], key: str, locale: str) -> str:
    """The previous cycle's value of one cell as shown beside it: "140 (Bắc Giang 100 +
    Bắc Ninh 40)" for a merged unit; each predecessor's value where they do not add up
    ("Bắc Giang: có; Bắc Ninh: không") or where one gave only part of itself."""
    total = describe_cell(indicator, prev.get("cells", {}).get(key), locale)
    sources = prev.get("sources") or []
    if len(sources) <= 1 and all(s["own"] and s["whole"] for s in sources):
        return total
    parts = []
    for source in sources:
        label = (
            source["label"] if source["whole"] else _("%(unit)s (part)") % {"unit": source["label"]}
        )
        text = describe_cell(indicator, source["cells"].get(key), locale)
        parts.append((label, text))
    if not any(text for _label, text in parts):
        return ""
    if total and len(parts) == 1:
        return f"{total} ({parts[0][0]})"
    if total:
        return f"{total} ({' + '.join(f'{label} {text}' for label, text in parts)})"
    return "; ".join(f"{label}: {text or '—'}" for label, text in parts)


def _cell(
    indicator: Indicator, key: str, cells: dict[str, Any], prev: dict[str, Any], locale: str
) -> dict[str, Any]:
    cell = cells.get(key, {})
    data: dict[str, Any] = {"key": key, "previous": describe_previous(indicator, prev, key, locale)}
    if indicator.type == "ratio":
        data["n"] = format_number(Decimal(str(cell["n"])), locale=locale) if "n" in cell else ""
        data["d"] = format_number(Decimal(str(cell["d"])), locale=locale) if "d" in cell else ""
        percent = ratio_percent(cell) if cell else None
        data["percent"] = (
            format_number(percent, locale=locale, places=1) if percent is not None else ""
        )
        # In the indicator's own unit where that is not a percentage (computers per person).
        data["quotient"] = (
            format_number(percent / 100, locale=locale, places=2) if percent is not None else ""
        )
    else:
        value = cell.get("v")
        if value is None:
            data["value"] = ""
        elif indicator.type in ("integer", "decimal", "money"):
            data["value"] = format_number(Decimal(str(value)), locale=locale)
        elif indicator.type == "date":
            data["value"] = display_value("date", value)
        else:
            data["value"] = value
    return data


def origin_of(entry: Any) -> dict[str, str] | None:
    """Where a carried-over row came from (a merged unit's rows come from several units)."""
    origin: Document | None = getattr(entry, "origin", None)
    if origin is None:
        return None
    return {"unit": origin.org_unit.name, "period": origin.period_label}


def table_block(
    spec: Framework, table: Table, rows: list[Entry], locale: str, *, only: str | None = None
) -> dict[str, Any]:
    """The table as the page shows it; with ``only`` (a row's key), that row alone is laid
    out (the totals still count every row): what a save returns for the page to redraw."""
    years = spec.period.years()
    phasing_columns = []
    if table.phasing:
        for year in years:
            for source in table.phasing.sources:
                for funding_type in table.phasing.types:
                    phasing_columns.append(
                        {
                            "key": phasing_key(year, source, funding_type),
                            "year": year,
                            "source": labels.FUNDING_SOURCES[source],
                            "type": labels.FUNDING_TYPES[funding_type],
                        }
                    )
    numeric = [c.code for c in table.columns if c.type in NUMERIC_TYPES]
    money = [c.code for c in table.columns if c.type == "money"]
    body = []
    for index, entry in enumerate(rows, start=1):
        if only is not None and entry.key != only:
            continue
        cells = entry.content.get("cells", {})
        phasing = entry.content.get("phasing", {})
        body.append(
            {
                "key": entry.key,
                "revision": entry.revision,
                "number": index,
                "origin": origin_of(entry),
                "cells": [
                    {
                        "code": c.code,
                        "value": display_value(
                            c.type, cells.get(c.code), choices=c.choices, locale=locale
                        ),
                    }
                    for c in table.columns
                ],
                "phasing": [
                    {
                        "key": p["key"],
                        "value": display_value("money", phasing.get(p["key"]), locale=locale),
                    }
                    for p in phasing_columns
                ],
                "total": format_number(row_phasing_total(phasing), locale=locale)
                if table.phasing
                else "",
            }
        )
    totals = column_totals((e.content.get("cells", {}) for e in rows), numeric)
    phasing_totals = table_phasing_totals(e.content.get("phasing", {}) for e in rows)
    by_year = phasing_by(phasing_totals, "year")
    by_source = phasing_by(phasing_totals, "source")
    by_type = phasing_by(phasing_totals, "type")
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
            }
            for c in table.columns
        ],
        "phasing_columns": phasing_columns,
        "rows": body,
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
        "summary": _phasing_summary(table, years, by_year, by_source, by_type, locale),
    }


def required_parts(
    spec: Framework,
    document: Document,
    entries: dict[str, Entry],
    collections: dict[str, list[Entry]],
) -> list[tuple[str, bool]]:
    """Each required part of the document (section code + what) and whether it is filled."""
    parts: list[tuple[str, bool]] = []
    for section in visible_sections(spec, document):
        if not section.required:
            continue
        if section.narrative:
            entry = entries.get(str(EntryKey.narrative(section.code)))
            parts.append((section.code, bool(entry and text_of(entry.content.get("html", "")))))
        if section.legal_basis is not None:
            entry = entries.get(str(EntryKey.legal(section.code)))
            parts.append((section.code, bool(entry and entry.content.get("items"))))
        for use in section.indicators:
            if use.required:
                entry = entries.get(str(EntryKey.value(use.indicator)))
                indicator = spec.indicators[use.indicator]
                parts.append((section.code, bool(entry and is_filled(indicator, entry.content))))
        if section.targets is not None:
            parts.append(
                (section.code, bool(collections.get(str(Collection(keys.TARGET, section.code)))))
            )
        for table in section.tables:
            parts.append((section.code, bool(collections.get(str(Collection.table(table.code))))))
    return parts


def completeness(document: Document) -> int:
    loaded = load_entries(document)
    parts = required_parts(
        document.framework_version.parsed(), document, loaded["by_key"], loaded["collections"]
    )
    return round(100 * sum(f for _, f in parts) / len(parts)) if parts else 100


def section_blocks(
    document: Document, *, editable: bool, loaded: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The page model; ``loaded``: the entries to show instead of the saved ones (a frozen
    revision's, ``entries_from_snapshot``), in the form of ``load_entries``."""
    spec = document.framework_version.parsed()
    locale = input_locale()
    loaded = load_entries(document) if loaded is None else loaded
    entries: dict[str, Entry] = loaded["by_key"]
    collections = loaded["collections"]
    previous = previous_values(document)
    legal_titles = {d.code: d for d in LegalDocument.objects.all()}
    attachments: dict[str, list[Attachment]] = defaultdict(list)
    for attachment in document.attachments.filter(removed=False):
        attachments[attachment.section_code].append(attachment)
    blocks = []
    for section in visible_sections(spec, document):
        block: dict[str, Any] = {
            "code": section.code,
            "number": section.number,
            "title": section.title,
            "depth": section.depth,
            "guidance": section.guidance,
            "required": section.required,
            "applies": applies_label(section.applies_to, {}),
            "attachments": attachments.get(section.code, []),
            "anchors": [
                {"key": e.key, "label": entry_label(spec, e.key, e.content)}
                for e in entries.values()
                if e.section_code == section.code
                and e.kind in (keys.VALUE, keys.ROW, keys.TARGET, keys.BUDGET)
            ],
        }
        if section.narrative:
            entry = entries.get(str(EntryKey.narrative(section.code)))
            html = entry.content.get("html", "") if entry else ""
            block["narrative"] = {
                "key": str(EntryKey.narrative(section.code)),
                "revision": entry.revision if entry else 0,
                "html": html,
            }
        if section.legal_basis is not None:
            entry = entries.get(str(EntryKey.legal(section.code)))
            items = entry.content.get("items", []) if entry else []
            block["legal"] = {
                "key": str(EntryKey.legal(section.code)),
                "revision": entry.revision if entry else 0,
                "items": [
                    {"code": i["code"], "document": legal_titles.get(i["code"])}
                    if "code" in i
                    else {"text": i["text"]}
                    for i in items
                ],
                "suggested": [legal_titles[c] for c in section.legal_basis if c in legal_titles],
                "others": [d for c, d in legal_titles.items() if c not in section.legal_basis],
            }
        if section.indicators:
            block["indicators"] = [
                _indicator_block(spec, u, entries, previous, locale) for u in section.indicators
            ]
        if section.targets is not None:
            rows = collections.get(str(Collection(keys.TARGET, section.code)), [])
            block["targets"] = {
                "container": Collection(keys.TARGET, section.code).container,
                "indicators": [spec.indicators[c] for c in section.targets.indicators]
                or list(spec.indicators.values()),
                "free_text": section.targets.free_text,
                "years": spec.period.years(),
                "rows": [_target_row(spec, e, locale) for e in rows],
            }
        if section.target_results:
            rows = collections.get(str(Collection(keys.RESULT, section.code)), [])
            block["results"] = {
                "container": Collection(keys.RESULT, section.code).container,
                "rows": [_result_row(e, locale) for e in rows],
            }
        if section.tables:
            block["tables"] = [
                table_block(spec, t, collections.get(str(Collection.table(t.code)), []), locale)
                for t in section.tables
            ]
        if section.budget is not None:
            block["budget"] = _budget_block(spec, section, collections, locale)
        blocks.append(block)
    parts = required_parts(spec, document, entries, collections)
    required_filled = sum(filled for _, filled in parts)
    return {
        "spec": spec,
        "sections": blocks,
        "completeness": round(100 * required_filled / len(parts)) if parts else 100,
        "required_total": len(parts),
        "required_filled": required_filled,
        "locale": locale,
        "editable": editable,
    }


def _target_row(spec: Framework, entry: Entry, locale: str) -> dict[str, Any]:
    content = entry.content
    indicator = spec.indicators.get(content.get("indicator", ""))
    return {
        "key": entry.key,
        "revision": entry.revision,
        "origin": origin_of(entry),
        "indicator": indicator.code if indicator else "",
        "indicator_name": indicator.name if indicator else "",
        "text": content.get("text", ""),
        "baseline": format_number(Decimal(content["baseline"]), locale=locale)
        if "baseline" in content
        else "",
        "target": format_number(Decimal(content["target"]), locale=locale)
        if "target" in content
        else "",
        "year": content.get("year", ""),
        "measurable": bool(indicator),
    }


def attainment(source: dict[str, Any], achieved: Any) -> Decimal | None:
    """How far the target was reached, in percent: the way from the baseline to the target
    when there is a baseline, else the achieved value over the target."""
    if achieved in (None, "") or source.get("target") in (None, ""):
        return None
    target, done = Decimal(str(source["target"])), Decimal(str(achieved))
    baseline = source.get("baseline")
    if baseline not in (None, "") and Decimal(str(baseline)) != target:
        start = Decimal(str(baseline))
        return (done - start) * 100 / (target - start)
    return done * 100 / target if target else None


def _result_row(entry: Entry, locale: str) -> dict[str, Any]:
    content = entry.content
    source = content.get("source", {})
    reached = attainment(source, content.get("achieved"))
    return {
        "key": entry.key,
        "revision": entry.revision,
        "origin": origin_of(entry),
        "source": {
            **source,
            "target": format_number(Decimal(str(source["target"])), locale=locale)
            if source.get("target") not in (None, "")
            else "",
        },
        "text": content.get("text", ""),
        "achieved": format_number(Decimal(str(content["achieved"])), locale=locale)
        if content.get("achieved") not in (None, "")
        else "",
        "attainment": f"{format_number(reached, locale=locale, places=1)}%"
        if reached is not None
        else "",
        "status": content.get("status", ""),
        "obstacles": content.get("obstacles", ""),
    }


def _budget_block(
    spec: Framework, section: Section, collections: dict[str, list[Entry]], locale: str
) -> dict[str, Any]:
    assert section.budget is not None
    years = spec.period.years()
    columns = [
        {
            "key": phasing_key(y, s, t),
            "year": y,
            "source": labels.FUNDING_SOURCES[s],
            "type": labels.FUNDING_TYPES[t],
        }
        for y in years
        for s in section.budget.sources
        for t in section.budget.types
    ]
    if section.budget.rows == "projects":
        source_rows = []
        for _section, table in spec.tables():
            if table.phasing is not None:
                for entry in collections.get(str(Collection.table(table.code)), []):
                    name_column = table.by_role("project_name")
                    label = (
                        entry.content.get("cells", {}).get(name_column.code, "")
                        if name_column
                        else ""
                    )
                    source_rows.append(
                        {
                            "key": "",
                            "revision": 0,
                            "label": label,
                            "phasing": entry.content.get("phasing", {}),
                        }
                    )
        editable = False
    else:
        source_rows = [
            {
                "key": e.key,
                "revision": e.revision,
                "label": e.content.get("label", ""),
                "phasing": e.content.get("phasing", {}),
            }
            for e in collections.get(str(Collection(keys.BUDGET, section.code)), [])
        ]
        editable = True
    rows = [
        {
            **row,
            "values": [
                {
                    "key": c["key"],
                    "value": display_value("money", row["phasing"].get(c["key"]), locale=locale),
                }
                for c in columns
            ],
            "total": format_number(row_phasing_total(row["phasing"]), locale=locale),
        }
        for row in source_rows
    ]
    totals = table_phasing_totals(r["phasing"] for r in source_rows)
    return {
        "container": Collection(keys.BUDGET, section.code).container,
        "rows_from": section.budget.rows,
        "editable": editable,
        "columns": columns,
        "rows": rows,
        "totals": [format_number(totals.get(c["key"], Decimal(0)), locale=locale) for c in columns],
        "grand_total": format_number(sum(totals.values(), Decimal(0)), locale=locale),
    }


def entry_fields(spec: Framework, key: str, content: dict[str, Any], locale: str) -> dict[str, str]:
    """What each field of an entry shows for ``content``, by the path the page sends it under
    ("cells.total", "cells..n", "phasing.2027|oda|capital", "baseline" …), exactly as this
    page model renders it: after a save the page shows these, and a field put back to its
    saved value (Escape) takes its text from here. Narrative and legal entries have none."""
    address = EntryKey.parse(key)
    kind = address.kind
    fields: dict[str, str] = {}
    if kind == keys.VALUE:
        indicator = spec.indicators[address.code]
        cells = content.get("cells", {})
        for cell_key in cell_keys(indicator, spec.dimensions):
            cell = _cell(indicator, cell_key, cells, {}, locale)
            if indicator.type == "ratio":
                fields[f"cells.{cell_key}.n"] = cell["n"]
                fields[f"cells.{cell_key}.d"] = cell["d"]
            else:
                value = cell["value"]
                # A yes/no indicator is a select whose options are "1" and "0".
                fields[f"cells.{cell_key}"] = (
                    ("1" if value else "0") if isinstance(value, bool) else str(value)
                )
        fields["comment"] = content.get("comment", "")
    elif kind == keys.ROW:
        table = spec.table(address.code)
        if table is not None:
            cells = content.get("cells", {})
            for column in table.columns:
                fields[f"cells.{column.code}"] = display_value(
                    column.type, cells.get(column.code), choices=column.choices, locale=locale
                )
    elif kind == keys.TARGET:
        row = _target_row(spec, Entry(key=key, content=content), locale)
        for name in ("indicator", "text", "baseline", "target", "year"):
            fields[name] = str(row[name])
    elif kind == keys.RESULT:
        row = _result_row(Entry(key=key, content=content), locale)
        for name in ("text", "achieved", "status", "obstacles"):
            fields[name] = str(row[name])
    elif kind == keys.BUDGET:
        fields["label"] = content.get("label", "")
    if kind in (keys.ROW, keys.BUDGET):
        for phasing, value in content.get("phasing", {}).items():
            fields[f"phasing.{phasing}"] = display_value("money", value, locale=locale)
    return fields
