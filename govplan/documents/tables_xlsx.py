"""A document's tables as XLSX and back: the template, the preview of an upload, and its
all-or-nothing application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.core.documents.xlsx import (
    ImportProblem,
    RowData,
    SheetSpec,
    read_workbook,
    write_workbook,
)
from govplan.core.documents.xlsx_reader import ReadLimits
from govplan.core.frameworks.model import Framework, Table
from govplan.core.frameworks.problems import gettext_noop
from govplan.documents.actions import lock_for_edit, new_uid
from govplan.documents.content import MAX_ROWS_PER_TABLE
from govplan.documents.models import Document, Entry, EntryVersion, ImportBatch

# Short labels fit in a spreadsheet header.
SOURCE_SHORT = {
    "central_budget": "NSTW",
    "provincial_budget": "NS tỉnh",
    "district_budget": "NS huyện",
    "commune_budget": "NS xã",
    "oda": "ODA",
    "enterprise": "Doanh nghiệp",
    "other": "Nguồn khác",
}
TYPE_SHORT = {"capital": "Vốn ĐTPT", "recurrent": "Vốn SN"}


def sheet_specs(spec: Framework, document: Document, only: str | None = None) -> list[SheetSpec]:
    from govplan.documents.editor import visible_sections

    visible = {s.code for s in visible_sections(spec, document)}
    specs = []
    for section, table in spec.tables():
        if section.code not in visible or (only is not None and table.code != only):
            continue
        specs.append(
            SheetSpec(
                table=table,
                years=tuple(spec.period.years()),
                source_labels=SOURCE_SHORT,
                type_labels=TYPE_SHORT,
            )
        )
    return specs


def _rows(document: Document, table: Table) -> list[RowData]:
    entries = Entry.objects.filter(
        document=document, collection=f"table:{table.code}", deleted=False
    ).order_by("position", "pk")
    return [
        RowData(
            uid=e.key.rsplit(":", 1)[1],
            cells=e.content.get("cells", {}),
            phasing=e.content.get("phasing", {}),
        )
        for e in entries
    ]


def export_tables(document: Document, only: str | None = None) -> bytes:
    spec = document.framework_version.parsed()
    specs = sheet_specs(spec, document, only)
    return write_workbook(
        [(s, _rows(document, s.table)) for s in specs],
        title=document.title,
        locale="vi",
    )


def reader_limits() -> ReadLimits:
    return ReadLimits(
        memory_bytes=settings.IMPORT_READ_MEMORY_MB * 1024 * 1024,
        seconds=settings.IMPORT_READ_SECONDS,
    )


@dataclass
class TablePlan:
    table: Table
    added: list[RowData] = field(default_factory=list)
    changed: list[tuple[Entry, RowData]] = field(default_factory=list)
    unchanged: int = 0
    removed: list[Entry] = field(default_factory=list)


@dataclass
class ImportPlan:
    tables: list[TablePlan]
    problems: list[ImportProblem]
    revisions: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": sum(len(t.added) for t in self.tables),
            "changed": sum(len(t.changed) for t in self.tables),
            "removed": sum(len(t.removed) for t in self.tables),
            "unchanged": sum(t.unchanged for t in self.tables),
        }


def plan_import(document: Document, data: bytes, *, locale: str) -> ImportPlan:
    """What applying the workbook would do, table by table, and every problem in it."""
    spec = document.framework_version.parsed()
    specs = sheet_specs(spec, document)
    result = read_workbook(
        data,
        specs,
        locale=locale,
        max_rows=MAX_ROWS_PER_TABLE,
        limits=reader_limits(),
        context=f"document {document.pk}",
    )
    problems = list(result.problems)
    plans: list[TablePlan] = []
    revisions: dict[str, int] = {}
    for sheet_spec in specs:
        table = sheet_spec.table
        if table.code not in result.tables:
            continue
        existing = {
            e.key.rsplit(":", 1)[1]: e
            for e in Entry.objects.filter(
                document=document, collection=f"table:{table.code}", deleted=False
            )
        }
        plan = TablePlan(table=table)
        seen: set[str] = set()
        for index, row in enumerate(result.tables[table.code], start=2):
            content = {"cells": row.cells}
            if table.phasing is not None:
                content["phasing"] = row.phasing
            if row.uid is None:
                plan.added.append(row)
                continue
            entry = existing.get(row.uid)
            if entry is None:
                problems.append(
                    ImportProblem(
                        sheet=table.title[:31],
                        row=index,
                        column=None,
                        template=gettext_noop(
                            "the row id %(uid)s is not a row of this table in this document"
                        ),
                        params={"uid": row.uid},
                    )
                )
                continue
            seen.add(row.uid)
            revisions[entry.key] = entry.revision
            if entry.content == content:
                plan.unchanged += 1
            else:
                plan.changed.append((entry, row))
        for uid, entry in existing.items():
            if uid not in seen:
                plan.removed.append(entry)
                revisions[entry.key] = entry.revision
        plans.append(plan)
    return ImportPlan(tables=plans, problems=problems, revisions=revisions)


class StaleImport(Exception):
    """A row the preview showed was changed by someone since: nothing was applied."""


def apply_import(batch: ImportBatch, *, actor: Any) -> dict[str, int]:
    document = batch.document
    plan = plan_import(document, bytes(batch.data), locale="vi")
    if not plan.ok:
        raise StaleImport(_("The file has problems; nothing was applied."))
    with transaction.atomic():
        lock_for_edit(document)
        current = {
            key: (revision, deleted)
            for key, revision, deleted in Entry.objects.select_for_update()
            .filter(document=document, key__in=list(batch.revisions))
            .values_list("key", "revision", "deleted")
        }
        for key, revision in batch.revisions.items():
            if current.get(key) != (revision, False):
                raise StaleImport(
                    _(
                        "Someone changed the table since your preview; nothing was applied. "
                        "Upload the file again to see the changes."
                    )
                )
        spec = document.framework_version.parsed()
        section_of = {table.code: section.code for section, table in spec.tables()}
        for table_plan in plan.tables:
            collection = f"table:{table_plan.table.code}"
            # Removed rows in one statement; changed rows one by one (their contents differ).
            removed = table_plan.removed
            Entry.objects.filter(pk__in=[e.pk for e in removed]).update(
                deleted=True,
                revision=F("revision") + 1,
                updated_by=actor,
                updated_at=timezone.now(),
            )
            for entry in removed:
                entry.deleted = True
                entry.revision += 1
            changed = []
            for entry, row in table_plan.changed:
                entry.content = _content(table_plan.table, row)
                entry.revision += 1
                entry.updated_by = actor
                entry.save(update_fields=["content", "revision", "updated_by", "updated_at"])
                changed.append(entry)
            _versions([*removed, *changed], actor)
            position = (
                Entry.objects.filter(document=document, collection=collection).aggregate(
                    m=Max("position")
                )["m"]
                or 0.0
            )
            new_entries = []
            for row in table_plan.added:
                position += 1
                new_entries.append(
                    Entry(
                        document=document,
                        key=f"row:{table_plan.table.code}:{new_uid()}",
                        kind="row",
                        section_code=section_of[table_plan.table.code],
                        collection=collection,
                        position=position,
                        content=_content(table_plan.table, row),
                        revision=1,
                        updated_by=actor,
                    )
                )
            _versions(Entry.objects.bulk_create(new_entries, batch_size=500), actor)
        batch.applied_at = timezone.now()
        batch.save(update_fields=["applied_at"])
        counts = plan.counts
        record(
            Action.UPDATE,
            actor=actor,
            obj=document,
            after={"import": batch.filename, **counts},
            message="xlsx import",
        )
    return counts


def _versions(entries: list[Entry], actor: Any) -> None:
    EntryVersion.objects.bulk_create(
        [
            EntryVersion(
                entry=entry,
                revision=entry.revision,
                content=entry.content,
                position=entry.position,
                deleted=entry.deleted,
                reason="import",
                saved_by=actor,
            )
            for entry in entries
        ],
        batch_size=500,
    )


def _content(table: Table, row: RowData) -> dict[str, Any]:
    content: dict[str, Any] = {"cells": row.cells}
    if table.phasing is not None:
        content["phasing"] = row.phasing
    return content
