"""Downloading a document as the official DOCX or PDF, and the issuing data behind them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated
from govplan.access.scoping import Capability, get_for, scope_for
from govplan.accounts.types import AnyUser, AuthenticatedRequest
from govplan.core import workflow as machine
from govplan.core.documents.cells import CellValueError
from govplan.documents.access import load_document
from govplan.documents.content import message
from govplan.documents.models import Document
from govplan.documents.uploads import UploadRefused, check_evidence
from govplan.official.actions import do_save_issuing_data, do_save_profile
from govplan.official.certificates import (
    MAX_CERTIFICATE_BYTES,
    approvers,
    can_manage,
    do_register_certificate,
    do_withdraw_certificate,
    may_register_for,
)
from govplan.official.defaults import profile_values
from govplan.official.forms import CertificateForm, IssuingDataForm, ProfileForm, SignForm
from govplan.official.issuing import (
    do_issue_with_signed_copy,
    do_prepare_pdf,
    do_sign_and_issue,
    issued_context,
    signer_name,
    to_sign,
)
from govplan.official.models import IssuingData, IssuingProfile, SignerCertificate
from govplan.official.render import PDF, PdfUnavailable
from govplan.official.signatures import trust_roots
from govplan.official.views_files import download
from govplan.orgunits.models import OrgUnit
from govplan.webutils.downloads import attachment
from govplan.workflow.actions import Refused, parties


def _agency(user: AnyUser, unit: OrgUnit, on: dt.date | None = None) -> bool:
    """The unit's editors and approvers (``on``: for a document written for that day)."""
    scope = scope_for(user)
    return scope.can(Capability.EDIT, unit, on=on) or scope.can(Capability.APPROVE, unit, on=on)


@authenticated
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The DOCX: of an issued document, made from what was frozen when it was issued; made
    once by the background worker and then served from storage (views_files)."""
    return download(request, pk, "docx")


@authenticated
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF, unsigned: of an issued document, made from what was frozen when it was
    issued (its signed copy is the one on the document's page)."""
    return download(request, pk, "pdf")


