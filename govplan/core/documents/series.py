"""An indicator's series across cycles: earlier documents' values read into today's
framework.

Between two frameworks an indicator may continue under a new code (``maps_from``: level 4 of
2011 continues as toàn trình), its options renamed or merged (two old options into one new
add up); between two cycles a unit may have been formed from others, whose values combine
(``values.combine_sources``). Both are pure here: the Django layer (``documents.cycles``)
finds the earlier documents and their values and passes them in as plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govplan.core.documents.values import Source, combine_sources
from govplan.core.frameworks.catalogue import Indicator

Indicators = Mapping[str, Indicator]  # a framework's indicators by code
# Indicator code → the stored content of its entry ({"cells": {...}, ...}).
Values = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class EarlierDocument:
    """One document of the previous cycle standing for (part of) the unit."""

    label: str  # the unit's short name on the document's day (Bắc Giang)
    values: Values
    whole: bool = True  # all of its unit came to ours (False after a split or partial merge)
    own: bool = False  # written by the unit itself


def map_cell(options: Mapping[str, str | None], cell: str) -> str | None:
    """An earlier indicator's cell read as the later's (``maps_from.options``): the
    undivided cell stays undivided, an option maps to its new code, and an option mapped to
    None (or not mapped) is dropped (None)."""
    if not cell:
        return ""
    return options.get(cell)


def lineage(
    indicators: Indicators, code: str
) -> list[tuple[str, tuple[Mapping[str, str | None], ...]]]:
    """``code`` and every indicator it continues (``maps_from``, followed back), each with
    the option mappings that read its cells as ``code``'s, nearest first."""
    found: list[tuple[str, tuple[Mapping[str, str | None], ...]]] = [(code, ())]
    steps: tuple[Mapping[str, str | None], ...] = ()
    current = indicators.get(code)
    while current is not None and current.maps_from is not None:
        source = current.maps_from.indicator
        if any(source == seen for seen, _ in found):
            break  # the catalogue refuses loops; the bound only guards against bad data
        steps = (current.maps_from.options, *steps)
        found.append((source, steps))
        current = indicators.get(source)
    return found


def read_cell(steps: tuple[Mapping[str, str | None], ...], cell: str) -> str | None:
    """A cell of an indicator in ``code``'s lineage read as ``code``'s (None: dropped)."""
    found: str | None = cell
    for options in steps:
        if found is None:
            return None
        found = map_cell(options, found)
    return found


def mapped_values(indicators: Indicators, old: Values) -> dict[str, dict[str, Any]]:
    """Indicator code → an earlier document's content, read into ``indicators`` (a
    framework's)
    through catalogue mappings: an option mapped to None is dropped, options mapped to one
    add up (where they hold plain values), an undivided cell stays undivided."""
    result: dict[str, dict[str, Any]] = {}
    for code, indicator in indicators.items():
        if code in old:
            result[code] = dict(old[code])
        elif indicator.maps_from and indicator.maps_from.indicator in old:
            mapping = indicator.maps_from.options
            cells: dict[str, Any] = {}
            for key, cell in old[indicator.maps_from.indicator].get("cells", {}).items():
                target = map_cell(mapping, key)
                if target is None:
                    continue
                if "v" in cell and target in cells:
                    cells[target] = {
                        "v": str(Decimal(str(cells[target]["v"])) + Decimal(str(cell["v"])))
                    }
                else:
                    cells[target] = cell
            result[code] = {"cells": cells, "mapped_from": indicator.maps_from.indicator}
    return result


def combined_values(
    indicators: Indicators, documents: Sequence[EarlierDocument]
) -> dict[str, dict[str, Any]]:
    """Indicator code → the previous value standing for the unit (``cells``), with each
    source's own cells (``sources``) and, when read through a mapping, ``mapped_from``."""
    if not documents:
        return {}
    mapped = [mapped_values(indicators, d.values) for d in documents]
    result: dict[str, dict[str, Any]] = {}
    for code, indicator in indicators.items():
        found = [values[code] for values in mapped if code in values]
        if not found:
            continue
        content = combine_sources(
            indicator,
            [
                Source(d.label, values.get(code, {}), whole=d.whole, own=d.own)
                for d, values in zip(documents, mapped, strict=True)
            ],
        )
        mapped_from = next((c["mapped_from"] for c in found if c.get("mapped_from")), "")
        if mapped_from:
            content["mapped_from"] = mapped_from
        result[code] = content
    return result
