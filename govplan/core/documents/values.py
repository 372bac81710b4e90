"""Indicator values as a document holds them: one value per cell of the indicator's
disaggregation, ratios as numerator and denominator, each checked by type.

Content of an indicator's entry::

    {"cells": {"": {"v": "12"}}, "comment": "…"}                       # plain value
    {"cells": {"M3": {"v": "40"}, "M4": {"v": "12"}}}                   # by one dimension
    {"cells": {"NOI_BO|HOAN_TOAN": {"n": "218", "d": "230"}, …}}       # ratio, two dimensions
    {"cells": {}, "no_data": True, "no_data_reason": "…"}              # "không có số liệu"

A value marked "no data" is an answer (it no longer blocks submission) that holds no figure:
it adds nothing to a sum and is counted as missing, never as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from govplan.core.documents.cells import (
    CellError,
    CellValueError,
    canonical_decimal,
    is_blank,
    parse_boolean,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_money,
    parse_text,
)
from govplan.core.frameworks.catalogue import Dimension, Indicator
from govplan.core.i18n import gettext_noop

CELL_SEPARATOR = "|"


def cell_keys(indicator: Indicator, dimensions: dict[str, Dimension]) -> list[str]:
    """The cells an indicator asks for: "" without disaggregation, else option codes joined
    by "|" in the order of the indicator's dimensions."""
    combos: list[tuple[str, ...]] = [()]
    for code in indicator.disaggregation:
        combos = [(*c, o.code) for c in combos for o in dimensions[code].options]
    return [CELL_SEPARATOR.join(c) for c in combos]


@dataclass
class ParsedValue:
    content: dict[str, Any]
    errors: dict[str, CellError] = field(default_factory=dict)  # "cell" or "cell.n" -> why

    @property
    def ok(self) -> bool:
        return not self.errors


def _scalar(indicator: Indicator, raw: Any, locale: str) -> Any:
    kind = indicator.type
    if kind == "integer":
        minimum = int(indicator.minimum) if indicator.minimum is not None else None
        return parse_integer(raw, locale=locale, minimum=minimum)
    if kind == "decimal":
        return parse_decimal(
            raw, locale=locale, minimum=indicator.minimum, maximum=indicator.maximum
        )
    if kind == "money":
        return parse_money(raw, locale=locale)
    if kind == "boolean":
        return parse_boolean(raw)
    if kind == "date":
        return parse_date(raw)
    if kind == "choice":
        return parse_choice(raw, indicator.choices)
    return parse_text(raw)


def parse_indicator_value(
    indicator: Indicator,
    dimensions: dict[str, Dimension],
    raw_cells: dict[str, Any],
    *,
    comment: Any = "",
    no_data: Any = None,
    no_data_reason: Any = "",
    locale: str = "vi",
    split_cells: tuple[str, ...] = (),
) -> ParsedValue:
    """Check what was typed for an indicator; every cell's problem is reported at once.

    ``raw_cells`` maps a cell key to the raw value, or for a ratio to ``{"n": …, "d": …}``.
    Unknown cell keys are refused (a form or an import naming a cell that does not exist).
    ``no_data`` marks the value "không có số liệu": it then needs ``no_data_reason``, and the
    cells are dropped (the agency has no figure to give).
    ``split_cells`` are the further cells of a split figure (its units' at each level).
    """
    allowed = set(cell_keys(indicator, dimensions)) | set(split_cells)
    result = ParsedValue(content={"cells": {}})
    for key, raw in raw_cells.items():
        if key not in allowed:
            result.errors[key] = CellError(gettext_noop("no such cell: %(cell)s"), {"cell": key})
            continue
        if indicator.type == "ratio":
            parts = raw if isinstance(raw, dict) else {}
            cell: dict[str, str] = {}
            for part in ("n", "d"):
                if is_blank(parts.get(part)):
                    continue
                try:
                    cell[part] = parse_decimal(parts[part], locale=locale, minimum=0)
                except CellValueError as exc:
                    result.errors[f"{key}.{part}"] = exc.error
            if "n" in cell and "d" in cell:
                numerator, denominator = Decimal(cell["n"]), Decimal(cell["d"])
                if denominator == 0 and numerator != 0:
                    result.errors[f"{key}.d"] = CellError(
                        gettext_noop("the denominator is 0 but the numerator is not"), {}
                    )
                elif indicator.share and numerator > denominator:
                    result.errors[f"{key}.n"] = CellError(
                        gettext_noop(
                            "%(numerator)s is more than %(denominator)s: the numerator is a "
                            "part of the denominator"
                        ),
                        {"numerator": cell["n"], "denominator": cell["d"]},
                    )
            if cell:
                result.content["cells"][key] = cell
            continue
        if is_blank(raw):
            continue
        try:
            value = _scalar(indicator, raw, locale)
        except CellValueError as exc:
            result.errors[key] = exc.error
            continue
        result.content["cells"][key] = {"v": value}
    if not is_blank(comment):
        try:
            result.content["comment"] = parse_text(comment, limit=2000)
        except CellValueError as exc:
            result.errors["comment"] = exc.error
    if is_no_data_mark(no_data):
        try:
            sent = no_data_reason if isinstance(no_data_reason, str) else ""
            reason = parse_text(sent, limit=2000)
        except CellValueError as exc:
            result.errors["no_data_reason"] = exc.error
            return result
        if not reason:
            result.errors["no_data_reason"] = CellError(
                gettext_noop("say why there is no data: the reason is required"), {}
            )
            return result
        result.content["cells"] = {}
        result.content["no_data"] = True
        result.content["no_data_reason"] = reason
        for key in [k for k in result.errors if k not in ("comment", "no_data_reason")]:
            del result.errors[key]  # the figures are dropped: what they held does not matter
    elif not is_blank(no_data) and no_data not in (False, "0", "false", "off"):
        result.errors["no_data"] = CellError(gettext_noop("must be yes or no"), {})
    return result


