from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from govplan.access.policies import authenticated, public
from govplan.access.scoping import scope_for
from govplan.accounts import second_factor
from govplan.accounts.actions import do_set_password
from govplan.accounts.models import Membership
from govplan.accounts.types import AuthenticatedRequest
from govplan.documents.due import due_items
from govplan.usersessions.tracking import sessions_for_page
from govplan.workflow.opinions import waiting_for
from govplan.workflow.queue import routed_queue

HOME_WAITING = 8  # the first of the appraisal queue on the home page


@authenticated
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("org_unit", "org_unit__parent")
        .order_by("org_unit__name", "role")
    )
    today = timezone.localdate()
    units: dict[int, dict[str, Any]] = {}
    for membership in memberships:
        entry = units.setdefault(membership.org_unit_id, {"unit": membership.org_unit, "roles": []})
        entry["roles"].append(membership.get_role_display())
    # What waits for appraisal: its size and the first few, never the whole queue.
    waiting = routed_queue(request.user)
    waiting_count = waiting.counts().total
    return render(
        request,
        "web/home.html",
        {
            "units": list(units.values()),
            "scope": scope_for(request.user),
            "today": today,
            "due": due_items(request.user, today),
            "waiting": list(waiting.documents[:HOME_WAITING]) if waiting_count else [],
            "waiting_count": waiting_count,
            # Joint appraisal: requests for an opinion waiting for the user's agencies.
            "opinions_waiting": waiting_for(request.user),
        },
    )


@public
@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@authenticated
def profile(request: AuthenticatedRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user=request.user).select_related("org_unit")
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_set_password(request.user, form.cleaned_data["new_password1"], actor=request.user)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("profile")
    return render(
        request,
        "web/profile.html",
        {
            "memberships": memberships,
            "form": form,
            "otp_enrolled": second_factor.has_second_factor(request.user),
            "otp_required": second_factor.requires_second_factor(request.user),
            "recovery_left": second_factor.recovery_codes_left(request.user),
            "user_sessions": sessions_for_page(request),
            "idle_minutes": settings.IDLE_SESSION_TIMEOUT_MINUTES,
        },
    )
