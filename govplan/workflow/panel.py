"""The document's cycle on its editor page: state, possible actions, events, comments, the
appraiser's checklist. Registered with ``documents.panels`` when the app is ready."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest

from govplan.access.scoping import scope_for
from govplan.accounts.types import AuthenticatedRequest
from govplan.core import workflow as machine
from govplan.documents.models import Document
from govplan.workflow import actions, opinions
from govplan.workflow.models import ChecklistMark, Comment, DocumentRevision, WorkflowEvent


def workflow_context(request: AuthenticatedRequest, document: Document) -> dict[str, object]:
    """What the editor page shows of the cycle: state, possible actions, events, comments."""
    appraising = actions.appraising_unit(document)  # once: parties needs it too
    parties = actions.parties(request.user, document, appraising=appraising)
    spec = document.framework_version.parsed()
    # The latest (DocumentRevision's ordering is newest first): its checklist, and whether
    # the page links to the revisions at all; the page shows nothing else of them.
    revision = DocumentRevision.objects.filter(document=document).only("pk").first()
    marks = {m.item: m for m in ChecklistMark.objects.filter(revision=revision)} if revision else {}
    comments = list(
        Comment.objects.filter(document=document)
        .select_related("author")
        .prefetch_related("replies__author")
    )
    by_section: dict[str, list[Comment]] = {}
    for comment in comments:
        by_section.setdefault(comment.section_code, []).append(comment)
    is_appraiser = machine.APPRAISER in parties and document.status == machine.UNDER_APPRAISAL
    # Joint appraisal: the other agencies' opinions, for the appraising side only, once
    # there are some or while they may be asked.
    asked = None
    if parties & {machine.APPRAISER, machine.CENTRAL_ADMIN}:
        asked = opinions.panel_context(document)
        if not asked["requests"] and not is_appraiser:
            asked = None
    return {
        "opinions": asked,
        "parties": parties,
        "available": machine.available(document.status, parties),
        "events": WorkflowEvent.objects.filter(document=document).select_related("actor")[:20],
        "latest_revision": revision,
        "comments_by_section": by_section,
        "open_comments": sum(1 for c in comments if not c.resolved),
        "is_appraiser": is_appraiser,
        "is_agency": machine.AGENCY in parties,
        "checklist": [(i, text, marks.get(i)) for i, text in enumerate(spec.checklist)],
        "appraising_unit": appraising,
        "scope_admin": scope_for(request.user).is_central_admin,
    }


def editor_panel(request: HttpRequest, document: Document, context: dict[str, Any]) -> None:
    """The cycle as ``wf``, and each section's comments beside it."""
    # Panels are called for the editor page, which only a signed-in user reaches.
    wf = workflow_context(cast(AuthenticatedRequest, request), document)
    by_section = cast(dict[str, list[Comment]], wf["comments_by_section"])
    for block in context.get("sections", []):
        block["comments"] = [comment_data(c) for c in by_section.get(block["code"], [])]
    context["wf"] = wf


def comment_data(comment: Comment) -> dict[str, Any]:
    """What a section shows of a comment, as plain data: the section's HTML is cached under
    the digest of its block (documents/page_sections.py), which must hold what is shown and
    nothing else (an author's last sign-in would change it)."""
    return {
        "pk": comment.pk,
        "author": comment.author.display_name,
        "created_at": comment.created_at,
        "anchor_label": comment.anchor_label,
        "text": comment.text,
        "resolved": comment.resolved,
        "replies": [
            {"author": r.author.display_name, "created_at": r.created_at, "text": r.text}
            for r in comment.replies.all()
        ],
    }
