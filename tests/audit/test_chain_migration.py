"""Entries written before the chain existed are chained by migration 0003, in id order, and
verify; the guards stand again afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from govplan.audit.chain import verify_chain
from govplan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("audit", "0002_append_only_trigger")]
LATEST = [("audit", "0003_chain")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_existing_entries_are_chained_in_id_order() -> None:
    migrate(BEFORE)
    try:
        old = timezone.now().replace(microsecond=678901)
        with connection.cursor() as cursor:
            for n, message in enumerate(["một", "hai", "ba"]):
                cursor.execute(
                    "INSERT INTO audit_auditevent (at, actor_username, channel, user_agent,"
                    " action, object_type, object_id, object_repr, before, after, message)"
                    " VALUES (%s, 'cu', 'web', '', 'update', 'x', %s, '', NULL, %s, %s)",
                    [old + dt.timedelta(seconds=n), str(n), '{"n": 1.0, "s": "ư"}', message],
                )
    finally:
        migrate(LATEST)
    entries = list(AuditEvent.objects.order_by("id"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [e.message for e in entries[-3:]] == ["một", "hai", "ba"]
    result, _verification = verify_chain()
    assert result.ok, result.first
    # The UPDATE guard the table rebuild dropped on SQLite is back.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET message = 'x' WHERE id = %s", [entries[0].pk])
