"""The questions asked of the structure over time.

- the tree as of a date (``OrgUnit.objects.valid_on(day)`` with parents),
- descendants of a unit as of a date (``unit.descendants(on=day)``),
- what a unit became and what it came from (:func:`successors`, :func:`predecessors`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from govplan.orgunits.models import OrgUnit, Succession

MAX_GENERATIONS = 20  # history chains are short; the bound only guards against bad data


@dataclass(frozen=True, slots=True)
class Link:
    unit: OrgUnit
    kind: str
    kind_label: str
    effective_date: dt.date
    generation: int  # 1 = direct successor/predecessor


def _walk(start: Iterable[int], forward: bool) -> list[Link]:
    seen: set[int] = set(start)
    frontier = list(seen)
    found: list[Link] = []
    for generation in range(1, MAX_GENERATIONS + 1):
        if not frontier:
            break
        if forward:
            edges = Succession.objects.filter(predecessor_id__in=frontier).select_related(
                "successor"
            )
        else:
            edges = Succession.objects.filter(successor_id__in=frontier).select_related(
                "predecessor"
            )
        frontier = []
        for edge in edges.order_by("effective_date", "pk"):
            unit = edge.successor if forward else edge.predecessor
            if unit.pk in seen:
                continue
            seen.add(unit.pk)
            frontier.append(unit.pk)
            found.append(
                Link(unit, edge.kind, str(edge.get_kind_display()), edge.effective_date, generation)
            )
    return found


def successors(unit: OrgUnit, *, transitive: bool = True) -> list[Link]:
    """What ``unit`` became: direct successors first, then theirs."""
    links = _walk([unit.pk], forward=True)
    return links if transitive else [link for link in links if link.generation == 1]


def predecessors(unit: OrgUnit, *, transitive: bool = True) -> list[Link]:
    """What ``unit`` came from."""
    links = _walk([unit.pk], forward=False)
    return links if transitive else [link for link in links if link.generation == 1]


def predecessor_ids(unit_ids: Iterable[int]) -> set[int]:
    """All units, at any distance, that the given units came from."""
    start = list(unit_ids)
    return {link.unit.pk for link in _walk(start, forward=False)}


def current_successors(unit: OrgUnit, on: dt.date) -> list[OrgUnit]:
    """The units valid on ``on`` that ``unit``'s territory or duties went to."""
    if unit.is_valid_on(on):
        return [unit]
    return [link.unit for link in successors(unit) if link.unit.is_valid_on(on)]
