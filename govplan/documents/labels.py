"""Names people recognise for the parts of a document and for why a version was saved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from govplan.core.documents import keys
from govplan.core.documents.cells import display_value
from govplan.core.documents.keys import BadKey, EntryKey
from govplan.core.documents.totals import WHOLE_PERIOD, split_phasing_key
from govplan.core.frameworks.model import Framework, Table
from govplan.documents.presentation import describe_cell
from govplan.frameworks import labels as vocab


def entry_label(
    spec: Framework,
    key: str,
    content: dict[str, Any],
    *,
    tables: Mapping[str, Table] | None = None,
) -> str:
    """The part's name; ``tables``: the framework's tables by code, when the caller labels
    many rows (finding a table walks every section of the framework)."""
    try:
        address = EntryKey.parse(key)
    except BadKey:
        return key
    kind, code = address.kind, address.code
    if kind == keys.NARRATIVE:
        return _("Text of section %(section)s") % {"section": code}
    if kind == keys.LEGAL:
        return _("Legal basis of section %(section)s") % {"section": code}
    if kind == keys.VALUE:
        indicator = spec.indicators.get(code)
        return indicator.name if indicator else code
    if kind == keys.ROW:
        table = tables.get(code) if tables is not None else spec.table(code)
        cells = content.get("cells", {})
        name = table.by_role("project_name") if table else None
        first = cells.get(name.code) if name else next(iter(cells.values()), "")
        return _("Row “%(name)s”") % {"name": first} if first else _("Row")
    if kind == keys.TARGET:
        indicator = spec.indicators.get(content.get("indicator", ""))
        return _("Target: %(name)s") % {
            "name": indicator.name if indicator else content.get("text", "")
        }
    if kind == keys.RESULT:
        return _("Result: %(name)s") % {"name": content.get("source", {}).get("text", "")}
    if kind == keys.BUDGET:
        return _("Budget line: %(name)s") % {"name": content.get("label", "")}
    return key


def reason_label(reason: str) -> str:
    if reason.startswith("restore r"):
        return _("restored version %(n)s") % {"n": reason.removeprefix("restore r")}
    return {
        "edit": _("edited"),
        "delete": _("deleted"),
        "move": _("moved"),
        "import": _("imported from Excel"),
        "carry-over": _("carried over from the previous cycle"),
        "consolidate": _("took the sub-units' sum"),
        "restore table": _("table put back to an earlier moment"),
    }.get(reason, reason)


def content_lines(spec: Framework, key: str, content: dict[str, Any]) -> list[tuple[str, str]]:
    """A saved version as label/value lines, for the history page."""
    try:
        address = EntryKey.parse(key)
    except BadKey:
        return []
    kind, code = address.kind, address.code
    lines: list[tuple[str, str]] = []
    if kind == keys.ROW:
        table = spec.table(code)
        if table is None:
            return lines
        cells = content.get("cells", {})
        for column in table.columns:
            if cells.get(column.code) not in (None, "", []):
                lines.append(
                    (
                        column.title,
                        display_value(column.type, cells[column.code], choices=column.choices),
                    )
                )
        group = next((g for g in table.groups if g.code == content.get("group")), None)
        if group is not None:
            lines.append((str(_("Group")), f"{group.number}. {group.title}"))
        for phasing_key, value in sorted(content.get("phasing", {}).items()):
            year, source, funding_type = split_phasing_key(phasing_key)
            label = " · ".join(
                (
                    str(year) if year != WHOLE_PERIOD else str(_("Whole period")),
                    vocab.funding_source_title(spec, source),
                    vocab.funding_type_title(spec, funding_type),
                )
            )
            lines.append((label, display_value("money", value)))
        return lines
    if kind == keys.VALUE:
        indicator = spec.indicators.get(code)
        if indicator is None:
            return lines
        titles = {o.code: o.title for d in spec.dimensions.values() for o in d.options}
        for cell_key, cell in content.get("cells", {}).items():
            label = (
                " × ".join(titles.get(part, part) for part in cell_key.split("|"))
                if cell_key
                else indicator.name
            )
            lines.append((label, describe_cell(indicator, cell, "vi")))
        if content.get("no_data") is True:
            lines.append((str(_("No data")), str(content.get("no_data_reason", ""))))
        if content.get("comment"):
            lines.append((_("Comment"), content["comment"]))
        return lines
    if kind == keys.LEGAL:
        legal = spec.legal
        for item in content.get("items", []):
            document = legal.get(item.get("code", ""))
            lines.append(
                ("", document.citation() if document else item.get("code") or item.get("text", ""))
            )
        return lines
    names = {
        "indicator": _("Indicator"),
        "text": _("Objective (in words)"),
        "baseline": _("Baseline"),
        "target": _("Target value"),
        "year": _("Target year"),
        "option": _("Option of the indicator"),
        "target_n": _("Target numerator"),
        "target_d": _("Target denominator"),
        "achieved": _("Achieved"),
        "status": _("Status"),
        "obstacles": _("Obstacles"),
        "label": _("Content"),
    }
    for field, value in content.items():
        if field in names and value not in (None, ""):
            lines.append((str(names[field]), str(value)))
    return lines
