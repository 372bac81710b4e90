#!/usr/bin/env python3
"""A row save on a realistic plan (issue 15, item 2): the 2027 example framework with about
20,000 words of narrative HTML across its sections and 300 project rows with budget phasing,
built through the application's own actions (``build_realistic_plan``). One cell of one
row is saved through the editor's API; prints the median per save and the ratio to the
100 ms target; no assertion.

    bench/row_save.py                    a fresh SQLite database in a temporary directory
    DATABASE_URL=… bench/row_save.py     that database (its tables are emptied first)

Also prints the same save on a plan with one-line narratives (what ``bench/run.py editor``
measures), so the two can be read side by side: a save's cost should not depend on the
narrative, nor on the other rows.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAVES = 40
WORDS = 20_000
ROWS = 300
TARGET_MS = 100


def build_realistic_plan(document: Any, actor: Any, *, words: int, rows: int, seed: int) -> int:
    """Fill ``document`` (of the 2027 example) as an agency does: the demo's values, legal
    basis and targets, ``words`` words of narrative spread over its narrative sections and
    ``rows`` project rows with phasing, each saved by the editor's own actions (versions,
    audit and live facts written as for a user). Returns the words written."""
    from bench.run import SENTENCES, _narrative_html
    from govplan.demo.documents import fill_for_demo
    from govplan.documents.actions import do_add_entry, do_save_entry
    from govplan.documents.read import visible_sections

    spec = document.framework_version.parsed()
    rng = random.Random(seed)
    fill_for_demo(document, actor=actor, except_tables={"projects"})
    narrative = [s for s in visible_sections(spec, document) if s.narrative]
    written = 0
    for section in narrative:
        html = _narrative_html(rng, words // len(narrative)) if words else "<p>Nội dung.</p>"
        written += len(re.sub(r"<[^>]+>", " ", html).split())
        do_save_entry(
            document, f"narrative:{section.code}", 1, {"html": html}, actor=actor, locale="vi"
        )
    table = spec.table("projects")
    assert table is not None and table.phasing is not None
    field = table.columns[2]
    for i in range(rows):
        do_add_entry(
            document,
            "row:projects",
            {
                "cells": {
                    "name": f"Dự án {i + 1}: {rng.choice(SENTENCES)[:60].rstrip(' ,')}",
                    "lead_unit": rng.choice(("Sở Khoa học và Công nghệ", "Sở Nội vụ")),
                    "field": rng.choice(field.choices).code if field.choices else "",
                    "status": rng.choice(("Dự án chuyển tiếp", "Dự án mới")),
                    "objective": rng.choice(SENTENCES),
                    "scale": rng.choice(SENTENCES),
                    "scope": "Toàn tỉnh",
                    "duration": "2026-2028",
                    "content_2027": rng.choice(SENTENCES),
                    "total": f"{rng.randint(1, 90)}.{rng.randint(0, 999):03d}",
                    "source": "Ngân sách cấp tỉnh",
                    "amount_2027": "1.000",
                },
                "phasing": {
                    f"2027|{source}|{kind}": str(rng.randint(10, 500))
                    for source in table.phasing.sources[:3]
                    for kind in table.phasing.types
                },
            },
            actor=actor,
            locale="vi",
        )
    return written


def derived_before(document: Any, entry: Any) -> dict[str, Any]:
    """The save's answer as it was computed before issue 15 (c. 5db4a65): every live row of
    the table loaded whole as a model instance (with its origin), then laid out. Kept here
    to time it beside the current one under the same load."""
    from govplan.core.documents.keys import Collection
    from govplan.documents.models import Entry
    from govplan.documents.presentation import input_locale, table_block
    from govplan.documents.read import row_of

    spec = document.framework_version.parsed()
    table = spec.table(Collection.parse(entry.collection).code)
    rows = [
        row_of(e)
        for e in Entry.objects.filter(document=document, collection=entry.collection, deleted=False)
        .select_related("origin__org_unit")
        .order_by("position", "pk")
    ]
    block = table_block(spec, table, rows, input_locale(), only=entry.key)
    return {
        "row": next(iter(block["rows"]), None),
        "totals": block["totals"],
        "phasing_totals": block["phasing_totals"],
        "grand_total": block["grand_total"],
        "summary": block["summary"],
        "group": entry.content.get("group", "") if table.groups else None,
        "groups": [
            {"code": g["code"], "totals": g["totals"], "phasing_total": g["phasing_total"]}
            for g in block.get("groups", ())
        ],
    }


def cpu_and_wall(fn: Any, repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds of this process's CPU and of the wall clock, per call: on a machine
    shared with others the CPU time is the steadier figure."""
    cpu, wall = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return cpu, wall


