"""A checked framework, as plain immutable data.

``Framework.to_dict()`` is the canonical form stored with a published version (it carries a
snapshot of the indicator definitions it uses, so a later catalogue change never alters
what a published framework asked); ``Framework.from_dict()`` reads it back without checks.

Long because: it is the whole format of a framework as data (sections, items with their
conditions, tables with groups and phasing, budgets, funding sources, the figures a letter
sets, the reporting regime) with the one reader of its stored form; each reader of a part
sits beside the class it builds, so that a new key is added, stored and read back in one
place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from govplan.core.frameworks.catalogue import Dimension, Indicator, Option
from govplan.core.frameworks.legal import LegalDocument
from govplan.core.frameworks.vocab import SOURCE_ROLES


@dataclass(frozen=True, slots=True)
class Period:
    start: int
    end: int

    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))

    def label(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class Issuance:
    number: str
    date: dt.date | None
    issuer: str
    attachment: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class AppliesTo:
    kinds: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # "scheme:code"

    def covers(self, kind: str, scheme: str, code: str) -> bool:
        return kind in self.kinds or f"{scheme}:{code}" in self.units

    @property
    def empty(self) -> bool:
        return not (self.kinds or self.units)


@dataclass(frozen=True, slots=True)
class Reporting:
    recipient: str
    delivery: tuple[str, ...]
    frequency: str
    deadline: dt.date | None
    cutoff_from: dt.date | None = None
    cutoff_to: dt.date | None = None
    procedure: str = ""
    # "trước ngày X": documents must arrive before X, so the last day on time is X - 1.
    deadline_before: bool = False
    contact: Contact | None = None

    @property
    def last_day(self) -> dt.date | None:
        """The last day a document counts as on time (None: the letter sets no deadline)."""
        if self.deadline is None:
            return None
        return self.deadline - dt.timedelta(days=1) if self.deadline_before else self.deadline


@dataclass(frozen=True, slots=True)
class Contact:
    """Who to ask about the framework, as the letter names them."""

    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Split:
    """A figure asked for the whole unit and also for its units at each option of a
    dimension (administrative levels): the whole stays the indicator's value (its series);
    the parts are cells keyed by the option codes."""

    dimension: str
    options: tuple[str, ...] = ()  # the options asked; () all
    applies_to: AppliesTo | None = None


@dataclass(frozen=True, slots=True)
class IndicatorUse:
    indicator: str
    required: bool = True
    label: str = ""
    # The options asked, when the framework asks only some of the indicator's dimensions'
    # options (a dimension none of whose options is listed is asked in full).
    options: tuple[str, ...] = ()
    applies_to: AppliesTo | None = None
    split: Split | None = None

    def applies(self, kind: str, scheme: str, code: str) -> bool:
        return self.applies_to is None or self.applies_to.covers(kind, scheme, code)


@dataclass(frozen=True, slots=True)
class Targets:
    indicators: tuple[str, ...] = ()
    free_text: bool = True
    applies_to: AppliesTo | None = None


@dataclass(frozen=True, slots=True)
class Column:
    code: str
    title: str
    type: str
    title_en: str = ""
    required: bool = False
    unit: str = ""
    choices: tuple[Option, ...] = ()
    role: str = ""
    year: int | None = None
    help: str = ""


@dataclass(frozen=True, slots=True)
class Phasing:
    sources: tuple[str, ...]
    types: tuple[str, ...]
    # An amount may be given for the whole period, without a split by year (WHOLE_PERIOD).
    whole_period: bool = False


@dataclass(frozen=True, slots=True)
class RowGroup:
    """A numbered group of a table's rows ("I. Ứng dụng CNTT"), printed with its subtotal."""

    code: str
    number: str
    title: str
    title_en: str = ""


