"""Last cycle's framework as the starting text of the next cycle's draft."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from govplan.core.frameworks.yamlsafe import dump_text, load_text

# Only the words move on; codes stay, so indicators, legal documents and units still resolve.
TEXT_KEYS = frozenset(
    {"title", "title_en", "document_title", "guidance", "message", "procedure", "label", "help"}
)
_YEAR_PATTERN = r"(?<![\d/.\-]){year}(?![\d/])"


def _shift_text(text: str, years: list[int], delta: int) -> str:
    # From the latest year down, so that 2018→2019 is not then taken for 2019→2020.
    for year in sorted(years, reverse=True):
        text = re.sub(_YEAR_PATTERN.format(year=year), str(year + delta), text)
    return text


def shift_years(data: Any, years: list[int], delta: int, *, in_text: bool = False) -> Any:
    """Move the period's years forward in the texts of a framework document, leaving codes,
    dates and document numbers (10/4/2018, 13/2018/TT-BTTTT) alone."""
    if isinstance(data, dict):
        return {k: shift_years(v, years, delta, in_text=k in TEXT_KEYS) for k, v in data.items()}
    if isinstance(data, list):
        return [shift_years(v, years, delta, in_text=in_text) for v in data]
    if isinstance(data, str) and in_text:
        return _shift_text(data, years, delta)
    return data


def _shift_date(value: Any, delta: int) -> Any:
    if not value:
        return value
    day = dt.date.fromisoformat(str(value))
    try:
        return day.replace(year=day.year + delta).isoformat()
    except ValueError:  # 29 February
        return day.replace(year=day.year + delta, day=28).isoformat()


def _walk_sections(sections: list[Any]) -> Iterable[dict[str, Any]]:
    for section in sections:
        if isinstance(section, dict):
            yield section
            yield from _walk_sections(section.get("sections", []) or [])


def clone_document(source_text: str, *, new_code: str, delta: int) -> str:
    """Last cycle's framework as the text of a draft for the next one: new code, the years
    moved on (period, deadline, cut-off, per-year columns, texts), following the old one."""
    data = load_text(source_text)
    old_code = data["code"]
    years = list(range(int(data["period"]["from"]), int(data["period"]["to"]) + 1))
    data = shift_years(data, years, delta)
    data["code"] = new_code
    data["follows"] = old_code
    data["period"] = {"from": years[0] + delta, "to": years[-1] + delta}
    reporting = data.get("reporting", {})
    deadline = reporting.get("deadline")
    if isinstance(deadline, dict):  # {before: …}
        reporting["deadline"] = {k: _shift_date(v, delta) for k, v in deadline.items()}
    elif deadline:
        reporting["deadline"] = _shift_date(deadline, delta)
    if isinstance(reporting.get("cutoff"), dict):
        reporting["cutoff"] = {k: _shift_date(v, delta) for k, v in reporting["cutoff"].items()}
    renamed: dict[str, str] = {}  # "table.old_column" -> "table.new_column"
    for section in _walk_sections(data.get("sections", [])):
        for table in section.get("tables", []) or []:
            for column in table.get("columns", []) or []:
                if isinstance(column.get("year"), int):
                    column["year"] += delta
                    new = _shift_text(str(column["code"]), years, delta).replace("-", "_")
                    if new != column["code"]:
                        renamed[f"{table['code']}.{column['code']}"] = f"{table['code']}.{new}"
                        column["code"] = new
    # The figures the letter set keep their values (the next letter restates or changes
    # them); the years they are set for move on with the period.
    for figure in [*(data.get("national") or []), *(data.get("unit_targets") or [])]:
        if isinstance(figure, dict) and isinstance(figure.get("year"), int):
            figure["year"] += delta
    for rule in data.get("rules", []) or []:
        for old, new in renamed.items():
            rule["check"] = rule["check"].replace(f"@{{{old}}}", f"@{{{new}}}")
    return dump_text(data)
