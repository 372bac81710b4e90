"""Whether a value is far from the unit's own history: the anomaly check's arithmetic.

With three earlier values or more, a modified z-score (Iglewicz and Hoaglin: 0.6745 times
the distance from the median over the median absolute deviation) above ``Z_LIMIT``; with
fewer, a change from the last value beyond a threshold (a fraction: 1 is ±100 %). Series
with no spread (every earlier value the same) or a last value of 0 say nothing.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

Z_LIMIT = Decimal("3.5")
Z_FACTOR = Decimal("0.6745")
MIN_SERIES = 3  # earlier values needed for the z-score


@dataclass(frozen=True)
class FarFromMedian:
    """``now`` is far from the series: its modified z-score is ``score``."""

    median: Decimal
    score: Decimal


@dataclass(frozen=True)
class BigChange:
    """``now`` moved by ``change`` (a fraction) from the ``last`` value."""

    last: Decimal
    change: Decimal


def modified_z_score(now: Decimal, series: Sequence[Decimal]) -> tuple[Decimal, Decimal] | None:
    """(score, median) of ``now`` against ``series``; None when the series has no spread."""
    median = Decimal(str(statistics.median(series)))
    mad = Decimal(str(statistics.median([abs(x - median) for x in series])))
    if mad == 0:
        return None
    return Z_FACTOR * (now - median) / mad, median


def anomaly(
    now: Decimal, series: Sequence[Decimal], threshold: Decimal
) -> FarFromMedian | BigChange | None:
    """Why ``now`` is questioned against the earlier ``series`` (oldest first), or None."""
    if not series:
        return None
    if len(series) >= MIN_SERIES:
        scored = modified_z_score(now, series)
        if scored is None:
            return None
        score, median = scored
        return FarFromMedian(median, score) if abs(score) > Z_LIMIT else None
    last = series[-1]
    if last == 0:
        return None
    change = (now - last) / abs(last)
    return BigChange(last, change) if abs(change) > threshold else None
