#!/usr/bin/env python3
"""GovPlan benchmarks: one command (`make bench`), figures printed, no assertions.

    bench/run.py                  every section
    bench/run.py official editor  only these sections (the loads they need run untimed)

Sections: foundation (loads, framework checks, pages), editor, official, batch, queue,
storage (database growth of an editing session: rows and bytes, not time).

Runs against a fresh embedded SQLite database in a temporary directory (or the database of
DATABASE_URL when set), so the numbers describe a clean install. Record the output in
docs/performance.md together with the machine it ran on.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


SECTIONS = ("foundation", "editor", "official", "batch", "queue", "storage")


def main(argv: list[str]) -> None:
    unknown = [a for a in argv if a not in SECTIONS]
    if unknown:
        sys.exit(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    wanted = set(argv) or set(SECTIONS)
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

    from govplan.orgunits.reference import load_reference

    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE']} {database['NAME']}")
    call_command("migrate", verbosity=0)
    reference = Path(settings.REFERENCE_DATA_DIR) / "orgunits"
    if "foundation" not in wanted:
        load_reference(reference)
        call_command("load_frameworks", verbosity=0, stdout=io.StringIO())
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    else:
        foundation_bench(reference)

    admin = Client()
    admin.post("/login/", {"username": "quantri", "password": "govplan-demo"})
    from bench.second_factor import verified

    verified(admin)
    editor = Client()
    editor.post("/login/", {"username": "bacninh.bientap", "password": "govplan-demo"})
    editor.get("/")
    if "foundation" in wanted:
        pages_bench(admin, editor)
    if "editor" in wanted:
        editor_bench(admin, editor)
    if "official" in wanted:
        official_bench()
    if "batch" in wanted:
        batch_bench()
    if "queue" in wanted:
        queue_bench()
    if "storage" in wanted:
        storage_bench()


def foundation_bench(reference: Path) -> None:
    from django.core.management import call_command

    from govplan.core.frameworks.files import (
        FRAMEWORKS_DIR,
        read_catalogue,
        read_framework,
        read_legal,
    )
    from govplan.orgunits.reference import load_reference

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


def pages_bench(admin: Any, editor: Any) -> None:
    from govplan.orgunits.models import OrgUnit

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


def queue_bench() -> None:
    """The appraisal queue on a national shape: every unit each shipped framework applies to
    has submitted (the 2027 example: 3,379 documents, 58 appraised centrally, the communes by
    their provinces; the 2011-2015 and 2018 plans and the 2017 report: the provinces and
    ministries of their time), each document twice (two revisions). The revisions of the
    documents the central authority appraises carry ~200 KB snapshots, as revisions frozen
    before RevisionEntry did: whatever loads a revision to show its number pays for them."""
    from django.test import Client

    built = build_national_queue()
    print(
        f"queue: {built['documents']} documents submitted, {built['central']} appraised "
        f"centrally; {built['revisions']} revisions, {built['snapshots']} with a snapshot of "
        f"{built['snapshot_kb']} KB"
    )
    for username, label in (("thamdinh", "central appraiser"), ("bacninh.thamdinh", "province")):
        appraiser = Client()
        appraiser.post("/login/", {"username": username, "password": "govplan-demo"})
        from bench.second_factor import verified

        verified(appraiser)
        for url, page in (("/appraisal/", "appraisal queue"), ("/", "home, waiting list")):
            response = appraiser.get(url)
            assert response.status_code == 200, (url, response.status_code)
            report(f"{page} ({label})", timed(lambda c=appraiser, u=url: c.get(u), 10))


def build_national_queue() -> dict[str, int]:
    """The documents and revisions of ``queue_bench``, written in bulk (some 20 s): the
    queue only reads states, revision numbers and dates, however they were reached."""

    from django.db import connection, transaction

    from govplan.accounts.models import User
    from govplan.documents.models import Document
    from govplan.frameworks.models import FrameworkVersion
    from govplan.orgunits.models import Kind
    from govplan.workflow.models import DocumentRevision

    author = User.objects.get(username="bacninh.bientap")
    # A realistic frozen plan: 22 sections of narrative, 300 project rows (~200 KB of JSON).
    snapshot = {
        "entries": {
            **{
                f"narrative:{i}": {"content": {"html": "<p>" + "Nội dung kế hoạch. " * 400}}
                for i in range(22)
            },
            **{
                f"row:DA:{i}": {"content": {"cells": {"ten": f"Dự án {i}", "von": "1.250,5"}}}
                for i in range(300)
            },
        },
        "attachments": [],
    }
    central_kinds = (Kind.PROVINCE, Kind.MINISTRY, Kind.MINISTRY_LEVEL, Kind.GOV_AGENCY)
    with transaction.atomic():
        for version in FrameworkVersion.objects.filter(status="published"):
            spec = version.parsed()
            have = set(
                Document.objects.filter(framework=version.framework).values_list(
                    "org_unit", flat=True
                )
            )
            targets = version.targets.select_related("org_unit").exclude(org_unit__in=have)
            Document.objects.bulk_create(
                (
                    Document(
                        org_unit=t.org_unit,
                        framework=version.framework,
                        framework_version=version,
                        kind=spec.kind,
                        title=f"{spec.document_title or spec.title} – {t.org_unit.name}",
                        period_start=spec.period.start,
                        period_end=spec.period.end,
                        status="submitted",
                        created_by=author,
                    )
                    for t in targets
                ),
                batch_size=500,
            )
        submitted = Document.objects.exclude(status="draft")
        submitted.update(status="submitted", appraiser=None)
        # The demo's own submissions keep their revisions; the others get two each.
        bare = submitted.filter(revisions__isnull=True)
        documents = list(bare.values_list("pk", "org_unit__kind", "framework_version__deadline"))
        bare.update(revision=2)
        revisions = []
        for i, (pk, kind, deadline) in enumerate(documents):
            big = snapshot if kind in central_kinds else None
            for number in (1, 2):
                late = (i % 5 == 0) * (number * 3)  # one in five sent late
                revisions.append(
                    DocumentRevision(
                        document_id=pk,
                        number=number,
                        snapshot=big,
                        created_by=author,
                        deadline=deadline,
                        days_late=late,
                    )
                )
        DocumentRevision.objects.bulk_create(revisions, batch_size=200)
    if connection.vendor == "postgresql":
        # What autovacuum does after such a load: without statistics the planner took the
        # province's queue (1 ms) through a 55 ms bitmap of every document.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "documents": submitted.count(),
        "central": submitted.filter(org_unit__kind__in=central_kinds).count(),
        "revisions": DocumentRevision.objects.count(),
        "snapshots": DocumentRevision.objects.filter(snapshot__isnull=False).count(),
        "snapshot_kb": len(json_dumps(snapshot)) // 1024,
    }


def json_dumps(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


BENCH_INDICATORS = 70  # with the example's 31 value cells: 101 indicator values


def editor_bench(admin: object, editor: object) -> None:
    """Issue 4's targets: a plan with 300 project rows and 100 indicator values."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from govplan.accounts.models import User
    from govplan.core.adapters.xlsx import RowData, write_workbook
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
    from django.db import transaction

    from govplan.workflow.models import DocumentRevision
    from govplan.workflow.revisions import attachments_of, freeze, revision_content

    def freeze_once() -> None:
        # What a submission writes for its content, rolled back (issue 12: references to
        # the entries' versions instead of a copy of the plan).
        with transaction.atomic():
            revision = DocumentRevision.objects.create(
                document=document,
                number=9999,
                created_by=editor_user,
                attachments=attachments_of(document),
            )
            freeze(document, revision)
            transaction.set_rollback(True)

    report("freeze a revision (reference every entry's version)", timed(freeze_once, 10))
    with transaction.atomic():
        frozen = DocumentRevision.objects.create(
            document=document, number=9999, created_by=editor_user
        )
        freeze(document, frozen)
        report(
            "read a frozen revision back (revision_content)",
            timed(lambda: revision_content(frozen), 10),
        )
        transaction.set_rollback(True)

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

    # Of which the reading: the workbook's parts looked at, the cells read by calamine in a
    # process of its own under limits, then typed and checked here; and that process's own
    # cost, reading a one-row workbook.
    from govplan.core.adapters.xlsx import read_workbook

    report(
        "  of which: read the 2,000 rows (separate process)",
        timed(lambda: read_workbook(workbook, specs), 5),
    )
    one_row = write_workbook(
        [(s, rows[:1] if s.table.code == "projects" else []) for s in specs], title="bench"
    )
    report(
        "  of which: the reading process alone (one-row file)",
        timed(lambda: read_workbook(one_row, specs), 10),
    )


