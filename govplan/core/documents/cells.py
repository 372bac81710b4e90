"""Typed values as people type, paste or import them: one parser for the grid, the forms and
the XLSX import, so that a cell means the same whichever way it arrived.

Stored (canonical) forms are JSON-friendly: numbers as exact decimal strings ("1234.5"),
integers as int, dates as "YYYY-MM-DD", year ranges as "2018-2020", choices as option codes,
multichoices as lists of codes, booleans as true/false. ``None`` is an empty cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from govplan.core.frameworks.catalogue import Option
from govplan.core.i18n import gettext_noop
from govplan.core.inputs import MAX_INTEGER_DIGITS, character_problem, is_finite, within_bounds

MONEY_PLACES = 3  # million VND to the thousand đồng
DECIMAL_PLACES = 6
# Money in million VND: below 10**12 million VND (10**18 đồng, far beyond the state budget),
# so that with its 3 decimals a sum stays within the 15 digits a spreadsheet holds exactly.
MONEY_INTEGER_DIGITS = 12
MAX_TEXT = 4000
MAX_LONGTEXT = 20000
MAX_URL = 2000
YEAR_MIN, YEAR_MAX = 1990, 2100
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
SHOWN = 50  # characters of a refused value repeated in its message

_TRUE = {"1", "x", "có", "co", "yes", "y", "true", "đúng", "dung", "đ", "✓", "✔"}
_FALSE = {"0", "không", "khong", "no", "n", "false", "sai", "k"}
_URL_RE = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
_YEAR_RANGE_RE = re.compile(
    r"^\s*([0-9]{4})\s*(?:[-–—/]|đến|den|to)\s*([0-9]{4})\s*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class CellError:
    """Why a value was refused: an English template (translated by the Django layer)."""

    template: str
    params: dict[str, Any]

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


class CellValueError(ValueError):
    def __init__(self, template: str, **params: Any) -> None:
        self.error = CellError(template, params)
        super().__init__(self.error.message)


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _shown(raw: Any) -> str:
    """A refused value as its message repeats it: trimmed, and cut short if long."""
    text = str(raw).strip()
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _not_a_number(raw: Any) -> CellValueError:
    return CellValueError(gettext_noop("not a number: %(value)s"), value=_shown(raw))


def _bounded(number: Decimal, digits: int = MAX_INTEGER_DIGITS) -> Decimal:
    if not within_bounds(number, digits):
        raise CellValueError(
            gettext_noop("too large: at most %(digits)s digits before the decimal mark"),
            digits=digits,
        )
    return number


def parse_number(raw: Any, *, locale: str = "vi", max_digits: int = MAX_INTEGER_DIGITS) -> Decimal:
    """A number typed the Vietnamese way (1.234,5), the English way (1,234.5) or by a
    spreadsheet (1234.5). A single '.' followed by exactly three digits is a thousands
    separator in Vietnamese (1.234 = 1234); otherwise '.' is the decimal point.

    Digits are ASCII digits only (as in the editor's script); NaN, the infinities and
    numbers with more than ``max_digits`` digits before the decimal mark are refused."""
    if isinstance(raw, bool):
        raise _not_a_number(raw)
    if isinstance(raw, int | Decimal | float):
        if not is_finite(raw):
            raise _not_a_number(raw)
        if isinstance(raw, int) and abs(raw) >= 10**max_digits:
            return _bounded(Decimal(10) ** max_digits, max_digits)  # refused, not converted
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        return _bounded(number, max_digits)
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if text.endswith("%"):
        text = text[:-1]
    negative = text.startswith("-") or text.startswith("−")
    body = text[1:] if text[:1] in ("-", "−", "+") else text  # one sign: "+-5" is not 5
    if not body or not re.fullmatch(r"[0-9.,]+", body):
        raise _not_a_number(raw)
    if "." in body and "," in body:
        decimal_mark = "." if body.rfind(".") > body.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        whole, _mark, fraction = body.rpartition(decimal_mark)
        # The thousands must be groups of three: "1.23,4" is a slip, not 123.4.
        if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", whole):
            raise CellValueError(gettext_noop("not a number: %(value)s"), value=str(raw).strip())
        body = whole.replace(thousands, "") + "." + fraction
    elif "," in body:
        if locale == "en" and re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", body):
            body = body.replace(",", "")
        elif body.count(",") == 1:
            body = body.replace(",", ".")
        else:
            raise _not_a_number(raw)
    elif "." in body:
        if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", body) and (
            locale == "vi" or body.count(".") > 1
        ):
            body = body.replace(".", "")
        elif body.count(".") > 1:
            raise _not_a_number(raw)
    try:
        number = Decimal(body)
    except InvalidOperation:
        raise _not_a_number(raw) from None
    return _bounded(-number if negative else number, max_digits)


def canonical_decimal(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text if text not in ("-0",) else "0"


def _non_negative(number: Decimal) -> None:
    if number < 0:
        raise CellValueError(gettext_noop("must not be negative"))


def _places(number: Decimal, places: int) -> None:
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise CellValueError(
            gettext_noop("at most %(places)s digits after the decimal mark"), places=places
        )


def parse_integer(raw: Any, *, locale: str = "vi", minimum: int | None = 0) -> int:
    number = parse_number(raw, locale=locale)
    if number != number.to_integral_value():
        raise CellValueError(gettext_noop("must be a whole number"))
    value = int(number)
    if minimum is not None and value < minimum:
        if minimum == 0:
            raise CellValueError(gettext_noop("must not be negative"))
        raise CellValueError(gettext_noop("must be at least %(min)s"), min=minimum)
    return value


def parse_money(raw: Any, *, locale: str = "vi") -> str:
    number = parse_number(raw, locale=locale, max_digits=MONEY_INTEGER_DIGITS)
    _non_negative(number)
    _places(number, MONEY_PLACES)
    return canonical_decimal(number)


def parse_decimal(
    raw: Any,
    *,
    locale: str = "vi",
    minimum: float | None = None,
    maximum: float | None = None,
) -> str:
    number = parse_number(raw, locale=locale)
    _places(number, DECIMAL_PLACES)
    if minimum is not None and number < Decimal(str(minimum)):
        if minimum == 0:
            raise CellValueError(gettext_noop("must not be negative"))
        raise CellValueError(gettext_noop("must be at least %(min)s"), min=minimum)
    if maximum is not None and number > Decimal(str(maximum)):
        raise CellValueError(gettext_noop("must be at most %(max)s"), max=maximum)
    return canonical_decimal(number)


def parse_year(raw: Any, *, years: Sequence[int] | None = None) -> int:
    try:
        year = parse_integer(raw, locale="en")
    except CellValueError:
        raise CellValueError(gettext_noop("not a year: %(value)s"), value=_shown(raw)) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise CellValueError(gettext_noop("not a year: %(value)s"), value=_shown(raw))
    if years is not None and year not in years:
        raise CellValueError(
            gettext_noop("%(year)s is outside the period %(first)s-%(last)s"),
            year=year,
            first=years[0],
            last=years[-1],
        )
    return year


def parse_year_range(raw: Any) -> str:
    text = str(raw).strip()
    match = _YEAR_RANGE_RE.match(text)
    if match:
        start, end = int(match.group(1)), int(match.group(2))
    else:
        start = end = parse_year(text)
    for year in (start, end):
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise CellValueError(gettext_noop("not a year: %(value)s"), value=year)
    if end < start:
        raise CellValueError(gettext_noop("the years run backwards: %(value)s"), value=_shown(text))
    return f"{start}-{end}"


def parse_date(raw: Any) -> str:
    """A date typed as 22/11/2026 (or 2026-11-22, 22-11-2026, 22.11.2026) in ASCII digits,
    between 1900 and 2100."""
    day: dt.date | None = None
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    elif str(raw).strip().isascii():
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                day = dt.datetime.strptime(str(raw).strip(), fmt).date()
                break
            except ValueError:
                continue
    if day is None:
        raise CellValueError(
            gettext_noop("not a date (write it as 22/11/2026): %(value)s"), value=_shown(raw)
        )
    if not DATE_MIN <= day <= DATE_MAX:
        raise CellValueError(
            gettext_noop("%(value)s is outside the years %(first)s-%(last)s"),
            value=_shown(raw),
            first=DATE_MIN.year,
            last=DATE_MAX.year,
        )
    return day.isoformat()


def parse_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellValueError(
        gettext_noop("answer yes or no (có / không): %(value)s"), value=_shown(raw)
    )


def _match_option(text: str, options: Sequence[Option]) -> str | None:
    wanted = text.strip().casefold()
    for option in options:
        if wanted in (option.code.casefold(), option.title.casefold(), option.title_en.casefold()):
            return option.code
    return None


def parse_choice(raw: Any, options: Sequence[Option]) -> str:
    code = _match_option(str(raw), options)
    if code is None:
        raise CellValueError(
            gettext_noop('"%(value)s" is not one of: %(choices)s'),
            value=_shown(raw),
            choices="; ".join(o.title for o in options),
        )
    return code


def parse_multichoice(raw: Any, options: Sequence[Option]) -> list[str]:
    items = raw if isinstance(raw, list) else re.split(r"[;,\n]", str(raw))
    codes: list[str] = []
    for item in items:
        if is_blank(item):
            continue
        code = parse_choice(item, options)
        if code not in codes:
            codes.append(code)
    return codes


def _check_characters(text: str, *, multiline: bool = True) -> None:
    problem = character_problem(text, multiline=multiline)
    if problem is not None:
        template, params = problem
        raise CellValueError(template, **params)


def parse_text(raw: Any, *, limit: int = MAX_TEXT) -> str:
    """Text as typed (tabs and line breaks allowed); control characters and unpaired
    surrogates are refused with their position in what was typed."""
    if isinstance(raw, dict | list | tuple):
        raise CellValueError(gettext_noop("must be text"))
    text = str(raw)
    _check_characters(text)
    text = text.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise CellValueError(gettext_noop("longer than %(max)s characters"), max=limit)
    return text


def parse_url(raw: Any) -> str:
    text = str(raw).strip()
    if len(text) > MAX_URL:
        raise CellValueError(gettext_noop("longer than %(max)s characters"), max=MAX_URL)
    _check_characters(text, multiline=False)
    if not _URL_RE.match(text):
        raise CellValueError(
            gettext_noop("not a web address (it starts with https://): %(value)s"),
            value=_shown(text),
        )
    return text


def parse_column_value(
    column_type: str,
    raw: Any,
    *,
    choices: Sequence[Option] = (),
    locale: str = "vi",
    years: Sequence[int] | None = None,
) -> Any:
    """The canonical value of a table cell of ``column_type``; None for an empty cell.
    Raises CellValueError with the reason otherwise."""
    if is_blank(raw) or (isinstance(raw, list) and not raw):
        return None
    if column_type == "text":
        return parse_text(raw)
    if column_type == "longtext":
        return parse_text(raw, limit=MAX_LONGTEXT)
    if column_type == "integer":
        return parse_integer(raw, locale=locale)
    if column_type == "decimal":
        return parse_decimal(raw, locale=locale)
    if column_type == "money":
        return parse_money(raw, locale=locale)
    if column_type == "percent":
        return parse_decimal(raw, locale=locale, minimum=0, maximum=100)
    if column_type == "year":
        return parse_year(raw)
    if column_type == "year_range":
        return parse_year_range(raw)
    if column_type == "date":
        return parse_date(raw)
    if column_type == "boolean":
        return parse_boolean(raw)
    if column_type == "choice":
        return parse_choice(raw, choices)
    if column_type == "multichoice":
        return parse_multichoice(raw, choices) or None
    if column_type == "url":
        return parse_url(raw)
    raise CellValueError(gettext_noop("unknown type %(value)s"), value=column_type)


def display_value(
    column_type: str, value: Any, *, choices: Sequence[Option] = (), locale: str = "vi"
) -> str:
    """How a stored value is written back into a cell (the inverse of the parser)."""
    if value is None or value == "" or value == []:
        return ""
    if column_type in ("integer", "decimal", "money", "percent"):
        try:
            return format_number(Decimal(str(value)), locale=locale)
        except (InvalidOperation, ValueError):  # stored before the checks: shown as it is
            return str(value)
    if column_type == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if column_type == "boolean":
        return ("có" if value else "không") if locale == "vi" else ("yes" if value else "no")
    if column_type == "year_range":
        start, _dash, end = str(value).partition("-")
        return start if start == end else str(value)  # "2008", not "2008-2008"
    if column_type in ("choice", "multichoice"):
        codes = [str(c) for c in value] if isinstance(value, list) else [str(value)]
        titles = {o.code: o.title for o in choices}
        return "; ".join(titles.get(c, c) for c in codes)
    return str(value)


def format_number(number: Decimal, *, locale: str = "vi", places: int | None = None) -> str:
    """1234.5 → "1.234,5" (vi) or "1,234.5" (en); infinity or NaN as Python writes them."""
    if not number.is_finite():
        return str(number)
    if places is not None:
        try:
            number = number.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:  # more digits than the context holds: printed as it is
            places = None
    text = canonical_decimal(number) if places is None else format(number, "f")
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    thousands, decimal_mark = (".", ",") if locale == "vi" else (",", ".")
    result = thousands.join(groups) + (decimal_mark + fraction if fraction else "")
    return ("-" if negative else "") + result
