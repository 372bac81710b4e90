"""Write a complete backup of this installation into one archive (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.ops.backup import BackupError, file_sha256, make_backup


class Command(BaseCommand):
    help = (
        "Write the database (one consistent snapshot), every stored file and the trust roots, "
        "with a manifest of checksums, into one .tar.gz archive."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            required=True,
            help="the archive's file name, or a folder to write govplan-backup-<time>.tar.gz in",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        say = self.stdout.write if options["verbosity"] >= 1 else (lambda _text: None)
        try:
            target, manifest = make_backup(Path(options["output"]), say=say)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        files = sum(1 for m in manifest.members if m.name.startswith("media/"))
        size = sum(m.size for m in manifest.members)
        self.stdout.write(
            f"{target}: {manifest.engine} database, {files} stored file(s), "
            f"{len(manifest.referenced)} referred to by the database, {size} bytes before "
            "compression."
        )
        # To check an off-site copy arrived whole (also in the audit entry of the backup).
        self.stdout.write(f"SHA-256 {file_sha256(target)}")
