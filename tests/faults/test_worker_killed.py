"""A batch export's worker (``manage.py db_worker``, django-tasks-db) SIGKILLed in the middle
of the batch: after ``manage.py resume_exports`` a worker carries on where it stopped and the
ZIP holds every document once, each file whole, and the manifest lists them all."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from tests.faults.database import query
from tests.support.processes import ROOT, manage, run_in_site, site_env

DOCUMENTS = 6
STALE = "2000-01-01 00:00:00"  # the heartbeat of a worker silent far longer than 2 minutes


def done_of(url: str, job: int) -> tuple[str, list[int]]:
    state, done = query(url, "SELECT state, done FROM official_exportjob WHERE id = %s", job)[0]
    return state, done if isinstance(done, list) else json.loads(done or "[]")


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_a_worker_killed_mid_export_resumes_and_the_zip_is_whole(site) -> None:  # type: ignore[no-untyped-def]
    from tests.faults.site_setup import read_values

    folder, url = site
    env = site_env(folder, url, TASKS_BACKEND="database")
    made = read_values(run_in_site(env, f"export_site({DOCUMENTS})"))
    job, total = int(made["job"]), int(made["total"])
    assert total == DOCUMENTS

    # The worker takes the job up; once some documents are done and not all, SIGKILL.
    worker = start_worker(env, folder / "worker.log")
    killed_at: list[int] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            state, done = done_of(url, job)
            if 1 <= len(done) < total:
                os.killpg(worker.pid, signal.SIGKILL)
                killed_at = done
                break
            assert len(done) < total, "the batch ended before the kill: make it longer"
            time.sleep(0.05)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert killed_at, (folder / "worker.log").read_text()[-2000:]
    state, done = done_of(url, job)
    assert state == "running" and len(done) < total  # left as the kill found it

    # Two minutes of silence, then the operator's resume and a worker again.
    query(url, "UPDATE official_exportjob SET heartbeat = %s WHERE id = %s", STALE, job)
    resumed = manage(env, "resume_exports")
    assert f"export {job}: queued again ({len(done)}/{total})" in resumed
    manage(env, "db_worker", "--batch", "--no-reload", "--no-startup-delay", timeout=900)

    state, done = done_of(url, job)
    assert state == "done", (folder / "worker.log").read_text()[-2000:]
    assert sorted(done) == sorted(set(done)) and len(done) == total
    zips = list((folder / "media" / "exports").rglob("*.zip"))
    assert len(zips) == 1, zips
    with zipfile.ZipFile(zips[0]) as archive:
        assert archive.testzip() is None  # every member's CRC checks
        names = archive.namelist()
        assert len(names) == len(set(names)), "a document written twice into the ZIP"
        documents = [n for n in names if n.endswith(".docx")]
        assert len(documents) == total, names
        for name in documents:  # each DOCX whole: itself a ZIP with its main part
            with zipfile.ZipFile(io.BytesIO(archive.read(name))) as docx:
                assert "word/document.xml" in docx.namelist()
        manifest = next(n for n in names if n.endswith(".csv"))
        lines = list(csv.reader(io.StringIO(archive.read(manifest).decode("utf-8-sig"))))
        assert len(lines) - 1 == total, lines
    # The first worker's documents were not made again: the resumed run only did the rest.
    assert set(killed_at) <= set(done)
