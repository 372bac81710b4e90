"""On PostgreSQL the application connects as a role that may INSERT and SELECT the audit
table but not UPDATE, DELETE or TRUNCATE it, nor switch off its triggers (it owns no
table): the rest of the application still works under it. Migrations run as the owner."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from govplan.accounts.actions import do_create_user, do_update_user
from govplan.accounts.models import User
from govplan.audit.chain import verify_chain
from govplan.audit.models import AuditEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def app_role() -> Iterator[str]:
    """The application's role, set up by the command as the owner, then connected as."""
    role = f"govplan_app_test_{uuid.uuid4().hex[:8]}"
    owner = connection.settings_dict["USER"]
    call_command("setup_database_roles", "--app-role", role, stdout=open("/dev/null", "w"))  # noqa: SIM115
    connection.close()
    connection.settings_dict["USER"] = role
    try:
        yield role
    finally:
        connection.close()
        connection.settings_dict["USER"] = owner
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


REFUSED = [
    "UPDATE audit_auditevent SET message = 'rewritten'",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_chain",
    "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
    "DROP TABLE audit_auditevent",
    "CREATE TABLE sneaky (id int)",
    "DELETE FROM audit_verification",
    "UPDATE audit_verification SET ok = true",
]


def test_the_application_role_only_appends_to_the_audit_trail(app_role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)
    # The application works: a user created and changed, each with its audit entry.
    admin = User.objects.create_user("quan_tri_role", full_name="Quản trị")
    created = do_create_user(
        actor=admin, password="a-long-password-2026", username="moi_role", full_name="Mới"
    )
    do_update_user(created, actor=admin, full_name="Người Mới")
    assert (
        AuditEvent.objects.filter(object_type="accounts.user", object_id=str(created.pk)).count()
        == 2
    )
    for statement in REFUSED:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    # An entry that does not follow the chain's head is refused by the trigger.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, at, actor_username, channel,"
            " user_agent, action, object_type, object_id, object_repr, message) VALUES"
            " (999999, 'x', 'x', now() - interval '1 year', 'forger', 'web', '', 'update',"
            " '', '', '', '')"
        )
    result, verification = verify_chain()
    assert result.ok and verification.pk is not None
