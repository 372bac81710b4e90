"""The benchmarks' logins stand for complete logins, second factor included.

Central administrators, appraisers and approvers reach nothing but the code or enrolment page
until their session has passed the second factor (govplan/accounts/middleware.py). The
benchmarks sign in with the test client (force_login or the login form) and then measure
pages: ``verified(client)`` finishes the login as django_otp.login does (the user's
authenticator, or one made with BENCH_SECRET, recorded in the session), so they measure the
pages and not a redirect. The load benchmark (bench/load/) types the code over HTTP instead.
"""

from __future__ import annotations

from typing import Any

BENCH_SECRET = b"govplan-bench-2fa-k!".hex()


def verified(client: Any) -> Any:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from govplan.accounts import second_factor
    from govplan.accounts.models import User

    session = client.session
    pk = session.get("_auth_user_id")
    user = User.objects.filter(pk=pk).first() if pk else None
    if user is None:
        return client
    enrolled, required = second_factor.standing(user)
    if not (enrolled or required):
        return client
    device = second_factor.totp_device(user) or TOTPDevice.objects.create(
        user=user, name=second_factor.TOTP_NAME, key=BENCH_SECRET, confirmed=True
    )
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
