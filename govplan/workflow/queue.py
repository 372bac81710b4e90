"""The documents waiting for an appraiser: submitted to their unit, or under their appraisal."""

from __future__ import annotations

from django.db.models import F

from govplan.access.scoping import Capability, visible_to
from govplan.accounts.models import Membership, Role
from govplan.accounts.types import User
from govplan.documents.models import Document, DocumentStatus
from govplan.workflow.actions import AppraisalRouter
from govplan.workflow.models import DocumentRevision


def waiting_for(user: User) -> list[tuple[Document, DocumentRevision | None]]:
    """Each waiting document with its latest revision, earliest deadline first.

    The same test as ``actions.parties`` (the user is an appraiser of the unit that
    appraises the document), made for the whole list at once."""
    own = set(
        Membership.objects.filter(user=user, role=Role.APPRAISER).values_list(
            "org_unit_id", flat=True
        )
    )
    if not own:
        return []
    candidates = (
        visible_to(Document.objects.all(), user, Capability.APPRAISE)
        .filter(status__in=(DocumentStatus.SUBMITTED, DocumentStatus.UNDER_APPRAISAL))
        # Not the framework version: its spec is large, and the router reads it once.
        .select_related("org_unit", "appraiser")
        # A framework without deadline (the letter set none) after those with one.
        .order_by(F("framework_version__deadline").asc(nulls_last=True), "org_unit__name")
    )
    router = AppraisalRouter()
    mine = [d for d in candidates if router.unit_id(d) in own]
    latest = {
        r.document_id: r
        for r in DocumentRevision.objects.filter(document__in=[d.pk for d in mine])
        .defer("snapshot", "attachments")  # shown: the number and dates, not the content
        .order_by("document_id", "number")
    }
    return [(d, latest.get(d.pk)) for d in mine]
