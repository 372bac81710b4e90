"""Every change to a document: one function, one transaction, with its version and its audit
entry. Saves name the revision they started from; a stale save is merged field by field or
refused as a conflict, never applied over someone else's work.

Long because: every action on a document's entries takes the same lock (lock_for_edit) and
shares the same version, audit, merge and conflict helpers; apart they would each need them
public. tests/audit/test_every_action.py holds each do_* here to one transaction with its
audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import Change, record, record_many
from govplan.core import workflow as machine
from govplan.core.documents import keys
from govplan.core.documents.keys import Collection, EntryKey, new_uid
from govplan.core.documents.merge import Conflict, changes, flatten, merge, overlay
from govplan.core.frameworks.model import Framework, Table
from govplan.documents.carryover import carry_over, fill_results
from govplan.documents.content import (
    MAX_ROWS_PER_TABLE,
    ContentError,
    EntryAddress,
    as_sent,
    check_new_citations,
    ensure_asked,
    parse_key,
    read_entry,
    read_row_cells,
)
from govplan.documents.models import (
    Attachment,
    Document,
    DocumentStatus,
    Entry,
    EntryVersion,
)
from govplan.documents.read import visible_sections
from govplan.documents.row_sources import SourceRow, row_uid, source_rows
from govplan.documents.sanitize import text_of
from govplan.documents.versions import coalesce, content_at, write_version
from govplan.frameworks.actions import do_add_legal_document
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import OrgUnit

EDITABLE_STATUSES = tuple(DocumentStatus(s) for s in machine.EDITABLE)


def lock_for_edit(document: Document) -> Document:
    """Lock the document's row and check, under the lock, that it may still be edited.

    Every editing action calls this first inside its own transaction, so the lock order is
    always the document, then its entries, and a submission (which locks the document to
    freeze the revision) either sees the edit or makes the edit wait and be refused: never
    an edit that lands outside the frozen revision. The status of the object the caller
    loaded is not trusted: it may be seconds old. The database refuses entry writes to a
    document that is not editable as well (migration 0003)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_edit() must run inside the editing transaction")
    locked = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
    document.status = locked.status
    if locked.status not in EDITABLE_STATUSES:
        raise PermissionDenied(_("This document is no longer a draft and cannot be edited."))
    return locked


def not_in_force(unit: OrgUnit, version: FrameworkVersion) -> str:
    return _(
        "%(unit)s was not in force on %(day)s, the day %(framework)s is written for: "
        "file it under the unit that was."
    ) % {
        "unit": unit.name,
        "day": version.structure_date.strftime("%d/%m/%Y"),
        "framework": version.framework.code,
    }


def do_create_document(
    *,
    unit: OrgUnit,
    version: FrameworkVersion,
    actor: User,
    carry_from: Sequence[Document] = (),
) -> Document:
    """The unit's document for ``version``, started from the previous cycle's documents
    ``carry_from`` when given (a unit formed from several starts from all of theirs)."""
    if not version.is_published:
        raise ValidationError(_("A document is written against a published framework."))
    if not version.targets.filter(org_unit=unit).exists():
        raise ValidationError(
            _("%(framework)s does not apply to %(unit)s.")
            % {"framework": version.framework.code, "unit": unit.name}
        )
    day = version.structure_date
    if not unit.is_valid_on(day):
        # Filed under a unit that did not exist then, it would be history nobody wrote.
        raise ValidationError(not_in_force(unit, version))
    spec = version.parsed()
    title = f"{spec.document_title or spec.title} – {unit.name_on(day)}"
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint, so the check below can still query
                document = Document.objects.create(
                    org_unit=unit,
                    framework=version.framework,
                    framework_version=version,
                    kind=spec.kind,
                    title=title[:500],
                    period_start=spec.period.start,
                    period_end=spec.period.end,
                    carried_from=carry_from[0] if len(carry_from) == 1 else None,
                    created_by=actor,
                )
        except IntegrityError:
            # Only the one-document-per-unit-and-framework constraint is the user's concern.
            if not Document.objects.filter(org_unit=unit, framework=version.framework).exists():
                raise
            raise ValidationError(
                _("%(unit)s already has a document for %(framework)s.")
                % {"unit": unit.name, "framework": version.framework.code}
            ) from None
        record(
            Action.CREATE,
            actor=actor,
            obj=document,
            after={
                "unit": unit.pk,
                "framework": version.framework.code,
                "version": version.number,
                "carried_from": [d.pk for d in carry_from],
            },
        )
        if carry_from:
            carry_over(carry_from, document, actor=actor)
        if document.kind == "report":
            fill_results(document, actor=actor)
    return document


