"""The bulk writer of the generated data set: rows collected per table as tuples in the
order of the model's columns, written in batches in one transaction each, by COPY on
PostgreSQL (psycopg's ``cursor.copy``) and by bulk_create elsewhere.

Identifiers of the rows others point at (documents, entries, their versions, revisions) are
allocated here, above the largest in the table, and the sequences moved past them at the
end: the loader must be the only writer while it runs.

The fact rows are built from the extractor's facts (core.facts.extract) exactly as
``govplan.facts.store.rows`` builds its model instances, without the cost of an instance per
row (most of the load's time): ``fact_rows`` is that mapping, and the tests assert that both
give the same values and that ``rebuild_facts`` finds no difference."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max

from govplan.core.facts.extract import Facts
from govplan.documents.models import Document, Entry, EntryVersion
from govplan.facts import store
from govplan.facts.models import BudgetFact, ResultFact, TargetFact, ValueFact
from govplan.workflow.models import DocumentRevision, RevisionEntry, WorkflowEvent

# The order rows are written in (each after the rows it points at).
ORDER: tuple[type[models.Model], ...] = (
    Document,
    Entry,
    EntryVersion,
    DocumentRevision,
    RevisionEntry,
    WorkflowEvent,
    ValueFact,
    BudgetFact,
    TargetFact,
    ResultFact,
)
WITH_IDS = (Document, Entry, EntryVersion, DocumentRevision)
# Tables whose secondary indexes may be dropped during a large load and built again after.
BIG_TABLES = (ValueFact, BudgetFact, Entry, EntryVersion)


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    with_id = model in WITH_IDS
    return [f for f in model._meta.concrete_fields if with_id or not f.primary_key]


COLUMNS = {m: [f.attname for f in columns(m)] for m in ORDER}
_OWNER = set(store.Owner.__dataclass_fields__) | {"layer", "revision"}


def fact_rows(
    owner: store.Owner, layer: str, revision: int, facts: Facts, ids: Mapping[str, int]
) -> list[tuple[type[models.Model], tuple[Any, ...]]]:
    """The rows ``store.rows(owner, layer, revision, facts)`` would write, as tuples in the
    order of COLUMNS (``ids``: indicator code -> id, as store.indicator_ids gives them)."""
    common = {**asdict(owner), "layer": layer, "revision": revision}
    found: list[tuple[type[models.Model], tuple[Any, ...]]] = []
    for model, items in (
        (ValueFact, facts.values),
        (BudgetFact, facts.budgets),
        (TargetFact, facts.targets),
        (ResultFact, facts.results),
    ):
        names = COLUMNS[model]
        for fact in items:
            row = []
            for name in names:
                if name in _OWNER:
                    row.append(common[name])
                elif name == "indicator_id":
                    row.append(ids.get(fact.indicator_code))  # type: ignore[union-attr]
                elif name == "source_document_id":
                    row.append(fact.source_document)  # type: ignore[union-attr]
                else:
                    row.append(getattr(fact, name))
            found.append((model, tuple(row)))
    return found


class Writer:
    def __init__(self) -> None:
        self.pending: dict[type[models.Model], list[tuple[Any, ...]]] = {m: [] for m in ORDER}
        self.next_id: dict[type[models.Model], int] = {
            m: (m._default_manager.aggregate(n=Max("pk"))["n"] or 0) + 1 for m in WITH_IDS
        }
        self.written: dict[str, int] = {m.__name__: 0 for m in ORDER}
        self.copy = connection.vendor == "postgresql"
        self.defaults = {
            m: {f.attname: f.get_default() for f in columns(m) if not f.primary_key} for m in ORDER
        }
        # Documents are written as drafts (the database refuses entries of any other) and
        # take their state once their entries are in: state -> document ids.
        self.states: dict[str, list[int]] = {}

    def allocate(self, model: type[models.Model]) -> int:
        found = self.next_id[model]
        self.next_id[model] = found + 1
        return found

    def json(self, value: Any) -> Any:
        """A JSON field's value as this writer sends it (text for COPY)."""
        return json.dumps(value, ensure_ascii=False) if self.copy else value

    def add(self, model: type[models.Model], **values: Any) -> None:
        defaults = self.defaults[model]
        self.pending[model].append(
            tuple(values[n] if n in values else defaults[n] for n in COLUMNS[model])
        )

    def add_rows(self, rows: list[tuple[type[models.Model], tuple[Any, ...]]]) -> None:
        for model, row in rows:
            self.pending[model].append(row)

    def set_state(self, document_id: int, state: str) -> None:
        self.states.setdefault(state, []).append(document_id)

    @property
    def pending_rows(self) -> int:
        return sum(len(rows) for rows in self.pending.values())

    def flush(self) -> None:
        """Everything pending, in one transaction."""
        with transaction.atomic():
            for model in ORDER:
                rows = self.pending[model]
                if not rows:
                    continue
                if self.copy:
                    _copy(model, rows)
                else:
                    names = COLUMNS[model]
                    model._default_manager.bulk_create(
                        [model(**dict(zip(names, row, strict=True))) for row in rows],
                        batch_size=500,
                    )
                self.written[model.__name__] += len(rows)
                self.pending[model] = []
                if model is EntryVersion:
                    self._states()
            self._states()

    def _states(self) -> None:
        for state, ids in self.states.items():
            Document.objects.filter(pk__in=ids).update(status=state, revision=1)
        self.states = {}

    def finish(self) -> None:
        self.flush()
        if self.copy:
            with connection.cursor() as cursor:
                for model in WITH_IDS:
                    table = model._meta.db_table  # a model's table, never input
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                        f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                    )


def _copy(model: type[models.Model], rows: list[tuple[Any, ...]]) -> None:
    names = ", ".join(f'"{f.column}"' for f in columns(model))
    sql = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's cursor under Django's wrapper
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


@contextmanager
def indexes_dropped(enabled: bool) -> Iterator[None]:
    """On PostgreSQL, the secondary indexes of the big tables dropped for the load and built
    again after it (even when it fails): building an index once over 20 million rows is
    several times cheaper than keeping seven up to date row by row."""
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in BIG_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [tables],
        )
        kept = cursor.fetchall()
        for name, _definition in kept:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, definition in kept:
                cursor.execute(definition)
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
