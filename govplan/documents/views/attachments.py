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
from govplan.documents.access import load_document
from govplan.documents.actions import (
    AlreadyAttached,
    AttachmentQuotaExceeded,
    do_attach,
    do_remove_attachment,
    quota_refusal,
)
from govplan.documents.models import Attachment
from govplan.documents.uploads import UploadRefused, check_evidence


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
        checked = check_evidence(data, upload.name or "")
        do_attach(
            document,
            code,
            data=data,
            filename=(upload.name or "file").replace("/", "_").replace("\\", "_"),
            content_type=checked.content_type,
            description=description,
            actor=request.user,
        )
    except UploadRefused as exc:
        messages.error(request, f"{upload.name}: {exc.message}")
        return _back(pk, code)
    except AlreadyAttached as exc:
        messages.info(
            request,
            _("%(name)s is already attached to this section (as %(existing)s); not added again.")
            % {"name": upload.name, "existing": exc.attachment.original_name},
        )
        return _back(pk, code)
    except AttachmentQuotaExceeded as exc:
        messages.error(request, quota_refusal(exc, upload.name or "", document.org_unit.name))
        return _back(pk, code)
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
    # Never shown in the site's origin nor kept by a cache: a file opened in the browser runs
    # in a sandbox without scripts, and no shared cache keeps a unit's evidence.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
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
