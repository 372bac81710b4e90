"""The checks every framework gets, on a document's read model: required parts filled,
targets measurable and within the period, table totals consistent with their parts, no
negative counts or money, no ratio part above its whole."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from govplan.core.documents import keys as keys_module
from govplan.core.documents.cells import format_number
from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.documents.totals import (
    WHOLE_PERIOD,
    phasing_by,
    phasing_key,
    row_phasing_total,
    split_phasing_key,
    table_phasing_totals,
)
from govplan.core.documents.view import DocumentView
from govplan.core.frameworks.visibility import split_parts
from govplan.documents.labels import entry_label
from govplan.documents.presentation import input_locale
from govplan.frameworks import labels
from govplan.workflow.validation.data import number
from govplan.workflow.validation.findings import ERROR, WARNING, Finding


def required(view: DocumentView) -> list[Finding]:
    """Every required part of the sections the unit sees is filled."""
    findings = []
    for item in view.sections:
        section = item.section
        if not section.required:
            continue
        where = f"{section.number}. {section.title}"
        if section.subsections == "suggested" and not view.suggestions_written(section):
            findings.append(
                Finding(
                    f"required:suggested:{section.code}",
                    ERROR,
                    _(
                        "Section %(section)s: write at least one of its suggested "
                        "sub-sections (those that apply to you)."
                    )
                    % {"section": where},
                    section.code,
                )
            )
        if section.narrative and not (item.narrative and item.narrative.has_text):
            findings.append(
                Finding(
                    f"required:narrative:{section.code}",
                    ERROR,
                    _("Section %(section)s has no text yet.") % {"section": where},
                    section.code,
                    str(EntryKey.narrative(section.code)),
                )
            )
        if section.legal_basis is not None and not (item.legal and item.legal.items):
            findings.append(
                Finding(
                    f"required:legal:{section.code}",
                    ERROR,
                    _("Section %(section)s cites no legal basis.") % {"section": where},
                    section.code,
                    str(EntryKey.legal(section.code)),
                )
            )
        for value in item.indicators:
            use, indicator = value.use, value.indicator
            if not use.required:
                continue
            if not value.answered:
                findings.append(
                    Finding(
                        f"required:value:{use.indicator}",
                        ERROR,
                        _("“%(name)s” has no value.") % {"name": use.label or indicator.name},
                        section.code,
                        str(EntryKey.value(use.indicator)),
                    )
                )
        for table in section.tables:
            if not view.table_rows.get(table.code):
                findings.append(
                    Finding(
                        f"required:table:{table.code}",
                        ERROR,
                        _("The table “%(table)s” has no row.") % {"table": table.title},
                        section.code,
                        str(Collection.table(table.code)),
                    )
                )
        if section.targets is not None:
            rows = view.target_rows.get(section.code, ())
            measurable = [r for r in rows if r.indicator]
            if not measurable:
                findings.append(
                    Finding(
                        f"targets:quantified:{section.code}",
                        ERROR,
                        _(
                            "Section %(section)s has no quantified target: "
                            "targets must be clear and measurable."
                        )
                        % {"section": where},
                        section.code,
                    )
                )
    return findings


def targets(view: DocumentView) -> list[Finding]:
    """Targets measurable and within the period."""
    spec = view.spec
    findings = []
    years = spec.period.years()
    for section in spec.walk():
        if section.targets is None:
            continue
        for row in view.target_rows.get(section.code, ()):
            label = entry_label(spec, row.key, {"indicator": row.indicator, "text": row.text})
            if not row.indicator:
                findings.append(
                    Finding(
                        f"targets:text:{row.key}",
                        WARNING,
                        _("%(target)s is written in words only: it cannot be measured.")
                        % {"target": label},
                        section.code,
                        row.key,
                        label,
                        field="indicator",
                    )
                )
            year = row.year
            if year is not None and year not in years:
                findings.append(
                    Finding(
                        f"targets:year:{row.key}",
                        ERROR,
                        _("%(target)s: %(year)s is outside the period %(period)s.")
                        % {"target": label, "year": year, "period": spec.period.label()},
                        section.code,
                        row.key,
                        label,
                        field="year",
                    )
                )
    return findings


def tables(view: DocumentView) -> list[Finding]:
    """Totals consistent with their parts; money and counts not negative."""
    spec = view.spec
    findings = []
    for section, table in spec.tables():
        total_column = table.by_role("total_investment")
        for row in view.table_rows.get(table.code, ()):
            cells, phasing = row.cells, row.phasing
            label = entry_label(spec, row.key, {"cells": cells})
            if table.groups and row.group not in {g.code for g in table.groups}:
                findings.append(
                    Finding(
                        f"group:{row.key}",
                        ERROR,
                        _("%(row)s is in no group of the table “%(table)s”: choose its group.")
                        % {"row": label, "table": table.title},
                        section.code,
                        row.key,
                        label,
                        field="group",
                    )
                )
            for column in table.columns:
                value = (
                    number(cells.get(column.code))
                    if column.type in ("integer", "money", "decimal")
                    else None
                )
                if value is not None and value < 0 and column.type in ("integer", "money"):
                    findings.append(
                        Finding(
                            f"negative:{row.key}:{column.code}",
                            ERROR,
                            _("%(row)s, %(column)s: must not be negative.")
                            % {"row": label, "column": column.title},
                            section.code,
                            row.key,
                            label,
                            field=column.code,
                        )
                    )
            if table.phasing is None or not phasing:
                continue
            by_year = phasing_by(phasing, "year")
            for year, amount in by_year.items():
                year_column = table.by_role("year_amount", year)
                if year_column is None:
                    continue
                stated = number(cells.get(year_column.code))
                if stated is not None and stated != amount:
                    findings.append(
                        Finding(
                            f"total:year:{row.key}:{year}",
                            ERROR,
                            _(
                                "%(row)s: %(column)s is %(stated)s "
                                "but its phasing for %(year)s adds up to %(sum)s."
                            )
                            % {
                                "row": label,
                                "column": year_column.title,
                                "stated": stated,
                                "year": year,
                                "sum": amount,
                            },
                            section.code,
                            row.key,
                            label,
                            field=year_column.code,
                        )
                    )
            total = number(cells.get(total_column.code)) if total_column else None
            phased = row_phasing_total(phasing)
            if total is not None and phased > total:
                findings.append(
                    Finding(
                        f"total:investment:{row.key}",
                        ERROR,
                        _(
                            "%(row)s: the phased budget (%(phased)s) "
                            "is more than the total investment (%(total)s)."
                        )
                        % {"row": label, "phased": phased, "total": total},
                        section.code,
                        row.key,
                        label,
                        field=total_column.code if total_column else None,
                    )
                )
    return findings


def values(view: DocumentView) -> list[Finding]:
    """Ratios whose part exceeds the whole, negative counts and money."""
    findings = []
    for code, entry in view.values.items():
        key = entry.key
        indicator = view.spec.indicators.get(code)
        if indicator is None:
            continue
        for cell_key, cell in entry.cells.items():
            n, d, v = number(cell.n), number(cell.d), number(cell.value)
            if (
                indicator.type == "ratio"
                and indicator.share
                and n is not None
                and d is not None
                and n > d
            ):
                findings.append(
                    Finding(
                        f"ratio:{key}:{cell_key}",
                        ERROR,
                        _("“%(name)s”: the numerator %(n)s is more than the denominator %(d)s.")
                        % {"name": indicator.name, "n": n, "d": d},
                        entry.section,
                        key,
                        indicator.name,
                        field=cell_key,
                    )
                )
            if indicator.type in ("integer", "money") and v is not None and v < 0:
                findings.append(
                    Finding(
                        f"negative:{key}:{cell_key}",
                        ERROR,
                        _("“%(name)s” must not be negative.") % {"name": indicator.name},
                        entry.section,
                        key,
                        indicator.name,
                        field=cell_key,
                    )
                )
    return findings


def budgets(view: DocumentView) -> list[Finding]:
    """A typed budget the framework reconciles (``reconcile``) against the projects' phasing:
    each year × source × type where they differ, with both figures; where either side gives
    a source and type for the whole period, their totals over the period are compared."""
    spec = view.spec
    locale = input_locale()
    findings = []
    projects = table_phasing_totals(
        row.phasing
        for _section, table in spec.tables()
        if table.phasing is not None
        for row in view.table_rows.get(table.code, ())
    )
    for item in view.sections:
        section, budget = item.section, item.section.budget
        if budget is None or not budget.reconcile or item.budget is None:
            continue
        typed = table_phasing_totals(row.phasing for row in item.budget.rows)
        pairs = {split_phasing_key(k)[1:] for k in (*typed, *projects)}
        for source, funding_type in sorted(pairs):
            keys = [phasing_key(y, source, funding_type) for y in spec.period.years()]
            whole = phasing_key(WHOLE_PERIOD, source, funding_type)
            if whole in typed or whole in projects:
                compared = [(whole, [*keys, whole])]
            else:
                compared = [(key, [key]) for key in keys]
            for shown, summed in compared:
                stated = sum((typed.get(k, Decimal(0)) for k in summed), Decimal(0))
                phased = sum((projects.get(k, Decimal(0)) for k in summed), Decimal(0))
                if stated == phased:
                    continue
                year = split_phasing_key(shown)[0]
                where = " · ".join(
                    (
                        str(year) if year != WHOLE_PERIOD else spec.period.label(),
                        labels.funding_source_title(spec, source),
                        labels.funding_type_title(spec, funding_type),
                    )
                )
                findings.append(
                    Finding(
                        f"budget:reconcile:{section.code}:{shown}",
                        budget.reconcile,
                        _(
                            "Section %(section)s, %(where)s: the budget states %(stated)s "
                            "million VND but the projects' phasing adds up to %(phased)s."
                        )
                        % {
                            "section": f"{section.number}. {section.title}",
                            "where": where,
                            "stated": format_number(stated, locale=locale),
                            "phased": format_number(phased, locale=locale),
                        },
                        section.code,
                        str(Collection(keys_module.BUDGET, section.code)),
                    )
                )
    return findings


def split_figures(view: DocumentView) -> list[Finding]:
    """A split figure's parts (its units' at each level) do not add up to more than the
    whole unit's: counts and amounts, and each part of a ratio (computers, civil servants)."""
    findings = []
    for item in view.sections:
        for value in item.indicators:
            parts = split_parts(view.spec, value.use)
            whole = value.cells.get("")
            if not parts or whole is None:
                continue
            cells = [value.cells[p.code] for p in parts if p.code in value.cells]
            for part, label in (("value", ""), ("n", "numerator"), ("d", "denominator")):
                limit = number(getattr(whole, part))
                found = [number(getattr(c, part)) for c in cells]
                total = sum((f for f in found if f is not None), Decimal(0))
                if limit is None or total <= limit:
                    continue
                findings.append(
                    Finding(
                        f"split:{value.key}:{part}",
                        ERROR,
                        _(
                            "“%(name)s”: the figures by level add up to %(total)s, more than "
                            "the whole unit's %(whole)s."
                        )
                        % {
                            "name": value.name + (f" ({label})" if label else ""),
                            "total": total,
                            "whole": limit,
                        },
                        item.section.code,
                        value.key,
                        value.name,
                        field="",
                    )
                )
    return findings
