"""What each field of an entry shows, by the path the editor page sends it under: after a
save the page shows these, and a field put back to its saved value (Escape) takes its text
from here. Formatted exactly as the page (documents.presentation) formats it."""

from __future__ import annotations

from typing import Any

from govplan.core.documents import keys
from govplan.core.documents.cells import display_value
from govplan.core.documents.keys import EntryKey
from govplan.core.documents.values import cell_keys
from govplan.core.documents.view import cells_of
from govplan.core.frameworks.model import Framework
from govplan.documents.presentation import cell_display, result_row, target_row
from govplan.documents.read import result_of, target_of


def entry_fields(spec: Framework, key: str, content: dict[str, Any], locale: str) -> dict[str, str]:
    """What each field of an entry shows for ``content``, by the path the page sends it under
    ("cells.total", "cells..n", "phasing.2027|oda|capital", "baseline" …), exactly as the
    page renders it: after a save the page shows these, and a field put back to its saved
    value (Escape) takes its text from here. Narrative and legal entries have none."""
    address = EntryKey.parse(key)
    kind = address.kind
    fields: dict[str, str] = {}
    if kind == keys.VALUE:
        indicator = spec.indicators[address.code]
        cells = cells_of(content.get("cells", {}))
        for cell_key in cell_keys(indicator, spec.dimensions):
            cell = cell_display(indicator, cell_key, cells, None, locale)
            if indicator.type == "ratio":
                fields[f"cells.{cell_key}.n"] = cell["n"]
                fields[f"cells.{cell_key}.d"] = cell["d"]
            else:
                value = cell["value"]
                # A yes/no indicator is a select whose options are "1" and "0".
                fields[f"cells.{cell_key}"] = (
                    ("1" if value else "0") if isinstance(value, bool) else str(value)
                )
        fields["comment"] = content.get("comment", "")
        if content.get("no_data") is True:  # a field missing here shows empty
            fields["no_data"] = "1"
            fields["no_data_reason"] = str(content.get("no_data_reason", ""))
    elif kind == keys.ROW:
        table = spec.table(address.code)
        if table is not None:
            cells = content.get("cells", {})
            for column in table.columns:
                fields[f"cells.{column.code}"] = display_value(
                    column.type, cells.get(column.code), choices=column.choices, locale=locale
                )
            if table.groups:
                fields["group"] = content.get("group", "")
    elif kind == keys.TARGET:
        row = target_row(spec, target_of(key, 0, content), locale)
        for name in ("indicator", "text", "baseline", "target", "year", "option"):
            fields[name] = str(row[name])
        for name in ("target_n", "target_d"):
            fields[name] = str(row[name])
    elif kind == keys.RESULT:
        result = result_row(result_of(key, 0, content), locale)
        for name in ("text", "achieved", "status", "obstacles"):
            fields[name] = str(result[name])
    elif kind == keys.BUDGET:
        fields["label"] = content.get("label", "")
    if kind in (keys.ROW, keys.BUDGET):
        for phasing, value in content.get("phasing", {}).items():
            fields[f"phasing.{phasing}"] = display_value("money", value, locale=locale)
    return fields
