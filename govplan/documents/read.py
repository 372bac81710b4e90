"""The one place documents are read from the database into their typed read model
(``govplan.core.documents.view.DocumentView``).

A bounded number of queries whatever the number of sections, entries and rows: the entries
(with the documents carried-over rows came from), the legal catalogue, and the previous
cycle's values (``documents.cycles``). The editor page, validation, the official writers
and the completeness figures read a document through ``load_document_view``; the cycle
workbook reads many through ``load_document_views``, in a number of queries that does not
grow with the documents either. Both assemble the view with ``_assemble``.

Long because: the single and the many-document readers share their queries and the
per-entry memo of what a narrative holds (keyed by the entry's revision, so the editor page
does not re-parse 20,000 words per view); split apart they would drift."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import prefetch_related_objects

from govplan.core.documents import keys
from govplan.core.documents.cells import canonical_decimal
from govplan.core.documents.keys import EntryKey
from govplan.core.documents.totals import by_group, table_phasing_totals
from govplan.core.documents.view import (
    Anchor,
    BudgetRow,
    BudgetView,
    DocumentView,
    IndicatorValue,
    IndicatorView,
    LegalBasis,
    LegalItem,
    LegalReference,
    Narrative,
    Origin,
    PreviousSource,
    PreviousValue,
    ResultRow,
    Scalar,
    SectionView,
    TableRow,
    TableView,
    TargetRow,
    TargetSource,
    cells_of,
)
from govplan.core.frameworks.model import Framework, Section
from govplan.core.frameworks.visibility import for_unit
from govplan.documents import cycles
from govplan.documents.content import parse_key
from govplan.documents.labels import entry_label
from govplan.documents.models import Document, Entry, period_label
from govplan.documents.sanitize import text_of
from govplan.frameworks.models import FrameworkVersion, LegalDocument

ANCHOR_KINDS = (keys.VALUE, keys.ROW, keys.TARGET, keys.BUDGET)
CHUNK = 500  # document ids per query (SQLite takes at most 999 parameters in older builds)


def visible_sections(spec: Framework, document: Document) -> list[Section]:
    """The sections that apply to the document's unit (a ministry-specific task shows only
    in that ministry's document), in order, depth first; each holds only the indicators,
    tables and targets that apply to the unit, and is numbered as the framework chooses
    (govplan/core/frameworks/visibility.py)."""
    unit = document.org_unit
    return for_unit(spec, unit.kind, unit.scheme, unit.code)


@dataclass
class _Record:
    """One saved (or frozen) entry, as read: where it is and what it holds."""

    key: str
    kind: str
    code: str  # the indicator, table or section the key names
    section: str
    position: float
    revision: int
    content: dict[str, Any]
    origin: Origin | None = None
    pk: int = 0


_ENTRY_FIELDS = (
    "document_id",
    "key",
    "kind",
    "section_code",
    "position",
    "revision",
    "content",
    "pk",
    "origin__org_unit__name",
    "origin__period_start",
    "origin__period_end",
)


def _saved(ids: Sequence[int]) -> dict[int, list[_Record]]:
    """The saved entries of the documents ``ids``, by document, in their stored order: one
    query per ``CHUNK`` documents."""
    found: dict[int, list[_Record]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        entries = Entry.objects.filter(
            document_id__in=ids[start : start + CHUNK], deleted=False
        ).values_list(*_ENTRY_FIELDS)
        for document, key, kind, section, position, revision, content, pk, *origin in entries:
            unit, first, last = origin
            found[document].append(
                _Record(
                    key,
                    kind,
                    EntryKey.parse(key).code,
                    section,
                    position,
                    revision,
                    content,
                    None if unit is None else Origin(unit, period_label(first, last)),
                    pk,
                )
            )
    return found


def _frozen(spec: Framework, snapshot: Mapping[str, Any]) -> list[_Record]:
    """A frozen revision's entries (``workflow.actions.snapshot``); a key the framework does
    not know (or no longer applies) is left out, as the editor leaves it out."""
    records = []
    for key, item in (snapshot.get("entries") or {}).items():
        try:
            address = parse_key(spec, key)
        except KeyError:
            continue
        records.append(
            _Record(
                key,
                item.get("kind") or address.kind,
                address.key.code,
                address.section,
                float(item.get("position") or 0),
                0,
                item.get("content") or {},
            )
        )
    return records


def _previous(raw: Mapping[str, Mapping[str, Any]]) -> dict[str, PreviousValue]:
    return {
        code: PreviousValue(
            cells_of(content.get("cells")),
            tuple(
                PreviousSource(s["label"], s["whole"], s["own"], cells_of(s.get("cells")))
                for s in content.get("sources") or []
            ),
            content.get("mapped_from", ""),
        )
        for code, content in raw.items()
    }


def _catalogue() -> dict[str, LegalReference]:
    """The legal documents of the catalogue by code, in the catalogue's order (one query);
    a proposal merged into an entry reads as that entry."""
    return {
        d.code: _reference(d.merged_into if d.merged_into is not None else d)
        for d in LegalDocument.objects.select_related("merged_into")
    }


def _reference(document: LegalDocument) -> LegalReference:
    return LegalReference(
        document.code,
        document.doc_type,
        document.number,
        document.date,
        document.issuer,
        document.title,
        offered=document.offered,
        status=document.status,
    )


def _scalar(value: Any) -> Scalar:
    return value if isinstance(value, str | int | float | bool) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def target_of(
    key: str, revision: int, c: Mapping[str, Any], origin: Origin | None = None
) -> TargetRow:
    """A target row from its stored content."""
    return TargetRow(
        key,
        revision,
        _text(c.get("indicator", "")),
        _text(c.get("text", "")),
        _optional(c.get("baseline")),
        _optional(c.get("target")),
        _scalar(c.get("year")),
        origin,
        _text(c.get("option", "")),
        _optional(c.get("target_n")),
        _optional(c.get("target_d")),
    )


def result_of(
    key: str, revision: int, c: Mapping[str, Any], origin: Origin | None = None
) -> ResultRow:
    """A result row from its stored content."""
    source = c.get("source") or {}
    return ResultRow(
        key,
        revision,
        TargetSource(
            source.get("document"),
            _text(source.get("key", "")),
            _text(source.get("indicator", "")),
            _text(source.get("text", "")),
            _scalar(source.get("baseline")),
            _scalar(source.get("target")),
            _scalar(source.get("year")),
            _text(source.get("option", "")),
            _scalar(source.get("target_n")),
            _scalar(source.get("target_d")),
            _text(source.get("words", "")),
        ),
        _text(c.get("text", "")),
        _scalar(c.get("achieved")),
        _text(c.get("status", "")),
        _text(c.get("obstacles", "")),
        origin,
    )


def row_of(entry: Any) -> TableRow:
    """A table row from a saved entry or an entry's version (``key``, ``revision``,
    ``content`` and, for a carried-over row, ``origin``)."""
    origin = getattr(entry, "origin", None)
    content = entry.content
    return TableRow(
        entry.key,
        entry.revision,
        content.get("cells", {}),
        content.get("phasing", {}),
        Origin(origin.org_unit.name, origin.period_label) if origin is not None else None,
        content.get("group", ""),
    )


# Whether a saved narrative has any text, by (entry id, revision): a saved entry's content at
# a revision never changes, and sanitising 20,000 words to learn it took some 4 ms per view.
_HAS_TEXT: OrderedDict[tuple[int, int], bool] = OrderedDict()
_HAS_TEXT_MAX = 4096
_HAS_TEXT_LOCK = threading.Lock()


def _has_text(record: _Record, html: str) -> bool:
    if not record.pk or not record.revision:  # a frozen revision's entry: no identity
        return bool(text_of(html))
    key = (record.pk, record.revision)
    with _HAS_TEXT_LOCK:
        known = _HAS_TEXT.get(key)
    if known is None:
        known = bool(text_of(html))
        with _HAS_TEXT_LOCK:
            _HAS_TEXT[key] = known
            while len(_HAS_TEXT) > _HAS_TEXT_MAX:
                _HAS_TEXT.popitem(last=False)
    return known


def load_document_view(
    document: Document,
    *,
    snapshot: Mapping[str, Any] | None = None,
    clean: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    previous: bool = True,
    anchors: bool = False,
    previous_sources: list[cycles.PreviousDocument] | None = None,
) -> DocumentView:
    """``document`` as its readers see it: its saved entries or, with ``snapshot`` (a frozen
    revision's content, ``{"entries": {key: {kind, position, content}}, …}``), the frozen
    ones. ``clean``: applied to every entry's content first (the official writers drop the
    characters no document can hold). ``previous=False`` skips the previous cycle's values
    (completeness does not show them). ``anchors=True`` labels every value and row a comment
    can be about (only the editor page offers them; a label per row costs time elsewhere).
    ``previous_sources``: the document's ``cycles.previous_documents``, when the caller
    has read them (the editor page lists them too)."""
    spec = document.framework_version.parsed()
    if snapshot is None:
        records = _saved([document.pk]).get(document.pk, [])
    else:
        records = _frozen(spec, snapshot)
    earlier = _previous(cycles.previous_values(document, previous_sources)) if previous else {}
    return _assemble(
        document,
        spec,
        records,
        _catalogue(),
        earlier,
        clean=clean,
        frozen=snapshot is not None,
        anchors=anchors,
    )


def load_document_views(
    documents: Iterable[Document],
    *,
    versions: Iterable[FrameworkVersion] = (),
    clean: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    previous: bool = False,
) -> dict[int, DocumentView]:
    """Each of ``documents`` (by id) as ``load_document_view`` reads its saved entries, in a
    number of queries that does not grow with the documents: their units when not already
    loaded, their framework versions when neither loaded nor among ``versions`` (the
    versions the caller holds, each parsed once), the entries (one query per ``CHUNK``
    documents) and the legal catalogue. ``clean`` as for one document; ``previous=True``
    adds the previous cycle's values, read document by document (a few queries each)."""
    documents = list({d.pk: d for d in documents}.values())  # each once
    if not documents:
        return {}
    prefetch_related_objects(documents, "org_unit")  # no query when already selected
    specs = {version.pk: version.parsed() for version in versions}
    unknown = [d for d in documents if d.framework_version_id not in specs]
    prefetch_related_objects(unknown, "framework_version")
    for document in unknown:
        if document.framework_version_id not in specs:  # parsed once per version
            specs[document.framework_version_id] = document.framework_version.parsed()
    records = _saved([d.pk for d in documents])
    catalogue = _catalogue()
    return {
        d.pk: _assemble(
            d,
            specs[d.framework_version_id],
            records.get(d.pk, []),
            catalogue,
            _previous(cycles.previous_values(d)) if previous else {},
            clean=clean,
        )
        for d in documents
    }


