"""The arithmetic of a national figure over per-unit sums the database returns.

A figure is never an average of percentages: a ratio adds numerators and denominators and
divides once (Σn / Σd). "No data" (không có số liệu) is counted apart and never read as 0.
Everything here is exact (``Decimal``) and pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

RATIO = "ratio"
BOOLEAN = "boolean"
# Types whose figures add up across units (a ratio by its parts).
ADDITIVE = ("integer", "decimal", "money", RATIO)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Totals:
    """What one unit (or a group of units) holds for one cell: sums of its facts.

    ``figures`` counts the facts with a figure, ``no_data`` those marked "no data"; a
    total with neither holds nothing (not reported).
    """

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    figures: int = 0
    trues: int = 0
    falses: int = 0
    no_data: int = 0

    @property
    def has_figure(self) -> bool:
        return self.figures > 0

    @property
    def is_no_data(self) -> bool:
        """Said "no data" and gave no figure."""
        return self.no_data > 0 and self.figures == 0

    @property
    def ratio(self) -> Decimal | None:
        """Σn / Σd as a fraction (None without both parts or with Σd = 0)."""
        return ratio(self.numerator, self.denominator)

    @property
    def percent(self) -> Decimal | None:
        found = self.ratio
        return None if found is None else found * HUNDRED

    @property
    def boolean(self) -> bool | None:
        """Yes only if every figure says yes (a merged unit has a system only where all of
        its parts had one); None without a yes/no figure."""
        if self.trues == 0 and self.falses == 0:
            return None
        return self.falses == 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            _add(self.value, other.value),
            _add(self.numerator, other.numerator),
            _add(self.denominator, other.denominator),
            self.figures + other.figures,
            self.trues + other.trues,
            self.falses + other.falses,
            self.no_data + other.no_data,
        )


EMPTY = Totals()


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def total(parts: Iterable[Totals]) -> Totals:
    """The sum of totals: values, numerators and denominators each added (never ratios).
    Field by field in locals: this runs over every per-unit row of a national question."""
    value = numerator = denominator = None
    figures = trues = falses = no_data = 0
    for p in parts:
        if p.value is not None:
            value = p.value if value is None else value + p.value
        if p.numerator is not None:
            numerator = p.numerator if numerator is None else numerator + p.numerator
        if p.denominator is not None:
            denominator = p.denominator if denominator is None else denominator + p.denominator
        figures += p.figures
        trues += p.trues
        falses += p.falses
        no_data += p.no_data
    return Totals(value, numerator, denominator, figures, trues, falses, no_data)


def mean(parts: Sequence[Totals], value_type: str) -> Totals:
    """The mean of the parts that hold a figure, for an indicator whose method asks for
    the mean of predecessors (``merge_method: mean``): a ratio's mean is of each part's
    ratio and is given as a value (its parts no longer add up)."""
    counted = [p for p in parts if p.has_figure]
    no_data = sum(p.no_data for p in parts)
    if value_type == RATIO:
        ratios = [r for r in (p.ratio for p in counted) if r is not None]
        if not ratios:
            return Totals(no_data=no_data)
        return Totals(value=sum(ratios, Decimal(0)) / len(ratios), figures=1, no_data=no_data)
    values = [p.value for p in counted if p.value is not None]
    if not values:
        return total(parts)  # yes/no and texts have no mean: they combine as parts do
    return Totals(value=sum(values, Decimal(0)) / len(values), figures=1, no_data=no_data)


def measure(totals: Totals, value_type: str) -> Decimal | None:
    """The single number a unit's totals stand for: a ratio's percentage (or the mean a
    ``merge_method: mean`` gave), else the value; yes/no as 1/0."""
    if value_type == RATIO:
        if totals.numerator is None and totals.denominator is None:
            return totals.value * HUNDRED if totals.value is not None else None
        return totals.percent
    if value_type == BOOLEAN:
        found = totals.boolean
        return None if found is None else Decimal(int(found))
    return totals.value


# ---------------------------------------------------------------- distribution


@dataclass(frozen=True, slots=True)
class Bin:
    lower: Decimal
    upper: Decimal  # the last bin includes its upper bound
    count: int


@dataclass(frozen=True, slots=True)
class Distribution:
    count: int
    minimum: Decimal | None
    median: Decimal | None
    maximum: Decimal | None
    bins: tuple[Bin, ...] = ()


def median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def distribution(values: Sequence[Decimal], bins: int = 10) -> Distribution:
    """Minimum, median, maximum and ``bins`` equal-width bins from minimum to maximum."""
    if not values:
        return Distribution(0, None, None, None)
    low, high = min(values), max(values)
    if bins < 1 or low == high:
        return Distribution(len(values), low, median(values), high, (Bin(low, high, len(values)),))
    width = (high - low) / bins
    counts = [0] * bins
    for v in values:
        counts[min(int((v - low) / width), bins - 1)] += 1
    edges = [low + width * i for i in range(bins)] + [high]
    return Distribution(
        len(values),
        low,
        median(values),
        high,
        tuple(Bin(edges[i], edges[i + 1], counts[i]) for i in range(bins)),
    )


# ---------------------------------------------------------------- conditions

OPERATORS = ("true", "ge", "gt", "eq", "le", "lt")


@dataclass(frozen=True, slots=True)
class Condition:
    """What a unit must hold to be counted ("có hệ thống QLVB dùng chung": ``true``; "at
    least 80 % of dossiers online": ``ge`` 80 on a ratio, compared as a percentage)."""

    operator: str = "true"
    threshold: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise ValueError(f"unknown operator {self.operator!r}")

    def holds(self, totals: Totals, value_type: str) -> bool | None:
        """Whether the unit meets it; None when it holds no figure to tell."""
        if self.operator == "true":
            if value_type == BOOLEAN:
                return totals.boolean
            figure = measure(totals, value_type)
            return None if figure is None else figure != 0
        figure = measure(totals, value_type)
        if figure is None:
            return None
        t = self.threshold
        return {
            "ge": figure >= t,
            "gt": figure > t,
            "eq": figure == t,
            "le": figure <= t,
            "lt": figure < t,
        }[self.operator]


@dataclass(frozen=True, slots=True)
class Count:
    """ "19/22 bộ": ``met`` units out of ``expected`` (the units asked) and of ``reporting``
    (those that gave a figure); ``no_data`` said "no data", ``missing`` gave nothing."""

    met: int
    reporting: int
    no_data: int
    expected: int
    met_units: tuple[int, ...] = field(default=())

    @property
    def missing(self) -> int:
        return max(self.expected - self.reporting - self.no_data, 0)


def count_meeting(
    by_unit: dict[int, Totals], expected: Iterable[int], condition: Condition, value_type: str
) -> Count:
    """How many of the ``expected`` units meet ``condition`` (units outside ``expected``
    are not counted: a figure is over the units asked)."""
    met: list[int] = []
    reporting = no_data = asked = 0
    for unit in expected:
        asked += 1
        totals = by_unit.get(unit, EMPTY)
        verdict = condition.holds(totals, value_type) if totals.has_figure else None
        if totals.has_figure:
            reporting += 1
        elif totals.is_no_data:
            no_data += 1
        if verdict:
            met.append(unit)
    return Count(len(met), reporting, no_data, asked, tuple(met))