# Issue 6: the official documents of a long plan.
OFFICIAL_PAGES = 40  # pages of narrative text
# Words (syllables) on a page of running text at 14 pt on A4 with Decree 30's margins, as
# measured on this plan's PDF (350 a page gave 27 pages for 40); the text comes out a little
# longer than asked (whole sentences, headings and lists).
WORDS_PER_PAGE = 540
OFFICIAL_ROWS = 300
SENTENCES = (
    "Tiếp tục hoàn thiện thể chế, cơ chế, chính sách phục vụ chuyển đổi số trên địa bàn tỉnh.",
    "Phát triển hạ tầng số đồng bộ, hiện đại, bảo đảm kết nối thông suốt từ tỉnh đến cấp xã.",
    "Cung cấp dịch vụ công trực tuyến toàn trình cho người dân và doanh nghiệp trên mọi thiết bị.",
    "Xây dựng, cập nhật cơ sở dữ liệu chuyên ngành, bảo đảm dữ liệu đúng, đủ, sạch, sống.",
    "Tăng cường bảo đảm an toàn thông tin mạng theo mô hình bốn lớp cho các hệ thống thông tin.",
    "Đẩy mạnh ứng dụng chữ ký số chuyên dùng trong xử lý văn bản và hồ sơ công việc.",
    "Nâng cao kỹ năng số cho cán bộ, công chức, viên chức và người dân qua đào tạo trực tuyến.",
    "Triển khai nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh, kết nối với nền tảng quốc gia.",
    "Thúc đẩy thanh toán không dùng tiền mặt trong các dịch vụ công và giao dịch thương mại.",
    "Hỗ trợ doanh nghiệp nhỏ và vừa chuyển đổi số, tiếp cận nền tảng số Việt Nam.",
    "Rà soát, đánh giá hiệu quả đầu tư các hệ thống thông tin đã triển khai trong giai đoạn trước.",
    "Phối hợp chặt chẽ giữa các sở, ban, ngành và Ủy ban nhân dân cấp xã trong tổ chức thực hiện.",
    "Kinh phí thực hiện được bố trí từ ngân sách nhà nước và các nguồn vốn hợp pháp khác.",
    "Định kỳ hằng quý, các cơ quan, đơn vị báo cáo kết quả thực hiện về Sở Khoa học và Công nghệ.",
    "Ưu tiên thuê dịch vụ công nghệ thông tin đối với các hệ thống dùng chung của tỉnh.",
    "Đến hết năm 2027, phấn đấu tỷ lệ hồ sơ được xử lý trực tuyến đạt trên tám mươi phần trăm.",
)


