"""A deadline as a letter or a spreadsheet writes it, read into a Deadline.

"30/6/2008", "ngày 30 tháng 6 năm 2008", "trước ngày 30/6/2008" are a day; "tháng 01 năm
2008", "trong tháng 01/2008", "01/2008" a month; "Quý II/2026", "quý 2 năm 2026", "Q2/2026" a
quarter; "thường xuyên" (or "hằng năm", which has no date either) a standing task. An ISO day
("2008-06-30") is read too. Anything else is refused with a DeadlineError naming what is
accepted. The text is what the user typed: never echoed in full (the caller names the cell)."""

from __future__ import annotations

import re
import unicodedata

from govplan.core.i18n import gettext_noop as _
from govplan.core.programmes.deadlines import Deadline, DeadlineError, DeadlineKind

MAX_LENGTH = 100

UNREADABLE = _(
    "The deadline is not understood: write a day (30/6/2008), a month (01/2008 or "
    "tháng 01 năm 2008), a quarter (Quý II/2026) or “thường xuyên” for a standing task."
)

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_STANDING = {"thuong xuyen", "hang nam", "standing"}
_PREFIXES = ("truoc ngay", "trong thang", "truoc", "trong", "han", "den")

_DATE = re.compile(
    r"^(?:ngay\s*)?(\d{1,2})\s*(?:/|-|\.|\s+thang\s+)\s*(\d{1,2})\s*(?:/|-|\.|\s+nam\s+)\s*(\d{4})$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(?:thang\s*|t)?(\d{1,2})\s*(?:/|-|\.|\s+nam\s+)\s*(\d{4})$")
_QUARTER = re.compile(r"^(?:quy|q)\s*(i{1,3}|iv|[1-4])\s*(?:/|-|\.|\s+nam\s+|\s+)\s*(\d{4})$")


def _plain(text: str) -> str:
    """Lower case, without diacritics (đ as d), single spaces."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", bare)


def parse_deadline(text: str) -> Deadline:
    """The Deadline ``text`` writes; DeadlineError otherwise (a day that does not exist is
    refused by Deadline itself: "30/2/2008")."""
    if len(text) > MAX_LENGTH:
        raise DeadlineError(UNREADABLE)
    plain = _plain(text)
    if plain in _STANDING:
        return Deadline.standing()
    for prefix in _PREFIXES:
        if plain.startswith(prefix + " "):
            plain = plain[len(prefix) + 1 :]
            break
    if match := _DATE.match(plain):
        day, month, year = (int(g) for g in match.groups())
        return Deadline(DeadlineKind.DATE, year=year, month=month, day=day)
    if match := _ISO.match(plain):
        year, month, day = (int(g) for g in match.groups())
        return Deadline(DeadlineKind.DATE, year=year, month=month, day=day)
    if match := _MONTH.match(plain):
        month, year = (int(g) for g in match.groups())
        return Deadline(DeadlineKind.MONTH, year=year, month=month)
    if match := _QUARTER.match(plain):
        quarter_text, year_text = match.groups()
        quarter = _ROMAN.get(quarter_text) or int(quarter_text)
        return Deadline(DeadlineKind.QUARTER, year=int(year_text), quarter=quarter)
    raise DeadlineError(UNREADABLE)
