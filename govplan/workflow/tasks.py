"""Background work, run by the Tasks API (django-tasks): in the web process by default, by
`manage.py db_worker` processes in production (TASKS_BACKEND=database). Arguments are ids:
a task reads the current state when it runs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override
from django_tasks import task

from govplan.workflow.models import Notification


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail each notification not yet e-mailed to its addressee; returns how many went.
    Each is taken under its row lock (skipping one another worker holds) and marked in the
    same transaction as it is sent, so two workers given the same ids send it once, and a
    failed send leaves it to be sent again."""
    sent = 0
    for pk in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
                .select_related("user")
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if notification is None or not notification.user.email:
                continue
            with override("vi"):
                send_mail(
                    subject=f"[GovPlan] {notification.text[:150]}",
                    message=f"{notification.text}\n\n{settings.SITE_URL}{notification.url}\n",
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[notification.user.email],
                )
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@task()
def send_deadline_reminders(day: str | None = None) -> int:
    """Remind the units that have not submitted: 7 days and 1 day before the deadline, the
    day after it, then every 7 days while overdue; and, on the same days, the agencies
    asked for an opinion that have not answered (joint appraisal). Each reminder goes once."""
    from govplan.workflow.opinion_reminders import send_opinion_reminders
    from govplan.workflow.reminders import due_reminders, send_reminder

    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    count = 0
    for target, kind in due_reminders(today):
        count += send_reminder(target, kind, today)
    return count + send_opinion_reminders(today)
