from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.audit.origin import Origin, origin
from govplan.core.orgunit_reference import ReferenceDataError
from govplan.orgunits.reference import load_reference


class Command(BaseCommand):
    help = "Load the org-unit reference data (data/orgunits); idempotent, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--path",
            type=Path,
            default=Path(settings.REFERENCE_DATA_DIR) / "orgunits",
            help="Directory with sources.csv, units/, renames.csv and successions/",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base: Path = options["path"]
        if not base.is_dir():
            raise CommandError(f"{base}: not a directory")
        try:
            with origin(Origin(channel="command:load_reference_data")):
                report = load_reference(base)
        except ReferenceDataError as exc:
            raise CommandError(
                f"Reference data refused, nothing was changed "
                f"({len(exc.problems)} problems):\n{exc}"
            ) from None
        if report.changed:
            summary = ", ".join(f"{k}={v}" for k, v in report.as_dict().items())
            self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {summary}"))
        else:
            self.stdout.write("Reference data already up to date; nothing changed.")
        if report.stale_units:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.stale_units)} reference units in the database are no longer in "
                    "the files (kept): " + "; ".join(report.stale_units[:10])
                )
            )
