"""Files kept only for a while (issue 16, item 10): import previews never applied, and the
ZIPs of finished batch exports, purged after IMPORT_PREVIEW_MAX_AGE_HOURS and
EXPORT_FILE_MAX_AGE_DAYS by ``manage.py purge_expired_files`` or the ``purge_expired_files``
task (run it daily; docs/configuration.md).

The rows go in one transaction with one summary audit entry; each row is taken with
``SKIP LOCKED``, so a preview being applied or an export a worker holds at that moment is
left for the next run. A waiting or running export is never a candidate. The export folders
are removed after the commit (a crash in between leaves folders no row owns; the next run
removes them), never before, so no page offers a file that is gone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from govplan.audit.recorder import record
from govplan.documents.models import ImportBatch
from govplan.official.batch import remove_export_folders
from govplan.official.models import ExportJob, ExportState

ACTION = "files.purge"


@dataclass(frozen=True)
class Purged:
    import_previews: int
    exports: int
    folders: int


def do_purge_expired_files(now: dt.datetime | None = None) -> Purged:
    now = now or timezone.now()
    preview_cutoff = now - dt.timedelta(hours=settings.IMPORT_PREVIEW_MAX_AGE_HOURS)
    export_cutoff = now - dt.timedelta(days=settings.EXPORT_FILE_MAX_AGE_DAYS)
    finished = Q(state=ExportState.DONE) | Q(state=ExportState.FAILED)
    # A job that failed before it ever finished has no finish time: its creation counts.
    old = Q(finished_at__lt=export_cutoff) | Q(
        finished_at__isnull=True, created_at__lt=export_cutoff
    )
    with transaction.atomic():
        previews = list(
            ImportBatch.objects.select_for_update(skip_locked=True)
            .filter(applied_at__isnull=True, created_at__lt=preview_cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        jobs = list(
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(finished & old)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ImportBatch.objects.filter(pk__in=previews).delete()
        ExportJob.objects.filter(pk__in=jobs).delete()
        record(
            ACTION,
            after={
                "import_previews": len(previews),
                "import_preview_ids": previews,
                "exports": len(jobs),
                "export_ids": jobs,
                "import_preview_max_age_hours": settings.IMPORT_PREVIEW_MAX_AGE_HOURS,
                "export_max_age_days": settings.EXPORT_FILE_MAX_AGE_DAYS,
            },
            message=(
                f"{len(previews)} import preview(s) older than "
                f"{settings.IMPORT_PREVIEW_MAX_AGE_HOURS} h and {len(jobs)} export(s) older than "
                f"{settings.EXPORT_FILE_MAX_AGE_DAYS} day(s) purged"
            ),
        )
    folders = remove_export_folders(jobs, export_cutoff)
    return Purged(import_previews=len(previews), exports=len(jobs), folders=folders)
