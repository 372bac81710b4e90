"""Batch export of a cycle: the chosen documents of one framework version as DOCX and PDF,
with the cycle's tables, in one ZIP made by a background worker (govplan.official.tasks).

The documents are fixed when the job is created. An issued document comes as what was issued:
its signed copy as the PDF, and the DOCX made from what was frozen at issue. A document whose
files cannot be made is reported (``job.failed``, the ZIP's note and the export's page) and the
others are still made; a file the server cannot write (its disk) stops the job instead, to be
resumed. The worker writes each document's files
under MEDIA_ROOT/exports/<job>/parts/ (write, then rename: a file there is always whole)
and then adds the document to ``job.done`` in one small UPDATE, so a job taken up again
after a crash or a worker restart carries on where it stopped and never writes a document
twice into the ZIP. The ZIP is assembled from the parts at the end, again written under a
temporary name and renamed.

Every run that takes a job up raises ``job.attempt``; its writes to the job carry the
number they started with, so a worker that was thought dead (and replaced) but still
runs finds out at its next write and stops without touching the job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govplan.access.scoping import visible_to
from govplan.audit.recorder import record
from govplan.core.official.model import OfficialDocument
from govplan.documents.models import Document, DocumentStatus
from govplan.frameworks.models import FrameworkVersion
from govplan.official.cycle import BadSelection, cycle_documents, parse_status
from govplan.official.cycle_workbook import cycle_workbook
from govplan.official.models import ExportJob, ExportState, IssuedRecord
from govplan.official.render import NotFrozen, PdfUnavailable, current_model, render
from govplan.orgunits.models import OrgUnit

logger = logging.getLogger(__name__)

FORMATS = ("docx", "pdf")
# The status filter of the form: "final" (approved or issued, the default), one status, or
# "" for every status.
FINAL = "final"
FINAL_STATUSES = (DocumentStatus.APPROVED, DocumentStatus.ISSUED)
WORKBOOK_NAME = "bang-bieu.xlsx"
MANIFEST_NAME = "danh-sach.csv"
NOTE_NAME = "ghi-chu.txt"


class NothingToExport(ValueError):
    """The selection holds no document."""


class NotResumable(ValueError):
    """The job is done, or a worker is still on it."""


class Superseded(Exception):
    """This run's job was taken up by a newer run (its worker was thought dead)."""


class DocumentFailed(Exception):
    """Making one document's files failed; says which document, the cause is chained."""

    def __init__(self, document: Document, cause: Exception) -> None:
        self.label = f"{document.org_unit.name} ({document.title})"
        self.cause = cause
        super().__init__(f"{self.label}: {cause}")


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
    user: Any, version: FrameworkVersion, unit: OrgUnit | None, status: str
) -> QuerySet[Document]:
    if status == FINAL:
        return cycle_documents(user, version, unit).filter(status__in=FINAL_STATUSES)
    return cycle_documents(user, version, unit, status)


# -- files ---------------------------------------------------------------------------------


