"""Loading pilots for a user, and who may do what to one.

- Seeing a pilot (its page, its comparison): whoever sees its assigning authority or one
  of its pilot units (``Pilot.scope_queryset``: the central authority sees every pilot;
  a province sees the pilots it or its communes take part in). Others: 404.
- Creating a pilot: central administrators.
- Managing a pilot (editing it, designating units, adding milestones, evaluating a
  milestone, the final evaluation): central administrators and the editors and approvers
  of its assigning authority. Others who see it: 403.
- A milestone's self-evaluation: the editors of a unit designated as a pilot. Others who
  see the pilot: 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from govplan.access.scoping import Capability, Scope, get_for, scope_for, visible_to
from govplan.accounts.types import AnyUser
from govplan.pilots.models import Milestone, Pilot


def visible_pilots(user: AnyUser) -> QuerySet[Pilot]:
    return visible_to(Pilot.objects.all(), user)


def may_create(user: AnyUser) -> bool:
    return scope_for(user).is_central_admin


def require_create(user: AnyUser) -> None:
    if not may_create(user):
        raise PermissionDenied


def may_manage(scope: Scope, pilot: Pilot) -> bool:
    if scope.is_central_admin:
        return True
    held = scope.grant(Capability.EDIT).units | scope.grant(Capability.APPROVE).units
    return pilot.assigning_unit_id in held


def self_evaluating_units(scope: Scope, pilot: Pilot) -> set[int]:
    """The pilot units whose editor this is (they write their unit's self-evaluations)."""
    edits = scope.grant(Capability.EDIT).units
    return {d.unit_id for d in pilot.designations.all() if d.unit_id in edits}


def load_pilot(user: AnyUser, pk: int, *, manage: bool = False) -> Pilot:
    """404 if the user cannot see the pilot; with ``manage``, 403 if they may see it but not
    manage it."""
    pilot = get_for(
        user, Pilot.objects.select_related("assigning_unit", "programme", "task"), pk=pk
    )
    if manage and not may_manage(scope_for(user), pilot):
        raise PermissionDenied
    return pilot


def load_milestone(user: AnyUser, pilot_pk: int, pk: int) -> tuple[Pilot, Milestone]:
    """The milestone of a pilot the user sees (404 otherwise); what they may do with it is
    the view's to decide (self_evaluating_units, may_manage)."""
    pilot = load_pilot(user, pilot_pk)
    milestone = Milestone.objects.filter(pilot=pilot, pk=pk).first()
    if milestone is None:
        raise Http404
    return pilot, milestone
