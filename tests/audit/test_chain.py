"""The audit chain in the database: every entry chained as it is written, the verifier
finding the first broken link after each way the issue lists of rewriting the trail from
the application's own connection (raw updates, deletes, back-dated inserts, truncation),
the external copy, the daily run and what central administrators see."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govplan.accounts.actions import do_update_user
from govplan.audit import apps as audit_apps
from govplan.audit.chain import verify_chain
from govplan.audit.models import Action, AuditEvent, Verification
from govplan.audit.recorder import record
from govplan.audit.tasks import verify_audit_chain
from govplan.core import auditchain
from govplan.core.auditchain import Problem
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def write_entries(cast: Cast, count: int = 4) -> list[AuditEvent]:
    for n in range(count):
        do_update_user(cast.viewer_a, actor=cast.central_admin, job_title=f"Chuyên viên {n}")
    return list(AuditEvent.objects.order_by("-seq")[:count])[::-1]


@contextmanager
def as_owner_without_triggers() -> Iterator[None]:
    """What the table's owner (or anyone on SQLite) can do: switch the guards off. The
    test's transaction undoes it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_append_only")
    yield


def test_entries_are_numbered_and_chained_as_they_are_written(cast: Cast) -> None:
    entries = write_entries(cast, 3)
    seqs = [e.seq for e in entries]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    for entry in entries:
        content = {name: getattr(entry, name) for name in auditchain.CONTENT_FIELDS}
        assert entry.hash == auditchain.entry_hash(entry.prev_hash, entry.seq, content)
    result, verification = verify_chain()
    assert result.ok and verification.ok
    assert verification.entries == AuditEvent.objects.count()


def test_hostile_content_verifies(cast: Cast) -> None:
    with transaction.atomic():
        record(
            Action.UPDATE,
            actor=cast.editor_a,
            before={"n": 1.0, "big": 1e16, "s": '=HYPERLINK("x")\t\u202e', "x": [None, True]},
            after={"ư": "Nguyễn Thị 🌾", "nested": {"b": 2, "a": 0.1}},
            message="<script>alert(1)</script>",
        )
    assert verify_chain()[0].ok


def broken(sink: Path | None = None) -> Verification:
    result, verification = verify_chain(sink)
    assert not result.ok
    return verification


def test_raw_sql_rewriting_an_entry_is_found(cast: Cast) -> None:
    entries = write_entries(cast)
    target = entries[1]
    with as_owner_without_triggers(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_username = 'someone' WHERE id = %s", [target.pk]
        )
    found = broken()
    assert (found.problem, found.break_entry_id, found.break_seq) == (
        Problem.ALTERED,
        target.pk,
        target.seq,
    )


def test_raw_sql_deleting_an_entry_is_found(cast: Cast) -> None:
    entries = write_entries(cast)
    gone, next_one = entries[1], entries[2]
    with as_owner_without_triggers(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [gone.pk])
    found = broken()
    assert (found.problem, found.break_entry_id) == (Problem.MISSING, next_one.pk)
    assert str(gone.seq) in found.detail


def insert_raw(seq: int, prev_hash: str, at: dt.datetime, hash_: str | None = None) -> None:
    content = {name: None for name in auditchain.CONTENT_FIELDS}
    content.update(
        at=at,
        actor_username="forger",
        channel="web",
        action="update",
        object_type="",
        object_id="",
        object_repr="",
        user_agent="",
        message="back-dated",
    )
    digest = hash_ or auditchain.entry_hash(prev_hash, seq, content)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, at, actor_username, channel,"
            " user_agent, action, object_type, object_id, object_repr, message)"
            " VALUES (%s, %s, %s, %s, 'forger', 'web', '', 'update', '', '', '', 'back-dated')",
            [seq, prev_hash, digest, at],
        )


