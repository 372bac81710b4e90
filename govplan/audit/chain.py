"""The audit chain in the database: who is next, the external copy, and verification.

Chain assignment is serialised on the chain's head until the writing transaction commits:

- PostgreSQL: a transaction-level advisory lock (:data:`LOCK_KEY`), taken before the head is
  read; the chain trigger (migration 0003) takes it too and refuses an entry that does not
  follow the head (sequence, previous hash) or whose time is not now, so that nothing going
  around the application can append a back-dated or unlinked entry either.
- SQLite: the database's write lock, which every writing transaction takes at BEGIN
  (``transaction_mode = IMMEDIATE``).

Two transactions writing entries at once therefore never fork the chain or share a
sequence number (``seq`` is also unique).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from govplan.audit.models import AuditEvent, Verification
from govplan.core import auditchain
from govplan.core.auditchain import GENESIS, Break, Entry

logger = logging.getLogger(__name__)

LOCK_KEY = 0x60_A0_D1_7C  # pg_advisory_xact_lock key of the audit chain's head

FIELDS = ("id", "seq", "prev_hash", "hash", *auditchain.CONTENT_FIELDS)


def lock_head() -> tuple[int, str]:
    """Lock the chain's head for this transaction; its (sequence, hash)."""
    if connection.vendor == "postgresql":
        # One round trip: the function takes the lock, then reads the head (migration 0003).
        with connection.cursor() as cursor:
            cursor.execute("SELECT head_seq, head_hash FROM audit_chain_head()")
            row = cursor.fetchone()
        return (row[0], row[1]) if row is not None and row[0] is not None else (0, GENESIS)
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return head if head is not None else (0, GENESIS)


@contextmanager
def loading_entries() -> Iterator[None]:
    """For a restore (as the tables' owner, inside its transaction): entries written long
    ago, with their own sequence, hashes and times, are inserted as they were. PostgreSQL's
    chain trigger, which refuses entries not dated now, is off until the block ends; the
    restored chain is then verified as any other (``verify_chain``)."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("load audit entries inside the restore's transaction")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs no pending events
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_chain")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_chain")


def content_of(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in auditchain.CONTENT_FIELDS}


def append_to_sink(event: AuditEvent) -> None:
    """Once the entry's transaction has committed, append it as one JSON line to
    AUDIT_SINK_FILE (a file the system's log daemon ships elsewhere), if one is set."""
    path = getattr(settings, "AUDIT_SINK_FILE", "")
    if not path:
        return
    line = auditchain.sink_line(event.pk, event.seq, event.prev_hash, event.hash, content_of(event))

    def write() -> None:
        try:
            # One write of one line with O_APPEND: lines of several processes never interleave.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
            finally:
                os.close(fd)
        except OSError:
            # The entry is in the database; the verifier reports it missing from the copy.
            logger.exception("audit entry %s could not be copied to %s", event.seq, path)

    transaction.on_commit(write)


def database_entries(chunk: int = 2000) -> Iterator[Entry]:
    """Every entry in sequence order, read in chunks (the table may hold millions)."""
    rows = AuditEvent.objects.order_by("seq").values_list(*FIELDS)
    for row in rows.iterator(chunk_size=chunk):
        values = dict(zip(FIELDS, row, strict=True))
        yield Entry(
            id=values["id"],
            seq=values["seq"],
            prev_hash=values["prev_hash"],
            hash=values["hash"],
            content={name: values[name] for name in auditchain.CONTENT_FIELDS},
        )


def sink_entries(path: Path, problems: list[Break]) -> Iterator[Entry]:
    """The external copy's entries as written; a line that is not an entry is reported."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield Entry.from_line(line)
            except (ValueError, KeyError, TypeError):
                problems.append(
                    Break(
                        auditchain.Problem.UNREADABLE, None, None, f"line {number} is not an entry"
                    )
                )


class Result:
    """A verification's outcome: the database's chain, and the external copy's if given."""

    def __init__(self) -> None:
        self.database: auditchain.ChainVerifier | None = None
        self.sink: auditchain.ChainVerifier | None = None
        self.sink_breaks: list[Break] = []
        self.sink_break_count = 0

    @property
    def first(self) -> Break | None:
        for candidate in (
            self.database.first if self.database else None,
            self.sink_breaks[0] if self.sink_breaks else None,
            self.sink.first if self.sink else None,
        ):
            if candidate is not None:
                return candidate
        return None

    @property
    def breaks(self) -> int:
        return (
            (self.database.breaks if self.database else 0)
            + (self.sink.breaks if self.sink else 0)
            + self.sink_break_count
        )

    @property
    def ok(self) -> bool:
        return self.breaks == 0


def known_head() -> tuple[int, str] | None:
    """The last entry a previous verification saw intact (sequence, hash)."""
    last = (
        Verification.objects.filter(ok=True, head_seq__gt=0)
        .order_by("-head_seq")
        .values_list("head_seq", "head_hash")
        .first()
    )
    return last


def verify_chain(sink: Path | None = None, *, save: bool = True) -> tuple[Result, Verification]:
    """Verify the database's chain (and the external copy against it) in one pass each,
    and record the outcome (shown to central administrators on the audit pages)."""
    started = timezone.now()
    result = Result()
    result.database = auditchain.verify(database_entries(), known_head=known_head())
    if sink is not None:
        unreadable: list[Break] = []
        if not sink.exists():
            unreadable.append(
                Break(auditchain.Problem.UNREADABLE, None, None, f"{sink} does not exist")
            )
        else:
            result.sink = auditchain.verify(auditchain.in_order(sink_entries(sink, unreadable)))
            for found in auditchain.compare(
                database_entries(), auditchain.in_order(sink_entries(sink, []))
            ):
                result.sink_break_count += 1
                if len(result.sink_breaks) < 20:
                    result.sink_breaks.append(found)
        result.sink_break_count += len(unreadable)
        result.sink_breaks = unreadable + result.sink_breaks
    first = result.first
    verification = Verification(
        started_at=started,
        finished_at=timezone.now(),
        ok=result.ok,
        entries=result.database.entries,
        head_seq=result.database.head_seq,
        head_hash=result.database.head_hash if result.database.entries else "",
        breaks=result.breaks,
        problem=first.problem if first else "",
        break_seq=first.seq if first else None,
        break_entry_id=first.entry_id if first else None,
        detail=first.detail if first else "",
        sink=str(sink or ""),
    )
    if save:
        verification.save()
    return result, verification
