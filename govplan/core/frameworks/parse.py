"""Checking a framework document against its catalogues (docs/frameworks.md).

Long because: it is the one checker of the framework format, walked in the order
docs/frameworks.md describes it (top keys, period, applicability, sections, indicators,
tables, columns, rules), every step adding its problems to one shared state with the path
where they are; the steps call each other in that order, so the file reads as the format
does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from govplan.core.frameworks.catalogue import Catalogue, Indicator, Option, read_options
from govplan.core.frameworks.fields import CODE_RE, LOWER_CODE_RE, Reader
from govplan.core.frameworks.figures import (
    check_rule_figures,
    read_national,
    read_unit_targets,
)
from govplan.core.frameworks.legal import LegalCatalogue
from govplan.core.frameworks.model import (
    DEFAULT_APPRAISAL,
    DEFAULT_CHECKLIST,
    AppliesTo,
    AppraisalRule,
    Budget,
    Column,
    Contact,
    Framework,
    FundingSource,
    IndicatorUse,
    Issuance,
    Period,
    Phasing,
    Reporting,
    RowGroup,
    RowsFrom,
    Rule,
    Section,
    Split,
    Table,
    Targets,
)
from govplan.core.frameworks.problems import Collector, join
from govplan.core.frameworks.vocab import (
    BUDGET_ROWS,
    COLUMN_TYPES,
    DELIVERY_METHODS,
    FRAMEWORK_FORMAT,
    FRAMEWORK_KINDS,
    FREQUENCIES,
    FUNDING_SOURCES,
    FUNDING_TYPES,
    MONEY_ROLES,
    NUMERIC_COLUMN_TYPES,
    ORG_KINDS,
    ORG_SCHEMES,
    PER_YEAR_ROLES,
    ROLES,
    ROW_SOURCES,
    RULE_IMPORTANCE,
    RULE_MISSING,
    SOURCE_ROLES,
    TASK_LEAD_CODES,
)
from govplan.core.i18n import gettext_noop
from govplan.core.rules.ast import split_indicator_ref
from govplan.core.rules.parser import RuleSyntaxError
from govplan.core.rules.parser import parse as parse_rule

TOP_KEYS_REQUIRED = (
    "format",
    "code",
    "kind",
    "title",
    "period",
    "issued_by",
    "applies_to",
    "reporting",
    "sections",
)
TOP_KEYS_OPTIONAL = (
    "title_en",
    "document_title",
    "example",
    "follows",
    "rules",
    "appraisal",
    "checklist",
    "checks",
    "funding_sources",
    "national",
    "unit_targets",
    "numbering",
)
APPRAISERS = ("central", "province", "parent")
SECTION_KEYS = (
    "number",
    "code",
    "title",
    "title_en",
    "guidance",
    "required",
    "applies_to",
    "narrative",
    "legal_basis",
    "indicators",
    "targets",
    "target_results",
    "tables",
    "budget",
    "sections",
    "subsections",
    "numbering",
)
SUBSECTIONS = ("required", "suggested")
NUMBERINGS = ("as_letter", "renumber")
SECTION_NUMBER_RE = re.compile(r"^[A-Za-z0-9]+$")

INDICATOR_REF_RE = re.compile(r"#\{([^{}]*)\}")
TABLE_REF_RE = re.compile(r"@\{([^{}]*)\}")


@dataclass
class _State:
    catalogue: Catalogue
    legal: LegalCatalogue
    period: Period | None = None
    section_codes: dict[str, str] = field(default_factory=dict)  # code -> path
    table_codes: dict[str, str] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    used: dict[str, Indicator] = field(default_factory=dict)
    sources: tuple[str, ...] = FUNDING_SOURCES  # the codes phasing and budgets may name
    reconciled: list[str] = field(default_factory=list)  # paths of budgets to reconcile
    # Budgets that read the projects' phasing (computed or reconciled), by path.
    project_budgets: list[tuple[str, Budget]] = field(default_factory=list)
    # The options asked of each indicator used with ``options``: () once a use asks all.
    asked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    split_dimensions: set[str] = field(default_factory=set)


def parse_framework(data: Any, catalogue: Catalogue, legal: LegalCatalogue) -> Framework:
    """Check a framework document; raise SpecError listing every problem, or return it."""
    c = Collector(data)
    r = Reader(c)
    top = r.mapping("", data, required=TOP_KEYS_REQUIRED, optional=TOP_KEYS_OPTIONAL)
    if top is None:
        c.raise_if_any()
        raise AssertionError("unreachable")
    if top.get("format") is not None and top.get("format") != FRAMEWORK_FORMAT:
        c.add("format", gettext_noop('must be "%(expected)s"'), expected=FRAMEWORK_FORMAT)
    state = _State(catalogue=catalogue, legal=legal)
    code = r.code("code", top.get("code"))
    kind = r.choice("kind", top.get("kind"), FRAMEWORK_KINDS)
    period = _period(r, top.get("period"))
    state.period = period
    issued = _issuance(r, top.get("issued_by"))
    applies = _applies_to(r, "applies_to", top.get("applies_to"), require_some=True)
    reporting = _reporting(r, top.get("reporting"))
    follows = ""
    if top.get("follows") not in (None, ""):
        follows = r.code("follows", top.get("follows"))
        if follows and follows == code:
            c.add("follows", gettext_noop("a framework cannot follow itself"))
    funding_sources = _funding_sources(r, top.get("funding_sources"))
    if funding_sources:
        state.sources = tuple(f.code for f in funding_sources)
    sections = _sections(r, state, "sections", top.get("sections"), parent_code="", depth=0)
    if state.reconciled and not any(t.phasing is not None for t in state.tables.values()):
        for path in state.reconciled:
            c.add(
                path,
                gettext_noop("there is no project table with a phasing to reconcile it with"),
            )
    _budgets_cover_the_projects(r, state)
    if not sections and isinstance(top.get("sections"), list):
        c.add("sections", gettext_noop("needs at least one section"))
    rules = _rules(r, state, top.get("rules"))
    national = read_national(r, top.get("national"), state.used, catalogue, period)
    unit_targets = read_unit_targets(r, top.get("unit_targets"), state.used, catalogue, period)
    check_rule_figures(r, rules, national)
    appraisal = _appraisal(r, top.get("appraisal"))
    checklist = tuple(
        r.text(join("checklist", i), item, max_length=500)
        for i, item in enumerate(r.listing("checklist", top.get("checklist")))
    )
    change_threshold = 1.0
    if top.get("checks") is not None:
        checks = r.mapping("checks", top.get("checks"), optional=("change_threshold",))
        if checks is not None and checks.get("change_threshold") is not None:
            value = r.number("checks.change_threshold", checks.get("change_threshold"))
            if value is not None and value <= 0:
                c.add("checks.change_threshold", gettext_noop("must be more than 0"))
            elif value is not None:
                change_threshold = value
    numbering = r.choice("numbering", top.get("numbering") or "as_letter", NUMBERINGS)
    c.raise_if_any()
    assert period is not None and issued is not None and applies is not None
    assert reporting is not None
    used_dimensions = {d for i in state.used.values() for d in i.disaggregation}
    used_dimensions |= state.split_dimensions
    suggested = {code for s in _walk(sections) for code in (s.legal_basis or ())}
    return Framework(
        code=code,
        kind=kind,
        title=r.text("title", top.get("title"), max_length=500),
        title_en=r.text("title_en", top.get("title_en"), required=False, max_length=500),
        document_title=r.text(
            "document_title", top.get("document_title"), required=False, max_length=500
        ),
        example=r.boolean("example", top.get("example"), False),
        period=period,
        issued_by=issued,
        applies_to=applies,
        reporting=reporting,
        follows=follows,
        sections=tuple(sections),
        rules=tuple(rules),
        appraisal=appraisal or DEFAULT_APPRAISAL,
        checklist=checklist or DEFAULT_CHECKLIST,
        change_threshold=change_threshold,
        national=tuple(national),
        unit_targets=tuple(unit_targets),
        numbering=numbering,
        indicators=dict(state.used),
        dimensions={d: catalogue.dimensions[d] for d in sorted(used_dimensions)},
        legal={k: legal.documents[k] for k in sorted(suggested)},
        funding_sources=funding_sources,
    )


def _funding_sources(r: Reader, value: Any) -> tuple[FundingSource, ...]:
    """The framework's own list of funding sources (``funding_sources``)."""
    sources: list[FundingSource] = []
    for i, item in enumerate(r.listing("funding_sources", value)):
        p = join("funding_sources", i)
        m = r.mapping(p, item, required=("code", "title"), optional=("title_en",))
        if m is None:
            continue
        code = r.code(join(p, "code"), m.get("code"), LOWER_CODE_RE)
        if code and any(s.code == code for s in sources):
            r.c.add(join(p, "code"), gettext_noop('"%(value)s" is listed twice'), value=code)
            continue
        title = r.text(join(p, "title"), m.get("title"), max_length=300)
        title_en = r.text(join(p, "title_en"), m.get("title_en"), required=False, max_length=300)
        if code:
            sources.append(FundingSource(code, title, title_en))
    if value is not None and not sources and isinstance(value, list):
        r.c.add("funding_sources", gettext_noop("needs at least one source"))
    return tuple(sources)


