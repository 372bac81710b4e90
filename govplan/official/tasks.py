"""Background work of official documents, run by the Tasks API (see govplan.workflow.tasks):
in the web process by default, by `manage.py db_worker` with TASKS_BACKEND=database."""

from __future__ import annotations

from django_tasks import task

from govplan.official.export_worker import run_export


@task()
def export_cycle(job_id: int) -> str:
    """Make (or carry on making) the ZIP of a batch export; returns the job's state."""
    return run_export(job_id)