def _assemble(
    document: Document,
    spec: Framework,
    records: list[_Record],
    catalogue: Mapping[str, LegalReference],
    earlier: Mapping[str, PreviousValue],
    *,
    clean: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    frozen: bool = False,
    anchors: bool = False,
) -> DocumentView:
    """The view of ``document`` from its entries as read (saved, or ``frozen`` from a
    revision), the legal catalogue and the previous cycle's values."""
    if clean is not None:
        for record in records:
            record.content = clean(record.content)
    # Anchors follow the order the entries were read in; rows their order on the page (a
    # frozen row has no id, its key breaks the tie).
    labelled: dict[str, list[Anchor]] = defaultdict(list)
    tables = {t.code: t for _s, t in spec.tables()} if anchors else {}
    for r in records if anchors else ():
        if r.kind in ANCHOR_KINDS:
            label = entry_label(spec, r.key, r.content, tables=tables)
            labelled[r.section].append(Anchor(r.key, label))
    records.sort(key=lambda r: (r.position, r.pk, r.key) if frozen else (r.position, r.pk))
    values: dict[str, IndicatorValue] = {}
    narratives: dict[str, Narrative] = {}
    legal_entries: dict[str, _Record] = {}
    rows: dict[str, list[TableRow]] = defaultdict(list)
    targets: dict[str, list[TargetRow]] = defaultdict(list)
    results: dict[str, list[ResultRow]] = defaultdict(list)
    budgets: dict[str, list[BudgetRow]] = defaultdict(list)
    for r in records:
        c = r.content
        if r.kind == keys.VALUE:
            values[r.code] = IndicatorValue(
                r.code,
                r.key,
                r.revision,
                r.section,
                cells_of(c.get("cells")),
                c.get("comment", ""),
                no_data=c.get("no_data") is True,
                no_data_reason=_text(c.get("no_data_reason", "")),
            )
        elif r.kind == keys.NARRATIVE:
            html = c.get("html", "")
            narratives[r.code] = Narrative(r.key, r.revision, html, _has_text(r, html))
        elif r.kind == keys.LEGAL:
            legal_entries[r.code] = r
        elif r.kind == keys.ROW:
            rows[r.code].append(
                TableRow(
                    r.key,
                    r.revision,
                    c.get("cells", {}),
                    c.get("phasing", {}),
                    r.origin,
                    c.get("group", ""),
                )
            )
        elif r.kind == keys.TARGET:
            targets[r.code].append(target_of(r.key, r.revision, c, r.origin))
        elif r.kind == keys.RESULT:
            results[r.code].append(result_of(r.key, r.revision, c, r.origin))
        elif r.kind == keys.BUDGET:
            budgets[r.code].append(
                BudgetRow(r.key, r.revision, c.get("label", ""), c.get("phasing", {}))
            )
    legal = {
        code: LegalBasis(
            r.key,
            r.revision,
            tuple(
                LegalItem(code=i["code"], document=catalogue.get(i["code"]))
                if "code" in i
                else LegalItem(text=i["text"])
                for i in r.content.get("items", [])
            ),
        )
        for code, r in legal_entries.items()
    }
    table_rows = {code: tuple(found) for code, found in rows.items()}
    target_rows = {code: tuple(found) for code, found in targets.items()}
    result_rows = {code: tuple(found) for code, found in results.items()}
    budget_rows = {code: tuple(found) for code, found in budgets.items()}
    sections = []
    for section in visible_sections(spec, document):
        sections.append(
            SectionView(
                section,
                narrative=narratives.get(section.code) if section.narrative else None,
                legal=legal.get(section.code) if section.legal_basis is not None else None,
                indicators=tuple(
                    IndicatorView(
                        use,
                        spec.indicators[use.indicator],
                        values.get(use.indicator),
                        earlier.get(use.indicator),
                    )
                    for use in section.indicators
                ),
                targets=target_rows.get(section.code, ()) if section.targets else (),
                results=result_rows.get(section.code, ()) if section.target_results else (),
                tables=tuple(TableView(t, table_rows.get(t.code, ())) for t in section.tables),
                budget=_budget(spec, section, table_rows, budget_rows),
                anchors=tuple(labelled.get(section.code, ())),
            )
        )
    return DocumentView(
        spec,
        tuple(sections),
        values=values,
        table_rows=table_rows,
        target_rows=target_rows,
        result_rows=result_rows,
        budget_rows=budget_rows,
        narratives=narratives,
        legal=legal,
        previous=earlier,
        legal_catalogue=catalogue,
    )


