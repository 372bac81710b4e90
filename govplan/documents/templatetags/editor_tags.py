"""The editor page's large parts written once and compactly: a table's rows as data for
editor.js to draw (a 300-row plan was 0.9 MB of repeated markup and most of the page's
rendering time), and the JSON written so that Vietnamese text stays UTF-8."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from govplan.documents.presentation import grid_rows, script_json

__all__ = ["grid_data", "grid_rows", "script_json"]

register = template.Library()


@register.simple_tag
def grid_data(table: dict[str, Any]) -> SafeString:
    """The table's rows as a JSON <script> element that editor.js draws from (written once
    per table and cached by ``presentation.page_table_block``: ``grid_json``)."""
    data = table.get("grid_json")
    return format_html(
        '<script type="application/json" class="grid-data">{}</script>',
        mark_safe(
            data if data is not None else script_json(grid_rows(table))
        ),  # escaped by script_json
    )
