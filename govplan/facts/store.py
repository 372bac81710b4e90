"""Writing the facts, always inside the caller's transaction: an entry's live facts when it
is saved, deleted or restored; a whole layer when a revision is frozen or approved.

The callers (documents.actions, documents.carryover, documents.tables_xlsx,
workflow.actions) hold the entry's or the document's row lock, so two saves of one entry
never interleave their facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.db import models

from govplan.core.documents import keys
from govplan.core.documents.keys import BadKey, EntryKey
from govplan.core.facts import extract
from govplan.core.facts.extract import Facts, StoredEntry
from govplan.core.frameworks.model import Framework
from govplan.facts.models import BudgetFact, Layer, ResultFact, TargetFact, ValueFact
from govplan.frameworks.models import Indicator

BATCH = 2000

FACT_MODELS: tuple[type[models.Model], ...] = (ValueFact, BudgetFact, TargetFact, ResultFact)
# Which table holds the facts of each kind of entry.
MODEL_OF_KIND: dict[str, type[models.Model]] = {
    keys.VALUE: ValueFact,
    keys.ROW: BudgetFact,
    keys.BUDGET: BudgetFact,
    keys.TARGET: TargetFact,
    keys.RESULT: ResultFact,
}


class DocumentLike(Protocol):
    pk: int
    org_unit_id: int
    framework_version_id: int
    kind: str
    period_start: int
    period_end: int

    @property
    def org_unit(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class Owner:
    """What every fact repeats of its document."""

    document_id: int
    org_unit_id: int
    unit_kind: str
    unit_path: str
    framework_version_id: int
    document_kind: str
    period_start: int
    period_end: int

    @classmethod
    def of(cls, document: DocumentLike) -> Owner:
        unit = document.org_unit
        return cls(
            document.pk,
            document.org_unit_id,
            unit.kind,
            unit.path,
            document.framework_version_id,
            document.kind,
            document.period_start,
            document.period_end,
        )


def indicator_ids(codes: Iterable[str]) -> dict[str, int]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(Indicator.objects.filter(code__in=wanted).values_list("code", "id"))


def rows(
    owner: Owner,
    layer: str,
    revision: int,
    facts: Facts,
    ids: Mapping[str, int | None] | None = None,
) -> list[models.Model]:
    """The model rows of ``facts`` (unsaved); ``ids``: the catalogue's indicator ids by code
    when the caller knows them (looked up otherwise)."""
    needed = (
        {f.indicator_code for f in facts.values}
        | {f.indicator_code for f in facts.targets}
        | {f.indicator_code for f in facts.results}
    )
    # A result's indicator is its plan's, maybe of another framework: looked up if unknown.
    unknown = needed - set(ids or ())
    if ids is None or unknown:
        ids = {**(ids or {}), **indicator_ids(unknown)}
    common = {**asdict(owner), "layer": layer, "revision": revision}
    built: list[models.Model] = []
    for value in facts.values:
        built.append(
            ValueFact(**common, indicator_id=ids.get(value.indicator_code), **asdict(value))
        )
    for budget in facts.budgets:
        built.append(BudgetFact(**common, **asdict(budget)))
    for target in facts.targets:
        built.append(
            TargetFact(**common, indicator_id=ids.get(target.indicator_code), **asdict(target))
        )
    # A result names its plan by id; a plan no longer there is no source (the column's
    # SET_NULL would say the same once it went).
    named = {r.source_document for r in facts.results if r.source_document is not None}
    existing = set(_documents_existing(named)) if named else set()
    for result in facts.results:
        data = asdict(result)
        source = data.pop("source_document")
        data["source_document_id"] = source if source in existing else None
        built.append(ResultFact(**common, indicator_id=ids.get(result.indicator_code), **data))
    return built


def _documents_existing(ids: Iterable[int]) -> Iterable[int]:
    documents = ResultFact._meta.get_field("source_document").related_model
    assert documents is not None and not isinstance(documents, str)
    return documents._default_manager.filter(pk__in=list(ids)).values_list("pk", flat=True)


def insert(built: Sequence[models.Model]) -> None:
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for row in built:
        by_model.setdefault(type(row), []).append(row)
    for model, found in by_model.items():
        model._default_manager.bulk_create(found, batch_size=BATCH)


def write_entries(
    document: DocumentLike,
    spec: Framework,
    entries: Iterable[tuple[str, Any, bool]],
    ids: Mapping[str, int | None] | None = None,
) -> None:
    """The live facts of the given entries (key, content, deleted) as they now are: an
    entry's old facts go, its new ones come (none when it is deleted). ``ids`` as rows."""
    stale: dict[type[models.Model], list[str]] = {}
    facts = Facts()
    for key, content, deleted in entries:
        try:
            kind = EntryKey.parse(key).kind
        except BadKey:
            continue
        model = MODEL_OF_KIND.get(kind)
        if model is None:
            continue
        stale.setdefault(model, []).append(key)
        if not deleted:
            facts.extend(extract.entry_facts(spec, StoredEntry(key, content)))
    for model, keys_ in stale.items():
        model._default_manager.filter(
            document_id=document.pk, layer=Layer.LIVE, entry_key__in=keys_
        ).delete()
    insert(rows(Owner.of(document), Layer.LIVE, 0, facts, ids))


def replace_layer(
    document: DocumentLike,
    spec: Framework,
    layer: str,
    entries: Iterable[StoredEntry],
    *,
    revision: int = 0,
) -> None:
    """Every fact of ``layer`` for the document, from ``entries`` (the live entries, or the
    entries a revision froze)."""
    for model in FACT_MODELS:
        model._default_manager.filter(document_id=document.pk, layer=layer).delete()
    facts = extract.document_facts(spec, entries)
    insert(rows(Owner.of(document), layer, revision, facts))


def copy_layer(document: DocumentLike, source: str, target: str) -> None:
    """The facts of ``source`` again as ``target`` (an approval approves the revision that
    was submitted: its facts are already typed)."""
    for model in FACT_MODELS:
        manager = model._default_manager
        manager.filter(document_id=document.pk, layer=target).delete()
        copies = []
        for row in manager.filter(document_id=document.pk, layer=source):
            row.pk = None
            row.layer = target  # type: ignore[attr-defined]
            copies.append(row)
        manager.bulk_create(copies, batch_size=BATCH)
