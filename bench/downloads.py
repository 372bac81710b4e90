#!/usr/bin/env python3
"""What an official DOCX or PDF download costs the web process (issue 15, item 6): the first
download of a state of the document (rendered, by the in-process worker or by a worker of its
own) against a download of the file already made, on a realistic plan (bench/run.py's
long_plan: 40 pages of narrative, 300 project rows). Prints wall time and CPU (this process
and the Typst processes it started) per request; no assertion.

    bench/downloads.py            a fresh SQLite database in a temporary directory
    DATABASE_URL=… bench/downloads.py   that database
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

REPEAT = 5


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (Typst runs in its own)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def measure(label: str, fn: Callable[[], object], before: Callable[[], object]) -> float:
    """``fn`` REPEAT times (``before`` untimed before each); prints medians, returns the
    median CPU in ms."""
    walls, cpus = [], []
    for _ in range(REPEAT):
        before()
        cpu, start = _cpu(), time.perf_counter()
        fn()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((_cpu() - cpu) * 1000)
    wall, cpu_ms = statistics.median(walls), statistics.median(cpus)
    print(
        f"{label:<62} wall {wall:8.1f} ms  CPU {cpu_ms:8.1f} ms  "
        f"(n={REPEAT}, wall {min(walls):.1f}–{max(walls):.1f})",
        flush=True,
    )
    return cpu_ms


def main() -> None:
    os.environ.setdefault("GOVPLAN_VAR_DIR", tempfile.mkdtemp(prefix="govplan-bench-dl-"))
    os.environ.setdefault("DEBUG", "1")
    os.environ["AXES_ENABLED"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    import django

    django.setup()
    import run  # bench/run.py: the long plan
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from govplan.accounts.models import User
    from govplan.official import file_requests, rendering
    from govplan.official.models import RenderedFile
    from govplan.official.render import current_model, render
    from govplan.orgunits.reference import load_reference

    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE']} {database['NAME']}; tasks: {settings.TASKS}")
    call_command("migrate", verbosity=0)
    load_reference(Path(settings.REFERENCE_DATA_DIR) / "orgunits")
    call_command("load_frameworks", verbosity=0, stdout=io.StringIO())
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    document = run.long_plan()
    client = Client()
    client.force_login(User.objects.get(username="quantri"))  # sees every unit's plans
    from bench.second_factor import verified

    verified(client)

    def forget() -> None:
        RenderedFile.objects.filter(document=document).delete()

    def nothing() -> None:
        pass

    def get(url: str) -> Callable[[], object]:
        def fetch() -> object:
            response = client.get(url)
            assert response.status_code in (200, 302), response.status_code
            return response

        return fetch

    print("Before (issue 15): every download built and rendered the file on the request path")
    measure("model: build it (current_model)", lambda: current_model(document), nothing)
    measure(
        "model: build it and key it (to JSON, SHA-256)",
        lambda: rendering.wanted(document, "pdf"),
        nothing,
    )
    rendered = {}
    for kind in ("docx", "pdf"):
        rendered[kind] = measure(
            f"{kind.upper()}: build + render in the request (the old view's work)",
            lambda kind=kind: render(document, kind),
            nothing,
        )
    print("After: made once by the worker, then served from storage")
    for kind in ("docx", "pdf"):
        url = f"/documents/{document.pk}/official.{kind}"
        measure(f"{kind.upper()}: first download, in-process worker (renders)", get(url), forget)
        queued = file_requests._enqueue
        file_requests._enqueue = lambda row: None  # a worker of its own takes it up
        try:
            measure(f"{kind.upper()}: first download, separate worker (queues)", get(url), forget)
        finally:
            file_requests._enqueue = queued
        forget()
        client.get(url)  # made, by the in-process worker
        cached = measure(f"{kind.upper()}: download of the file already made", get(url), nothing)
        size = RenderedFile.objects.get(document=document, format=kind).size
        print(
            f"{kind.upper()}: {size / 1024:.0f} KB; a made file costs the request "
            f"{cached / rendered[kind]:.3f} of the render ({rendered[kind] / cached:.0f}× less CPU)"
        )


if __name__ == "__main__":
    main()