@dataclass(frozen=True, slots=True)
class RowsFrom:
    """Where a table's rows come from (``rows_from``): a row source (vocab.ROW_SOURCES) and
    what it is asked for (the programme whose tasks fill the table)."""

    source: str
    programme: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    code: str
    title: str
    columns: tuple[Column, ...]
    title_en: str = ""
    numbered: bool = False
    phasing: Phasing | None = None
    # When set, every row belongs to one of these groups (TableRow.group), in this order.
    groups: tuple[RowGroup, ...] = ()
    applies_to: AppliesTo | None = None
    # When set, the rows are filled from a source (the programme's task list), one per item,
    # and the columns with its roles are read-only.
    rows_from: RowsFrom | None = None

    def applies(self, kind: str, scheme: str, code: str) -> bool:
        return self.applies_to is None or self.applies_to.covers(kind, scheme, code)

    def source_columns(self) -> tuple[Column, ...]:
        """The columns the row source fills: read-only to the agency."""
        if self.rows_from is None:
            return ()
        roles = SOURCE_ROLES.get(self.rows_from.source, ())
        return tuple(c for c in self.columns if c.role in roles)

    def column(self, code: str) -> Column | None:
        return next((c for c in self.columns if c.code == code), None)

    def by_role(self, role: str, year: int | None = None) -> Column | None:
        return next(
            (c for c in self.columns if c.role == role and (year is None or c.year == year)),
            None,
        )


@dataclass(frozen=True, slots=True)
class Budget:
    rows: str
    sources: tuple[str, ...]
    types: tuple[str, ...]
    # A typed budget (rows: content) checked against the projects' phasing: "error",
    # "warning", or "" (not checked).
    reconcile: str = ""
    whole_period: bool = False


@dataclass(frozen=True, slots=True)
class FundingSource:
    """A funding source as the framework names it (``funding_sources``)."""

    code: str
    title: str
    title_en: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    number: str
    title: str
    depth: int
    title_en: str = ""
    guidance: str = ""
    required: bool = True
    applies_to: AppliesTo | None = None
    narrative: bool = False
    legal_basis: tuple[str, ...] | None = None  # suggested codes; None: no legal-basis list
    indicators: tuple[IndicatorUse, ...] = ()
    targets: Targets | None = None
    target_results: bool = False
    tables: tuple[Table, ...] = ()
    budget: Budget | None = None
    sections: tuple[Section, ...] = ()
    # "suggested": the sub-sections are the letter's suggestions ("có thể bao gồm (không giới
    # hạn)"): each is optional, the agency writes those that apply.
    subsections: str = "required"
    # How sub-sections are numbered when some are hidden from a unit: "as_letter" keeps the
    # letter's numbers, "renumber" numbers the visible ones in sequence (a, b, c / 1, 2, 3).
    numbering: str = "as_letter"

    def holds(self) -> list[str]:
        kinds = []
        if self.narrative:
            kinds.append("narrative")
        if self.legal_basis is not None:
            kinds.append("legal_basis")
        if self.indicators:
            kinds.append("indicators")
        if self.targets is not None:
            kinds.append("targets")
        if self.target_results:
            kinds.append("target_results")
        if self.tables:
            kinds.append("tables")
        if self.budget is not None:
            kinds.append("budget")
        return kinds

    def applies(self, kind: str, scheme: str, code: str) -> bool:
        return self.applies_to is None or self.applies_to.covers(kind, scheme, code)


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    check: str
    message: str
    importance: str = "error"
    missing: str = "skip"
    indicator_refs: tuple[str, ...] = ()
    table_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NationalFigure:
    """A figure the letter states for the whole country, for one indicator (or one cell of
    it): a reference value ("19/22 bộ", ``value`` of ``of``) and/or a national minimum target
    (a unit's value, or a plan's target, below it is a warning). Numbers as canonical
    strings; a ratio's figures are percentages."""

    indicator: str
    option: str = ""  # the cell of a disaggregated indicator ("M3"); "" the whole value
    value: str | None = None
    of: str | None = None
    minimum: str | None = None
    year: int | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class UnitTarget:
    """A numeric target the letter sets for named units (a ministry's 95 %): that unit's
    plan must set a target at least as high, its report is compared with it."""

    units: tuple[str, ...]  # "scheme:code"
    indicator: str
    value: str
    option: str = ""
    year: int | None = None
    label: str = ""

    def covers(self, scheme: str, code: str) -> bool:
        return f"{scheme}:{code}" in self.units


@dataclass(frozen=True, slots=True)
class AppraisalRule:
    kinds: tuple[str, ...]
    by: str  # central, province, parent


DEFAULT_APPRAISAL = (
    AppraisalRule(("ministry", "ministry_level", "gov_agency", "province", "central"), "central"),
    AppraisalRule(("department", "district", "commune"), "province"),
    AppraisalRule(("subordinate",), "parent"),
)


def appraisal_rules(value: Any) -> tuple[AppraisalRule, ...]:
    """The rules of a framework's canonical ``appraisal`` value (None: the default), read
    alone: the appraisal queue needs them without the rest of the specification."""
    if value is None:
        return DEFAULT_APPRAISAL
    return tuple(AppraisalRule(tuple(a["kinds"]), a["by"]) for a in value)