def job_dir(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / str(job.pk)


def parts_dir(job: ExportJob) -> Path:
    return job_dir(job) / "parts"


def zip_path(job: ExportJob) -> Path:
    return job_dir(job) / job.file_name


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; once the block ends it is flushed to disk
    and renamed to ``path``, so a crash leaves either no file or a whole one (and maybe a
    stray temporary one). If the block fails, the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_atomic(path: Path, content: bytes | None = None, source: Any = None) -> None:
    """``content`` (or the file object ``source``) as ``path``, never half-written."""
    with _atomic(path) as tmp, open(tmp, "wb") as out:
        if source is not None:
            shutil.copyfileobj(source, out)
        else:
            out.write(content or b"")


def slug(text: str) -> str:
    """ASCII file-name form of a Vietnamese name: "Tỉnh Bắc Ninh" → "tinh-bac-ninh"."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    return slugify(text)[:60].strip("-")


def _zip_name(version: FrameworkVersion, day: Any) -> str:
    base = f"{version.framework.code}-v{version.number}-{day:%Y-%m-%d}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", base) + ".zip"


def _kind_name(document: Document) -> str:
    return "ke-hoach" if document.kind == "plan" else "bao-cao"


# -- actions -------------------------------------------------------------------------------


def _enqueue(job_id: int) -> None:
    from govplan.official.tasks import export_cycle

    export_cycle.enqueue(job_id)


def do_start_export(
    user: Any,
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
            file_name=_zip_name(version, timezone.localdate(now)),
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


def do_resume_export(user: Any, job: ExportJob) -> ExportJob:
    """Queue again a job that stopped on an error or whose worker fell silent. ``user`` is
    None when an operator's command does it."""
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
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


def stale_jobs() -> list[ExportJob]:
    """Jobs waiting or running whose worker has not written for a while."""
    pending = ExportJob.objects.filter(state__in=(ExportState.QUEUED, ExportState.RUNNING))
    return [job for job in pending.order_by("created_at", "pk") if job.stale]


def do_prune_exports(older_than: dt.timedelta) -> tuple[int, int]:
    """Delete the exports finished (ready, or stopped by an error) longer ago than
    ``older_than``, and the folders under MEDIA_ROOT/exports that no job owns any more (theirs,
    and any left by a job deleted otherwise). Jobs waiting or running are never touched.
    Returns (jobs deleted, folders removed)."""
    cutoff = timezone.now() - older_than
    finished = Q(state=ExportState.DONE) | Q(state=ExportState.FAILED)
    # A job that failed before it ever finished has no finish time: its creation counts.
    old = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    with transaction.atomic():  # the rows first: no page shows a ZIP that is gone
        jobs = list(ExportJob.objects.select_for_update().filter(finished & old).order_by("pk"))
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
    root = Path(settings.MEDIA_ROOT) / "exports"
    gone = [root / str(pk) for pk in ids]
    if root.is_dir():
        owned = {str(pk) for pk in ExportJob.objects.values_list("pk", flat=True)}
        gone += [
            folder
            for folder in root.iterdir()
            # Old as well as unowned: a job created this instant may not be in ``owned``.
            if folder.is_dir()
            and folder.name not in owned
            and folder.stat().st_mtime < cutoff.timestamp()
        ]
    folders = 0
    for folder in dict.fromkeys(gone):  # once each, in order
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            folders += 1
    return len(ids), folders


# -- the worker ----------------------------------------------------------------------------


def _claim(job_id: int) -> ExportJob | None:
    """Take the job up (one more attempt), unless it is finished, stopped on an error (it is
    resumed explicitly), or a live worker is on it."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("version__framework", "created_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.state in (ExportState.DONE, ExportState.FAILED):
            return None
        if job.state == ExportState.RUNNING and not job.stale:
            return None
        job.attempt += 1
        job.state = ExportState.RUNNING
        job.heartbeat = timezone.now()
        job.error = ""
        job.save(update_fields=["attempt", "state", "heartbeat", "error"])
    return job


def _update(job: ExportJob, attempt: int, **fields: Any) -> None:
    """One UPDATE of this run's job; none at all if another run has taken it up."""
    fields.setdefault("heartbeat", timezone.now())
    if not ExportJob.objects.filter(pk=job.pk, attempt=attempt).update(**fields):
        raise Superseded(job.pk)
    for name, value in fields.items():
        setattr(job, name, value)


def run_export(job_id: int) -> str:
    """The body of the export task. Returns the job's state when it ends; raises what
    stopped it (the job is then FAILED with a readable message, its parts kept)."""
    job = _claim(job_id)
    if job is None:
        current = ExportJob.objects.filter(pk=job_id).values_list("state", flat=True).first()
        return current or "missing"
    attempt = job.attempt
    language = job.language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            _export(job, attempt)
    except Superseded:
        logger.info("export %s: taken up by a newer run, this one stops", job_id)
        return "superseded"
    except Exception as exc:
        logger.exception("export %s failed", job_id)
        with translation.override(language):
            message = _failure_text(exc)
        try:
            _update(job, attempt, state=ExportState.FAILED, error=message)
        except Superseded:
            return "superseded"
        raise
    return ExportState.DONE


def _failure_text(exc: Exception) -> str:
    cause = exc.cause if isinstance(exc, DocumentFailed) else exc
    detail = str(cause) or type(cause).__name__
    if isinstance(cause, OSError):
        detail = _("the server could not write a file (%(error)s)") % {"error": detail}
    if isinstance(exc, DocumentFailed):
        detail = _("%(document)s: %(error)s") % {"document": exc.label, "error": detail}
    return detail[:2000]


def _visible(job: ExportJob) -> QuerySet[Document]:
    """The job's documents as its requester may see them today."""
    documents = Document.objects.filter(pk__in=job.document_ids, framework_version=job.version)
    return visible_to(documents, job.created_by).select_related(
        "org_unit", "framework", "signed_copy"
    )


def _export(job: ExportJob, attempt: int) -> None:
    parts = parts_dir(job)
    parts.mkdir(parents=True, exist_ok=True)
    finished = set(job.done) | set(job.skipped) | {f["id"] for f in job.failed}
    for doc_id in job.document_ids:
        if doc_id in finished:
            continue
        document = _visible(job).filter(pk=doc_id).first()
        if document is None:  # deleted, or no longer the requester's to see
            _update(job, attempt, skipped=[*job.skipped, doc_id])
            continue
        try:
            _write_document(job, attempt, document, parts)
        except DocumentFailed as exc:
            if isinstance(exc.cause, OSError):
                raise  # the server's disk, not the document: the job stops and is resumed
            _fail_document(job, attempt, document, exc)
            continue
        _update(job, attempt, done=[*job.done, doc_id])
    _assemble(job, attempt)
    _update(job, attempt, state=ExportState.DONE, finished_at=timezone.now(), error="")
    shutil.rmtree(parts, ignore_errors=True)


def _signed_pdf(document: Document) -> bool:
    return document.status == DocumentStatus.ISSUED and document.signed_copy_id is not None


def _unfrozen(document: Document) -> bool:
    """Issued before GovPlan froze what it printed: nothing is made again of it."""
    return (
        document.status == DocumentStatus.ISSUED
        and not IssuedRecord.objects.filter(document=document).exists()
    )


def _kinds(job: ExportJob, document: Document) -> list[str]:
    """The files the ZIP should hold for the document."""
    if _unfrozen(document):
        return ["pdf"] if "pdf" in job.format_list and _signed_pdf(document) else []
    return [
        k for k in job.format_list if k != "pdf" or not job.pdf_missing or _signed_pdf(document)
    ]


def _fail_document(job: ExportJob, attempt: int, document: Document, exc: DocumentFailed) -> None:
    """One document's files could not be made: said in the job, the others go on."""
    logger.error("export %s: document %s failed", job.pk, document.pk, exc_info=exc.cause)
    entry = {"id": document.pk, "label": exc.label, "error": _failure_text(exc.cause)}
    for kind in FORMATS:  # no half of a document in the ZIP
        (parts_dir(job) / f"{document.pk}.{kind}").unlink(missing_ok=True)
    _update(
        job,
        attempt,
        failed=[*job.failed, entry],
        done=[i for i in job.done if i != document.pk],
    )


def _write_document(job: ExportJob, attempt: int, document: Document, parts: Path) -> None:
    """The document's files into ``parts``; any failure but a lost claim names the document."""
    try:
        _write_parts(job, attempt, document, parts)
    except Superseded:
        raise
    except Exception as exc:
        raise DocumentFailed(document, exc) from exc


def _write_parts(job: ExportJob, attempt: int, document: Document, parts: Path) -> None:
    model: OfficialDocument | None = None  # built once for both formats
    for kind in job.format_list:
        target = parts / f"{document.pk}.{kind}"
        if kind == "pdf" and _signed_pdf(document):
            # The file of record: the signed copy, as it was issued.
            with document.signed_copy.file.open("rb") as signed:
                _write_atomic(target, source=signed)
            continue
        if kind == "pdf" and job.pdf_missing:
            continue
        try:
            # An issued document's DOCX is made from what was frozen when it was issued.
            model = model or current_model(document)
            content = render(document, kind, model=model)[0]
        except NotFrozen:
            continue  # issued before GovPlan froze it: its signed copy alone (see the note)
        except PdfUnavailable:
            # The DOCX are still worth having; the ZIP says why its PDF are missing.
            logger.warning("export %s: PDF cannot be made on this server", job.pk)
            _update(job, attempt, pdf_missing=True)
            continue
        _write_atomic(target, content)


def _assemble(job: ExportJob, attempt: int) -> None:
    """The ZIP from the parts, the cycle's workbook and the list of what is inside."""
    parts = parts_dir(job)
    by_id = {d.pk: d for d in _visible(job).filter(pk__in=job.done)}
    lost = [i for i in job.done if i not in by_id]
    if lost:  # deleted, or out of the requester's sight, since they were written
        kept = [i for i in job.done if i in by_id]
        _update(job, attempt, done=kept, skipped=[*job.skipped, *lost])
    documents = [by_id[i] for i in job.document_ids if i in by_id]
    for document in list(documents):
        # A part lost since it was written (the worker's disk was not the shared one, or
        # someone cleaned up) is made again rather than silently missing from the ZIP.
        if any(not (parts / f"{document.pk}.{k}").exists() for k in _kinds(job, document)):
            try:
                _write_document(job, attempt, document, parts)
            except DocumentFailed as exc:
                if isinstance(exc.cause, OSError):
                    raise
                _fail_document(job, attempt, document, exc)
                documents.remove(document)
                continue
            _update(job, attempt)
    title = job.version.parsed().title  # the workbook is in Vietnamese, like its title
    if job.unit is not None:
        title += f" – {job.unit.name}"
    workbook = parts / WORKBOOK_NAME
    _write_atomic(workbook, cycle_workbook(job.version, documents, title=title))
    _update(job, attempt)  # a sign of life: the workbook of a large cycle takes a while

    entries: list[tuple[Document, list[tuple[str, Path]]]] = []
    folders: set[str] = set()
    for document in documents:
        unit = document.org_unit
        folder = f"{unit.code or unit.pk}-{slug(unit.name)}".strip("-")
        if folder in folders:  # two units with the same code and name in different schemes
            folder = f"{folder}-{unit.pk}"
        folders.add(folder)
        files = []
        for kind in job.format_list:
            part = parts / f"{document.pk}.{kind}"
            if part.exists():
                files.append((f"{folder}/{_kind_name(document)}.{kind}", part))
        entries.append((document, files))

    with (
        _atomic(zip_path(job)) as tmp,
        zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for _document, files in entries:
            for name, path in files:
                # DOCX is a ZIP already: storing it saves time and loses nothing.
                stored = zipfile.ZIP_STORED if name.endswith(".docx") else None
                archive.write(path, name, compress_type=stored)
        archive.write(workbook, WORKBOOK_NAME, compress_type=zipfile.ZIP_STORED)
        archive.writestr(MANIFEST_NAME, _manifest(job, entries))
        note = _note(job, [d for d in documents if _unfrozen(d)])
        if note:
            archive.writestr(NOTE_NAME, note)


def _manifest(job: ExportJob, entries: list[tuple[Document, list[tuple[str, Path]]]]) -> str:
    """One line per document (CSV, with a byte-order mark so spreadsheets read UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("No."),
            _("Unit code"),
            _("Unit"),
            _("Document"),
            _("Status"),
            _("Official number"),
            _("Date of issue"),
            _("Files"),
        ]
    )
    for n, (document, files) in enumerate(entries, start=1):
        writer.writerow(
            [
                n,
                document.org_unit.code,
                document.org_unit.name,
                document.title,
                document.get_status_display(),
                document.issued_number,
                document.issued_date.strftime("%d/%m/%Y") if document.issued_date else "",
                " ; ".join(name for name, _path in files),
            ]
        )
    return "\ufeff" + out.getvalue()


def _note(job: ExportJob, unfrozen: Sequence[Document] = ()) -> str:
    lines = []
    if job.failed:
        heading = ngettext(
            "The files of %(count)s document could not be made; it is not included "
            "(the others are):",
            "The files of %(count)s documents could not be made; they are not included "
            "(the others are):",
            len(job.failed),
        ) % {"count": len(job.failed)}
        failures = (f"- {failure['label']}: {failure['error']}" for failure in job.failed)
        lines.append("\n".join([heading, *failures]))
    if unfrozen:
        lines.append(
            _(
                "Issued before GovPlan kept what they printed, so only their signed copy is "
                "included: %(documents)s"
            )
            % {"documents": "; ".join(f"{d.org_unit.name} ({d.issued_number})" for d in unfrozen)}
        )
    if job.pdf_missing:
        lines.append(
            _(
                "PDF files could not be made on the server (its PDF libraries are missing): "
                "this archive holds the DOCX files, and the signed PDF of issued documents."
            )
        )
    if job.skipped:
        lines.append(
            ngettext(
                "%(count)s document chosen when the export was requested was deleted or is "
                "no longer yours to see, and is not included.",
                "%(count)s documents chosen when the export was requested were deleted or "
                "are no longer yours to see, and are not included.",
                len(job.skipped),
            )
            % {"count": len(job.skipped)}
        )
    return "\n\n".join(lines) + ("\n" if lines else "")
