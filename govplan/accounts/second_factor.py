"""Two-factor authentication (django-otp): who must have it, their devices, the QR code.

A user's second factor is one confirmed TOTP device (an authenticator app) and one static
device holding their single-use recovery codes. Central administrators, appraisers and
approvers must have it (REQUIRED_ROLES); anyone else may enrol from their account page.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from govplan.accounts.models import Role, User

REQUIRED_ROLES = (Role.CENTRAL_ADMIN, Role.APPRAISER, Role.APPROVER)
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
# A code from the step before or after the current one is accepted (clocks drift).
TOLERANCE = 1


def requires_second_factor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(user.memberships.filter(role__in=REQUIRED_ROLES).exists())


def standing(user: User) -> tuple[bool, bool]:
    """(has an authenticator, must have one), in one query: the gate asks on every request of
    a session that has not typed a code."""
    from django.db.models import Exists, OuterRef

    from govplan.accounts.models import Membership

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            required=Exists(
                Membership.objects.filter(user=OuterRef("pk"), role__in=REQUIRED_ROLES)
            ),
        )
        .values_list("enrolled", "required", "is_superuser")
        .first()
    )
    if row is None:
        return False, False
    enrolled, required, superuser = row
    return bool(enrolled), bool(required or superuser)


def totp_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = (
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    )
    return device


def recovery_device(user: User) -> StaticDevice | None:
    device: StaticDevice | None = (
        StaticDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    )
    return device


def has_second_factor(user: User) -> bool:
    return totp_device(user) is not None


def recovery_codes_left(user: User) -> int:
    device = recovery_device(user)
    return 0 if device is None else int(StaticToken.objects.filter(device=device).count())


def new_secret() -> str:
    """A fresh TOTP secret (20 random bytes, as django-otp makes them), in hex."""
    from django_otp.plugins.otp_totp.models import default_key

    key: str = default_key()
    return key


def base32_secret(hex_key: str) -> str:
    """The secret as an authenticator app's manual entry wants it."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


def otpauth_uri(user: User, hex_key: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    device = TOTPDevice(user=user, key=hex_key, name=TOTP_NAME)
    uri: str = device.config_url
    return uri


def qr_svg(data: str) -> str:
    """The QR code of ``data`` as inline SVG, drawn here: no image service, no script."""
    code = segno.make(data, error="m")
    svg: str = code.svg_inline(scale=5, dark="#000", light="#fff")
    return svg


def totp_matches(hex_key: str, token: str) -> bool:
    """Whether ``token`` is the current code of the secret (enrolment's first code)."""
    if not (token.isascii() and token.isdigit()) or len(token) != 6:
        return False
    totp = TOTP(bytes.fromhex(hex_key), step=30, t0=0, digits=6, drift=0)
    return bool(totp.verify(int(token), tolerance=TOLERANCE))


def current_code(hex_key: str) -> str:
    """The code an authenticator app shows now (demo_otp_code, the load benchmark)."""
    totp = TOTP(bytes.fromhex(hex_key), step=30, t0=0, digits=6, drift=0)
    return f"{totp.token():06d}"


def recovery_code_count() -> int:
    count: int = settings.OTP_RECOVERY_CODES
    return count