def _groups(r: Reader, p: str, value: Any) -> tuple[RowGroup, ...]:
    """A table's row groups: unique codes and numbers."""
    groups: list[RowGroup] = []
    for i, item in enumerate(r.listing(p, value)):
        gp = join(p, i)
        m = r.mapping(gp, item, required=("code", "number", "title"), optional=("title_en",))
        if m is None:
            continue
        code = r.code(join(gp, "code"), m.get("code"), LOWER_CODE_RE)
        number = r.text(join(gp, "number"), m.get("number"), max_length=20)
        first = next((g for g in groups if code and g.code == code), None)
        if first is not None:
            r.c.add(join(gp, "code"), gettext_noop('duplicate group code "%(code)s"'), code=code)
            continue
        if number and any(g.number == number for g in groups):
            r.c.add(
                join(gp, "number"),
                gettext_noop('number "%(number)s" is given to two groups'),
                number=number,
            )
            continue
        title = r.text(join(gp, "title"), m.get("title"), max_length=500)
        title_en = r.text(join(gp, "title_en"), m.get("title_en"), required=False, max_length=500)
        if code and number:
            groups.append(RowGroup(code, number, title, title_en))
    if value is not None and not groups and isinstance(value, list):
        r.c.add(p, gettext_noop("needs at least one group"))
    return tuple(groups)


