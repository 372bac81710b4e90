"""The pilots' pages: the list, a pilot's page (units, roadmap, comparison, evaluations) and
the forms that change it. Who may do what: govplan.pilots.access."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability, scope_for
from govplan.accounts.types import AuthenticatedRequest
from govplan.orgunits.models import OrgUnit
from govplan.pilots import actions
from govplan.pilots.access import (
    load_milestone,
    load_pilot,
    may_create,
    may_manage,
    require_create,
    self_evaluating_units,
    visible_pilots,
)
from govplan.pilots.forms import (
    DesignateForm,
    MilestoneEvaluationForm,
    MilestoneForm,
    PilotEvaluationForm,
    PilotForm,
    SelfEvaluationForm,
)
from govplan.pilots.models import (
    MILESTONE_STATUS_LABELS,
    Designation,
    Milestone,
    SelfEvaluation,
)
from govplan.pilots.selection import selected_comparison
from govplan.webutils.forms import form_action


def _posted(request: AuthenticatedRequest) -> Any:
    """The form's data on POST (even an empty one: its fields are then told they are
    missing), None on GET."""
    return request.POST if request.method == "POST" else None


@authenticated
def pilot_list(request: AuthenticatedRequest) -> HttpResponse:
    pilots = (
        visible_pilots(request.user)
        .select_related("assigning_unit", "programme")
        .annotate(units=Count("designations", distinct=True))
        .order_by("-start_date", "name")
    )
    return render(
        request,
        "pilots/pilot_list.html",
        {"pilots": pilots, "can_create": may_create(request.user)},
    )


def _pilot_fields(form: PilotForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "description": data["description"],
        "programme": data["programme"],
        "task": data.get("task"),
        "assigning_unit": data["assigning_unit"],
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "indicator_codes": [i.code for i in data["indicators"]],
    }


@requires(Capability.ADMINISTER)
def pilot_create(request: AuthenticatedRequest) -> HttpResponse:
    require_create(request.user)
    form = PilotForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        done = form_action(
            request,
            form,
            lambda: actions.do_create_pilot(**_pilot_fields(form), actor=request.user),
            success=_("The pilot is created: designate its units."),
            then=lambda pilot: redirect("pilot_detail", pk=pilot.pk),
        )
        if done is not None:
            return done
    return render(request, "pilots/pilot_form.html", {"form": form, "pilot": None})


@authenticated
def pilot_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pilot = load_pilot(request.user, pk, manage=True)
    initial = {
        "name": pilot.name,
        "description": pilot.description,
        "programme": pilot.programme_id,
        "task_code": pilot.task.code if pilot.task else "",
        "assigning_unit": pilot.assigning_unit_id,
        "start_date": pilot.start_date,
        "end_date": pilot.end_date,
        "indicators": list(pilot.indicators.values_list("code", flat=True)),
    }
    form = PilotForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        done = form_action(
            request,
            form,
            lambda: actions.do_update_pilot(pilot, **_pilot_fields(form), actor=request.user),
            success=_("The pilot is saved."),
            then=redirect("pilot_detail", pk=pilot.pk),
        )
        if done is not None:
            return done
    return render(request, "pilots/pilot_form.html", {"form": form, "pilot": pilot})


@authenticated
def pilot_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pilot = load_pilot(request.user, pk)
    scope = scope_for(request.user)
    today = timezone.localdate()
    designations = list(
        Designation.objects.filter(pilot=pilot).select_related("unit").order_by("designated_from")
    )
    milestones = list(
        Milestone.objects.filter(pilot=pilot)
        .select_related("evaluated_by")
        .prefetch_related(
            Prefetch(
                "self_evaluations",
                queryset=SelfEvaluation.objects.select_related("unit", "created_by"),
            )
        )
    )
    mine = self_evaluating_units(scope, pilot)
    roadmap = []
    for milestone in milestones:
        written = milestone.self_evaluations.all()
        status = milestone.status(today, reported=bool(written))
        roadmap.append(
            {
                "milestone": milestone,
                "status": status.value,
                "status_label": MILESTONE_STATUS_LABELS[status],
                "self_evaluations": written,
                "may_self_evaluate": bool(mine - {e.unit_id for e in written}),
            }
        )
    selection, indicators, table = selected_comparison(
        request.user, pilot, designations, request.GET
    )
    return render(
        request,
        "pilots/pilot_detail.html",
        {
            "pilot": pilot,
            "designations": designations,
            "roadmap": roadmap,
            "indicators": indicators,
            "table": table,
            "selection": selection,
            "can_manage": may_manage(scope, pilot),
            "today": today,
        },
    )


@authenticated
def pilot_designate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pilot = load_pilot(request.user, pk, manage=True)
    form = DesignateForm(_posted(request), initial={"designated_from": pilot.start_date})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_action(
            request,
            form,
            lambda: actions.do_designate_unit(
                pilot, data["unit"], data["designated_from"], actor=request.user
            ),
            success=_("%(unit)s is a pilot unit.") % {"unit": data["unit"].name},
            then=redirect("pilot_detail", pk=pilot.pk),
        )
        if done is not None:
            return done
    return render(
        request,
        "pilots/small_form.html",
        {"form": form, "pilot": pilot, "title": _("Designate a pilot unit")},
    )


@authenticated
def pilot_milestone_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pilot = load_pilot(request.user, pk, manage=True)
    form = MilestoneForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_action(
            request,
            form,
            lambda: actions.do_add_milestone(
                pilot, title=data["title"], deadline=data["deadline"], actor=request.user
            ),
            success=_("The milestone is added to the roadmap."),
            then=redirect("pilot_detail", pk=pilot.pk),
        )
        if done is not None:
            return done
    return render(
        request,
        "pilots/small_form.html",
        {"form": form, "pilot": pilot, "title": _("Add a milestone")},
    )


@authenticated
def pilot_milestone_evaluate(
    request: AuthenticatedRequest, pk: int, milestone: int
) -> HttpResponse:
    pilot, step = load_milestone(request.user, pk, milestone)
    if not may_manage(scope_for(request.user), pilot):
        raise PermissionDenied
    form = MilestoneEvaluationForm(_posted(request), initial={"reached_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_action(
            request,
            form,
            lambda: actions.do_evaluate_milestone(
                step,
                reached_on=data["reached_on"],
                text=data["text"],
                rating=data["rating"],
                actor=request.user,
            ),
            success=_("The milestone is evaluated."),
            then=redirect("pilot_detail", pk=pilot.pk),
        )
        if done is not None:
            return done
    return render(
        request,
        "pilots/small_form.html",
        {
            "form": form,
            "pilot": pilot,
            "milestone": step,
            "title": _("Evaluate the milestone"),
        },
    )


@authenticated
def pilot_self_evaluate(request: AuthenticatedRequest, pk: int, milestone: int) -> HttpResponse:
    pilot, step = load_milestone(request.user, pk, milestone)
    mine = self_evaluating_units(scope_for(request.user), pilot)
    if not mine:
        raise PermissionDenied
    units = list(OrgUnit.objects.filter(pk__in=mine).order_by("name"))
    form = SelfEvaluationForm(
        _posted(request), units=units, initial={"written_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if u.pk == data["unit"])
        done = form_action(
            request,
            form,
            lambda: actions.do_self_evaluate(
                step,
                unit,
                written_on=data["written_on"],
                text=data["text"],
                rating=data["rating"],
                actor=request.user,
            ),
            success=_("Your unit's evaluation is recorded."),
            then=redirect("pilot_detail", pk=pilot.pk),
        )
        if done is not None:
            return done
    return render(
        request,
        "pilots/small_form.html",
        {
            "form": form,
            "pilot": pilot,
            "milestone": step,
            "title": _("Your unit's evaluation of the milestone"),
        },
    )


@authenticated
def pilot_evaluate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pilot = load_pilot(request.user, pk, manage=True)
    form = PilotEvaluationForm(_posted(request), initial={"evaluated_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_action(
            request,
            form,
            lambda: actions.do_evaluate_pilot(
                pilot,
                evaluated_on=data["evaluated_on"],
                lessons=data["lessons"],
                recommendation=data["recommendation"],
                actor=request.user,
            ),
            success=_("The pilot's final evaluation is recorded."),
            then=redirect("pilot_detail", pk=pilot.pk),
        )
        if done is not None:
            return done
    return render(
        request,
        "pilots/small_form.html",
        {"form": form, "pilot": pilot, "title": _("Final evaluation of the pilot")},
    )
