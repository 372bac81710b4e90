"""Turning a framework into what a page shows: the blank form, readable problems."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govplan.core.documents.cells import format_number
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.figures import figures_for, unit_targets_for
from govplan.core.frameworks.model import AppliesTo, Framework, IndicatorUse, Section, Table
from govplan.core.frameworks.problems import Problem
from govplan.core.frameworks.visibility import asked_dimensions, split_parts
from govplan.frameworks import labels
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import Kind, OrgUnit


def problem_text(problem: Problem) -> str:
    """A problem in the user's language, with its place in the file (and the section it
    is in), how to put it right where the checker knows."""
    return problem.text(_)


def applies_label(applies: AppliesTo | None, units: dict[str, str]) -> str:
    if applies is None:
        return ""
    parts = [str(Kind(k).label) for k in applies.kinds]
    parts += [units.get(ref, ref) for ref in applies.units]
    return ", ".join(parts)


def _locale() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _number(value: Any, locale: str) -> str:
    return format_number(Decimal(str(value)), locale=locale) if value not in (None, "") else ""


def option_title(spec: Framework, indicator: Indicator, option: str) -> str:
    """A cell of a disaggregated indicator in words ("Mức độ 3")."""
    if not option:
        return ""
    titles = []
    for code, part in zip(indicator.disaggregation, option.split("|"), strict=False):
        dimension = spec.dimensions.get(code)
        options = dimension.options if dimension else ()
        titles.append(next((o.title for o in options if o.code == part), part))
    return " – ".join(titles)


def with_unit(value: Any, indicator: Indicator | None, locale: str) -> str:
    """A figure with its indicator's unit: "50 %", "831 dịch vụ"."""
    if value in (None, ""):
        return ""
    text = _number(value, locale)
    if indicator is None:
        return text
    unit = indicator.unit.strip() or ("%" if indicator.type == "ratio" else "")
    return f"{text} {unit}".strip()


