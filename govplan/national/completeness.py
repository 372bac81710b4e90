"""Who has filed a cycle: completeness and timeliness (docs/workflow.md, *Completeness*).

The units expected to file a published framework version are its targets
(frameworks.FrameworkTarget), resolved when it was published on the structure of its
deadline: a 2011-2015 plan expects the 63 provinces of the time, a 2027 plan the 34. Each
expected unit has exactly one *status*, from its document of that framework (one per unit):

    not_started        no document
    draft              a document in draft
    submitted_on_time  submitted or under appraisal, first submitted by the deadline
    submitted_late     submitted or under appraisal, first submitted after it
    returned           returned for changes
    approved           approved
    issued             issued

and two figures that cut across the statuses:

    overdue            the deadline has passed and nothing is submitted (not started or draft)
    filed on time/late the unit's first submission (revision 1, ``days_late``) came by the
                       deadline or after it; counted for every document that is submitted,
                       under appraisal, returned, approved or issued (a late filing later
                       approved is "approved" and "filed late")

Every count is one GROUP BY over the targets LEFT JOINed to their document, with an EXISTS
on its first revision, grouped by unit kind, document state and lateness; the few groups
are classified here (``classify``). A constant number of queries whatever the number of
units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govplan.access.scoping import visible_to
from govplan.accounts.types import AnyUser
from govplan.core import workflow as machine
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkTarget, FrameworkVersion
from govplan.orgunits.models import Kind, OrgUnit
from govplan.workflow.models import DocumentRevision

NOT_STARTED = "not_started"
DRAFT = "draft"
SUBMITTED_ON_TIME = "submitted_on_time"
SUBMITTED_LATE = "submitted_late"
RETURNED = "returned"
APPROVED = "approved"
ISSUED = "issued"
OVERDUE = "overdue"  # a figure across not_started and draft, not a status of its own

STATUSES: tuple[tuple[str, Any], ...] = (
    (NOT_STARTED, _("Not started")),
    (DRAFT, _("Draft")),
    (SUBMITTED_ON_TIME, _("Submitted on time")),
    (SUBMITTED_LATE, _("Submitted late")),
    (RETURNED, _("Returned")),
    (APPROVED, _("Approved")),
    (ISSUED, _("Issued")),
)
STATUS_LABELS: dict[str, Any] = {**dict(STATUSES), OVERDUE: _("Overdue")}
# The list filters: a status, or one of the cross-cutting figures.
FILED_ON_TIME = "on_time"
FILED_LATE = "late"
FILTERS: dict[str, Any] = {
    **STATUS_LABELS,
    FILED_ON_TIME: _("Filed on time"),
    FILED_LATE: _("Filed late"),
}
# Those a reminder is for: nothing in the appraiser's hands, and not done.
REMINDABLE = (NOT_STARTED, DRAFT, RETURNED)

LEVELS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    (
        "agencies",
        _("Ministries and agencies"),
        (Kind.MINISTRY, Kind.MINISTRY_LEVEL, Kind.GOV_AGENCY),
    ),
    ("provinces", _("Provinces"), (Kind.PROVINCE,)),
    ("departments", _("Departments"), (Kind.DEPARTMENT,)),
    ("districts", _("Districts"), (Kind.DISTRICT,)),
    ("communes", _("Communes"), (Kind.COMMUNE,)),
    ("other", _("Other units"), (Kind.CENTRAL, Kind.SUBORDINATE)),
)
LEVEL_LABELS: dict[str, Any] = {code: label for code, label, _kinds in LEVELS}
LEVEL_OF_KIND: dict[str, str] = {kind: code for code, _l, kinds in LEVELS for kind in kinds}


def deadline_passed(version: FrameworkVersion, today: dt.date) -> bool:
    """The version's deadline is its last day on time; without one nothing is overdue."""
    return version.deadline is not None and today > version.deadline


def expected(
    version: FrameworkVersion, user: AnyUser, subtree: OrgUnit | None = None
) -> QuerySet[FrameworkTarget]:
    """The units expected to file ``version`` that ``user`` sees (in ``subtree``)."""
    targets = visible_to(FrameworkTarget.objects.filter(version=version), user)
    if subtree is not None:
        targets = targets.filter(org_unit__path__startswith=subtree.path)
    return targets


WAITING = (machine.SUBMITTED, machine.UNDER_APPRAISAL)
# Filed: sent at least once and not taken back (a withdrawn or reopened draft is not).
FILED = (*machine.SENT, machine.RETURNED)


