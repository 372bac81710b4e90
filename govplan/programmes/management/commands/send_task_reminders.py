"""Queue today's reminders about assigned tasks' deadlines on the job engine (run it daily
beside send_reminders, e.g. from cron; docs/programme.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.programmes.reminders import send_task_reminders
from govplan.webutils.commands import day_option


def _days(text: str) -> list[int]:
    try:
        days = sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise CommandError(f"--days: “{text}” is not a list of whole numbers (14,3)") from None
    if not days or any(not 0 <= d <= 366 for d in days):
        raise CommandError(f"--days: “{text}”: each number of days is 0 to 366")
    return days


class Command(BaseCommand):
    help = (
        "Queue the reminders about tasks' deadlines for today (or --day YYYY-MM-DD): "
        "to each lead agency's editors and approvers, --days before (default 14,3) and "
        "weekly once overdue; each sent once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="act as if today were this day (YYYY-MM-DD)")
        parser.add_argument(
            "--days",
            default=None,
            help="days before the deadline to remind, comma-separated (default: the "
            "REMINDER_DAYS_BEFORE setting, 14,3)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = day_option(options.get("day"))
        days = options["days"]
        before = _days(days) if days is not None else list(settings.REMINDER_DAYS_BEFORE)
        result = send_task_reminders.enqueue(day, before)
        self.stdout.write(f"Task reminders queued (task {result.id}, {result.status}).")
