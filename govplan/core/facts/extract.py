"""A document's entries as typed facts: one per indicator cell, budget amount, target and
result. Pure: ``govplan.facts.store`` writes what this returns, and ``rebuild_facts``
compares it with what is stored. What an entry holds is documented where it is parsed
(core.documents.values for indicator values, documents.content for the rest)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govplan.core.documents import keys
from govplan.core.documents.keys import BadKey, Collection, EntryKey
from govplan.core.documents.totals import amount, split_phasing_key
from govplan.core.documents.values import CELL_SEPARATOR, is_no_data
from govplan.core.frameworks.model import Framework, Table
from govplan.core.frameworks.visibility import split_cells

LIVE = "live"
SUBMITTED = "submitted"
APPROVED = "approved"
LAYERS = (LIVE, SUBMITTED, APPROVED)

NUMERIC_TYPES = ("integer", "decimal", "money")
# Money and values are stored with 8 decimals; a finer figure is rounded as the column is.
QUANTUM = Decimal("0.00000001")


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as the extractor reads it: live (the Entry row) or frozen (a version)."""

    key: str
    content: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ValueFact:
    entry_key: str
    indicator_code: str
    value_type: str
    cell: str = ""
    option_1: str = ""
    option_2: str = ""
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    boolean: bool | None = None
    text: str = ""
    no_data: bool = False
    # A split figure's part: the administrative level (CAP_HANH_CHINH option) its cell gives,
    # "" for the whole unit's figure. A part is inside the whole: never add both.
    level: str = ""


@dataclass(frozen=True, slots=True)
class BudgetFact:
    entry_key: str
    collection: str
    year: int
    funding_source: str
    funding_type: str
    amount: Decimal
    group: str = ""
    project_name: str = ""
    field: str = ""
    project_status: str = ""


@dataclass(frozen=True, slots=True)
class TargetFact:
    entry_key: str
    section: str
    indicator_code: str = ""
    cell: str = ""
    year: int | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None
    target_n: Decimal | None = None
    target_d: Decimal | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class ResultFact:
    entry_key: str
    section: str
    source_document: int | None = None
    source_key: str = ""
    indicator_code: str = ""
    cell: str = ""
    year: int | None = None
    target: Decimal | None = None
    achieved: Decimal | None = None
    status: str = ""
    text: str = ""


@dataclass
class Facts:
    values: list[ValueFact]
    budgets: list[BudgetFact]
    targets: list[TargetFact]
    results: list[ResultFact]

    def __init__(self) -> None:
        self.values, self.budgets, self.targets, self.results = [], [], [], []

    def extend(self, other: Facts) -> None:
        self.values += other.values
        self.budgets += other.budgets
        self.targets += other.targets
        self.results += other.results


def number(value: Any) -> Decimal | None:
    """A stored figure as the fact column holds it, or None when it is no figure."""
    found = amount(value)
    return None if found is None else found.quantize(QUANTUM)


def _year(value: Any) -> int | None:
    found = amount(value)
    if found is None or found != found.to_integral_value() or not 0 <= found <= 9999:
        return None
    return int(found)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _options(cell: str) -> tuple[str, str]:
    parts = cell.split(CELL_SEPARATOR) if cell else []
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "")


def _value_facts(
    spec: Framework, key: str, code: str, content: Mapping[str, Any]
) -> list[ValueFact]:
    indicator = spec.indicators.get(code)
    if indicator is None:
        return []
    kind = indicator.type
    if is_no_data(content):
        return [ValueFact(key, code, kind, no_data=True)]
    found: list[ValueFact] = []
    cells = content.get("cells")
    if not isinstance(cells, Mapping):
        return []
    # An undivided figure asked by level holds its levels' figures beside the whole one, in
    # cells named by the level: they are parts of the whole, not options of the indicator.
    levels = set(split_cells(spec, code)) if not indicator.disaggregation else set()
    for cell, stored in sorted(cells.items()):
        if not isinstance(stored, Mapping):
            continue
        first, second = ("", "") if cell in levels else _options(cell)
        common = {
            "cell": cell,
            "option_1": first,
            "option_2": second,
            "level": cell if cell in levels else "",
        }
        if kind == "ratio":
            n, d = number(stored.get("n")), number(stored.get("d"))
            if n is None and d is None:
                continue
            found.append(ValueFact(key, code, kind, numerator=n, denominator=d, **common))
            continue
        raw = stored.get("v")
        if raw is None or raw == "":
            continue
        if kind in NUMERIC_TYPES:
            figure = number(raw)
            if figure is not None:
                found.append(ValueFact(key, code, kind, value=figure, **common))
        elif kind == "boolean":
            if isinstance(raw, bool):
                found.append(ValueFact(key, code, kind, boolean=raw, **common))
        else:
            found.append(ValueFact(key, code, kind, text=_text(raw), **common))
    return found


