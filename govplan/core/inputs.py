"""What any input may hold, whichever way it arrives (a form, the editor's JSON, an uploaded
framework or spreadsheet): the characters text may contain and the size of a number.

Text: no control characters (C0 except tab and line breaks where text may span lines, DEL,
C1) and no half of a surrogate pair. PostgreSQL cannot store NUL, a lone surrogate cannot
be encoded as UTF-8 (SQLite, the page, the PDF), and BEL or ESC break the XML of DOCX and
the PDF; none of them is ever typed on purpose.

Numbers: finite, and with at most 15 digits before the decimal mark. Fifteen significant
digits is what a spreadsheet cell and the editor's JavaScript numbers hold exactly, so a value
survives the XLSX round trip and the page unchanged; it is also far beyond any real
quantity in a plan (the whole state budget is about 2 * 10**9 million VND).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from govplan.core.i18n import gettext_noop

# Line breaks and tabs are allowed where text may span lines (comments, descriptions,
# pasted cells); everything else below U+0020, DEL, the C1 block and surrogates never is.
_FORBIDDEN_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# What no database or encoder can take at all: NUL (PostgreSQL) and surrogates (UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

MAX_INTEGER_DIGITS = 15
# An id or a count in an address or a form: ASCII digits only ("²" and "٣" pass str.isdigit()
# but not int(), or int() but not the database), short enough for a 64-bit column.
_ID_RE = re.compile(r"[0-9]{1,18}")


def forbidden_character(
    text: str, *, multiline: bool = True, unstorable_only: bool = False
) -> tuple[int, str] | None:
    """The first character ``text`` may not hold, as (1-based position, character); with
    ``unstorable_only``, only NUL and surrogates count (for a reader that leaves the other
    control characters to the field that reads the text)."""
    if unstorable_only:
        pattern = _UNSTORABLE
    else:
        pattern = _FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_SINGLE_LINE
    match = pattern.search(text)
    if match is None:
        return None
    return match.start() + 1, match.group()


def character_label(char: str) -> str:
    """U+0007: how a message names an invisible character."""
    return f"U+{ord(char):04X}"


def character_problem(
    text: str, *, multiline: bool = True, unstorable_only: bool = False
) -> tuple[str, dict[str, Any]] | None:
    """Why ``text`` is refused, as an English template and its parameters (``char``,
    ``position``), or None when every character is allowed."""
    found = forbidden_character(text, multiline=multiline, unstorable_only=unstorable_only)
    if found is None:
        return None
    position, char = found
    if "\ud800" <= char <= "\udfff":
        template = gettext_noop(
            "holds half of a character (%(char)s, an unpaired surrogate) at position %(position)s"
        )
    else:
        template = gettext_noop("holds a control character (%(char)s) at position %(position)s")
    return template, {"char": character_label(char), "position": position}


def strip_forbidden(text: str) -> str:
    """``text`` without the characters it may not hold (for rich text pasted from a word
    processor, where they are invisible leftovers: Word's cell and page marks)."""
    return _FORBIDDEN_MULTILINE.sub("", text)


def parse_id(text: str | None) -> int | None:
    """The whole number written in ``text`` (1 to 18 ASCII digits), or None."""
    if text is None or not _ID_RE.fullmatch(text):
        return None
    return int(text)


def is_finite(number: Any) -> bool:
    """False for NaN and the infinities, of float or Decimal."""
    if isinstance(number, Decimal):
        return number.is_finite()
    if isinstance(number, float):
        return math.isfinite(number)
    return True


def within_bounds(number: Decimal, max_integer_digits: int = MAX_INTEGER_DIGITS) -> bool:
    """A finite number with at most ``max_integer_digits`` digits before the decimal mark."""
    return number.is_finite() and abs(number) < Decimal(10) ** max_integer_digits
