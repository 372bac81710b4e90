"""Purge import previews and batch exports past their age (run it daily)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from govplan.audit.origin import Origin, origin
from govplan.official.purge import do_purge_expired_files


class Command(BaseCommand):
    help = (
        "Delete import previews not applied within IMPORT_PREVIEW_MAX_AGE_HOURS and batch "
        "exports finished more than EXPORT_FILE_MAX_AGE_DAYS ago, rows and files together, "
        "with one audit entry; exports waiting or running and rows in use are kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with origin(Origin(channel="command:purge_expired_files")):
            purged = do_purge_expired_files()
        self.stdout.write(
            f"{purged.import_previews} import preview(s) older than "
            f"{settings.IMPORT_PREVIEW_MAX_AGE_HOURS} h, {purged.exports} export(s) older than "
            f"{settings.EXPORT_FILE_MAX_AGE_DAYS} day(s) purged; "
            f"{purged.folders} folder(s) removed."
        )