def _role_text(table: Table | None, role: str, cells: Mapping[str, Any]) -> str:
    column = table.by_role(role) if table is not None else None
    if column is None:
        return ""
    value = cells.get(column.code)
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return _text(value)[:500]


def _budget_facts(
    key: str,
    collection: str,
    phasing: Any,
    *,
    group: str = "",
    name: str = "",
    field: str = "",
    status: str = "",
) -> list[BudgetFact]:
    if not isinstance(phasing, Mapping):
        return []
    found = []
    for phasing_key, stored in sorted(phasing.items()):
        figure = number(stored)
        if figure is None:
            continue
        try:
            year, source, funding_type = split_phasing_key(phasing_key)
        except ValueError:
            continue
        found.append(
            BudgetFact(
                key,
                collection,
                year,
                source,
                funding_type,
                figure,
                group=group,
                project_name=name[:500],
                field=field[:200],
                project_status=status[:100],
            )
        )
    return found


def entry_facts(spec: Framework, entry: StoredEntry) -> Facts:
    """The facts of one entry (none for text, legal basis, or an entry the framework does
    not know)."""
    facts = Facts()
    try:
        parsed = EntryKey.parse(entry.key)
    except BadKey:
        return facts
    content = entry.content if isinstance(entry.content, Mapping) else {}
    if parsed.kind == keys.VALUE:
        facts.values = _value_facts(spec, entry.key, parsed.code, content)
    elif parsed.kind == keys.ROW:
        table = spec.table(parsed.code)
        cells = content.get("cells")
        cells = cells if isinstance(cells, Mapping) else {}
        facts.budgets = _budget_facts(
            entry.key,
            str(Collection.table(parsed.code)),
            content.get("phasing"),
            group=_text(content.get("group", "")),
            name=_role_text(table, "project_name", cells),
            field=_role_text(table, "application_field", cells),
            status=_role_text(table, "project_status", cells),
        )
    elif parsed.kind == keys.BUDGET:
        facts.budgets = _budget_facts(
            entry.key,
            str(Collection(keys.BUDGET, parsed.code)),
            content.get("phasing"),
            name=_text(content.get("label", "")),
        )
    elif parsed.kind == keys.TARGET:
        facts.targets = [
            TargetFact(
                entry.key,
                parsed.code,
                _text(content.get("indicator", "")),
                _text(content.get("option", "")),
                _year(content.get("year")),
                number(content.get("baseline")),
                number(content.get("target")),
                number(content.get("target_n")),
                number(content.get("target_d")),
                _text(content.get("text", "")),
            )
        ]
    elif parsed.kind == keys.RESULT:
        source = content.get("source")
        source = source if isinstance(source, Mapping) else {}
        document = source.get("document")
        facts.results = [
            ResultFact(
                entry.key,
                parsed.code,
                document if isinstance(document, int) and not isinstance(document, bool) else None,
                _text(source.get("key", "")),
                _text(source.get("indicator", "")),
                _text(source.get("option", "")),
                _year(source.get("year")),
                number(source.get("target")),
                number(content.get("achieved")),
                _text(content.get("status", "")),
                # What the result is about: its own words, or the target's it reports on.
                _text(content.get("text") or source.get("text") or ""),
            )
        ]
    return facts


def document_facts(spec: Framework, entries: Iterable[StoredEntry]) -> Facts:
    """The facts of every entry of a document (live or frozen)."""
    facts = Facts()
    for entry in entries:
        facts.extend(entry_facts(spec, entry))
    return facts
