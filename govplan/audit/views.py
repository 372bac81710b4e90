from __future__ import annotations

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govplan.access.policies import requires
from govplan.access.scoping import Capability, require_national
from govplan.audit.models import Action, AuditEvent, Verification
from govplan.core.auditchain import Problem
from govplan.webutils.forms import date_field

EVENTS_PER_PAGE = 50

# What the verifier found at the first broken link (govplan.core.auditchain.Problem).
PROBLEMS = {
    Problem.ALTERED: _("content altered after it was written"),
    Problem.MISSING: _("entries missing before it (deleted)"),
    Problem.INSERTED: _("an entry inserted out of sequence"),
    Problem.REORDERED: _("entries reordered"),
    Problem.BACKDATED: _("an entry dated before the one preceding it (back-dated)"),
    Problem.TRUNCATED: _("entries verified before are gone from the end"),
    Problem.NOT_IN_SINK: _("an entry missing from the external copy"),
    Problem.NOT_IN_DATABASE: _("an entry of the external copy missing from the database"),
    Problem.DIFFERS_FROM_SINK: _("an entry that differs from its external copy"),
    Problem.UNREADABLE: _("the external copy cannot be read"),
}


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *Action.choices]
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = date_field(_("From"))
    date_to = date_field(_("To"))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@requires(Capability.ADMINISTER)
def audit_list(request: HttpRequest) -> HttpResponse:
    # The audit trail is national: only a national administrator may read it.
    require_national(request.user, Capability.ADMINISTER)
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor")
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            events = events.filter(actor_username__iexact=data["actor"].strip())
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"].strip())
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
        if data["date_from"]:
            events = events.filter(at__gte=_day_start(data["date_from"]))
        if data["date_to"]:
            events = events.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    last_verification = Verification.objects.order_by("-started_at", "-id").first()
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form,
            "page": page,
            "verification": last_verification,
            "problem": PROBLEMS.get(last_verification.problem, last_verification.problem)
            if last_verification
            else "",
        },
    )


@requires(Capability.ADMINISTER)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_national(request.user, Capability.ADMINISTER)
    event = get_object_or_404(AuditEvent.objects.select_related("actor"), pk=pk)
    return render(request, "audit/audit_detail.html", {"event": event})
