"""Passwords: what is refused (and why, in words), no reuse, a change forced after an
administrator sets one, and the reset by e-mail."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from govplan.accounts.actions import do_set_password
from govplan.accounts.models import PasswordHistory, User
from govplan.accounts.passwords import in_sorted_hash_file
from govplan.audit.models import Action, AuditEvent
from tests.conftest import PASSWORD, Cast
from tests.support.otp import login_password_only

pytestmark = pytest.mark.django_db

GOOD = "sông-Đà chảy qua 4 mùa lúa"


def refusals(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list if e.code}
    return set()


@pytest.mark.parametrize(
    "password",
    [
        "matkhau123",  # the three
        "bacninh2027",
        "Hanoi@2026",
        "MatKhau@2026!!",  # longer, same idea
        "Bắc Ninh 2026!!",  # with diacritics and spaces
        "Thành phố Hồ Chí Minh 1",
        "P@ssw0rd12345",  # symbols for letters
        "quang ninh 2025 !!",
        "Bộ Tài chính 2026",
        "hanoihanoi2026",  # a word twice
        "anhyeuem@2026",
        "12345678901234",
    ],
)
def test_guessable_passwords_are_refused(password: str) -> None:
    assert refusals(password), password


def test_a_password_from_the_users_own_name_or_unit_is_refused(cast: Cast) -> None:
    cast.editor_a.full_name = "Nguyễn Văn Thắng"
    cast.editor_a.save()
    assert refusals("NguyenVanThang@12", cast.editor_a)
    assert refusals("editor_a-2026-!!", cast.editor_a)
    # Province A is Bắc Ninh: its name with a year is a place anyway; its short name
    # joined with a common word is refused too.
    assert "password_guessable" in refusals("bacninhmatkhau1", cast.editor_a)


def test_short_passwords_are_refused_with_the_minimum_in_words() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password("x7#Q9!m2$Lp")  # 11 characters
    assert "12" in " ".join(caught.value.messages)
    assert not refusals("x7#Q9!m2$Lp4")


@pytest.mark.parametrize("password", [GOOD, "tôi thích ăn phở bò buổi sáng", "x7#Q9!m2$Lp4"])
def test_good_passwords_pass(password: str) -> None:
    assert not refusals(password)


def test_a_breached_password_is_refused_offline() -> None:
    # In the bundled list and not refused by any other rule.
    assert refusals("khongcomatkhau") == {"password_breached"}


def test_the_breached_list_is_searched_without_reading_it_whole(tmp_path: Path) -> None:
    hashes = sorted(hashlib.sha1(str(n).encode()).hexdigest().upper() for n in range(20000))
    path = tmp_path / "pwned.txt"
    path.write_text("".join(f"{h}:{n}\n" for n, h in enumerate(hashes)))
    for probe in (hashes[0], hashes[-1], hashes[10001], hashes[10001].lower()):
        assert in_sorted_hash_file(path, probe)
    assert not in_sorted_hash_file(path, "0" * 40)
    assert not in_sorted_hash_file(path, "F" * 40)
    assert not in_sorted_hash_file(path, hashlib.sha1(b"not there").hexdigest())


def test_recent_passwords_cannot_be_used_again(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HISTORY_COUNT = 2
    user = cast.editor_a
    assert "password_reused" in refusals(PASSWORD, user)  # the current one
    do_set_password(user, "first-new-pass-phrase-A", actor=user)
    do_set_password(user, "second-new-pass-phrase-B", actor=user)
    assert "password_reused" in refusals("first-new-pass-phrase-A", user)
    do_set_password(user, "third-new-pass-phrase-C", actor=user)
    # Only the last two (and the current) are kept.
    assert PasswordHistory.objects.filter(user=user).count() == 2
    assert "password_reused" not in refusals("first-new-pass-phrase-A", user)


def test_the_account_page_refuses_a_reused_password_and_keeps_the_old(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.editor_a)
    page = client.post(
        reverse("profile"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert page.status_code == 200
    assert b"errorlist" in page.content
    cast.editor_a.refresh_from_db()
    assert cast.editor_a.check_password(PASSWORD)


def test_a_password_set_by_an_administrator_must_be_changed_before_anything(cast: Cast) -> None:
    admin = Client()
    admin.force_login(cast.central_admin)
    response = admin.post(
        reverse("user_set_password", kwargs={"pk": cast.editor_a.pk}),
        {"password": "quản-trị đặt tạm 2026"},
    )
    assert response.status_code == 302
    cast.editor_a.refresh_from_db()
    assert cast.editor_a.must_change_password
    client = Client()
    login_password_only(client, cast.editor_a)
    for url in ("/", "/account/", "/units/", "/documents/new/"):
        response = client.get(url)
        assert response["Location"].startswith(reverse("password_change_required")), url
    form = reverse("password_change_required")
    # The administrator's password again is refused: it is the current one.
    page = client.post(
        form,
        {
            "old_password": "quản-trị đặt tạm 2026",
            "new_password1": "quản-trị đặt tạm 2026",
            "new_password2": "quản-trị đặt tạm 2026",
        },
    )
    assert page.status_code == 200 and b"errorlist" in page.content
    page = client.post(
        form,
        {"old_password": "quản-trị đặt tạm 2026", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert page["Location"] == "/"
    assert client.get("/").status_code == 200  # still signed in, nothing owed
    cast.editor_a.refresh_from_db()
    assert not cast.editor_a.must_change_password and cast.editor_a.check_password(GOOD)
    done = list(
        AuditEvent.objects.filter(object_id=str(cast.editor_a.pk), action__startswith="password.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert done[-2:] == [Action.PASSWORD_SET, Action.PASSWORD_CHANGE]


def reset_link(message: str) -> str:
    found = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", message)
    assert found, message
    return found.group(1)


def test_a_reset_by_email_works_once(cast: Cast) -> None:
    cast.editor_a.email = "bientap@bacninh.gov.vn"
    cast.editor_a.save()
    client = Client()
    page = client.post(reverse("password_reset"), {"email": "BienTap@bacninh.gov.vn"})
    assert page["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    link = reset_link(mail.outbox[0].body)
    assert mail.outbox[0].to == ["bientap@bacninh.gov.vn"]
    # Django moves the token into the session, then shows the form.
    form_url = client.get(link)["Location"]
    page = client.post(form_url, {"new_password1": "matkhau2026", "new_password2": "matkhau2026"})
    assert page.status_code == 200 and b"errorlist" in page.content  # refused, link still good
    page = client.post(form_url, {"new_password1": GOOD, "new_password2": GOOD})
    assert page["Location"] == reverse("password_reset_complete")
    cast.editor_a.refresh_from_db()
    assert cast.editor_a.check_password(GOOD)
    # Used once: the same link now says it no longer works.
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {Action.PASSWORD_RESET_REQUEST, Action.PASSWORD_RESET} <= actions


def test_a_reset_link_expires(cast: Cast, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.contrib.auth.tokens import default_token_generator

    cast.editor_a.email = "bientap@bacninh.gov.vn"
    cast.editor_a.save()
    Client().post(reverse("password_reset"), {"email": "bientap@bacninh.gov.vn"})
    link = reset_link(mail.outbox[0].body)
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    assert not Client().get(link, follow=True).context["validlink"]


def test_the_reset_page_says_the_same_whether_the_address_exists(cast: Cast) -> None:
    cast.editor_a.email = "bientap@bacninh.gov.vn"
    cast.editor_a.save()
    known = Client().post(reverse("password_reset"), {"email": "bientap@bacninh.gov.vn"})
    unknown = Client().post(reverse("password_reset"), {"email": "ai-do@example.vn"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    asked = AuditEvent.objects.filter(action=Action.PASSWORD_RESET_REQUEST)
    assert asked.count() == 2


def test_reset_requests_are_throttled(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    cache.clear()
    settings.PASSWORD_RESET_PER_HOUR = 2
    cast.editor_a.email = "bientap@bacninh.gov.vn"
    cast.editor_a.save()
    client = Client()
    statuses = [
        client.post(reverse("password_reset"), {"email": "bientap@bacninh.gov.vn"}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2
    cache.clear()


@pytest.mark.parametrize(
    "email", ["x" * 300 + "@a.vn", "a@b", "\u202e@x.vn", "", "a@b.vn\r\nBcc: c@d"]
)
def test_hostile_reset_addresses_get_a_message(cast: Cast, email: str) -> None:
    page = Client().post(reverse("password_reset"), {"email": email})
    assert page.status_code in (200, 400)
    assert len(mail.outbox) == 0


def test_a_new_account_cannot_start_with_its_own_name_as_password(cast: Cast) -> None:
    admin = Client()
    admin.force_login(cast.central_admin)
    page = admin.post(
        reverse("user_create"),
        {
            "username": "haiphong.bientap",
            "full_name": "Lê Thị Hoa",
            "email": "hoa@haiphong.gov.vn",
            "password": "LeThiHoa@20266",
            "is_active": "on",
        },
    )
    assert page.status_code == 200 and b"errorlist" in page.content
    assert not User.objects.filter(username="haiphong.bientap").exists()
    page = admin.post(
        reverse("user_create"),
        {
            "username": "haiphong.bientap",
            "full_name": "Lê Thị Hoa",
            "email": "hoa@haiphong.gov.vn",
            "password": GOOD,
            "is_active": "on",
        },
    )
    assert page.status_code == 302
    created = User.objects.get(username="haiphong.bientap")
    assert created.check_password(GOOD)
    # The administrator knows it: the new user chooses their own first.
    assert created.must_change_password
    client = Client()
    login_password_only(client, created)
    assert client.get("/")["Location"].startswith(reverse("password_change_required"))


def test_an_editors_autosave_owing_a_new_password_gets_a_401_it_understands(
    cast: Cast, document_a
) -> None:  # type: ignore[no-untyped-def]
    """The editor's script retries a 401 with ``session_ended`` (what was typed stays on the
    page); a redirect to an HTML form would be read as a failure. Nothing is saved."""
    import json

    from govplan.documents.models import Entry

    cast.editor_a.must_change_password = True
    cast.editor_a.save(update_fields=["must_change_password"])
    client = Client()
    login_password_only(client, cast.editor_a)
    section = next(s for s in document_a.framework_version.parsed().walk() if s.narrative)
    response = client.post(
        reverse("document_entry_save", args=[document_a.pk]),
        data=json.dumps(
            {"key": f"narrative:{section.code}", "base": 0, "content": {"html": "<p>x</p>"}}
        ),
        content_type="application/json",
    )
    assert response.status_code == 401
    body = response.json()
    assert body["session_ended"] and body["step_url"] == reverse("password_change_required")
    assert "mật khẩu" in body["errors"][""]
    assert not Entry.objects.filter(document=document_a, key=f"narrative:{section.code}").exists()