@authenticated
@require_POST
def document_pdf_to_sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The approved document's PDF to sign elsewhere, recorded so that the signed copy is
    recognised when it comes back (the head only)."""
    document = load_document(request.user, pk)
    if machine.SIGNER not in parties(request.user, document):
        raise Http404
    try:
        prepared, pdf = do_prepare_pdf(document, actor=request.user)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("document_issue", pk=pk)
    except PdfUnavailable:
        messages.error(
            request, _("PDF cannot be made on this server (its PDF libraries are missing).")
        )
        return redirect("document_issue", pk=pk)
    return attachment(pdf, PDF, f"{prepared.number.replace('/', '-')}-de-ky.pdf")


@authenticated
def document_issuing(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Number, date, subject, mode and signer of this document."""
    document: Document = load_document(request.user, pk)
    if not _agency(request.user, document.org_unit, on=document.structure_date):
        raise PermissionDenied
    data = IssuingData.objects.filter(document=document).first()
    form = IssuingDataForm(request.POST or None, instance=data)
    locked = document.status == "issued"
    if request.method == "POST" and not locked and form.is_valid():
        try:
            do_save_issuing_data(document, form.cleaned_data, actor=request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Saved. The DOCX and PDF use it from now on."))
            return redirect("document_issuing", pk=pk)
    return render(
        request,
        "official/issuing.html",
        {
            "document": document,
            "form": form,
            "locked": locked,
            "profile": profile_values(document.org_unit, on=document.structure_date),
            "issued": issued_context(document),
        },
    )


@authenticated
def unit_issuing_profile(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The unit's header and signature block, entered once for all its documents."""
    unit = get_for(request.user, OrgUnit.objects.all(), Capability.VIEW, pk=pk)
    if not _agency(request.user, unit):
        raise PermissionDenied
    saved = IssuingProfile.objects.filter(org_unit=unit).first()
    initial = None if saved else profile_values(unit)
    form = ProfileForm(request.POST or None, instance=saved, initial=initial)
    if request.method == "POST" and form.is_valid():
        do_save_profile(unit, form.cleaned_data, actor=request.user)
        messages.success(request, _("Saved. Every document of the unit uses it."))
        return redirect("unit_issuing_profile", pk=pk)
    return render(
        request, "official/profile.html", {"unit": unit, "form": form, "suggested": not saved}
    )


KEY_FILE_MAX_BYTES = 256 * 1024


@authenticated
def document_sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The head signs here: GovPlan numbers and dates the PDF, signs it with the key file the
    agency provides (PKCS#12), checks the signature and records the document as issued."""
    document = load_document(request.user, pk)
    if machine.SIGNER not in parties(request.user, document):
        raise Http404
    data = IssuingData.objects.filter(document=document).first()
    form = SignForm(
        request.POST or None,
        request.FILES or None,
        initial={"number": data.number if data else "", "date": data.date if data else None},
    )
    if request.method == "POST" and form.is_valid():
        key_file = form.cleaned_data["key_file"]
        try:
            do_sign_and_issue(
                document,
                number=form.cleaned_data["number"],
                date=form.cleaned_data["date"],
                key_file=key_file.read(KEY_FILE_MAX_BYTES + 1),
                passphrase=form.cleaned_data["passphrase"],
                actor=request.user,
            )
        except Refused as exc:
            form.add_error(None, exc.message)
        except PdfUnavailable:
            form.add_error(
                None, _("PDF cannot be made on this server (its PDF libraries are missing).")
            )
        else:
            messages.success(request, _("Signed and recorded as issued."))
            return redirect("document_edit", pk=pk)
    return render(
        request,
        "official/sign.html",
        {
            "document": document,
            "form": form,
            "roots": len(trust_roots()),
            "approved": document.status == "approved",
            "certificates": SignerCertificate.objects.filter(
                user=request.user, org_unit=document.org_unit, withdrawn_at__isnull=True
            ),
            "signer_name": signer_name(document),
        },
    )


@authenticated
def unit_signers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The certificates the unit's approvers sign with: registered by each approver (their
    public certificate) or by a central administrator, withdrawn by either."""
    unit = get_for(request.user, OrgUnit.objects.all(), Capability.VIEW, pk=pk)
    if not can_manage(request.user, unit):
        raise PermissionDenied
    people = may_register_for(request.user, unit)
    form = CertificateForm(
        request.POST or None, request.FILES or None, people=people, actor=request.user
    )
    if request.method == "POST":
        if not people:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["certificate"]
            try:
                do_register_certificate(
                    unit,
                    form.cleaned_data["user"],
                    upload.read(MAX_CERTIFICATE_BYTES + 1),
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error("certificate", exc)
            else:
                messages.success(request, _("The certificate is registered."))
                return redirect("unit_signers", pk=pk)
    certificates = SignerCertificate.objects.filter(org_unit=unit).select_related(
        "user", "registered_by", "withdrawn_by"
    )
    return render(
        request,
        "official/signers.html",
        {
            "unit": unit,
            "form": form if people else None,
            "certificates": certificates,
            "approvers": approvers(unit),
            "roots": len(trust_roots()),
            "me": request.user,
            "admin": scope_for(request.user).is_central_admin,
        },
    )


@authenticated
@require_POST
def unit_signer_withdraw(
    request: AuthenticatedRequest, pk: int, certificate_id: int
) -> HttpResponse:
    unit = get_for(request.user, OrgUnit.objects.all(), Capability.VIEW, pk=pk)
    if not can_manage(request.user, unit):
        raise PermissionDenied
    certificate = SignerCertificate.objects.filter(org_unit=unit, pk=certificate_id).first()
    if certificate is None:
        raise Http404
    try:
        do_withdraw_certificate(certificate, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The certificate is withdrawn: it no longer signs."))
    return redirect("unit_signers", pk=pk)


@authenticated
def document_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The head records the issued document: the PDF to sign is taken from here (with the
    number and date of the issuing data), and the copy signed elsewhere comes back here."""
    document = load_document(request.user, pk)
    if machine.SIGNER not in parties(request.user, document):
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("signed_copy")
        try:
            if upload is None:
                raise Refused(_("Attach the signed copy (PDF)."))
            data = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
            # The same door as evidence files: a copy signed elsewhere may carry scripts or
            # files added after the signature, and it is served to everyone who reads the plan.
            checked = check_evidence(data, upload.name or "")
            if checked.extension != "pdf":
                raise Refused(_("The signed copy must be a PDF."))
            do_issue_with_signed_copy(
                document,
                pdf=data,
                filename=(upload.name or "signed.pdf").replace("/", "_").replace("\\", "_"),
                actor=request.user,
            )
        except CellValueError as exc:
            messages.error(request, f"{upload.name if upload else ''}: {message(exc.error)}")
        except Refused as exc:
            messages.error(request, exc.message)
        except UploadRefused as exc:
            messages.error(request, f"{upload.name if upload else ''}: {exc.message}")
        except PdfUnavailable:
            messages.error(
                request, _("PDF cannot be made on this server (its PDF libraries are missing).")
            )
        else:
            messages.success(request, _("The issued document is recorded."))
            return redirect(reverse("document_edit", args=[pk]) + "#workflow")
    return render(request, "official/issue.html", {"document": document, **to_sign(document)})
