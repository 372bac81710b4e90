"""The documents waiting for an appraiser: submitted to their unit, or under their appraisal."""

from __future__ import annotations

from typing import Any

from govplan.access.scoping import Capability, scope_for, visible_to
from govplan.core import workflow as machine
from govplan.documents.models import Document, DocumentStatus
from govplan.workflow import actions
from govplan.workflow.models import DocumentRevision


def waiting_for(user: Any) -> list[tuple[Document, DocumentRevision | None]]:
    """Each waiting document with its latest revision, earliest deadline first."""
    if scope_for(user).grant(Capability.APPRAISE).empty:
        return []
    candidates = (
        visible_to(Document.objects.all(), user, Capability.APPRAISE)
        .filter(status__in=(DocumentStatus.SUBMITTED, DocumentStatus.UNDER_APPRAISAL))
        .select_related("org_unit", "framework", "framework_version", "appraiser")
        .order_by("framework_version__deadline", "org_unit__name")
    )
    mine = [d for d in candidates if machine.APPRAISER in actions.parties(user, d)]
    latest = {
        r.document_id: r
        for r in DocumentRevision.objects.filter(document__in=mine).order_by(
            "document_id", "number"
        )
    }
    return [(d, latest.get(d.pk)) for d in mine]
