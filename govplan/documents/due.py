"""What is due: the published frameworks the user's units must file against, and their
documents (so here, in documents, above frameworks; the home page shows it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q

from govplan.access.scoping import visible_to
from govplan.accounts.models import Membership
from govplan.accounts.types import User
from govplan.core import workflow as machine
from govplan.documents.models import Document
from govplan.frameworks.models import (
    FrameworkTarget,
    FrameworkVersion,
    Status,
    version_heavy_fields,
)
from govplan.orgunits.models import OrgUnit

SOON_DAYS = 14
SHOW_PAST_DAYS = 60  # a deadline further back than this is history, not a to-do


# Once sent, the item is done for the agency, whatever the appraiser does next.
SENT = machine.SENT


@dataclass(frozen=True)
class DueItem:
    unit: OrgUnit
    version: FrameworkVersion
    deadline: dt.date | None  # the last day on time; None: the letter sets no deadline
    days_left: int | None
    document: Document | None = None  # the unit's document for this framework, when it has one

    @property
    def state(self) -> str:
        if self.document is not None and self.document.status in SENT:
            return "sent"
        if self.days_left is None:
            return "open"
        if self.days_left < 0:
            return "overdue"
        return "soon" if self.days_left <= SOON_DAYS else "later"

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None else 0


def due_items(user: User, today: dt.date) -> list[DueItem]:
    """The user's units' frameworks: those with a deadline at most ``SHOW_PAST_DAYS`` back,
    earliest first, then those without a deadline whose period is not over."""
    own_units = Membership.objects.filter(user=user).values("org_unit_id")
    targets = list(
        visible_to(FrameworkTarget.objects.all(), user)
        .filter(org_unit_id__in=own_units)
        .filter(
            Q(version__deadline__gte=today - dt.timedelta(days=SHOW_PAST_DAYS))
            | Q(
                version__deadline__isnull=True,
                version__status=Status.PUBLISHED,
                version__period_end__gte=today.year,
            )
        )
        .select_related("org_unit", "version", "version__framework")
        .defer(*version_heavy_fields("version"))
        .order_by(F("version__deadline").asc(nulls_last=True), "org_unit__name")
    )
    documents = {
        (d.org_unit_id, d.framework_id): d
        for d in visible_to(Document.objects.all(), user).filter(
            org_unit_id__in=[t.org_unit_id for t in targets],
            framework_id__in=[t.version.framework_id for t in targets],
        )
    }
    return [
        DueItem(
            unit=t.org_unit,
            version=t.version,
            deadline=t.version.deadline,
            days_left=(t.version.deadline - today).days if t.version.deadline else None,
            document=documents.get((t.org_unit_id, t.version.framework_id)),
        )
        for t in targets
    ]


def available_frameworks(unit: OrgUnit) -> list[FrameworkVersion]:
    """Published frameworks that apply to the unit and that it has no document for yet:
    the latest version of each."""
    return available_frameworks_of([unit]).get(unit.pk, [])


def available_frameworks_of(units: list[OrgUnit]) -> dict[int, list[FrameworkVersion]]:
    """``available_frameworks`` for several units at once (a unit's predecessors), in two
    queries whatever their number."""
    ids = [u.pk for u in units]
    taken = set(
        Document.objects.filter(org_unit_id__in=ids).values_list("org_unit_id", "framework_id")
    )
    targets = (
        FrameworkTarget.objects.filter(org_unit_id__in=ids, version__status=Status.PUBLISHED)
        .select_related("version", "version__framework")
        .defer(*version_heavy_fields("version"))
        .order_by("version__framework__code", "-version__number")
    )
    latest: dict[int, dict[int, FrameworkVersion]] = {u: {} for u in ids}
    for target in targets:
        version = target.version
        if (target.org_unit_id, version.framework_id) not in taken:
            latest[target.org_unit_id].setdefault(version.framework_id, version)
    return {
        unit_id: sorted(found.values(), key=lambda v: (-v.period_start, v.framework.code))
        for unit_id, found in latest.items()
    }
