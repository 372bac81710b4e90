"""Pages of the joint appraisal: the appraiser asks other agencies for their opinion,
withdraws or reminds, and approves with the opinions before them; the asked agency reads
exactly what it was asked about (the request and the frozen revision) and answers once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability, visible_to
from govplan.accounts.types import AuthenticatedRequest
from govplan.core import workflow as machine
from govplan.core.documents import keys
from govplan.core.documents.keys import BadKey, EntryKey
from govplan.documents.access import load_document
from govplan.documents.labels import content_lines, entry_label
from govplan.documents.models import Document
from govplan.documents.sanitize import clean_html
from govplan.documents.uploads import UploadRefused, check_evidence
from govplan.webutils.forms import date_field
from govplan.workflow import actions, opinion_record, opinion_reminders, opinions
from govplan.workflow.models import (
    DocumentRevision,
    OpinionKind,
    OpinionRequest,
    OpinionStatus,
    RecordedOpinions,
)
from govplan.workflow.revisions import revision_content


def _appraised(request: AuthenticatedRequest, pk: int) -> Document:
    """The document, for its appraiser only (404 to anyone else: the page is not theirs)."""
    document = load_document(request.user, pk)
    if machine.APPRAISER not in actions.parties(request.user, document):
        raise Http404
    return document


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("document_edit", args=[pk]) + "#opinions")


class AskForm(forms.Form):
    agency = forms.TypedChoiceField(label=_l("Agency asked"), coerce=int)
    question = forms.CharField(
        label=_l("What the agency is asked"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=opinions.MAX_QUESTION,
    )
    deadline = date_field(_l("Deadline for the opinion"), required=True)

    def __init__(self, data: Any, document: Document) -> None:
        super().__init__(data)
        field_ = self.fields["agency"]
        assert isinstance(field_, forms.TypedChoiceField)
        # The agencies are routed once: the choices and the view's lookup share them.
        self.agencies = {u.pk: u for u in opinions.askable_agencies(document)}
        field_.choices = [("", _("Choose the agency"))] + [
            (str(u.pk), u.name) for u in self.agencies.values()
        ]

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        today = timezone.localdate()
        if deadline is not None and deadline < today:
            raise forms.ValidationError(
                _("The deadline %(deadline)s is in the past: give a day from today (%(today)s).")
                % {"deadline": deadline.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")}
            )
        return deadline


@requires(Capability.APPRAISE)
def opinion_ask(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask another agency for its opinion on the revision under appraisal."""
    document = _appraised(request, pk)
    form = AskForm(request.POST if request.method == "POST" else None, document)
    if request.method == "POST" and form.is_valid():
        agency = form.agencies.get(form.cleaned_data["agency"])
        if agency is None:
            form.add_error("agency", _("Choose one of the agencies listed."))
        else:
            try:
                asked = opinions.do_ask_opinion(
                    document,
                    actor=request.user,
                    agency=agency,
                    question=form.cleaned_data["question"],
                    deadline=form.cleaned_data["deadline"],
                )
            except actions.Refused as exc:
                form.add_error(None, exc.message)
            else:
                if opinions.answerers(agency.pk):
                    messages.success(
                        request,
                        _("%(agency)s was asked for its opinion by %(deadline)s.")
                        % {"agency": agency.name, "deadline": asked.deadline.strftime("%d/%m/%Y")},
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "The request to %(agency)s is recorded, but nobody of it has a "
                            "GovPlan account yet: nobody was told. Send the request by letter too."
                        )
                        % {"agency": agency.name},
                    )
                return _back(pk)
    return render(
        request,
        "workflow/opinion_ask.html",
        {
            "document": document,
            "form": form,
            "under_appraisal": document.status == machine.UNDER_APPRAISAL,
        },
    )


def _owned_request(request: AuthenticatedRequest, pk: int, rid: int) -> OpinionRequest:
    document = _appraised(request, pk)
    found = OpinionRequest.objects.filter(pk=rid, document=document).first()
    if found is None:
        raise Http404
    return found


