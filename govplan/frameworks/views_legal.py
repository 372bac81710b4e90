"""The legal-document catalogue's pages for central administrators: add an entry, correct
one, retire it or bring it back, and review the editors' proposals (accept, merge, reject).
The list itself (views.legal_list) is everyone's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import requires
from govplan.access.scoping import Capability, require_national
from govplan.accounts.types import AuthenticatedRequest
from govplan.frameworks import legal_actions as actions
from govplan.frameworks.forms import LEGAL_TYPE_LABELS, LegalEntryForm
from govplan.frameworks.models import LegalDocument, LegalStatus
from govplan.webutils.forms import attach_errors


def _central(request: AuthenticatedRequest) -> None:
    """The national catalogue is the central administrators' alone."""
    require_national(request.user, Capability.ADMINISTER)


def _errors(request: AuthenticatedRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


# What an entry of the catalogue says, as the form edits it (its code is set once, on adding).
ENTRY_FIELDS = ("doc_type", "number", "date", "issuer", "title")


@requires(Capability.ADMINISTER)
def legal_add(request: AuthenticatedRequest) -> HttpResponse:
    _central(request)
    form = LegalEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = actions.do_add_legal_entry(
                code=data["code"].strip(),
                **{name: data[name] for name in ENTRY_FIELDS},
                actor=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("%(code)s added to the catalogue.") % {"code": document.code}
            )
            return redirect("legal_list")
    return render(request, "frameworks/legal_form.html", {"form": form, "document": None})


@requires(Capability.ADMINISTER)
def legal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _central(request)
    document = get_object_or_404(LegalDocument, pk=pk)
    initial = {name: getattr(document, name) for name in ENTRY_FIELDS}
    form = LegalEntryForm(request.POST or None, initial=initial, with_code=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_correct_legal_document(
                document, **{name: data[name] for name in ENTRY_FIELDS}, actor=request.user
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("%(code)s corrected.") % {"code": document.code})
            back = "legal_proposals" if document.status == LegalStatus.PROPOSED else "legal_list"
            return redirect(back)
    return render(request, "frameworks/legal_form.html", {"form": form, "document": document})


@requires(Capability.ADMINISTER)
@require_POST
def legal_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Retire an entry, or bring a retired one back."""
    _central(request)
    document = get_object_or_404(LegalDocument, pk=pk)
    what = request.POST.get("action", "")
    try:
        if what == "retire":
            actions.do_retire_legal_document(document, actor=request.user)
            done = _("%(code)s retired: no longer offered; documents citing it keep it.")
        elif what == "reinstate":
            actions.do_reinstate_legal_document(document, actor=request.user)
            done = _("%(code)s is offered again.")
        else:
            raise ValidationError(_("Choose retire or bring back."))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done % {"code": document.code})
    return redirect("legal_list")


@requires(Capability.ADMINISTER)
def legal_proposals(request: AuthenticatedRequest) -> HttpResponse:
    _central(request)
    pending = list(
        LegalDocument.objects.filter(status=LegalStatus.PROPOSED).select_related("created_by")
    )
    for document in pending:
        document.type_label = LEGAL_TYPE_LABELS.get(document.doc_type, document.doc_type)  # type: ignore[attr-defined]
    reviewed = (
        LegalDocument.objects.filter(status__in=(LegalStatus.REJECTED, LegalStatus.MERGED))
        .select_related("merged_into", "created_by")
        .order_by("-pk")[:50]
    )
    entries = LegalDocument.objects.filter(status=LegalStatus.CATALOGUE).order_by("code")
    return render(
        request,
        "frameworks/legal_proposals.html",
        {
            "pending": pending,
            "reviewed": reviewed,
            "entries": entries,
        },
    )


@requires(Capability.ADMINISTER)
@require_POST
def legal_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Accept a proposal, merge it into an entry, or reject it with a reason."""
    _central(request)
    document = get_object_or_404(LegalDocument, pk=pk)
    what = request.POST.get("action", "")
    names = {"code": document.code, "number": document.number}
    try:
        if what == "accept":
            actions.do_accept_legal_proposal(document, actor=request.user)
            messages.success(request, _("%(number)s is now in the catalogue.") % names)
        elif what == "merge":
            code = request.POST.get("into", "").strip()
            into = LegalDocument.objects.filter(code=code).first()
            if into is None:
                raise ValidationError(
                    _("Choose the catalogue entry %(number)s is the same document as.") % names
                )
            actions.do_merge_legal_proposal(document, into, actor=request.user)
            messages.success(
                request,
                _("%(number)s merged into %(into)s: its citations read as that entry.")
                % {**names, "into": into.code},
            )
        elif what == "reject":
            actions.do_reject_legal_proposal(
                document, reason=request.POST.get("reason", ""), actor=request.user
            )
            messages.success(request, _("The proposal %(number)s is rejected.") % names)
        else:
            raise ValidationError(_("Choose accept, merge or reject."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("legal_proposals")


def proposal_count() -> int:
    """Proposals waiting for a central administrator (shown beside the list's link)."""
    counted = LegalDocument.objects.aggregate(n=Count("pk", filter=Q(status=LegalStatus.PROPOSED)))
    return int(counted["n"] or 0)
