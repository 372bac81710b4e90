"""Two-factor authentication as a user meets it: after the password, nothing is reachable
until the code is typed (or, for a role that requires it, until an authenticator is set up)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from govplan.accounts import second_factor
from govplan.accounts.actions import do_regenerate_recovery_codes
from govplan.accounts.models import User
from govplan.audit.models import Action, AuditEvent
from tests.conftest import Cast
from tests.support.otp import TEST_SECRET, authenticator_for, login_password_only

pytestmark = pytest.mark.django_db

# Pages of every kind that the cast's appraiser, administrator and approver may open: home,
# lists, the account page, the national figures. (A page a role may not open at all is still
# refused first, 403, by the access check.)
EVERYWHERE = ("/", "/appraisal/", "/units/", "/account/", "/notifications/", "/exports/")


def password_only(user: User) -> Client:
    client = Client()
    login_password_only(client, user)
    return client


def wrong_code() -> str:
    return next(
        f"{n:06d}" for n in range(10**6) if not second_factor.totp_matches(TEST_SECRET, f"{n:06d}")
    )


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def actions_of(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_an_appraiser_with_an_authenticator_reaches_nothing_before_the_code(cast: Cast) -> None:
    authenticator_for(cast.appraiser)
    client = password_only(cast.appraiser)
    for url in EVERYWHERE:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("otp_verify") + "?next="), url
    # A change is refused too, not only pages.
    response = client.post(reverse("otp_recovery_codes"))
    assert response["Location"] == reverse("otp_verify")
    assert StaticToken.objects.count() == 0
    # Logging out stays possible.
    assert client.post(reverse("logout")).status_code == 302


def test_the_right_code_opens_everything_and_goes_where_the_user_was_going(cast: Cast) -> None:
    authenticator_for(cast.appraiser)
    client = password_only(cast.appraiser)
    page = client.get(reverse("otp_verify") + "?next=/appraisal/")
    assert "authenticator app" in text(page) or "ứng dụng xác thực" in text(page)
    response = client.post(
        reverse("otp_verify"),
        {"token": second_factor.current_code(TEST_SECRET), "next": "/appraisal/"},
    )
    assert response["Location"] == "/appraisal/"
    for url in EVERYWHERE:
        assert client.get(url).status_code in (200, 403), url  # 403: not theirs, not the gate
    assert client.get("/appraisal/").status_code == 200


def test_a_code_is_good_once(cast: Cast) -> None:
    authenticator_for(cast.appraiser)
    code = second_factor.current_code(TEST_SECRET)
    first, second = password_only(cast.appraiser), password_only(cast.appraiser)
    assert first.post(reverse("otp_verify"), {"token": code})["Location"] == "/"
    page = second.post(reverse("otp_verify"), {"token": code})
    assert page.status_code == 200
    assert second.get("/")["Location"].startswith(reverse("otp_verify"))


def test_a_wrong_code_is_refused_with_a_message_recorded_and_slows_the_next(cast: Cast) -> None:
    authenticator_for(cast.appraiser)
    client = password_only(cast.appraiser)
    client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    page = client.post(reverse("otp_verify"), {"token": wrong_code()})
    assert page.status_code == 200
    assert "Mã không đúng" in text(page) or "That code is not right" in text(page)
    assert Action.OTP_FAILURE in actions_of(cast.appraiser)
    # Straight after a failure even the right code waits (django-otp's throttling).
    page = client.post(reverse("otp_verify"), {"token": second_factor.current_code(TEST_SECRET)})
    assert page.status_code == 200
    assert "giây" in text(page) or "second" in text(page)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "token", ["", " ", "x" * 5000, "١٢٣٤٥٦", "12345\x00", "' OR 1=1 --", "９９９９９９", "-1"]
)
def test_hostile_codes_are_refused_without_an_error(cast: Cast, token: str) -> None:
    authenticator_for(cast.appraiser)
    do_regenerate_recovery_codes(cast.appraiser)
    client = password_only(cast.appraiser)
    response = client.post(reverse("otp_verify"), {"token": token})
    assert response.status_code in (200, 400)
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once(cast: Cast) -> None:
    authenticator_for(cast.appraiser)
    codes = do_regenerate_recovery_codes(cast.appraiser)
    assert len(codes) == 10 and len(set(codes)) == 10
    client = password_only(cast.appraiser)
    # Typed as people type it: upper case, with a space.
    typed = codes[0][:4].upper() + " " + codes[0][4:].upper()
    assert client.post(reverse("otp_verify"), {"token": typed})["Location"] == "/"
    assert client.get("/").status_code == 200
    assert Action.OTP_RECOVERY_USED in actions_of(cast.appraiser)
    assert second_factor.recovery_codes_left(cast.appraiser) == 9
    again = password_only(cast.appraiser)
    assert again.post(reverse("otp_verify"), {"token": codes[0]}).status_code == 200
    assert again.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # the refused old code would make the next wait
    authenticator_for(cast.appraiser)
    old = do_regenerate_recovery_codes(cast.appraiser)
    client = Client()
    client.force_login(cast.appraiser)
    page = text(client.post(reverse("otp_recovery_codes")))
    new = [c for c in re.findall(r'<code class="code">([a-z2-7]+)</code>', page)]
    assert len(new) == 10 and not set(new) & set(old)
    assert Action.OTP_RECOVERY_REGENERATE in actions_of(cast.appraiser)
    stale = password_only(cast.appraiser)
    assert stale.post(reverse("otp_verify"), {"token": old[1]}).status_code == 200
    assert stale.post(reverse("otp_verify"), {"token": new[1]}).status_code == 302


@pytest.mark.parametrize("who", ["appraiser", "central_admin", "approver_a"])
def test_a_role_that_requires_it_is_sent_to_enrol_from_everywhere(cast: Cast, who: str) -> None:
    user = getattr(cast, who)
    client = password_only(user)
    for url in EVERYWHERE:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("otp_enrol") + "?next="), url
    for url in ("/", "/account/", "/units/"):
        assert client.get(url).status_code == 302, url


def test_an_editor_may_go_without(cast: Cast) -> None:
    client = password_only(cast.editor_a)
    assert client.get("/").status_code == 200
    assert not second_factor.requires_second_factor(cast.editor_a)
    assert reverse("otp_enrol") in text(client.get("/account/"))


def enrol(client: Client, next_url: str = "/") -> tuple[str, str]:
    """Open the enrolment page; return the key it shows (as the app would read it)."""
    page = text(client.get(reverse("otp_enrol") + "?next=" + next_url))
    assert "<svg" in page  # the QR code, drawn on the server
    manual = re.search(r'<code class="code">([A-Z2-7]+)</code>', page)
    assert manual is not None
    import base64

    padded = manual.group(1) + "=" * (-len(manual.group(1)) % 8)
    return base64.b32decode(padded).hex(), page


def test_enrolment_counts_only_after_a_first_code_then_shows_recovery_codes(cast: Cast) -> None:
    client = password_only(cast.appraiser)
    secret, _page = enrol(client, "/appraisal/")
    assert not TOTPDevice.objects.filter(user=cast.appraiser).exists()
    page = client.post(reverse("otp_enrol"), {"token": wrong_code(), "next": "/appraisal/"})
    assert page.status_code == 200
    assert not TOTPDevice.objects.filter(user=cast.appraiser).exists()
    assert client.get("/").status_code == 302
    # The same secret waits in the session: the next code from the app confirms it.
    page = client.post(
        reverse("otp_enrol"),
        {"token": second_factor.current_code(secret), "next": "/appraisal/"},
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    codes = re.findall(r'<code class="code">([a-z2-7]+)</code>', text(page))
    assert len(codes) == 10
    device = TOTPDevice.objects.get(user=cast.appraiser)
    assert device.confirmed and device.key == secret
    assert Action.OTP_ENROL in actions_of(cast.appraiser)
    assert client.get("/appraisal/").status_code == 200
    # A second submit of the same form enrols nothing new and breaks nothing.
    again = client.post(reverse("otp_enrol"), {"token": second_factor.current_code(secret)})
    assert again.status_code == 200
    assert TOTPDevice.objects.filter(user=cast.appraiser).count() == 1
    # The next login asks for the code.
    later = password_only(cast.appraiser)
    assert later.get("/")["Location"].startswith(reverse("otp_verify"))


def test_a_user_with_an_authenticator_cannot_replace_it_before_the_code(cast: Cast) -> None:
    authenticator_for(cast.editor_a)
    client = password_only(cast.editor_a)
    assert client.get(reverse("otp_enrol"))["Location"].startswith(reverse("otp_verify"))


def test_an_editor_enrols_from_the_account_page_and_may_turn_it_off(cast: Cast) -> None:
    client = password_only(cast.editor_a)
    assert reverse("otp_enrol") in text(client.get("/account/"))
    secret, _page = enrol(client)
    client.post(reverse("otp_enrol"), {"token": second_factor.current_code(secret)})
    assert second_factor.has_second_factor(cast.editor_a)
    assert client.post(reverse("otp_disable"))["Location"] == "/account/"
    assert not second_factor.has_second_factor(cast.editor_a)
    assert Action.OTP_RESET in actions_of(cast.editor_a)


def test_an_approver_cannot_turn_it_off(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.approver_a)
    client.post(reverse("otp_disable"))
    assert second_factor.has_second_factor(cast.approver_a)
    assert Action.OTP_RESET not in actions_of(cast.approver_a)


def test_a_central_administrator_resets_a_lost_phone(cast: Cast) -> None:
    authenticator_for(cast.appraiser)
    do_regenerate_recovery_codes(cast.appraiser)
    session = Client()
    session.force_login(cast.appraiser)
    assert session.get("/").status_code == 200
    url = reverse("user_reset_second_factor", kwargs={"pk": cast.appraiser.pk})
    # No one else may.
    for other in (cast.editor_a, cast.approver_a, cast.viewer_a):
        client = Client()
        client.force_login(other)
        assert client.post(url).status_code == 403
    assert second_factor.has_second_factor(cast.appraiser)
    admin = Client()
    admin.force_login(cast.central_admin)
    assert reverse("user_reset_second_factor", kwargs={"pk": cast.appraiser.pk}) in text(
        admin.get(reverse("user_detail", kwargs={"pk": cast.appraiser.pk}))
    )
    assert admin.post(url)["Location"] == reverse("user_detail", kwargs={"pk": cast.appraiser.pk})
    assert not second_factor.has_second_factor(cast.appraiser)
    assert second_factor.recovery_codes_left(cast.appraiser) == 0
    event = AuditEvent.objects.filter(action=Action.OTP_RESET).get()
    assert event.actor == cast.central_admin and event.object_id == str(cast.appraiser.pk)
    # The session it had is sent to enrol again at its next request.
    assert session.get("/")["Location"].startswith(reverse("otp_enrol"))


def test_next_never_leaves_the_site(cast: Cast) -> None:
    authenticator_for(cast.appraiser)
    client = password_only(cast.appraiser)
    response = client.post(
        reverse("otp_verify"),
        {"token": second_factor.current_code(TEST_SECRET), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_the_enrolment_page_loads_nothing_from_elsewhere(cast: Cast) -> None:
    client = password_only(cast.appraiser)
    page = text(client.get(reverse("otp_enrol")))
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    assert "otpauth://" not in page  # the URI is in the QR code only


def test_a_full_login_with_password_then_code(cast: Cast) -> None:
    from tests.conftest import PASSWORD
    from tests.support.otp import ORIGINAL_LOGIN  # noqa: F401  (the real form, not a shortcut)

    authenticator_for(cast.appraiser)
    client = Client()
    response = client.post(
        reverse("login"), {"username": "appraiser", "password": PASSWORD, "next": "/appraisal/"}
    )
    assert response["Location"] == "/appraisal/"
    response = client.get("/appraisal/")
    assert response["Location"] == reverse("otp_verify") + "?next=%2Fappraisal%2F"
    response = client.post(
        reverse("otp_verify"),
        {"token": second_factor.current_code(TEST_SECRET), "next": "/appraisal/"},
    )
    assert response["Location"] == "/appraisal/"
    assert client.get("/appraisal/").status_code == 200


def test_the_session_id_changes_when_the_code_is_typed(cast: Cast) -> None:
    authenticator_for(cast.appraiser)
    client = password_only(cast.appraiser)
    before = client.cookies["sessionid"].value
    client.post(reverse("otp_verify"), {"token": second_factor.current_code(TEST_SECRET)})
    assert client.cookies["sessionid"].value != before
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("who", ["editor_a", "appraiser"])
def test_the_gate_costs_one_query_a_request(cast: Cast, settings, who: str) -> None:  # type: ignore[no-untyped-def]
    """A verified session: django-otp loads the session's device; a session without one:
    one query says whether the user has or needs one (second_factor.standing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        client = Client()
        client.force_login(getattr(cast, who))
        client.get("/account/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/account/").status_code == 200
        return len(queries)

    with_gate = count()
    gate = (
        "django_otp.middleware.OTPMiddleware",
        "govplan.accounts.middleware.AccountGateMiddleware",
    )
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m not in gate]
    assert with_gate - count() == 1


@pytest.mark.parametrize("token", ["", "x" * 5000, "١٢٣٤٥٦", "²²²²²²", "12 34 56", "<script>"])
def test_hostile_enrolment_codes_are_refused_and_store_nothing(cast: Cast, token: str) -> None:
    client = password_only(cast.appraiser)
    client.get(reverse("otp_enrol"))
    page = client.post(reverse("otp_enrol"), {"token": token})
    assert page.status_code == 200
    assert b"errorlist" in page.content
    assert not TOTPDevice.objects.filter(user=cast.appraiser).exists()
