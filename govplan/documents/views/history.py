"""Every earlier version of a text, a value or a table can be seen and brought back."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.documents.keys import Collection
from govplan.core.inputs import parse_id
from govplan.documents.access import can_edit, load_document
from govplan.documents.actions import collection_at, do_restore_collection, do_restore_entry
from govplan.documents.labels import content_lines, entry_label, reason_label
from govplan.documents.models import Entry, EntryVersion
from govplan.documents.presentation import input_locale, table_block
from govplan.documents.read import row_of
from govplan.webutils.inputs import datetime_param

VERSIONS_PER_PAGE = 50


@authenticated
def document_history(request: HttpRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    versions = (
        EntryVersion.objects.filter(entry__document=document)
        .select_related("entry", "saved_by")
        .order_by("-saved_at", "-id")
    )
    page = Paginator(versions, VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    _label(document, page)
    return render(request, "documents/history.html", {"document": document, "page": page})


def _label(document: object, versions: Any) -> None:
    spec = document.framework_version.parsed()  # type: ignore[attr-defined]
    for version in versions:
        version.label = entry_label(spec, version.entry.key, version.content)
        version.why = reason_label(version.reason)
        version.lines = content_lines(spec, version.entry.key, version.content)


@authenticated
def entry_history(request: HttpRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    entry = Entry.objects.filter(document=document, key=request.GET.get("key", "")).first()
    if entry is None:
        raise Http404
    versions = list(
        entry.versions.select_related("saved_by", "entry").defer("steps").order_by("-revision")
    )
    _label(document, versions)
    return render(
        request,
        "documents/entry_history.html",
        {
            "document": document,
            "entry": entry,
            "versions": versions,
            "editable": can_edit(request.user, document),
        },
    )


@requires(Capability.EDIT)
@require_POST
def entry_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    key = request.POST.get("key", "")
    revision = parse_id(request.POST.get("revision"))
    entry = Entry.objects.filter(document=document, key=key).first()
    if entry is None or revision is None or not entry.versions.filter(revision=revision).exists():
        raise Http404
    do_restore_entry(document, key, revision, actor=request.user)
    messages.success(request, _("Version %(n)s restored as a new version.") % {"n": revision})
    return redirect(f"{reverse('document_entry_history', args=[pk])}?{urlencode({'key': key})}")


@authenticated
def table_history(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    document = load_document(request.user, pk)
    spec = document.framework_version.parsed()
    table = spec.table(code)
    if table is None:
        raise Http404
    collection = str(Collection.table(code))
    saves = list(
        EntryVersion.objects.filter(entry__document=document, entry__collection=collection)
        .select_related("saved_by", "entry")
        .order_by("-saved_at", "-id")[:200]
    )
    _label(document, saves)
    moment = datetime_param(request.GET, "at")
    snapshot = None
    if moment is not None:
        state = collection_at(document, collection, moment)
        rows = sorted((v for v in state.values() if not v.deleted), key=lambda v: v.position)
        as_rows = [
            row_of(SimpleNamespace(key=v.entry.key, revision=v.revision, content=v.content))
            for v in rows
        ]
        snapshot = table_block(spec, table, as_rows, input_locale())
    return render(
        request,
        "documents/table_history.html",
        {
            "document": document,
            "table": table,
            "saves": saves,
            "moment": moment,
            "snapshot": snapshot,
            "editable": can_edit(request.user, document),
        },
    )


@requires(Capability.EDIT)
@require_POST
def table_restore(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    if document.framework_version.parsed().table(code) is None:
        raise Http404
    moment = datetime_param(request.POST, "at")
    if moment is None:
        messages.error(request, _("Choose the moment to go back to."))
        return redirect("document_table_history", pk=pk, code=code)
    changed = do_restore_collection(
        document, str(Collection.table(code)), moment, actor=request.user
    )
    messages.success(request, _("Table restored: %(n)s rows changed.") % {"n": changed})
    return redirect("document_edit", pk=pk)
