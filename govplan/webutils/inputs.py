"""Request parameters read one way everywhere: ids and counts, dates and moments, and the
refusal of a parameter no page can use (400 with a message naming it, never a 500).

A view calls ``int_param(request.GET, "a")`` or ``date_param(...)``; a malformed value raises
:class:`InputRefused`, which :class:`~govplan.webutils.middleware.InputMiddleware` answers as a
page or, for the editor's endpoints, as JSON. A well-formed id that names nothing is still
the view's 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from govplan.core.inputs import parse_id

DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
SHOWN = 40


class InputRefused(BadRequest):
    """A request parameter refused as it is, with the message to show."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def int_param(data: Mapping[str, Any], name: str, default: int | None = None) -> int | None:
    """``data[name]`` as a whole number; ``default`` when it is missing or empty."""
    raw = data.get(name)
    if raw is None or raw == "":
        return default
    number = parse_id(str(raw))
    if number is None:
        raise InputRefused(
            name,
            _("“%(field)s” must be a whole number written with the digits 0-9, not “%(value)s”.")
            % {"field": name, "value": shown(raw)},
        )
    return number


def parse_day(text: str) -> dt.date | None:
    """A date as the date fields take it (2026-11-22 or 22/11/2026, ASCII digits), between
    1900 and 2100; None otherwise."""
    text = text.strip()
    if not text.isascii():
        return None
    for fmt in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if DATE_MIN <= day <= DATE_MAX else None
    return None


def _not_a_date(name: str, raw: Any) -> InputRefused:
    return InputRefused(
        name,
        _(
            "“%(field)s” is not a date between %(first)s and %(last)s (write it as "
            "22/11/2026): “%(value)s”."
        )
        % {"field": name, "value": shown(raw), "first": DATE_MIN.year, "last": DATE_MAX.year},
    )


def date_param(data: Mapping[str, Any], name: str) -> dt.date | None:
    """``data[name]`` as a date; None when it is missing or empty."""
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    day = parse_day(str(raw))
    if day is None:
        raise _not_a_date(name, raw)
    return day


def datetime_param(data: Mapping[str, Any], name: str) -> dt.datetime | None:
    """``data[name]`` as an aware moment (2026-11-22T10:32, local time unless it says
    otherwise); None when it is missing or empty."""
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    try:
        moment = parse_datetime(text) if text.isascii() else None
    except ValueError:  # well formed, but no such day or hour (2025-02-30T10:00)
        moment = None
    if moment is None or not DATE_MIN <= moment.date() <= DATE_MAX:
        raise _not_a_date(name, raw)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def wants_json(request: HttpRequest) -> bool:
    """The editor's endpoints and status polls answer JSON; pages answer HTML."""
    return (
        request.content_type == "application/json"
        or "/api/" in request.path
        or request.path.endswith(".json")
    )


def refusal(request: HttpRequest, field: str, message: str) -> HttpResponse:
    """400: what was refused and why, as the caller understands it."""
    if wants_json(request):
        return JsonResponse({"status": "invalid", "errors": {field: message}}, status=400)
    return render(request, "400.html", {"field": field, "message": message}, status=400)
