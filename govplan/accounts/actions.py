"""Every change to users and memberships: one function, one transaction, one audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govplan.accounts.models import Membership, Role, User
from govplan.audit.models import Action
from govplan.audit.recorder import record, snapshot
from govplan.orgunits.models import Kind, OrgUnit

USER_FIELDS = ("username", "full_name", "email", "job_title", "phone", "is_active")
CENTRAL_ONLY_ROLES = (Role.CENTRAL_ADMIN,)


def do_create_user(*, actor: User | None, password: str | None, **fields: Any) -> User:
    with transaction.atomic():
        user = User(**fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        record(Action.CREATE, actor=actor, obj=user, after=snapshot(user, USER_FIELDS))
    return user


def do_update_user(user: User, *, actor: User, **changes: Any) -> User:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(locked, USER_FIELDS)
        for key, value in changes.items():
            if key not in USER_FIELDS:
                raise ValueError(f"unknown user field {key}")
            setattr(locked, key, value)
        locked.full_clean()
        after = snapshot(locked, USER_FIELDS)
        if after != before:
            locked.save()
            record(Action.UPDATE, actor=actor, obj=locked, before=before, after=after)
    return locked


def do_set_password(user: User, password: str, *, actor: User) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        action = Action.PASSWORD_CHANGE if actor == user else Action.PASSWORD_SET
        record(action, actor=actor, obj=user)


def do_grant_membership(user: User, unit: OrgUnit, role: str, *, actor: User | None) -> Membership:
    if role in CENTRAL_ONLY_ROLES and unit.kind != Kind.CENTRAL:
        raise ValidationError(
            _("The role “%(role)s” can only be held in the central authority.")
            % {"role": Role(role).label}
        )
    if not unit.is_current:
        raise ValidationError(_("%(unit)s is no longer in force.") % {"unit": unit})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, org_unit=unit, role=role, defaults={"created_by": actor}
        )
        if not created:
            raise ValidationError(
                _("%(user)s already holds this role in this unit.") % {"user": user}
            )
        record(
            Action.MEMBERSHIP_GRANT,
            actor=actor,
            obj=membership,
            after={"user": user.pk, "org_unit": unit.pk, "role": role},
        )
    return membership


def do_revoke_membership(membership: Membership, *, actor: User) -> None:
    with transaction.atomic():
        before = {
            "user": membership.user_id,
            "org_unit": membership.org_unit_id,
            "role": membership.role,
        }
        record(Action.MEMBERSHIP_REVOKE, actor=actor, obj=membership, before=before)
        membership.delete()