def appraised_by(rules: tuple[AppraisalRule, ...], kind: str) -> str:
    """Who appraises a unit of ``kind``: "central", "parent" or "province" (the nearest
    province above it); a kind no rule names goes to the central authority."""
    return next((a.by for a in rules if kind in a.kinds), "central")


DEFAULT_CHECKLIST = (
    "Căn cứ pháp lý đầy đủ, còn hiệu lực",
    "Mục tiêu cụ thể rõ ràng, định lượng",
    "Nhiệm vụ, dự án phù hợp mục tiêu và Kiến trúc Chính phủ điện tử / Chính quyền số",
    "Kinh phí, nguồn vốn và phân kỳ khả thi",
    "Không trùng lặp đầu tư với các hệ thống, dự án đã có",
    "Bảo đảm an toàn thông tin",
)


@dataclass(frozen=True, slots=True)
class Framework:
    code: str
    kind: str
    title: str
    period: Period
    issued_by: Issuance
    applies_to: AppliesTo
    reporting: Reporting
    sections: tuple[Section, ...]
    title_en: str = ""
    document_title: str = ""
    example: bool = False
    follows: str = ""
    rules: tuple[Rule, ...] = ()
    appraisal: tuple[AppraisalRule, ...] = DEFAULT_APPRAISAL
    checklist: tuple[str, ...] = DEFAULT_CHECKLIST
    change_threshold: float = 1.0  # a value moving more than this (×100 %) is questioned
    national: tuple[NationalFigure, ...] = ()
    unit_targets: tuple[UnitTarget, ...] = ()
    numbering: str = "as_letter"  # of the top-level sections (Section.numbering)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    legal: dict[str, LegalDocument] = field(default_factory=dict)
    # The funding sources it names; empty: the standard list (vocab.FUNDING_SOURCES).
    funding_sources: tuple[FundingSource, ...] = ()

    def funding_source(self, code: str) -> FundingSource | None:
        return next((s for s in self.funding_sources if s.code == code), None)

    def walk(self) -> Iterator[Section]:
        """Every section, depth first, in document order."""
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.sections))

    def appraised_by(self, kind: str) -> str:
        return appraised_by(self.appraisal, kind)

    def section(self, code: str) -> Section | None:
        return next((s for s in self.walk() if s.code == code), None)

    def tables(self) -> Iterator[tuple[Section, Table]]:
        for section in self.walk():
            for table in section.tables:
                yield section, table

    def table(self, code: str) -> Table | None:
        return next((t for _, t in self.tables() if t.code == code), None)

    def used_indicators(self) -> list[str]:
        codes: list[str] = []
        for section in self.walk():
            for use in section.indicators:
                if use.indicator not in codes:
                    codes.append(use.indicator)
            if section.targets:
                for code in section.targets.indicators:
                    if code not in codes:
                        codes.append(code)
        return codes

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _jsonable(asdict(self))
        _drop_unset_rows_from(result["sections"])
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Framework:
        return _framework_from_dict(data)


def _drop_unset_rows_from(sections: list[dict[str, Any]]) -> None:
    """A table without ``rows_from`` is stored without the key, so that the stored form of
    every framework published before it existed stays the same."""
    for section in sections:
        for table in section["tables"]:
            if table.get("rows_from") is None:
                table.pop("rows_from", None)
        _drop_unset_rows_from(section["sections"])


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _options(items: Any) -> tuple[Option, ...]:
    return tuple(Option(**o) for o in items or ())


