"""The questions asked of the structure over time.

- the tree as of a date (``OrgUnit.objects.valid_on(day)`` with parents),
- descendants of a unit as of a date (``unit.descendants(on=day)``),
- what a unit became and what it came from (:func:`successors`, :func:`predecessors`),
- what a unit came from by a given day, and whether wholly or in part (:func:`came_from`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from govplan.orgunits.models import OrgUnit, Succession, SuccessionKind

MAX_GENERATIONS = 20  # history chains are short; the bound only guards against bad data

# The whole of the predecessor went into the successor. After a split or a partial merge
# only part of it did, and which share is not recorded.
WHOLE_KINDS = frozenset({SuccessionKind.MERGE, SuccessionKind.RENAME, SuccessionKind.TRANSFER})


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


def predecessor_ids_of_each(unit_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each given unit, all units at any distance it came from: one walk for all of them
    (a query per generation), so that a user's scope costs the same with several roles."""
    start = list(unit_ids)
    origins: dict[int, set[int]] = {u: {u} for u in start}  # unit -> the starts it leads back to
    frontier = set(origins)
    for _generation in range(MAX_GENERATIONS):
        if not frontier:
            break
        grown: set[int] = set()
        for predecessor, successor in Succession.objects.filter(
            successor_id__in=frontier
        ).values_list("predecessor_id", "successor_id"):
            reached = origins.setdefault(predecessor, set())
            if not origins[successor] <= reached:
                reached |= origins[successor]
                grown.add(predecessor)
        frontier = grown
    result: dict[int, set[int]] = {u: set() for u in start}
    for unit_id, starts in origins.items():
        for origin in starts:
            if unit_id != origin:
                result[origin].add(unit_id)
    return result


def came_from(starts: dict[int, bool], until: dt.date) -> dict[int, bool]:
    """The given units and every unit they came from through changes in force by ``until``,
    each with whether all of it came (True) or only part of it, somewhere along the way
    (a split or a partial merge). ``starts`` says the same of the units to start from."""
    found = dict(starts)
    frontier = dict(starts)
    for _generation in range(MAX_GENERATIONS):
        if not frontier:
            break
        edges = Succession.objects.filter(
            successor_id__in=frontier, effective_date__lte=until
        ).values_list("predecessor_id", "successor_id", "kind")
        reached: dict[int, bool] = {}
        for predecessor, successor, kind in edges:
            whole = frontier[successor] and kind in WHOLE_KINDS
            if predecessor not in found or (whole and not found[predecessor]):
                found[predecessor] = whole or found.get(predecessor, False)
                reached[predecessor] = found[predecessor]
        frontier = reached
    return found


def current_successors(unit: OrgUnit, on: dt.date) -> list[OrgUnit]:
    """The units valid on ``on`` that ``unit``'s territory or duties went to."""
    if unit.is_valid_on(on):
        return [unit]
    return [link.unit for link in successors(unit) if link.unit.is_valid_on(on)]
