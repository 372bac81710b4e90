"""The audit trail: logins and failures with their origin, changes with before and after,
written in the same transaction, and never changed afterwards."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from govplan.accounts.actions import do_grant_membership, do_update_user
from govplan.audit.models import Action, AppendOnlyError, AuditEvent
from govplan.audit.recorder import AuditOutsideTransactionError, record
from tests.conftest import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def test_successful_and_failed_logins_are_recorded_with_their_address(cast: Cast) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox/140")
    response = client.post(reverse("login"), {"username": "editor_a", "password": "wrong"})
    assert response.status_code == 200
    failure = AuditEvent.objects.filter(action=Action.LOGIN_FAILURE).latest("id")
    assert failure.actor is None
    assert failure.actor_username == "editor_a"
    assert failure.ip == "203.0.113.7"
    assert failure.user_agent == "Firefox/140"
    assert "wrong" not in str(failure.after) + failure.message

    response = client.post(reverse("login"), {"username": "editor_a", "password": PASSWORD})
    assert response.status_code == 302
    success = AuditEvent.objects.filter(action=Action.LOGIN_SUCCESS).latest("id")
    assert success.actor == cast.editor_a
    assert success.ip == "203.0.113.7"

    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action=Action.LOGOUT, actor=cast.editor_a).exists()


def test_a_change_records_who_what_before_and_after(cast: Cast) -> None:
    do_update_user(cast.editor_a, actor=cast.central_admin, full_name="Lê Văn Biên", phone="0912")
    entry = AuditEvent.objects.latest("id")
    assert entry.action == Action.UPDATE
    assert entry.actor == cast.central_admin
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(cast.editor_a.pk)
    assert [(name, before, after) for name, before, after in entry.changes()] == [
        ("full_name", "editor_a", "Lê Văn Biên"),
        ("phone", "", "0912"),
    ]


def test_the_audit_entry_shares_the_transaction_of_its_change(cast: Cast) -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        do_grant_membership(cast.editor_b, cast.province_a, "viewer", actor=cast.central_admin)
        raise RuntimeError("the request fails after the change")
    assert AuditEvent.objects.count() == count
    assert not cast.editor_b.memberships.filter(org_unit=cast.province_a).exists()


@pytest.mark.django_db(transaction=True)
def test_a_data_change_cannot_be_recorded_outside_a_transaction() -> None:
    assert not connection.in_atomic_block
    with pytest.raises(AuditOutsideTransactionError):
        record(Action.UPDATE, message="no transaction")
    assert not AuditEvent.objects.filter(message="no transaction").exists()


def test_entries_cannot_be_changed_or_deleted() -> None:
    entry = AuditEvent.objects.latest("id")
    entry.message = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=entry.pk).update(message="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=entry.pk).delete()
    # Around the ORM, the database itself refuses.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET message = 'rewritten' WHERE id = %s", [entry.pk]
        )
    assert AuditEvent.objects.get(pk=entry.pk).message != "rewritten"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE trigger is PostgreSQL's")
def test_postgresql_refuses_deleting_entries() -> None:
    entry = AuditEvent.objects.latest("id")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [entry.pk])


def test_central_administrators_read_the_log_in_the_ui(cast: Cast) -> None:
    do_update_user(cast.editor_a, actor=cast.central_admin, job_title="Chuyên viên")
    client = Client()
    client.force_login(cast.central_admin)
    page = client.get(reverse("audit_list"), {"actor": "admin", "action": "update"})
    assert page.status_code == 200
    assert "editor_a" in page.content.decode()
    entry = AuditEvent.objects.filter(action=Action.UPDATE).latest("id")
    detail = client.get(reverse("audit_detail", args=[entry.pk])).content.decode()
    assert "job_title" in detail and "Chuyên viên" in detail


def test_repeated_failures_lock_the_name_from_any_address(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(3):
        client.post(reverse("login"), {"username": "editor_a", "password": "sai-mật-khẩu"})
    locked = client.post(reverse("login"), {"username": "editor_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Đăng nhập không thành công quá nhiều lần" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still not logged in
    failures = AuditEvent.objects.filter(action=Action.LOGIN_FAILURE, actor_username="editor_a")
    assert failures.count() >= 3
    # The account is locked from any address (tests/sessions/test_throttling.py), others are not.
    other = Client(REMOTE_ADDR="203.0.113.50")
    response = other.post(reverse("login"), {"username": "editor_a", "password": PASSWORD})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "editor_b", "password": PASSWORD})
    assert response.status_code == 302