@dataclass
class SaveResult:
    status: str  # saved, merged, unchanged, conflict
    entry: Entry | None = None
    conflicts: tuple[Conflict, ...] = ()
    theirs: dict[str, Any] = field(default_factory=dict)
    theirs_by: str = ""
    theirs_at: dt.datetime | None = None


def _words(content: dict[str, Any]) -> list[str]:
    html = str(content.get("html", "")) if content else ""
    # A space before each tag, so that the end of a paragraph ends its last word.
    return text_of(re.sub(r"<", " <", html)).split()


def text_summary(content: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps of a text: its fingerprint and size, not the text itself (the
    entry's versions hold that)."""
    html = str(content.get("html", "")) if content else ""
    return {
        "sha256": hashlib.sha256(html.encode()).hexdigest(),
        "characters": len(text_of(html)),
        "words": len(_words(content)),
    }


def text_change(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The audit's record of a text's change: each side's summary and how many words were
    added and removed (counted as a multiset: moving a word is not a change)."""
    old, new = Counter(_words(before)), Counter(_words(after))
    return {
        **text_summary(after),
        "words_added": sum((new - old).values()),
        "words_removed": sum((old - new).values()),
    }


def _audit(
    entry: Entry, actor: User, before: dict[str, Any], after: dict[str, Any], reason: str
) -> None:
    if entry.kind == keys.NARRATIVE:
        # A hash and a summary: the whole HTML twice on every autosave made the audit trail
        # the largest table (issue 12); the text itself is in the versions.
        before_view = text_summary(before) if before else {}
        after_view = text_change(before, after)
    else:
        diff = changes(before, after)
        after_view = diff
        old = flatten(before)
        before_view = {path: old.get(path) for path in diff}
    record(
        Action.UPDATE if entry.revision > 1 else Action.CREATE,
        actor=actor,
        obj=entry,
        before=before_view,
        after=after_view,
        message=f"{reason} r{entry.revision}",
    )


def _base_content(entry: Entry, base: int) -> dict[str, Any] | None:
    if base == 0:
        return {}
    return content_at(EntryVersion.objects.filter(entry=entry), base)


def do_save_entry(
    document: Document,
    key: str,
    base: int,
    raw: Any,
    *,
    actor: User,
    locale: str,
    reason: str = "edit",
) -> SaveResult:
    """Save what the editor typed for ``key``, having started from revision ``base``.
    A field the content leaves out keeps its value at ``base``; an empty value clears it.
    Raises ContentError (nothing saved) when the content is not valid, PermissionDenied
    when the document is no longer editable."""
    spec = document.framework_version.parsed()
    address = parse_key(spec, key)
    ensure_asked(visible_sections(spec, document), address)
    content = read_entry(spec, key, _left_out_kept(document, spec, key, base, raw), locale=locale)
    with transaction.atomic():
        lock_for_edit(document)
        entry = (
            Entry.objects.select_for_update(no_key=True).filter(document=document, key=key).first()
        )
        if address.kind == keys.LEGAL:
            check_new_citations(spec, content, entry.content if entry else None)
        if address.kind == keys.ROW:
            _check_source_cells(spec, address, entry, base, content)
        if entry is None:
            if base != 0:
                raise ContentError({"": _("This item was removed meanwhile.")})
            position = _next_position(document, address.collection) if address.collection else 0
            entry = _create_entry(document, key, address, content, position, actor, reason)
            return SaveResult("saved", entry)
        return _save_over(entry, spec, key, base, content, actor, reason)


def _left_out_kept(document: Document, spec: Any, key: str, base: int, raw: Any) -> Any:
    """``raw`` with every field it leaves out filled from revision ``base``: leaving a field
    out never clears it, so a value the page could not send (refused, unreadable) never
    erases the saved one. Filled from the base, not the current revision, so that the merge
    still takes a colleague's change to that field. The content at a revision never changes
    (a coalesced version keeps the way back to it): no lock needed."""
    if base == 0 or not isinstance(raw, dict):
        return raw
    content = content_at(
        EntryVersion.objects.filter(entry__document=document, entry__key=key), base
    )
    if content is None:  # refused below: the item was removed, or the base is unknown
        return raw
    return overlay(as_sent(spec, key, content), raw)


def _create_entry(
    document: Document,
    key: str,
    address: EntryAddress,
    content: dict[str, Any],
    position: float,
    actor: User,
    reason: str,
) -> Entry:
    """A new entry with its first version and audit entry; the document is locked, so no one
    else can be creating the same key at this moment."""
    entry = Entry.objects.create(
        document=document,
        key=key,
        kind=address.kind,
        section_code=address.section,
        collection=address.collection,
        position=position,
        content=content,
        revision=1,
        updated_by=actor,
    )
    write_version(entry, actor=actor, reason=reason)
    _audit(entry, actor, {}, content, reason)
    return entry


def _save_over(
    entry: Entry,
    spec: Any,
    key: str,
    base: int,
    content: dict[str, Any],
    actor: User,
    reason: str,
) -> SaveResult:
    if entry.deleted and base != entry.revision:
        return _conflict(entry, ())
    if entry.revision == base:
        if entry.content == content:
            return SaveResult("unchanged", entry)
        before = entry.content
        entry.content = content
        return _commit(entry, before, actor, reason, "saved")
    base_content = _base_content(entry, base)
    if base_content is None:
        return _conflict(entry, ())
    result = merge(base_content, entry.content, content)
    if result.content is None:
        return _conflict(entry, result.conflicts)
    if result.content == entry.content:
        return SaveResult("unchanged", entry)
    # The merged content is re-read so that it is canonical and valid as a whole; read from
    # the shape an editor sends (a stored indicator cell {"v": 10} is not what one types).
    merged = read_entry(spec, key, as_sent(spec, key, result.content), locale="en")
    before = entry.content
    entry.content = merged
    return _commit(entry, before, actor, reason, "merged")


def _commit(
    entry: Entry, before: dict[str, Any], actor: User, reason: str, status: str
) -> SaveResult:
    entry.revision += 1
    entry.updated_by = actor
    entry.save(update_fields=["content", "revision", "updated_by", "updated_at"])
    if not coalesce(entry, actor=actor, reason=reason):
        write_version(entry, actor=actor, reason=reason)
    _audit(entry, actor, before, entry.content, reason)
    return SaveResult(status, entry)


def _conflict(entry: Entry, conflicts: tuple[Conflict, ...]) -> SaveResult:
    return SaveResult(
        "conflict",
        entry,
        conflicts=conflicts,
        theirs=entry.content,
        theirs_by=entry.updated_by.display_name if entry.updated_by else "",
        theirs_at=entry.updated_at,
    )


def _next_position(document: Document, collection: str) -> float:
    last = Entry.objects.filter(document=document, collection=collection).aggregate(
        m=Max("position")
    )["m"]
    return (last or 0) + 1


def _position_after(document: Document, collection: str, after_key: str | None) -> float:
    """A position right after ``after_key`` in its collection (at the end when it is not
    there): half-way to the next row, so no other row moves."""
    anchor = (
        Entry.objects.filter(document=document, collection=collection, key=after_key).first()
        if after_key
        else None
    )
    if anchor is None:
        return _next_position(document, collection)
    return _slot_after(document, collection, anchor)


def _slot_after(
    document: Document, collection: str, anchor: Entry, moving: Entry | None = None
) -> float:
    """Half-way between ``anchor`` and the row after it (``moving`` aside). Halving a gap
    runs out of floats after some fifty insertions at one place (the middle is then one of
    the two ends, and two rows would tie): the collection's rows are then spread to 1, 2, 3
    … in their order, under the document's lock the caller holds, and the gap halved
    again."""
    for _attempt in range(2):
        later = Entry.objects.filter(
            document=document, collection=collection, position__gt=anchor.position
        )
        if moving is not None:
            later = later.exclude(pk=moving.pk)
        following: float | None = later.aggregate(m=Min("position"))["m"]
        if following is None:
            return anchor.position + 1
        middle = (anchor.position + following) / 2
        if anchor.position < middle < following:
            return middle
        _spread(document, collection)
        anchor.refresh_from_db(fields=["position"])
    raise AssertionError("no room after spreading the rows")  # pragma: no cover


def _spread(document: Document, collection: str) -> None:
    """Number the collection's rows (deleted ones too: a restore puts them back in place)
    1, 2, 3 … in the order they have. Order is not content: no revision changes."""
    rows = list(
        Entry.objects.filter(document=document, collection=collection)
        .order_by("position", "id")
        .only("pk", "position")
    )
    for number, row in enumerate(rows, start=1):
        row.position = float(number)
    Entry.objects.bulk_update(rows, ["position"], batch_size=500)


def do_add_entry(
    document: Document,
    container_key: str,
    raw: Any,
    *,
    actor: User,
    locale: str,
    after_key: str | None = None,
    reason: str = "edit",
) -> Entry:
    """A new row (of a table, the targets, a budget) after ``after_key`` or at the end: one
    transaction, and its first version is written once, at its place."""
    key = f"{container_key}:{new_uid()}"
    spec = document.framework_version.parsed()
    address = parse_key(spec, key)
    ensure_asked(visible_sections(spec, document), address)
    _refuse_by_hand(spec, address)
    content = read_entry(spec, key, raw, locale=locale)
    with transaction.atomic():
        lock_for_edit(document)
        rows = Entry.objects.filter(
            document=document, collection=address.collection, deleted=False
        ).count()
        if rows >= MAX_ROWS_PER_TABLE:
            raise ContentError({"": _("A table holds at most 5,000 rows.")})
        position = _position_after(document, address.collection, after_key)
        return _create_entry(document, key, address, content, position, actor, reason)


def do_delete_entry(document: Document, key: str, base: int, *, actor: User) -> SaveResult:
    spec = document.framework_version.parsed()
    _refuse_by_hand(spec, parse_key(spec, key))
    with transaction.atomic():
        lock_for_edit(document)
        entry = (
            Entry.objects.select_for_update(no_key=True).filter(document=document, key=key).first()
        )
        if entry is None or entry.deleted:
            return SaveResult("unchanged", entry)
        if entry.revision != base:
            return _conflict(entry, ())
        before = entry.content
        entry.deleted = True
        entry.revision += 1
        entry.updated_by = actor
        entry.save(update_fields=["deleted", "revision", "updated_by", "updated_at"])
        write_version(entry, actor=actor, reason="delete")
        record(
            Action.DELETE,
            actor=actor,
            obj=entry,
            before=before,
            message=f"delete r{entry.revision}",
        )
        return SaveResult("saved", entry)


def _refuse_by_hand(spec: Framework, address: EntryAddress) -> None:
    """A table filled from the task list gets its rows from there only: none is added or
    deleted by hand (a task that leaves the list is flagged, not deleted)."""
    if address.kind != keys.ROW:
        return
    table = spec.table(address.key.code)
    if table is not None and table.rows_from is not None:
        raise ContentError(
            {
                "": _(
                    "The rows of this table come from the task list: they are added by "
                    "“Update from the task list” and are never deleted by hand."
                )
            }
        )


def _check_source_cells(
    spec: Framework, address: EntryAddress, entry: Entry | None, base: int, content: dict[str, Any]
) -> None:
    """Refuse a save that changes a cell the task list fills (read-only to the agency). The
    cell may be as the row is now, or as it was at ``base`` (the editor's copy, older than a
    refresh from the list: the merge then keeps the list's value)."""
    table = spec.table(address.key.code)
    if table is None or table.rows_from is None:
        return
    if entry is None:
        _refuse_by_hand(spec, address)
        return
    allowed = [entry.content.get("cells", {})]
    if base != entry.revision:
        old = content_at(EntryVersion.objects.filter(entry=entry), base)
        if old is not None:
            allowed.append(old.get("cells", {}))
    cells = content.get("cells", {})
    errors = {
        f"cells.{column.code}": _("%(column)s comes from the task list and cannot be changed here.")
        % {"column": column.title}
        for column in table.source_columns()
        if all(cells.get(column.code) != known.get(column.code) for known in allowed)
    }
    if errors:
        raise ContentError(errors)


@dataclass
class FillResult:
    """What ``do_fill_rows`` did: rows added, rows whose task changed (refreshed), rows whose
    task left the list (flagged)."""

    added: int = 0
    refreshed: int = 0
    flagged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.refreshed or self.flagged)


def filled_tables(spec: Framework, document: Document) -> list[Table]:
    """The tables of the document filled from a source, as asked of its unit."""
    return [
        t for s in visible_sections(spec, document) for t in s.tables if t.rows_from is not None
    ]


def _source_plan(document: Document) -> list[tuple[Table, list[SourceRow]]]:
    spec = document.framework_version.parsed()
    plan = []
    for table in filled_tables(spec, document):
        assert table.rows_from is not None
        rows = source_rows(document, table.rows_from)
        if rows is not None:
            plan.append((table, rows))
    return plan


def _filled_cells(table: Table, row: SourceRow) -> dict[str, Any]:
    """The read-only cells of the item's row, as a save would store them (so that comparing
    them with the stored row finds only real changes); ContentError naming the item when
    the list holds what the column cannot (a code too long for its column …)."""
    by_role = {c.role: c.code for c in table.source_columns()}
    raw = {by_role[role]: value for role, value in row.cells.items() if role in by_role}
    cells, errors = read_row_cells(table, raw, locale="en")
    if errors:
        raise ContentError({f"{row.key}: {path}": text for path, text in errors.items()})
    return cells


FillChange = tuple[str, str, Entry | None, dict[str, Any]]


def _fill_changes(
    table: Table, rows: list[SourceRow], entries: dict[str, Entry]
) -> list[FillChange]:
    """What filling ``table`` from ``rows`` would change: (what: "add", "refresh" or "flag",
    key, the entry (None to add), the read-only cells it must have). The agency's own cells
    are never touched."""
    assert table.rows_from is not None
    lead = table.by_role("task_lead")
    changes: list[FillChange] = []
    wanted: set[str] = set()
    for row in rows:
        key = str(Collection.table(table.code).key(row_uid(table.rows_from, row.key)))
        wanted.add(key)
        cells = _filled_cells(table, row)
        entry = entries.get(key)
        if entry is None:
            changes.append(("add", key, None, cells))
            continue
        now = entry.content.get("cells", {})
        if entry.deleted or any(now.get(code) != value for code, value in cells.items()):
            changes.append(("refresh", key, entry, cells))
    if lead is not None:
        for key, entry in entries.items():
            if key in wanted or entry.deleted:
                continue
            if entry.content.get("cells", {}).get(lead.code) != "removed":
                changes.append(("flag", key, entry, {lead.code: "removed"}))
    return changes


def rows_to_fill(document: Document) -> bool:
    """Whether ``do_fill_rows`` would change anything now (read without a lock: the editor
    page asks it on every opening, and fills only when it would)."""
    for table, rows in _source_plan(document):
        entries = {
            e.key: e
            for e in Entry.objects.filter(
                document=document, collection=str(Collection.table(table.code))
            )
        }
        if _fill_changes(table, rows, entries):
            return True
    return False


def do_fill_rows(document: Document, *, actor: User) -> FillResult:
    """Fill the document's tables that come from a task list: a row for each task assigned
    to the unit that has none yet (keyed by the task's code: never twice), the read-only
    cells of the others refreshed when the task changed, and the rows of tasks no longer on
    the list flagged "removed" (never deleted: the agency's text stays). Each row changes
    through the normal path (a revision, a version, an audit entry); one more audit entry on
    the document says what the fill did."""
    spec = document.framework_version.parsed()
    plan = _source_plan(document)  # reads the programmes' tables: before taking the lock
    result = FillResult()
    with transaction.atomic():
        lock_for_edit(document)
        for table, rows in plan:
            collection = str(Collection.table(table.code))
            entries = {
                e.key: e
                for e in Entry.objects.select_for_update(no_key=True).filter(
                    document=document, collection=collection
                )
            }
            for what, key, entry, cells in _fill_changes(table, rows, entries):
                if entry is None:
                    content = read_entry(spec, key, {"cells": cells}, locale="en")
                    address = parse_key(spec, key)
                    position = _next_position(document, collection)
                    _create_entry(document, key, address, content, position, actor, "task list")
                    result.added += 1
                    continue
                before = entry.content
                sent = as_sent(spec, key, entry.content)
                sent["cells"] = {**sent.get("cells", {}), **cells}
                entry.content = read_entry(spec, key, sent, locale="en")
                if entry.deleted:  # deleted by a table restore: the task is still assigned
                    entry.deleted = False
                    entry.save(update_fields=["deleted"])
                if what == "flag":
                    result.flagged += 1
                else:
                    result.refreshed += 1
                _commit(entry, before, actor, "task list", "saved")
        if result.changed:
            record(
                Action.FILL_ROWS,
                actor=actor,
                obj=document,
                after={
                    "tables": [t.code for t, _rows in plan],
                    "added": result.added,
                    "refreshed": result.refreshed,
                    "flagged": result.flagged,
                },
                message="fill from the task list",
            )
    return result


def do_move_entry(document: Document, key: str, after_key: str | None, *, actor: User) -> Entry:
    """Put a row right after ``after_key`` (first when None). Order is not content: a move
    never conflicts with an edit of the row."""
    with transaction.atomic():
        lock_for_edit(document)
        entry = Entry.objects.select_for_update(no_key=True).get(
            document=document, key=key, deleted=False
        )
        siblings = Entry.objects.filter(
            document=document, collection=entry.collection, deleted=False
        ).exclude(pk=entry.pk)
        before = entry.position
        if after_key is None:
            first = siblings.aggregate(m=Min("position"))["m"]
            entry.position = (first or 1) - 1
        else:
            anchor = siblings.get(key=after_key)
            entry.position = _slot_after(document, entry.collection, anchor, moving=entry)
        entry.revision += 1
        entry.updated_by = actor
        entry.save(update_fields=["position", "revision", "updated_by", "updated_at"])
        write_version(entry, actor=actor, reason="move")
        record(
            Action.UPDATE,
            actor=actor,
            obj=entry,
            before={"position": before},
            after={"position": entry.position, "after": after_key},
            message=f"move r{entry.revision}",
        )
        return entry


def do_restore_entry(document: Document, key: str, revision: int, *, actor: User) -> Entry:
    """Bring back an earlier version as a new revision (history is never rewritten)."""
    with transaction.atomic():
        lock_for_edit(document)
        entry = Entry.objects.select_for_update(no_key=True).get(document=document, key=key)
        old = EntryVersion.objects.get(entry=entry, revision=revision)
        before = entry.content
        entry.content = old.content
        entry.deleted = old.deleted
        entry.revision += 1
        entry.updated_by = actor
        entry.save(update_fields=["content", "deleted", "revision", "updated_by", "updated_at"])
        write_version(entry, actor=actor, reason=f"restore r{revision}")
        _audit(entry, actor, before, entry.content, f"restore r{revision}")
        return entry


def do_cite_new_legal_document(
    document: Document,
    section_code: str,
    *,
    number: str,
    issuer: str,
    title: str,
    doc_type: str,
    date: dt.date | None,
    actor: User,
) -> Entry:
    """Add a legal document missing from the catalogue and cite it in the section's legal
    basis: both or neither."""
    key = str(EntryKey.legal(section_code))
    with transaction.atomic():
        lock_for_edit(document)
        legal = do_add_legal_document(
            number=number, issuer=issuer, title=title, doc_type=doc_type, date=date, actor=actor
        )
        entry = Entry.objects.filter(document=document, key=key).first()
        items = list(entry.content.get("items", [])) if entry else []
        if {"code": legal.code} not in items:
            items.append({"code": legal.code})
        result = do_save_entry(
            document,
            key,
            entry.revision if entry else 0,
            {"items": items},
            actor=actor,
            locale="vi",
        )
        if result.status == "conflict" or result.entry is None:
            raise ContentError({"": _("Someone changed the legal basis meanwhile; try again.")})
        return result.entry


def collection_at(
    document: Document, collection: str, moment: dt.datetime
) -> dict[int, EntryVersion]:
    """The state of a table (or target list …) at a moment: each row's last version then."""
    state: dict[int, EntryVersion] = {}
    versions = (
        EntryVersion.objects.filter(
            entry__document=document, entry__collection=collection, saved_at__lte=moment
        )
        .select_related("entry")
        .order_by("entry_id", "revision")
    )
    for version in versions:
        state[version.entry_id] = version
    return state


def do_restore_collection(
    document: Document, collection: str, moment: dt.datetime, *, actor: User
) -> int:
    """Put a whole table back as it was at ``moment``; rows added since are removed. Each
    changed row gets a new revision. Returns the number of rows changed."""
    changed = 0
    rows: list[Change] = []
    with transaction.atomic():
        lock_for_edit(document)
        then = collection_at(document, collection, moment)
        for entry in Entry.objects.select_for_update(no_key=True).filter(
            document=document, collection=collection
        ):
            old = then.get(entry.pk)
            wanted_deleted = old is None or old.deleted
            wanted_content = old.content if old else entry.content
            wanted_position = old.position if old else entry.position
            if (entry.deleted, entry.content, entry.position) == (
                wanted_deleted,
                wanted_content,
                wanted_position,
            ):
                continue
            rows.append(
                (
                    entry,
                    {
                        "deleted": entry.deleted,
                        "content": entry.content,
                        "position": entry.position,
                    },
                    {
                        "deleted": wanted_deleted,
                        "content": wanted_content,
                        "position": wanted_position,
                    },
                )
            )
            entry.deleted, entry.content, entry.position = (
                wanted_deleted,
                wanted_content,
                wanted_position,
            )
            entry.revision += 1
            entry.updated_by = actor
            entry.save()
            write_version(entry, actor=actor, reason="restore table")
            changed += 1
        record_many(Action.RESTORE_ROW, rows, actor=actor, message=f"restore table {collection}")
        record(
            Action.UPDATE,
            actor=actor,
            obj=document,
            after={
                "collection": collection,
                "restored_to": moment.isoformat(),
                "rows_changed": changed,
            },
            message="restore table",
        )
    return changed


class AlreadyAttached(Exception):
    """The same file (same bytes) is already attached to that section: a double submit or a
    second tab. Nothing is stored again."""

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(attachment.original_name)
        self.attachment = attachment


class AttachmentQuotaExceeded(Exception):
    """The unit's evidence files would take more than ATTACHMENT_QUOTA_MB: nothing stored."""

    def __init__(self, used: int, size: int, quota: int) -> None:
        super().__init__(f"{used} + {size} > {quota} bytes")
        self.used = used
        self.size = size
        self.quota = quota


# Files of a unit kept by apps above this one (a task's evidence: govplan.programmes), each a
# function of the unit's id giving the bytes they take; registered from the apps' ready().
_other_files: dict[str, Callable[[int], int]] = {}


def register_unit_files(name: str, used_by: Callable[[int], int]) -> None:
    """Count ``used_by(unit_id)`` bytes in the unit's quota (registering again replaces)."""
    _other_files[name] = used_by


def quota_refusal(exc: AttachmentQuotaExceeded, file_name: str, unit_name: str) -> str:
    """What the person is told when ``file_name`` would take the unit over its quota."""

    def mb(size: int) -> str:  # as people read them: 1 decimal, Vietnamese comma
        return number_format(round(size / (1024 * 1024), 1), decimal_pos=1)

    return _(
        "%(name)s is not attached: the evidence files of %(unit)s already take "
        "%(used)s MB of the %(quota)s MB allowed, and this file takes %(size)s MB. "
        "Remove files that are no longer needed, or ask the administrator for more."
    ) % {
        "name": file_name,
        "unit": unit_name,
        "used": mb(exc.used),
        "quota": mb(exc.quota),
        "size": mb(exc.size),
    }


def unit_attachment_bytes(org_unit_id: int) -> int:
    """What a unit's evidence files take now: every file not removed, of all its documents,
    and the files other apps keep for it (registered with register_unit_files)."""
    total = Attachment.objects.filter(document__org_unit_id=org_unit_id, removed=False).aggregate(
        total=Sum("size")
    )["total"]
    return int(total or 0) + sum(used_by(org_unit_id) for used_by in _other_files.values())


def check_unit_quota(org_unit_id: int, size: int) -> None:
    """Under a lock on the unit's row, held to the end of the transaction: two uploads to the
    same unit at once are checked one after the other, so both cannot pass. Take it after the
    locks of what the file is attached to (the document, the task)."""
    quota = settings.ATTACHMENT_QUOTA_MB * 1024 * 1024
    if not quota:
        return
    # FOR NO KEY UPDATE: it serialises uploads to the unit, and leaves rows that merely refer
    # to the unit (documents, memberships, facts being written) unhindered.
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=org_unit_id).values_list("pk").get()
    used = unit_attachment_bytes(org_unit_id)
    if used + size > quota:
        raise AttachmentQuotaExceeded(used, size, quota)


def do_attach(
    document: Document,
    section_code: str,
    *,
    data: bytes,
    filename: str,
    content_type: str,
    description: str,
    actor: User,
    signed_copy: bool = False,
) -> Attachment:
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        # The signed copy is attached when the document is approved and locked for editing.
        if signed_copy:
            Document.objects.select_for_update(no_key=True).get(pk=document.pk)
        else:
            lock_for_edit(document)
            # Under the document's lock: of two identical submits, the second sees the first.
            existing = Attachment.objects.filter(
                document=document, section_code=section_code, sha256=digest, removed=False
            ).first()
            if existing is not None:
                raise AlreadyAttached(existing)
            # The head's signed copy is never refused for space: it is what was issued.
            check_unit_quota(document.org_unit_id, len(data))
        attachment = Attachment(
            document=document,
            section_code=section_code,
            original_name=filename[:255],
            content_type=content_type,
            size=len(data),
            sha256=digest,
            description=description[:300],
            uploaded_by=actor,
        )
        attachment.file.save(digest, ContentFile(data), save=False)
        attachment.save()
        record(Action.CREATE, actor=actor, obj=attachment, after=attachment.snapshot())
    return attachment


def do_remove_attachment(attachment: Attachment, *, actor: User) -> None:
    with transaction.atomic():
        lock_for_edit(attachment.document)
        attachment = Attachment.objects.select_for_update(no_key=True).get(pk=attachment.pk)
        if attachment.removed:
            return
        attachment.removed = True
        attachment.save(update_fields=["removed"])
        record(Action.DELETE, actor=actor, obj=attachment, before=attachment.snapshot())
