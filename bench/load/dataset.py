"""The deadline-day data set (issue 15): the 2027 framework's documents for the whole country,
their editors and appraisers. Run inside Django (bench/load/run.py sets it up).

What goes through the application's actions and what is bulk-loaded:
- every document is created by ``do_create_document`` (one per unit the 2027 example
  framework applies to: 34 provinces, 24 ministry-level units, 3,321 communes at full scale);
- one document of each kind of unit (province, ministry, ministry-level agency, government
  agency, commune) is filled through ``do_save_entry`` and ``do_add_entry`` as an editor fills
  it: every text, value, legal basis and target (``fill_for_demo``), ~20,000 words of
  narrative and 300 project rows for provinces and ministries, ~49 entries for a commune;
- the other documents of that kind get a copy of its entries and their first versions in
  bulk (``bulk_create``; the content was read and checked by the action that saved it);
- the submitted documents are submitted (and some returned and resubmitted, for two
  revisions to compare) through ``do_explain`` and ``do_transition``;
- the accounts are bulk-created, all with one password hash (hashing 3,400 passwords at
  Django's cost would take 20 minutes): one editor per unit, one appraiser per province (its
  communes), ten central appraisers. No audit entry records their creation.

Running it again on the same database adds only what is missing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FRAMEWORK = "KH-CDS-2027-MAU"
TOP_KINDS = ("province", "ministry", "ministry_level", "gov_agency")
NARRATIVE_WORDS = 20_000
PROJECT_ROWS = 300
COMMUNE_ENTRIES = 49  # (185,000 − 58 large plans) / 3,321 communes
CENTRAL_APPRAISERS = 10
# Shares submitted before the run (through the workflow): every submitted document of a
# province or ministry has been returned once and resubmitted (two revisions to compare);
# half of the submitted communes too.
TOP_SUBMITTED = 0.4
COMMUNE_SUBMITTED = 0.2


@dataclass(frozen=True)
class Scale:
    provinces: int | None
    ministries: int | None
    communes: int | None


SCALES = {
    "tiny": Scale(provinces=2, ministries=2, communes=40),
    "small": Scale(provinces=6, ministries=4, communes=300),
    "full": Scale(provinces=None, ministries=None, communes=None),
}


def _sentences() -> tuple[str, ...]:
    return (
        "Tiếp tục hoàn thiện thể chế, cơ chế, chính sách phục vụ chuyển đổi số trên địa bàn.",
        "Phát triển hạ tầng số đồng bộ, hiện đại, bảo đảm kết nối thông suốt đến cấp xã.",
        "Cung cấp dịch vụ công trực tuyến toàn trình cho người dân và doanh nghiệp.",
        "Xây dựng, cập nhật cơ sở dữ liệu chuyên ngành, bảo đảm dữ liệu đúng, đủ, sạch, sống.",
        "Tăng cường bảo đảm an toàn thông tin mạng theo mô hình bốn lớp.",
        "Nâng cao kỹ năng số cho cán bộ, công chức, viên chức và người dân.",
        "Triển khai nền tảng tích hợp, chia sẻ dữ liệu, kết nối với nền tảng quốc gia.",
        "Kinh phí thực hiện được bố trí từ ngân sách nhà nước và các nguồn vốn hợp pháp khác.",
    )


def narrative_html(rng: random.Random, words: int) -> str:
    sentences = _sentences()
    parts: list[str] = []
    written = 0
    while written < words:
        if parts and len(parts) % 6 == 0:
            parts.append("<h3>Nhiệm vụ, giải pháp cụ thể</h3>")
            parts.append("<ul>" + "".join(f"<li>{rng.choice(sentences)}</li>" for _ in range(3)))
            parts[-1] += "</ul>"
        paragraph = " ".join(rng.choice(sentences) for _ in range(8))
        parts.append(f"<p>{paragraph}</p>")
        written += len(paragraph.split())
    return "".join(parts)


class Builder:
    def __init__(self, scale: Scale, say: Callable[[str], None], seed: int = 2027) -> None:
        from govplan.frameworks.models import FrameworkVersion

        self.scale, self.say = scale, say
        self.rng = random.Random(seed)
        self.version = FrameworkVersion.objects.get(framework__code=FRAMEWORK, status="published")
        self.spec = self.version.parsed()
        self.sources: dict[int, list[Any]] = {}  # a template's entries, read once

    # -- units and accounts -------------------------------------------------------------
    def units(self) -> list[Any]:
        from govplan.orgunits.models import OrgUnit

        targets = OrgUnit.objects.filter(framework_targets__version=self.version).order_by(
            "kind", "code"
        )
        provinces = [u for u in targets if u.kind == "province"]
        ministries = [u for u in targets if u.kind in TOP_KINDS and u.kind != "province"]
        communes = [u for u in targets if u.kind == "commune"]
        s = self.scale
        if s.provinces is not None:
            provinces = provinces[: s.provinces]
            ministries = ministries[: s.ministries]
            # The communes of the chosen provinces, spread over them.
            roots = {p.path for p in provinces}
            communes = [c for c in communes if c.path.startswith(tuple(roots))]
            communes = self.rng.sample(communes, min(len(communes), s.communes or 0))
        return provinces + ministries + communes

    def accounts(self, units: list[Any]) -> dict[int, Any]:
        """One editor per unit, one appraiser per province, the central appraisers and an
        administrator; returns the editor of each unit."""
        from django.contrib.auth.hashers import make_password

        from bench.load.protocol import PASSWORD
        from govplan.accounts.models import Membership, Role, User
        from govplan.orgunits.models import OrgUnit

        central = OrgUnit.objects.with_code("govplan", "CDSQG").get()
        wanted: list[tuple[str, Any, str]] = [
            (f"load.bientap.{u.pk}", u, Role.EDITOR) for u in units
        ]
        wanted += [
            (f"load.thamdinh.{u.pk}", u, Role.APPRAISER) for u in units if u.kind == "province"
        ]
        wanted += [(f"load.thamdinh.tw{i}", central, Role.APPRAISER) for i in range(10)]
        wanted.append(("load.quantri", central, Role.CENTRAL_ADMIN))
        have = set(
            User.objects.filter(username__startswith="load.").values_list("username", flat=True)
        )
        missing = [w for w in wanted if w[0] not in have]
        if missing:
            hashed = make_password(PASSWORD)  # once: the same hash for every account
            User.objects.bulk_create(
                User(username=name, password=hashed, full_name=name) for name, _u, _r in missing
            )
            users = dict(
                User.objects.filter(username__in=[m[0] for m in missing]).values_list(
                    "username", "pk"
                )
            )
            Membership.objects.bulk_create(
                Membership(user_id=users[name], org_unit=unit, role=role)
                for name, unit, role in missing
            )
            # The roles that require two-factor authentication get an authenticator whose
            # codes the simulated users compute (protocol.totp).
            from django_otp.plugins.otp_totp.models import TOTPDevice

            from bench.load.protocol import OTP_SECRET

            TOTPDevice.objects.bulk_create(
                TOTPDevice(user_id=users[name], name="authenticator", key=OTP_SECRET)
                for name, _unit, role in missing
                if role != Role.EDITOR
            )
            self.say(f"accounts: {len(missing):,} created")
        by_name = User.objects.in_bulk(
            [f"load.bientap.{u.pk}" for u in units], field_name="username"
        )
        return {u.pk: by_name[f"load.bientap.{u.pk}"] for u in units}

    # -- documents ----------------------------------------------------------------------
    def fill_template(self, document: Any, editor: Any) -> None:
        """One document filled entirely through the editor's actions."""
        from govplan.core.documents.keys import Collection
        from govplan.demo.documents import _row, fill_for_demo
        from govplan.documents.actions import do_add_entry, do_save_entry
        from govplan.documents.models import Entry
        from govplan.documents.read import visible_sections

        large = document.org_unit.kind in TOP_KINDS
        fill_for_demo(document, actor=editor)
        sections = visible_sections(self.spec, document)
        narrative = [s for s in sections if s.narrative]
        if large and narrative:
            share = NARRATIVE_WORDS // len(narrative)
            for section in narrative:
                key = f"narrative:{section.code}"
                entry = Entry.objects.get(document=document, key=key)
                html = narrative_html(self.rng, share)
                do_save_entry(
                    document, key, entry.revision, {"html": html}, actor=editor, locale="vi"
                )
        tables = [t for s in sections for t in s.tables]
        if not tables:
            return
        table = next((t for t in tables if t.code == "projects"), tables[0])
        have = Entry.objects.filter(document=document, deleted=False).count()
        rows = PROJECT_ROWS - 1 if large else max(0, COMMUNE_ENTRIES - have)
        container = Collection.table(table.code).container
        for i in range(rows):
            row = _row(table, self.spec, f"Dự án {i + 2}: {self.rng.choice(_sentences())[:60]}")
            do_add_entry(document, container, row, actor=editor, locale="vi")

    def copy_entries(self, template: Any, document: Any, editor: Any) -> int:
        from govplan.documents.models import Entry, EntryVersion

        if template.pk not in self.sources:
            self.sources[template.pk] = list(Entry.objects.filter(document=template, deleted=False))
        source = self.sources[template.pk]
        existing = set(Entry.objects.filter(document=document).values_list("key", flat=True))
        created = Entry.objects.bulk_create(
            Entry(
                document=document,
                key=e.key,
                kind=e.kind,
                section_code=e.section_code,
                collection=e.collection,
                position=e.position,
                content=e.content,
                revision=1,
                updated_by=editor,
            )
            for e in source
            if e.key not in existing
        )
        if not created[:1] or created[0].pk is None:  # SQLite before 3.35: ids not returned
            created = list(
                Entry.objects.filter(document=document, key__in=[e.key for e in created])
            )
        EntryVersion.objects.bulk_create(
            EntryVersion(
                entry=e, revision=1, content=e.content, position=e.position, saved_by=editor
            )
            for e in created
        )
        return len(created)

    def documents(self, units: list[Any], editors: dict[int, Any]) -> None:
        from django.db import transaction

        from govplan.documents.actions import do_create_document
        from govplan.documents.models import Document, Entry

        have = {d.org_unit_id: d for d in Document.objects.filter(framework_version=self.version)}
        kind_of = {u.pk: u.kind for u in units}
        templates: dict[str, Any] = {}
        for d in have.values():
            kind = kind_of.get(d.org_unit_id)
            if kind and kind not in templates and Entry.objects.filter(document=d).count() > 30:
                templates[kind] = d
        started, made, entries = time.monotonic(), 0, 0
        for unit in units:
            if unit.pk in have:
                continue
            editor = editors[unit.pk]
            with transaction.atomic():
                document = do_create_document(unit=unit, version=self.version, actor=editor)
                template = templates.get(unit.kind)
                if template is None:
                    self.fill_template(document, editor)
                    templates[unit.kind] = document
                else:
                    entries += self.copy_entries(template, document, editor)
            made += 1
            if made % 250 == 0:
                self.say(f"documents: {made:,} made ({time.monotonic() - started:.0f} s)")
        self.say(
            f"documents: {made:,} made, {entries:,} entries copied, "
            f"{time.monotonic() - started:.0f} s"
        )

    def submissions(self, units: list[Any], editors: dict[int, Any]) -> None:
        from django.db import transaction
        from django.test.utils import override_settings

        from govplan.accounts.models import User
        from govplan.documents.models import Document
        from govplan.workflow import actions
        from govplan.workflow.explanations import do_explain
        from govplan.workflow.validation import validate

        if Document.objects.filter(framework_version=self.version).exclude(status="draft").exists():
            return  # done on an earlier build (or by an earlier run's editors)
        central = User.objects.get(username="load.thamdinh.tw0")
        appraiser_of = {
            u.path: User.objects.get(username=f"load.thamdinh.{u.pk}")
            for u in units
            if u.kind == "province"
        }
        documents = {
            d.org_unit_id: d for d in Document.objects.filter(framework_version=self.version)
        }
        top = [u for u in units if u.kind in TOP_KINDS]
        communes = [u for u in units if u.kind == "commune"]
        chosen = [(u, True) for u in top[:: max(1, round(1 / TOP_SUBMITTED))]]
        chosen += [
            (u, i % 2 == 0) for i, u in enumerate(communes[:: max(1, round(1 / COMMUNE_SUBMITTED))])
        ]
        started = time.monotonic()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for done, (unit, twice) in enumerate(chosen):
                if done and done % 100 == 0:
                    self.say(f"submissions: {done:,} of {len(chosen):,}")
                document, editor = documents[unit.pk], editors[unit.pk]
                if unit.kind == "commune":
                    root = "/".join(unit.path.split("/")[:2]) + "/"
                    appraiser = appraiser_of.get(root, central)
                else:
                    appraiser = central
                with transaction.atomic():
                    warnings = {
                        f.check_id: "Đơn vị đã rà soát số liệu."
                        for f in validate(document).warnings
                    }
                    if warnings:
                        do_explain(document, warnings, actor=editor)
                    actions.do_transition(document, "submit", actor=editor)
                    if twice:
                        actions.do_transition(document, "start_appraisal", actor=appraiser)
                        actions.do_transition(
                            document, "return", actor=appraiser, reason="Đề nghị bổ sung."
                        )
                        actions.do_transition(document, "resubmit", actor=editor)
        self.say(f"submissions: {len(chosen):,} documents ({time.monotonic() - started:.0f} s)")


