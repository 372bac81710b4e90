#!/usr/bin/env python3
"""The national benchmark (issue 14): `make bench-national`, figures printed, no assertions.

    bench/national.py                 generate the full data set if absent, then time
    bench/national.py --regenerate    drop the database and generate it again
    bench/national.py --scale small   a smaller data set (the figures say which)

On PostgreSQL only: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/govplan_bench
(created when missing). Pages are timed through Django's test client as a central
administrator (server time, no network), median of repeated runs after one warm-up; where
the national pages are not installed, the figures API calls they make are timed instead
(said so). Then the same pivot with DuckDB over a Parquet copy of its fact rows, a cell save
with its facts written in its transaction, and a saved value read back at once. Record the
output in docs/performance.md ("National figures (issue 14)").

To time one more page, add a line to PAGES (label, address, target in ms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govplan_bench"
REPEAT = 7
PIVOT_YEAR = 2024  # the last cycle every province and ministry has approved
GENERATED = [f"GEN.I{n:03d}" for n in range(1, 101)]
# 50 indicators: 46 generated ones that give a number, and four of the shipped catalogue.
SHIPPED = ["DVC.TRUC_TUYEN", "HT.MAY_TINH_CBCC", "QLVB.DON_VI", "CKS.VB_KY_SO"]
PIVOT_INDICATORS = SHIPPED + [c for c in GENERATED if int(c[-3:]) % 10 != 6][:46]
TREND_INDICATOR = "DVC.TRUC_TUYEN"  # 2011-2021 read through maps_from (levels 4, 3)


def _query(**params: Any) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, list) else [value]
        pairs += [(key, str(v)) for v in values]
    return urlencode(pairs)


def pivot_url(codes: list[str], first: int, last: int, structure: str, layer: str) -> str:
    return "/national/pivot/?" + _query(
        i=codes,
        level="provinces",
        **{"from": first, "to": last},
        structure=structure,
        layer=layer,
    )


# label, address, target (ms). Add a line to time another page.
PAGES: list[tuple[str, str, float]] = [
    (
        "national dashboard /national/ (approved, new structure)",
        f"/national/?year={PIVOT_YEAR}",
        300,
    ),
    (
        "pivot 34 provinces x 50 indicators x 1 year (approved)",
        pivot_url(PIVOT_INDICATORS, PIVOT_YEAR, PIVOT_YEAR, "new", "approved"),
        300,
    ),
    (
        "trend 2011-2025, 1 indicator, 63 provinces (old structure)",
        pivot_url([TREND_INDICATOR], 2011, 2025, "old", "live") + "&chart=line",
        500,
    ),
    (
        "trend 2011-2025, 1 indicator, 34 provinces (new structure)",
        pivot_url([TREND_INDICATOR], 2011, 2025, "new", "live") + "&chart=line",
        500,
    ),
]


def timed(fn: Callable[[], object], repeat: int = REPEAT) -> list[float]:
    fn()  # warm-up: caches of parsed frameworks and the catalogue, as a running server has
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: list[float], target_ms: float | None = None) -> float:
    median = statistics.median(samples)
    line = f"{label:<62} median {median:9.1f} ms"
    if len(samples) > 1:
        line += f"  (n={len(samples)}, min {min(samples):.1f}, max {max(samples):.1f})"
    if target_ms:
        line += f"  target {target_ms:.0f} ms, ratio {median / target_ms:.2f}"
    print(line, flush=True)
    return median


def ensure_database(url: str, *, regenerate: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = exists.fetchone() is not None
        if found and regenerate:
            connection.execute(f'DROP DATABASE "{name}"')
            found = False
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"database {name} created")


def setup_data(scale_name: str, seed: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from govplan.demo.national_data.generate import generate
    from govplan.demo.national_data.scales import SCALES
    from govplan.documents.models import Document
    from govplan.facts.models import ValueFact
    from govplan.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0)
    if Document.objects.filter(framework__code__startswith="GEN-").exists():
        print("data set: already generated (--regenerate to start again)")
    else:
        if not OrgUnit.objects.exists():
            call_command("load_reference_data", verbosity=0)
            call_command("load_frameworks", verbosity=0)
        start = time.perf_counter()
        summary = generate(SCALES[scale_name], seed, say=print, drop_indexes=True)
        print(f"data set generated ({scale_name}, seed {seed}): {summary.line()}")
        print(f"load time: {time.perf_counter() - start:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(
        f"database size {size}; {ValueFact.objects.count():,} value facts "
        f"({ValueFact.objects.filter(layer='live').count():,} live), "
        f"{Document.objects.count():,} documents"
    )


def central_admin() -> Any:
    from govplan.accounts.actions import do_create_user, do_grant_membership
    from govplan.accounts.models import Role, User
    from govplan.orgunits.models import OrgUnit

    user = User.objects.filter(username="bench.quantri").first()
    if user is None:
        user = do_create_user(actor=None, password=None, username="bench.quantri")
        central = OrgUnit.objects.current().get(kind="central")
        do_grant_membership(user, central, Role.CENTRAL_ADMIN, actor=None)
    return user


def pages_or_api(client: Any, admin: Any) -> None:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("national_pivot")
        reverse("national_dashboard")
        installed = True
    except NoReverseMatch:
        installed = False
    if installed:
        for label, url, target in PAGES:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            problems = response.context.get("problems") if response.context else None
            if problems:  # a page that refused its address would be timed doing nothing
                print(f"{label}: the page refused {url}: {problems}")
                continue
            report(label, timed(lambda url=url: client.get(url)), target)
        return
    print("the national pages are not installed: timing the figures API calls they make")
    api_bench(admin)


def api_bench(admin: Any) -> None:
    from govplan.national import figures

    ask = figures.Ask(PIVOT_INDICATORS[0], (PIVOT_YEAR, PIVOT_YEAR), layer="approved")
    several = getattr(figures, "answers", None) or getattr(figures, "values_many", None)
    if several is not None:
        report(
            f"figures.{several.__name__}: 34 provinces x 50 indicators x 1 year",
            timed(lambda: several(admin, ask, PIVOT_INDICATORS)),
            300,
        )
    for label, structure in (("63 provinces (old)", figures.OLD_STRUCTURE), ("34 (new)", None)):
        trend = figures.Ask(TREND_INDICATOR, (2011, 2025), structure=structure)
        report(
            f"figures.time_series 2011-2025, 1 indicator, {label}",
            timed(lambda trend=trend: figures.time_series(admin, trend).series()),
            500,
        )


PIVOT_SQL = """
SELECT org_unit_id, indicator_code, period_start, cell,
       SUM(value), SUM(numerator), SUM(denominator),
       SUM(CASE WHEN boolean THEN 1 ELSE 0 END), COUNT(*) FILTER (WHERE no_data)
