"""Formatting helpers for Vietnamese administrative use."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def number(value: Any, decimals: int | None = None) -> str:
    """1234.5 → "1.234,5" in Vietnamese, "1,234.5" in English; blank stays blank."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = decimal.Decimal(value)
        except decimal.InvalidOperation:
            return str(value)
    return str(formats.number_format(value, decimal_pos=decimals, force_grouping=True))


@register.filter
def validity(unit: Any) -> str:
    """ "01/07/2025 – nay" style span of a unit's validity."""
    from django.utils.translation import gettext as _

    start = formats.date_format(unit.valid_from, "SHORT_DATE_FORMAT") if unit.valid_from else "…"
    end = formats.date_format(unit.valid_to, "SHORT_DATE_FORMAT") if unit.valid_to else _("present")
    return f"{start} – {end}"


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value if not isinstance(value, dt.date) else value.isoformat()
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
