"""Batch export of a cycle as one ZIP, made in the background (govplan.official.batch).

Anyone signed in may export what they can see of a cycle; a job, its page and its ZIP are
its requester's alone (ExportJob.scope_queryset): anybody else gets 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated
from govplan.access.scoping import get_for, visible_to
from govplan.accounts.types import AuthenticatedRequest
from govplan.documents.models import Document, DocumentStatus
from govplan.frameworks.access import load_version
from govplan.official import batch, export_files
from govplan.official.cycle import BadSelection, parse_unit
from govplan.official.models import ExportJob, ExportState


def _job(request: HttpRequest, pk: int) -> ExportJob:
    job: ExportJob = get_for(
        request.user,
        ExportJob.objects.select_related("version__framework", "unit"),
        pk=pk,
    )
    return job


def status_label(job: ExportJob) -> str:
    """Which documents the job took, in words."""
    if job.status_filter == export_files.FINAL:
        return _("Approved or issued")
    if job.status_filter:
        return str(DocumentStatus(job.status_filter).label)
    return _("Every status")


def progress_text(job: ExportJob) -> str:
    return ngettext(
        "%(done)s of %(total)s document", "%(done)s of %(total)s documents", job.total
    ) % {"done": job.processed, "total": job.total}


@authenticated
@require_POST
def export_start(request: AuthenticatedRequest, code: str, number: int) -> HttpResponse:
    version = load_version(request, code, number)
    back = redirect("framework_version", code=code, number=number)
    try:
        status = batch.parse_export_status(request.POST.get("status"))
        unit = parse_unit(request.user, request.POST.get("unit"))
        formats = batch.parse_formats(request.POST.getlist("formats"))
    except BadSelection:
        messages.error(request, _("Choose at least one format (DOCX or PDF) and a status."))
        return back
    try:
        job = batch.do_start_export(
            request.user,
            version,
            unit,
            status,
            formats,
            language=getattr(request, "LANGUAGE_CODE", ""),
        )
    except export_files.NothingToExport:
        messages.error(request, _("No document of this cycle that you can see has that status."))
        return back
    return redirect("export_detail", pk=job.pk)


@authenticated
def export_list(request: HttpRequest) -> HttpResponse:
    jobs = visible_to(ExportJob.objects.select_related("version__framework", "unit"), request.user)
    return render(request, "official/export_list.html", {"jobs": jobs[:100]})


@authenticated
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "official/export_detail.html",
        {
            "job": job,
            "status_label": status_label(job),
            "progress_text": progress_text(job),
            "working": job.state in (ExportState.QUEUED, ExportState.RUNNING),
        },
    )


def _status(job: ExportJob) -> dict[str, Any]:
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "done": len(job.done),
        "skipped": len(job.skipped),
        "failed": len(job.failed),
        "total": job.total,
        "percent": job.percent,
        "text": progress_text(job),
        "error": job.error,
        "stale": job.stale,
        "resumable": job.resumable,
        "pdf_missing": job.pdf_missing,
        "download": (
            reverse("export_download", kwargs={"pk": job.pk})
            if job.state == ExportState.DONE
            else None
        ),
    }


@authenticated
@never_cache
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_status(_job(request, pk)))


def _still_visible(request: HttpRequest, job: ExportJob) -> bool:
    """Whether the requester may still see every document in the ZIP: a role revoked since the
    export (or a document moved out of their sight, or deleted) ends their access to the file
    too, not only to the pages."""
    inside = set(job.done)
    visible = visible_to(Document.objects.filter(pk__in=inside), request.user)
    return set(visible.values_list("pk", flat=True)) == inside


@authenticated
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if job.state != ExportState.DONE:
        raise Http404
    if not _still_visible(request, job):
        raise PermissionDenied(
            _(
                "Your access to documents in this export has changed since it was made: "
                "start a new export."
            )
        )
    try:
        # From storage (the local folder or the shared bucket), streamed.
        handle = default_storage.open(export_files.zip_name_of(job), "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=job.file_name, content_type="application/zip"
    )


@authenticated
@require_POST
def export_resume(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        batch.do_resume_export(request.user, job)
    except export_files.NotResumable:
        messages.info(request, _("The export is finished or still being made: nothing to resume."))
    else:
        messages.success(request, _("The export carries on from where it stopped."))
    return redirect("export_detail", pk=pk)