def is_no_data_mark(raw: Any) -> bool:
    """Whether what was sent marks a value "no data" (a checkbox's "1"/"on", true)."""
    return raw is True or (isinstance(raw, str) and raw.strip().lower() in ("1", "on", "true"))


def is_no_data(content: Mapping[str, Any]) -> bool:
    """A stored value marked "không có số liệu" (with its reason)."""
    return content.get("no_data") is True


def ratio_percent(cell: dict[str, Any]) -> Decimal | None:
    """The percentage a ratio cell stands for (218 of 230 → 94.78…), or None."""
    if "n" not in cell or "d" not in cell:
        return None
    denominator = Decimal(str(cell["d"]))
    if denominator == 0:
        return None
    return Decimal(str(cell["n"])) * 100 / denominator


def is_filled(indicator: Indicator, content: dict[str, Any]) -> bool:
    """Whether the value holds a figure (a value marked "no data" does not)."""
    cells = content.get("cells", {})
    if not cells:
        return False
    if indicator.type == "ratio":
        return any("n" in c and "d" in c for c in cells.values())
    return True


def is_answered(indicator: Indicator, content: dict[str, Any]) -> bool:
    """Filled, or marked "no data" with its reason: what completeness and submission ask."""
    return is_filled(indicator, content) or is_no_data(content)


def _stored_number(raw: Any) -> Decimal | None:
    """A stored part as a finite number, or None. Values are checked when written; one
    stored before those checks (a text, NaN) is left out of a sum rather than making the
    whole total unreadable."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def sum_values(indicator: Indicator, contents: list[dict[str, Any]]) -> dict[str, Any]:
    """Consolidate sub-units' values: numbers add up per cell; a ratio's numerators and
    denominators add up separately (the national ratio is a sum over a sum, never a mean of
    percentages). Texts, dates and choices do not add up and are left out. A value marked
    "no data" adds nothing (it is missing, never zero)."""
    if indicator.type not in ("integer", "decimal", "money", "ratio"):
        return {"cells": {}}
    totals: dict[str, dict[str, Decimal]] = {}
    for content in contents:
        if is_no_data(content):
            continue
        for key, cell in content.get("cells", {}).items():
            bucket = totals.setdefault(key, {})
            for part in ("v", "n", "d"):
                amount = _stored_number(cell.get(part))
                if amount is not None:
                    bucket[part] = bucket.get(part, Decimal(0)) + amount
    return {
        "cells": {
            key: {part: canonical_decimal(value) for part, value in parts.items()}
            for key, parts in totals.items()
        }
    }


ADDITIVE_TYPES = ("integer", "decimal", "money", "ratio")


@dataclass(frozen=True)
class Source:
    """One document standing for (part of) a unit in an earlier cycle: the unit itself, or a
    unit it was formed from."""

    label: str
    content: Mapping[str, Any]  # the indicator's entry content, {} when it has none
    whole: bool = True  # all of that unit came here; False after a split or a partial merge
    own: bool = False  # the unit itself, not a predecessor


def combine_sources(indicator: Indicator, sources: Sequence[Source]) -> dict[str, Any]:
    """A unit's previous value of an indicator from the documents that stand for it.

    One whole source is the value. Several add up where the indicator does (sum_values:
    ratios as sums of numerators and denominators), per cell, and only when every source is
    whole and has that cell: a partial predecessor's share is unknown, so it is listed and
    never added (adding all of it would count it twice, in each unit that took a part), and a
    sum missing a predecessor would stand for less than the unit. Values that do not add up
    (texts, yes/no, percentages) have no single previous value. ``sources`` lists every
    source's own cells, for the page to show where the value comes from."""
    listed = [
        {
            "label": s.label,
            "whole": s.whole,
            "own": s.own,
            "cells": dict(s.content.get("cells", {})),
        }
        for s in sources
    ]
    if len(sources) == 1 and sources[0].whole:
        return {"cells": dict(sources[0].content.get("cells", {})), "sources": listed}
    if not sources or indicator.type not in ADDITIVE_TYPES or not all(s.whole for s in sources):
        return {"cells": {}, "sources": listed}
    parts = ("n", "d") if indicator.type == "ratio" else ("v",)
    complete = set.intersection(
        *(
            {
                key
                for key, cell in s.content.get("cells", {}).items()
                if all(cell.get(part) is not None for part in parts)
            }
            for s in sources
        )
    )
    total = sum_values(indicator, [dict(s.content) for s in sources])
    cells = {key: cell for key, cell in total["cells"].items() if key in complete}
    return {"cells": cells, "sources": listed}
