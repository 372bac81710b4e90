"""What an approval records of the joint appraisal: every request for an opinion on the
document and its answer, as the approver saw them, frozen in the approval's transaction
(``RecordedOpinions``, never updated)."""

from __future__ import annotations

from typing import Any

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.documents.models import Document
from govplan.workflow.models import (
    DocumentRevision,
    OpinionRequest,
    OpinionStatus,
    RecordedOpinions,
    WorkflowEvent,
)
from govplan.workflow.opinions import digest, requests_of


class OpinionsChanged(Exception):
    """An opinion arrived (or a request changed) after the approver's page was shown."""


def frozen_entry(request: OpinionRequest) -> dict[str, Any]:
    """One request as the approval records it: names and texts as they are now."""
    return {
        "id": request.pk,
        "agency": request.agency.name,
        "agency_id": request.agency_id,
        "revision": request.revision.number,
        "question": request.question,
        "deadline": request.deadline.isoformat(),
        "asked_by": request.asked_by.display_name,
        "asked_at": request.asked_at.isoformat(),
        "state": request.state,
        "kind": request.kind,
        "answer": request.answer,
        "answered_by": request.answered_by.display_name if request.answered_by else "",
        "answered_role": request.answered_role,
        "answered_at": request.answered_at.isoformat() if request.answered_at else "",
        "late": bool(request.answered_at and request.answered_at.date() > request.deadline),
        "file_name": request.file_name,
        "file_sha256": request.file_sha256,
    }


def record_with_approval(
    document: Document,
    revision: DocumentRevision | None,
    event: WorkflowEvent,
    *,
    actor: User,
    seen: str | None,
) -> RecordedOpinions | None:
    """Inside the approval's transaction, the document locked: every request of the document
    and its opinion, frozen. ``seen``: the digest the approval page showed (None: approved
    without that page, e.g. by a script); refused with OpinionsChanged if it differs."""
    requests = [
        r
        for r in requests_of(document)
        if r.status != OpinionStatus.WITHDRAWN  # withdrawn: not part of what was decided
    ]
    everything = requests_of(document)
    if seen is not None and seen != digest(everything):
        raise OpinionsChanged
    if not requests:
        return None
    recorded = RecordedOpinions.objects.create(
        event=event,
        document=document,
        revision=revision,
        opinions=[frozen_entry(r) for r in requests],
    )
    record(
        Action.OPINION_RECORD,
        actor=actor,
        obj=recorded,
        after={
            "document": document.pk,
            "opinions": [{"request": r.pk, "state": r.state, "kind": r.kind} for r in requests],
        },
    )
    return recorded