def _appraisal(r: Reader, value: Any) -> tuple[AppraisalRule, ...]:
    rules: list[AppraisalRule] = []
    seen: set[str] = set()
    for i, item in enumerate(r.listing("appraisal", value)):
        p = join("appraisal", i)
        m = r.mapping(p, item, required=("kinds", "by"))
        if m is None:
            continue
        kinds = r.choices_list(join(p, "kinds"), m.get("kinds"), ORG_KINDS, required=True)
        for kind in kinds:
            if kind in seen:
                r.c.add(join(p, "kinds"), gettext_noop('"%(value)s" is listed twice'), value=kind)
            seen.add(kind)
        by = r.choice(join(p, "by"), m.get("by"), APPRAISERS)
        if kinds and by:
            rules.append(AppraisalRule(tuple(kinds), by))
    return tuple(rules)


def _walk(sections: list[Section] | tuple[Section, ...]) -> list[Section]:
    result: list[Section] = []
    for section in sections:
        result.append(section)
        result.extend(_walk(section.sections))
    return result


def _period(r: Reader, value: Any) -> Period | None:
    m = r.mapping("period", value, required=("from", "to"))
    if m is None:
        return None
    start = r.integer("period.from", m.get("from"), minimum=1990, maximum=2100)
    end = r.integer("period.to", m.get("to"), minimum=1990, maximum=2100)
    if start is None or end is None:
        return None
    if end < start:
        r.c.add("period.to", gettext_noop("the period ends before it starts"))
        return None
    if end - start > 10:
        r.c.add("period.to", gettext_noop("a period longer than 10 years is not a plan cycle"))
        return None
    return Period(start, end)


def _issuance(r: Reader, value: Any) -> Issuance | None:
    m = r.mapping(
        "issued_by",
        value,
        required=("number", "date", "issuer"),
        optional=("attachment", "url"),
    )
    if m is None:
        return None
    return Issuance(
        number=r.text("issued_by.number", m.get("number"), max_length=100),
        date=r.date("issued_by.date", m.get("date")),
        issuer=r.text("issued_by.issuer", m.get("issuer"), max_length=300),
        attachment=r.text("issued_by.attachment", m.get("attachment"), required=False),
        url=r.text("issued_by.url", m.get("url"), required=False),
    )


def _applies_to(r: Reader, path: str, value: Any, *, require_some: bool) -> AppliesTo | None:
    m = r.mapping(path, value, optional=("kinds", "units"))
    if m is None:
        return None
    kinds = r.choices_list(join(path, "kinds"), m.get("kinds"), ORG_KINDS)
    units: list[str] = []
    for i, item in enumerate(r.listing(join(path, "units"), m.get("units"))):
        p = join(join(path, "units"), i)
        text = r.text(p, item, max_length=100)
        scheme, _, code = text.partition(":")
        if not text:
            continue
        if scheme not in ORG_SCHEMES or not code:
            r.c.add(
                p,
                gettext_noop(
                    '"%(value)s" is not a unit reference: write scheme:code, e.g. %(example)s'
                ),
                value=text,
                example="govplan:BQP",
            )
        elif text in units:
            r.c.add(p, gettext_noop('"%(value)s" is listed twice'), value=text)
        else:
            units.append(text)
    applies = AppliesTo(tuple(kinds), tuple(units))
    if applies.empty and (require_some or "kinds" in m or "units" in m):
        r.c.add(path, gettext_noop("names no unit kind and no unit: it would apply to nobody"))
    return applies


def _reporting(r: Reader, value: Any) -> Reporting | None:
    m = r.mapping(
        "reporting",
        value,
        required=("recipient", "frequency"),
        optional=("delivery", "deadline", "cutoff", "procedure", "contact"),
    )
    if m is None:
        return None
    cutoff_from = cutoff_to = None
    if m.get("cutoff") is not None:
        cut = r.mapping("reporting.cutoff", m.get("cutoff"), required=("from", "to"))
        if cut is not None:
            cutoff_from = r.date("reporting.cutoff.from", cut.get("from"))
            cutoff_to = r.date("reporting.cutoff.to", cut.get("to"))
            if cutoff_from and cutoff_to and cutoff_to < cutoff_from:
                r.c.add("reporting.cutoff.to", gettext_noop("the cut-off ends before it starts"))
    deadline, before = _deadline(r, m.get("deadline"))
    return Reporting(
        recipient=r.text("reporting.recipient", m.get("recipient"), max_length=300),
        delivery=tuple(r.choices_list("reporting.delivery", m.get("delivery"), DELIVERY_METHODS)),
        frequency=r.choice("reporting.frequency", m.get("frequency"), FREQUENCIES),
        deadline=deadline,
        cutoff_from=cutoff_from,
        cutoff_to=cutoff_to,
        procedure=r.text("reporting.procedure", m.get("procedure"), required=False),
        deadline_before=before,
        contact=_contact(r, m.get("contact")),
    )


def _deadline(r: Reader, value: Any) -> tuple[dt.date | None, bool]:
    """``deadline: 2017-11-30`` (on that day at the latest), ``deadline: {before:
    2017-11-30}`` (the letter's "trước ngày": the 29th at the latest) or none."""
    if value is None or value == "":
        return None, False
    if isinstance(value, dict):
        m = r.mapping("reporting.deadline", value, required=("before",))
        if m is None:
            return None, False
        return r.date("reporting.deadline.before", m.get("before")), True
    return r.date("reporting.deadline", value), False


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _contact(r: Reader, value: Any) -> Contact | None:
    if value is None:
        return None
    m = r.mapping("reporting.contact", value, required=("name",), optional=("phone", "email"))
    if m is None:
        return None
    email = r.text("reporting.contact.email", m.get("email"), required=False, max_length=200)
    if email and not EMAIL_RE.match(email):
        r.c.add(
            "reporting.contact.email",
            gettext_noop('"%(value)s" is not an e-mail address'),
            value=email,
        )
    return Contact(
        name=r.text("reporting.contact.name", m.get("name"), max_length=300),
        phone=r.text("reporting.contact.phone", m.get("phone"), required=False, max_length=100),
        email=email,
    )


