"""The batch export's worker (run by govplan.official.tasks.export_cycle): claims the job,
writes each document's files under the job's parts folder, then assembles the ZIP. How a job
survives crashes and restarts is told in batch.py's docstring."""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govplan.access.scoping import visible_to
from govplan.core import csvsafe
from govplan.core.official.model import OfficialDocument
from govplan.documents.models import Document, DocumentStatus
from govplan.official.cycle_workbook import cycle_workbook
from govplan.official.export_files import (
    FORMATS,
    MANIFEST_NAME,
    NOTE_NAME,
    WORKBOOK_NAME,
    DocumentFailed,
    Superseded,
    kind_name,
    part_name,
    parts_prefix,
    put,
    slug,
    zip_name_of,
)
from govplan.official.models import ExportJob, ExportState, IssuedRecord
from govplan.official.render import NotFrozen, PdfUnavailable, current_model, render
from govplan.official.rendering import made_content
from govplan.webutils import storage_files

logger = logging.getLogger(__name__)


# -- the worker ----------------------------------------------------------------------------


def _claim(job_id: int) -> ExportJob | None:
    """Take the job up (one more attempt), unless it is finished, stopped on an error (it is
    resumed explicitly), or a live worker is on it."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(no_key=True, of=("self",))
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
    finished = set(job.done) | set(job.skipped) | {f["id"] for f in job.failed}
    for doc_id in job.document_ids:
        if doc_id in finished:
            continue
        document = _visible(job).filter(pk=doc_id).first()
        if document is None:  # deleted, or no longer the requester's to see
            _update(job, attempt, skipped=[*job.skipped, doc_id])
            continue
        try:
            _write_document(job, attempt, document)
        except DocumentFailed as exc:
            if isinstance(exc.cause, OSError):
                raise  # the server's disk, not the document: the job stops and is resumed
            _fail_document(job, attempt, document, exc)
            continue
        _update(job, attempt, done=[*job.done, doc_id])
    _assemble(job, attempt)
    _update(job, attempt, state=ExportState.DONE, finished_at=timezone.now(), error="")
    storage_files.delete_tree(parts_prefix(job))


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
        default_storage.delete(part_name(job, document.pk, kind))
    _update(
        job,
        attempt,
        failed=[*job.failed, entry],
        done=[i for i in job.done if i != document.pk],
    )


def _write_document(job: ExportJob, attempt: int, document: Document) -> None:
    """The document's files as the job's parts; any failure but a lost claim names the
    document."""
    try:
        _write_parts(job, attempt, document)
    except Superseded:
        raise
    except Exception as exc:
        raise DocumentFailed(document, exc) from exc


def _write_parts(job: ExportJob, attempt: int, document: Document) -> None:
    model: OfficialDocument | None = None  # built once for both formats
    for kind in job.format_list:
        target = part_name(job, document.pk, kind)
        if kind == "pdf" and _signed_pdf(document):
            # The file of record: the signed copy, as it was issued.
            copy = document.signed_copy
            assert copy is not None  # _signed_pdf: issued, with its signed copy
            with copy.file.open("rb") as signed:
                put(target, source=signed)
            continue
        if kind == "pdf" and job.pdf_missing:
            continue
        try:
            # An issued document's DOCX is made from what was frozen when it was issued.
            model = model or current_model(document)
            # The file a download (or the issue) already made of the same model, if any.
            made = made_content(document, kind, model)
            content = made if made is not None else render(document, kind, model=model)[0]
        except NotFrozen:
            continue  # issued before GovPlan froze it: its signed copy alone (see the note)
        except PdfUnavailable:
            # The DOCX are still worth having; the ZIP says why its PDF are missing.
            logger.warning("export %s: PDF cannot be made on this server", job.pk)
            _update(job, attempt, pdf_missing=True)
            continue
        put(target, content)


def _assemble(job: ExportJob, attempt: int) -> None:
    """The ZIP from the parts, the cycle's workbook and the list of what is inside."""
    by_id = {d.pk: d for d in _visible(job).filter(pk__in=job.done)}
    lost = [i for i in job.done if i not in by_id]
    if lost:  # deleted, or out of the requester's sight, since they were written
        kept = [i for i in job.done if i in by_id]
        _update(job, attempt, done=kept, skipped=[*job.skipped, *lost])
    documents = [by_id[i] for i in job.document_ids if i in by_id]
    for document in list(documents):
        # A part lost since it was written (the worker's disk was not the shared one, or
        # someone cleaned up) is made again rather than silently missing from the ZIP.
        if any(
            not default_storage.exists(part_name(job, document.pk, k))
            for k in _kinds(job, document)
        ):
            try:
                _write_document(job, attempt, document)
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
    workbook = f"{parts_prefix(job)}/{WORKBOOK_NAME}"
    put(workbook, cycle_workbook(job.version, documents, title=title))
    _update(job, attempt)  # a sign of life: the workbook of a large cycle takes a while

    entries: list[tuple[Document, list[tuple[str, str]]]] = []
    folders: set[str] = set()
    for document in documents:
        unit = document.org_unit
        folder = f"{unit.code or unit.pk}-{slug(unit.name)}".strip("-")
        if folder in folders:  # two units with the same code and name in different schemes
            folder = f"{folder}-{unit.pk}"
        folders.add(folder)
        files = []
        for kind in job.format_list:
            part = part_name(job, document.pk, kind)
            if default_storage.exists(part):
                files.append((f"{folder}/{kind_name(document)}.{kind}", part))
        entries.append((document, files))

    # Made in a local temporary file (the parts read from storage), then stored whole.
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for _document, files in entries:
                for name, stored_name in files:
                    # DOCX is a ZIP already: storing it saves time and loses nothing.
                    method = zipfile.ZIP_STORED if name.endswith(".docx") else zipfile.ZIP_DEFLATED
                    _copy_into(archive, stored_name, name, method)
            _copy_into(archive, workbook, WORKBOOK_NAME, zipfile.ZIP_STORED)
            archive.writestr(MANIFEST_NAME, _manifest(job, entries))
            note = _note(job, [d for d in documents if _unfrozen(d)])
            if note:
                archive.writestr(NOTE_NAME, note)
        tmp.seek(0)
        put(zip_name_of(job), source=tmp)


def _copy_into(archive: zipfile.ZipFile, stored_name: str, name: str, compress_type: int) -> None:
    """A stored file into the ZIP as ``name``, streamed (it may be large)."""
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    with default_storage.open(stored_name, "rb") as source, archive.open(info, "w") as out:
        shutil.copyfileobj(source, out)


def _manifest(job: ExportJob, entries: list[tuple[Document, list[tuple[str, str]]]]) -> str:
    """One line per document (CSV, with a byte-order mark so spreadsheets read UTF-8)."""
    out = io.StringIO()
    writer = csvsafe.writer(out)
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
