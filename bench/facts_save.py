#!/usr/bin/env python3
"""What the typed facts cost a save (issue 14): one indicator cell saved through the
editor's API, with the facts written in its transaction and without them (the writer
replaced by nothing), on a plan of 101 indicator values and 300 project rows, among other
documents' facts. Prints medians and the ratio to the 100 ms target; no assertion.

    bench/facts_save.py           a fresh SQLite database in a temporary directory
    DATABASE_URL=… bench/facts_save.py   that database (its tables are emptied first)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAVES = 40
OTHER_DOCUMENTS = 30  # facts of other units' plans in the same tables


def median_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def line(label: str, samples: list[float], target: float = 100) -> float:
    median = statistics.median(samples)
    print(
        f"{label:<52} median {median:7.1f} ms  (n={len(samples)}, min {min(samples):.1f}, "
        f"max {max(samples):.1f})  target {target:.0f} ms, ratio {median / target:.2f}",
        flush=True,
    )
    return median


def main() -> None:
    os.environ.setdefault("GOVPLAN_VAR_DIR", tempfile.mkdtemp(prefix="govplan-bench-facts-"))
    os.environ.setdefault("DEBUG", "1")
    os.environ["AXES_ENABLED"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from govplan.accounts.models import Membership, Role, User
    from govplan.core.documents.values import cell_keys
    from govplan.core.frameworks.files import FRAMEWORKS_DIR
    from govplan.core.frameworks.yamlsafe import dump_text, load_text
    from govplan.documents import versions
    from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
    from govplan.facts.models import BudgetFact, ValueFact
    from govplan.frameworks.actions import do_publish, do_upload_framework
    from govplan.frameworks.catalogues import load_shipped_catalogues
    from govplan.orgunits.actions import do_create_unit
    from govplan.orgunits.models import Kind

    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE']} {database['NAME']}")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    load_shipped_catalogues()
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
        for i in range(OTHER_DOCUMENTS + 1)
    ]
    admin = User.objects.create_user("admin", full_name="Quản trị")
    editor = User.objects.create_user("editor", full_name="Biên tập")
    Membership.objects.create(user=editor, org_unit=units[0], role=Role.EDITOR)
    data = load_text((FRAMEWORKS_DIR / "kh-cds-2027-mau.yaml").read_text(encoding="utf-8"))
    data.pop("follows", None)  # the earlier cycle is not loaded here
    draft = do_upload_framework(dump_text(data), actor=admin)
    version = do_publish(
        draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    spec = version.parsed()
    table = spec.table("projects")
    assert table is not None and table.phasing is not None
    phasing = {f"2027|{s}|capital": "10" for s in table.phasing.sources}
    settings.AUTOSAVE_COALESCE_SECONDS = 0  # every save its own version: the dearer path
    documents = []
    for unit in units:
        Membership.objects.get_or_create(user=editor, org_unit=unit, role=Role.EDITOR)
        document = do_create_document(unit=unit, version=version, actor=editor)
        documents.append(document)
        for section in spec.walk():
            for use in section.indicators:
                indicator = spec.indicators[use.indicator]
                if indicator.type not in ("integer", "decimal", "money", "ratio"):
                    continue
                cells: dict[str, object] = {
                    key: {"n": "7", "d": "10"} if indicator.type == "ratio" else "12"
                    for key in cell_keys(indicator, spec.dimensions)
                }
                do_save_entry(
                    document,
                    f"value:{indicator.code}",
                    0,
                    {"cells": cells},
                    actor=editor,
                    locale="vi",
                )
        for i in range(300 if unit is units[0] else 20):
            do_add_entry(
                document,
                "row:projects",
                {"cells": {"name": f"Dự án {i}", "total": "1.000"}, "phasing": phasing},
                actor=editor,
                locale="vi",
            )
    print(
        f"{len(documents)} plans; facts: {ValueFact.objects.count()} values, "
        f"{BudgetFact.objects.count()} amounts"
    )
    document = documents[0]
    indicator = next(
        spec.indicators[u.indicator]
        for s in spec.walk()
        for u in s.indicators
        if spec.indicators[u.indicator].type == "integer"
    )
    key = f"value:{indicator.code}"
    cell = cell_keys(indicator, spec.dimensions)[0]
    client = Client()
    client.force_login(editor)
    state = {"revision": 1, "n": 0}

    def save_cell() -> None:
        state["n"] += 1
        response = client.post(
            f"/documents/{document.pk}/api/save/",
            data=json.dumps(
                {
                    "key": key,
                    "base": state["revision"],
                    "content": {"cells": {cell: str(state["n"])}},
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        state["revision"] = response.json()["revision"]

    save_cell()  # warm: the framework parsed, the indicator ids known
    written = versions.write_live_facts
    off: Callable[[Any], None] = lambda entries: None  # noqa: E731
    timings: dict[bool, list[float]] = {True: [], False: []}
    try:
        # Alternated, so that the machine's load drifts over both alike.
        for _ in range(SAVES):
            for facts in (True, False):
                versions.write_live_facts = written if facts else off  # type: ignore[assignment]
                timings[facts] += median_ms(save_cell, 1)
    finally:
        versions.write_live_facts = written  # type: ignore[assignment]
    with_facts = line("one indicator cell save, facts written", timings[True])
    without = line("one indicator cell save, no facts", timings[False])
    print(f"facts add {with_facts - without:.1f} ms a save ({with_facts / without:.2f}×)")


if __name__ == "__main__":
    main()
