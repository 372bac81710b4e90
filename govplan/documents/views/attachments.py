"""Evidence files: checked by their bytes on the way in, served only through the scope."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.documents.cells import CellValueError
from govplan.core.documents.filetypes import check_upload
from govplan.documents.access import load_document
from govplan.documents.actions import do_attach, do_remove_attachment
from govplan.documents.content import message
from govplan.documents.models import Attachment


def _back(pk: int, code: str) -> HttpResponse:
    from django.urls import reverse

    return redirect(f"{reverse('document_edit', args=[pk])}#s-{code}")


@requires(Capability.EDIT)
@require_POST
def attach(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    if document.framework_version.parsed().section(code) is None:
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return _back(pk, code)
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        messages.error(
            request,
            _("%(name)s is too large: at most %(max)s MB per file.")
            % {"name": upload.name, "max": limit // (1024 * 1024)},
        )
        return _back(pk, code)
    description = request.POST.get("description", "").strip()
    if len(description) > 300:
        messages.error(
            request,
            _("%(field)s is too long: at most %(max)s characters.")
            % {"field": _("Description"), "max": 300},
        )
        return _back(pk, code)
    data = upload.read(limit + 1)
    try:
        checked = check_upload(data, upload.name or "", max_bytes=limit)
    except CellValueError as exc:
        messages.error(request, f"{upload.name}: {message(exc.error)}")
        return _back(pk, code)
    do_attach(
        document,
        code,
        data=data,
        filename=(upload.name or "file").replace("/", "_").replace("\\", "_"),
        content_type=checked.content_type,
        description=description,
        actor=request.user,
    )
    messages.success(request, _("%(name)s attached.") % {"name": upload.name})
    return _back(pk, code)


@authenticated
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    document = load_document(request.user, pk)
    attachment = Attachment.objects.filter(
        document=document, pk=attachment_id, removed=False
    ).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires(Capability.EDIT)
@require_POST
def attachment_remove(request: AuthenticatedRequest, pk: int, attachment_id: int) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    attachment = Attachment.objects.filter(
        document=document, pk=attachment_id, removed=False
    ).first()
    if attachment is None:
        raise Http404
    do_remove_attachment(attachment, actor=request.user)
    messages.success(request, _("%(name)s removed.") % {"name": attachment.original_name})
    return _back(pk, attachment.section_code)
