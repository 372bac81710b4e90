"""The official document as files: DOCX (python-docx) and PDF (Typst, the same layout from
the same model; docs/official-documents.md says why Typst).

Which model a document prints depends on where it is in its life: an issued document prints
what was frozen when it was issued (``IssuedRecord``), nothing else; an approved one its
approved revision with today's header and issuing data (what the head is about to sign); any
other its saved entries."""

from __future__ import annotations

import datetime as dt
import re

from govplan.core.official.model import OfficialDocument
from govplan.core.official.serial import from_data
from govplan.documents.models import Document, DocumentStatus
from govplan.official.build import official_document
from govplan.official.records import approved_revision, latest_record
from govplan.workflow.revisions import revision_content

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
# The date line's time zone: a numbered PDF is dated (in its metadata) at the start of its day
# of issue, so that the same document makes the same bytes whenever it is made again.
VIETNAM = dt.timezone(dt.timedelta(hours=7))


class PdfUnavailable(RuntimeError):
    """Typst cannot be loaded here (no build of it for this platform): DOCX only."""


class NotFrozen(RuntimeError):
    """An issued document without a frozen record (issued before GovPlan kept one): only its
    signed copy is the issued document; nothing is made again from today's data."""


def pdf_bytes(doc: OfficialDocument) -> bytes:
    # Imported here, not at the top: Typst (and python-docx below) are heavy to load and only
    # the pages that print need them; an import failure is a missing wheel, not a cycle.
    try:
        from govplan.core.adapters.pdf import write_pdf
    except ImportError as exc:  # the typst wheel is missing or does not load here
        raise PdfUnavailable(str(exc)) from exc
    day = doc.decision.date if doc.decision is not None else doc.date
    created = dt.datetime.combine(day, dt.time(), VIETNAM) if day and not doc.is_draft else None
    return write_pdf(doc, created=created)


def docx_bytes(doc: OfficialDocument) -> bytes:
    from govplan.core.adapters.docx import write_docx

    return write_docx(doc)


def file_name(document: Document, extension: str) -> str:
    base = f"{document.framework.code}-{document.org_unit.code or document.org_unit.pk}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", base) + f".{extension}"


def current_model(document: Document) -> OfficialDocument:
    """What the document prints now (see the module's docstring). NotFrozen for an issued
    document that has no frozen record."""
    if document.status == DocumentStatus.ISSUED:
        record = latest_record(document)
        if record is None:
            raise NotFrozen(document.pk)
        return from_data(record.prepared.model)
    if document.status == DocumentStatus.APPROVED:
        revision = approved_revision(document)
        if revision is not None:
            return official_document(document, snapshot=revision_content(revision))
    return official_document(document)


def render(
    document: Document, kind: str, model: OfficialDocument | None = None
) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the document as ``kind`` ("docx" or "pdf");
    ``model``: the document already built, when several formats are made of it."""
    doc = model if model is not None else current_model(document)
    if kind == "docx":
        return docx_bytes(doc), DOCX, file_name(document, "docx")
    return pdf_bytes(doc), PDF, file_name(document, "pdf")
