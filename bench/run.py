#!/usr/bin/env python3
"""GovPlan benchmarks: one command (`make bench`), figures printed, no assertions.

Runs against a fresh embedded SQLite database in a temporary directory (or the database of
DATABASE_URL when set), so the numbers describe a clean install. Record the output in
docs/performance.md together with the machine it ran on.
"""

from __future__ import annotations

import io
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
    call_command("load_demo", verbosity=0, stdout=io.StringIO())

    catalogue, legal = read_catalogue(), read_legal()
    for path in sorted(FRAMEWORKS_DIR.glob("*.yaml")):
        report(f"check {path.name}", timed(lambda p=path: read_framework(p, catalogue, legal), 20))

    admin = Client()
    admin.post("/login/", {"username": "quantri", "password": "govplan-demo"})
    editor = Client()
    editor.post("/login/", {"username": "bacninh.bientap", "password": "govplan-demo"})
    editor.get("/")
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

    editor_bench(admin, editor)
    queue_bench()


def queue_bench() -> None:
    """The central appraiser's queue when the whole country has submitted the 2027 plan:
    every province and ministry (appraised centrally) and every commune (appraised by its
    province, so not in this queue but among the candidates)."""
    from django.test import Client

    from govplan.accounts.models import User
    from govplan.documents.models import Document
    from govplan.frameworks.models import FrameworkVersion
    from govplan.orgunits.models import Kind

    version = FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")
    spec = version.parsed()
    author = User.objects.get(username="bacninh.bientap")
    have = set(
        Document.objects.filter(framework_version=version).values_list("org_unit", flat=True)
    )
    targets = version.targets.select_related("org_unit").exclude(org_unit__in=have)
    Document.objects.bulk_create(
        Document(
            org_unit=t.org_unit,
            framework=version.framework,
            framework_version=version,
            kind=spec.kind,
            title=f"{spec.document_title} – {t.org_unit.name}",
            period_start=spec.period.start,
            period_end=spec.period.end,
            status="submitted",
            created_by=author,
        )
        for t in targets
    )
    Document.objects.filter(framework_version=version).update(status="submitted")
    submitted = Document.objects.filter(framework_version=version)
    central = submitted.exclude(org_unit__kind__in=(Kind.COMMUNE, Kind.DEPARTMENT)).count()
    print(f"queue: {submitted.count()} documents submitted, {central} of them appraised centrally")
    appraiser = Client()
    appraiser.post("/login/", {"username": "thamdinh", "password": "govplan-demo"})
    response = appraiser.get("/appraisal/")
    assert response.status_code == 200
    report("appraisal queue (central appraiser)", timed(lambda: appraiser.get("/appraisal/"), 5))
    report("home (central appraiser, waiting list)", timed(lambda: appraiser.get("/"), 5))


BENCH_INDICATORS = 70  # with the example's 31 value cells: 101 indicator values


