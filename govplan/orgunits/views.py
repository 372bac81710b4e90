from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability, get_for, scope_for, visible_to
from govplan.accounts.models import Membership
from govplan.accounts.types import AuthenticatedRequest
from govplan.orgunits.actions import do_create_unit, do_update_unit
from govplan.orgunits.forms import BrowseForm, UnitCreateForm, UnitEditForm
from govplan.orgunits.models import TOP_LEVEL_KINDS, Kind, OrgUnit
from govplan.webutils.forms import attach_errors
from govplan.webutils.inputs import int_param

SEARCH_LIMIT = 200
CHILDREN_PER_PAGE = 100


@authenticated
def unit_list(request: AuthenticatedRequest) -> HttpResponse:
    """The structure as of a date: top-level bodies by kind, or search results."""
    form = BrowseForm(request.GET or None)
    day = form.day()
    visible = visible_to(OrgUnit.objects.all(), request.user).valid_on(day)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    kind = form.cleaned_data.get("kind", "") if form.is_valid() else ""
    results = None
    groups: list[tuple[str | Promise, list[OrgUnit]]] = []
    if query or kind:
        matches = visible.search(query)
        if kind:
            matches = matches.filter(kind=kind)
        results = list(
            matches.select_related("parent").order_by("kind", "name")[: SEARCH_LIMIT + 1]
        )
    elif scope_for(request.user).grant(Capability.VIEW).national:
        tops = visible.filter(parent__isnull=True, kind__in=TOP_LEVEL_KINDS).order_by("name")
        by_kind: dict[str, list[OrgUnit]] = {}
        for unit in tops:
            by_kind.setdefault(unit.kind, []).append(unit)
        groups = [(Kind(k).label, by_kind[k]) for k in TOP_LEVEL_KINDS if k in by_kind]
        central = visible.filter(kind=Kind.CENTRAL).order_by("name")
        if central:
            groups.insert(0, (Kind.CENTRAL.label, list(central)))
    else:
        # A scoped user starts from the units they belong to.
        own = Membership.objects.filter(user=request.user).values_list("org_unit_id", flat=True)
        groups = [(_("Your units"), list(visible.filter(pk__in=own).order_by("name")))]
    return render(
        request,
        "orgunits/unit_list.html",
        {
            "form": form,
            "day": day,
            "groups": groups,
            "results": results[:SEARCH_LIMIT] if results is not None else None,
            "truncated": results is not None and len(results) > SEARCH_LIMIT,
            "query": query,
        },
    )


@requires(Capability.ADMINISTER)
def unit_create(request: AuthenticatedRequest) -> HttpResponse:
    parent = None
    parent_id = int_param(request.GET, "parent") or int_param(request.POST, "parent_id")
    if parent_id is not None:
        parent = get_for(request.user, OrgUnit, Capability.ADMINISTER, pk=parent_id)
    form = UnitCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = do_create_unit(
                actor=request.user,
                scheme=data["scheme"],
                code=data["code"],
                kind=data["kind"],
                name=data["name"],
                short_name=data["short_name"],
                name_en=data["name_en"],
                level_name=data["level_name"],
                parent=parent,
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.name})
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "orgunits/unit_form.html", {"form": form, "parent": parent})


@requires(Capability.ADMINISTER)
def unit_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = get_for(request.user, OrgUnit, Capability.ADMINISTER, pk=pk)
    form = UnitEditForm(request.POST or None, instance=OrgUnit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in UnitEditForm.Meta.fields}
        try:
            do_update_unit(
                unit,
                actor=request.user,
                rename_from=form.cleaned_data.get("rename_from"),
                **changes,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "orgunits/unit_form.html", {"form": form, "unit": unit})
