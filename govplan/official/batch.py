"""Batch export of a cycle: the chosen documents of one framework version as DOCX and PDF,
with the cycle's tables, in one ZIP made by a background worker (govplan.official.tasks).

The documents are fixed when the job is created. An issued document comes as what was issued:
its signed copy as the PDF, and the DOCX made from what was frozen at issue. A document whose
files cannot be made is reported (``job.failed``, the ZIP's note and the export's page) and the
others are still made; a file the server cannot write (its disk) stops the job instead, to be
resumed. The worker writes each document's files
in storage under exports/<job>/parts/ (each stored whole or not at all)
and then adds the document to ``job.done`` in one small UPDATE, so a job taken up again
after a crash or a worker restart carries on where it stopped and never writes a document
twice into the ZIP. The ZIP is assembled from the parts at the end, again written under a
temporary name and renamed.

Every run that takes a job up raises ``job.attempt``; its writes to the job carry the
number they started with, so a worker that was thought dead (and replaced) but still
runs finds out at its next write and stops without touching the job.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from govplan.accounts.types import AnyUser, User
from govplan.audit.recorder import record
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkVersion
from govplan.official.cycle import BadSelection, cycle_documents, parse_status
from govplan.official.export_files import (
    FINAL,
    FINAL_STATUSES,
    FORMATS,
    NothingToExport,
    NotResumable,
    zip_name,
)
from govplan.official.models import ExportJob, ExportState
from govplan.official.tasks import export_cycle
from govplan.orgunits.models import OrgUnit
from govplan.webutils import storage_files

logger = logging.getLogger(__name__)


# -- choosing ------------------------------------------------------------------------------


def parse_export_status(raw: str | None) -> str:
    value = (raw or "").strip()
    return FINAL if value == FINAL else parse_status(value)


def parse_formats(values: Iterable[str]) -> list[str]:
    """The chosen formats in a fixed order; none, or an unknown one, is refused."""
    chosen = {v.strip().lower() for v in values if v.strip()}
    if not chosen or chosen - set(FORMATS):
        raise BadSelection(",".join(sorted(chosen)))
    return [f for f in FORMATS if f in chosen]


def selection(
    user: AnyUser, version: FrameworkVersion, unit: OrgUnit | None, status: str
) -> QuerySet[Document]:
    if status == FINAL:
        return cycle_documents(user, version, unit).filter(status__in=FINAL_STATUSES)
    return cycle_documents(user, version, unit, status)


# -- actions -------------------------------------------------------------------------------


def _enqueue(job_id: int) -> None:
    export_cycle.enqueue(job_id)


def do_start_export(
    user: User,
    version: FrameworkVersion,
    unit: OrgUnit | None,
    status: str,
    formats: list[str],
    *,
    language: str = "",
) -> ExportJob:
    """Fix the documents the user may see now and queue the job once this commits."""
    formats = parse_formats(formats)
    ids = list(selection(user, version, unit, status).values_list("pk", flat=True))
    if not ids:
        raise NothingToExport
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.create(
            created_by=user,
            version=version,
            unit=unit,
            status_filter=status,
            formats=",".join(formats),
            language=language or translation.get_language() or settings.LANGUAGE_CODE,
            document_ids=ids,
            heartbeat=now,
            file_name=zip_name(version, timezone.localdate(now)),
        )
        record(
            "export.start",
            actor=user,
            obj=job,
            after={
                "version": version.pk,
                "unit": unit.pk if unit else None,
                "status": status,
                "formats": job.formats,
                "documents": ids,
            },
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def do_resume_export(user: User | None, job: ExportJob) -> ExportJob:
    """Queue again a job that stopped on an error or whose worker fell silent. ``user`` is
    None when an operator's command does it."""
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update(no_key=True).get(pk=job.pk)
        if not locked.resumable:
            raise NotResumable(locked.state)
        before = {"state": locked.state, "error": locked.error, "done": len(locked.done)}
        locked.state = ExportState.QUEUED
        locked.error = ""
        locked.heartbeat = timezone.now()
        locked.save(update_fields=["state", "error", "heartbeat"])
        record(
            "export.resume",
            actor=user,
            obj=locked,
            before=before,
            after={"state": locked.state, "done": len(locked.done)},
        )
        transaction.on_commit(lambda: _enqueue(locked.pk))
    return locked


def _folder_time(folder: str) -> dt.datetime:
    """When a folder of the storage last changed: the local folder's own time, or on an
    object store (which has no folders) its newest file's."""
    if isinstance(default_storage, FileSystemStorage):
        return default_storage.get_modified_time(folder)
    times = [default_storage.get_modified_time(name) for name in storage_files.walk(folder)]
    return max(times, default=timezone.now())


def stale_jobs() -> list[ExportJob]:
    """Jobs waiting or running whose worker has not written for a while."""
    pending = ExportJob.objects.filter(state__in=(ExportState.QUEUED, ExportState.RUNNING))
    return [job for job in pending.order_by("created_at", "pk") if job.stale]


def do_prune_exports(older_than: dt.timedelta) -> tuple[int, int]:
    """Delete the exports finished (ready, or stopped by an error) longer ago than
    ``older_than``, and the folders under exports/ in storage that no job owns any more (theirs,
    and any left by a job deleted otherwise). Jobs waiting or running are never touched.
    Returns (jobs deleted, folders removed)."""
    cutoff = timezone.now() - older_than
    finished = Q(state=ExportState.DONE) | Q(state=ExportState.FAILED)
    # A job that failed before it ever finished has no finish time: its creation counts.
    old = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    with transaction.atomic():  # the rows first: no page shows a ZIP that is gone
        jobs = list(
            ExportJob.objects.select_for_update(no_key=True).filter(finished & old).order_by("pk")
        )
        for job in jobs:
            finished_at = job.finished_at.isoformat() if job.finished_at else None
            record(
                "export.delete",
                obj=job,
                before={"state": job.state, "file": job.file_name, "finished_at": finished_at},
                message=f"older than {older_than.days} day(s)",
            )
        ids = [job.pk for job in jobs]
        ExportJob.objects.filter(pk__in=ids).delete()
    return len(ids), remove_export_folders(ids, cutoff)


def remove_export_folders(ids: Iterable[int], cutoff: dt.datetime) -> int:
    """Remove the storage folders of the deleted jobs ``ids`` (after their rows are gone, so
    no page offers a ZIP that is missing) and any folder under exports/ no job owns that is
    older than ``cutoff`` (left by a run that stopped between the two). Returns how many
    were removed."""
    gone = [f"exports/{pk}" for pk in ids]
    owned = {str(pk) for pk in ExportJob.objects.values_list("pk", flat=True)}
    try:
        folders_there = default_storage.listdir("exports")[0]
    except FileNotFoundError:
        folders_there = []
    gone += [
        f"exports/{name}"
        for name in folders_there
        # Old as well as unowned: a job created this instant may not be in ``owned``.
        if name not in owned and _folder_time(f"exports/{name}") < cutoff
    ]
    folders = 0
    for folder in dict.fromkeys(gone):  # once each, in order
        if default_storage.exists(folder) or next(storage_files.walk(folder), None):
            storage_files.delete_tree(folder)
            folders += 1
    return folders
