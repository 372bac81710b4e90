"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from govplan.webutils.inputs import DATE_FORMATS, DATE_MAX, DATE_MIN

DATE_INPUT_FORMATS = list(DATE_FORMATS)

T = TypeVar("T")


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


@overload
def form_action(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    then: Callable[[T], HttpResponse],
    refused: tuple[type[Exception], ...] = (),
) -> HttpResponse | None: ...


@overload
def form_action(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    then: HttpResponse,
    refused: tuple[type[Exception], ...] = (),
    already_done: type[Exception] | None = None,
    renamed: Mapping[str, str] | None = None,
) -> HttpResponse | None: ...


def form_action(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    then: HttpResponse | Callable[[Any], HttpResponse],
    refused: tuple[type[Exception], ...] = (),
    already_done: type[Exception] | None = None,
    renamed: Mapping[str, str] | None = None,
) -> HttpResponse | None:
    """Take a valid form's step: ``action`` (a do_* call), then the success message and
    ``then``, the redirect (or made from the action's result, e.g. a new object's page).

    Refused, None: the view shows the form again with the reasons on it, by attach_errors
    for a ValidationError (its fields ``renamed`` to the form's first), the message (at the
    exception's ``field`` if it has one) for one of ``refused``. ``already_done`` (the step
    was just taken, a double click: nothing more done) shows its message as information and
    redirects as a success does; only with a fixed ``then``, there being no result."""
    repeated: tuple[type[Exception], ...] = (already_done,) if already_done else ()
    try:
        result = action()
    except ValidationError as exc:
        for old, new in (renamed or {}).items():
            if old in getattr(exc, "error_dict", {}):
                exc.error_dict[new] = exc.error_dict.pop(old)
        attach_errors(form, exc)
        return None
    except refused as exc:
        field = getattr(exc, "field", "")
        attach_errors(
            form, ValidationError({field: str(exc)}) if field else ValidationError(str(exc))
        )
        return None
    except repeated as exc:
        if not isinstance(then, HttpResponse):
            raise  # no result to redirect by (the overloads keep this from happening)
        messages.info(request, str(exc))
        return then
    messages.success(request, success(result) if callable(success) else success)
    return then(result) if callable(then) else then
