"""Logins admitted through a bounded pool: refused with 503 when full, and nothing changed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse

from govplan.accounts.admission import LoginAdmission, login_admission
from govplan.audit.models import Action, AuditEvent
from tests.conftest import PASSWORD, Cast


@contextmanager
def held(admission: LoginAdmission, slots: int = 1) -> Iterator[None]:
    """``slots`` slots taken by other threads (logins in progress) until the block ends."""
    taken = threading.Semaphore(0)
    done = threading.Event()
    got: list[bool] = []

    def login_in_progress() -> None:
        with admission.admitted() as admitted:
            got.append(admitted)
            taken.release()
            done.wait()

    threads = [threading.Thread(target=login_in_progress) for _ in range(slots)]
    for thread in threads:
        thread.start()
    for _ in threads:
        taken.acquire()
    assert got == [True] * slots
    try:
        yield
    finally:
        done.set()
        for thread in threads:
            thread.join()


def test_the_pool_refuses_when_full_and_admits_when_free() -> None:
    admission = LoginAdmission(slots=2, wait_seconds=0)
    with held(admission, slots=2), admission.admitted() as admitted:
        assert not admitted
    with held(admission, slots=1), admission.admitted() as admitted:
        assert admitted
    with admission.admitted() as first, admission.admitted() as second:
        assert first and second


@pytest.mark.django_db
def test_a_refused_login_changes_nothing_and_says_to_retry(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True
    settings.LOGIN_ADMISSION_SLOTS = 1
    settings.LOGIN_ADMISSION_WAIT_MS = 0
    client = Client(REMOTE_ADDR="198.51.100.20")
    audit_before = AuditEvent.objects.count()
    with held(login_admission()):
        # The login page itself is served: only the password check waits for a slot.
        assert client.get(reverse("login")).status_code == 200
        for password in (PASSWORD, "sai-mật-khẩu"):
            response = client.post(
                reverse("login") + "?next=/account/",
                {"username": "editor_a", "password": password},
            )
            assert response.status_code == 503
            assert response["Retry-After"] == "5"
            page = response.content.decode()
            assert "Quá nhiều người đăng nhập cùng lúc" in page
            assert "thử lại sau vài giây" in page
            assert 'href="/login/?next=/account/"' in page
            assert settings.SESSION_COOKIE_NAME not in response.cookies
    # Nothing counted against the name or the address, nothing recorded, not logged in.
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()
    assert not AccessLog.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    cast.editor_a.refresh_from_db()
    assert cast.editor_a.last_login is None
    assert client.get(reverse("home")).status_code == 302

    # Once the slot is free, the same login goes through.
    response = client.post(reverse("login"), {"username": "editor_a", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOGIN_SUCCESS, actor=cast.editor_a).exists()
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_double_click_while_full_never_locks_the_account(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    """Refused attempts are no failures: the limit of wrong passwords is not reached by them."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    settings.LOGIN_ADMISSION_WAIT_MS = 0
    client = Client(REMOTE_ADDR="198.51.100.21")
    with held(login_admission()):
        for _ in range(3):
            response = client.post(
                reverse("login"), {"username": "editor_a", "password": "sai-mật-khẩu"}
            )
            assert response.status_code == 503
    response = client.post(reverse("login"), {"username": "editor_a", "password": PASSWORD})
    assert response.status_code == 302
