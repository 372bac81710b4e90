#!/usr/bin/env python3
"""GovPlan benchmarks: one command (`make bench`), figures printed, no assertions.

Runs against a fresh embedded SQLite database in a temporary directory (or the database of
DATABASE_URL when set), so the numbers describe a clean install. Record the output in
docs/performance.md together with the machine it ran on.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn: Callable[[], object], repeat: int = 1) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: list[float], target_ms: float | None = None) -> None:
    median = statistics.median(samples)
    line = f"{label:<58} median {median:9.1f} ms"
    if len(samples) > 1:
        line += f"  (n={len(samples)}, min {min(samples):.1f}, max {max(samples):.1f})"
    if target_ms:
        line += f"  target {target_ms:.0f} ms, ratio {median / target_ms:.2f}"
    print(line, flush=True)


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="govplan-bench-")
    os.environ.setdefault("GOVPLAN_VAR_DIR", tmp)
    os.environ.setdefault("DEBUG", "1")
    os.environ["AXES_ENABLED"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from govplan.core.frameworks.files import (
        FRAMEWORKS_DIR,
        read_catalogue,
        read_framework,
        read_legal,
    )
    from govplan.orgunits.models import OrgUnit
    from govplan.orgunits.reference import load_reference

    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE']} {database['NAME']}")
    call_command("migrate", verbosity=0)
    reference = Path(settings.REFERENCE_DATA_DIR) / "orgunits"
    report(
        "org units: first load (14,174 units, 10,672 successions)",
        timed(lambda: load_reference(reference)),
    )
    report(
        "org units: second load (nothing to change)", timed(lambda: load_reference(reference), 3)
    )
    report(
        "catalogues + 4 frameworks: load and publish",
        timed(lambda: call_command("load_frameworks", verbosity=0)),
    )
    call_command("load_demo", verbosity=0)

    catalogue, legal = read_catalogue(), read_legal()
    for path in sorted(FRAMEWORKS_DIR.glob("*.yaml")):
        report(f"check {path.name}", timed(lambda p=path: read_framework(p, catalogue, legal), 20))

    admin = Client()
    admin.post("/login/", {"username": "quantri", "password": "govplan-demo"})
    editor = Client()
    editor.post("/login/", {"username": "bacninh.bientap", "password": "govplan-demo"})
    hanoi = OrgUnit.objects.with_code("gso-province", "01").get()
    pages = [
        ("page: home (editor)", editor, "/"),
        ("page: units as of 30/06/2025 (national)", admin, "/units/?as_of=2025-06-30"),
        ("page: Hà Nội with its 126 communes (national)", admin, f"/units/{hanoi.pk}/"),
        ("page: unit search 'Bắc' (editor)", editor, "/units/?q=B%E1%BA%AFc"),
        (
            "page: blank form, 2027 example (30 sections)",
            editor,
            "/frameworks/KH-CDS-2027-MAU/v1/form/",
        ),
        ("page: blank form, 2017 report", editor, "/frameworks/BC-UDCNTT-2017/v1/form/"),
        ("page: audit log (admin)", admin, "/manage/audit/"),
    ]
    for label, client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        report(label, timed(lambda c=client, u=url: c.get(u), 20))


if __name__ == "__main__":
    main()
