"""The documents waiting for an appraiser: submitted to their unit, or under their appraisal.

Routed, filtered, counted and paginated by the database: the queue of the central authority
holds every province's and ministry's document in a busy week, and the country's thousands
of others are candidates that only a filter may look at. Each row's latest revision (its
number, date and lateness) comes from a subquery: a revision is never loaded to be shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from govplan.access.scoping import Capability, visible_to
from govplan.accounts.models import Membership, Role
from govplan.accounts.types import User
from govplan.core.frameworks.model import AppraisalRule, appraisal_rules
from govplan.documents.models import Document, DocumentStatus
from govplan.frameworks.models import FrameworkVersion
from govplan.workflow.routing import AppraisalRouter, OwnUnit

WAITING = (DocumentStatus.SUBMITTED, DocumentStatus.UNDER_APPRAISAL)
# On the queue's annotation: the latest submission came after the deadline.
LATE = Q(latest_days_late__gt=0)


@dataclass(frozen=True)
class QueueFilter:
    """What the appraiser narrowed the queue to; empty values: everything."""

    status: str = ""
    kind: str = ""
    version: int | None = None
    late: bool = False  # only documents whose latest submission came after the deadline


@dataclass(frozen=True)
class Counts:
    total: int = 0
    submitted: int = 0
    under_appraisal: int = 0
    late: int = 0


@dataclass
class Queue:
    """One appraiser's queue: ``documents`` is a lazy queryset (a page is one query)."""

    documents: QuerySet[Document]
    # The framework versions (id, title) documents wait under: the filter's choices.
    versions: list[tuple[int, str]] = field(default_factory=list)

    def narrowed(self, filters: QueueFilter) -> Queue:
        documents = self.documents
        if filters.status:
            documents = documents.filter(status=filters.status)
        if filters.kind:
            documents = documents.filter(org_unit__kind=filters.kind)
        if filters.version is not None:
            documents = documents.filter(framework_version_id=filters.version)
        if filters.late:
            documents = documents.filter(LATE)
        return Queue(documents, self.versions)

    def counts(self) -> Counts:
        """The queue's size by status and lateness, in one aggregate query."""
        if not self.documents.query.is_empty():
            found = self.documents.order_by().aggregate(
                total=Count("pk"),
                submitted=Count("pk", filter=Q(status=DocumentStatus.SUBMITTED)),
                under_appraisal=Count("pk", filter=Q(status=DocumentStatus.UNDER_APPRAISAL)),
                late=Count("pk", filter=LATE),
            )
            return Counts(**{k: v or 0 for k, v in found.items()})
        return Counts()


# (version id, when it was published) -> its appraisal rules. Documents are written against
# published versions, which never change (ORM and database trigger), so a process keeps what
# it has read; the publication time in the key keeps a reused id (a rolled-back test, a
# restored database) from meeting another version's rules.
_RULES: dict[tuple[int, dt.datetime], tuple[AppraisalRule, ...]] = {}


def appraisal_rules_of(
    versions: list[tuple[int, dt.datetime | None]],
) -> dict[int, tuple[AppraisalRule, ...]]:
    """The appraisal rules of these (id, published_at) versions; those this process has not
    read yet in one query, and only their ``appraisal`` value (the whole specification is
    large). A draft (not published) is read each time."""
    found = {pk: _RULES[(pk, at)] for pk, at in versions if at is not None and (pk, at) in _RULES}
    missing = [pk for pk, _ in versions if pk not in found]
    if missing:
        for pk, at, appraisal in FrameworkVersion.objects.filter(pk__in=missing).values_list(
            "pk", "published_at", "spec__appraisal"
        ):
            found[pk] = appraisal_rules(appraisal)
            if at is not None:
                _RULES[(pk, at)] = found[pk]
    return found


def routed_queue(user: User) -> Queue:
    """The documents ``user`` appraises (the same test as ``actions.parties``: the user is
    an appraiser of the unit that appraises the document), earliest deadline first, each
    annotated with its latest revision's ``latest_number``, ``latest_at`` and
    ``latest_days_late`` (None before any revision)."""
    own = [
        OwnUnit(pk, kind, path)
        for pk, kind, path in Membership.objects.filter(user=user, role=Role.APPRAISER).values_list(
            "org_unit_id", "org_unit__kind", "org_unit__path"
        )
    ]
    if not own:
        return Queue(Document.objects.none())
    candidates = visible_to(Document.objects.all(), user, Capability.APPRAISE).filter(
        status__in=WAITING
    )
    versions = list(
        # The versions of whatever waits anywhere: a superset of the user's (the rules of
        # the others match nothing), read without the scope's join over the units.
        FrameworkVersion.objects.filter(
            pk__in=Document.objects.filter(status__in=WAITING).values("framework_version_id")
        )
        .order_by("-period_start", "title", "pk")
        .values_list("pk", "title", "published_at")
    )
    rules = appraisal_rules_of([(pk, at) for pk, _, at in versions])
    documents = (
        candidates.filter(AppraisalRouter().routed_to(own, rules))
        # The latest revision is the one numbered Document.revision (do_transition keeps
        # them together under the row lock): one join on (document, number), unique.
        .annotate(
            latest=FilteredRelation("revisions", condition=Q(revisions__number=F("revision")))
        )
        .annotate(
            latest_number=F("latest__number"),
            latest_at=F("latest__created_at"),
            latest_days_late=F("latest__days_late"),
        )
        .select_related("org_unit", "appraiser")
        # A framework without deadline (the letter set none) after those with one.
        .order_by(F("framework_version__deadline").asc(nulls_last=True), "org_unit__name", "pk")
    )
    return Queue(documents, [(pk, title) for pk, title, _ in versions])


def waiting_for(user: User) -> list[Document]:
    """The whole queue as a list (for readers that want every row; pages use
    ``routed_queue`` and take a slice)."""
    return list(routed_queue(user).documents)