def _section_from_dict(d: dict[str, Any]) -> Section:
    return Section(
        code=d["code"],
        number=d["number"],
        title=d["title"],
        depth=d["depth"],
        title_en=d.get("title_en", ""),
        guidance=d.get("guidance", ""),
        required=d.get("required", True),
        applies_to=_applies(d.get("applies_to")),
        narrative=d.get("narrative", False),
        legal_basis=tuple(d["legal_basis"]) if d.get("legal_basis") is not None else None,
        indicators=tuple(
            IndicatorUse(
                **{
                    **u,
                    "options": tuple(u.get("options", ())),
                    "applies_to": _applies(u.get("applies_to")),
                    "split": Split(
                        u["split"]["dimension"],
                        tuple(u["split"]["options"]),
                        _applies(u["split"].get("applies_to")),
                    )
                    if u.get("split")
                    else None,
                }
            )
            for u in d.get("indicators", ())
        ),
        targets=Targets(
            tuple(d["targets"]["indicators"]),
            d["targets"]["free_text"],
            _applies(d["targets"].get("applies_to")),
        )
        if d.get("targets")
        else None,
        target_results=d.get("target_results", False),
        tables=tuple(
            Table(
                code=t["code"],
                title=t["title"],
                title_en=t.get("title_en", ""),
                numbered=t.get("numbered", False),
                columns=tuple(
                    Column(**{**c, "choices": _options(c.get("choices"))}) for c in t["columns"]
                ),
                phasing=Phasing(
                    tuple(t["phasing"]["sources"]),
                    tuple(t["phasing"]["types"]),
                    t["phasing"].get("whole_period", False),
                )
                if t.get("phasing")
                else None,
                groups=tuple(RowGroup(**g) for g in t.get("groups", ())),
                applies_to=_applies(t.get("applies_to")),
                rows_from=RowsFrom(**t["rows_from"]) if t.get("rows_from") else None,
            )
            for t in d.get("tables", ())
        ),
        budget=Budget(
            d["budget"]["rows"],
            tuple(d["budget"]["sources"]),
            tuple(d["budget"]["types"]),
            d["budget"].get("reconcile", ""),
            d["budget"].get("whole_period", False),
        )
        if d.get("budget")
        else None,
        sections=tuple(_section_from_dict(s) for s in d.get("sections", ())),
        subsections=d.get("subsections", "required"),
        numbering=d.get("numbering", "as_letter"),
    )


def _applies(d: Any) -> AppliesTo | None:
    return AppliesTo(tuple(d["kinds"]), tuple(d["units"])) if d else None


def _framework_from_dict(d: dict[str, Any]) -> Framework:
    issued = d["issued_by"]
    rep = d["reporting"]
    return Framework(
        code=d["code"],
        kind=d["kind"],
        title=d["title"],
        title_en=d.get("title_en", ""),
        document_title=d.get("document_title", ""),
        example=d.get("example", False),
        period=Period(d["period"]["start"], d["period"]["end"]),
        issued_by=Issuance(
            number=issued["number"],
            date=_date(issued.get("date")),
            issuer=issued["issuer"],
            attachment=issued.get("attachment", ""),
            url=issued.get("url", ""),
        ),
        applies_to=AppliesTo(tuple(d["applies_to"]["kinds"]), tuple(d["applies_to"]["units"])),
        follows=d.get("follows", ""),
        reporting=Reporting(
            recipient=rep["recipient"],
            delivery=tuple(rep["delivery"]),
            frequency=rep["frequency"],
            deadline=_date(rep.get("deadline")),
            cutoff_from=_date(rep.get("cutoff_from")),
            cutoff_to=_date(rep.get("cutoff_to")),
            procedure=rep.get("procedure", ""),
            deadline_before=rep.get("deadline_before", False),
            contact=Contact(**rep["contact"]) if rep.get("contact") else None,
        ),
        sections=tuple(_section_from_dict(s) for s in d["sections"]),
        rules=tuple(
            Rule(
                **{
                    **r,
                    "indicator_refs": tuple(r.get("indicator_refs", ())),
                    "table_refs": tuple(r.get("table_refs", ())),
                }
            )
            for r in d.get("rules", ())
        ),
        appraisal=appraisal_rules(d.get("appraisal")),
        checklist=tuple(d.get("checklist", DEFAULT_CHECKLIST)),
        change_threshold=d.get("change_threshold", 1.0),
        national=tuple(NationalFigure(**f) for f in d.get("national", ())),
        unit_targets=tuple(
            UnitTarget(**{**t, "units": tuple(t["units"])}) for t in d.get("unit_targets", ())
        ),
        numbering=d.get("numbering", "as_letter"),
        indicators={k: Indicator.from_dict(v) for k, v in d.get("indicators", {}).items()},
        dimensions={
            k: Dimension(v["code"], v["title"], v.get("title_en", ""), _options(v["options"]))
            for k, v in d.get("dimensions", {}).items()
        },
        legal={
            k: LegalDocument(
                code=v["code"],
                type=v["type"],
                number=v["number"],
                date=_date(v.get("date")),
                issuer=v["issuer"],
                title=v["title"],
            )
            for k, v in d.get("legal", {}).items()
        },
        funding_sources=tuple(FundingSource(**f) for f in d.get("funding_sources", ())),
    )
