"""One table of numbers as people type them, run against both parsers: the server's
(govplan/core/documents/cells.py, the authority on what is stored) in
tests/core/test_number_cases.py, and the editor's (documents/static/documents/cells.js) in
Chromium in tests/browser/test_number_cases.py. Where they disagree, the page would accept
what the server refuses, or mark as wrong what it would store.

Each case: (what is typed, locale, type, expected). The types are the cell types that hold
numbers ("number" is the bare number, "ratio" a ratio's numerator or denominator: a decimal
that is not negative); expected is the stored (canonical) value, None for an empty cell, or
REFUSED.
"""

from __future__ import annotations

REFUSED = "refused"

LONG = "123456789012345678901234567890123"  # 33 digits: refused (at most 15)

CASES: list[tuple[str, str, str, str | None]] = [
    # The Vietnamese and the English way, and a spreadsheet's.
    ("1.234", "vi", "number", "1234"),
    ("1.234", "en", "number", "1.234"),
    ("1,234", "vi", "number", "1.234"),
    ("1,234", "en", "number", "1234"),
    ("1,5", "vi", "number", "1.5"),
    ("1,5", "en", "number", "1.5"),
    ("1.234,5", "vi", "number", "1234.5"),
    ("1.234,5", "en", "number", "1234.5"),
    ("1,234.5", "vi", "number", "1234.5"),
    ("1,234.5", "en", "number", "1234.5"),
    ("1234.5", "vi", "number", "1234.5"),
    ("2.500.000", "vi", "number", "2500000"),
    ("2.500.000", "en", "number", "2500000"),
    ("1,234,567", "en", "number", "1234567"),
    ("1,234,567", "vi", "number", REFUSED),
    ("1.234.567,89", "vi", "number", "1234567.89"),
    ("1.234,", "vi", "number", "1234"),
    ("1.", "en", "number", "1"),
    ("1,", "vi", "number", "1"),
    (",5", "vi", "number", "0.5"),
    (".5", "vi", "number", "0.5"),
    ("000012", "vi", "number", "12"),
    ("12,50", "vi", "number", "12.5"),
    # Thousands that are not groups of three.
    ("1.23.4", "vi", "number", REFUSED),
    ("1.23.4", "en", "number", REFUSED),
    ("1,23,4", "en", "number", REFUSED),
    ("1.23,4", "vi", "number", REFUSED),
    ("1.2.3,4", "vi", "number", REFUSED),
    ("1,2.3", "en", "number", REFUSED),
    ("1.2,3,4", "vi", "number", REFUSED),
    ("1.234,5,6", "vi", "number", REFUSED),
    (".", "vi", "number", REFUSED),
    (",", "vi", "number", REFUSED),
    # Signs: one, ASCII or the Unicode minus; "-0" is 0.
    ("-0", "vi", "number", "0"),
    ("-0,00", "vi", "number", "0"),
    ("−5", "vi", "number", "-5"),
    ("-1.234,5", "vi", "number", "-1234.5"),
    ("+5", "vi", "number", "5"),
    ("--5", "vi", "number", REFUSED),
    ("+-5", "vi", "number", REFUSED),
    ("-+5", "vi", "number", REFUSED),
    ("5-", "vi", "number", REFUSED),
    ("-", "vi", "number", REFUSED),
    ("+", "vi", "number", REFUSED),
    # Spaces: around the number, and as thousands separators (space, no-break, narrow).
    (" 12 ", "vi", "number", "12"),
    ("\t12\n", "vi", "number", "12"),
    ("1 234 567", "vi", "number", "1234567"),
    ("1\u00a0234", "vi", "number", "1234"),
    ("1\u202f234,5", "vi", "number", "1234.5"),
    ("1\t234", "vi", "number", REFUSED),
    ("1\u2009234", "vi", "number", REFUSED),
    # A percent sign after the number is allowed (12% of what the cell counts in).
    ("12%", "vi", "number", "12"),
    ("%", "vi", "number", REFUSED),
    # What JavaScript's parseFloat would take and people do not mean.
    ("1e3", "vi", "number", REFUSED),
    ("1E3", "en", "number", REFUSED),
    ("Infinity", "vi", "number", REFUSED),
    ("-Infinity", "en", "number", REFUSED),
    ("NaN", "vi", "number", REFUSED),
    ("12abc", "vi", "number", REFUSED),
    ("abc", "vi", "number", REFUSED),
    ("mười hai", "vi", "number", REFUSED),
    ("1/2", "vi", "number", REFUSED),
    ("0x10", "en", "number", REFUSED),
    # Digits: ASCII only. A superscript is not one; other scripts' digits are refused too
    # (Python's Decimal would read them, the database and the spreadsheet would not).
    ("²", "vi", "number", REFUSED),
    ("1²", "vi", "number", REFUSED),
    ("٣", "vi", "number", REFUSED),
    ("１２", "vi", "number", REFUSED),
    ("१,५", "vi", "number", REFUSED),
    # Empty.
    ("", "vi", "number", None),
    ("   ", "en", "number", None),
    ("", "vi", "money", None),
    # Long digit strings: exact to 15 digits before the decimal mark, refused beyond
    # (money: 12), never through a float.
    ("999.999.999.999.999", "vi", "integer", "999999999999999"),
    ("1.000.000.000.000.000", "vi", "integer", REFUSED),
    ("999999999999999,5", "vi", "number", "999999999999999.5"),
    ("1" + "0" * 30, "vi", "integer", REFUSED),
    (LONG, "vi", "integer", REFUSED),
    (LONG, "en", "number", REFUSED),
    ("999.999.999.999,999", "vi", "money", "999999999999.999"),
    ("1.000.000.000.000", "vi", "money", REFUSED),
    ("0,1234567", "vi", "number", "0.1234567"),
    ("0,1234567", "vi", "decimal", REFUSED),
    ("0,123456", "vi", "decimal", "0.123456"),
    ("0.000001", "en", "decimal", "0.000001"),
    ("0,0000001", "vi", "decimal", REFUSED),
    # Whole numbers.
    ("1.200", "vi", "integer", "1200"),
    ("1.234", "en", "integer", REFUSED),
    ("2,5", "vi", "integer", REFUSED),
    ("2,0", "vi", "integer", "2"),
    ("-4", "vi", "integer", REFUSED),
    # Money: million VND to three decimals, never negative.
    ("1.500,25", "vi", "money", "1500.25"),
    ("0,125", "vi", "money", "0.125"),
    ("1,23456", "vi", "money", REFUSED),
    ("-100", "vi", "money", REFUSED),
    ("1.234,5678", "vi", "money", REFUSED),
    # Decimals may be negative.
    ("-3,5", "vi", "decimal", "-3.5"),
    # Percentages: 0 to 100.
    ("99,5", "vi", "percent", "99.5"),
    ("100%", "vi", "percent", "100"),
    ("120", "vi", "percent", REFUSED),
    ("-1", "vi", "percent", REFUSED),
    # A ratio's parts: decimals, not negative.
    ("0", "vi", "ratio", "0"),
    ("218", "vi", "ratio", "218"),
    ("-1", "vi", "ratio", REFUSED),
    ("12,5", "vi", "ratio", "12.5"),
]
