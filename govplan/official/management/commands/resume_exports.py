"""Queue again every batch export whose worker died (run it after restarting the workers)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govplan.audit.origin import Origin, origin
from govplan.official.batch import do_resume_export, stale_jobs
from govplan.official.export_files import NotResumable
from govplan.official.models import ExportJob, ExportState


class Command(BaseCommand):
    help = (
        "Queue again the batch exports left waiting or running by a worker that stopped "
        "(silent for 2 minutes); with --failed, also those stopped by an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--failed", action="store_true", help="also retry the exports stopped by an error"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = stale_jobs()
        if options["failed"]:
            jobs += list(ExportJob.objects.filter(state=ExportState.FAILED).order_by("pk"))
        resumed = 0
        with origin(Origin(channel="command:resume_exports")):
            for job in jobs:
                try:
                    do_resume_export(None, job)
                except NotResumable:  # a worker took it up meanwhile
                    continue
                resumed += 1
                self.stdout.write(f"export {job.pk}: queued again ({len(job.done)}/{job.total})")
        if resumed:
            self.stdout.write(f"{resumed} export(s) queued again.")
        else:
            self.stdout.write("No batch export to resume.")
