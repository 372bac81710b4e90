"""The account gate: what a signed-in user must settle before reaching anything else.

In order, for every view but the few that settle it (and logging out, the language switch,
the health check):
1. a user with an authenticator who has not typed its code in this session is sent to the
   code page (otp_verify);
2. a user whose password an administrator set is sent to choose their own
   (password_change_required);
3. a user whose role requires two-factor authentication (second_factor.REQUIRED_ROLES) and
   who has none is sent to enrol (otp_enrol).

Enforced here, once, after DefaultDenyMiddleware and django-otp's OTPMiddleware, never per
view: a new view is covered without declaring anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from govplan.accounts.second_factor import standing
from govplan.webutils.inputs import wants_json

# Open to a signed-in user whatever they still owe.
ALWAYS_OPEN = frozenset(
    {
        "logout",
        "login",
        "set_language",
        "healthz",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)
VERIFY, CHANGE_PASSWORD, ENROL = "otp_verify", "password_change_required", "otp_enrol"


def owed_step(request: HttpRequest) -> str | None:
    """The URL name of the page the signed-in user must settle first, if any."""
    user: Any = request.user
    verified = bool(getattr(user, "is_verified", lambda: False)())
    enrolled, required = (True, True) if verified else standing(user)
    if not verified and enrolled:
        return VERIFY
    if user.must_change_password:
        return CHANGE_PASSWORD
    if not verified and required:
        return ENROL
    return None


class AccountGateMiddleware:
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
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        name = match.url_name if match is not None else None
        if name in ALWAYS_OPEN:
            return None
        step = owed_step(request)
        if step is None or step == name:
            return None
        url = reverse(step)
        if wants_json(request) or request.headers.get("Accept", "").startswith("application/json"):
            # The editor's scripts: a 401 they understand (what was typed stays on the page and
            # is sent again once the step is settled in another tab), not a redirect to HTML.
            return step_json(step, url)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)


def step_json(step: str, url: str) -> JsonResponse:
    first = {
        VERIFY: _("Type the code from your authenticator first."),
        CHANGE_PASSWORD: _("Choose your own password first."),
        ENROL: _("Set up two-factor authentication first."),
    }[step]
    text = (
        first
        + " "
        + _(
            "Open GovPlan in another tab to do it: what you typed is still on this page and is "
            "saved once that is done."
        )
    )
    return JsonResponse(
        {"errors": {"": text}, "session_ended": True, "step": step, "step_url": url}, status=401
    )
