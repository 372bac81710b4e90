"""A document as its readers see it: the typed read model.

``DocumentView`` is what the editor page, validation, the official writers and the workbooks
read, built by one query module (``govplan.documents.read``) from the saved entries or from a
frozen revision. Each part is typed: a reader names ``value.cells[key].n``, never guesses at
an entry's JSON. Values are kept as stored (canonical strings for numbers); how they are shown
is the reader's business (``govplan.documents.presentation`` for the page, the official
builder for the printed document).

Pure: no Django, no database; checked by mypy --strict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from govplan.core.documents.keys import EntryKey
from govplan.core.documents.values import is_filled
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework, IndicatorUse, Section, Table

# What a table cell or a scalar value holds as stored: numbers as canonical strings (or ints
# for counts and years), texts, yes/no, the codes of a multiple choice.
Scalar = str | int | float | bool | None
ColumnValue = str | int | float | bool | list[str] | None


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of an indicator: ``value`` for a plain value, ``n`` and ``d`` for a ratio
    (absent parts are None). ``raw`` is the stored form, for the code that still reads JSON."""

    value: Scalar = None
    n: str | None = None
    d: str | None = None
    has_value: bool = False  # "v" was stored (even as None)

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Cell:
        def part(name: str) -> str | None:
            found = raw.get(name)
            return None if found is None else str(found)

        value = raw.get("v")
        scalar: Scalar = value if isinstance(value, str | int | float | bool) else None
        return cls(scalar, part("n"), part("d"), "v" in raw)

    def raw(self) -> dict[str, Scalar]:
        """The stored form ({"v": …} or {"n": …, "d": …})."""
        data: dict[str, Scalar] = {}
        if self.has_value:
            data["v"] = self.value
        if self.n is not None:
            data["n"] = self.n
        if self.d is not None:
            data["d"] = self.d
        return data


def cells_of(raw: object) -> dict[str, Cell]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): Cell.of(v) for k, v in raw.items() if isinstance(v, Mapping)}


