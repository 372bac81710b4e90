"""A unit's page: the unit (names, parents, children, what it came from and became), its
members, and its documents with the frameworks it may start. It shows documents, so it lives
here, above documents, frameworks and org units, rather than in orgunits (below them all)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govplan.access.policies import authenticated
from govplan.access.scoping import Capability, get_for, scope_for, visible_to
from govplan.accounts.types import AnyUser
from govplan.documents.cycles import PreviousDocument, previous_documents
from govplan.documents.due import available_frameworks, available_frameworks_of
from govplan.documents.models import Document
from govplan.documents.read import completeness
from govplan.frameworks.models import FrameworkVersion, version_heavy_fields
from govplan.orgunits.forms import BrowseForm
from govplan.orgunits.history import predecessors, successors
from govplan.orgunits.models import OrgUnit

CHILDREN_PER_PAGE = 100


@authenticated
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_for(
        request.user,
        OrgUnit.objects.prefetch_related("names").select_related("parent"),
        pk=pk,
    )
    form = BrowseForm(request.GET or None)
    day = form.day()
    explicit_day = form.is_bound and form.is_valid() and form.cleaned_data.get("as_of")
    if not explicit_day and unit.valid_to is not None and unit.valid_to < day:
        # Show a unit that has ended as it was on its last day.
        day = unit.valid_to
    children = visible_to(unit.children.all(), request.user).valid_on(day).order_by("kind", "name")
    page = Paginator(children, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    scope = scope_for(request.user)
    documents = [
        (d, completeness(d))
        for d in visible_to(Document.objects.filter(org_unit=unit), request.user).select_related(
            "framework", "framework_version__framework"
        )
    ]
    creatable = [
        v
        for v in (available_frameworks(unit) if scope.can(Capability.EDIT, unit) else [])
        if scope.can(Capability.EDIT, unit, on=v.structure_date)
    ]
    came_from = predecessors(unit)
    members = None
    if scope.can(Capability.ADMINISTER):
        members = unit.memberships.select_related("user").order_by("role", "user__username")
    return render(
        request,
        "orgunits/unit_detail.html",
        {
            "unit": unit,
            "day": day,
            "form": form,
            "ancestors": unit.ancestors(),
            "children": page,
            "descendant_count": unit.descendants(on=day).count(),
            "names": sorted(
                unit.names.all(), key=lambda n: (n.valid_from is not None, n.valid_from)
            ),
            "predecessors": came_from,
            "successors": successors(unit),
            "members": members,
            "can_administer": scope.can(Capability.ADMINISTER),
            "documents": documents,
            "creatable": _with_previous(unit, creatable),
            **_succeeded(request.user, [link.unit for link in came_from]),
            "agency": scope.can(Capability.EDIT, unit) or scope.can(Capability.APPROVE, unit),
        },
    )


def _with_previous(
    unit: OrgUnit, versions: list[FrameworkVersion]
) -> list[tuple[FrameworkVersion, list[PreviousDocument]]]:
    """Each framework the unit may start, with the previous cycle's documents it can start
    from (a unit formed from several: each predecessor's, offered one by one)."""
    return [(v, previous_documents(unit, v) if v.follows else []) for v in versions]


def _succeeded(user: AnyUser, units: list[OrgUnit]) -> dict[str, Any]:
    """The documents of the units this unit came from, and the frameworks a successor's
    editor may still file for them (for days they were in force: history, not a to-do)."""
    if not units:
        return {"succeeded_documents": [], "succeeded_creatable": []}
    documents = (
        visible_to(Document.objects.filter(org_unit__in=units), user)
        .select_related("org_unit", "framework", "framework_version__framework")
        .defer(*version_heavy_fields("framework_version"))
        .order_by("-period_start", "org_unit__name")
    )
    scope = scope_for(user)
    editable = [u for u in units if scope.can(Capability.EDIT, u)]
    available = available_frameworks_of(editable)
    creatable = []
    for unit in editable:
        versions = [
            v for v in available[unit.pk] if scope.can(Capability.EDIT, unit, on=v.structure_date)
        ]
        if versions:
            creatable.append((unit, _with_previous(unit, versions)))
    return {"succeeded_documents": list(documents), "succeeded_creatable": creatable}
