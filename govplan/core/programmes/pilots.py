"""A pilot's arithmetic: which units are comparable with a pilot unit, and a pilot unit's
figure against theirs (docs/programme.md, "Pilots").

Comparable units are the units of the same kind that are not pilots: the ministries,
ministry-level and government agencies form one group (the national agencies), the
provinces another, the communes another; any other kind is its own group. Against them a
pilot unit's figure is shown with their median and mean (each unit counted once, whatever
its size) and how many of them gave a figure; the difference is the pilot's figure minus
the median (and minus the mean). Pure: the figures come in as plain numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from govplan.core.national.arithmetic import median

NATIONAL_AGENCY_KINDS: tuple[str, ...] = ("ministry", "ministry_level", "gov_agency")


def comparable_kinds(kind: str) -> tuple[str, ...]:
    """The kinds of unit comparable with a unit of ``kind`` (itself included)."""
    if kind in NATIONAL_AGENCY_KINDS:
        return NATIONAL_AGENCY_KINDS
    return (kind,)


def kinds_of(kinds: Iterable[str]) -> tuple[str, ...]:
    """Every kind comparable with any of ``kinds``, each once, in a stable order."""
    found: dict[str, None] = {}
    for kind in kinds:
        for comparable in comparable_kinds(kind):
            found[comparable] = None
    return tuple(sorted(found))


@dataclass(frozen=True, slots=True)
class Comparison:
    """A pilot unit's figure against the comparable units' figures."""

    value: Decimal | None
    count: int  # comparable units with a figure
    median: Decimal | None
    mean: Decimal | None

    @property
    def above_median(self) -> Decimal | None:
        """The pilot's figure minus the comparable units' median (None if either is missing)."""
        if self.value is None or self.median is None:
            return None
        return self.value - self.median

    @property
    def above_mean(self) -> Decimal | None:
        if self.value is None or self.mean is None:
            return None
        return self.value - self.mean


def compare(value: Decimal | None, others: Sequence[Decimal]) -> Comparison:
    """``value`` (a pilot unit's figure, None when it gave none) against ``others`` (one
    figure per comparable unit that gave one)."""
    mean = sum(others, Decimal(0)) / len(others) if others else None
    return Comparison(value, len(others), median(others), mean)
