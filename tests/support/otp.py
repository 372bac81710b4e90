"""Sessions that have passed the second factor, for tests that are not about it.

Users whose role requires two-factor authentication (central administrators, appraisers,
approvers) reach nothing but the enrolment or code page until their session is verified
(govplan/accounts/middleware.py). The suite's `force_login` and `login` calls stand for a
complete login, so tests/conftest.py wraps them to finish it with ``mark_otp_verified``:
the user gets an authenticator (TEST_SECRET) if they have none, and the session records that
its code was typed, as django_otp.login does. Tests of the second factor itself log in with
``login_password_only``, which stops after the password as a real login does.
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from govplan.accounts import second_factor
from govplan.accounts.models import User

# A fixed authenticator secret for test users (hex, as django-otp stores it).
TEST_SECRET = "3132333435363738393031323334353637383930"

ORIGINAL_FORCE_LOGIN = Client.force_login
ORIGINAL_LOGIN = Client.login


def authenticator_for(user: User) -> TOTPDevice:
    device = second_factor.totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=second_factor.TOTP_NAME, key=TEST_SECRET, confirmed=True
        )
    return device


def mark_otp_verified(client: Client, user: User) -> None:
    """Mark the client's session as having passed the user's second factor."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
    session.save()


def _needs_second_factor(user: User) -> bool:
    return second_factor.requires_second_factor(user) or second_factor.has_second_factor(user)


def force_login_verified(self: Client, user: Any, backend: str | None = None) -> None:
    ORIGINAL_FORCE_LOGIN(self, user, backend)
    if _needs_second_factor(user):
        mark_otp_verified(self, user)


def login_verified(self: Client, **credentials: Any) -> bool:
    if not ORIGINAL_LOGIN(self, **credentials):
        return False
    user = User.objects.get(pk=self.session["_auth_user_id"])
    if _needs_second_factor(user):
        mark_otp_verified(self, user)
    return True


def login_password_only(client: Client, user: User) -> None:
    """Signed in with the password, the second factor still owed."""
    ORIGINAL_FORCE_LOGIN(client, user)
