"""Idle timeout, the user's own sessions (seen and ended), and revoked roles ending access to
finished exports."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govplan.audit.models import Action, AuditEvent
from govplan.documents.models import Entry, EntryVersion
from govplan.usersessions.models import UserSession
from govplan.usersessions.tracking import LAST_ACTIVITY, describe_browser
from tests.conftest import PASSWORD, Cast
from tests.support.documents import every_feature_document

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IDLE_MESSAGE = "Phiên làm việc đã kết thúc sau 30 phút không hoạt động"


def signed_in(user: Any, agent: str = CHROME, address: str = "192.0.2.10") -> Client:
    """Signed in through the login form, as a browser would."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_ACTIVITY] = int(time.time() - seconds)
    session.save()


# --- idle timeout ---------------------------------------------------------------------------


def test_a_request_after_the_idle_time_signs_out_with_a_message(cast: Cast) -> None:
    client = signed_in(cast.editor_a)
    idle_for(client, 31 * 60)
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert IDLE_MESSAGE in page
    assert client.get(reverse("profile")).status_code == 302  # still signed out
    entry = AuditEvent.objects.get(action=Action.SESSION_IDLE)
    assert entry.actor == cast.editor_a
    assert not UserSession.objects.filter(user=cast.editor_a).exists()


def test_activity_within_the_idle_time_keeps_the_session(cast: Cast) -> None:
    client = signed_in(cast.editor_a)
    idle_for(client, 29 * 60)
    assert client.get(reverse("profile")).status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY] < 5  # the clock starts again
    assert not AuditEvent.objects.filter(action=Action.SESSION_IDLE).exists()


def test_the_idle_time_is_configurable(cast: Cast, settings: Any) -> None:
    settings.IDLE_SESSION_TIMEOUT_MINUTES = 5
    client = signed_in(cast.editor_a)
    idle_for(client, 6 * 60)
    assert client.get(reverse("profile")).status_code == 302


def test_reading_pages_does_not_write_the_session_each_time(cast: Cast) -> None:
    client = signed_in(cast.editor_a)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get(reverse("profile")).status_code == 200
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert not [sql for sql in writes if "django_session" in sql or "usersession" in sql]
    # After a minute, one write records the activity.
    idle_for(client, 61)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("profile"))
    assert any("usersessions_usersession" in q["sql"] for q in queries)


def test_an_autosave_after_the_idle_time_answers_401_in_json_and_saves_nothing(
    cast: Cast,
) -> None:
    document = every_feature_document(cast)
    client = signed_in(cast.editor_a)
    idle_for(client, 31 * 60)
    entries, versions = Entry.objects.count(), EntryVersion.objects.count()
    response = client.post(
        reverse("document_entry_add", args=[document.pk]),
        data=json.dumps({"container": "row:projects", "content": {"cells": {"name": "Mới"}}}),
        content_type="application/json",
    )
    assert response.status_code == 401
    body = response.json()
    assert body["session_ended"] is True
    assert IDLE_MESSAGE in body["errors"][""]
    assert "vẫn còn trên trang này" in body["errors"][""]
    assert body["login_url"] == reverse("login")
    assert (Entry.objects.count(), EntryVersion.objects.count()) == (entries, versions)


