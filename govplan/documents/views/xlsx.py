"""Tables to XLSX and back: download the template with the current rows, upload it, see
what it would change (which rows, by name) and every problem by sheet, row and column, then
apply exactly that, whole, once."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.adapters.xlsx import ImportProblem, check_workbook_file
from govplan.core.documents.cells import CellValueError
from govplan.documents.access import load_document
from govplan.documents.content import message
from govplan.documents.models import ImportBatch
from govplan.documents.presentation import input_locale
from govplan.documents.tables_xlsx import (
    AlreadyApplied,
    ImportRefused,
    do_apply_import,
    do_preview_import,
    export_tables,
)
from govplan.webutils.downloads import XLSX, attachment


@authenticated
def document_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    return attachment(
        export_tables(document), XLSX, f"{document.framework.code}-{document.org_unit.code}.xlsx"
    )


@authenticated
def document_xlsx_table(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    document = load_document(request.user, pk)
    if document.framework_version.parsed().table(code) is None:
        raise Http404
    return attachment(
        export_tables(document, only=code),
        XLSX,
        f"{document.framework.code}-{document.org_unit.code}-{code}.xlsx",
    )


def problem_text(problem: ImportProblem) -> str:
    text = _(problem.template) % problem.params if problem.params else _(problem.template)
    where = []
    if problem.sheet:
        where.append(_("sheet “%(sheet)s”") % {"sheet": problem.sheet})
    if problem.row is not None:
        where.append(_("row %(row)s") % {"row": problem.row})
    if problem.column is not None:
        where.append(_("column %(column)s") % {"column": problem.column})
    return f"{', '.join(where)}: {text}" if where else text


@requires(Capability.EDIT)
def document_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    if request.method != "POST":
        return render(request, "documents/import.html", {"document": document})
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the XLSX file to upload."))
        return redirect("document_import", pk=pk)
    limit = settings.IMPORT_MAX_BYTES
    data = upload.read(limit + 1)
    name = upload.name or ""
    try:
        check_workbook_file(data, name, max_bytes=limit)
    except CellValueError as exc:
        return render(
            request,
            "documents/import.html",
            {"document": document, "refused": f"{name}: {message(exc.error)}"},
        )
    try:
        preview = do_preview_import(
            document, data, filename=name, actor=request.user, locale=input_locale()
        )
    except PermissionDenied as exc:
        return render(request, "documents/import.html", {"document": document, "refused": exc})
    return render(
        request,
        "documents/import.html",
        {
            "document": document,
            "preview": preview,
            "tables": preview.plan["tables"],
            "counts": preview.counts,
            "problems": [problem_text(p) for p in preview.problems],
            "batch": preview.batch,
            "filename": name,
        },
    )


@requires(Capability.EDIT)
@require_POST
def document_import_apply(request: AuthenticatedRequest, pk: int, batch_id: int) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    batch = ImportBatch.objects.filter(
        pk=batch_id, document=document, created_by=request.user
    ).first()
    if batch is None:
        # Purged after IMPORT_PREVIEW_MAX_AGE_HOURS (purge_expired_files), or never this
        # editor's: the same answer either way, and it says what to do.
        messages.error(
            request,
            _(
                "This preview is no longer available (previews are kept %(hours)s hours); "
                "upload the file again."
            )
            % {"hours": settings.IMPORT_PREVIEW_MAX_AGE_HOURS},
        )
        return redirect("document_import", pk=pk)
    try:
        counts = do_apply_import(batch, actor=request.user)
    except AlreadyApplied as exc:
        messages.warning(request, str(exc))
        return redirect("document_edit", pk=pk)
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("document_import", pk=pk)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("document_edit", pk=pk)
    messages.success(
        request,
        _("Tables updated: %(added)s rows added, %(changed)s changed, %(removed)s removed.")
        % counts,
    )
    return redirect("document_edit", pk=pk)
