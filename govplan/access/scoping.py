"""What a user may see and do, derived from their memberships.

Capabilities, by role held in a unit U:
- central administrator (held in the central authority): everything, nationwide;
- appraiser in the central authority: view everything, appraise every agency;
  appraiser in any other unit: view U's subtree, appraise U's sub-units;
- editor in U: view U's subtree, edit U's own documents;
- approver in U: view U's subtree, approve U's own documents;
- viewer in U: view U's subtree.
Viewing U's subtree includes the subtrees of the units U came from, so the new
Bắc Ninh sees what Bắc Giang filed before the 2025 merger.

History: an editor (approver) in U also edits (approves) the documents of the units U came
from that are no longer in force, and a central administrator edits those of every unit no
longer in force, but only documents written for a day the unit was in force on (the old
Bắc Giang's 2011-2015 plan, never a 2026 one). These *historical* grants reach a unit itself
(may one act for it at all) and the models that name that day (``SCOPE_DAY``); no other model.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.utils import timezone

from govplan.accounts.models import Membership, Role
from govplan.accounts.types import AnyUser
from govplan.orgunits.history import MAX_GENERATIONS
from govplan.orgunits.models import Kind, OrgUnit, Succession, valid_on_q

M = TypeVar("M", bound=models.Model)
# A queryset keeps its own class (OrgUnitQuerySet's valid_on, search) through the scoping.
QS = TypeVar("QS", bound=models.QuerySet[Any])


class Capability(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    APPROVE = "approve"
    APPRAISE = "appraise"
    ADMINISTER = "administer"


@dataclass
class Grant:
    """Where one capability holds: nationwide, over subtrees (by path), or on single units;
    and, historically, on units no longer in force for what was written while they were."""

    national: bool = False
    subtrees: set[str] = field(default_factory=set)  # unit paths; the unit itself included
    strict_subtrees: set[str] = field(default_factory=set)  # sub-units only
    units: set[int] = field(default_factory=set)
    historical_units: set[int] = field(default_factory=set)  # ended units a successor writes for
    historical_national: bool = False  # every unit no longer in force (central administrators)

    @property
    def empty(self) -> bool:
        return not (
            self.national
            or self.subtrees
            or self.strict_subtrees
            or self.units
            or self.historical_units
            or self.historical_national
        )

    def q(self, prefix: str, *, historical: bool = False, day_path: str = "") -> Q | None:
        """A filter over ``<prefix>path``/``<prefix>id``; None means no restriction. With
        ``historical`` the units no longer in force are included, and with ``day_path`` (the
        path to the day an object is written for) only where the unit was in force that day."""
        if self.national:
            return None
        condition = Q(pk__in=[])
        for path in self.subtrees:
            condition |= Q(**{f"{prefix}path__startswith": path})
        for path in self.strict_subtrees:
            condition |= Q(**{f"{prefix}path__startswith": path}) & ~Q(**{f"{prefix}path": path})
        if self.units:
            condition |= Q(**{f"{prefix}id__in": sorted(self.units)})
        if historical and (self.historical_units or self.historical_national):
            past = Q(pk__in=[])
            if self.historical_units:
                past |= Q(**{f"{prefix}id__in": sorted(self.historical_units)})
            if self.historical_national:
                past |= Q(**{f"{prefix}valid_to__lt": timezone.localdate()})
            if day_path:
                past &= valid_on_q(F(day_path), prefix)
            condition |= past
        return condition

    def covers(self, unit: OrgUnit, on: dt.date | None = None) -> bool:
        """Whether the grant reaches ``unit``; for a unit no longer in force, held through a
        historical grant, only if it was in force ``on`` the day in question (None: the unit
        as such, for its page and its header)."""
        if self.national or unit.pk in self.units:
            return True
        if any(unit.path.startswith(p) for p in self.subtrees):
            return True
        if any(unit.path.startswith(p) and unit.path != p for p in self.strict_subtrees):
            return True
        historical = unit.pk in self.historical_units or (
            self.historical_national
            and unit.valid_to is not None
            and unit.valid_to < timezone.localdate()
        )
        return historical and (on is None or unit.is_valid_on(on))


@dataclass
class Scope:
    grants: dict[Capability, Grant]
    roles: set[str]
    membership_unit_ids: set[int]
    user_id: int | None = None

    def grant(self, capability: Capability) -> Grant:
        return self.grants.get(capability, Grant())

    def can(
        self, capability: Capability, unit: OrgUnit | None = None, *, on: dt.date | None = None
    ) -> bool:
        """``capability`` somewhere (no unit), over ``unit``, or over what ``unit`` wrote for
        the day ``on`` (a document: see documents.access.can_on_document)."""
        grant = self.grant(capability)
        if unit is None:
            return not grant.empty
        return grant.covers(unit, on)

    @property
    def is_central_admin(self) -> bool:
        return self.grant(Capability.ADMINISTER).national


_SCOPE_ATTR = "_govplan_scope"


def scope_for(user: AnyUser | None) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    cached: Scope | None = getattr(user, _SCOPE_ATTR, None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    if user is not None:
        setattr(user, _SCOPE_ATTR, scope)
    return scope


def forget_scope(user: AnyUser) -> None:
    if hasattr(user, _SCOPE_ATTR):
        delattr(user, _SCOPE_ATTR)


def _membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    """A granted or revoked membership changes what its user may do from now on. A signal
    rather than a call from accounts' actions: accounts lies below access and never imports
    it. A scope is only ever cached by ``scope_for``, i.e. once this module is imported, so
    the receivers are always connected when there is something to forget."""
    forget_scope(instance.user)


post_save.connect(_membership_changed, sender=Membership, dispatch_uid="access.membership_saved")
post_delete.connect(
    _membership_changed, sender=Membership, dispatch_uid="access.membership_deleted"
)


# A user's memberships and every unit their units came from, in one query: the memberships'
# units seed a recursive walk back through the successions (bounded like the ORM walk in
# orgunits.history), and each unit reached comes with its path and whether it has ended.
# One query per request instead of one per membership list, per succession generation and
# for the paths; always read afresh, so a changed membership or succession is seen at once.
_SCOPE_SQL = """
WITH RECURSIVE came (origin, unit_id, depth) AS (
    SELECT DISTINCT m.org_unit_id, m.org_unit_id, 0 FROM {membership} m WHERE m.user_id = %s
    UNION
    SELECT c.origin, s.predecessor_id, c.depth + 1
    FROM came c JOIN {succession} s ON s.successor_id = c.unit_id
    WHERE c.depth < %s
)
SELECT m.role, m.org_unit_id, origin_unit.kind, origin_unit.path,
       c.unit_id, unit.path, CASE WHEN unit.valid_to < %s THEN 1 ELSE 0 END