def _sections(
    r: Reader,
    state: _State,
    path: str,
    value: Any,
    *,
    parent_code: str,
    depth: int,
    suggested: bool = False,
) -> list[Section]:
    sections: list[Section] = []
    numbers: dict[str, str] = {}
    for i, item in enumerate(r.listing(path, value, required=depth == 0)):
        p = join(path, i)
        section = _section(
            r, state, p, item, parent_code=parent_code, depth=depth, suggested=suggested
        )
        if section is None:
            continue
        if section.number in numbers:
            r.c.add(
                join(p, "number"),
                gettext_noop(
                    'number "%(number)s" is used twice at this level (first at %(first)s)'
                ),
                number=section.number,
                first=numbers[section.number],
            )
        numbers[section.number] = p
        sections.append(section)
    return sections


def _section(
    r: Reader,
    state: _State,
    p: str,
    item: Any,
    *,
    parent_code: str,
    depth: int,
    suggested: bool = False,
) -> Section | None:
    m = r.mapping(p, item, required=("number", "title"), optional=SECTION_KEYS)
    if m is None:
        return None
    if depth > 5:
        r.c.add(p, gettext_noop("sections nest deeper than 6 levels"))
        return None
    number = r.text(join(p, "number"), m.get("number"), max_length=20)
    if number and not SECTION_NUMBER_RE.match(number):
        r.c.add(
            join(p, "number"),
            gettext_noop('"%(value)s": a number is letters or digits only (I, 2, a, b1)'),
            value=number,
        )
    default_code = f"{parent_code}.{number}" if parent_code else number
    code = default_code
    if m.get("code") is not None:
        code = r.code(join(p, "code"), m.get("code"))
    if code:
        if code in state.section_codes:
            r.c.add(
                join(p, "code"),
                gettext_noop('duplicate section code "%(code)s" (first at %(first)s)'),
                code=code,
                first=state.section_codes[code],
            )
        state.section_codes.setdefault(code, p)
    applies = None
    if m.get("applies_to") is not None:
        applies = _applies_to(r, join(p, "applies_to"), m.get("applies_to"), require_some=True)
    legal_basis: tuple[str, ...] | None = None
    raw_legal = m.get("legal_basis")
    if raw_legal is True:
        legal_basis = ()
    elif raw_legal is not None and raw_legal is not False:
        lm = r.mapping(join(p, "legal_basis"), raw_legal, optional=("suggested",))
        codes: list[str] = []
        if lm is not None:
            for j, doc in enumerate(
                r.listing(join(p, "legal_basis.suggested"), lm.get("suggested"))
            ):
                dp = join(join(p, "legal_basis.suggested"), j)
                if not isinstance(doc, str) or doc not in state.legal.documents:
                    r.c.add(
                        dp,
                        gettext_noop('"%(code)s" is not in the legal-document catalogue'),
                        code=doc,
                    )
                elif doc in codes:
                    r.c.add(dp, gettext_noop('"%(value)s" is listed twice'), value=doc)
                else:
                    codes.append(doc)
        legal_basis = tuple(codes)
    indicators = _indicator_uses(r, state, join(p, "indicators"), m.get("indicators"))
    targets = None
    if m.get("targets") is not None:
        tm = r.mapping(
            join(p, "targets"),
            m.get("targets"),
            optional=("indicators", "free_text", "applies_to"),
        )
        if tm is not None:
            target_codes: list[str] = []
            for j, ref in enumerate(r.listing(join(p, "targets.indicators"), tm.get("indicators"))):
                tp = join(join(p, "targets.indicators"), j)
                indicator = _catalogue_indicator(r, state, tp, ref)
                if indicator is not None:
                    if indicator.type not in ("integer", "decimal", "money", "ratio", "boolean"):
                        r.c.add(
                            tp,
                            gettext_noop(
                                '"%(code)s" is a %(type)s indicator: '
                                "a target needs a number, a ratio or yes/no"
                            ),
                            code=indicator.code,
                            type=indicator.type,
                        )
                    elif indicator.code in target_codes:
                        r.c.add(
                            tp, gettext_noop('"%(value)s" is listed twice'), value=indicator.code
                        )
                    else:
                        target_codes.append(indicator.code)
            free_text = r.boolean(join(p, "targets.free_text"), tm.get("free_text"), True)
            if not target_codes and not free_text:
                r.c.add(
                    join(p, "targets"),
                    gettext_noop("allows neither indicators nor text: it asks for nothing"),
                )
            targets = Targets(
                tuple(target_codes),
                free_text,
                _applies_to(
                    r, join(p, "targets.applies_to"), tm.get("applies_to"), require_some=True
                )
                if tm.get("applies_to") is not None
                else None,
            )
    tables = []
    for j, raw_table in enumerate(r.listing(join(p, "tables"), m.get("tables"))):
        table = _table(r, state, join(join(p, "tables"), j), raw_table)
        if table is not None:
            tables.append(table)
    budget = None
    if m.get("budget") is not None:
        bm = r.mapping(
            join(p, "budget"),
            m.get("budget"),
            required=("rows", "sources", "types"),
            optional=("reconcile", "whole_period"),
        )
        if bm is not None:
            budget = Budget(
                rows=r.choice(join(p, "budget.rows"), bm.get("rows"), BUDGET_ROWS),
                sources=tuple(
                    r.choices_list(
                        join(p, "budget.sources"), bm.get("sources"), state.sources, required=True
                    )
                ),
                types=tuple(
                    r.choices_list(
                        join(p, "budget.types"), bm.get("types"), FUNDING_TYPES, required=True
                    )
                ),
                reconcile=_reconcile(r, state, join(p, "budget"), bm),
                whole_period=_budget_whole_period(r, join(p, "budget"), bm),
            )
            if budget.rows == "projects" or budget.reconcile:
                state.project_budgets.append((join(p, "budget"), budget))
    subsections = r.choice(join(p, "subsections"), m.get("subsections") or "required", SUBSECTIONS)
    numbering = r.choice(join(p, "numbering"), m.get("numbering") or "as_letter", NUMBERINGS)
    if m.get("subsections") is not None and not m.get("sections"):
        r.c.add(join(p, "subsections"), gettext_noop("the section has no sub-sections"))
    children = _sections(
        r,
        state,
        join(p, "sections"),
        m.get("sections"),
        parent_code=code or default_code,
        depth=depth + 1,
        suggested=subsections == "suggested",
    )
    section = Section(
        code=code,
        number=number,
        title=r.text(join(p, "title"), m.get("title"), max_length=500),
        title_en=r.text(join(p, "title_en"), m.get("title_en"), required=False, max_length=500),
        guidance=r.text(join(p, "guidance"), m.get("guidance"), required=False, max_length=20000),
        # The letter's suggested sub-sections are optional unless the file says otherwise.
        required=r.boolean(join(p, "required"), m.get("required"), not suggested),
        applies_to=applies,
        narrative=r.boolean(join(p, "narrative"), m.get("narrative"), False),
        legal_basis=legal_basis,
        indicators=tuple(indicators),
        targets=targets,
        target_results=r.boolean(join(p, "target_results"), m.get("target_results"), False),
        tables=tuple(tables),
        budget=budget,
        sections=tuple(children),
        depth=depth,
        subsections=subsections,
        numbering=numbering,
    )
    if not section.holds() and not children:
        r.c.add(
            p,
            gettext_noop(
                "section %(number)s asks for nothing: give it narrative, indicators, targets, "
                "tables, a budget, a legal basis or sub-sections"
            ),
            number=number,
        )
    return section


