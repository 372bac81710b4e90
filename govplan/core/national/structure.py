"""Units' figures placed on one structure: as it was (63 provinces, 22 ministries) or as it
is (34, 17), across the 2025 reorganisation.

The Django layer hands in plain data, loaded once per request: the successions as
:class:`Edge` (predecessor → successor, with the kind) and the *places* of the structure
asked (the units in force on its day). A unit that filed is placed:

- on itself when it is a place;
- else forward, on what it became (an old province on the new province it merged into);
  a unit whose parts went to several units (a split, a partial merge) goes whole to the
  successor that took all of something (a merge, rename or transfer) if there is one, else
  to its first successor, and the figure is flagged ``approximate`` (the share is unknown);
- else backward, on the group of the places it was formed from (a value filed by the new
  Bắc Ninh, on the old structure, belongs to "Bắc Giang + Bắc Ninh": it cannot be split
  back), flagged ``grouped``.

Combining the units a place stands for: a place's own figure for a year wins (it covers the
whole place); without one, its sources add up (sums for counts and amounts, numerators and
denominators for ratios) or, for an indicator whose method says so, their mean.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from govplan.core.national.arithmetic import Totals, mean, total

WHOLE_KINDS = frozenset({"merge", "rename", "transfer"})
MAX_GENERATIONS = 20  # history chains are short; the bound only guards against bad data

SUM = "sum"
MEAN = "mean"
MERGE_METHODS = (SUM, MEAN)

Place = tuple[int, ...]  # one unit of the structure, or a group of them (sorted ids)
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Edge:
    predecessor: int
    successor: int
    kind: str


@dataclass(frozen=True, slots=True)
class Placement:
    place: Place
    approximate: bool = False  # part of the unit went elsewhere; all of it is counted here
    grouped: bool = False  # a newer unit shown as the group of the places it replaced


@dataclass(frozen=True, slots=True)
class History:
    """The successions, indexed both ways (edges in the order given: the first of a split
    is the one its data names first)."""

    forward: Mapping[int, Sequence[Edge]]
    backward: Mapping[int, Sequence[Edge]]

    @classmethod
    def of(cls, edges: Iterable[Edge]) -> History:
        forward: dict[int, list[Edge]] = defaultdict(list)
        backward: dict[int, list[Edge]] = defaultdict(list)
        for edge in edges:
            forward[edge.predecessor].append(edge)
            backward[edge.successor].append(edge)
        return cls(dict(forward), dict(backward))


def _next(edges: Sequence[Edge]) -> tuple[int, bool]:
    """The successor a unit's figures go to, and whether that is all of it for certain."""
    whole = [e for e in edges if e.kind in WHOLE_KINDS]
    chosen = whole[0] if whole else edges[0]
    return chosen.successor, len(edges) == 1 and chosen.kind in WHOLE_KINDS


def place_of(unit: int, places: frozenset[int] | set[int], history: History) -> Placement | None:
    """Where ``unit``'s figures go on the structure whose units are ``places`` (None: on no
    place, e.g. outside the structure's kinds)."""
    if unit in places:
        return Placement((unit,))
    current, certain, seen = unit, True, {unit}
    for _ in range(MAX_GENERATIONS):
        edges = history.forward.get(current)
        if not edges:
            break
        current, whole = _next(edges)
        certain = certain and whole
        if current in places:
            return Placement((current,), approximate=not certain)
        if current in seen:
            break
        seen.add(current)
    found: set[int] = set()
    frontier, seen = [unit], {unit}
    for _ in range(MAX_GENERATIONS):
        reached = []
        for successor in frontier:
            for edge in history.backward.get(successor, ()):
                if edge.predecessor in seen:
                    continue
                seen.add(edge.predecessor)
                if edge.predecessor in places:
                    found.add(edge.predecessor)
                else:
                    reached.append(edge.predecessor)
        if not reached:
            break
        frontier = reached
    if not found:
        return None
    return Placement(tuple(sorted(found)), grouped=True)


def placements(
    units: Iterable[int], places: frozenset[int] | set[int], history: History
) -> dict[int, Placement]:
    """Each unit's placement (units on no place are left out)."""
    result: dict[int, Placement] = {}
    for unit in units:
        found = place_of(unit, places, history)
        if found is not None:
            result[unit] = found
    return result


@dataclass(frozen=True, slots=True)
class Placed:
    """A place's figure for one key (year, cell …) and where it comes from."""

    totals: Totals
    sources: tuple[int, ...]  # the units whose figures it holds
    approximate: bool = False
    grouped: bool = False
    own: bool = False  # the place's own figure (its sources' are then left aside)


def regroup(
    rows: Iterable[tuple[int, K, Totals]],
    placed: Mapping[int, Placement],
    value_type: str,
    method: str = SUM,
) -> dict[tuple[Place, K], Placed]:
    """Per-unit totals (unit, key, totals) as per-place totals: what the module docstring
    says. Units without a placement are left out."""
    if method not in MERGE_METHODS:
        raise ValueError(f"unknown merge method {method!r}")
    gathered: dict[tuple[Place, K], list[tuple[int, Totals]]] = defaultdict(list)
    for unit, key, totals in rows:
        placement = placed.get(unit)
        if placement is not None:
            gathered[(placement.place, key)].append((unit, totals))
    result: dict[tuple[Place, K], Placed] = {}
    for (place, key), parts in gathered.items():
        own = [t for u, t in parts if place == (u,)]
        if own:
            result[(place, key)] = Placed(total(own), place, own=True)
            continue
        sources = tuple(sorted({u for u, _ in parts}))
        combined = (
            mean([t for _, t in parts], value_type)
            if method == MEAN and len(sources) > 1
            else total(t for _, t in parts)
        )
        result[(place, key)] = Placed(
            combined,
            sources,
            approximate=any(placed[u].approximate for u, _ in parts),
            grouped=any(placed[u].grouped for u, _ in parts),
        )
    return result
