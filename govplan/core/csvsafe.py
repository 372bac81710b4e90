"""Every CSV GovPlan writes goes through here, so that no cell is run as a formula.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab, a carriage return or a line feed before one, or their full-width
forms ``＝ ＋ － ＠`` that Excel folds to ASCII) as a formula: ``=HYPERLINK(…)`` or a DDE call
in an official number would run on the reader's machine. ``csv_cell`` writes such a text with
a leading apostrophe, as OWASP recommends, so it shows as typed and is never evaluated;
numbers stay numbers. ``writer`` is ``csv.writer`` with every row passed through it: the only
``csv.writer`` in the code base (tests/uploads/test_csv_safety.py fails on any other).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from govplan.core.printable import printable

# ASCII and the full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20), the minus sign U+2212,
# and the control characters some programs skip before reading a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "\u2212")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell that no spreadsheet runs: numbers as they are (a negative
    number is not a formula), any text starting like a formula behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = printable(str(value))
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeWriter:
    """``csv.writer``'s ``writerow``/``writerows`` with every cell through ``csv_cell``."""

    def __init__(self, inner: _Writer) -> None:
        self._inner = inner

    def writerow(self, row: Iterable[object]) -> None:
        self._inner.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, **options: Any) -> SafeWriter:
    """A CSV writer on ``out`` (``csv.writer``'s options) that neutralises formulas."""
    return SafeWriter(csv.writer(out, **options))
