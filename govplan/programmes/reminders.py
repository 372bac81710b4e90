"""Reminders about assigned tasks' deadlines (docs/programme.md, "Nhắc hạn"): to the lead
agency's editors and approvers, through the notifications (and their e-mails), run daily by
``manage.py send_task_reminders`` on the job engine.

- Before the deadline: when 14 days or fewer are left, then when 3 or fewer are left
  (the REMINDER_DAYS_BEFORE setting, or the command's ``--days``); a run that missed a day
  still sends the reminder of the threshold reached, never one already passed.
- Overdue: the day after the deadline, then once a week for ``OVERDUE_WEEKS`` weeks.
- Only tasks not completed, with a deadline, led by a unit that has someone to tell.
- Each reminder goes once: a ``TaskReminder`` row per task, kind and due date (unique), written
  in the transaction of its notifications; a second run, or two processes at once, find the
  row there and send nothing. An extension's new due date is reminded afresh.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from govplan.accounts.models import Membership, Role, User
from govplan.programmes.models import Task, TaskReminder
from govplan.workflow.notify import notify_once

BEFORE: tuple[int, ...] = (14, 3)  # days before the deadline
OVERDUE_EVERY = 7  # days between reminders once overdue
OVERDUE_WEEKS = 12  # weekly reminders while overdue, then no more


def reminder_kind(due: dt.date, today: dt.date, before: Sequence[int] = BEFORE) -> str | None:
    """The reminder due on ``today`` for a task due on ``due``, or None."""
    left = (due - today).days
    if left >= 0:
        reached = [days for days in sorted(before) if left <= days]
        return f"before_{reached[0]}" if reached else None
    week = (-left - 1) // OVERDUE_EVERY
    return f"overdue_{week}" if week < OVERDUE_WEEKS else None


def task_url(task_id: int) -> str:
    """The task's page (the tasks lane's), or "" where there is none."""
    try:
        return reverse("task_detail", args=[task_id])
    except NoReverseMatch:
        return ""


def due_reminders(today: dt.date, before: Sequence[int] = BEFORE) -> list[tuple[Task, str]]:
    """The reminders due on ``today`` and not yet sent: one query for the tasks, one for the
    reminders already logged."""
    staffed = Membership.objects.filter(
        role__in=(Role.EDITOR, Role.APPROVER), user__is_active=True
    ).values("org_unit")
    tasks = list(
        Task.objects.filter(
            completed_on__isnull=True,
            due_date__isnull=False,
            due_date__gte=today - dt.timedelta(days=OVERDUE_EVERY * OVERDUE_WEEKS),
            due_date__lte=today + dt.timedelta(days=max(before, default=0)),
            lead_unit__in=staffed,
        )
        .select_related("programme", "lead_unit")
        .order_by("due_date", "pk")
    )
    sent = set(
        TaskReminder.objects.filter(task__in=[t.pk for t in tasks]).values_list(
            "task_id", "kind", "due_date"
        )
    )
    found = []
    for item in tasks:
        assert item.due_date is not None  # the query holds only tasks with a deadline
        kind = reminder_kind(item.due_date, today, before)
        if kind is not None and (item.pk, kind, item.due_date) not in sent:
            found.append((item, kind))
    return found


def reminder_text(item: Task, kind: str, today: dt.date) -> str:
    assert item.due_date is not None
    values = {
        "code": item.code,
        "content": item.content[:120] + ("…" if len(item.content) > 120 else ""),
        "programme": item.programme.name,
        "deadline": item.due_date.strftime("%d/%m/%Y"),
    }
    with override("vi"):
        if kind.startswith("before_"):
            return _(
                "Reminder: task %(code)s (%(content)s) of “%(programme)s” is due on "
                "%(deadline)s, in %(days)s day(s)."
            ) % {**values, "days": (item.due_date - today).days}
        return _(
            "Overdue: task %(code)s (%(content)s) of “%(programme)s” was due on %(deadline)s, "
            "%(days)s day(s) ago, and is not completed."
        ) % {**values, "days": (today - item.due_date).days}


def send_due_reminders(today: dt.date, before: Sequence[int] = BEFORE) -> int:
    """Send every reminder due on ``today``; returns how many were sent (by this process)."""
    found = due_reminders(today, before)
    people: dict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        org_unit__in={item.lead_unit_id for item, _kind in found},
        role__in=(Role.EDITOR, Role.APPROVER),
        user__is_active=True,
    ).select_related("user"):
        if membership.user not in people[membership.org_unit_id]:
            people[membership.org_unit_id].append(membership.user)
    count = 0
    for item, kind in found:
        count += send_reminder(item, kind, today, people[item.lead_unit_id])
    return count


def send_reminder(item: Task, kind: str, today: dt.date, users: Sequence[User]) -> int:
    """The reminder and its notifications in one transaction: 1, or 0 if another run has
    already sent it (its log row is there)."""
    due = item.due_date
    assert due is not None
    text = reminder_text(item, kind, today)[:500]

    def log() -> None:
        TaskReminder.objects.create(task=item, kind=kind, due_date=due, recipients=len(users))

    return notify_once(log, users, text, task_url(item.pk))


@task()
def send_task_reminders(day: str | None = None, before: list[int] | None = None) -> int:
    """The job: today's (or ``day``'s) task reminders (module docstring)."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return send_due_reminders(today, tuple(before or settings.REMINDER_DAYS_BEFORE))
