"""Queue today's deadline reminders on the job engine (run it daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govplan.workflow.tasks import send_deadline_reminders


class Command(BaseCommand):
    help = "Queue the deadline reminders for today (or --day YYYY-MM-DD)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="act as if today were this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_deadline_reminders.enqueue(options.get("day"))
        self.stdout.write(f"Reminders queued (task {result.id}, {result.status}).")