def _budgets_cover_the_projects(r: Reader, state: _State) -> None:
    """A budget computed from the projects, or reconciled with them, lists every source and
    type of their phasing: else those amounts would be left out of it, or never match."""
    phased = [t.phasing for t in state.tables.values() if t.phasing is not None]
    for path, budget in state.project_budgets:
        for key, listed, used in (
            ("sources", budget.sources, [s for p in phased for s in p.sources]),
            ("types", budget.types, [t for p in phased for t in p.types]),
        ):
            missing = [code for code in dict.fromkeys(used) if code not in listed]
            if missing and listed:
                r.c.add(
                    join(path, key),
                    gettext_noop(
                        "the projects' phasing also has %(missing)s: list them here, "
                        "or their amounts are left out of this budget"
                    ),
                    missing=", ".join(missing),
                )


def _budget_whole_period(r: Reader, p: str, bm: dict[str, Any]) -> bool:
    whole = r.boolean(join(p, "whole_period"), bm.get("whole_period"), False)
    if whole and bm.get("rows") == "projects":
        r.c.add(
            join(p, "whole_period"),
            gettext_noop(
                "a budget computed from the projects takes their phasing: "
                "allow whole-period amounts in the project table's phasing"
            ),
        )
        return False
    return whole


def _reconcile(r: Reader, state: _State, p: str, bm: dict[str, Any]) -> str:
    """``reconcile: error | warning``: a typed budget checked against the projects."""
    if bm.get("reconcile") is None:
        return ""
    importance = r.choice(join(p, "reconcile"), bm.get("reconcile"), RULE_IMPORTANCE)
    if importance and bm.get("rows") == "projects":
        r.c.add(
            join(p, "reconcile"),
            gettext_noop("a budget computed from the projects has nothing to reconcile"),
        )
        return ""
    if importance:
        state.reconciled.append(join(p, "reconcile"))
    return importance


def _catalogue_indicator(r: Reader, state: _State, path: str, ref: Any) -> Indicator | None:
    if not isinstance(ref, str) or ref not in state.catalogue.indicators:
        r.c.add(path, gettext_noop('"%(code)s" is not in the indicator catalogue'), code=ref)
        return None
    indicator = state.catalogue.indicators[ref]
    state.used.setdefault(ref, indicator)
    return indicator


def _indicator_uses(r: Reader, state: _State, path: str, value: Any) -> list[IndicatorUse]:
    uses: list[IndicatorUse] = []
    for j, item in enumerate(r.listing(path, value)):
        p = join(path, j)
        if isinstance(item, str):
            item = {"indicator": item}
        m = r.mapping(
            p,
            item,
            required=("indicator",),
            optional=("required", "label", "options", "applies_to", "split"),
        )
        if m is None:
            continue
        indicator = _catalogue_indicator(r, state, join(p, "indicator"), m.get("indicator"))
        if indicator is None:
            continue
        if any(u.indicator == indicator.code for u in uses):
            r.c.add(
                join(p, "indicator"),
                gettext_noop('"%(value)s" is listed twice'),
                value=indicator.code,
            )
            continue
        options = _asked_options(r, state, join(p, "options"), indicator, m.get("options"))
        if options and state.asked.get(indicator.code, options):
            state.asked[indicator.code] = tuple(
                dict.fromkeys(state.asked.get(indicator.code, ()) + options)
            )
        else:
            state.asked[indicator.code] = ()
        uses.append(
            IndicatorUse(
                indicator=indicator.code,
                required=r.boolean(join(p, "required"), m.get("required"), True),
                label=r.text(join(p, "label"), m.get("label"), required=False, max_length=500),
                options=options,
                applies_to=_applies_to(
                    r, join(p, "applies_to"), m.get("applies_to"), require_some=True
                )
                if m.get("applies_to") is not None
                else None,
                split=_split(r, state, join(p, "split"), indicator, m.get("split")),
            )
        )
    return uses


