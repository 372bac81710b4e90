"""Values no input may smuggle in (issue 11, cases 7 and 8), shared by every test that feeds
them to a reader, a form, an endpoint or a writer.

Each constant maps a short name (used in test ids and failure messages) to the value. Values
are Python objects: a str holding a lone surrogate cannot be encoded as UTF-8 as it is, so
``form_quote`` and ``json_text`` write them the way a hostile client sends them.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any
from urllib.parse import quote

# Numbers that are not numbers, or not numbers any page, spreadsheet or database can hold.
HOSTILE_NUMBERS: dict[str, Any] = {
    "nan_text": "NaN",
    "infinity_text": "Infinity",
    "minus_infinity_text": "-Infinity",
    "overflow_text": "1e400",  # float("1e400") is infinity
    "googol_400": "1" + "0" * 400,  # one followed by 400 zeros
    "digits_4301": "9" * 4301,  # beyond Python's int() limit of 4,300 digits
    "superscript_two": "²",  # str.isdigit() is True, int() refuses it
    "arabic_indic_three": "٣",  # \d and int() take it, the editor's script does not
    "nan_float": math.nan,
    "infinity_float": math.inf,
    "nan_decimal": Decimal("NaN"),
    "infinity_decimal": Decimal("Infinity"),
    "huge_int": 10**400,
}

# The same, as JSON literals (what the editor's endpoints may receive as a number).
HOSTILE_JSON_NUMBERS: dict[str, str] = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus_infinity": "-Infinity",
    "overflow": "1e400",
    "digits_4301": "9" * 4301,
    "googol_400": "1" + "0" * 400,
}

# Text no field may hold: control characters and half a surrogate pair.
HOSTILE_TEXTS: dict[str, str] = {
    "nul": "Dự án\x00",
    "bel": "Dự án\x07 số 1",
    "esc": "\x1b[31mDự án",
    "backspace": "Dự\x08 án",
    "vertical_tab": "Dự án\x0bsố 1",
    "delete": "Dự án\x7f",
    "c1_control": "Dự án\x9b",
    "lone_surrogate": "Dự án \ud800",
    "low_surrogate": "\udfff",
}

# Dates that do not exist, or that exist in Python and break as soon as a day is added or the
# database converts them to UTC.
HOSTILE_DATES: dict[str, str] = {
    "february_30": "2025-02-30",
    "february_30_vi": "30/02/2025",
    "year_0": "0000-01-01",
    "year_1": "0001-01-01",
    "year_9999": "9999-12-31",
    "year_99999": "99999-01-01",
    "month_13": "2025-13-01",
    "moment_february_30": "2025-02-30T10:00",
    "moment_hour_25": "2025-01-01T25:00",
    "arabic_indic_date": "٢٠٢٥-٠١-٠١",
}

OVERLONG = "x" * 100_000


def form_quote(value: Any) -> str:
    """``value`` as it travels in a form body or a query string; a lone surrogate goes as the
    bytes a broken client sends (ED A0 80), which are not UTF-8."""
    return quote(str(value), safe="", errors="surrogatepass")


def json_text(value: Any) -> str:
    """``value`` as a JSON string literal, a lone surrogate as its ``\\ud800`` escape."""
    return json.dumps(str(value))