def test_an_autosave_without_a_session_answers_401_in_json(cast: Cast) -> None:
    document = every_feature_document(cast)
    response = Client().post(
        reverse("document_entry_save", args=[document.pk]),
        data=json.dumps({"key": "x", "base": 0, "content": {}}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "Phiên làm việc đã kết thúc" in response.json()["errors"][""]


def test_the_editor_keeps_what_was_typed_and_says_to_sign_in_again() -> None:
    """The editor's script treats 401 as "not saved, sign in again", keeps the input and
    retries; it reads the CSRF token from the cookie, which a new login renews."""
    from pathlib import Path

    import govplan

    script = (
        Path(govplan.__file__).parent / "documents" / "static" / "documents" / "editor.js"
    ).read_text(encoding="utf-8")
    assert "(result.status === 401 && data.session_ended) || result.status === 429" in script
    assert script.index("document.cookie.match(/(?:^|; )csrftoken") < script.index(
        'querySelector("input[name=csrfmiddlewaretoken]")'
    )


# --- seeing and ending one's sessions -------------------------------------------------------


def test_the_account_page_lists_the_sessions_with_browser_address_and_times(cast: Cast) -> None:
    here = signed_in(cast.editor_a, CHROME, "192.0.2.10")
    signed_in(cast.editor_a, FIREFOX, "198.51.100.20")
    signed_in(cast.editor_b, FIREFOX, "203.0.113.5")  # someone else's: not listed
    page = here.get(reverse("profile")).content.decode()
    assert "Nơi bạn đang đăng nhập" in page
    assert "Chrome · Windows" in page and "Firefox · Linux" in page
    assert "192.0.2.10" in page and "198.51.100.20" in page
    assert "203.0.113.5" not in page
    assert "Phiên này" in page
    for row in UserSession.objects.all():
        assert row.session_key not in page  # keys never leave the server


def test_ending_another_session_signs_it_out(cast: Cast) -> None:
    here = signed_in(cast.editor_a, CHROME)
    there = signed_in(cast.editor_a, FIREFOX, "198.51.100.20")
    other = UserSession.objects.get(ip="198.51.100.20")
    response = here.post(reverse("session_end", args=[other.pk]), follow=True)
    assert "Đã kết thúc phiên" in response.content.decode()
    assert there.get(reverse("profile")).status_code == 302  # signed out
    assert here.get(reverse("profile")).status_code == 200  # still signed in
    entry = AuditEvent.objects.get(action=Action.SESSION_END)
    assert entry.actor == cast.editor_a and entry.before["ip"] == "198.51.100.20"
    # Twice (a double submit): said, and recorded once.
    again = here.post(reverse("session_end", args=[other.pk]), follow=True)
    assert "Phiên đó đã kết thúc" in again.content.decode()
    assert AuditEvent.objects.filter(action=Action.SESSION_END).count() == 1


def test_no_one_ends_someone_elses_session_nor_their_own_through_it(cast: Cast) -> None:
    here = signed_in(cast.editor_a)
    victim = signed_in(cast.editor_b, FIREFOX, "198.51.100.30")
    theirs = UserSession.objects.get(user=cast.editor_b)
    mine = UserSession.objects.get(user=cast.editor_a)
    for pk in (theirs.pk, mine.pk, 999999):
        response = here.post(reverse("session_end", args=[pk]), follow=True)
        assert "Phiên đó đã kết thúc" in response.content.decode()
    assert victim.get(reverse("profile")).status_code == 200
    assert here.get(reverse("profile")).status_code == 200
    assert not AuditEvent.objects.filter(action=Action.SESSION_END).exists()


def test_ending_all_other_sessions(cast: Cast) -> None:
    here = signed_in(cast.editor_a)
    others = [signed_in(cast.editor_a, FIREFOX, f"198.51.100.{i}") for i in (1, 2)]
    colleague = signed_in(cast.editor_b)
    response = here.post(reverse("sessions_end_others"), follow=True)
    assert "Đã kết thúc 2 phiên khác" in response.content.decode()
    for client in others:
        assert client.get(reverse("profile")).status_code == 302
    assert here.get(reverse("profile")).status_code == 200
    assert colleague.get(reverse("profile")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.SESSION_END).count() == 2
    again = here.post(reverse("sessions_end_others"), follow=True)
    assert "Bạn không có phiên nào khác" in again.content.decode()


def test_logging_out_removes_the_session_from_the_list(cast: Cast) -> None:
    client = signed_in(cast.editor_a)
    assert UserSession.objects.filter(user=cast.editor_a).count() == 1
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=cast.editor_a).exists()


def test_ending_sessions_is_post_only(cast: Cast) -> None:
    here = signed_in(cast.editor_a)
    there = signed_in(cast.editor_a, FIREFOX)
    other = UserSession.objects.exclude(pk=UserSession.objects.order_by("pk").first().pk).first()
    assert here.get(reverse("session_end", args=[other.pk])).status_code == 405
    assert there.get(reverse("profile")).status_code == 200


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (CHROME, "Chrome · Windows"),
        (FIREFOX, "Firefox · Linux"),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", ""),
    ],
)
def test_browsers_are_named_plainly(agent: str, described: str) -> None:
    assert describe_browser(agent) == described
