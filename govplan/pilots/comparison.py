"""A pilot's indicators against comparable units, read through the national figures' query
API (govplan.national.figures): one grouped query over the fact table for every indicator
of the pilot and every unit of the kinds concerned, plus its fixed few (places,
successions, catalogue), whatever the number of units. The units are today's while the pilot
units are in force (an earlier year's figures of a unit that merged are then placed on its
successor, as the national pages place them); a pilot unit that has since ended is compared
on the structure of its last day, with the units of that time. The figures are those the
viewer may see (the scoping layer), so the central authority compares with every province, a
province with what it sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from govplan.accounts.types import AnyUser
from govplan.core.programmes.pilots import Comparison, comparable_kinds, compare, kinds_of
from govplan.facts.models import Layer
from govplan.frameworks.models import Indicator
from govplan.national.figures import Answer, Ask, answers, latest_year
from govplan.orgunits.models import OrgUnit


@dataclass(frozen=True)
class Line:
    """One indicator × one pilot unit."""

    indicator: Indicator
    unit: OrgUnit
    comparison: Comparison
    value_type: str

    @property
    def boolean(self) -> bool:
        return self.value_type == "boolean"

    @property
    def measure(self) -> str:
        """A ratio's figure is a percentage; a yes/no's has no unit."""
        if self.value_type == "ratio":
            return "%"
        return "" if self.boolean else self.indicator.unit

    @property
    def share_yes(self) -> Decimal | None:
        """For a yes/no: the share of comparable units saying yes, in percent."""
        mean = self.comparison.mean
        return mean * 100 if mean is not None else None


@dataclass
class Table:
    year: int | None
    layer: str
    lines: list[Line] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        """Some pilot unit or comparable unit has a figure that year."""
        return any(
            line.comparison.value is not None or line.comparison.count for line in self.lines
        )

    @property
    def complete(self) -> bool:
        """A pilot unit and a comparable unit both have a figure somewhere in the table."""
        return any(
            line.comparison.value is not None and line.comparison.count for line in self.lines
        )


# Without a year asked, the comparison opens on the latest of these many years (ending with
# the latest year holding a figure) in which a pilot unit and a comparable unit both have one.
LOOK_BACK = 5


def compare_pilot(
    user: AnyUser,
    units: Sequence[OrgUnit],
    indicators: Sequence[Indicator],
    *,
    year: int | None,
    layer: str = Layer.APPROVED,
) -> Table:
    """For each indicator and each pilot unit, its figure for ``year`` against the comparable
    units': the units of the same kind that are not pilots. Without ``year``, the latest
    year (of the last few) where a pilot unit and a comparable unit both have a figure."""
    codes = [i.code for i in indicators]
    if not codes or not units:
        return Table(year, layer)
    if year is None:
        last = latest_year(user, codes, layer)
        if last is None:
            return Table(None, layer)
        years = (max(last - LOOK_BACK + 1, 2000), last)
    else:
        years = (year, year)
    kinds = kinds_of(u.kind for u in units)
    found = answers(user, Ask(codes[0], years, layer, structure_for(units), kinds), codes)
    tables = [_table(found, units, indicators, y, layer) for y in range(years[1], years[0] - 1, -1)]
    complete = [t for t in tables if t.complete]
    return complete[0] if complete else tables[0]


def structure_for(units: Sequence[OrgUnit], today: dt.date | None = None) -> dt.date | None:
    """The structure the comparison is read on: today's (None) while every pilot unit is in
    force; else the last day they all were (a pilot of 2020 in Bắc Giang, which merged in 2025,
    is compared with the 63 provinces of its time, its own figures its own)."""
    today = today or timezone.localdate()
    ended = [u.valid_to for u in units if u.valid_to is not None and u.valid_to < today]
    return min(ended) if ended else None


def _table(
    found: dict[str, Answer],
    units: Sequence[OrgUnit],
    indicators: Sequence[Indicator],
    year: int,
    layer: str,
) -> Table:
    pilots = {u.pk for u in units}
    table = Table(year, layer)
    for indicator in indicators:
        answer = found[indicator.code]
        own: dict[int, Decimal | None] = {}
        others: dict[str, list[Decimal]] = {}
        for f in answer.place_figures(year):
            if pilots.intersection(f.place):
                for member in f.place:
                    own[member] = f.figure
            elif f.figure is not None:
                others.setdefault(f.kind, []).append(f.figure)
        for unit in units:
            group = [v for kind in comparable_kinds(unit.kind) for v in others.get(kind, [])]
            table.lines.append(
                Line(indicator, unit, compare(own.get(unit.pk), group), answer.value_type)
            )
    return table
