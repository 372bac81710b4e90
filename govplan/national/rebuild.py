"""Recompute every fact from the entries and the revisions, and compare with what is stored
(``manage.py rebuild_facts``): the facts are derived data, and any difference is a bug in
the code that keeps them, reported with the document and the entry it concerns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models, transaction

from govplan.core.facts import extract
from govplan.core.facts.extract import Facts, StoredEntry
from govplan.documents.live_facts import spec_of
from govplan.documents.models import Document, Entry
from govplan.facts import store
from govplan.facts.models import BudgetFact, Layer, ResultFact, TargetFact, ValueFact
from govplan.workflow.models import DocumentRevision, WorkflowEvent
from govplan.workflow.revisions import revision_content

CHUNK = 200

# The fields a fact is compared on: what the extractor gives, with its layer and revision.
_FACT_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    ValueFact: tuple(extract.ValueFact.__dataclass_fields__),
    BudgetFact: tuple(extract.BudgetFact.__dataclass_fields__),
    TargetFact: tuple(extract.TargetFact.__dataclass_fields__),
    ResultFact: tuple(
        "source_document_id" if f == "source_document" else f
        for f in extract.ResultFact.__dataclass_fields__
    ),
}
_OWNER_FIELDS = tuple(store.Owner.__dataclass_fields__)


@dataclass
class Difference:
    document: int
    layer: str
    table: str
    entry_key: str
    missing: int  # facts the entries give that are not stored
    extra: int  # facts stored that the entries do not give

    def __str__(self) -> str:
        return (
            f"document {self.document} {self.layer} {self.table} {self.entry_key}: "
            f"{self.missing} missing, {self.extra} not derived"
        )


@dataclass
class Report:
    documents: int = 0
    facts: int = 0
    differences: list[Difference] = field(default_factory=list)


def approved_revision(document: Document) -> DocumentRevision | None:
    """The revision the document's last approval approved (the latest frozen before it)."""
    event = (
        WorkflowEvent.objects.filter(document=document, action="approve")
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return None
    return (
        DocumentRevision.objects.filter(document=document, created_at__lte=event.at)
        .order_by("-number")
        .first()
    )


def expected_layers(document: Document) -> dict[str, tuple[int, Facts]]:
    """What every layer of ``document`` should hold: (revision, facts)."""
    spec = spec_of(document)
    live = [
        StoredEntry(key, content)
        for key, content in Entry.objects.filter(document=document, deleted=False).values_list(
            "key", "content"
        )
    ]
    layers = {Layer.LIVE.value: (0, extract.document_facts(spec, live))}
    latest = DocumentRevision.objects.filter(document=document).order_by("-number").first()
    for layer, revision in (
        (Layer.SUBMITTED, latest),
        (Layer.APPROVED, approved_revision(document)),
    ):
        if revision is None:
            continue
        frozen = revision_content(revision)["entries"]
        facts = extract.document_facts(
            spec, [StoredEntry(key, item["content"]) for key, item in frozen.items()]
        )
        layers[layer.value] = (revision.number, facts)
    return layers


def _comparable(row: dict[str, Any], names: Iterable[str]) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


def _expected_rows(document: Document, layers: dict[str, tuple[int, Facts]]) -> Counter[Any]:
    owner = store.Owner.of(document)
    found: Counter[Any] = Counter()
    for layer, (revision, facts) in layers.items():
        for row in store.rows(owner, layer, revision, facts):
            model = type(row)
            names = ("layer", "revision", *_OWNER_FIELDS, *_FACT_FIELDS[model])
            values = {n: getattr(row, n) for n in names}
            found[(model.__name__, _comparable(values, names))] += 1
    return found


def _stored_rows(document: Document) -> Counter[Any]:
    found: Counter[Any] = Counter()
    for model, fact_fields in _FACT_FIELDS.items():
        names = ("layer", "revision", *_OWNER_FIELDS, *fact_fields)
        for values in model._default_manager.filter(document_id=document.pk).values(*names):
            found[(model.__name__, _comparable(values, names))] += 1
    return found


def _differences(
    document: Document, expected: Counter[Any], stored: Counter[Any]
) -> list[Difference]:
    by_place: dict[tuple[str, str, str], list[int]] = {}
    key_at = 2 + len(_OWNER_FIELDS)  # layer, revision, owner…, entry_key
    for counter, index in ((expected - stored, 0), (stored - expected, 1)):
        for (table, values), n in counter.items():
            place = (values[0], table, values[key_at])
            by_place.setdefault(place, [0, 0])[index] += n
    return [
        Difference(document.pk, layer, table, key, counts[0], counts[1])
        for (layer, table, key), counts in sorted(by_place.items())
    ]


def _documents(ids: Iterable[int] | None) -> Iterator[Document]:
    queryset = Document.objects.select_related("org_unit", "framework_version").order_by("pk")
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def check(ids: Iterable[int] | None = None, *, fix: bool = False) -> Report:
    """Compare the stored facts of every document (or of ``ids``) with those its entries and
    revisions give; with ``fix``, replace a document's facts when they differ."""
    report = Report()
    for document in _documents(ids):
        report.documents += 1
        expected = _expected_rows(document, expected_layers(document))
        report.facts += sum(expected.values())
        differences = _differences(document, expected, _stored_rows(document))
        if differences:
            # Read again under the document's lock, which every edit takes first: an edit
            # committed between the two reads above is not a difference.
            with transaction.atomic():
                Document.objects.select_for_update(no_key=True).filter(pk=document.pk).first()
                layers = expected_layers(document)
                expected = _expected_rows(document, layers)
                differences = _differences(document, expected, _stored_rows(document))
                if fix and differences:
                    replace(document, layers)
        report.differences += differences
    return report


def replace(document: Document, layers: dict[str, tuple[int, Facts]] | None = None) -> None:
    """Every fact of the document, from its entries and revisions (a bulk load's path).
    Without ``layers``, they are read under the document's lock: an edit in between (which
    locks the document first) cannot be lost between reading and writing."""
    with transaction.atomic():
        Document.objects.select_for_update(no_key=True).filter(pk=document.pk).first()
        if layers is None:
            layers = expected_layers(document)
        owner = store.Owner.of(document)
        for model in store.FACT_MODELS:
            model._default_manager.filter(document_id=document.pk).delete()
        built = []
        for layer, (revision, facts) in layers.items():
            built += store.rows(owner, layer, revision, facts)
        store.insert(built)


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "documents": report.documents,
        "facts": report.facts,
        "differences": [asdict(d) for d in report.differences],
    }