FROM {table}
WHERE layer = 'approved' AND period_start = {year} AND indicator_code IN ({codes})
  AND unit_kind IN ('ministry', 'ministry_level', 'gov_agency', 'province')
GROUP BY org_unit_id, indicator_code, period_start, cell
"""


def duckdb_bench() -> None:
    """The pivot's grouped query on PostgreSQL, and the same over a Parquet copy of the
    fact rows it reads (exported in this run) with DuckDB."""
    try:
        import duckdb
    except ImportError:
        print("duckdb is not installed (pip install -e '.[bench]'): DuckDB comparison skipped")
        return
    from django.db import connection

    codes = ", ".join(f"'{c}'" for c in PIVOT_INDICATORS)
    scope = f"layer = 'approved' AND period_start = {PIVOT_YEAR} AND indicator_code IN ({codes})"
    folder = Path(tempfile.mkdtemp(prefix="govplan-national-"))
    csv_path, parquet = folder / "facts.csv", folder / "facts.parquet"
    start = time.perf_counter()
    with (
        connection.cursor() as cursor,
        csv_path.open("wb") as out,
        cursor.cursor.copy(
            "COPY (SELECT org_unit_id, indicator_code, period_start, cell, layer, unit_kind, "
            "value, numerator, denominator, boolean, no_data FROM facts_valuefact "
            f"WHERE {scope}) TO STDOUT WITH (FORMAT csv, HEADER true)"
        ) as copy,
    ):
        for data in copy:
            out.write(data)
    duck = duckdb.connect()
    duck.execute(
        f"COPY (SELECT * FROM read_csv_auto('{csv_path}')) TO '{parquet}' (FORMAT parquet)"
    )
    rows = duck.execute(f"SELECT COUNT(*) FROM '{parquet}'").fetchone()[0]
    print(
        f"parquet copy of the pivot's fact rows: {rows:,} rows, "
        f"{parquet.stat().st_size / 1e3:.0f} kB, exported in "
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )

    def on_postgres() -> None:
        with connection.cursor() as cursor:
            cursor.execute(PIVOT_SQL.format(table="facts_valuefact", year=PIVOT_YEAR, codes=codes))
            cursor.fetchall()

    def on_duckdb() -> None:
        duck.execute(
            PIVOT_SQL.format(table=f"'{parquet}'", year=PIVOT_YEAR, codes=codes)
        ).fetchall()

    pg = report("pivot's grouped query, PostgreSQL (fact table, indexes)", timed(on_postgres))
    dd = report("the same query, DuckDB over the Parquet copy", timed(on_duckdb))
    print(f"ratio PostgreSQL / DuckDB: {pg / dd:.2f}")


def save_bench() -> None:
    """A province editor saves one indicator value of a draft 2025 report (its live facts
    written in the same transaction); the national figures read it at once."""
    from django.test import Client

    from govplan.accounts.actions import do_create_user, do_grant_membership
    from govplan.accounts.models import Role, User
    from govplan.documents.content import as_sent
    from govplan.documents.models import Document, Entry
    from govplan.facts.models import ValueFact
    from govplan.national import figures

    document = (
        Document.objects.filter(
            framework__code="GEN-BC-2025", status="draft", org_unit__kind="province"
        )
        .select_related("org_unit", "framework_version")
        .order_by("org_unit__code")
        .first()
    )
    if document is None:
        print("no draft 2025 province report: save timing skipped")
        return
    unit = document.org_unit
    user = User.objects.filter(username=f"bench.editor.{unit.pk}").first()
    if user is None:
        user = do_create_user(
            actor=None, password="bench-password-42", username=f"bench.editor.{unit.pk}"
        )
        do_grant_membership(user, unit, Role.EDITOR, actor=None)
    editor = Client()
    editor.force_login(user)
    code = "GEN.I001"
    entry = Entry.objects.get(document=document, key=f"value:{code}")
    spec = document.framework_version.parsed()
    state = {"revision": entry.revision, "n": 0}

    def save(value: int) -> None:
        content = {"cells": {"": {"v": value}}}
        response = editor.post(
            f"/documents/{document.pk}/api/save/",
            data=json.dumps(
                {
                    "key": entry.key,
                    "base": state["revision"],
                    "content": as_sent(spec, entry.key, content),
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        state["revision"] = response.json()["revision"]

    def save_next() -> None:
        state["n"] += 1
        save(1000 + state["n"])

    report("one value saved, its live facts written in the transaction", timed(save_next, 20), 100)

    admin = central_admin()
    ask = figures.Ask(code, (2025, 2025), layer="live", within=unit)

    def national() -> Any:
        return figures.figure(admin, ask, 2025).figure

    stored = ValueFact.objects.get(document=document, layer="live", indicator_code=code).value
    print(
        f"saved value read back: {unit.name} {code} 2025 live: fact {stored}, figure {national()}"
    )
    save(424242)
    stored = ValueFact.objects.get(document=document, layer="live", indicator_code=code).value
    print(f"after saving 424242, the next request: fact {stored}, figure {national()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--scale", default="full", choices=("tiny", "small", "full"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("the national benchmark runs on PostgreSQL: set DATABASE_URL")
    ensure_database(url, regenerate=args.regenerate)
    os.environ.setdefault("GOVPLAN_VAR_DIR", tempfile.mkdtemp(prefix="govplan-bench-"))
    os.environ.setdefault("DEBUG", "1")
    os.environ["AXES_ENABLED"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    import django

    django.setup()
    from django.test import Client

    print(f"database: {url.rsplit('/', 1)[1]}")
    setup_data(args.scale, args.seed)
    admin = central_admin()
    client = Client()
    client.force_login(admin)
    from bench.second_factor import verified

    verified(client)
    pages_or_api(client, admin)
    duckdb_bench()
    save_bench()


if __name__ == "__main__":
    main()
