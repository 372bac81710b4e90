"""The national arithmetic (core.national.arithmetic), over generated per-unit sums: a sum
over a tree is the sum of its parts, a ratio is Σn/Σd and never a mean of percentages,
"no data" is never 0, counts of units meeting a condition, distributions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govplan.core.national.arithmetic import (
    EMPTY,
    Condition,
    Totals,
    count_meeting,
    distribution,
    mean,
    measure,
    median,
    total,
)

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
values = st.builds(lambda v: Totals(value=v, figures=1), amounts)


@st.composite
def ratios(draw: st.DrawFn) -> Totals:
    d = draw(st.decimals(min_value=1, max_value=10**6, places=0))
    n = draw(st.decimals(min_value=0, max_value=d, places=0))
    return Totals(numerator=n, denominator=d, figures=1)


@st.composite
def trees(draw: st.DrawFn) -> dict[str, list[Totals]]:
    """Provinces (a path) → the totals of their units."""
    names = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=6, unique=True))
    return {name: draw(st.lists(values, max_size=5)) for name in names}


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(trees())
def test_the_sum_over_a_tree_is_the_sum_of_its_parts(tree: dict[str, list[Totals]]) -> None:
    everything = total(t for parts in tree.values() for t in parts)
    by_part = total(total(parts) for parts in tree.values())
    assert everything == by_part
    assert everything.value == (
        sum((t.value for parts in tree.values() for t in parts if t.value is not None), Decimal(0))
        if any(parts for parts in tree.values())
        else None
    )


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.lists(ratios(), min_size=1, max_size=8))
def test_a_ratio_adds_numerators_and_denominators(parts: list[Totals]) -> None:
    combined = total(parts)
    n = sum((p.numerator or Decimal(0) for p in parts), Decimal(0))
    d = sum((p.denominator or Decimal(0) for p in parts), Decimal(0))
    assert (combined.numerator, combined.denominator) == (n, d)
    assert combined.percent == n / d * 100
    assert measure(combined, "ratio") == n / d * 100


def test_a_ratio_is_never_the_mean_of_percentages() -> None:
    # 9/10 = 90 % and 1/90 ≈ 1.1 %: the mean of the percentages is about 45.6 %, the
    # national ratio 10/100 = 10 %.
    big = Totals(numerator=Decimal(1), denominator=Decimal(90), figures=1)
    small = Totals(numerator=Decimal(9), denominator=Decimal(10), figures=1)
    assert measure(total([small, big]), "ratio") == Decimal(10)
    percentages = [measure(small, "ratio"), measure(big, "ratio")]
    assert sum(p for p in percentages if p is not None) / 2 != Decimal(10)


def test_no_data_is_counted_and_gives_no_figure() -> None:
    said = Totals(no_data=1)
    assert said.is_no_data and not said.has_figure
    assert measure(said, "integer") is None
    assert measure(total([said, Totals(value=Decimal(5), figures=1)]), "integer") == Decimal(5)
    assert not EMPTY.is_no_data  # nothing filed is not "no data"


def test_yes_no_of_a_group_is_yes_only_when_every_part_says_yes() -> None:
    yes, no = Totals(trues=1, figures=1), Totals(falses=1, figures=1)
    assert total([yes, yes]).boolean is True
    assert total([yes, no]).boolean is False
    assert EMPTY.boolean is None


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.lists(values, min_size=1, max_size=8))
def test_the_mean_of_predecessors_is_the_mean_of_their_values(parts: list[Totals]) -> None:
    found = mean(parts, "decimal")
    expected = sum((p.value or Decimal(0) for p in parts), Decimal(0)) / len(parts)
    assert found.value == expected
    assert min(p.value or 0 for p in parts) <= expected <= max(p.value or 0 for p in parts)


def test_the_mean_of_ratios_averages_each_parts_ratio() -> None:
    parts = [
        Totals(numerator=Decimal(9), denominator=Decimal(10), figures=1),
        Totals(numerator=Decimal(1), denominator=Decimal(90), figures=1),
        Totals(no_data=1),
    ]
    found = mean(parts, "ratio")
    assert found.value == (Decimal("0.9") + Decimal(1) / Decimal(90)) / 2
    assert found.value is not None
    assert measure(found, "ratio") == found.value * 100
    assert found.no_data == 1


@pytest.mark.parametrize(
    ("operator", "threshold", "met"),
    [("true", 0, {1, 3}), ("ge", 50, {1, 3}), ("gt", 50, {1}), ("eq", 50, {3}), ("lt", 50, {2})],
)
def test_counting_units_meeting_a_condition(operator: str, threshold: int, met: set[int]) -> None:
    by_unit = {
        1: Totals(numerator=Decimal(9), denominator=Decimal(10), figures=1),  # 90 %
        2: Totals(numerator=Decimal(0), denominator=Decimal(10), figures=1),  # 0 %
        3: Totals(numerator=Decimal(5), denominator=Decimal(10), figures=1),  # 50 %
        4: Totals(no_data=1),
    }
    counted = count_meeting(
        by_unit, [1, 2, 3, 4, 5], Condition(operator, Decimal(threshold)), "ratio"
    )
    assert set(counted.met_units) == met
    assert (counted.reporting, counted.no_data, counted.expected, counted.missing) == (3, 1, 5, 1)


def test_a_condition_with_an_unknown_operator_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown operator"):
        Condition("about")


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.lists(amounts, min_size=1, max_size=40), st.integers(min_value=1, max_value=12))
def test_a_distribution_bins_every_value_once(figures: list[Decimal], bins: int) -> None:
    found = distribution(figures, bins)
    assert found.count == len(figures)
    assert sum(b.count for b in found.bins) == len(figures)
    assert found.minimum == min(figures) and found.maximum == max(figures)
    assert found.minimum is not None and found.median is not None and found.maximum is not None
    assert found.minimum <= found.median <= found.maximum


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert median([Decimal(4), Decimal(1), Decimal(3), Decimal(2)]) == Decimal("2.5")
    assert median([]) is None
    assert distribution([]).count == 0