def main() -> None:
    os.environ.setdefault("GOVPLAN_VAR_DIR", tempfile.mkdtemp(prefix="govplan-bench-save-"))
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

    from govplan.accounts.models import Membership, Role, User
    from govplan.core.frameworks.files import FRAMEWORKS_DIR
    from govplan.core.frameworks.yamlsafe import dump_text, load_text
    from govplan.documents.actions import do_create_document
    from govplan.documents.models import Entry
    from govplan.frameworks.actions import do_publish, do_upload_framework
    from govplan.frameworks.catalogues import load_shipped_catalogues
    from govplan.orgunits.actions import do_create_unit
    from govplan.orgunits.models import Kind

    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE']} {database['NAME']}")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    load_shipped_catalogues()
    admin = User.objects.create_user("admin", full_name="Quản trị")
    editor = User.objects.create_user("editor", full_name="Biên tập")
    data = load_text((FRAMEWORKS_DIR / "kh-cds-2027-mau.yaml").read_text(encoding="utf-8"))
    data.pop("follows", None)  # the earlier cycle is not loaded here
    draft = do_upload_framework(dump_text(data), actor=admin)
    units = [
        do_create_unit(
            actor=None,
            scheme="gso-province",
            code=f"{90 + i}",
            kind=Kind.PROVINCE,
            name=f"Tỉnh thử {i}",
            parent=None,
            valid_from=None,
        )
        for i in range(2)
    ]
    version = do_publish(
        draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    client = Client()
    client.force_login(editor)
    results: list[tuple[str, float]] = []
    for unit, words in zip(units, (WORDS, 0), strict=True):
        Membership.objects.create(user=editor, org_unit=unit, role=Role.EDITOR)
        document = do_create_document(unit=unit, version=version, actor=editor)
        start = time.perf_counter()
        written = build_realistic_plan(document, editor, words=words, rows=ROWS, seed=2027)
        rows = Entry.objects.filter(document=document, kind="row").count()
        print(
            f"plan of {unit.name}: {written:,} words of narrative, {rows} project rows "
            f"(built in {time.perf_counter() - start:.0f} s)",
            flush=True,
        )
        row = Entry.objects.filter(document=document, kind="row").order_by("position")[150]
        state = {"revision": row.revision, "n": 0}

        def save_cell(row: Entry = row, document: Any = document, state: Any = state) -> None:
            state["n"] += 1
            response = client.post(
                f"/documents/{document.pk}/api/save/",
                data=json.dumps(
                    {
                        "key": row.key,
                        "base": state["revision"],
                        "content": {"cells": {"total": f"{state['n']}.000"}},
                    }
                ),
                content_type="application/json",
            )
            assert response.status_code == 200, response.content
            state["revision"] = response.json()["revision"]

        save_cell()  # warm: the framework parsed, the indicator ids known
        queries: list[str] = []

        def counted(run: Any, sql: str, *args: Any, queries: list[str] = queries) -> Any:
            queries.append(sql)
            return run(sql, *args)

        # Counted below the request (the test client's request_started resets Django's log).
        with connection.execute_wrapper(counted):
            save_cell()
        if os.environ.get("GOVPLAN_BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            for _ in range(10):
                profile.runcall(save_cell)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        cpu, wall = cpu_and_wall(save_cell, SAVES)
        median = statistics.median(wall)
        label = f"row save, {written:,} words, {rows} rows"
        print(
            f"{label:<44} median {median:7.1f} ms, CPU {statistics.median(cpu):5.1f} ms  "
            f"(n={len(wall)}, min {min(wall):.1f}, max {max(wall):.1f})  {len(queries)} queries  "
            f"target {TARGET_MS} ms, ratio {median / TARGET_MS:.2f}",
            flush=True,
        )
        # The answer alone (what issue 15 changed), the way before and now, alternated.
        from govplan.documents.views.api import _derived

        saved = Entry.objects.get(pk=row.pk)
        assert derived_before(document, saved) == _derived(document, saved)
        timings: dict[str, list[float]] = {"before": [], "now": []}
        answers = {
            "before": partial(derived_before, document, saved),
            "now": partial(_derived, document, saved),
        }
        for _ in range(SAVES):
            for name, answer in answers.items():
                timings[name] += cpu_and_wall(answer, 1)[0]
        before, now = (statistics.median(timings[k]) for k in ("before", "now"))
        print(
            f"  of which the answer (row + totals), CPU: before {before:.1f} ms, "
            f"now {now:.1f} ms ({before / now:.1f}x less)",
            flush=True,
        )
        results.append((label, median))


if __name__ == "__main__":
    main()