def build(scale_name: str, say: Callable[[str], None] = print) -> list[Any]:
    """Build (or complete) the data set; return its units (``accounts_for`` gives the
    accounts the locust users take, as the documents' states are at the time)."""
    builder = Builder(SCALES[scale_name], say)
    units = builder.units()
    editors = builder.accounts(units)
    builder.documents(units, editors)
    builder.submissions(units, editors)
    return units


def accounts_for(units: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """Editors on documents still in draft, half of them on a province's or ministry's large
    plan and half on a commune's (the large plans are the costly ones, and each has its
    editors at work on deadline day); appraisers with the submitted documents they may see."""
    from govplan.documents.models import Document
    from govplan.workflow.models import DocumentRevision

    documents = {
        d.org_unit_id: d
        for d in Document.objects.filter(framework__code=FRAMEWORK, org_unit__in=units)
    }
    kind = {u.pk: u.kind for u in units}
    path = {u.pk: u.path for u in units}
    drafts = [d for d in documents.values() if d.status == "draft"]
    large = sorted((d for d in drafts if kind[d.org_unit_id] in TOP_KINDS), key=lambda d: d.pk)
    small = sorted((d for d in drafts if kind[d.org_unit_id] == "commune"), key=lambda d: d.pk)
    mixed: list[Any] = []
    for i in range(max(len(large), len(small))):
        mixed += [d for d in (large[i : i + 1] + small[i : i + 1])]
    # Downloads take their accounts from the end, editors from the start: one user each.
    downloads = mixed[-max(1, len(mixed) // 20) :]
    editing = mixed[: len(mixed) - len(downloads)] or mixed
    twice = set(
        DocumentRevision.objects.filter(document__in=documents.values(), number=2).values_list(
            "document_id", flat=True
        )
    )
    submitted = [d for d in documents.values() if d.pk in twice and d.status == "submitted"]
    central_docs = [d.pk for d in submitted if kind[d.org_unit_id] in TOP_KINDS]
    appraisers: list[dict[str, Any]] = []
    provinces = [u for u in units if u.kind == "province"]
    for i in range(max(CENTRAL_APPRAISERS, len(provinces))):
        if i < CENTRAL_APPRAISERS:
            appraisers.append({"username": f"load.thamdinh.tw{i}", "documents": central_docs})
        if i < len(provinces):
            p = provinces[i]
            own = [
                d.pk
                for d in submitted
                if kind[d.org_unit_id] == "commune" and path[d.org_unit_id].startswith(p.path)
            ]
            appraisers.append({"username": f"load.thamdinh.{p.pk}", "documents": own})
    return {
        "editors": [
            {"username": f"load.bientap.{d.org_unit_id}", "document": d.pk} for d in editing
        ],
        "appraisers": appraisers,
        "downloaders": [
            {"username": f"load.bientap.{d.org_unit_id}", "document": d.pk} for d in downloads
        ],
    }
