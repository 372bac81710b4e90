"""The anomaly check's arithmetic (core.documents.statistics)."""

from __future__ import annotations

from decimal import Decimal as D

from govplan.core.documents.statistics import BigChange, FarFromMedian, anomaly, modified_z_score


def test_a_value_far_from_a_steady_history_is_questioned() -> None:
    found = anomaly(D(500), [D(100), D(110), D(105), D(95)], D(1))
    assert isinstance(found, FarFromMedian)
    assert found.median == D("102.5")
    assert found.score > D("3.5")


def test_a_value_within_the_history_is_not() -> None:
    assert anomaly(D(108), [D(100), D(110), D(105), D(95)], D(1)) is None


def test_a_history_without_spread_says_nothing() -> None:
    assert modified_z_score(D(9999), [D(10), D(10), D(10)]) is None
    assert anomaly(D(9999), [D(10), D(10), D(10)], D(1)) is None


def test_a_short_history_compares_with_the_last_value() -> None:
    found = anomaly(D(300), [D(50), D(100)], D(1))
    assert found == BigChange(D(100), D(2))
    assert anomaly(D(190), [D(50), D(100)], D(1)) is None
    # The framework's own threshold: ±50 %.
    assert anomaly(D(160), [D(100)], D("0.5")) == BigChange(D(100), D("0.6"))


def test_a_last_value_of_zero_or_no_history_says_nothing() -> None:
    assert anomaly(D(5), [D(0)], D(1)) is None
    assert anomaly(D(5), [], D(1)) is None
