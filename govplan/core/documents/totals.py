"""Totals are computed, never typed: per project row (its budget phasing), per year, per
funding source and type, and per money column of a table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

PHASING_SEPARATOR = "|"


def phasing_key(year: int, source: str, funding_type: str) -> str:
    return f"{year}{PHASING_SEPARATOR}{source}{PHASING_SEPARATOR}{funding_type}"


def split_phasing_key(key: str) -> tuple[int, str, str]:
    year, source, funding_type = key.split(PHASING_SEPARATOR)
    return int(year), source, funding_type


def row_phasing_total(phasing: Mapping[str, Any]) -> Decimal:
    return sum((Decimal(str(v)) for v in phasing.values() if v not in (None, "")), Decimal(0))


def phasing_by(phasing: Mapping[str, Any], axis: str) -> dict[Any, Decimal]:
    """Sum a row's phasing by "year", "source" or "type"."""
    index = {"year": 0, "source": 1, "type": 2}[axis]
    totals: dict[Any, Decimal] = defaultdict(Decimal)
    for key, value in phasing.items():
        if value in (None, ""):
            continue
        totals[split_phasing_key(key)[index]] += Decimal(str(value))
    return dict(totals)


def column_totals(
    rows: Iterable[Mapping[str, Any]], numeric_columns: Iterable[str]
) -> dict[str, Decimal]:
    """Sum of each numeric column over the rows (cells as canonical decimal strings)."""
    columns = list(numeric_columns)
    totals = {c: Decimal(0) for c in columns}
    for cells in rows:
        for column in columns:
            value = cells.get(column)
            if value not in (None, ""):
                totals[column] += Decimal(str(value))
    return totals


def table_phasing_totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, Decimal]:
    """The phasing of a whole table: every (year, source, type) cell summed over the rows."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for phasing in rows:
        for key, value in phasing.items():
            if value not in (None, ""):
                totals[key] += Decimal(str(value))
    return dict(totals)
