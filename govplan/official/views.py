"""Downloading a document as the official DOCX or PDF, and the issuing data behind them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from govplan.access.policies import authenticated
from govplan.access.scoping import Capability, get_for, scope_for
from govplan.core import workflow as machine
from govplan.documents.access import load_document
from govplan.documents.models import Document
from govplan.official.actions import do_save_issuing_data, do_save_profile
from govplan.official.defaults import profile_values
from govplan.official.forms import IssuingDataForm, ProfileForm, SignForm
from govplan.official.issuing import do_sign_and_issue
from govplan.official.models import IssuingData, IssuingProfile
from govplan.official.render import PdfUnavailable
from govplan.official.render import render as render_file
from govplan.official.signatures import trust_roots
from govplan.orgunits.models import OrgUnit
from govplan.web.downloads import attachment
from govplan.workflow.actions import Refused, parties


def _agency(user: object, unit: OrgUnit, on: dt.date | None = None) -> bool:
    """The unit's editors and approvers (``on``: for a document written for that day)."""
    scope = scope_for(user)
    return scope.can(Capability.EDIT, unit, on=on) or scope.can(Capability.APPROVE, unit, on=on)


@authenticated
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    return attachment(*render_file(document, "docx"))


@authenticated
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    try:
        return attachment(*render_file(document, "pdf"))
    except PdfUnavailable:
        messages.error(
            request,
            _(
                "PDF cannot be made on this server (its PDF libraries are missing). "
                "Download the DOCX."
            ),
        )
        return redirect("document_edit", pk=pk)


@authenticated
def document_issuing(request: HttpRequest, pk: int) -> HttpResponse:
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
        },
    )


@authenticated
def unit_issuing_profile(request: HttpRequest, pk: int) -> HttpResponse:
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
def document_sign(request: HttpRequest, pk: int) -> HttpResponse:
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
        },
    )