def test_a_back_dated_entry_forged_through_raw_sql_is_found(cast: Cast) -> None:
    last = write_entries(cast)[-1]
    a_year_ago = timezone.now() - dt.timedelta(days=365)
    with as_owner_without_triggers():
        insert_raw(last.seq + 1, last.hash, a_year_ago)
    found = broken()
    assert (found.problem, found.break_seq) == (Problem.BACKDATED, last.seq + 1)


def test_an_entry_forged_before_the_others_is_found(cast: Cast) -> None:
    write_entries(cast)
    with as_owner_without_triggers():
        insert_raw(-5, auditchain.GENESIS, timezone.now() - dt.timedelta(days=365))
    result, found = verify_chain()
    assert (found.problem, found.break_seq) == (Problem.INSERTED, -5)
    assert result.breaks == 1  # the entries after it still verify


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's chain trigger")
def test_postgresql_refuses_an_entry_that_does_not_follow_the_head(cast: Cast) -> None:
    last = write_entries(cast)[-1]
    now = timezone.now()
    for seq, prev, at in (
        (last.seq + 1, "0" * 64, now),  # not linked to the head
        (last.seq + 5, last.hash, now),  # a gap
        (last.seq + 1, last.hash, now - dt.timedelta(days=1)),  # back-dated
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            insert_raw(seq, prev, at)
    insert_raw(last.seq + 1, last.hash, now)  # linked and dated now: accepted
    assert verify_chain()[0].ok


def test_emptying_the_table_is_found_against_the_last_verification(cast: Cast) -> None:
    write_entries(cast)
    assert verify_chain()[0].ok
    with as_owner_without_triggers(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE audit_auditevent")
        else:
            cursor.execute("DELETE FROM audit_auditevent")
    found = broken()
    assert found.problem == Problem.TRUNCATED


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's DELETE guard")
def test_sqlite_refuses_deleting_entries_outside_the_test_flush(cast: Cast) -> None:
    entry = write_entries(cast, 1)[0]
    audit_apps.ALLOW_FLUSH[0] = False
    try:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [entry.pk])
    finally:
        audit_apps.ALLOW_FLUSH[0] = True
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


# --- the external copy -------------------------------------------------------------------


@pytest.fixture
def sink(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "audit.jsonl"
    settings.AUDIT_SINK_FILE = str(path)
    return path


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_committed_entries_are_copied_and_rolled_back_ones_are_not(
    cast: Cast, sink: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        do_update_user(cast.viewer_a, actor=cast.central_admin, job_title="Một")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        record(Action.UPDATE, actor=cast.central_admin, message="rolled back")
        1 / 0
    assert callbacks == []
    copied = lines(sink)
    entry = AuditEvent.objects.order_by("-seq").first()
    assert entry is not None
    assert [c["seq"] for c in copied] == [entry.seq]
    assert copied[0]["hash"] == entry.hash and copied[0]["prev_hash"] == entry.prev_hash
    assert "rolled back" not in sink.read_text(encoding="utf-8")


def all_copied(sink: Path) -> None:
    """The copy of every entry so far, as the sink would hold it had it been set from the
    start (the test database's earlier entries were written without a sink)."""
    with sink.open("w", encoding="utf-8") as out:
        for e in AuditEvent.objects.order_by("seq"):
            content = {name: getattr(e, name) for name in auditchain.CONTENT_FIELDS}
            out.write(auditchain.sink_line(e.pk, e.seq, e.prev_hash, e.hash, content) + "\n")


def test_the_copy_verifies_with_the_database_and_alone(cast: Cast, sink: Path) -> None:
    write_entries(cast, 2)
    all_copied(sink)
    assert verify_chain(sink)[0].ok
    copy = [auditchain.Entry.from_line(line) for line in sink.read_text().splitlines()]
    assert auditchain.verify(copy).ok


def test_entries_deleted_from_the_database_are_in_the_copy(cast: Cast, sink: Path) -> None:
    entries = write_entries(cast, 3)
    all_copied(sink)
    with as_owner_without_triggers(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= %s", [entries[1].seq])
    result, _verification = verify_chain(sink)
    assert not result.ok
    problems = {(b.problem, b.seq) for b in result.sink_breaks}
    assert (Problem.NOT_IN_DATABASE, entries[1].seq) in problems
    assert (Problem.NOT_IN_DATABASE, entries[2].seq) in problems


def test_an_edited_copy_and_a_missing_line_are_reported(cast: Cast, sink: Path) -> None:
    entries = write_entries(cast, 3)
    all_copied(sink)
    text = sink.read_text(encoding="utf-8").splitlines()
    edited = [line.replace("Chuyên viên 1", "Chuyên viên 9") for line in text]
    without_last = edited[:-1]
    sink.write_text("\n".join([*without_last, "not json"]) + "\n", encoding="utf-8")
    result, _ = verify_chain(sink)
    assert not result.ok
    assert result.sink is not None
    assert result.sink.first is not None and result.sink.first.problem == Problem.ALTERED
    problems = {(b.problem, b.seq) for b in result.sink_breaks}
    assert (Problem.NOT_IN_SINK, entries[-1].seq) in problems
    assert any(b.problem == Problem.UNREADABLE for b in result.sink_breaks)


# --- the command, the daily run and the audit page ---------------------------------------


def test_the_command_reports_the_first_broken_link(cast: Cast, capsys) -> None:  # type: ignore[no-untyped-def]
    entries = write_entries(cast)
    call_command("verify_audit_chain", "--no-sink")
    assert "intact" in capsys.readouterr().out
    with as_owner_without_triggers(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET message = 'x' WHERE id = %s", [entries[2].pk])
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit_chain", "--no-sink")
    assert f"entry id {entries[2].pk}" in str(raised.value)
    assert "altered" in str(raised.value)
    assert raised.value.returncode == 1


def test_the_daily_task_records_its_result(cast: Cast) -> None:
    write_entries(cast, 1)
    result = verify_audit_chain.enqueue()
    assert result.return_value["ok"] is True
    last = Verification.objects.latest("started_at")
    assert last.ok and last.entries == AuditEvent.objects.count()


def test_central_administrators_see_the_last_verification(cast: Cast) -> None:
    entries = write_entries(cast)
    client = Client()
    client.force_login(cast.central_admin)
    page = client.get(reverse("audit_list")).content.decode()
    assert "verify_audit_chain" in page  # not verified yet: how to
    verify_chain()
    with as_owner_without_triggers(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET message = 'x' WHERE id = %s", [entries[0].pk])
    verify_chain()
    page = client.get(reverse("audit_list")).content.decode()
    assert reverse("audit_detail", args=[entries[0].pk]) in page
    assert "Chuỗi bị phá vỡ" in page  # "Chain broken"
    detail = client.get(reverse("audit_detail", args=[entries[1].pk])).content.decode()
    assert entries[1].hash in detail and entries[1].prev_hash in detail
    assert "nội dung bị sửa" in page  # "content altered after it was written"


def test_the_command_compares_the_external_copy(cast: Cast, sink: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    entries = write_entries(cast, 2)
    all_copied(sink)
    call_command("verify_audit_chain")  # AUDIT_SINK_FILE by default
    assert str(sink) in capsys.readouterr().out
    with as_owner_without_triggers(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [entries[-1].pk])
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", "--sink", str(sink))
    out = capsys.readouterr().out
    assert "not_in_database" in out and f"entry {entries[-1].seq} " in out


def test_a_restore_loads_old_entries_as_they_were(cast: Cast) -> None:
    """What `manage.py restore` does with the trail: the entries come back with their own
    times and hashes (PostgreSQL's trigger would refuse them as not dated now), and verify."""
    from django.core import serializers

    from govplan.audit.chain import loading_entries

    write_entries(cast, 3)
    dumped = serializers.serialize("json", AuditEvent.objects.order_by("seq"))
    with as_owner_without_triggers(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    with transaction.atomic(), loading_entries():
        for obj in serializers.deserialize("json", dumped):
            obj.save()
    result, _ = verify_chain()
    assert result.ok, result.first
