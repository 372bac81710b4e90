"""Pages of the submission and appraisal cycle."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability, visible_to
from govplan.accounts.types import AuthenticatedRequest
from govplan.core import workflow as machine
from govplan.documents.access import can_edit, load_document
from govplan.documents.labels import entry_label
from govplan.documents.models import DocumentStatus, Entry
from govplan.documents.read import visible_sections
from govplan.orgunits.models import Kind
from govplan.webutils.inputs import int_param
from govplan.workflow import actions
from govplan.workflow.compare import compare_revisions
from govplan.workflow.explanations import do_explain
from govplan.workflow.labels import action_label
from govplan.workflow.models import (
    Comment,
    DocumentRevision,
    Notification,
)
from govplan.workflow.queue import QueueFilter, routed_queue
from govplan.workflow.validation import validate

SIMPLE_ACTIONS = (
    "submit",
    "withdraw",
    "start_appraisal",
    "return",
    "resubmit",
    "approve",
    "reopen",
)


def _editor(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("document_edit", args=[pk]) + (f"#{anchor}" if anchor else ""))


@authenticated
def check(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The document's findings, where they are, with the explanations of warnings."""
    document = load_document(request.user, pk)
    parties = actions.parties(request.user, document)
    editable = can_edit(request.user, document) and machine.AGENCY in parties
    if request.method == "POST":
        if machine.AGENCY not in parties:
            raise Http404
        if not editable:
            messages.error(request, _("This document is no longer a draft and cannot be edited."))
            return redirect("document_check", pk=pk)
        # Only the warnings the document has now: a name made up in the form is no check.
        warnings = {f.check_id for f in validate(document).warnings}
        texts = {
            name.removeprefix("explain::"): str(text)
            for name, text in request.POST.items()
            if name.startswith("explain::") and name.removeprefix("explain::") in warnings
        }
        try:
            do_explain(document, texts, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Explanations saved."))
        return redirect("document_check", pk=pk)
    report = validate(document)
    # Offer the submission right here once nothing blocks it.
    sending = [
        t.action
        for t in machine.available(document.status, parties)
        if t.action in ("submit", "resubmit")
    ]
    return render(
        request,
        "workflow/check.html",
        {
            "document": document,
            "report": report,
            "editable": editable,
            "send_action": sending[0] if sending else None,
        },
    )


@authenticated
@require_GET
def check_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The same findings as the check page, for the editor to mark where each one is."""
    document = load_document(request.user, pk)
    report = validate(document)
    summary = ngettext(
        "%(e)s error to correct, ", "%(e)s errors to correct, ", len(report.errors)
    ) % {"e": len(report.errors)} + ngettext(
        "%(w)s warning to correct or explain.",
        "%(w)s warnings to correct or explain.",
        len(report.warnings),
    ) % {"w": len(report.warnings)}
    return JsonResponse(
        {
            "summary": summary if report.findings else _("No problem found."),
            "blocking": len(report.blocking),
            "findings": [
                {
                    "n": n,
                    "importance": f.importance,
                    "importance_label": _("error") if f.importance == "error" else _("warning"),
                    "message": f.message,
                    "section": f.section,
                    "anchor": f.anchor,
                    "field": f.field,
                    "explained": bool(f.explanation),
                }
                for n, f in enumerate(report.findings, start=1)
            ],
        }
    )


@authenticated
@require_POST
def transition(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    if action not in SIMPLE_ACTIONS:
        raise Http404
    document = load_document(request.user, pk)
    try:
        actions.do_transition(
            document, action, actor=request.user, reason=request.POST.get("reason", "")
        )
    except actions.Refused as exc:
        messages.error(request, exc.message)
        if exc.problems:
            return redirect("document_check", pk=pk)
        return _editor(pk, "workflow")
    messages.success(request, _("Done: %(action)s.") % {"action": action_label(action)})
    if action in ("start_appraisal", "approve", "return"):
        return redirect("appraisal_queue") if action != "start_appraisal" else _editor(pk)
    return _editor(pk, "workflow")


@authenticated
def revisions(request: HttpRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    all_revisions = list(
        DocumentRevision.objects.filter(document=document)
        .select_related("created_by")
        .defer("snapshot", "attachments")  # the two compared are read by revision_content
    )
    a, b = int_param(request.GET, "a"), int_param(request.GET, "b")
    comparison = None
    if a is not None and b is not None:
        old = next((r for r in all_revisions if r.number == a), None)
        new = next((r for r in all_revisions if r.number == b), None)
        if old is None or new is None:
            raise Http404
        comparison = compare_revisions(document, old, new)
    return render(
        request,
        "workflow/revisions.html",
        {
            "document": document,
            "revisions": all_revisions,
            "comparison": comparison,
            "a": a,
            "b": b,
        },
    )


@authenticated
@require_POST
def comment_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    section = request.POST.get("section", "")
    spec = document.framework_version.parsed()
    if spec.section(section) is None:
        raise Http404
    anchor = request.POST.get("anchor", "")

    label = ""
    if anchor:
        entry = Entry.objects.filter(document=document, key=anchor, section_code=section).first()
        if entry is None:
            raise Http404
        label = entry_label(spec, entry.key, entry.content)
    try:
        actions.do_comment(
            document,
            actor=request.user,
            section_code=section,
            anchor=anchor,
            anchor_label=label,
            text=request.POST.get("text", ""),
        )
    except (actions.Refused, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))  # type: ignore[union-attr]
    return _editor(pk, f"s-{section}")


def _comment(request: HttpRequest, pk: int, comment_id: int) -> Comment:
    document = load_document(request.user, pk)
    comment = (
        Comment.objects.filter(pk=comment_id, document=document).select_related("document").first()
    )
    if comment is None:
        raise Http404
    return comment


@authenticated
@require_POST
def comment_reply(request: AuthenticatedRequest, pk: int, comment_id: int) -> HttpResponse:
    comment = _comment(request, pk, comment_id)
    try:
        actions.do_reply(comment, actor=request.user, text=request.POST.get("text", ""))
    except actions.Refused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return _editor(pk, f"comment-{comment.pk}")


@authenticated
@require_POST
def comment_resolve(request: AuthenticatedRequest, pk: int, comment_id: int) -> HttpResponse:
    comment = _comment(request, pk, comment_id)
    try:
        actions.do_resolve(
            comment, actor=request.user, resolved=request.POST.get("resolved", "1") == "1"
        )
    except actions.Refused as exc:
        messages.error(request, exc.message)
    return _editor(pk, f"comment-{comment.pk}")


@authenticated
def return_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter that returns the document, made from the open comments."""
    document = load_document(request.user, pk)
    spec = document.framework_version.parsed()
    # The numbers the unit's document has (a framework may renumber what a unit sees).
    shown = [*spec.walk(), *visible_sections(spec, document)]
    titles = {s.code: f"{s.number}. {s.title}" for s in shown}
    comments = list(
        Comment.objects.filter(document=document, resolved=False).select_related("author")
    )
    return render(
        request,
        "workflow/return_letter.html",
        {
            "document": document,
            "comments": [(titles.get(c.section_code, c.section_code), c) for c in comments],
            "today": timezone.localdate(),
        },
    )


@authenticated
@require_POST
def checklist(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    if machine.APPRAISER not in actions.parties(request.user, document):
        raise Http404
    count = len(document.framework_version.parsed().checklist)
    marks = [
        actions.ChecklistItem(
            done=request.POST.get(f"item-{index}") == "on",
            note=request.POST.get(f"note-{index}", ""),
        )
        for index in range(count)
    ]
    try:
        actions.do_mark_checklist(document, marks, actor=request.user)
    except actions.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Checklist saved."))
    return _editor(pk, "appraisal")


QUEUE_PER_PAGE = 50


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_l("Status"),
        required=False,
        choices=[
            ("", _l("All statuses")),
            (DocumentStatus.SUBMITTED, DocumentStatus.SUBMITTED.label),
            (DocumentStatus.UNDER_APPRAISAL, DocumentStatus.UNDER_APPRAISAL.label),
        ],
    )
    kind = forms.ChoiceField(
        label=_l("Kind"), required=False, choices=[("", _l("All kinds")), *Kind.choices]
    )
    version = forms.TypedChoiceField(
        label=_l("Framework"), required=False, coerce=int, empty_value=None
    )
    late = forms.BooleanField(label=_l("Submitted late only"), required=False)

    def __init__(self, data: Any, versions: list[tuple[int, str]]) -> None:
        super().__init__(data)
        field = self.fields["version"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All frameworks")), *((str(pk), title) for pk, title in versions)]

    def selected(self) -> QueueFilter:
        if not self.is_valid():
            return QueueFilter()
        data = self.cleaned_data
        return QueueFilter(data["status"], data["kind"], data["version"], data["late"])


@requires(Capability.APPRAISE)
@require_GET
def appraisal_queue(request: AuthenticatedRequest) -> HttpResponse:
    """The documents waiting for this appraiser, submitted or under their appraisal, earliest
    deadline first, filtered and a page at a time (the central authority's queue holds every
    province's and ministry's document in a busy week): a constant number of queries."""
    whole = routed_queue(request.user)
    form = QueueFilterForm(_filter_data(request), whole.versions)
    selected = form.selected()
    shown = whole.narrowed(selected)
    counts = shown.counts()
    paginator = Paginator(shown.documents, QUEUE_PER_PAGE)
    # The aggregate above already counted the rows: the paginator need not count again.
    paginator.__dict__["count"] = counts.total
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "workflow/queue.html",
        {"page": page, "form": form, "counts": counts, "filtered": selected != QueueFilter()},
    )


def _filter_data(request: HttpRequest) -> dict[str, str] | None:
    """The filter fields of the address, or None (unbound: no errors shown) when none is set."""
    data = {k: str(request.GET[k]) for k in QueueFilterForm.base_fields if k in request.GET}
    return data or None


@authenticated
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    mine = visible_to(Notification.objects.all(), request.user).select_related("document")
    if request.method == "POST":
        actions.do_read_notifications(request.user)
        return redirect("notifications")
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    return render(request, "workflow/notifications.html", {"page": page})
