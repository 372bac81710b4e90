"""The server's parser against the table of numbers the editor's parser is held to as well
(tests/support/number_cases.py; the same table runs in Chromium in
tests/browser/test_number_cases.py)."""

from __future__ import annotations

import pytest

from govplan.core.documents.cells import (
    CellValueError,
    canonical_decimal,
    is_blank,
    parse_column_value,
    parse_decimal,
    parse_number,
)
from tests.support.number_cases import CASES, REFUSED


def read(text: str, locale: str, kind: str) -> str | None:
    """The stored value for ``text`` typed in a cell of ``kind``, or REFUSED."""
    try:
        if kind in ("number", "ratio"):
            if is_blank(text):
                return None
            if kind == "ratio":
                return parse_decimal(text, locale=locale, minimum=0)
            return canonical_decimal(parse_number(text, locale=locale))
        value = parse_column_value(kind, text, locale=locale)
    except CellValueError:
        return REFUSED
    return None if value is None else str(value)


@pytest.mark.parametrize(("text", "locale", "kind", "expected"), CASES)
def test_the_server_reads_each_number_as_the_table_says(
    text: str, locale: str, kind: str, expected: str | None
) -> None:
    assert read(text, locale, kind) == expected