FROM {membership} m
JOIN {unit} origin_unit ON origin_unit.id = m.org_unit_id
JOIN came c ON c.origin = m.org_unit_id
JOIN {unit} unit ON unit.id = c.unit_id
WHERE m.user_id = %s
"""


@dataclass(frozen=True)
class _Held:
    role: str
    unit_id: int
    kind: str
    path: str


def _memberships_and_origins(
    user_id: int,
) -> tuple[set[_Held], dict[int, set[int]], dict[int, str], set[int]]:
    """The user's memberships; for each membership unit, the units it came from; the path of
    every unit met; and those of them no longer in force."""
    sql = _SCOPE_SQL.format(
        membership=connection.ops.quote_name(Membership._meta.db_table),
        succession=connection.ops.quote_name(Succession._meta.db_table),
        unit=connection.ops.quote_name(OrgUnit._meta.db_table),
    )
    held: set[_Held] = set()
    came_from: dict[int, set[int]] = {}
    paths: dict[int, str] = {}
    ended: set[int] = set()
    with connection.cursor() as cursor:
        today = connection.ops.adapt_datefield_value(timezone.localdate())
        cursor.execute(sql, [user_id, MAX_GENERATIONS, today, user_id])
        for role, unit_id, kind, path, reached, reached_path, reached_ended in cursor.fetchall():
            held.add(_Held(role, unit_id, kind, path))
            paths[reached] = reached_path
            if reached_ended:
                ended.add(reached)
            if reached != unit_id:
                came_from.setdefault(unit_id, set()).add(reached)
    return held, came_from, paths, ended


def _compute_scope(user: AnyUser | None) -> Scope:
    grants = {c: Grant() for c in Capability}
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(grants, set(), set())
    memberships, came_from, paths, ended = _memberships_and_origins(user.pk)
    roles = {m.role for m in memberships}
    view_roots: set[int] = set()
    for membership in memberships:
        central = membership.kind == Kind.CENTRAL
        if membership.role == Role.CENTRAL_ADMIN and central:
            for capability in (Capability.VIEW, Capability.ADMINISTER):
                grants[capability].national = True
            # They enter the archive of units that no longer exist, not today's documents.
            grants[Capability.EDIT].historical_national = True
        elif membership.role == Role.APPRAISER:
            if central:
                grants[Capability.VIEW].national = True
                grants[Capability.APPRAISE].national = True
            else:
                view_roots.add(membership.unit_id)
                grants[Capability.APPRAISE].strict_subtrees.add(membership.path)
        elif membership.role in (Role.EDITOR, Role.APPROVER, Role.VIEWER):
            view_roots.add(membership.unit_id)
            if membership.role == Role.EDITOR:
                grants[Capability.EDIT].units.add(membership.unit_id)
            elif membership.role == Role.APPROVER:
                grants[Capability.APPROVE].units.add(membership.unit_id)
    if view_roots:
        roots = view_roots.union(*(came_from.get(pk, set()) for pk in view_roots))
        if not grants[Capability.VIEW].national:
            grants[Capability.VIEW].subtrees = {paths[pk] for pk in roots}
        # A successor's editors and approvers write the history of the units it came from.
        for capability in (Capability.EDIT, Capability.APPROVE):
            grant = grants[capability]
            for unit_id in grant.units:
                grant.historical_units |= came_from.get(unit_id, set()) & ended
    return Scope(grants, roles, {m.unit_id for m in memberships}, user.pk)


def _scope_prefix(model: type[models.Model]) -> str:
    try:
        unit_path: str = model.SCOPE_UNIT  # type: ignore[attr-defined]
    except AttributeError:
        raise TypeError(
            f"{model.__name__} has no SCOPE_UNIT: it cannot be reached through the scoping layer"
        ) from None
    return f"{unit_path}__" if unit_path else ""


def visible_to(queryset: QS, user: AnyUser, capability: Capability = Capability.VIEW) -> QS:
    """The part of ``queryset`` the user holds ``capability`` over."""
    scope = scope_for(user)
    # Objects that belong to no unit (national guidance) decide from the scope themselves.
    custom = getattr(queryset.model, "scope_queryset", None)
    if custom is not None:
        scoped: QS = custom(queryset, scope, capability)
        return scoped
    grant = scope.grant(capability)
    if grant.empty:
        return queryset.none()
    prefix = _scope_prefix(queryset.model)
    # Historical grants reach the unit itself, or objects that name the day they are
    # written for; any other model stays out of them.
    day_path: str = getattr(queryset.model, "SCOPE_DAY", "")
    condition = grant.q(prefix, historical=not prefix or bool(day_path), day_path=day_path)
    if condition is None:
        return queryset
    filtered = queryset.filter(condition)
    # Through a to-many relation (a user's memberships) one object can match twice.
    return filtered.distinct() if prefix.count("__") > 1 else filtered


def get_for(
    user: AnyUser,
    queryset: models.QuerySet[M] | type[M],
    capability: Capability = Capability.VIEW,
    **lookup: Any,
) -> M:
    """Load one object for ``user``: 404 if they cannot see it, 403 if they may see it but
    not exercise ``capability`` on it."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    obj = visible_to(qs, user, Capability.VIEW).filter(**lookup).first()
    if obj is None:
        raise Http404
    if (
        capability != Capability.VIEW
        and not visible_to(qs.filter(pk=obj.pk), user, capability).exists()
    ):
        raise PermissionDenied
    return obj


def units_with(user: AnyUser, capability: Capability) -> models.QuerySet[OrgUnit]:
    return visible_to(OrgUnit.objects.all(), user, capability)


def require(user: AnyUser, capability: Capability, unit: OrgUnit | None = None) -> None:
    if not scope_for(user).can(capability, unit):
        raise PermissionDenied


def require_national(user: AnyUser, capability: Capability) -> None:
    """For objects that belong to no unit (the audit trail): only a nationwide grant will do."""
    if not scope_for(user).grant(capability).national:
        raise PermissionDenied
