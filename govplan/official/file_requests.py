"""Asking for an official DOCX or PDF: the cached file if it is made, else one row queued for
the background worker (govplan.official.rendering tells how files are keyed and made).

The worker is enqueued after the row's transaction, by the caller's code outside any
transaction (a view), not on commit: the row is committed by then, and with the in-process
backend (development, tests) the file is made within the request that asked for it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from govplan.accounts.types import User
from govplan.audit.recorder import record
from govplan.documents.models import Document
from govplan.official.models import FileState, RenderedFile
from govplan.official.rendering import compress, inputs_key, known_key, remember_key, wanted
from govplan.official.tasks import render_official_file


class NotRetryable(RuntimeError):
    """The file is made, or a live worker is making it: nothing to try again."""


def _enqueue(row: RenderedFile) -> None:
    render_official_file.enqueue(row.pk)


def do_request_file(document: Document, kind: str, *, actor: User | None) -> RenderedFile:
    """The row of the file ``document`` prints now as ``kind``: found (made, or being made),
    or created and queued once. A row waiting for a worker that never came (a lost job, a
    restarted server) is queued again. NotFrozen for an issued document without a record."""
    # What the model is printed from, named cheaply (before the model is built: see
    # rendering.inputs_key): a file made of those inputs before is found without the model.
    inputs = inputs_key(document)
    known = known_key(inputs)
    row = _found(document, kind, known) if known is not None else None
    if row is not None:
        return row
    want = wanted(document, kind)
    remember_key(inputs, want.key)
    row = _found(document, kind, want.key)
    if row is not None:
        return row
    with transaction.atomic():
        row, created = RenderedFile.objects.get_or_create(
            document=document,
            format=kind,
            key=want.key,
            defaults={"record_id": want.record_id, "source": compress(want.source)},
        )
        if not created:  # somebody asked at the same moment: theirs is queued
            return row
        gone = _older_files(document, kind, row)
        record(
            "official.render",
            actor=actor,
            obj=row,
            after={"format": kind, "key": want.key, "replaces": [r.pk for r in gone]},
        )
        RenderedFile.objects.filter(pk__in=[r.pk for r in gone]).delete()  # files on commit
    _enqueue(row)
    row.refresh_from_db()
    return row


def _found(document: Document, kind: str, key: str) -> RenderedFile | None:
    row = (
        RenderedFile.objects.filter(document=document, format=kind, key=key)
        .defer("source")  # the model waiting to be printed: not needed to serve or to wait
        .first()
    )
    if row is not None and row.state in (FileState.PENDING, FileState.RUNNING) and row.stale:
        _requeue(row)
    return row


def _older_files(document: Document, kind: str, row: RenderedFile) -> list[RenderedFile]:
    """The document's earlier files of this format that it no longer prints (made or failed;
    one being made is left for whoever waits for it). An issued record's files stay."""
    return list(
        RenderedFile.objects.filter(
            document=document,
            format=kind,
            record__isnull=True,
            state__in=(FileState.DONE, FileState.FAILED),
        )
        .exclude(pk=row.pk)
        .only("pk", "file")
    )


def _requeue(row: RenderedFile) -> None:
    RenderedFile.objects.filter(pk=row.pk, state=row.state, attempt=row.attempt).update(
        state=FileState.PENDING, queued_at=timezone.now()
    )
    _enqueue(row)
    row.refresh_from_db()


def do_retry_file(row: RenderedFile, *, actor: User | None) -> RenderedFile:
    """Queue again a file whose making failed (or whose worker fell silent)."""
    with transaction.atomic():
        locked = RenderedFile.objects.select_for_update(no_key=True).get(pk=row.pk)
        if not (locked.state == FileState.FAILED or locked.stale):
            raise NotRetryable(locked.state)
        before = {"state": locked.state, "error": locked.error}
        locked.state = FileState.PENDING
        locked.error = ""
        locked.queued_at = timezone.now()
        locked.save(update_fields=["state", "error", "queued_at"])
        record("official.render.retry", actor=actor, obj=locked, before=before)
    _enqueue(locked)
    locked.refresh_from_db()
    return locked


def do_forget_lost(row: RenderedFile, *, actor: User | None) -> None:
    """A made file missing from storage (a lost disk, a volume not shared): its row goes, so
    that the next request makes it again."""
    with transaction.atomic():
        deleted, _counts = RenderedFile.objects.filter(pk=row.pk).delete()
        if deleted:
            record(
                "official.render.lost",
                actor=actor,
                before={"file": row.pk, "format": row.format, "key": row.key},
                message=row.file.name,
            )
