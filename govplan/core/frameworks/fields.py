"""Small typed readers that check one value at a path and report what is wrong there."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from govplan.core.frameworks.problems import Collector, join
from govplan.core.i18n import gettext_noop
from govplan.core.inputs import MAX_INTEGER_DIGITS, character_problem, is_finite

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]*$")
LOWER_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
INTEGER_RE = re.compile(rf"^-?[0-9]{{1,{MAX_INTEGER_DIGITS}}}$")

MISSING = object()


class Reader:
    def __init__(self, collector: Collector) -> None:
        self.c = collector

    def mapping(
        self,
        path: str,
        value: Any,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.c.add(path, gettext_noop("must be a mapping of keys and values"))
            return None
        required, optional = tuple(required), tuple(optional)
        allowed = required + optional
        for key in value:
            if key not in allowed:
                self.c.add(
                    join(path, str(key)),
                    gettext_noop('unknown key "%(key)s" (allowed: %(allowed)s)'),
                    key=key,
                    allowed=", ".join(allowed),
                )
        for key in required:
            if key not in value or value[key] is None:
                self.c.add(join(path, key), gettext_noop("required"))
        return value

    def text(self, path: str, value: Any, *, required: bool = True, max_length: int = 5000) -> str:
        if value is None or value == "":
            if required:
                self.c.add(path, gettext_noop("required"))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.c.add(path, gettext_noop("must be text"))
            return ""
        if isinstance(value, float) and not is_finite(value):
            self.c.add(path, gettext_noop("must be text"))
            return ""
        text = str(value).strip()
        if len(text) > max_length:
            self.c.add(path, gettext_noop("longer than %(max)s characters"), max=max_length)
        problem = character_problem(text)
        if problem is not None:
            self.c.add(path, problem[0], **problem[1])
            return ""
        return text

    def code(self, path: str, value: Any, pattern: re.Pattern[str] = CODE_RE) -> str:
        text = self.text(path, value, max_length=64)
        if text and not pattern.match(text):
            hint = {
                CODE_RE.pattern: "upper-case letters, digits, '.', '_' and '-'",
                LOWER_CODE_RE.pattern: "lower-case letters, digits and '_', starting with a letter",
            }.get(pattern.pattern, "letters, digits, '_' and '-'")
            self.c.add(
                path,
                gettext_noop('"%(value)s" is not a valid code (use %(hint)s)'),
                value=text,
                hint=hint,
            )
            return ""
        return text

    def boolean(self, path: str, value: Any, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.c.add(path, gettext_noop("must be true or false"))
            return default
        return value

    def integer(
        self, path: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and INTEGER_RE.match(value.strip()):
                value = int(value.strip())
            else:
                self.c.add(path, gettext_noop("must be a whole number"))
                return None
        number: int = value
        if abs(number) >= 10**MAX_INTEGER_DIGITS:
            self.c.add(
                path,
                gettext_noop("too large: at most %(digits)s digits before the decimal mark"),
                digits=MAX_INTEGER_DIGITS,
            )
            return None
        if minimum is not None and number < minimum:
            self.c.add(path, gettext_noop("must be at least %(min)s"), min=minimum)
            return None
        if maximum is not None and number > maximum:
            self.c.add(path, gettext_noop("must be at most %(max)s"), max=maximum)
            return None
        return number

    def number(self, path: str, value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.c.add(path, gettext_noop("must be a number"))
            return None
        if not is_finite(value):
            self.c.add(path, gettext_noop("must be a number"))
            return None
        if abs(value) >= 10**MAX_INTEGER_DIGITS:
            self.c.add(
                path,
                gettext_noop("too large: at most %(digits)s digits before the decimal mark"),
                digits=MAX_INTEGER_DIGITS,
            )
            return None
        return float(value)

    def date(self, path: str, value: Any, *, required: bool = True) -> dt.date | None:
        if value is None or value == "":
            if required:
                self.c.add(path, gettext_noop("required"))
            return None
        day: dt.date | None = value if isinstance(value, dt.date) else None
        if day is None and isinstance(value, str) and value.strip().isascii():
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                day = None
        if day is None:
            self.c.add(
                path,
                gettext_noop('"%(value)s" is not a date in YYYY-MM-DD form'),
                value=str(value)[:50],
            )
            return None
        if not DATE_MIN <= day <= DATE_MAX:
            # A later cycle moves the dates on by years; keep them well inside the calendar.
            self.c.add(
                path,
                gettext_noop("%(value)s is outside the years %(first)s-%(last)s"),
                value=day.isoformat(),
                first=DATE_MIN.year,
                last=DATE_MAX.year,
            )
            return None
        return day

    def choice(
        self,
        path: str,
        value: Any,
        allowed: tuple[str, ...],
        *,
        what: str = "value",
        required: bool = True,
    ) -> str:
        if value is None or value == "":
            if required:
                self.c.add(path, gettext_noop("required"))
            return ""
        if not isinstance(value, str) or value not in allowed:
            template = (
                gettext_noop('unknown type "%(value)s" (allowed: %(allowed)s)')
                if what == "type"
                else gettext_noop('unknown value "%(value)s" (allowed: %(allowed)s)')
            )
            self.c.add(path, template, value=value, allowed=", ".join(allowed))
            return ""
        return value

    def listing(self, path: str, value: Any, *, required: bool = False) -> list[Any]:
        if value is None:
            if required:
                self.c.add(path, gettext_noop("required"))
            return []
        if not isinstance(value, list):
            self.c.add(path, gettext_noop("must be a list"))
            return []
        return value

    def choices_list(
        self, path: str, value: Any, allowed: tuple[str, ...], *, required: bool = False
    ) -> list[str]:
        result: list[str] = []
        for i, item in enumerate(self.listing(path, value, required=required)):
            chosen = self.choice(join(path, i), item, allowed)
            if chosen:
                if chosen in result:
                    self.c.add(
                        join(path, i), gettext_noop('"%(value)s" is listed twice'), value=chosen
                    )
                else:
                    result.append(chosen)
        return result
