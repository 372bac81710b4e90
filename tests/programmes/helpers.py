"""Programmes and tasks built by hand for the statistics and reminder tests."""

from __future__ import annotations

import datetime as dt

from govplan.core.programmes.deadlines import Deadline
from govplan.orgunits.models import OrgUnit
from govplan.programmes.models import Programme, Task


def programme(code: str, assigning: OrgUnit, *, on: dt.date, name: str = "") -> Programme:
    return Programme.objects.create(
        code=code,
        name=name or f"Chương trình {code}",
        period_start=on.year,
        period_end=on.year + 3,
        basis_number=f"1/{code}",
        basis_date=on,
        basis_title="Thông báo kết luận",
        assigning_unit=assigning,
    )


def task(
    owner: Programme,
    code: str,
    lead: OrgUnit,
    *,
    due: dt.date | None,
    completed: dt.date | None = None,
    reported: dt.date | None = None,
    parent: Task | None = None,
    content: str = "",
    assigned: dt.date | None = None,
) -> Task:
    item = Task(
        programme=owner,
        parent=parent,
        code=code,
        content=content or f"Nhiệm vụ {code}",
        source_document=owner.basis_number,
        assigned_on=assigned or owner.basis_date,
        lead_unit=lead,
        progress_reported_on=reported,
        first_reported_on=reported,
        completed_on=completed,
    )
    item.set_deadline(Deadline.on(due) if due is not None else Deadline.standing())
    item.save()
    return item
