"""What is due: the published frameworks the user's units must file against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from govplan.access.scoping import visible_to
from govplan.accounts.models import Membership
from govplan.accounts.types import User
from govplan.core import workflow as machine
from govplan.frameworks.models import FrameworkTarget, FrameworkVersion
from govplan.orgunits.models import OrgUnit

SOON_DAYS = 14
SHOW_PAST_DAYS = 60  # a deadline further back than this is history, not a to-do


# Once sent, the item is done for the agency, whatever the appraiser does next.
SENT = machine.SENT


@dataclass(frozen=True)
class DueItem:
    unit: OrgUnit
    version: FrameworkVersion
    deadline: dt.date
    days_left: int
    document: Any = None  # the unit's document for this framework, when it has one

    @property
    def state(self) -> str:
        if self.document is not None and self.document.status in SENT:
            return "sent"
        if self.days_left < 0:
            return "overdue"
        return "soon" if self.days_left <= SOON_DAYS else "later"

    @property
    def days_late(self) -> int:
        return -self.days_left


def due_items(user: User, today: dt.date) -> list[DueItem]:
    from govplan.documents.models import Document

    own_units = Membership.objects.filter(user=user).values("org_unit_id")
    targets = (
        visible_to(FrameworkTarget.objects.all(), user)
        .filter(
            org_unit_id__in=own_units,
            version__deadline__gte=today - dt.timedelta(days=SHOW_PAST_DAYS),
        )
        .select_related("org_unit", "version", "version__framework")
        .order_by("version__deadline", "org_unit__name")
    )
    dated = [(t, deadline) for t in targets if (deadline := t.version.deadline) is not None]
    documents = {
        (d.org_unit_id, d.framework_id): d
        for d in visible_to(Document.objects.all(), user).filter(
            org_unit_id__in=[t.org_unit_id for t, _day in dated],
            framework_id__in=[t.version.framework_id for t, _day in dated],
        )
    }
    return [
        DueItem(
            unit=t.org_unit,
            version=t.version,
            deadline=deadline,
            days_left=(deadline - today).days,
            document=documents.get((t.org_unit_id, t.version.framework_id)),
        )
        for t, deadline in dated
    ]