# The line of a budget by project for the projects in no group, as the documents print it.
UNGROUPED = "Chưa xếp nhóm"


def _budget(
    spec: Framework,
    section: Section,
    table_rows: Mapping[str, tuple[TableRow, ...]],
    budget_rows: Mapping[str, tuple[BudgetRow, ...]],
) -> BudgetView | None:
    if section.budget is None:
        return None
    if section.budget.rows != "projects":
        return BudgetView(section.budget.rows, True, budget_rows.get(section.code, ()))
    # A budget by project reads the phasing of every project table; a table with groups
    # gives one line per group (the plan's contents), its projects' phasing summed.
    found = []
    for _section, table in spec.tables():
        if table.phasing is None:
            continue
        name_column = table.by_role("project_name")
        rows = table_rows.get(table.code, ())
        if table.groups:
            titles = {g.code: f"{g.number}. {g.title}" for g in table.groups}
            for code, members in by_group(titles, rows, lambda r: r.group):
                if members:
                    found.append(
                        BudgetRow(
                            "",
                            0,
                            titles[code] if code is not None else UNGROUPED,
                            {
                                k: canonical_decimal(v)
                                for k, v in table_phasing_totals(r.phasing for r in members).items()
                            },
                        )
                    )
            continue
        for row in rows:
            label = row.cells.get(name_column.code, "") if name_column else ""
            found.append(BudgetRow("", 0, "" if label is None else str(label), row.phasing))
    return BudgetView(section.budget.rows, False, tuple(found))


def completeness(document: Document) -> int:
    """The share of the document's required parts that are filled, in percent."""
    return load_document_view(document, previous=False).completeness()
