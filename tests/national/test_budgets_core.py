"""The pure arithmetic of the budget pages: rolling per-unit sums up to the units shown."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from govplan.core.national.money import roll_up, shown_unit


def test_a_fact_is_shown_under_the_unit_directly_below_the_root() -> None:
    assert shown_unit("/1/27/301/", "/1/") == 27
    assert shown_unit("/1/27/", "/1/27/") == 27  # the root's own amounts
    assert shown_unit("/2/5/", "/1/") is None  # outside the subtree
    assert shown_unit("/1/27/301/", "") == 1  # the whole country: the top-level units
    assert shown_unit("/11/", "/1/") is None  # a path prefix is not a parent


paths = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(
    lambda ids: "/" + "/".join(map(str, ids)) + "/"
)
amounts = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False)


@given(st.lists(st.tuples(paths, amounts), max_size=40))
def test_rolling_up_keeps_the_total_of_the_subtree(rows: list[tuple[str, Decimal]]) -> None:
    for root in ("", "/1/", "/1/2/"):
        inside = sum((a for p, a in rows if p.startswith(root)), Decimal(0))
        assert sum(roll_up(rows, root).values(), Decimal(0)) == inside
