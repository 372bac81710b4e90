from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse

from govplan.audit.models import Action
from govplan.audit.origin import Origin, origin
from govplan.audit.recorder import record
from govplan.core.inputs import strip_forbidden
from govplan.webutils.client_ip import client_ip

# Refusals worth an entry: the default-deny layer's and the object loaders' (403, 404).
DENIED = (403, 404)


class RequestOriginMiddleware:
    """Sets the request's origin for every audit entry written during it, and writes the
    request's own entry, at most one, for a signed-in user: a refusal (403, or 404 from an
    object loader or an unknown address), or the download of a file (every file GovPlan
    hands out is an attachment response; documents are not public before they are issued)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = Origin(
            channel="web",
            ip=client_ip(request),
            # What the browser says of itself is kept as text, without control characters.
            user_agent=strip_forbidden(request.META.get("HTTP_USER_AGENT", ""))[:255],
        )
        with origin(value):
            response = self.get_response(request)
            _audit_request(request, response)
            return response


def _audit_request(request: HttpRequest, response: HttpResponse) -> None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    match = request.resolver_match
    where = {
        "method": request.method,
        # An address may carry anything (NUL, unpaired surrogates): kept as storable text.
        "path": strip_forbidden(request.path)[:500],
        "view": match.view_name if match else "",
        "status": response.status_code,
    }
    if response.status_code in DENIED:
        record(Action.ACCESS_DENIED, actor=user, after=where, require_transaction=False)
        return
    disposition = response.get("Content-Disposition", "")
    if response.status_code == 200 and disposition.startswith("attachment"):
        filename = strip_forbidden(attachment_name(disposition))[:200]
        record(
            Action.DOWNLOAD,
            actor=user,
            after={
                **where,
                "file": filename,
                "content_type": response.get("Content-Type", ""),
                **({"object": dict(match.kwargs)} if match and match.kwargs else {}),
            },
            require_transaction=False,
        )


# RFC 6266 as Django writes it: filename="…" (quotable ASCII, \ and " escaped) or, for any
# other name (Vietnamese ones), filename*=utf-8''<percent-encoded>.
_EXTENDED = re.compile(r"filename\*\s*=\s*([\w!#$%&+^`{}~-]*)'[^']*'([^;\s]*)", re.I)
_QUOTED = re.compile(r'filename\s*=\s*"((?:[^"\\]|\\.)*)"', re.I)
_TOKEN = re.compile(r"filename\s*=\s*([^;\s\"]+)", re.I)


def attachment_name(disposition: str) -> str:
    """The file name a Content-Disposition header gives, decoded ("" when it gives none)."""
    if match := _EXTENDED.search(disposition):
        charset = match.group(1) or "utf-8"
        try:
            return unquote(match.group(2), encoding=charset, errors="replace")
        except LookupError:  # an unknown charset: read it as UTF-8
            return unquote(match.group(2), errors="replace")
    if match := _QUOTED.search(disposition):
        return re.sub(r"\\(.)", r"\1", match.group(1))
    if match := _TOKEN.search(disposition):
        return match.group(1)
    return ""
