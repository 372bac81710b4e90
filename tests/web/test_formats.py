"""Vietnamese number and date formats: 1.234,5 and 22/11/2026."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format


def render(text: str, **context: object) -> str:
    return Template("{% load govplan %}" + text).render(Context(context))


def test_numbers_in_vietnamese_and_english() -> None:
    with translation.override("vi"):
        assert render("{{ v|number }}", v=1234.5) == "1.234,5"
        assert render("{{ v|number:2 }}", v=Decimal("1234567.891")) == "1.234.567,89"
        assert render("{{ v|number }}", v=2026) == "2.026"
        assert render("{{ v }}", v=2026) == "2026"  # years and ids are never grouped
    with translation.override("en"):
        assert render("{{ v|number }}", v=1234.5) == "1,234.5"


def test_dates_are_day_month_year() -> None:
    day = dt.date(2026, 11, 22)
    with translation.override("vi"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "22/11/2026"
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=day) == "22/11/2026"
    with translation.override("en"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "22/11/2026"
