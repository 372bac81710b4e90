"""Delete old batch exports and their files (run it now and then, e.g. once a day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.audit.origin import Origin, origin
from govplan.official.batch import do_prune_exports


class Command(BaseCommand):
    help = (
        "Delete the batch exports finished (ready or stopped by an error) more than --days "
        "days ago, with their ZIPs and parts; exports waiting or running are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=7, help="keep exports finished in the last DAYS days (7)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 0:
            raise CommandError("--days cannot be negative.")
        with origin(Origin(channel="command:prune_exports")):
            jobs, folders = do_prune_exports(dt.timedelta(days=days))
        self.stdout.write(
            f"{jobs} export(s) older than {days} day(s) deleted, {folders} folder(s) removed."
        )
