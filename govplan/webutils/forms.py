"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govplan.webutils.inputs import DATE_FORMATS, DATE_MAX, DATE_MIN

DATE_INPUT_FORMATS = list(DATE_FORMATS)


def _within_calendar(day: Any) -> None:
    # Year 1 or 9999 is a valid date to Python but turns into an overflow as soon as a page
    # adds a day or the database converts it to UTC.
    if day is not None and not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": DATE_MIN.year, "last": DATE_MAX.year},
        )


def date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    """A date typed in the browser's date picker, or as 22/11/2026, between 1900 and 2100."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(
            attrs={"type": "date", "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            format="%Y-%m-%d",
        ),
        input_formats=DATE_INPUT_FORMATS,
        validators=[_within_calendar],
    )


def attach_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show an action's ValidationError on the form: at its field when it names one the form
    has, above the form otherwise. The user's input stays in the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
