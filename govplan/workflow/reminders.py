"""Which units to remind of a deadline, and the reminder itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from govplan.accounts.models import Membership, Role
from govplan.core import workflow as machine
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkTarget
from govplan.workflow.models import ReminderLog
from govplan.workflow.notify import notify

BEFORE = (7, 1)  # days before the deadline
OVERDUE_EVERY = 7  # days between reminders once overdue

NOT_SUBMITTED = machine.EDITABLE


def reminder_kind(deadline: dt.date, today: dt.date) -> str | None:
    left = (deadline - today).days
    if left in BEFORE:
        return f"due_{left}"
    late = -left
    if late >= 1 and (late - 1) % OVERDUE_EVERY == 0:
        return f"overdue_{late}"
    return None


def due_reminders(today: dt.date) -> Iterator[tuple[FrameworkTarget, str]]:
    window_start = today - dt.timedelta(days=120)
    # Only units with someone to tell (most communes have no GovPlan account yet).
    staffed = Membership.objects.filter(
        role__in=(Role.EDITOR, Role.APPROVER), user__is_active=True
    ).values("org_unit")
    targets = FrameworkTarget.objects.filter(
        version__deadline__gte=window_start,
        version__deadline__lte=today + dt.timedelta(days=max(BEFORE)),
        org_unit__in=staffed,
    ).select_related("version", "version__framework", "org_unit")
    submitted = {
        (d.org_unit_id, d.framework_id)
        for d in Document.objects.exclude(status__in=NOT_SUBMITTED).only(
            "org_unit_id", "framework_id"
        )
    }
    for target in targets:
        if (target.org_unit_id, target.version.framework_id) in submitted:
            continue
        deadline = target.version.deadline
        assert deadline is not None  # the query above holds only versions with a deadline
        kind = reminder_kind(deadline, today)
        if kind is not None:
            yield target, kind


def send_reminder(target: FrameworkTarget, kind: str, today: dt.date) -> int:
    people = [
        m.user
        for m in Membership.objects.filter(
            org_unit=target.org_unit, role__in=(Role.EDITOR, Role.APPROVER), user__is_active=True
        ).select_related("user")
    ]
    deadline = target.version.deadline
    assert deadline is not None  # due_reminders yields only targets with a deadline
    with override("vi"):
        if kind.startswith("due_"):
            text = _(
                "Reminder: “%(title)s” for %(unit)s is due on %(deadline)s, in %(days)s day(s)."
            ) % {
                "title": target.version.title,
                "unit": target.org_unit.name,
                "deadline": deadline.strftime("%d/%m/%Y"),
                "days": (deadline - today).days,
            }
        else:
            text = _(
                "Overdue: “%(title)s” for %(unit)s was due on %(deadline)s, %(days)s day(s) ago."
            ) % {
                "title": target.version.title,
                "unit": target.org_unit.name,
                "deadline": deadline.strftime("%d/%m/%Y"),
                "days": (today - deadline).days,
            }
    document = Document.objects.filter(
        org_unit=target.org_unit, framework=target.version.framework
    ).first()
    try:
        with transaction.atomic():
            ReminderLog.objects.create(target=target, kind=kind, recipients=len(people))
            notify(people, document, text)
    except IntegrityError:
        return 0  # already sent (another worker, or a rerun the same day)
    return 1
