from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from govplan.core.inputs import character_problem, strip_forbidden
from govplan.webutils.inputs import InputRefused, refusal


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose otherwise.

    Django's LocaleMiddleware follows the browser's Accept-Language, so an official whose
    browser happens to be set to English would get English pages; GovPlan's language is a
    choice made in the page (the language cookie), with Vietnamese as the default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        translation.deactivate()
        return response


class InputMiddleware:
    """No request reaches a view with a character no input may hold (NUL, another control
    character, an unpaired surrogate: govplan.core.inputs) in its address, its parameters or
    its form fields (Django drops them from the names of uploaded files itself); and a
    parameter a view refuses as malformed (govplan.webutils.inputs.InputRefused) is answered 400
    with the reason. The editor's JSON bodies have their own reader (documents.views.api)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = first_refused_input(request)
        if refused is not None:
            return refusal(request, *refused)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, InputRefused):
            return refusal(request, exception.field, exception.message)
        return None


def first_refused_input(request: HttpRequest) -> tuple[str, str] | None:
    """(field, message) for the first thing in the request no page may take, or None."""
    checks: list[tuple[str, str, bool]] = [(str(_("the address")), request.path_info, False)]
    for data in (request.GET, request.POST):
        for name, values in data.lists():
            checks.append((name, name, False))
            checks.extend((name, value, True) for value in values)
    for key, value in request.META.items():
        # Headers that django-axes and the audit trail store (User-Agent, Accept): no NUL.
        if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            checks.append((key.removeprefix("HTTP_").replace("_", "-").title(), value, True))
    for field, text, multiline in checks:
        problem = character_problem(text, multiline=multiline)
        if problem is not None:
            template, params = problem
            shown = strip_forbidden(field) or "?"
            return shown, _("“%(field)s” %(problem)s.") % {
                "field": shown,
                "problem": _(template) % params,
            }
    return None


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page served to a signed-in user and on every
    download: a plan before it is public must not stay in a shared computer's browser cache
    nor in a proxy's. Public pages keep their caching; static files never reach this (WhiteNoise
    answers them first in production)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        download = "Content-Disposition" in response
        if signed_in or download:
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
        return response
