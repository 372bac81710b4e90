#!/usr/bin/env python3
"""What every request pays before and around its view: queries and time per request.

    bench/request_overhead.py            the demo's pages, through Django's test client
    bench/request_overhead.py --repeat 50

For a few typical pages it prints the number of queries one request makes, how many of them
read the scoping layer's tables (memberships, successions) or a framework version,
the median server time, and the time spent turning a framework version's stored spec into
the core's FrameworkSpec. Runs on a fresh embedded SQLite database in a temporary directory
(or DATABASE_URL's database when set). No assertions: figures for docs/performance.md.
"""

from __future__ import annotations

import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What the scoping layer reads (memberships, successions; views read them too), and the
# framework version table (its spec column).
_SCOPING = re.compile(r'FROM "(accounts_membership|orgunits_succession)"')
_VERSION = re.compile(r'FROM "frameworks_frameworkversion"|"frameworks_frameworkversion"\."spec"')


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main(argv: list[str]) -> None:
    repeat = 20
    if argv[:1] == ["--repeat"] and len(argv) > 1:
        repeat = int(argv[1])
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
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from govplan.accounts.models import User
    from govplan.documents.models import Document
    from govplan.frameworks.models import FrameworkVersion
    from govplan.orgunits.reference import load_reference

    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE']} {database['NAME']}")
    call_command("migrate", verbosity=0)
    load_reference(Path(settings.REFERENCE_DATA_DIR) / "orgunits")
    call_command("load_frameworks", verbosity=0, stdout=io.StringIO())
    call_command("load_demo", verbosity=0, stdout=io.StringIO())

    def client_for(username: str) -> Any:
        client = Client()
        client.force_login(User.objects.get(username=username))
        from bench.second_factor import verified

        verified(client)
        return client

    editor, appraiser = client_for("bacninh.bientap"), client_for("thamdinh")
    plan = Document.objects.filter(
        org_unit__in=User.objects.get(username="bacninh.bientap")
        .memberships.values("org_unit")
        .all(),
        framework__code="KH-CDS-2027-MAU",
    ).first()
    assert plan is not None
    pages = [
        ("health check (anonymous)", Client(), "/healthz"),
        ("home (editor, Bắc Ninh)", editor, "/"),
        ("home (central appraiser)", appraiser, "/"),
        ("document page (editor, 2027 plan)", editor, f"/documents/{plan.pk}/"),
        ("document history (editor)", editor, f"/documents/{plan.pk}/history/"),
        ("notifications (editor)", editor, "/notifications/"),
    ]
    print(f"{'page':<40} {'queries':>7} {'m./s.':>7} {'version':>7} {'median':>10}")
    for label, client, url in pages:
        response = client.get(url)
        if response.status_code != 200:
            print(f"{label:<40} status {response.status_code}, skipped")
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        sqls = [q["sql"] for q in queries.captured_queries]
        scoping = sum(1 for sql in sqls if _SCOPING.search(sql))
        version = sum(1 for sql in sqls if _VERSION.search(sql))
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(url)
            samples.append(time.perf_counter() - start)
        print(
            f"{label:<40} {len(sqls):>7} {scoping:>7} {version:>7} {_median_ms(samples):>7.1f} ms",
            flush=True,
        )

    # The framework specification: the row as stored, then parsed into the core's form.
    version = FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        FrameworkVersion.objects.get(pk=version.pk).parsed()
        samples.append(time.perf_counter() - start)
    print(f"{'framework version loaded and parsed':<40} {_median_ms(samples):>31.2f} ms")
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        FrameworkVersion.objects.defer("spec", "source_text").get(pk=version.pk).parsed()
        samples.append(time.perf_counter() - start)
    print(f"{'... loaded without spec and file, parsed':<40} {_median_ms(samples):>31.2f} ms")
    if connection.vendor == "postgresql":
        _connections(connection, repeat)


def _connections(connection: Any, repeat: int) -> None:
    """What a request pays for its connection: a new one (DB_CONN_MAX_AGE=0, no pool), or one
    taken from a pool and checked (DB_POOL=1)."""
    import psycopg
    from psycopg_pool import ConnectionPool

    params = connection.get_connection_params()
    params.pop("pool", None)
    params["autocommit"] = True
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        with psycopg.connect(**params) as conn:
            conn.execute("SELECT 1")
        samples.append(time.perf_counter() - start)
    print(f"{'PostgreSQL: new connection + SELECT 1':<40} {_median_ms(samples):>31.2f} ms")
    with ConnectionPool(
        kwargs=params, min_size=1, max_size=2, check=ConnectionPool.check_connection
    ) as pool:
        pool.wait()
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            with pool.connection() as conn:
                conn.execute("SELECT 1")
            samples.append(time.perf_counter() - start)
    print(f"{'PostgreSQL: pooled (checked) + SELECT 1':<40} {_median_ms(samples):>31.2f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
