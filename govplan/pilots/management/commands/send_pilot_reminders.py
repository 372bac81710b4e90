"""Queue today's reminders about pilot milestones' deadlines on the job engine (run it daily
beside send_task_reminders; docs/programme.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from govplan.pilots.reminders import send_pilot_reminders
from govplan.webutils.commands import day_option


class Command(BaseCommand):
    help = (
        "Queue the reminders about pilot milestones for today (or --day YYYY-MM-DD): to the "
        "pilot units' and the assigning authority's editors and approvers, the "
        "REMINDER_DAYS_BEFORE days before the deadline and weekly once overdue; each sent once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="act as if today were this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = day_option(options.get("day"))
        result = send_pilot_reminders.enqueue(day, list(settings.REMINDER_DAYS_BEFORE))
        self.stdout.write(f"Pilot reminders queued (task {result.id}, {result.status}).")