def figure_lines(
    spec: Framework,
    code: str,
    locale: str,
    unit: tuple[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> list[str]:
    """What the letter states about an indicator, shown beside it: the national figure, the
    national minimum and, for ``unit`` (scheme, code), the target set for that unit; with
    ``names`` (the blank form), the targets set for every unit, named."""
    indicator = spec.indicators.get(code)
    if indicator is None:
        return []
    lines = []

    def where(option: str, year: int | None, label: str) -> str:
        bits = [b for b in (option_title(spec, indicator, option), str(year or "")) if b]
        text = f" ({', '.join(bits)})" if bits else ""
        return text + (f" – {label}" if label else "")

    for figure in figures_for(spec, code):
        if figure.value is not None:
            if figure.of is not None:
                shown = f"{_number(figure.value, locale)}/{_number(figure.of, locale)}"
                whole = Decimal(figure.of)
                own_unit = indicator.type == "ratio" and indicator.unit.strip() not in ("", "%")
                if whole and not own_unit:
                    percent = Decimal(figure.value) * 100 / whole
                    shown += f" ({format_number(percent, locale=locale, places=1)}%)"
                elif whole:  # a ratio in its own unit (computers per civil servant)
                    quotient = Decimal(figure.value) / whole
                    shown += f" ({format_number(quotient, locale=locale, places=2)} "
                    shown += f"{indicator.unit.strip()})"
            else:
                shown = with_unit(figure.value, indicator, locale)
            lines.append(
                _("National figure: %(value)s") % {"value": shown}
                + where(figure.option, figure.year, figure.label)
            )
        if figure.minimum is not None:
            lines.append(
                _("National minimum target: %(value)s")
                % {"value": with_unit(figure.minimum, indicator, locale)}
                + where(figure.option, figure.year, figure.label)
            )
    if names is not None:
        for target in spec.unit_targets:
            if target.indicator == code:
                lines.append(
                    _("Target set for %(units)s: %(value)s")
                    % {
                        "units": ", ".join(names.get(u, u) for u in target.units),
                        "value": with_unit(target.value, indicator, locale),
                    }
                    + where(target.option, target.year, target.label)
                )
    if unit is not None:
        for target in unit_targets_for(spec, *unit):
            if target.indicator == code:
                lines.append(
                    _("Target set for your unit: %(value)s")
                    % {"value": with_unit(target.value, indicator, locale)}
                    + where(target.option, target.year, target.label)
                )
    return lines


def _unit_names(spec: Framework, on_year: int) -> dict[str, str]:
    """Names for the units a framework names (as scheme:code), as they were in its period."""
    refs = set(spec.applies_to.units)
    refs.update(u for target in spec.unit_targets for u in target.units)
    for section in spec.walk():
        restricted = [section.applies_to, section.targets.applies_to if section.targets else None]
        restricted += [u.applies_to for u in section.indicators]
        restricted += [t.applies_to for t in section.tables]
        for applies in restricted:
            if applies:
                refs.update(applies.units)
    day = dt.date(on_year, 1, 1)
    names: dict[str, str] = {}
    for ref in refs:
        scheme, _sep, code = ref.partition(":")
        candidates = OrgUnit.objects.filter(scheme=scheme, code=code)
        unit = candidates.valid_on(day).first() or candidates.order_by("-valid_from").first()
        names[ref] = unit.name if unit else ref
    return names


def _indicator_block(spec: Framework, use: IndicatorUse, units: dict[str, str]) -> dict[str, Any]:
    """An indicator as the framework asks it: only the options it asks, and to whom."""
    indicator = spec.indicators[use.indicator]
    dims = asked_dimensions(spec, use)
    required, label = use.required, use.label
    block: dict[str, Any] = {
        "code": indicator.code,
        "applies": applies_label(use.applies_to, units),
        "name": label or indicator.name,
        "unit": indicator.unit,
        "type": indicator.type,
        "type_label": labels.VALUE_TYPES.get(indicator.type, indicator.type),
        "required": required,
        "definition": indicator.definition,
        "numerator": indicator.numerator.label if indicator.numerator else "",
        "denominator": indicator.denominator.label if indicator.denominator else "",
        "choices": [o.title for o in indicator.choices],
        "rows": [],
        "columns": [],
    }
    parts = split_parts(spec, use)
    if parts and use.split is not None:  # the whole unit's figure, then its units' at each level
        block["rows"] = [_("Whole unit")] + [o.title for o in parts]
        block["row_title"] = spec.dimensions[use.split.dimension].title
        block["split_applies"] = applies_label(use.split.applies_to, units)
    elif len(dims) == 1:
        block["rows"] = [o.title for o in dims[0].options]
        block["row_title"] = dims[0].title
    elif len(dims) >= 2:
        block["rows"] = [o.title for o in dims[0].options]
        block["row_title"] = dims[0].title
        block["columns"] = [o.title for o in dims[1].options]
        block["column_title"] = dims[1].title
    return block


def _table_block(spec: Framework, table: Table, units: dict[str, str]) -> dict[str, Any]:
    return {
        "code": table.code,
        "applies": applies_label(table.applies_to, units),
        "title": table.title,
        "numbered": table.numbered,
        "columns": [
            {
                "code": c.code,
                "title": c.title,
                "type_label": labels.VALUE_TYPES.get(c.type, c.type),
                "unit": c.unit,
                "required": c.required,
                "choices": [o.title for o in c.choices],
            }
            for c in table.columns
        ],
        "groups": [f"{g.number}. {g.title}" for g in table.groups],
        "phasing": {
            "years": spec.period.years(),
            "sources": [labels.funding_source_title(spec, s) for s in table.phasing.sources],
            "types": [labels.funding_type_title(spec, t) for t in table.phasing.types],
            "whole_period": table.phasing.whole_period,
        }
        if table.phasing
        else None,
    }


def _section_block(spec: Framework, section: Section, units: dict[str, str]) -> dict[str, Any]:
    return {
        "code": section.code,
        "number": section.number,
        "title": section.title,
        "depth": section.depth,
        "guidance": section.guidance,
        "required": section.required,
        "suggested": section.subsections == "suggested",
        "applies": applies_label(section.applies_to, units),
        "narrative": section.narrative,
        "legal_basis": None
        if section.legal_basis is None
        else [spec.legal[c].citation() for c in section.legal_basis if c in spec.legal],
        "indicators": [
            {
                **_indicator_block(spec, u, units),
                "figures": figure_lines(spec, u.indicator, _locale(), names=units),
            }
            for u in section.indicators
        ],
        "targets": None
        if section.targets is None
        else {
            "indicators": [spec.indicators[c].name for c in section.targets.indicators],
            "figures": [
                f"{spec.indicators[c].name}: {line}"
                for c in section.targets.indicators
                for line in figure_lines(spec, c, _locale(), names=units)
            ],
            "free_text": section.targets.free_text,
            "applies": applies_label(section.targets.applies_to, units),
            "year": spec.period.end,
        },
        "target_results": section.target_results,
        "tables": [_table_block(spec, t, units) for t in section.tables],
        "budget": None
        if section.budget is None
        else {
            "rows": section.budget.rows,
            "years": spec.period.years(),
            "sources": [labels.funding_source_title(spec, s) for s in section.budget.sources],
            "types": [labels.funding_type_title(spec, t) for t in section.budget.types],
            "whole_period": section.budget.whole_period,
            "reconcile": section.budget.reconcile,
        },
        "sections": [_section_block(spec, s, units) for s in section.sections],
    }


def delivery_label(spec: Framework) -> str:
    """How documents are sent, as the letter says ("" when it does not say)."""
    return ", ".join(str(labels.DELIVERY[d]) for d in spec.reporting.delivery)


def blank_form_context(version: FrameworkVersion) -> dict[str, Any]:
    spec = version.parsed()
    units = _unit_names(spec, spec.period.start)
    return {
        "version": version,
        "spec": spec,
        "kind_label": labels.FRAMEWORK_KINDS[spec.kind],
        "applies": applies_label(spec.applies_to, units),
        "delivery": delivery_label(spec),
        "frequency": labels.FREQUENCY[spec.reporting.frequency],
        "sections": [_section_block(spec, s, units) for s in spec.sections],
    }
