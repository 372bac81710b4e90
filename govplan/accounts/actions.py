"""Every change to users and memberships: one function, one transaction, one audit entry."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from govplan.accounts import second_factor
from govplan.accounts.models import Membership, Role, User
from govplan.accounts.tasks import (
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    PASSWORD_SET,
    SECOND_FACTOR_ENROLLED,
    SECOND_FACTOR_RESET,
    notify_owner,
)
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
            # An administrator chose it: the person chooses their own at first login.
            user.must_change_password = actor is not None
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        record(Action.CREATE, actor=actor, obj=user, after=snapshot(user, USER_FIELDS))
    return user


def do_update_user(user: User, *, actor: User, **changes: Any) -> User:
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
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
    """The user's own change clears a forced change; an administrator's setting forces one
    at the user's next login (the administrator knows that password)."""
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = actor != user
        user.save(update_fields=["password", "must_change_password"])
        action = Action.PASSWORD_CHANGE if actor == user else Action.PASSWORD_SET
        record(action, actor=actor, obj=user)
        notify_owner(user, PASSWORD_CHANGED if actor == user else PASSWORD_SET)


def do_request_password_reset(email: str, users: list[User]) -> None:
    """Someone asked for a reset link for ``email``: recorded whether or not an account has
    that address (the page says the same either way; the audit trail says which)."""
    with transaction.atomic():
        if not users:
            record(Action.PASSWORD_RESET_REQUEST, message=email[:254], actor_username="")
        for user in users:
            record(Action.PASSWORD_RESET_REQUEST, obj=user, message=email[:254])


def do_reset_password(user: User, password: str) -> None:
    """A new password through an e-mailed link: the user chose it, so no forced change."""
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        record(Action.PASSWORD_RESET, actor=user, obj=user)
        notify_owner(user, PASSWORD_RESET)


# --- two-factor authentication ---------------------------------------------------------


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(
        user=user, name=second_factor.RECOVERY_NAME, confirmed=True
    )
    codes = [StaticToken.random_token() for _ in range(second_factor.recovery_code_count())]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def do_enrol_second_factor(user: User, hex_key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator app from its first code; only then does the device count.
    Replaces any earlier device and recovery codes. Returns the device and the new recovery
    codes (shown once)."""
    token = token.strip().replace(" ", "")
    if not second_factor.totp_matches(hex_key, token):
        raise ValidationError(
            _("That code does not match. Check the time on your phone and type the current code.")
        )
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        TOTPDevice.objects.filter(user=locked).delete()
        device = TOTPDevice.objects.create(
            user=locked,
            name=second_factor.TOTP_NAME,
            key=hex_key,
            confirmed=True,
            # The code just typed may not log anyone in again.
            last_t=int(timezone.now().timestamp()) // 30,
        )
        codes = _new_recovery_codes(locked)
        record(Action.OTP_ENROL, actor=locked, obj=locked, after={"recovery_codes": len(codes)})
        notify_owner(locked, SECOND_FACTOR_ENROLLED)
    return device, codes


@dataclass(frozen=True)
class Verification:
    device: TOTPDevice | StaticDevice | None
    recovery_code: bool = False
    wait_seconds: int = 0


def do_verify_second_factor(user: User, token: str) -> Verification:
    """Check a code from the authenticator app or a recovery code (used up by this). A wrong
    code is recorded and makes the next attempt wait (django-otp's throttling: 1, 2, 4 … s)."""
    token = token.strip().replace(" ", "").replace("-", "").lower()
    recovery = not (token.isascii() and token.isdigit())
    with transaction.atomic():
        devices = TOTPDevice if not recovery else StaticDevice
        device = (
            devices.objects.select_for_update(no_key=True)
            .filter(user=user, confirmed=True)
            .order_by("-id")
            .first()
        )
        if device is None:
            verified = False
        else:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                locked_until = (info or {}).get("locked_until")
                wait = (
                    math.ceil((locked_until - timezone.now()).total_seconds())
                    if locked_until
                    else 1
                )
                record(
                    Action.OTP_FAILURE,
                    actor=user,
                    obj=user,
                    after={"recovery_code": recovery, "throttled": True},
                )
                return Verification(None, recovery, max(wait, 1))
            verified = bool(token) and len(token) <= 16 and device.verify_token(token)
        if not verified:
            record(Action.OTP_FAILURE, actor=user, obj=user, after={"recovery_code": recovery})
            return Verification(None, recovery)
        if recovery:
            left = StaticToken.objects.filter(device=device).count()
            record(Action.OTP_RECOVERY_USED, actor=user, obj=user, after={"left": left})
    return Verification(device, recovery)


def do_regenerate_recovery_codes(user: User) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record(
            Action.OTP_RECOVERY_REGENERATE,
            actor=user,
            obj=user,
            after={"recovery_codes": len(codes)},
        )
    return codes


def do_reset_second_factor(user: User, *, actor: User) -> None:
    """Remove the user's authenticator and recovery codes. Reset by an administrator (a lost
    phone), or turned off by a user for whom it is optional. A user who must have it enrols
    again at their next request."""
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=user).exists()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(Action.OTP_RESET, actor=actor, obj=user, before={"enrolled": had})
        if had:
            notify_owner(user, SECOND_FACTOR_RESET)


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