def editor_bench(admin: object, editor: object) -> None:
    """Issue 4's targets: a plan with 300 project rows and 100 indicator values."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from govplan.accounts.models import User
    from govplan.core.documents.xlsx import RowData, write_workbook
    from govplan.core.frameworks.catalogue import parse_catalogue
    from govplan.core.frameworks.files import FRAMEWORKS_DIR
    from govplan.core.frameworks.yamlsafe import dump_text, load_text
    from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
    from govplan.documents.tables_xlsx import sheet_specs
    from govplan.frameworks.actions import do_publish, do_upload_framework
    from govplan.frameworks.catalogues import apply_catalogue
    from govplan.orgunits.models import OrgUnit

    admin_user = User.objects.get(username="quantri")
    editor_user = User.objects.get(username="bacninh.bientap")
    extra = {
        "format": "govplan/indicators@1",
        "indicators": [
            {"code": f"BENCH.I{i:03d}", "name": f"Chỉ tiêu thử {i}", "type": "integer"}
            if i % 3
            else {
                "code": f"BENCH.I{i:03d}",
                "name": f"Tỷ lệ thử {i}",
                "type": "ratio",
                "numerator": {"label": "Số đạt"},
                "denominator": {"label": "Tổng số"},
            }
            for i in range(BENCH_INDICATORS)
        ],
    }
    apply_catalogue(parse_catalogue(extra), actor=admin_user)
    data = load_text((FRAMEWORKS_DIR / "kh-cds-2027-mau.yaml").read_text(encoding="utf-8"))
    data["code"] = "BENCH-2027"
    data["sections"].append(
        {
            "number": "X",
            "title": "CHỈ TIÊU THỬ",
            "indicators": [f"BENCH.I{i:03d}" for i in range(BENCH_INDICATORS)],
        }
    )
    draft = do_upload_framework(dump_text(data), actor=admin_user)
    version = do_publish(
        draft, actor=admin_user, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    province = OrgUnit.objects.with_code("gso-province", "24").get()
    from govplan.documents.models import Document

    Document.objects.filter(org_unit=province, framework__code="BENCH-2027").delete()
    document = do_create_document(unit=province, version=version, actor=editor_user)
    spec = version.parsed()
    values = 0
    from govplan.core.documents.values import cell_keys

    for section in spec.walk():
        for use in section.indicators:
            indicator = spec.indicators[use.indicator]
            cells: dict[str, object] = {}
            for key in cell_keys(indicator, spec.dimensions):
                values += 1
                if indicator.type == "ratio":
                    cells[key] = {"n": "7", "d": "10"}
                elif indicator.type in ("integer", "decimal", "money"):
                    cells[key] = "12"
                elif indicator.type == "boolean":
                    cells[key] = "có"
                elif indicator.type == "date":
                    cells[key] = "01/06/2026"
                elif indicator.type == "choice":
                    cells[key] = indicator.choices[0].code
                else:
                    cells[key] = "Có"
            do_save_entry(
                document,
                f"value:{indicator.code}",
                0,
                {"cells": cells},
                actor=editor_user,
                locale="vi",
            )
    table = spec.table("projects")
    phasing = {f"2027|{s}|capital": "10" for s in table.phasing.sources}
    for i in range(300):
        do_add_entry(
            document,
            "row:projects",
            {
                "cells": {
                    "name": f"Dự án {i}",
                    "lead_unit": "Sở KH&CN",
                    "total": "1.000",
                    "duration": "2026-2028",
                },
                "phasing": phasing,
            },
            actor=editor_user,
            locale="vi",
        )
    print(f"plan: {values} indicator values, 300 project rows")
    url = f"/documents/{document.pk}/"
    assert editor.get(url).status_code == 200
    report("editor page: 300 rows, 101 values", timed(lambda: editor.get(url), 10), 500)

    # Issue 5: checking the same plan (every built-in check and the framework's rules).
    check_url = f"/documents/{document.pk}/check/"
    assert editor.get(check_url).status_code == 200
    report(
        "check page: 300 rows, 101 values, all checks and rules",
        timed(lambda: editor.get(check_url), 10),
    )
    report(
        "check now (JSON for the marks on the page)",
        timed(lambda: editor.get(f"/documents/{document.pk}/api/check/"), 10),
    )
    from govplan.workflow.actions import snapshot

    report("freeze a revision (snapshot of the whole plan)", timed(lambda: snapshot(document), 10))

    from govplan.documents.models import Entry

    row = Entry.objects.filter(document=document, kind="row").first()
    state = {"revision": row.revision, "n": 0}

    def save_cell() -> None:
        state["n"] += 1
        response = editor.post(
            f"/documents/{document.pk}/api/save/",
            data=json.dumps(
                {
                    "key": row.key,
                    "base": state["revision"],
                    "content": {
                        "cells": {"name": f"Dự án {state['n']}", "total": "1000"},
                        "phasing": phasing,
                    },
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        state["revision"] = response.json()["revision"]

    report("one cell save (row of 300, totals recomputed)", timed(save_cell, 20), 100)

    specs = sheet_specs(spec, document)
    rows = [
        RowData(
            uid=None,
            cells={"name": f"Nhập {i}", "total": "250.5", "duration": "2027-2027"},
            phasing={"2027|central_budget|capital": "100"},
        )
        for i in range(2000)
    ]
    workbook = write_workbook(
        [(s, rows if s.table.code == "projects" else []) for s in specs], title="bench"
    )
    print(f"workbook: 2,000 new rows, {len(workbook) / 1024:.0f} KB")

    def upload_and_apply() -> None:
        import re

        response = editor.post(
            f"/documents/{document.pk}/import/", {"file": SimpleUploadedFile("bang.xlsx", workbook)}
        )
        page = response.content.decode()
        apply_url = re.search(r'action="(/documents/\d+/import/\d+/apply/)"', page)
        assert apply_url, page[:2000]
        assert editor.post(apply_url.group(1)).status_code == 302

    # Each run replaces the table by the 2,000 rows of the file (the first also removes the 300).
    report("XLSX upload of 2,000 rows: check, preview, apply", timed(upload_and_apply, 3), 5000)


if __name__ == "__main__":
    main()
