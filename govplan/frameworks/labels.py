"""Readable, translatable names for the framework format's vocabularies."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from govplan.core.frameworks.model import Framework

FUNDING_SOURCES = {
    "central_budget": _("Central budget"),
    "provincial_budget": _("Provincial budget"),
    "district_budget": _("District budget"),
    "commune_budget": _("Commune budget"),
    "oda": _("ODA"),
    "enterprise": _("Enterprises"),
    "other": _("Other sources"),
}
FUNDING_TYPES = {
    "capital": _("Capital investment"),
    "recurrent": _("Recurrent funds"),
}
DELIVERY = {
    "system": _("through GovPlan"),
    "email": _("by e-mail"),
    "post": _("by post"),
    "fax": _("by fax"),
    "hand": _("by hand"),
}
FREQUENCY = {
    "annual": _("annual"),
    "multi_year": _("multi-year"),
    "periodic": _("periodic"),
    "thematic": _("thematic"),
    "ad_hoc": _("ad hoc"),
}
FRAMEWORK_KINDS = {"plan": _("Plan"), "report": _("Report")}
VALUE_TYPES = {
    "integer": _("whole number"),
    "decimal": _("number"),
    "money": _("amount (million VND)"),
    "ratio": _("ratio"),
    "boolean": _("yes / no"),
    "date": _("date"),
    "text": _("text"),
    "choice": _("choice"),
    "longtext": _("long text"),
    "percent": _("percentage"),
    "year": _("year"),
    "year_range": _("years (from-to)"),
    "multichoice": _("several choices"),
    "url": _("web address"),
}
HOLDS = {
    "narrative": _("text"),
    "legal_basis": _("legal basis"),
    "indicators": _("indicators"),
    "targets": _("quantified targets"),
    "target_results": _("results against targets"),
    "tables": _("tables"),
    "budget": _("budget"),
}


def funding_source_title(spec: Framework | None, code: str) -> str:
    """A funding source as the framework names it (the standard ones by default): its
    Vietnamese title, or its English one where the page is in English and it has one."""
    declared = spec.funding_source(code) if spec is not None else None
    if declared is not None:
        if (get_language() or "vi").startswith("en") and declared.title_en:
            return declared.title_en
        return declared.title
    return str(FUNDING_SOURCES.get(code, code))


def funding_type_title(spec: Framework | None, code: str) -> str:
    """A funding type as the framework names it (the standard ones by default)."""
    return str(FUNDING_TYPES.get(code, code))