def _paragraph(rng: Any, words: int) -> str:
    out: list[str] = []
    count = 0
    while count < words:
        sentence = rng.choice(SENTENCES)
        out.append(sentence)
        count += len(sentence.split())
    text = " ".join(out)
    if rng.random() < 0.3:  # some emphasis, as agencies write
        head, _sep, tail = text.partition(" ")
        text = f"<strong>{head}</strong> {tail}"
    return f"<p>{text}</p>"


def _narrative_html(rng: Any, words: int) -> str:
    """About ``words`` words as the editor stores them: paragraphs, a sub-heading, a list."""
    parts: list[str] = []
    written = 0
    while written < words:
        if parts and len(parts) % 6 == 0:
            parts.append("<h3>Nhiệm vụ, giải pháp cụ thể</h3>")
            items = [f"<li>{rng.choice(SENTENCES)}</li>" for _ in range(3)]
            parts.append("<ul>" + "".join(items) + "</ul>")
            written += 3 * 16
            continue
        size = min(rng.randint(80, 140), max(words - written, 20))
        parts.append(_paragraph(rng, size))
        written += size
    return "".join(parts)


def long_plan() -> Any:
    """Đà Nẵng's 2027 plan, as long as agencies write them: 40 pages of narrative, 300
    project rows with budget phasing, numbered and dated (bench/downloads.py uses it too)."""
    import datetime as dt
    import random

    from govplan.accounts.models import User
    from govplan.core.documents.keys import new_uid
    from govplan.demo.documents import fill_for_demo
    from govplan.documents.actions import do_create_document, do_save_entry
    from govplan.documents.content import parse_key, read_entry
    from govplan.documents.models import Document, Entry, EntryVersion
    from govplan.documents.read import visible_sections
    from govplan.frameworks.models import FrameworkVersion
    from govplan.official.models import IssuingData
    from govplan.orgunits.models import OrgUnit

    version = FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")
    spec = version.parsed()
    editor_user = User.objects.get(username="bacninh.bientap")
    unit = OrgUnit.objects.with_code("gso-province", "48").get()  # Đà Nẵng: no demo plan
    Document.objects.filter(org_unit=unit, framework=version.framework).delete()
    document = do_create_document(unit=unit, version=version, actor=editor_user)
    fill_for_demo(document, actor=editor_user)  # values, legal basis, targets, one row a table
    rng = random.Random(2027)
    narrative = [s for s in visible_sections(spec, document) if s.narrative]
    share = OFFICIAL_PAGES * WORDS_PER_PAGE // len(narrative)
    words = 0
    for section in narrative:
        html = _narrative_html(rng, share)
        words += len(re.sub(r"<[^>]+>", " ", html).split())
        do_save_entry(
            document, f"narrative:{section.code}", 1, {"html": html}, actor=editor_user, locale="vi"
        )

    # The project rows, checked by the editor's own reader and stored in one statement.
    _section, table = next((s, t) for s, t in spec.tables() if t.code == "projects")
    assert table.phasing is not None
    fields = [c.title for c in table.columns[2].choices] if table.columns[2].choices else [""]
    rows: list[Entry] = []
    position = Entry.objects.filter(document=document, collection="table:projects").count()
    for i in range(OFFICIAL_ROWS):
        raw = {
            "cells": {
                "name": f"Dự án {i + 1}: {rng.choice(SENTENCES)[:60].rstrip(' ,')}",
                "lead_unit": rng.choice(
                    (
                        "Sở Khoa học và Công nghệ",
                        "Sở Nội vụ",
                        "Công an thành phố",
                        "Văn phòng UBND thành phố",
                    )
                ),
                "field": rng.choice(fields),
                "status": rng.choice(("Dự án chuyển tiếp", "Dự án mới")),
                "objective": rng.choice(SENTENCES),
                "scale": rng.choice(SENTENCES),
                "scope": "Toàn thành phố",
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
        }
        key = f"row:projects:{new_uid()}"
        address = parse_key(spec, key)
        rows.append(
            Entry(
                document=document,
                key=key,
                kind=address.kind,
                section_code=address.section,
                collection=address.collection,
                position=position + i + 1,
                content=read_entry(spec, key, raw, locale="vi"),
                revision=1,
                updated_by=editor_user,
            )
        )
    Entry.objects.bulk_create(rows)
    EntryVersion.objects.bulk_create(
        EntryVersion(
            entry=e, revision=1, content=e.content, position=e.position, saved_by=editor_user
        )
        for e in Entry.objects.filter(document=document, key__in=[r.key for r in rows])
    )
    IssuingData.objects.create(
        document=document, number="15", date=dt.date(2027, 1, 15), signer_name="Nguyễn Văn An"
    )
    print(
        f"plan: {words:,} words of narrative in {len(narrative)} sections, "
        f"{OFFICIAL_ROWS + 1} project rows"
    )

    return document


def official_bench() -> None:
    """A 40-page plan (narrative) with 300 project rows as DOCX and PDF (issue 6)."""
    import pypdfium2 as pdfium

    from govplan.core.official.model import Paragraph
    from govplan.official.build import official_document
    from govplan.official.render import docx_bytes, pdf_bytes

    document = long_plan()
    doc = official_document(document)
    paragraphs = sum(1 for _s in _walk(doc.sections) for b in _s.blocks if isinstance(b, Paragraph))
    print(f"model: {paragraphs:,} paragraphs, {len(doc.appendices)} appendices")
    report("official: build the document model", timed(lambda: official_document(document), 5))
    report("official: DOCX generation (model → .docx)", timed(lambda: docx_bytes(doc), 5), 2000)
    pdf_samples: list[float] = []
    pdf = b""
    for _ in range(5):
        start = time.perf_counter()
        pdf = pdf_bytes(doc)
        pdf_samples.append((time.perf_counter() - start) * 1000)
    report("official: PDF generation (model → Typst, own process)", pdf_samples, 6000)
    keep = os.environ.get("GOVPLAN_BENCH_OUT")
    if keep:  # to look at what was measured
        Path(keep, "bench-plan.pdf").write_bytes(pdf)
        Path(keep, "bench-plan.docx").write_bytes(docx_bytes(doc))
        Path(keep, "bench-plan.pickle").write_bytes(pickle.dumps(doc))
    pages = pdfium.PdfDocument(pdf)
    sizes = [pages[i].get_size() for i in range(len(pages))]
    portrait = sum(1 for w, h in sizes if h > w)
    first_appendix = next((i for i, (w, h) in enumerate(sizes) if w > h), len(sizes))
    print(
        f"PDF: {len(sizes)} pages, {len(pdf) / 1024:.0f} KB; before the first appendix "
        f"{first_appendix} pages (header, text, signature), {portrait} portrait and "
        f"{len(sizes) - portrait} landscape pages in all"
    )


def batch_bench() -> None:
    """Issue 6: a cycle's approved plans of the 34 provinces as one ZIP, made by the export
    job's body in this process (one worker), DOCX only and DOCX + PDF."""
    from unittest import mock

    from govplan.accounts.models import User
    from govplan.core.frameworks.files import FRAMEWORKS_DIR
    from govplan.core.frameworks.yamlsafe import dump_text, load_text
    from govplan.demo.documents import fill_for_demo
    from govplan.documents.actions import do_create_document
    from govplan.documents.models import Document
    from govplan.frameworks.actions import do_publish, do_upload_framework
    from govplan.official import batch, export_files, export_worker
    from govplan.official.cycle_workbook import cycle_workbook

    admin = User.objects.get(username="quantri")
    editor = User.objects.get(username="bacninh.bientap")
    # A cycle of its own (a copy of the 2027 example sent to the provinces), so the figures
    # do not depend on the demo's documents or on the other sections.
    data = load_text((FRAMEWORKS_DIR / "kh-cds-2027-mau.yaml").read_text(encoding="utf-8"))
    data["code"] = "BENCH-BATCH-2027"
    draft = do_upload_framework(dump_text(data), actor=admin)
    version = do_publish(
        draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    for target in version.targets.select_related("org_unit"):
        fill_for_demo(
            do_create_document(unit=target.org_unit, version=version, actor=editor), actor=editor
        )
    Document.objects.filter(framework_version=version).update(status="approved")
    documents = list(
        Document.objects.filter(framework_version=version).select_related("org_unit", "framework")
    )
    count = len(documents)
    print(f"batch export: {count} approved provincial plans (filled as the demo fills them)")
    report(
        f"batch export: the cycle workbook alone ({count} plans)",
        timed(lambda: cycle_workbook(version, documents, title="bench"), 3),
    )

    def export(formats: list[str]) -> tuple[float, Any]:
        with mock.patch.object(batch, "_enqueue"):  # run below, not through the job engine
            job = batch.do_start_export(admin, version, None, export_files.FINAL, formats)
        start = time.perf_counter()
        state = export_worker.run_export(job.pk)
        elapsed = (time.perf_counter() - start) * 1000
        assert state == "done", job.pk
        return elapsed, job

    for label, formats, repeat in (
        ("DOCX", ["docx"], 3),
        ("DOCX + PDF", ["docx", "pdf"], 2),
    ):
        samples: list[float] = []
        job = None
        for _ in range(repeat):
            elapsed, job = export(formats)
            samples.append(elapsed)
        report(f"batch export: {count} plans as {label}, ZIP (one worker)", samples)
        size = export_files.zip_path(job).stat().st_size / 1024 / 1024
        per_second = count / (statistics.median(samples) / 1000)
        print(f"  {per_second:.1f} documents per second per worker; ZIP {size:.1f} MB", flush=True)


STORAGE_USERS = 2
STORAGE_ENTRIES = 20  # narrative texts of a few KB and the plan's table rows (up to 6)
STORAGE_SAVES = 300
STORAGE_BURST = 5  # autosaves in a row on one entry, 20 s apart, then 3 minutes elsewhere
STORAGE_CYCLES = 3  # resubmit, start appraisal, return: spread over the session


def storage_bench() -> None:
    """Issue 12: how much the database grows in an editing session. Two editors of Bắc Ninh
    work on its returned 2027 plan: 300 autosaves in bursts of 5 over 20 entries (narrative
    growing by a sentence per save, project names retyped), with 3 resubmissions and
    returns. The clock is simulated (20 s between saves of a burst, 3 min between bursts) so
    the figures do not depend on the machine's speed. Rows and bytes added per table."""
    import datetime as dt
    import random
    from unittest import mock

    from django.test.utils import override_settings
    from django.utils import timezone

    from govplan.accounts.models import Membership, Role, User
    from govplan.documents.actions import do_save_entry
    from govplan.documents.models import Document, Entry
    from govplan.orgunits.models import OrgUnit
    from govplan.workflow.actions import do_transition

    province = OrgUnit.objects.with_code("gso-province", "24").get()
    document = Document.objects.get(org_unit=province, framework__code="KH-CDS-2027-MAU")
    appraiser = User.objects.get(username="thamdinh")
    first = User.objects.get(username="bacninh.bientap")
    second, _created = User.objects.get_or_create(
        username="bacninh.bientap2", defaults={"full_name": "Editor 2"}
    )
    Membership.objects.get_or_create(user=second, org_unit=province, role=Role.EDITOR)
    users = [first, second][:STORAGE_USERS]
    live = Entry.objects.filter(document=document, deleted=False)
    rows = [e.key for e in live.filter(kind="row").order_by("position", "key")]
    texts = [e.key for e in live.filter(kind="narrative").order_by("position", "key")]
    chosen = (rows[: STORAGE_ENTRIES - 14] + texts)[:STORAGE_ENTRIES]
    rng = random.Random(12)
    clock = {"now": timezone.now()}
    before = _table_sizes()
    narrative: dict[str, str] = {}
    with (
        mock.patch("django.utils.timezone.now", lambda: clock["now"]),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
    ):
        for i in range(STORAGE_SAVES):
            burst = i // STORAGE_BURST
            clock["now"] += dt.timedelta(seconds=20 if i % STORAGE_BURST else 180)
            key = chosen[burst % len(chosen)]
            user = users[(burst // len(chosen)) % len(users)]
            entry = Entry.objects.get(document=document, key=key)
            if key.startswith("narrative:"):
                # A few KB: 3 KB to start, a sentence more per save.
                text = narrative.get(key) or _narrative_html(rng, 450)
                text += f"<p>{_paragraph(rng, 20)}</p>"
                narrative[key] = text
                raw: dict[str, Any] = {"html": text}
            else:
                raw = {"cells": {"name": f"Dự án {burst} bản {i % STORAGE_BURST}"}}
            result = do_save_entry(document, key, entry.revision, raw, actor=user, locale="vi")
            assert result.status == "saved", (key, result.status)
            if (i + 1) % (STORAGE_SAVES // STORAGE_CYCLES) == 0:
                do_transition(document, "resubmit", actor=first)
                do_transition(document, "start_appraisal", actor=appraiser)
                do_transition(document, "return", actor=appraiser, reason="Bổ sung.")
    after = _table_sizes()
    print(
        f"storage: {STORAGE_SAVES} autosaves by {len(users)} users on {len(chosen)} entries, "
        f"{STORAGE_CYCLES} resubmissions and returns"
    )
    total_rows = total_bytes = 0
    for table in sorted(after):
        rows_added = after[table][0] - before.get(table, (0, 0))[0]
        bytes_added = after[table][1] - before.get(table, (0, 0))[1]
        if rows_added or bytes_added:
            total_rows += rows_added
            total_bytes += bytes_added
            print(f"  {table:<40} {rows_added:7d} rows {bytes_added / 1024:10.1f} KB")
    print(f"  {'total':<40} {total_rows:7d} rows {total_bytes / 1024:10.1f} KB", flush=True)


def _table_sizes() -> dict[str, tuple[int, int]]:
    """Rows and bytes of every table (with its indexes): pages in use on SQLite (dbstat),
    pg_total_relation_size on PostgreSQL."""
    from django.db import connection

    sizes: dict[str, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s"
                " JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
            )
            size = dict(cursor.fetchall())
        else:
            size = {}
            for table in tables:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                size[table] = cursor.fetchone()[0]
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            sizes[table] = (cursor.fetchone()[0], int(size.get(table) or 0))
    return sizes


def _walk(sections: Any) -> Any:
    for section in sections:
        yield section
        yield from _walk(section.children)


if __name__ == "__main__":
    main(sys.argv[1:])