def _split(r: Reader, state: _State, path: str, indicator: Indicator, value: Any) -> Split | None:
    """``split: CAP_HANH_CHINH`` or ``split: {by: CAP_HANH_CHINH, options: [TINH, HUYEN],
    applies_to: {kinds: [province]}}``: the whole unit's figure, and its units' at each
    option."""
    if value is None:
        return None
    short = isinstance(value, str)
    m = r.mapping(
        path,
        {"by": value} if short else value,
        required=("by",),
        optional=("options", "applies_to"),
    )
    if m is None:
        return None
    by = m.get("by")
    dimension = state.catalogue.dimensions.get(by) if isinstance(by, str) else None
    if dimension is None:
        r.c.add(
            path if short else join(path, "by"),
            gettext_noop('"%(code)s" is not a dimension of the indicator catalogue'),
            code=str(by)[:50],
        )
        return None
    if indicator.disaggregation:
        r.c.add(
            path,
            gettext_noop(
                "%(code)s is already divided by %(dimensions)s: only an undivided indicator "
                "is split"
            ),
            code=indicator.code,
            dimensions=", ".join(indicator.disaggregation),
        )
        return None
    if indicator.type not in ("integer", "decimal", "money", "ratio"):
        r.c.add(
            path,
            gettext_noop("%(code)s is a %(type)s indicator: only a figure is split"),
            code=indicator.code,
            type=indicator.type,
        )
        return None
    options: list[str] = []
    for i, option in enumerate(r.listing(join(path, "options"), m.get("options"))):
        op = join(join(path, "options"), i)
        if option not in dimension.option_codes():
            r.c.add(
                op,
                gettext_noop('"%(option)s" is not an option of %(code)s (options: %(allowed)s)'),
                option=str(option)[:50],
                code=dimension.code,
                allowed=", ".join(dimension.option_codes()),
            )
        elif option in options:
            r.c.add(op, gettext_noop('"%(value)s" is listed twice'), value=option)
        else:
            options.append(option)
    state.split_dimensions.add(dimension.code)
    return Split(
        dimension=dimension.code,
        options=tuple(options),
        applies_to=_applies_to(r, join(path, "applies_to"), m.get("applies_to"), require_some=True)
        if m.get("applies_to") is not None
        else None,
    )


def _asked_options(
    r: Reader, state: _State, path: str, indicator: Indicator, value: Any
) -> tuple[str, ...]:
    """The options of the indicator's dimensions a framework asks, when it asks only some
    (``options: [M3, M4]``); () asks them all."""
    if value is None:
        return ()
    if not indicator.disaggregation:
        r.c.add(
            path,
            gettext_noop("%(code)s has no options: it is not disaggregated"),
            code=indicator.code,
        )
        return ()
    known = {
        o: d for d in indicator.disaggregation for o in state.catalogue.dimensions[d].option_codes()
    }
    asked: list[str] = []
    for i, option in enumerate(r.listing(path, value, required=True)):
        op = join(path, i)
        if not isinstance(option, str) or option not in known:
            r.c.add(
                op,
                gettext_noop('"%(option)s" is not an option of %(code)s (options: %(allowed)s)'),
                option=str(option)[:50],
                code=indicator.code,
                allowed=", ".join(known),
            )
        elif option in asked:
            r.c.add(op, gettext_noop('"%(value)s" is listed twice'), value=option)
        else:
            asked.append(option)
    return tuple(asked)


