"""Ending one's other sessions from the account page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated
from govplan.accounts.types import AuthenticatedRequest
from govplan.usersessions.actions import NoSuchSession, do_end_other_sessions, do_end_session


@authenticated
@require_POST
def session_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        do_end_session(request.user, pk, current_key=request.session.session_key)
    except NoSuchSession:
        messages.info(request, _("That session has already ended."))
    else:
        messages.success(request, _("The session was ended: it is signed out."))
    return redirect("profile")


@authenticated
@require_POST
def sessions_end_others(request: AuthenticatedRequest) -> HttpResponse:
    count = do_end_other_sessions(request.user, current_key=request.session.session_key)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s other session was ended.", "%(count)s other sessions were ended.", count
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("You have no other session."))
    return redirect("profile")