@requires(Capability.APPRAISE)
@require_POST
def opinion_withdraw(request: AuthenticatedRequest, pk: int, rid: int) -> HttpResponse:
    found = _owned_request(request, pk, rid)
    try:
        opinions.do_withdraw_opinion_request(
            found, actor=request.user, reason=request.POST.get("reason", "")
        )
    except actions.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request was withdrawn; the agency was told."))
    return _back(pk)


@requires(Capability.APPRAISE)
@require_POST
def opinion_remind(request: AuthenticatedRequest, pk: int, rid: int) -> HttpResponse:
    found = _owned_request(request, pk, rid)
    try:
        told = opinion_reminders.do_remind_opinion(found, actor=request.user)
    except actions.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Reminder sent to %(n)s person(s) of the agency.") % {"n": told}
        )
    return _back(pk)


@requires(Capability.APPRAISE)
def document_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The approval, with the other agencies' opinions shown before the approver confirms;
    what the page showed is what the approval records."""
    document = _appraised(request, pk)
    if request.method == "POST":
        try:
            actions.do_transition(
                document,
                "approve",
                actor=request.user,
                opinions_seen=str(request.POST.get("seen", "")),
            )
        except actions.Refused as exc:
            messages.error(request, exc.message)
            return redirect("document_approve", pk=pk)
        messages.success(request, _("Approved, with the opinions recorded."))
        return redirect("appraisal_queue")
    requests = opinions.requests_of(document)
    shown = [r for r in requests if r.status != OpinionStatus.WITHDRAWN]
    recorded = (
        RecordedOpinions.objects.filter(document=document)
        .select_related("event", "event__actor")
        .first()
        if document.status in machine.FINAL
        else None
    )
    return render(
        request,
        "workflow/approve.html",
        {
            "document": document,
            "items": [opinion_card(opinion_record.frozen_entry(r)) for r in shown],
            "unanswered": sum(1 for r in shown if r.status == OpinionStatus.PENDING),
            "withdrawn": [r for r in requests if r.status == OpinionStatus.WITHDRAWN],
            "seen": opinions.digest(requests),
            "can_approve": document.status == machine.UNDER_APPRAISAL,
            "recorded": recorded,
            "recorded_items": [opinion_card(o) for o in recorded.opinions] if recorded else [],
        },
    )


def opinion_card(entry: dict[str, Any]) -> dict[str, Any]:
    """A request as recorded (``opinion_record.frozen_entry``), ready for _opinion_card.html: the
    live list before the approval and the frozen one after it look the same."""

    def day(value: str, fmt: str = "%d/%m/%Y") -> str:
        if not value:
            return ""
        if "T" in value:
            return timezone.localtime(dt.datetime.fromisoformat(value)).strftime(fmt)
        return dt.date.fromisoformat(value).strftime(fmt)

    kind = entry.get("kind") or ""
    return {
        **entry,
        "asked_at": day(entry.get("asked_at", "")),
        "deadline": day(entry.get("deadline", "")),
        "answered_at": day(entry.get("answered_at", ""), "%H:%M %d/%m/%Y"),
        "kind_label": OpinionKind(kind).label if kind in OpinionKind.values else kind,
        "answer_html": mark_safe(clean_html(entry.get("answer") or "")),
        "link": reverse("opinion_file", args=[entry["id"]]) if entry.get("file_name") else "",
    }


@authenticated
@require_GET
def opinion_inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The requests addressed to the user's agencies, waiting ones first."""
    mine = (
        visible_to(OpinionRequest.objects.all(), request.user)
        .select_related("agency", "document", "document__org_unit", "answered_by")
        .order_by("status", "deadline", "id")
    )
    return render(request, "workflow/opinion_inbox.html", {"requests": mine[:200]})