def _table(r: Reader, state: _State, p: str, value: Any) -> Table | None:
    m = r.mapping(
        p,
        value,
        required=("code", "title", "columns"),
        optional=("title_en", "numbered", "phasing", "groups", "applies_to", "rows_from"),
    )
    if m is None:
        return None
    code = r.code(join(p, "code"), m.get("code"), LOWER_CODE_RE)
    if code:
        if code in state.table_codes:
            r.c.add(
                join(p, "code"),
                gettext_noop('duplicate table code "%(code)s" (first at %(first)s)'),
                code=code,
                first=state.table_codes[code],
            )
        state.table_codes.setdefault(code, p)
    columns: list[Column] = []
    roles: dict[tuple[str, int | None], str] = {}
    for j, raw in enumerate(r.listing(join(p, "columns"), m.get("columns"), required=True)):
        cp = join(join(p, "columns"), j)
        column = _column(r, state, cp, raw)
        if column is None:
            continue
        if any(existing.code == column.code for existing in columns):
            r.c.add(
                join(cp, "code"), gettext_noop('duplicate column code "%(code)s"'), code=column.code
            )
            continue
        if column.role:
            key = (column.role, column.year if column.role in PER_YEAR_ROLES else None)
            if key in roles:
                r.c.add(
                    join(cp, "role"),
                    gettext_noop('role "%(role)s" is already given to %(first)s'),
                    role=column.role,
                    first=roles[key],
                )
            roles.setdefault(key, cp)
        columns.append(column)
    if not columns and isinstance(m.get("columns"), list):
        r.c.add(join(p, "columns"), gettext_noop("needs at least one column"))
    phasing = None
    if m.get("phasing") is not None:
        pm = r.mapping(
            join(p, "phasing"),
            m.get("phasing"),
            required=("sources", "types"),
            optional=("whole_period",),
        )
        if pm is not None:
            phasing = Phasing(
                sources=tuple(
                    r.choices_list(
                        join(p, "phasing.sources"),
                        pm.get("sources"),
                        state.sources,
                        required=True,
                    )
                ),
                types=tuple(
                    r.choices_list(
                        join(p, "phasing.types"), pm.get("types"), FUNDING_TYPES, required=True
                    )
                ),
                whole_period=r.boolean(
                    join(p, "phasing.whole_period"), pm.get("whole_period"), False
                ),
            )
    table = Table(
        code=code,
        title=r.text(join(p, "title"), m.get("title"), max_length=500),
        title_en=r.text(join(p, "title_en"), m.get("title_en"), required=False, max_length=500),
        numbered=r.boolean(join(p, "numbered"), m.get("numbered"), False),
        columns=tuple(columns),
        phasing=phasing,
        groups=_groups(r, join(p, "groups"), m.get("groups")),
        applies_to=_applies_to(r, join(p, "applies_to"), m.get("applies_to"), require_some=True)
        if m.get("applies_to") is not None
        else None,
        rows_from=_rows_from(r, join(p, "rows_from"), m.get("rows_from")),
    )
    _check_source_columns(r, p, table, m)
    if code:
        state.tables.setdefault(code, table)
    return table


def _rows_from(r: Reader, p: str, value: Any) -> RowsFrom | None:
    """``rows_from: {source: programme_tasks, programme: <code>}``: the table's rows are
    filled from the programme's task list (documents.row_sources)."""
    if value is None:
        return None
    m = r.mapping(p, value, required=("source", "programme"))
    if m is None:
        return None
    source = r.choice(join(p, "source"), m.get("source"), ROW_SOURCES)
    programme = r.code(join(p, "programme"), m.get("programme"))
    if not source or not programme:
        return None
    return RowsFrom(source=source, programme=programme)


def _check_source_columns(r: Reader, p: str, table: Table, m: dict[str, Any]) -> None:
    """A table filled from a source has the column that keys its rows (task_code), a
    task_lead column that can say each role, and no phasing or groups; a source's role on a
    table that is not filled from one is an error (nothing would fill it)."""
    source_roles = {role for roles in SOURCE_ROLES.values() for role in roles}
    raw_columns = m.get("columns")
    columns: list[Any] = raw_columns if isinstance(raw_columns, list) else []
    if table.rows_from is None:
        for j, raw in enumerate(columns):
            role = raw.get("role") if isinstance(raw, dict) else None
            if isinstance(role, str) and role in source_roles:
                r.c.add(
                    join(join(join(p, "columns"), j), "role"),
                    gettext_noop(
                        'role "%(role)s" is filled from a task list: the table needs rows_from'
                    ),
                    role=role,
                )
        return
    if m.get("rows_from") is None:
        return
    if table.by_role("task_code") is None:
        r.c.add(
            join(p, "columns"),
            gettext_noop('a table filled from "%(source)s" needs a column with role %(role)s'),
            source=table.rows_from.source,
            role="task_code",
        )
    for j, raw in enumerate(columns):
        if not isinstance(raw, dict) or raw.get("role") != "task_lead":
            continue
        column = table.by_role("task_lead")
        codes = {o.code for o in column.choices} if column is not None else set()
        missing = [c for c in TASK_LEAD_CODES if c not in codes]
        if column is not None and (column.type != "choice" or missing):
            r.c.add(
                join(join(join(p, "columns"), j), "choices"),
                gettext_noop("role task_lead needs type choice with the choices %(codes)s"),
                codes=", ".join(TASK_LEAD_CODES),
            )
    for key in ("phasing", "groups"):
        if m.get(key) is not None:
            r.c.add(
                join(p, key),
                gettext_noop("a table filled from a task list has no %(key)s"),
                key=key,
            )


def _column(r: Reader, state: _State, p: str, value: Any) -> Column | None:
    m = r.mapping(
        p,
        value,
        required=("code", "title", "type"),
        optional=("title_en", "required", "unit", "choices", "role", "year", "help"),
    )
    if m is None:
        return None
    code = r.code(join(p, "code"), m.get("code"), LOWER_CODE_RE)
    column_type = r.choice(join(p, "type"), m.get("type"), COLUMN_TYPES, what="type")
    choices: tuple[Option, ...] = ()
    if column_type in ("choice", "multichoice"):
        choices = read_options(r, join(p, "choices"), m.get("choices"))
    elif m.get("choices") is not None and column_type:
        r.c.add(join(p, "choices"), gettext_noop("only a choice column has choices"))
    role = ""
    if m.get("role") is not None:
        role = r.choice(join(p, "role"), m.get("role"), ROLES)
    year = None
    if m.get("year") is not None:
        year = r.integer(join(p, "year"), m.get("year"), minimum=1990, maximum=2100)
        if (
            year is not None
            and state.period
            and not (state.period.start <= year <= state.period.end)
        ):
            r.c.add(
                join(p, "year"),
                gettext_noop("%(year)s is outside the framework's period %(period)s"),
                year=year,
                period=state.period.label(),
            )
    if role in PER_YEAR_ROLES and year is None and m.get("year") is None:
        r.c.add(
            join(p, "year"), gettext_noop('role "%(role)s" needs the year it is for'), role=role
        )
    if role in MONEY_ROLES and column_type and column_type != "money":
        r.c.add(join(p, "type"), gettext_noop('role "%(role)s" needs type money'), role=role)
    if role in ("dossiers_online", "dossiers_total") and column_type and column_type != "integer":
        r.c.add(join(p, "type"), gettext_noop('role "%(role)s" needs type integer'), role=role)
    unit = r.text(join(p, "unit"), m.get("unit"), required=False, max_length=50)
    if column_type == "money" and not unit:
        unit = "triệu đồng"
    if not code or not column_type:
        return None
    return Column(
        code=code,
        title=r.text(join(p, "title"), m.get("title"), max_length=500),
        title_en=r.text(join(p, "title_en"), m.get("title_en"), required=False, max_length=500),
        type=column_type,
        required=r.boolean(join(p, "required"), m.get("required"), False),
        unit=unit if column_type in NUMERIC_COLUMN_TYPES or unit else "",
        choices=choices,
        role=role,
        year=year,
        help=r.text(join(p, "help"), m.get("help"), required=False),
    )


