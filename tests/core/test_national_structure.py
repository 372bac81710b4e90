"""Units' figures placed on the structure as it was or as it is (core.national.structure):
mapping to successors preserves totals, a unit with two predecessors gets both, a split is
attributed to one successor and flagged, a newer unit on the old structure is shown as the
group of the units it replaced, and the mean-of-predecessors method."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govplan.core.national.arithmetic import Totals, total
from govplan.core.national.structure import (
    Edge,
    History,
    Placement,
    place_of,
    placements,
    regroup,
)

# Old provinces 1-6 (2011-2025), new provinces 10-12 (2025-): 1 + 2 → 10, 3 → 11 (renamed),
# 4 + 5 + 6 → 12; a ministry 20 split between 21 (the main part, named first) and 22,
# and 23 merged whole into 22 with a part (partial_merge) going to 21.
HISTORY = History.of(
    [
        Edge(1, 10, "merge"),
        Edge(2, 10, "merge"),
        Edge(3, 11, "rename"),
        Edge(4, 12, "merge"),
        Edge(5, 12, "merge"),
        Edge(6, 12, "merge"),
        Edge(20, 21, "split"),
        Edge(20, 22, "split"),
        Edge(23, 21, "partial_merge"),
        Edge(23, 22, "merge"),
    ]
)
OLD = frozenset({1, 2, 3, 4, 5, 6, 20, 23})
NEW = frozenset({10, 11, 12, 21, 22})


def test_a_unit_of_the_structure_is_its_own_place() -> None:
    assert place_of(1, OLD, HISTORY) == Placement((1,))
    assert place_of(10, NEW, HISTORY) == Placement((10,))


def test_an_old_unit_goes_to_its_successor_on_the_new_structure() -> None:
    assert place_of(1, NEW, HISTORY) == Placement((10,))
    assert place_of(3, NEW, HISTORY) == Placement((11,))


def test_a_split_goes_whole_to_its_first_successor_flagged_approximate() -> None:
    assert place_of(20, NEW, HISTORY) == Placement((21,), approximate=True)
    # A unit merged whole into one and partly into another goes to the whole one.
    assert place_of(23, NEW, HISTORY) == Placement((22,), approximate=True)


def test_a_new_unit_on_the_old_structure_is_the_group_it_replaced() -> None:
    assert place_of(10, OLD, HISTORY) == Placement((1, 2), grouped=True)
    assert place_of(12, OLD, HISTORY) == Placement((4, 5, 6), grouped=True)
    assert place_of(11, OLD, HISTORY) == Placement((3,), grouped=True)
    assert place_of(99, OLD, HISTORY) is None  # a unit with no place is left out


def rows(figures: dict[int, int], year: int = 2020) -> list[tuple[int, int, Totals]]:
    return [(u, year, Totals(value=Decimal(v), figures=1)) for u, v in figures.items()]


def test_a_unit_with_two_predecessors_gets_both() -> None:
    placed = placements([1, 2, 3], NEW, HISTORY)
    found = regroup(rows({1: 10, 2: 30, 3: 5}), placed, "integer")
    assert found[((10,), 2020)].totals.value == Decimal(40)
    assert found[((10,), 2020)].sources == (1, 2)
    assert found[((11,), 2020)].totals.value == Decimal(5)


def test_a_ratio_of_merged_units_is_the_sum_of_parts() -> None:
    placed = placements([1, 2], NEW, HISTORY)
    parts = [
        (1, 2020, Totals(numerator=Decimal(9), denominator=Decimal(10), figures=1)),
        (2, 2020, Totals(numerator=Decimal(1), denominator=Decimal(90), figures=1)),
    ]
    merged = regroup(parts, placed, "ratio")[((10,), 2020)].totals
    assert merged.percent == Decimal(10)


def test_the_units_own_figure_wins_over_its_predecessors_for_the_same_year() -> None:
    placed = placements([1, 2, 10], NEW, HISTORY)
    found = regroup(rows({1: 10, 2: 30, 10: 45}), placed, "integer")[((10,), 2020)]
    assert found.own and found.totals.value == Decimal(45) and found.sources == (10,)


def test_the_mean_method_averages_the_predecessors() -> None:
    placed = placements([4, 5, 6], NEW, HISTORY)
    found = regroup(rows({4: 60, 5: 70, 6: 95}), placed, "decimal", "mean")
    assert found[((12,), 2020)].totals.value == Decimal(75)
    # One predecessor alone is its own value.
    alone = regroup(rows({4: 60}), placements([4], NEW, HISTORY), "decimal", "mean")
    assert alone[((12,), 2020)].totals.value == Decimal(60)
    with pytest.raises(ValueError, match="merge method"):
        regroup(rows({4: 60}), placed, "decimal", "median")


old_units = st.sampled_from(sorted(OLD))
filed = st.dictionaries(old_units, st.integers(min_value=0, max_value=10**6), max_size=8)


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(filed)
def test_mapping_to_successors_preserves_totals(figures: dict[int, int]) -> None:
    placed = placements(figures, NEW, HISTORY)
    found = regroup(rows(figures), placed, "integer")
    before = total(t for _, _, t in rows(figures))
    after = total(p.totals for p in found.values())
    assert after.value == before.value
    assert after.figures == before.figures
    # Every old unit's figure is in exactly one new place.
    assert sorted(u for p in found.values() for u in p.sources) == sorted(figures)


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.dictionaries(st.sampled_from(sorted(NEW)), st.integers(0, 10**6), max_size=5))
def test_placing_new_units_on_the_old_structure_preserves_totals(figures: dict[int, int]) -> None:
    placed = placements(figures, OLD, HISTORY)
    found = regroup(rows(figures), placed, "integer")
    assert (
        total(p.totals for p in found.values()).value == total(t for _, _, t in rows(figures)).value
    )
    assert all(p.grouped for p in found.values())


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(filed, filed)
def test_years_never_mix(first: dict[int, int], second: dict[int, int]) -> None:
    placed = placements(set(first) | set(second), NEW, HISTORY)
    found = regroup(rows(first, 2017) + rows(second, 2018), placed, "integer")
    for year, figures in ((2017, first), (2018, second)):
        in_year = [p.totals for (_, y), p in found.items() if y == year]
        assert total(in_year).value == total(t for _, _, t in rows(figures)).value


@st.composite
def mergers(draw: st.DrawFn) -> tuple[dict[int, int], dict[int, int]]:
    """Old units 1..n each merged into one of the new units 100..; their figures."""
    n = draw(st.integers(min_value=1, max_value=12))
    into = {old: 100 + draw(st.integers(min_value=0, max_value=4)) for old in range(1, n + 1)}
    figures = {old: draw(st.integers(min_value=0, max_value=10**6)) for old in into}
    return into, figures


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(mergers())
def test_every_new_unit_gets_all_of_its_predecessors_and_only_them(
    case: tuple[dict[int, int], dict[int, int]],
) -> None:
    into, figures = case
    history = History.of(Edge(old, new, "merge") for old, new in into.items())
    new_units = frozenset(into.values())
    found = regroup(rows(figures), placements(figures, new_units, history), "integer")
    for new in new_units:
        predecessors = [old for old, successor in into.items() if successor == new]
        placed = found[((new,), 2020)]
        assert placed.sources == tuple(sorted(predecessors))
        assert placed.totals.value == sum(Decimal(figures[old]) for old in predecessors)
    # Back on the old structure, each new unit is the group of exactly its predecessors.
    old_units = frozenset(into)
    for new in new_units:
        group = place_of(new, old_units, history)
        assert group is not None
        assert group.place == tuple(sorted(o for o, s in into.items() if s == new))
