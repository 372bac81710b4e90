"""Turning a framework into what a page shows: the blank form, readable problems."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from govplan.core.frameworks.model import AppliesTo, Framework, IndicatorUse, Section, Table
from govplan.core.frameworks.problems import Problem
from govplan.core.frameworks.visibility import asked_dimensions, split_parts
from govplan.frameworks import labels
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import Kind, OrgUnit


def problem_text(problem: Problem) -> str:
    """A problem in the user's language, with its place in the file."""
    message = (
        _(problem.template) % problem.flat_params(_) if problem.params else _(problem.template)
    )
    return f"{problem.path}: {message}" if problem.path else message


def applies_label(applies: AppliesTo | None, units: dict[str, str]) -> str:
    if applies is None:
        return ""
    parts = [str(Kind(k).label) for k in applies.kinds]
    parts += [units.get(ref, ref) for ref in applies.units]
    return ", ".join(parts)


def _unit_names(spec: Framework, on_year: int) -> dict[str, str]:
    """Names for the units a framework names (as scheme:code), as they were in its period."""
    refs = set(spec.applies_to.units)
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
                "title": c.title,
                "type_label": labels.VALUE_TYPES.get(c.type, c.type),
                "unit": c.unit,
                "required": c.required,
                "choices": [o.title for o in c.choices],
            }
            for c in table.columns
        ],
        "phasing": {
            "years": spec.period.years(),
            "sources": [labels.FUNDING_SOURCES[s] for s in table.phasing.sources],
            "types": [labels.FUNDING_TYPES[t] for t in table.phasing.types],
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
        "indicators": [_indicator_block(spec, u, units) for u in section.indicators],
        "targets": None
        if section.targets is None
        else {
            "indicators": [spec.indicators[c].name for c in section.targets.indicators],
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
            "sources": [labels.FUNDING_SOURCES[s] for s in section.budget.sources],
            "types": [labels.FUNDING_TYPES[t] for t in section.budget.types],
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
