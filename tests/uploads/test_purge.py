"""Issue 16, item 10: import previews and batch-export files are purged after their age, rows
and files together, with one audit entry per run; nothing in use is touched."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govplan.audit.models import AuditEvent
from govplan.documents.models import Document, ImportBatch
from govplan.official import export_files
from govplan.official.models import ExportJob, ExportState
from govplan.official.purge import ACTION, do_purge_expired_files
from govplan.official.tasks import purge_expired_files
from tests.conftest import Cast, example_version

NOW = timezone.now()


def preview(
    document: Document, user: Any, *, hours_ago: float, applied: bool = False
) -> ImportBatch:
    batch = ImportBatch.objects.create(
        document=document, filename="bang.xlsx", data=b"PK", plan={"tables": []}, created_by=user
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=NOW - dt.timedelta(hours=hours_ago),
        applied_at=NOW if applied else None,
    )
    return batch


def export(user: Any, state: str, *, days_ago: float, finished: bool = True) -> ExportJob:
    at = NOW - dt.timedelta(days=days_ago)
    job = ExportJob.objects.create(
        created_by=user,
        version=example_version(),
        state=state,
        file_name=f"{state}-{days_ago}.zip",
        finished_at=at if finished else None,
    )
    ExportJob.objects.filter(pk=job.pk).update(created_at=at)
    job.refresh_from_db()
    export_files.put(export_files.zip_name_of(job), b"PK\x05\x06" + b"\x00" * 18)
    old = at.timestamp()
    os.utime(export_files.job_dir(job), (old, old))
    return job


@pytest.fixture
def world(cast: Cast, document_a: Document, settings: Any, media_root: Path) -> dict[str, Any]:
    settings.IMPORT_PREVIEW_MAX_AGE_HOURS = 24
    settings.EXPORT_FILE_MAX_AGE_DAYS = 7
    admin, editor = cast.central_admin, cast.editor_a
    orphan = Path(media_root) / "exports" / "999999"
    orphan.mkdir(parents=True)
    ten_days = (NOW - dt.timedelta(days=10)).timestamp()
    os.utime(orphan, (ten_days, ten_days))
    return {
        "old_preview": preview(document_a, editor, hours_ago=30),
        "applied_preview": preview(document_a, editor, hours_ago=300, applied=True),
        "new_preview": preview(document_a, editor, hours_ago=2),
        "old_done": export(admin, ExportState.DONE, days_ago=10),
        "old_failed": export(admin, ExportState.FAILED, days_ago=10, finished=False),
        "new_done": export(admin, ExportState.DONE, days_ago=1),
        "old_running": export(admin, ExportState.RUNNING, days_ago=10, finished=False),
        "old_queued": export(admin, ExportState.QUEUED, days_ago=10, finished=False),
        "orphan": orphan,
    }


def exists(obj: Any) -> bool:
    return type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
def test_expired_previews_and_exports_go_rows_and_files_together(world: dict[str, Any]) -> None:
    purged = do_purge_expired_files()
    assert (purged.import_previews, purged.exports) == (1, 2)
    assert not exists(world["old_preview"])
    assert exists(world["applied_preview"]) and exists(world["new_preview"])
    for gone in ("old_done", "old_failed"):
        assert not exists(world[gone])
        assert not export_files.job_dir(world[gone]).exists()
    # Recent, waiting and running exports keep their rows and their files.
    for kept in ("new_done", "old_running", "old_queued"):
        assert exists(world[kept])
        assert export_files.zip_path(world[kept]).is_file()
    assert not world["orphan"].exists()
    entry = AuditEvent.objects.get(action=ACTION)
    assert entry.after["import_previews"] == 1 and entry.after["exports"] == 2
    assert entry.after["import_preview_ids"] == [world["old_preview"].pk]
    assert sorted(entry.after["export_ids"]) == sorted(
        [world["old_done"].pk, world["old_failed"].pk]
    )
    # A second run finds nothing more, and says so in its own entry.
    assert do_purge_expired_files() == type(purged)(import_previews=0, exports=0, folders=0)
    assert AuditEvent.objects.filter(action=ACTION).count() == 2


@pytest.mark.django_db
def test_the_command_and_the_task_purge(world: dict[str, Any], capsys: Any) -> None:
    call_command("purge_expired_files")
    out = capsys.readouterr().out
    assert "1 import preview(s) older than 24 h, 2 export(s) older than 7 day(s)" in out
    assert AuditEvent.objects.get(action=ACTION).channel == "command:purge_expired_files"
    preview(world["old_preview"].document, world["old_preview"].created_by, hours_ago=48)
    result = purge_expired_files.enqueue()  # the immediate backend runs it here
    assert result.return_value == {"import_previews": 1, "exports": 0, "folders": 0}


@pytest.mark.django_db
def test_the_ages_are_settings(world: dict[str, Any], settings: Any) -> None:
    settings.IMPORT_PREVIEW_MAX_AGE_HOURS = 1
    settings.EXPORT_FILE_MAX_AGE_DAYS = 30
    purged = do_purge_expired_files()
    assert (purged.import_previews, purged.exports) == (2, 0)
    assert exists(world["old_done"]) and export_files.zip_path(world["old_done"]).is_file()


@pytest.mark.django_db
def test_applying_a_purged_preview_says_so(cast: Cast, document_a: Document) -> None:
    batch = preview(document_a, cast.editor_a, hours_ago=48)
    do_purge_expired_files()
    client = Client()
    client.force_login(cast.editor_a)
    response = client.post(
        reverse("document_import_apply", args=[document_a.pk, batch.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("document_import", args=[document_a.pk])
    page = response.content.decode()
    assert "message-error" in page and "24" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_preview_being_applied_is_not_purged_under_it(small_nation: Any, settings: Any) -> None:
    """The apply holds the batch's row lock (do_apply_import); the purge skips it."""
    from django.utils import timezone as tz

    from govplan.documents.actions import do_create_document
    from govplan.frameworks.actions import do_publish, do_upload_framework
    from tests.national.test_completeness import CYCLE

    province, people = small_nation
    admin, editor = people["admin"], people["editor_a"]
    deadline = tz.localdate()
    text = CYCLE.replace("CODE", "TEST-PURGE").replace("DEADLINE", deadline.isoformat())
    version = do_publish(
        do_upload_framework(text, actor=admin),
        actor=admin,
        deadline=deadline,
        kinds=["province"],
        unit_refs=[],
    )
    document = do_create_document(unit=province, version=version, actor=editor)
    in_use = preview(document, editor, hours_ago=48)
    idle = preview(document, editor, hours_ago=48)
    locked, release = threading.Event(), threading.Event()

    def applying() -> None:
        try:
            with transaction.atomic():
                ImportBatch.objects.select_for_update().get(pk=in_use.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=applying)
    thread.start()
    try:
        assert locked.wait(10)
        purged = do_purge_expired_files()
    finally:
        release.set()
        thread.join()
    assert purged.import_previews == 1
    assert ImportBatch.objects.filter(pk=in_use.pk).exists()
    assert not ImportBatch.objects.filter(pk=idle.pk).exists()
