"""Bring a backup made by ``manage.py backup`` back into an empty installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.ops.archive import BadArchive
from govplan.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into this installation, which must be empty (no data in the "
        "database, no stored file, no trust root) unless --force is given. The archive is "
        "checked whole first; a failure leaves the installation as it was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what the database, the storage and the trust roots hold",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        say = self.stdout.write if options["verbosity"] >= 1 else (lambda _text: None)
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            manifest = restore_backup(path, force=options["force"], say=say)
        except BadArchive as exc:
            raise CommandError(f"{path} cannot be restored: {exc}") from None
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored the backup of {manifest.created_at} (GovPlan {manifest.govplan_version}). "
            "Run `manage.py migrate` if this GovPlan is newer than the backup's."
        )
