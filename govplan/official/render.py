"""The official document as files: DOCX (python-docx) and PDF (WeasyPrint, from the same
layout in HTML; see docs/official-documents.md for why not LibreOffice at run time)."""

from __future__ import annotations

import re
from typing import Any

from govplan.core.official.html import write_html
from govplan.core.official.model import OfficialDocument
from govplan.documents.models import Document
from govplan.official.build import official_document

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


class PdfUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are missing on this machine."""


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The page is self-contained: anything it would fetch (file://, http://) is refused.
    raise ValueError(f"GovPlan does not fetch {url[:80]} while making a PDF")


def pdf_bytes(doc: OfficialDocument) -> bytes:
    try:
        import weasyprint
    except OSError as exc:  # the Python package is there but not Pango
        raise PdfUnavailable(str(exc)) from exc
    html = weasyprint.HTML(string=write_html(doc), url_fetcher=_no_fetching)
    pdf: bytes = html.write_pdf()
    return pdf


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
