"""The official document as files: DOCX (python-docx) and PDF (Typst, the same layout from
the same model; docs/official-documents.md says why Typst)."""

from __future__ import annotations

import re

from govplan.core.official.model import OfficialDocument
from govplan.documents.models import Document
from govplan.official.build import official_document

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


class PdfUnavailable(RuntimeError):
    """Typst cannot be loaded here (no build of it for this platform): DOCX only."""


def pdf_bytes(doc: OfficialDocument) -> bytes:
    try:
        from govplan.core.official.pdf import write_pdf
    except ImportError as exc:  # the typst wheel is missing or does not load here
        raise PdfUnavailable(str(exc)) from exc
    return write_pdf(doc)


def docx_bytes(doc: OfficialDocument) -> bytes:
    from govplan.core.official.docx import write_docx

    return write_docx(doc)


def file_name(document: Document, extension: str) -> str:
    base = f"{document.framework.code}-{document.org_unit.code or document.org_unit.pk}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", base) + f".{extension}"


def render(
    document: Document, kind: str, model: OfficialDocument | None = None
) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the document as ``kind`` ("docx" or "pdf");
    ``model``: the document already built, when several formats are made of it."""
    doc = model if model is not None else official_document(document)
    if kind == "docx":
        return docx_bytes(doc), DOCX, file_name(document, "docx")
    return pdf_bytes(doc), PDF, file_name(document, "pdf")
