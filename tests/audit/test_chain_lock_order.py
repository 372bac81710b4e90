"""The chain's head is locked at commit, after every other lock a transaction takes (seen
under load: a submission and a save deadlocked through the head 62 times in five minutes).

A transaction that has recorded an entry and then waits for a row another transaction
holds must not hold the head meanwhile: the other one, recording its own entry, would wait
for the head, and PostgreSQL would abort one of the two."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from govplan.accounts.actions import do_update_user
from govplan.accounts.models import User
from govplan.audit.chain import LOCK_KEY, verify_chain
from govplan.audit.models import AuditEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def people() -> tuple[User, User, User]:
    """Users of their own (a transactional test's database starts empty of the cast)."""
    return (
        User.objects.create_user("lock_admin", full_name="Admin"),
        User.objects.create_user("lock_first", full_name="First"),
        User.objects.create_user("lock_second", full_name="Second"),
    )


def _waiting_pid(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
        return cursor.fetchone() is not None


def _head_locked() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted",
            [LOCK_KEY & 0xFFFFFFFF],
        )
        return cursor.fetchone() is not None


def test_a_recorded_entry_does_not_hold_the_head_until_commit(
    people: tuple[User, User, User],
) -> None:
    admin, first, _second = people
    recorded, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def change() -> None:
        try:
            with transaction.atomic():
                do_update_user(first, actor=admin, phone="0912")
                recorded.set()
                release.wait(30)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=change)
    thread.start()
    assert recorded.wait(30)
    try:
        assert not _head_locked()  # recorded, not yet committed: the head is free
    finally:
        release.set()
        thread.join()
    assert errors == []
    assert AuditEvent.objects.filter(object_id=str(first.pk), action="update").exists()
    assert verify_chain()[0].ok


def test_two_changes_waiting_on_each_others_rows_both_commit(
    people: tuple[User, User, User],
) -> None:
    """A records a change to one user, then needs the row of a second user, which B has
    locked and is about to change (and record). Both finish; the chain verifies."""
    admin, first, second = people
    b_locked, a_pid = threading.Event(), [0]
    errors: list[BaseException] = []

    def a() -> None:
        try:
            with transaction.atomic():
                a_pid[0] = connection.connection.info.backend_pid
                do_update_user(first, actor=admin, phone="0911")
                assert b_locked.wait(30)
                User.objects.select_for_update(no_key=True).get(pk=second.pk)  # waits for B
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def b() -> None:
        try:
            with transaction.atomic():
                User.objects.select_for_update(no_key=True).get(pk=second.pk)
                b_locked.set()
                deadline = time.monotonic() + 30
                while not (a_pid[0] and _waiting_pid(a_pid[0])):  # A is now blocked on us
                    assert time.monotonic() < deadline, "A never waited for the row"
                    time.sleep(0.02)
                do_update_user(second, actor=admin, phone="0922")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.phone, second.phone) == ("0911", "0922")
    assert verify_chain()[0].ok