@dataclass
class FrozenSection:
    title: str
    texts: list[SafeString] = field(default_factory=list)
    items: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def frozen_sections(document: Document, revision: DocumentRevision) -> list[FrozenSection]:
    """The revision as it was submitted, read-only, section by section: texts (sanitised
    again on the way out), values and rows as label/value lines."""
    spec = document.framework_version.parsed()
    sections = list(spec.walk())
    by_code = {s.code: FrozenSection(f"{s.number}. {s.title}") for s in sections}
    indicator_section = {u.indicator: s.code for s in sections for u in s.indicators}
    table_section = {t.code: s.code for s, t in spec.tables()}
    other = FrozenSection(_("Other parts"))
    for key, item in revision_content(revision).get("entries", {}).items():
        content = item.get("content") or {}
        try:
            address = EntryKey.parse(key)
        except BadKey:
            continue
        if address.kind == keys.VALUE:
            code = indicator_section.get(address.code, "")
        elif address.kind == keys.ROW:
            code = table_section.get(address.code, "")
        else:
            code = address.code
        target = by_code.get(code, other)
        if address.kind == keys.NARRATIVE:
            # Stored sanitised; cleaned again so that nothing else reaches this page.
            target.texts.append(mark_safe(clean_html(str(content.get("html", "")))))
            continue
        lines = content_lines(spec, key, content)
        if lines:
            target.items.append((entry_label(spec, key, content), lines))
    shown = [by_code[s.code] for s in sections if by_code[s.code].texts or by_code[s.code].items]
    return shown + ([other] if other.texts or other.items else [])


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_l("Opinion"), choices=OpinionKind.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_l("The agency's opinion"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=opinions.MAX_ANSWER,
        help_text=_l("Headings, lists, emphasis and simple tables are kept; nothing else."),
    )
    file = forms.FileField(
        label=_l("Attachment (the signed letter, optional)"),
        required=False,
        help_text=_l("PDF, DOCX, XLSX or an image, checked on upload."),
    )


@authenticated
def opinion_request(request: AuthenticatedRequest, rid: int) -> HttpResponse:
    """The request as the asked agency sees it: what it is asked, the plan as submitted (the
    frozen revision, read-only), and its answer form, or its answer once sent."""
    access = opinions.load_opinion_request(request.user, rid)
    found = access.request
    if request.method == "POST" and not access.answerer:
        # The appraising side reads the request; the answer is the agency's (no file of
        # theirs is even looked at).
        messages.error(
            request,
            _("Only the editors and approvers of %(agency)s answer this request.")
            % {"agency": found.agency.name},
        )
        return redirect("opinion_request", rid=rid)
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        attached: opinions.OpinionFile | None = None
        if upload is not None:
            limit = settings.ATTACHMENT_MAX_BYTES
            data = upload.read(limit + 1)
            try:
                checked = check_evidence(data, upload.name or "")
            except UploadRefused as exc:
                form.add_error("file", f"{upload.name}: {exc.message}")
            else:
                name = (upload.name or "file").replace("/", "_").replace("\\", "_")
                attached = opinions.OpinionFile(data, name, checked.content_type)
        if form.is_valid():
            try:
                opinions.do_answer_opinion(
                    found,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    answer=form.cleaned_data["answer"],
                    file=attached,
                )
            except actions.Refused as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Your agency's opinion was sent."))
            return redirect("opinion_request", rid=rid)
    found.refresh_from_db()
    return render(
        request,
        "workflow/opinion_request.html",
        {
            "item": found,
            "access": access,
            "form": form,
            "can_answer": access.answerer
            and found.status == OpinionStatus.PENDING
            and found.document.status == machine.UNDER_APPRAISAL,
            "sections": frozen_sections(found.document, found.revision),
            "attachments": list(found.revision.attachments),
            "answer_html": mark_safe(clean_html(found.answer)),
        },
    )


@authenticated
@require_GET
def opinion_file(request: HttpRequest, rid: int) -> FileResponse:
    access = opinions.load_opinion_request(request.user, rid)
    found = access.request
    if not found.file_sha256:
        raise Http404
    if found.status != OpinionStatus.ANSWERED:
        raise PermissionDenied
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.file_name,
        content_type=found.file_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
