"""Rate limits on saves, imports, exports and downloads (and the API to come), per user and
for everyone together, counted in the shared cache (CACHES) by django-ratelimit.

A request over a limit is answered 429 with Retry-After (the seconds until its window ends)
and a translated message: in JSON for the editor's endpoints, as a page otherwise. Nothing of
it reaches the view, so nothing is saved.

The views are named in VIEW_KINDS (applied by RateLimitMiddleware, so that the table is the
one place to read); a view outside govplan.urls (the API) takes the ``rate_limited`` decorator.
The limits (RATE_LIMITS in the settings, from RATE_LIMIT_<KIND>[_GLOBAL]) are generous: the
deadline-day load benchmark's editors save once every 2 to 8 seconds, a quarter of the per-user
limit on saves.

A cache that fails (the database cache's table missing, Redis down) lets the request through
and logs the error: a broken counter must not stop people saving their work.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage  # type: ignore[import-untyped]

from govplan.webutils.client_ip import client_ip
from govplan.webutils.inputs import wants_json

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    methods: tuple[str, ...]


SAVE = Kind("save", ("POST",))
IMPORT = Kind("import", ("POST",))
EXPORT = Kind("export", ("GET", "POST"))
API = Kind("api", ("GET", "POST", "PUT", "PATCH", "DELETE"))
KINDS = {kind.name: kind for kind in (SAVE, IMPORT, EXPORT, API)}

# URL name → what it costs. A new saving, importing or exporting view gets its line here
# (tests/sessions/test_rate_limits.py checks that every URL named like one has).
VIEW_KINDS: dict[str, Kind] = {
    # The editor's saves
    "document_entry_save": SAVE,
    "document_entry_add": SAVE,
    "document_entry_delete": SAVE,
    "document_entry_move": SAVE,
    "document_section_save": SAVE,
    "document_entry_restore": SAVE,
    "document_table_restore": SAVE,
    # Imports and uploads
    "document_import": IMPORT,
    "document_import_apply": IMPORT,
    "document_attach": IMPORT,
    "framework_upload": IMPORT,
    "catalogue_upload": IMPORT,
    # Exports and downloads
    "document_xlsx": EXPORT,
    "document_xlsx_table": EXPORT,
    "document_docx": EXPORT,
    "document_pdf": EXPORT,
    "document_pdf_to_sign": EXPORT,
    "document_file_download": EXPORT,
    "document_attachment": EXPORT,
    "document_return_letter": EXPORT,
    "framework_source": EXPORT,
    "cycle_xlsx": EXPORT,
    "export_start": EXPORT,
    "export_download": EXPORT,
    "national_budget_export": EXPORT,
    "national_pivot_csv": EXPORT,
    "national_pivot_xlsx": EXPORT,
    # The national programme (issue 17)
    "task_import": IMPORT,
    "task_import_apply": IMPORT,
    "task_progress": IMPORT,  # a report with its evidence file
    "opinion_request": IMPORT,  # an agency's answer with its attachment (POST only)
    "task_evidence": EXPORT,
    "opinion_file": EXPORT,
    "national_statistics_xlsx": EXPORT,
    "programme_statistics_xlsx": EXPORT,
    "programme_statistics_tasks_xlsx": EXPORT,
    "allocation_appendix": EXPORT,
    "allocation_estimate_xlsx": EXPORT,
    "pilot_comparison_xlsx": EXPORT,
}


def _rate(kind: Kind, scope: str) -> str | None:
    rate = settings.RATE_LIMITS.get(kind.name, {}).get(scope)
    return str(rate) if rate else None


def _user_key(group: str, request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def _everyone_key(group: str, request: HttpRequest) -> str:
    return "everyone"


def _over(request: HttpRequest, kind: Kind) -> int | None:
    """Seconds to wait when ``request`` is over a limit of ``kind`` (counting it), else None."""
    if not settings.RATE_LIMITS_ENABLED or request.method not in kind.methods:
        return None
    for scope, key in (("user", _user_key), ("global", _everyone_key)):
        rate = _rate(kind, scope)
        if rate is None:
            continue
        try:
            usage = get_usage(
                request, group=f"govplan:{kind.name}:{scope}", key=key, rate=rate, increment=True
            )
        except Exception:  # a broken counter must not stop people saving
            logger.exception("Rate limit of %s not counted: the cache failed", kind.name)
            return None
        if usage is not None and usage["should_limit"]:
            return max(1, int(usage["time_left"]))
    return None


def too_many(request: HttpRequest, kind: Kind, retry_after: int) -> HttpResponse:
    message = {
        "save": _(
            "Too many saves in a short time. Wait %(seconds)s seconds: what you typed is kept "
            "and saved then."
        ),
        "import": _(
            "Too many imports in a short time. Wait %(seconds)s seconds, then send the file again."
        ),
        "export": _(
            "Too many exports and downloads in a short time. Wait %(seconds)s seconds, then try "
            "again."
        ),
        "api": _("Too many requests in a short time. Wait %(seconds)s seconds, then try again."),
    }[kind.name] % {"seconds": retry_after}
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {"status": "rate_limited", "errors": {"": message}, "retry_after": retry_after},
            status=429,
        )
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(
    kind_name: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """For a view not in VIEW_KINDS (the API to come): ``@rate_limited("api")``."""
    kind = KINDS[kind_name]

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            wait = _over(request, kind)
            if wait is not None:
                return too_many(request, kind, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class RateLimitMiddleware:
    """Applies VIEW_KINDS; after the access check, so a refused request costs nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        match = request.resolver_match
        kind = VIEW_KINDS.get(match.url_name or "") if match is not None else None
        if kind is None:
            return None
        wait = _over(request, kind)
        return None if wait is None else too_many(request, kind, wait)