def classify(doc_status: str | None, late: bool) -> str:
    """The status of an expected unit whose document is in ``doc_status`` (None: no
    document) and whose first submission was ``late``."""
    if doc_status is None:
        return NOT_STARTED
    if doc_status in WAITING:
        return SUBMITTED_LATE if late else SUBMITTED_ON_TIME
    return {
        machine.RETURNED: RETURNED,
        machine.APPROVED: APPROVED,
        machine.ISSUED: ISSUED,
    }.get(doc_status, DRAFT)


def timeliness(doc_status: str | None, late: bool) -> str:
    """FILED_ON_TIME, FILED_LATE, or "" for a unit that has not filed."""
    if doc_status not in FILED:
        return ""
    return FILED_LATE if late else FILED_ON_TIME


def status_of(row: Any) -> str:
    """The status of a row of ``with_status``."""
    return classify(row.doc_status, row.late)


def with_status(targets: QuerySet[FrameworkTarget], version: FrameworkVersion) -> QuerySet[Any]:
    """``targets`` joined to their document of the version's framework (at most one: a unit
    files one document per framework) and annotated with ``doc_id``, ``doc_status`` and
    ``late``: its first submission (revision 1) came after the deadline. Any: the type
    checker knows no annotation."""
    joined = targets.annotate(
        doc=FilteredRelation(
            "org_unit__documents",
            condition=Q(org_unit__documents__framework_id=version.framework_id),
        )
    )
    first_late = DocumentRevision.objects.filter(
        document_id=OuterRef("doc__id"), number=1, days_late__gt=0
    )
    rank = Case(
        *(
            When(org_unit__kind__in=kinds, then=Value(index))
            for index, (_c, _l, kinds) in enumerate(LEVELS)
        ),
        default=Value(len(LEVELS)),
        output_field=IntegerField(),
    )
    annotated: QuerySet[Any] = joined.annotate(
        doc_id=F("doc__id"),
        doc_status=F("doc__status"),
        late=Exists(first_late),
        level_rank=rank,
    )
    return annotated


def status_q(status: str) -> Q:
    """The rows of ``with_status`` of one status, or of one of the figures FILED_ON_TIME,
    FILED_LATE (OVERDUE is NOT_STARTED or DRAFT once the deadline has passed)."""
    if status == NOT_STARTED:
        return Q(doc_id__isnull=True)
    if status == DRAFT:
        known = (*WAITING, machine.RETURNED, machine.APPROVED, machine.ISSUED)
        return Q(doc_id__isnull=False) & ~Q(doc_status__in=known)
    if status in (SUBMITTED_ON_TIME, SUBMITTED_LATE):
        return Q(doc_status__in=WAITING, late=status == SUBMITTED_LATE)
    if status in (FILED_ON_TIME, FILED_LATE):
        return Q(doc_status__in=FILED, late=status == FILED_LATE)
    by_state = {RETURNED: machine.RETURNED, APPROVED: machine.APPROVED, ISSUED: machine.ISSUED}
    return Q(doc_status=by_state[status])


def filtered(
    targets: QuerySet[FrameworkTarget],
    version: FrameworkVersion,
    today: dt.date,
    *,
    status: str = "",
    level: str = "",
) -> QuerySet[Any]:
    """The annotated targets of one status (or figure) and level; "" is any."""
    rows = with_status(targets, version)
    if level:
        kinds = next(k for code, _l, k in LEVELS if code == level)
        rows = rows.filter(org_unit__kind__in=kinds)
    if status == OVERDUE:
        if not deadline_passed(version, today):
            return rows.none()
        rows = rows.filter(status_q(NOT_STARTED) | status_q(DRAFT))
    elif status:
        rows = rows.filter(status_q(status))
    return rows


def remindable(rows: QuerySet[Any]) -> QuerySet[Any]:
    """The late among ``rows``: not started, draft, returned."""
    return rows.filter(status_q(NOT_STARTED) | status_q(DRAFT) | status_q(RETURNED))


@dataclass
class Line:
    """One level's (or the total's) counts; rates are shares of ``expected``."""

    level: str
    label: Any
    expected: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    on_time: int = 0
    late: int = 0
    unit_id: int | None = None  # a parent unit's line: whose sub-units

    @property
    def filed(self) -> int:
        return self.on_time + self.late

    def rate(self, count: int) -> float | None:
        return count / self.expected if self.expected else None

    @property
    def filed_rate(self) -> float | None:
        return self.rate(self.filed)

    @property
    def on_time_rate(self) -> float | None:
        return self.rate(self.on_time)

    @property
    def done_rate(self) -> float | None:
        return self.rate(self.statuses.get(APPROVED, 0) + self.statuses.get(ISSUED, 0))

    def cells(self) -> list[tuple[str, int]]:
        return [(code, self.statuses.get(code, 0)) for code, _label in STATUSES]

    def add(self, status: str, timely: str, count: int, *, overdue: bool) -> None:
        self.expected += count
        self.statuses[status] = self.statuses.get(status, 0) + count
        if overdue and status in (NOT_STARTED, DRAFT):
            self.overdue += count
        if timely == FILED_ON_TIME:
            self.on_time += count
        elif timely == FILED_LATE:
            self.late += count


