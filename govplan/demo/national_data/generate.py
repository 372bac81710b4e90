"""Generate the national data set at a scale (``manage.py generate_national``).

The frameworks are uploaded and published through the frameworks app; the documents,
their entries (each with its version, as every save writes one), the revisions of the
documents submitted or approved (DocumentRevision + RevisionEntry + the workflow events)
and the typed facts of every layer are written in bulk (bulk.Writer). The facts are built
by the code the application writes them with (core.facts.extract, facts.store.rows), and
``rebuild_facts`` finds no difference (tests/demo/test_national_data.py).

Layers: every past cycle of a province or ministry is approved (live, submitted and
approved facts); the 2025 report and the 2026-2030 plan are in every state (not started,
draft, submitted, approved). Districts and communes file the local report; a share of their
past documents (Scale.local_approved_share: none at full scale, where approving them would
triple 19 million value rows) is approved, the rest stays in draft; a few never filed.
Running it again adds only the documents that are missing."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, prefetch_related_objects

from govplan.accounts.actions import do_create_user
from govplan.accounts.models import User
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.core.facts import extract
from govplan.core.facts.extract import StoredEntry
from govplan.core.frameworks.catalogue import parse_catalogue
from govplan.core.frameworks.files import CATALOGUE_PATH
from govplan.core.frameworks.model import Framework as Spec
from govplan.core.frameworks.yamlsafe import load_text
from govplan.demo.national_data import content as gen
from govplan.demo.national_data import frameworks
from govplan.demo.national_data.bulk import Writer, fact_rows, indexes_dropped
from govplan.demo.national_data.catalogue import load_extension
from govplan.demo.national_data.scales import LAST_YEAR, Scale
from govplan.documents.models import Document, Entry, EntryVersion
from govplan.facts import store
from govplan.facts.models import Layer
from govplan.frameworks.models import FrameworkVersion, Indicator
from govplan.orgunits.models import Kind, OrgUnit, Succession
from govplan.workflow.models import DocumentRevision, RevisionEntry, WorkflowEvent

GENERATOR_USERNAME = "dulieu.sinh"
FLUSH_ROWS = 150_000
TOP_KINDS = frameworks.TOP_KINDS
MINISTRY_KINDS = [k for k in TOP_KINDS if k != Kind.PROVINCE]
NOT_FILED_LOCAL = 0.03


@dataclass
class Summary:
    documents: int = 0
    skipped: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        counts = ", ".join(f"{k} {v:,}" for k, v in self.rows.items() if v)
        return (
            f"{self.documents:,} documents ({self.skipped:,} already there) in "
            f"{self.seconds:.0f} s: {counts}"
        )


def generator_user() -> User:
    user = User.objects.filter(username=GENERATOR_USERNAME).first()
    if user is None:
        user = do_create_user(
            actor=None, password=None, username=GENERATOR_USERNAME, full_name="Dữ liệu sinh"
        )
    return user


def shipped_indicators() -> list[str]:
    return list(parse_catalogue(load_text(CATALOGUE_PATH.read_bytes())).indicators)


def _stamp(day: dt.date, days: int = 0, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(hour), tzinfo=dt.UTC)


def seed_name(unit: OrgUnit) -> str:
    return f"{unit.scheme}:{unit.code}:{unit.valid_from or ''}"


class Selection:
    """The units a scale covers: its provinces with their predecessors and successors, its
    ministries, and the districts and communes under those provinces."""

    def __init__(self, scale: Scale) -> None:
        self.scale = scale
        self.province_ids: set[int] | None = None
        if scale.provinces:
            chosen = set(
                OrgUnit.objects.filter(kind=Kind.PROVINCE, code__in=scale.provinces).values_list(
                    "pk", flat=True
                )
            )
            related = Succession.objects.filter(
                Q(predecessor_id__in=chosen) | Q(successor_id__in=chosen)
            ).values_list("predecessor_id", "successor_id")
            for pair in related:
                chosen.update(pair)
            self.province_ids = chosen
        self.ministry_codes = set(scale.ministries) if scale.provinces else None

    def top(self, version: FrameworkVersion) -> list[OrgUnit]:
        units = OrgUnit.objects.filter(framework_targets__version=version, kind__in=TOP_KINDS)
        found = []
        for unit in units.prefetch_related("names").order_by("kind", "code"):
            if unit.kind == Kind.PROVINCE:
                if self.province_ids is None or unit.pk in self.province_ids:
                    found.append(unit)
            elif self.ministry_codes is None or unit.code in self.ministry_codes:
                found.append(unit)
        return found

    def local(self, version: FrameworkVersion) -> list[OrgUnit]:
        cap = self.scale.locals_per_province
        if cap == 0:
            return []
        units = OrgUnit.objects.filter(
            framework_targets__version=version, kind__in=frameworks.LOCAL_KINDS
        )
        by_province: dict[str, list[OrgUnit]] = {}
        for unit in units.order_by("kind", "code"):
            root = unit.path.split("/")[1]
            if self.province_ids is not None and int(root) not in self.province_ids:
                continue
            by_province.setdefault(root, []).append(unit)
        found: list[OrgUnit] = []
        for members in by_province.values():
            if cap is None:
                found += members
                continue
            districts = [u for u in members if u.kind == Kind.DISTRICT][: max(1, cap // 5)]
            communes = [u for u in members if u.kind == Kind.COMMUNE][:cap]
            found += districts + communes
        prefetch_related_objects(found, "names")  # for the titles: name_on(day)
        return found


class Loader:
    def __init__(self, scale: Scale, seed: int, say: Callable[[str], None]) -> None:
        self.scale, self.seed, self.say = scale, seed, say
        self.user = generator_user()
        self.writer = Writer()
        self.selection = Selection(scale)
        self.summary = Summary()
        # What facts.store.indicator_ids reads per document, read once.
        self.indicator_ids = dict(Indicator.objects.values_list("code", "id"))
        self.existing = set(
            Document.objects.filter(framework__code__startswith="GEN-").values_list(
                "org_unit_id", "framework_id"
            )
        )
        # unit id -> (plan document id, plan spec, its targets), per plan period
        self.plans: dict[tuple[int, int], dict[int, tuple[Spec, list[gen.PlanTarget]]]] = {}

    # -- one document -----------------------------------------------------------------
    def status(self, rng_name: str, *, current: bool, local: bool) -> str | None:
        draw = gen.rng_for(self.seed, rng_name, "status").random()
        share = self.scale.local_approved_share
        if not current:
            if not local:
                return "approved"
            if draw < NOT_FILED_LOCAL:
                return None
            return "approved" if draw < NOT_FILED_LOCAL + share else "draft"
        if local:
            steps = ((share / 2, "approved"), (share, "submitted"), (share + 0.7, "draft"))
        else:
            started = 1 - self.scale.top_not_started
            steps = ((0.4, "approved"), (0.7, "submitted"), (started, "draft"))
        return next((state for limit, state in steps if draw < limit), None)

    def document(
        self,
        version: FrameworkVersion,
        spec: Spec,
        unit: OrgUnit,
        status: str,
        entries: list[gen.GeneratedEntry],
        document_id: int,
    ) -> None:
        w, user = self.writer, self.user
        day = version.structure_date
        written = _stamp(day, -20)
        sent = status != "draft"
        w.add(
            Document,
            id=document_id,
            org_unit_id=unit.pk,
            framework_id=version.framework_id,
            framework_version_id=version.pk,
            kind=spec.kind,
            title=f"{spec.document_title or spec.title} – {unit.name_on(day)}"[:500],
            period_start=spec.period.start,
            period_end=spec.period.end,
            status="draft",  # its state once its entries are in (Writer.set_state)
            revision=0,
            created_by_id=user.pk,
            created_at=written,
            updated_at=written,
        )
        versions: list[int] = []
        for item in entries:
            entry_id = w.allocate(Entry)
            content = w.json(item.content)
            w.add(
                Entry,
                id=entry_id,
                document_id=document_id,
                key=item.key,
                kind=item.kind,
                section_code=item.section_code,
                collection=item.collection,
                position=item.position,
                content=content,
                revision=1,
                updated_by_id=user.pk,
                updated_at=written,
            )
            version_id = w.allocate(EntryVersion)
            versions.append(version_id)
            w.add(
                EntryVersion,
                id=version_id,
                entry_id=entry_id,
                revision=1,
                content=content,
                position=item.position,
                reason="import",
                saved_by_id=user.pk,
                saved_at=written,
                steps=w.json([]),
            )
        facts = extract.document_facts(spec, [StoredEntry(e.key, e.content) for e in entries])
        owner = store.Owner(
            document_id,
            unit.pk,
            unit.kind,
            unit.path,
            version.pk,
            spec.kind,
            spec.period.start,
            spec.period.end,
        )
        w.add_rows(fact_rows(owner, Layer.LIVE, 0, facts, self.indicator_ids))
        self.summary.documents += 1
        if not sent:
            return
        w.set_state(document_id, status)
        revision_id = w.allocate(DocumentRevision)
        submitted = _stamp(day, -3)
        w.add(
            DocumentRevision,
            id=revision_id,
            document_id=document_id,
            number=1,
            attachments=w.json([]),
            created_by_id=user.pk,
            created_at=submitted,
            deadline=version.deadline,
        )
        for version_id in versions:
            w.add(RevisionEntry, revision_id=revision_id, version_id=version_id)
        events: list[tuple[str, str, str, dt.datetime, int | None]] = [
            ("submit", "draft", "submitted", submitted, revision_id)
        ]
        if status == "approved":
            events += [
                ("start_appraisal", "submitted", "under_appraisal", _stamp(day, 1), None),
                ("approve", "under_appraisal", "approved", _stamp(day, 10), revision_id),
            ]
        for action, before, after, at, revision in events:
            w.add(
                WorkflowEvent,
                document_id=document_id,
                action=action,
                from_state=before,
                to_state=after,
                actor_id=user.pk,
                at=at,
                revision_id=revision,
            )
        w.add_rows(fact_rows(owner, Layer.SUBMITTED, 1, facts, self.indicator_ids))
        if status == "approved":
            w.add_rows(fact_rows(owner, Layer.APPROVED, 1, facts, self.indicator_ids))

    def maybe_flush(self) -> None:
        if self.writer.pending_rows >= FLUSH_ROWS:
            self.writer.flush()

    def skip(self, unit: OrgUnit, version: FrameworkVersion) -> bool:
        if (unit.pk, version.framework_id) in self.existing:
            self.summary.skipped += 1
            return True
        return False

    # -- the cycles -------------------------------------------------------------------
    def plan(self, start: int, end: int) -> None:
        version = frameworks.publish(frameworks.plan_file(start, end))
        spec = version.parsed()
        code = version.framework.code
        current = end > LAST_YEAR
        found = self.plans.setdefault((start, end), {})
        for unit in self.selection.top(version):
            name = seed_name(unit)
            status = self.status(f"{code}|{name}", current=current, local=False)
            if status is None or self.skip(unit, version):
                continue
            entries = gen.plan_entries(spec, self.seed, code, gen.Unit(name, unit.kind, unit.name))
            document_id = self.writer.allocate(Document)
            self.document(version, spec, unit, status, entries, document_id)
            targets = [
                gen.PlanTarget(document_id, e.key, e.content) for e in entries if e.kind == "target"
            ]
            found[unit.pk] = (spec, targets)
            self.maybe_flush()
        self.say(f"{code}: {len(found)} plans")

    def report(self, year: int, shipped: list[str]) -> None:
        current = year == LAST_YEAR
        period = next(p for p in self.scale.plan_periods if p[0] <= year <= p[1])
        plans = self.plans.get(period, {})
        for local in (False, True):
            version = frameworks.publish(frameworks.report_file(year, shipped, local=local))
            spec = version.parsed()
            code = version.framework.code
            units = self.selection.local(version) if local else self.selection.top(version)
            before = self.summary.documents
            for unit in units:
                name = seed_name(unit)
                status = self.status(f"{code}|{name}", current=current, local=local)
                if status is None or self.skip(unit, version):
                    continue
                info = gen.Unit(name, unit.kind, unit.name)
                entries = gen.value_entries(spec, self.seed, code, info, year)
                plan = plans.get(unit.pk)
                if plan is not None:
                    entries += gen.result_entries(
                        spec, plan[0], self.seed, code, info, year, plan[1]
                    )
                self.document(version, spec, unit, status, entries, self.writer.allocate(Document))
                self.maybe_flush()
            self.say(f"{code}: {self.summary.documents - before} documents")


def generate(
    scale: Scale,
    seed: int,
    *,
    say: Callable[[str], None] = lambda _line: None,
    drop_indexes: bool = False,
) -> Summary:
    started = time.monotonic()
    load_extension()
    loader = Loader(scale, seed, say)
    shipped = shipped_indicators()
    with indexes_dropped(drop_indexes):
        for start, end in scale.plan_periods:
            loader.plan(start, end)
        for year in scale.years:
            loader.report(year, shipped)
        loader.writer.finish()
    summary = loader.summary
    summary.rows = dict(loader.writer.written)
    summary.seconds = time.monotonic() - started
    with transaction.atomic():
        record(
            Action.REFERENCE_LOAD,
            after={"scale": scale.name, "seed": seed, "documents": summary.documents},
            message="generate_national: " + summary.line(),
        )
    return summary


def generated_documents() -> Iterable[int]:
    return Document.objects.filter(framework__code__startswith="GEN-").values_list("pk", flat=True)
