"""The idle timeout, besides the session's absolute age (SESSION_COOKIE_AGE).

A request more than IDLE_SESSION_TIMEOUT_MINUTES after the session's last one ends the session
(recorded in the audit trail) before any view runs. A page then goes to the login page with a
message; a JSON endpoint (the editor's autosave) answers 401 with the message in JSON, which the
editor shows while keeping what was typed on the page. The last activity is written at most
once a minute, so that reading pages does not write the session on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from govplan.access.policies import policy_of
from govplan.usersessions import tracking
from govplan.usersessions.actions import do_record_idle_logout
from govplan.webutils import inputs

IDLE_FLAG = "_govplan_idle_logout"


def wants_json(request: HttpRequest) -> bool:
    """The editor's endpoints (govplan.webutils.inputs.wants_json) and any script asking for
    JSON first."""
    return inputs.wants_json(request) or request.headers.get("Accept", "").startswith(
        "application/json"
    )


def idle_message() -> str:
    return _(
        "Your session ended after %(minutes)s minutes without activity. Sign in again to go on."
    ) % {"minutes": tracking.idle_limit_seconds() // 60}


def ended_json(request: HttpRequest) -> JsonResponse:
    if getattr(request, IDLE_FLAG, False):
        text = idle_message()
    else:
        text = _("Your session has ended. Sign in again to go on.")
    text += " " + _(
        "What you typed is still on this page and is saved once you have signed in again "
        "(in another tab)."
    )
    return JsonResponse(
        {"errors": {"": text}, "session_ended": True, "login_url": reverse("login")}, status=401
    )


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last = request.session.get(tracking.LAST_ACTIVITY)
            idle = None if last is None else now - float(last)
            if idle is not None and idle > tracking.idle_limit_seconds():
                do_record_idle_logout(user, request.session.session_key, int(idle))
                request.session.flush()
                request.user = AnonymousUser()
                setattr(request, IDLE_FLAG, True)
                if not wants_json(request):
                    messages.warning(request, idle_message())
            elif idle is None or idle >= tracking.ACTIVITY_RESOLUTION_SECONDS:
                tracking.touched(request, now)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        """A JSON endpoint reached without a session answers 401 in JSON, not with the login
        page's HTML (which a script would take for an answer)."""
        if request.user.is_authenticated or not wants_json(request):
            return None
        policy = policy_of(view_func)
        if policy is None or not policy.login_required:
            return None
        return ended_json(request)