@dataclass
class Summary:
    version: FrameworkVersion
    today: dt.date
    levels: list[Line]
    total: Line
    parents: list[Line] = field(default_factory=list)  # the sub-units of each parent unit

    @property
    def deadline_passed(self) -> bool:
        return deadline_passed(self.version, self.today)


def summary(
    version: FrameworkVersion,
    user: AnyUser,
    subtree: OrgUnit | None = None,
    today: dt.date | None = None,
) -> Summary:
    """The counts at each level, under each parent unit the user sees (a province's
    departments and communes) and in total: one GROUP BY query, and one for the parents."""
    today = today or timezone.localdate()
    passed = deadline_passed(version, today)
    rows = (
        with_status(expected(version, user, subtree), version)
        .order_by()
        .values("org_unit__kind", "org_unit__parent_id", "doc_status", "late")
        .annotate(n=Count("pk"))
    )
    by_level = {code: Line(code, label) for code, label, _k in LEVELS}
    by_parent: dict[int, Line] = {}
    total = Line("", _("All levels"))
    for row in rows:
        status = classify(row["doc_status"], row["late"])
        timely = timeliness(row["doc_status"], row["late"])
        level = LEVEL_OF_KIND.get(row["org_unit__kind"], "other")
        lines = [by_level[level], total]
        parent = row["org_unit__parent_id"]
        if parent is not None:
            lines.append(by_parent.setdefault(parent, Line("", "")))
        for line in lines:
            line.add(status, timely, row["n"], overdue=passed)
    levels = [line for line in by_level.values() if line.expected]
    parents = []
    if by_parent:
        day = version.structure_date
        # Only parents the user sees: a commune's editor is not shown its province's name.
        for unit in (
            visible_to(OrgUnit.objects.filter(pk__in=by_parent), user)
            .prefetch_related("names")
            .order_by("name")
        ):
            line = by_parent[unit.pk]
            line.label = unit.name_on(day)
            line.unit_id = unit.pk
            parents.append(line)
    return Summary(version, today, levels, total, parents)


@dataclass
class CycleLine:
    version: FrameworkVersion
    expected: int
    filed: int

    @property
    def filed_rate(self) -> float | None:
        return self.filed / self.expected if self.expected else None


def cycles(user: AnyUser) -> list[CycleLine]:
    """Every published version with the units the user sees expected to file it and how
    many have filed: two queries."""
    versions = list(
        visible_to(FrameworkVersion.objects.published(), user)
        .select_related("framework")
        .defer("spec", "source_text")
        .order_by("-period_start", "framework__code", "-number")
    )
    targets = visible_to(FrameworkTarget.objects.filter(version__in=versions), user)
    filed_docs = Document.objects.filter(
        org_unit_id=OuterRef("org_unit_id"),
        framework_id=OuterRef("version__framework_id"),
        status__in=FILED,
    )
    counts = {
        row["version_id"]: row
        for row in targets.annotate(filed=Exists(filed_docs))
        .order_by()
        .values("version_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(filed=True)))
    }
    return [
        CycleLine(v, counts[v.pk]["n"], counts[v.pk]["done"]) for v in versions if v.pk in counts
    ]


def listing(rows: QuerySet[Any]) -> QuerySet[Any]:
    """What the list shows of each row of ``filtered``: the unit (with its names, for its
    name on the structure date), when the first submission came, the document's latest
    revision and its appraiser; ordered by level and name."""
    first = DocumentRevision.objects.filter(document_id=OuterRef("doc__id"), number=1).order_by()
    listed: QuerySet[Any] = (
        rows.annotate(
            first_at=Subquery(first.values("created_at")[:1]),
            first_late=Subquery(first.values("days_late")[:1], output_field=IntegerField()),
            doc_revision=F("doc__revision"),
            appraiser_name=F("doc__appraiser__full_name"),
            appraiser_username=F("doc__appraiser__username"),
        )
        .select_related("org_unit")
        .prefetch_related("org_unit__names")
        .order_by("level_rank", "org_unit__name", "pk")
    )
    return listed


def percent(rate: float | None) -> float | None:
    return None if rate is None else rate * 100
