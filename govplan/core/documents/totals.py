"""Totals are computed, never typed: per project row (its budget phasing), per year, per
funding source and type, and per money column of a table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

T = TypeVar("T")

PHASING_SEPARATOR = "|"
# Beyond any budget in million VND, and beyond what a spreadsheet holds exactly. The input
# checks refuse such values; one stored before they did counts for nothing in a total.
AMOUNT_LIMIT = Decimal("1e18")


def amount(value: Any) -> Decimal | None:
    """A stored value as a number to add into a total, or None: empty, a yes/no, text that
    is not a number, infinity, NaN, or a number out of range (|x| ≥ 10¹⁸). Such values count
    for nothing in a sum, so that one bad cell never stops a total or a file."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= AMOUNT_LIMIT:
        return None
    return number


# The "year" of an amount given for the whole period, without a split by year.
WHOLE_PERIOD = 0


def phasing_key(year: int, source: str, funding_type: str) -> str:
    return f"{year}{PHASING_SEPARATOR}{source}{PHASING_SEPARATOR}{funding_type}"


def split_phasing_key(key: str) -> tuple[int, str, str]:
    year, source, funding_type = key.split(PHASING_SEPARATOR)
    return int(year), source, funding_type


def row_phasing_total(phasing: Mapping[str, Any]) -> Decimal:
    numbers = (amount(v) for v in phasing.values())
    return sum((n for n in numbers if n is not None), Decimal(0))


def phasing_by(phasing: Mapping[str, Any], axis: str) -> dict[Any, Decimal]:
    """Sum a row's phasing by "year", "source" or "type"."""
    index = {"year": 0, "source": 1, "type": 2}[axis]
    totals: dict[Any, Decimal] = defaultdict(Decimal)
    for key, value in phasing.items():
        number = amount(value)
        if number is not None:
            totals[split_phasing_key(key)[index]] += number
    return dict(totals)


def column_totals(
    rows: Iterable[Mapping[str, Any]], numeric_columns: Iterable[str]
) -> dict[str, Decimal]:
    """Sum of each numeric column over the rows (cells as canonical decimal strings)."""
    columns = list(numeric_columns)
    totals = {c: Decimal(0) for c in columns}
    for cells in rows:
        for column in columns:
            number = amount(cells.get(column))
            if number is not None:
                totals[column] += number
    return totals


def table_phasing_totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, Decimal]:
    """The phasing of a whole table: every (year, source, type) cell summed over the rows."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for phasing in rows:
        for key, value in phasing.items():
            number = amount(value)
            if number is not None:
                totals[key] += number
    return dict(totals)


def by_group(
    groups: Iterable[str], rows: Iterable[T], group_of: Callable[[T], str]
) -> list[tuple[str | None, list[T]]]:
    """``rows`` under their groups, in the groups' order (a group with no row is kept, with
    none); rows in no known group come last, under None."""
    buckets: dict[str | None, list[T]] = {code: [] for code in groups}
    loose: list[T] = []
    for row in rows:
        code = group_of(row)
        buckets.get(code, loose).append(row)
    out: list[tuple[str | None, list[T]]] = list(buckets.items())
    if loose:
        out.append((None, loose))
    return out
