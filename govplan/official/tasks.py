"""Background work of official documents, run by the Tasks API (see govplan.workflow.tasks):
in the web process by default, by `manage.py db_worker` with TASKS_BACKEND=database."""

from __future__ import annotations

from django_tasks import task

from govplan.official.export_worker import run_export
from govplan.official.rendering import make_file, make_issued_files


@task()
def export_cycle(job_id: int) -> str:
    """Make (or carry on making) the ZIP of a batch export; returns the job's state."""
    return run_export(job_id)


@task()
def render_official_file(file_id: int) -> str:
    """Make one official DOCX or PDF asked for by a download (govplan.official.rendering)."""
    return make_file(file_id)


@task()
def render_issued_files(record_id: int) -> list[str]:
    """Make an issued document's DOCX and PDF once, from its frozen record, after the issue
    has committed."""
    return make_issued_files(record_id)


@task()
def purge_expired_files() -> dict[str, int]:
    """What ``manage.py purge_expired_files`` does, for a scheduler that enqueues tasks."""
    from govplan.audit.origin import Origin, origin
    from govplan.official.purge import do_purge_expired_files

    with origin(Origin(channel="task:purge_expired_files")):
        purged = do_purge_expired_files()
    return {
        "import_previews": purged.import_previews,
        "exports": purged.exports,
        "folders": purged.folders,
    }