def _rules(r: Reader, state: _State, value: Any) -> list[Rule]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(r.listing("rules", value)):
        p = join("rules", i)
        m = r.mapping(
            p,
            item,
            required=("code", "check", "message"),
            optional=("importance", "missing"),
        )
        if m is None:
            continue
        code = r.code(join(p, "code"), m.get("code"))
        if code in seen:
            r.c.add(join(p, "code"), gettext_noop('duplicate rule code "%(code)s"'), code=code)
        seen.add(code)
        check = r.text(join(p, "check"), m.get("check"), max_length=2000)
        if check:
            try:
                parse_rule(check)
            except RuleSyntaxError as exc:
                r.c.add(
                    join(p, "check"),
                    gettext_noop("position %(position)s: %(reason)s"),
                    position=exc.position,
                    reason_template=exc.template,
                    reason_params=exc.params,
                )
        indicator_refs, table_refs = check_references(r, state, join(p, "check"), check)
        rules.append(
            Rule(
                code=code,
                check=check,
                message=r.text(join(p, "message"), m.get("message"), max_length=1000),
                importance=r.choice(
                    join(p, "importance"), m.get("importance") or "error", RULE_IMPORTANCE
                ),
                missing=r.choice(join(p, "missing"), m.get("missing") or "skip", RULE_MISSING),
                indicator_refs=tuple(indicator_refs),
                table_refs=tuple(table_refs),
            )
        )
    return rules


def check_references(r: Reader, state: _State, path: str, text: str) -> tuple[list[str], list[str]]:
    indicator_refs = INDICATOR_REF_RE.findall(text)
    table_refs = TABLE_REF_RE.findall(text)
    if text and not indicator_refs and not table_refs:
        r.c.add(
            path,
            gettext_noop(
                "the rule names no indicator #{…} and no table column @{…}: it checks nothing"
            ),
        )
    for ref in indicator_refs:
        code, options, part = split_indicator_ref(ref)
        indicator = state.used.get(code)
        if indicator is None:
            template = (
                gettext_noop("#{%(ref)s}: %(code)s is not an indicator of this framework")
                if code in state.catalogue.indicators
                else gettext_noop("#{%(ref)s}: %(code)s is not in the indicator catalogue")
            )
            r.c.add(path, template, ref=ref, code=code)
            continue
        if part and indicator.type != "ratio":
            r.c.add(path, gettext_noop("#{%(ref)s}: %(code)s is not a ratio"), ref=ref, code=code)
        if options:
            if len(options) != len(indicator.disaggregation):
                r.c.add(
                    path,
                    gettext_noop(
                        "#{%(ref)s}: %(code)s has %(n)s dimension(s), %(given)s option(s) given"
                    ),
                    ref=ref,
                    code=code,
                    n=len(indicator.disaggregation),
                    given=len(options),
                )
                continue
            asked = state.asked.get(code, ())
            for option, dimension in zip(options, indicator.disaggregation, strict=True):
                dimension_options = state.catalogue.dimensions[dimension].option_codes()
                if option not in dimension_options:
                    r.c.add(
                        path,
                        gettext_noop('#{%(ref)s}: "%(option)s" is not an option of %(dimension)s'),
                        ref=ref,
                        option=option,
                        dimension=dimension,
                    )
                elif any(o in dimension_options for o in asked) and option not in asked:
                    r.c.add(
                        path,
                        gettext_noop(
                            '#{%(ref)s}: "%(option)s" is not asked by this framework '
                            "(it asks %(asked)s)"
                        ),
                        ref=ref,
                        option=option,
                        asked=", ".join(o for o in asked if o in dimension_options),
                    )
    for ref in table_refs:
        table_code, _, column_code = ref.partition(".")
        table = state.tables.get(table_code.strip())
        if table is None:
            r.c.add(
                path,
                gettext_noop("@{%(ref)s}: there is no table %(table)s"),
                ref=ref,
                table=table_code,
            )
        elif column_code and table.column(column_code.strip()) is None:
            r.c.add(
                path,
                gettext_noop("@{%(ref)s}: table %(table)s has no column %(column)s"),
                ref=ref,
                table=table_code,
                column=column_code,
            )
    return indicator_refs, table_refs


__all__ = ["CODE_RE", "check_references", "parse_framework"]
