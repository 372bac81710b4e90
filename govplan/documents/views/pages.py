from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability, get_for, scope_for, visible_to
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.inputs import parse_id
from govplan.documents.access import can_edit, load_document
from govplan.documents.actions import (
    FillResult,
    do_create_document,
    do_fill_rows,
    filled_tables,
    not_in_force,
    rows_to_fill,
)
from govplan.documents.content import ContentError
from govplan.documents.cycles import previous_documents
from govplan.documents.models import Document
from govplan.documents.page_sections import rendered_sections
from govplan.documents.panels import add_panels
from govplan.documents.presentation import page_context
from govplan.documents.read import load_document_view
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import OrgUnit
from govplan.webutils.html import without_indentation

# The editor script's words, in the user's language.
EDITOR_TEXT = {
    "saving": gettext_lazy("Saving…"),
    "savedAt": gettext_lazy("Saved at"),
    "merged": gettext_lazy("Saved, together with a colleague's changes made meanwhile."),
    "notSaved": gettext_lazy("Not saved:"),
    "notSavedField": gettext_lazy("“%(field)s” is not saved: %(reason)s."),
    "notSavedFields": gettext_lazy(
        "%(count)s fields are not saved; the first, “%(field)s”: %(reason)s."
    ),
    "othersSavedAt": gettext_lazy(
        "The rest is saved (%(time)s). Escape in a marked field puts its saved value back."
    ),
    "offline": gettext_lazy("No connection: your changes are kept here and will be saved."),
    "refused": gettext_lazy("Refused:"),
    "conflict": gettext_lazy("Someone else changed this meanwhile: choose a version."),
    "tookTheirs": gettext_lazy("Their version is shown; yours was not saved."),
    "unsaved": gettext_lazy("Some changes are not saved yet."),
    "notNumber": gettext_lazy("not a number"),
    "negative": gettext_lazy("must not be negative"),
    "whole": gettext_lazy("must be a whole number"),
    "percent": gettext_lazy("must be between 0 and 100"),
    "places": gettext_lazy("at most %(places)s digits after the decimal mark"),
    "tooLarge": gettext_lazy("too large: at most %(digits)s digits before the decimal mark"),
    "atLeast": gettext_lazy("must be at least %(min)s"),
    "atMost": gettext_lazy("must be at most %(max)s"),
    "year": gettext_lazy("not a year"),
    "yearRange": gettext_lazy("write the years as 2018-2020"),
    "date": gettext_lazy("write the date as 22/11/2026"),
    "url": gettext_lazy("a web address starts with https://"),
    "choice": gettext_lazy("choose one of:"),
    "bold": gettext_lazy("Bold"),
    "italic": gettext_lazy("Italic"),
    "underline": gettext_lazy("Underline"),
    "heading": gettext_lazy("Heading"),
    "subheading": gettext_lazy("Sub-heading"),
    "bullets": gettext_lazy("Bulleted list"),
    "numbers": gettext_lazy("Numbered list"),
    "table": gettext_lazy("Insert a table"),
    "undo": gettext_lazy("Undo"),
    "redo": gettext_lazy("Redo"),
    "remove": gettext_lazy("Remove"),
    "confirmDelete": gettext_lazy("Delete this row? It stays in the history and can be restored."),
    "deleted": gettext_lazy("Row deleted."),
    "moved": gettext_lazy("Row moved."),
    "pasteTooWide": gettext_lazy(
        "Not pasted: the block has %(pasted)s columns but only %(room)s columns are left "
        "from this cell."
    ),
    "pasted": gettext_lazy("%(rows)s rows pasted; saving…"),
}


LEGAL_TYPE_LABELS = {
    "law": gettext_lazy("Law"),
    "resolution": gettext_lazy("Resolution"),
    "decree": gettext_lazy("Decree"),
    "decision": gettext_lazy("Decision"),
    "directive": gettext_lazy("Directive"),
    "circular": gettext_lazy("Circular"),
    "letter": gettext_lazy("Official letter"),
    "plan": gettext_lazy("Plan"),
    "other": gettext_lazy("Other"),
}


