"""The closed vocabularies of the framework format (docs/frameworks.md)."""

from __future__ import annotations

from govplan.core.orgunit_reference import KINDS as ORG_KINDS
from govplan.core.orgunit_reference import SCHEMES as ORG_SCHEMES

FRAMEWORK_FORMAT = "govplan/framework@1"
CATALOGUE_FORMAT = "govplan/indicators@1"
LEGAL_FORMAT = "govplan/legal@1"

FRAMEWORK_KINDS = ("plan", "report")
VALUE_TYPES = ("integer", "decimal", "money", "ratio", "boolean", "date", "text", "choice")
NUMERIC_VALUE_TYPES = ("integer", "decimal", "money", "ratio")
COLUMN_TYPES = (
    "text",
    "longtext",
    "integer",
    "decimal",
    "money",
    "percent",
    "year",
    "year_range",
    "date",
    "boolean",
    "choice",
    "multichoice",
    "url",
)
NUMERIC_COLUMN_TYPES = ("integer", "decimal", "money", "percent")
ROLES = (
    "project_name",
    "lead_unit",
    "application_field",
    "project_status",
    "objective",
    "scale",
    "scope",
    "duration",
    "year_content",
    "total_investment",
    "funding_source",
    "funding_type",
    "year_amount",
    "service_name",
    "service_level",
    "dossiers_online",
    "dossiers_total",
    "url",
    "legal_basis",
    "system_name",
    "notes",
    # Filled from a row source (``rows_from``), read-only to the agency (SOURCE_ROLES).
    "task_code",
    "task_content",
    "task_deadline",
    "task_lead",
)
PER_YEAR_ROLES = ("year_amount", "year_content")
MONEY_ROLES = ("total_investment", "year_amount")

# Where a table's rows may come from (``rows_from: {source: …}``), and the roles of the
# columns each source fills (read-only to the agency). A closed list: each is provided by an
# app above documents (documents.row_sources), which the checker in the core cannot ask.
ROW_SOURCES = ("programme_tasks",)
SOURCE_ROLES: dict[str, tuple[str, ...]] = {
    "programme_tasks": ("task_code", "task_content", "task_deadline", "task_lead"),
}
# The codes a task_lead column's choices must have: the unit leads the task, co-operates in
# it, or the task is no longer assigned to it (kept, flagged, never deleted).
TASK_LEAD_CODES = ("lead", "co", "removed")

FUNDING_SOURCES = (
    "central_budget",
    "provincial_budget",
    "district_budget",
    "commune_budget",
    "oda",
    "enterprise",
    "other",
)
FUNDING_TYPES = ("capital", "recurrent")
BUDGET_ROWS = ("content", "projects")

DELIVERY_METHODS = ("system", "email", "post", "fax", "hand")
FREQUENCIES = ("annual", "multi_year", "periodic", "thematic", "ad_hoc")
RULE_IMPORTANCE = ("error", "warning")
RULE_MISSING = ("skip", "zero")
LEGAL_TYPES = (
    "law",
    "resolution",
    "decree",
    "decision",
    "directive",
    "circular",
    "letter",
    "plan",
    "other",
)

__all__ = ["ORG_KINDS", "ORG_SCHEMES"]
