"""The comparison a pilot's page and its XLSX show: the year and layer asked in the query
string (ComparisonForm), the pilot's units and indicators."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from govplan.accounts.types import AnyUser
from govplan.facts.models import Layer
from govplan.frameworks.models import Indicator
from govplan.pilots.comparison import Table, compare_pilot
from govplan.pilots.forms import ComparisonForm
from govplan.pilots.models import Designation, Pilot


def selected_comparison(
    user: AnyUser, pilot: Pilot, designations: list[Designation], query: QueryDict
) -> tuple[ComparisonForm, list[Indicator], Table]:
    selection = ComparisonForm(query or None)
    asked: dict[str, Any] = selection.cleaned_data if selection.is_valid() else {}
    indicators = list(pilot.indicators.order_by("code"))
    table = compare_pilot(
        user,
        [d.unit for d in designations],
        indicators,
        year=asked.get("year"),
        layer=asked.get("layer") or Layer.APPROVED,
    )
    return selection, indicators, table