@requires(Capability.EDIT)
@require_POST
def document_create(request: AuthenticatedRequest) -> HttpResponse:
    unit_id = parse_id(request.POST.get("unit"))
    version_id = parse_id(request.POST.get("version"))
    if unit_id is None or version_id is None:
        messages.error(request, _("Choose the unit and the framework."))
        return redirect("home")
    unit = get_for(request.user, OrgUnit, Capability.EDIT, pk=unit_id)
    version = (
        FrameworkVersion.objects.published()
        .filter(pk=version_id, targets__org_unit=unit)
        .select_related("framework")
        .first()
    )
    if version is None:
        messages.error(
            request, _("This framework is not published for %(unit)s.") % {"unit": unit.name}
        )
        return redirect("unit_detail", pk=unit.pk)
    # A successor writes for a unit it came from only for days that unit was in force.
    if not scope_for(request.user).can(Capability.EDIT, unit, on=version.structure_date):
        messages.error(request, not_in_force(unit, version))
        return redirect("unit_detail", pk=unit.pk)
    carry_from: list[Document] = []
    chosen = request.POST.getlist("carry_from")
    if request.POST.get("carry_over") == "1" or chosen:
        previous = [p.document for p in previous_documents(unit, version)]
        seen = set(
            visible_to(
                Document.objects.filter(pk__in=[d.pk for d in previous]), request.user
            ).values_list("pk", flat=True)
        )
        offered = {d.pk: d for d in previous if d.pk in seen}
        if chosen and not all(c.isdigit() and int(c) in offered for c in chosen):
            messages.error(request, _("Choose among the previous cycle's documents offered."))
            return redirect("unit_detail", pk=unit.pk)
        carry_from = [d for pk, d in offered.items() if not chosen or str(pk) in chosen]
    try:
        document = do_create_document(
            unit=unit, version=version, actor=request.user, carry_from=carry_from
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect("unit_detail", pk=unit.pk)
    messages.success(request, _("Document created. Everything you type is saved as you go."))
    return redirect("document_edit", pk=document.pk)


@authenticated
def document_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    editable = can_edit(request.user, document)
    if editable and rows_to_fill(document):
        # Opening the document brings in the tasks assigned since (docs/frameworks.md).
        _fill(request, document)
    previous = previous_documents(document.org_unit, document.framework_version)
    view = load_document_view(document, anchors=True, previous_sources=previous)
    context = page_context(document, view, editable=editable)
    add_panels(request, document, context)  # the cycle (workflow), the issued copy (official)
    context.update(
        {
            "document": document,
            "previous": previous,
            "editor_text": {k: str(v) for k, v in EDITOR_TEXT.items()},
            "fills_rows": bool(filled_tables(document.framework_version.parsed(), document)),
            "sections_html": rendered_sections(
                request,
                document,
                context["sections"],
                editable=editable,
                wf=context.get("wf", {}),
                legal_types=list(LEGAL_TYPE_LABELS.items()),
            ),
        }
    )
    response = render(request, "documents/editor.html", context)
    response.content = without_indentation(response.content.decode())
    return response


def _fill(request: AuthenticatedRequest, document: Document) -> FillResult | None:
    try:
        result = do_fill_rows(document, actor=request.user)
    except (ContentError, PermissionDenied) as exc:
        text = "; ".join(exc.errors.values()) if isinstance(exc, ContentError) else str(exc)
        messages.error(request, _("The task list could not be brought in: %(why)s") % {"why": text})
        return None
    if result.changed:
        messages.success(
            request,
            _(
                "From the task list: %(added)s tasks added, %(refreshed)s updated, "
                "%(flagged)s no longer assigned to your unit (kept, marked)."
            )
            % {"added": result.added, "refreshed": result.refreshed, "flagged": result.flagged},
        )
    return result


@requires(Capability.EDIT)
@require_POST
def document_fill_rows(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The button "Update from the task list": add the tasks assigned to the unit that the
    document's task tables do not have yet, refresh the rest (actions.do_fill_rows)."""
    document = load_document(request.user, pk, Capability.EDIT)
    if not can_edit(request.user, document):
        messages.error(request, _("This document is no longer a draft and cannot be edited."))
        return redirect("document_edit", pk=pk)
    if not filled_tables(document.framework_version.parsed(), document):
        messages.info(request, _("This document has no table filled from a task list."))
        return redirect("document_edit", pk=pk)
    result = _fill(request, document)
    if result is not None and not result.changed:
        messages.info(request, _("The task tables are up to date with the task list."))
    return redirect("document_edit", pk=pk)