def raw_cells(cells: Mapping[str, Cell]) -> dict[str, dict[str, Scalar]]:
    return {key: cell.raw() for key, cell in cells.items()}


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a carried-over row came from (a merged unit's rows come from several units)."""

    unit: str
    period: str


@dataclass(frozen=True, slots=True)
class PreviousSource:
    """One document standing for (part of) the unit in the previous cycle."""

    label: str
    whole: bool
    own: bool
    cells: Mapping[str, Cell]


@dataclass(frozen=True, slots=True)
class PreviousValue:
    """The previous cycle's value of an indicator: the cells standing for the unit, each
    source's own cells, and the earlier indicator it was read from through a mapping."""

    cells: Mapping[str, Cell]
    sources: tuple[PreviousSource, ...] = ()
    mapped_from: str = ""


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """A saved indicator value (an entry of kind ``value``)."""

    code: str
    key: str
    revision: int
    section: str
    cells: Mapping[str, Cell]
    comment: str = ""
    # "Không có số liệu": the agency has no figure, for this reason (required with the mark).
    no_data: bool = False
    no_data_reason: str = ""

    def content(self) -> dict[str, object]:
        """The stored form, for the core functions that read it (is_filled, sum_values)."""
        data: dict[str, object] = {"cells": raw_cells(self.cells)}
        if self.comment:
            data["comment"] = self.comment
        if self.no_data:
            data["no_data"] = True
            data["no_data_reason"] = self.no_data_reason
        return data


@dataclass(frozen=True, slots=True)
class IndicatorView:
    """An indicator as a section asks for it, with its saved value and previous one."""

    use: IndicatorUse
    indicator: Indicator
    value: IndicatorValue | None
    previous: PreviousValue | None

    @property
    def key(self) -> str:
        return str(EntryKey.value(self.indicator.code))

    @property
    def name(self) -> str:
        return self.use.label or self.indicator.name

    @property
    def cells(self) -> Mapping[str, Cell]:
        return self.value.cells if self.value else {}

    @property
    def filled(self) -> bool:
        if self.value is None:
            return False
        cells = self.value.cells
        if self.use.split is not None:  # the whole unit's figure is the value; levels add to it
            cells = {k: c for k, c in cells.items() if k == ""}
        return is_filled(self.indicator, {"cells": raw_cells(cells)})

    @property
    def no_data(self) -> bool:
        """Marked "không có số liệu" (with a reason): an answer, but no figure."""
        return self.value is not None and self.value.no_data

    @property
    def answered(self) -> bool:
        """Filled, or marked "no data": what completeness and submission ask of it."""
        return self.filled or self.no_data


@dataclass(frozen=True, slots=True)
class Narrative:
    key: str
    revision: int
    html: str
    has_text: bool  # more than markup and blanks (the reader decides, it sanitizes)


@dataclass(frozen=True, slots=True)
class LegalReference:
    """A legal document of the catalogue, as cited."""

    code: str
    doc_type: str
    number: str
    date: dt.date | None
    issuer: str
    title: str
    offered: bool = True  # still offered to cite (not retired, not a proposal)
    status: str = "catalogue"  # or proposed, retired, rejected (a merged one reads as its entry)

    def issued_by_end_of(self, year: int) -> bool:
        """Issued before a period ending in ``year`` ends (an undated one is)."""
        return self.date is None or self.date <= dt.date(year, 12, 31)


@dataclass(frozen=True, slots=True)
class LegalItem:
    """One cited item: a catalogue document by code (``document`` None when the catalogue
    no longer has it) or a citation typed as text."""

    code: str | None = None
    text: str = ""
    document: LegalReference | None = None


@dataclass(frozen=True, slots=True)
class LegalBasis:
    key: str
    revision: int
    items: tuple[LegalItem, ...]


@dataclass(frozen=True, slots=True)
class TableRow:
    key: str
    revision: int
    cells: Mapping[str, ColumnValue]
    phasing: Mapping[str, Scalar]
    origin: Origin | None = None
    group: str = ""  # the code of its RowGroup when the table has groups


@dataclass(frozen=True, slots=True)
class TargetRow:
    key: str
    revision: int
    indicator: str  # "" for a target written in words
    text: str
    baseline: str | None
    target: str | None
    year: Scalar
    origin: Origin | None = None
    option: str = ""  # the cell of a disaggregated indicator it is about ("M3")
    # A ratio target stated as a ratio: its parts (``target`` is then their percentage).
    target_n: str | None = None
    target_d: str | None = None


@dataclass(frozen=True, slots=True)
class TargetSource:
    """The plan's target a report's result answers (copied when the result was added)."""

    document: int | None = None
    key: str = ""
    indicator: str = ""
    text: str = ""
    baseline: Scalar = None
    target: Scalar = None
    year: Scalar = None
    option: str = ""  # the cell of a disaggregated indicator the target is about
    target_n: Scalar = None  # a ratio target's parts, as the plan stated them
    target_d: Scalar = None
    # The target as the plan printed it ("50,03 % … (831/1.661)"), copied with it: the
    # report's framework may not ask the plan's indicators, and what the plan said is kept.
    words: str = ""


@dataclass(frozen=True, slots=True)
class ResultRow:
    key: str
    revision: int
    source: TargetSource
    text: str
    achieved: Scalar
    status: str
    obstacles: str
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class BudgetRow:
    """A row of a budget: its own (``key`` set) or a project's phasing (``key`` "")."""

    key: str
    revision: int
    label: str
    phasing: Mapping[str, Scalar]


@dataclass(frozen=True, slots=True)
class TableView:
    table: Table
    rows: tuple[TableRow, ...]


@dataclass(frozen=True, slots=True)
class BudgetView:
    rows_from: str  # "projects": the phasing of the project tables; else rows of its own
    editable: bool
    rows: tuple[BudgetRow, ...]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A saved entry of a section, to link to from a finding or a search."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class SectionView:
    """A section that applies to the document's unit, with what is saved in it."""

    section: Section
    narrative: Narrative | None = None
    legal: LegalBasis | None = None
    indicators: tuple[IndicatorView, ...] = ()
    targets: tuple[TargetRow, ...] = ()
    results: tuple[ResultRow, ...] = ()
    tables: tuple[TableView, ...] = ()
    budget: BudgetView | None = None
    anchors: tuple[Anchor, ...] = ()

    @property
    def code(self) -> str:
        return self.section.code


@dataclass(frozen=True)
class DocumentView:
    """The document: the sections that apply to its unit, in order, and, by code, every saved
    value, table row and target (including those of sections the unit does not see: the
    checks read them all)."""

    spec: Framework
    sections: tuple[SectionView, ...]
    values: Mapping[str, IndicatorValue] = field(default_factory=dict)  # by indicator code
    table_rows: Mapping[str, tuple[TableRow, ...]] = field(default_factory=dict)  # by table
    target_rows: Mapping[str, tuple[TargetRow, ...]] = field(default_factory=dict)  # by section
    result_rows: Mapping[str, tuple[ResultRow, ...]] = field(default_factory=dict)
    budget_rows: Mapping[str, tuple[BudgetRow, ...]] = field(default_factory=dict)
    narratives: Mapping[str, Narrative] = field(default_factory=dict)  # by section code
    legal: Mapping[str, LegalBasis] = field(default_factory=dict)  # by section code
    previous: Mapping[str, PreviousValue] = field(default_factory=dict)  # by indicator code
    # The legal documents of the catalogue by code, in the catalogue's order.
    legal_catalogue: Mapping[str, LegalReference] = field(default_factory=dict)

    def walk(self) -> Iterator[SectionView]:
        return iter(self.sections)

    def suggestions_written(self, section: Section) -> bool:
        """Whether the unit wrote at least one of a section's suggested sub-sections (one it
        sees, with text or a filled value)."""
        codes = {s.code for s in _descendants(section)}
        return any(
            (v.narrative is not None and v.narrative.has_text)
            or any(i.filled for i in v.indicators)
            for v in self.sections
            if v.code in codes
        )

    def required_parts(self) -> list[tuple[str, bool]]:
        """Each required part (section code, whether it is filled) of the visible sections."""
        parts: list[tuple[str, bool]] = []
        for view in self.sections:
            section = view.section
            if not section.required:
                continue
            if section.subsections == "suggested":
                parts.append((section.code, self.suggestions_written(section)))
            if section.narrative:
                parts.append((section.code, bool(view.narrative and view.narrative.has_text)))
            if section.legal_basis is not None:
                parts.append((section.code, bool(view.legal and view.legal.items)))
            for item in view.indicators:
                if item.use.required:
                    parts.append((section.code, item.answered))
            if section.targets is not None:
                parts.append((section.code, bool(self.target_rows.get(section.code))))
            for table in view.tables:
                parts.append((section.code, bool(table.rows)))
        return parts

    def completeness(self) -> int:
        """The share of required parts filled, in percent (100 when nothing is required)."""
        parts = self.required_parts()
        return round(100 * sum(f for _, f in parts) / len(parts)) if parts else 100


def _descendants(section: Section) -> Iterator[Section]:
    for child in section.sections:
        yield child
        yield from _descendants(child)
