"""The official DOCX and PDF as downloads: served from storage once made; while the worker
makes one, a page that follows it (status.json) and then offers it (govplan.official.rendering).
Everyone who reads the document may download it; each file is reached through its document
(``load_document``), so the scope is the document's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated
from govplan.documents.access import load_document
from govplan.documents.models import Document
from govplan.official.file_requests import (
    NotRetryable,
    do_forget_lost,
    do_request_file,
    do_retry_file,
)
from govplan.official.models import FileState, RenderedFile
from govplan.official.render import NotFrozen, file_name
from govplan.official.rendering import CONTENT_TYPES, FORMATS
from govplan.webutils.downloads import attachment


def not_frozen(request: HttpRequest, pk: int) -> HttpResponse:
    messages.error(
        request,
        _(
            "This document was issued before GovPlan kept what it printed: its signed copy is "
            "the issued document, and nothing is made again from today's data."
        ),
    )
    return redirect("document_edit", pk=pk)


def _user(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def _serve(request: HttpRequest, document: Document, row: RenderedFile) -> HttpResponse | None:
    """The made file, or None if storage lost it (its row is then forgotten)."""
    try:
        with row.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        do_forget_lost(row, actor=_user(request))
        return None
    return attachment(content, CONTENT_TYPES[row.format], file_name(document, row.format))


def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The DOCX or PDF the document prints now: the file if it is made (at once with the
    in-process worker), else the page that waits for it."""
    document = load_document(request.user, pk)
    try:
        row = do_request_file(document, kind, actor=_user(request))
        if row.state == FileState.DONE:
            served = _serve(request, document, row)
            if served is None:  # lost from storage: asked for once more
                row = do_request_file(document, kind, actor=_user(request))
                served = _serve(request, document, row) if row.state == FileState.DONE else None
            if served is not None:
                return served
    except NotFrozen:
        return not_frozen(request, pk)
    return redirect("document_file", pk=pk, file_id=row.pk)


def _row(request: HttpRequest, pk: int, file_id: int) -> tuple[Document, RenderedFile]:
    document = load_document(request.user, pk)
    row = RenderedFile.objects.filter(document=document, pk=file_id).defer("source").first()
    if row is None or row.format not in FORMATS:
        raise Http404
    return document, row


def _status(document: Document, row: RenderedFile) -> dict[str, Any]:
    return {
        "state": row.state,
        "state_label": row.get_state_display(),
        "format": row.format,
        "error": row.error,
        "retryable": row.state == FileState.FAILED or row.stale,
        "download": (
            reverse("document_file_download", kwargs={"pk": document.pk, "file_id": row.pk})
            if row.state == FileState.DONE
            else None
        ),
    }


@authenticated
def document_file(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """The file being made: its state, then the link to it, or what went wrong."""
    document, row = _row(request, pk, file_id)
    return render(
        request,
        "official/file.html",
        {
            "document": document,
            "file": row,
            "status": _status(document, row),
            "name": file_name(document, row.format),
            "working": row.state in (FileState.PENDING, FileState.RUNNING),
        },
    )


@authenticated
@never_cache
def document_file_status(request: HttpRequest, pk: int, file_id: int) -> JsonResponse:
    document, row = _row(request, pk, file_id)
    return JsonResponse(_status(document, row))


@authenticated
def document_file_download(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    document, row = _row(request, pk, file_id)
    if row.state != FileState.DONE:
        raise Http404
    served = _serve(request, document, row)
    if served is None:
        raise Http404
    return served


@authenticated
@require_POST
def document_file_retry(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    _document, row = _row(request, pk, file_id)
    try:
        do_retry_file(row, actor=_user(request))
    except NotRetryable:
        messages.info(request, _("The file is made or being made: nothing to try again."))
    return redirect("document_file", pk=pk, file_id=file_id)
