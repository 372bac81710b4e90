"""Reminders about pilot milestones' deadlines (docs/programme.md, "Pilots"): to the editors
and approvers of the units designated as pilots (who write their unit's evaluation) and of
the pilot's assigning authority (who evaluates the milestone), through the notifications
and their e-mails, run daily by ``manage.py send_pilot_reminders`` on the job engine.

The same rhythm as the tasks' (govplan.programmes.reminders.reminder_kind): the
REMINDER_DAYS_BEFORE days before the deadline, then weekly while overdue, for milestones not
yet reached of pilots not yet finally evaluated. Each reminder goes once (a MilestoneReminder
row, unique, written in the transaction of its notifications).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from govplan.accounts.models import Membership, Role, User
from govplan.pilots.models import Milestone, MilestoneReminder
from govplan.programmes.reminders import OVERDUE_EVERY, OVERDUE_WEEKS, reminder_kind
from govplan.workflow.notify import notify_once


def due_reminders(today: dt.date, before: Sequence[int]) -> list[tuple[Milestone, str]]:
    """The reminders due on ``today`` and not yet sent (two queries)."""
    milestones = list(
        Milestone.objects.filter(
            reached_on__isnull=True,
            pilot__evaluated_on__isnull=True,
            deadline__gte=today - dt.timedelta(days=OVERDUE_EVERY * OVERDUE_WEEKS),
            deadline__lte=today + dt.timedelta(days=max(before, default=0)),
        )
        .select_related("pilot")
        .order_by("deadline", "pk")
    )
    sent = set(
        MilestoneReminder.objects.filter(milestone__in=[m.pk for m in milestones]).values_list(
            "milestone_id", "kind", "due_date"
        )
    )
    found = []
    for milestone in milestones:
        kind = reminder_kind(milestone.deadline, today, before)
        if kind is not None and (milestone.pk, kind, milestone.deadline) not in sent:
            found.append((milestone, kind))
    return found


def recipients(milestone: Milestone) -> list[User]:
    """The active editors and approvers of the pilot units and of the assigning authority."""
    units = {milestone.pilot.assigning_unit_id} | set(
        milestone.pilot.designations.values_list("unit_id", flat=True)
    )
    users: dict[int, User] = {}
    for membership in Membership.objects.filter(
        org_unit__in=units, role__in=(Role.EDITOR, Role.APPROVER), user__is_active=True
    ).select_related("user"):
        users.setdefault(membership.user_id, membership.user)
    return sorted(users.values(), key=lambda u: u.pk)


def reminder_text(milestone: Milestone, kind: str, today: dt.date) -> str:
    values = {
        "milestone": milestone.title[:150],
        "pilot": milestone.pilot.name[:150],
        "deadline": milestone.deadline.strftime("%d/%m/%Y"),
    }
    with override("vi"):
        if kind.startswith("before_"):
            return _(
                "Reminder: the milestone “%(milestone)s” of the pilot “%(pilot)s” is due on "
                "%(deadline)s, in %(days)s day(s): the pilot units write their evaluation, the "
                "authority evaluates it."
            ) % {**values, "days": (milestone.deadline - today).days}
        return _(
            "Overdue: the milestone “%(milestone)s” of the pilot “%(pilot)s” was due on "
            "%(deadline)s, %(days)s day(s) ago, and is not yet evaluated as reached."
        ) % {**values, "days": (today - milestone.deadline).days}


def send_reminder(milestone: Milestone, kind: str, today: dt.date) -> int:
    """The reminder and its notifications in one transaction: 1, or 0 when another run sent
    it already (its row is there)."""
    users = recipients(milestone)

    def log() -> None:
        MilestoneReminder.objects.create(
            milestone=milestone, kind=kind, due_date=milestone.deadline, recipients=len(users)
        )

    text = reminder_text(milestone, kind, today)
    return notify_once(log, users, text, reverse("pilot_detail", args=[milestone.pilot_id]))


def send_due_reminders(today: dt.date, before: Sequence[int]) -> int:
    return sum(send_reminder(m, kind, today) for m, kind in due_reminders(today, before))


@task()
def send_pilot_reminders(day: str | None = None, before: list[int] | None = None) -> int:
    """The job: today's (or ``day``'s) milestone reminders (module docstring)."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return send_due_reminders(today, tuple(before or settings.REMINDER_DAYS_BEFORE))
