"""A document's tables as XLSX and back: the template, the preview of an upload (stored
whole as an ImportBatch), and the all-or-nothing application of exactly that preview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import Change, record, record_many
from govplan.core.adapters.xlsx import (
    ImportProblem,
    ImportResult,
    RowData,
    SheetSpec,
    read_workbook,
    write_workbook,
)
from govplan.core.adapters.xlsx_reader import ReadLimits
from govplan.core.documents import keys
from govplan.core.documents.cells import display_value
from govplan.core.documents.keys import Collection, EntryKey, new_uid
from govplan.core.documents.totals import WHOLE_PERIOD
from govplan.core.frameworks.model import Framework, Table
from govplan.core.i18n import gettext_noop
from govplan.documents.actions import lock_for_edit
from govplan.documents.content import MAX_ROWS_PER_TABLE
from govplan.documents.live_facts import write_live_facts
from govplan.documents.models import Document, Entry, EntryVersion, ImportBatch
from govplan.documents.read import visible_sections
from govplan.documents.row_sources import added_row_problem, with_source_cells

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
    specs = []
    # Only the tables the unit is asked (a table may be for some units only).
    for table in (t for s in visible_sections(spec, document) for t in s.tables):
        if only is not None and table.code != only:
            continue
        specs.append(
            SheetSpec(
                table=table,
                years=sheet_years(spec, table),
                source_labels=source_labels(spec),
                type_labels=TYPE_SHORT,
            )
        )
    return specs


def sheet_years(spec: Framework, table: Table) -> tuple[int, ...]:
    """The years of a sheet's amount columns: the period's, then the whole period where the
    table's phasing allows an amount for it."""
    whole = table.phasing is not None and table.phasing.whole_period
    return (*spec.period.years(), *((WHOLE_PERIOD,) if whole else ()))


def source_labels(spec: Framework) -> dict[str, str]:
    """The funding sources as a sheet's headers name them: short for the standard ones, as
    the framework names them where it declares its own."""
    return {**SOURCE_SHORT, **{s.code: s.title for s in spec.funding_sources}}


def _rows(document: Document, table: Table) -> list[RowData]:
    entries = Entry.objects.filter(
        document=document, collection=str(Collection.table(table.code)), deleted=False
    ).order_by("position", "pk")
    return [
        RowData(
            uid=EntryKey.parse(e.key).uid,
            cells=e.content.get("cells", {}),
            phasing=e.content.get("phasing", {}),
            group=e.content.get("group", ""),
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


# --- the preview: what applying the file will do, stored whole ----------------------------------

ROW_NAME_MAX = 200
MAX_CHANGES_NAMED = 10  # rows a refusal names; it counts the rest


def reader_limits() -> ReadLimits:
    return ReadLimits(
        memory_bytes=settings.IMPORT_READ_MEMORY_MB * 1024 * 1024,
        seconds=settings.IMPORT_READ_SECONDS,
    )


def row_name(table: Table | None, content: dict[str, Any]) -> str:
    """What people call a row: its project name (or first filled cell) as shown."""
    if table is None:
        return ""
    cells = content.get("cells", {})
    named = table.by_role("project_name")
    for column in [c for c in (named,) if c is not None] + list(table.columns):
        value = cells.get(column.code)
        if value not in (None, "", []):
            return display_value(column.type, value, choices=column.choices)[:ROW_NAME_MAX]
    return ""


def plan_counts(plan: dict[str, Any]) -> dict[str, int]:
    tables = plan.get("tables", [])
    return {
        "added": sum(len(t["added"]) for t in tables),
        "changed": sum(len(t["changed"]) for t in tables),
        "removed": sum(len(t["removed"]) for t in tables),
        "unchanged": sum(t["unchanged"] for t in tables),
    }


def plan_tables(
    document: Document, specs: list[SheetSpec], result: ImportResult
) -> tuple[dict[str, Any], list[ImportProblem]]:
    """What applying the rows read from the file would do, table by table, against the
    document's rows as they are now (the caller holds the document's lock), and the
    problems only the document can tell (a row id that is not one of its rows).

    For each table the file has: ``live``, every row key with its revision, as seen now;
    ``changed`` (key, revision, name, the columns that change, the new content);
    ``removed`` (key, revision, name); ``added`` (name, content); ``unchanged``, a count.
    JSON, stored in the batch: applying carries out exactly this."""
    problems: list[ImportProblem] = []
    tables: list[dict[str, Any]] = []
    for sheet_spec in specs:
        table = sheet_spec.table
        if table.code not in result.tables:
            continue
        existing = {
            EntryKey.parse(e.key).uid: e
            for e in Entry.objects.filter(
                document=document, collection=str(Collection.table(table.code)), deleted=False
            ).order_by("position", "pk")
        }
        plan: dict[str, Any] = {
            "code": table.code,
            "title": table.title,
            "live": {e.key: e.revision for e in existing.values()},
            "changed": [],
            "removed": [],
            "added": [],
            "unchanged": 0,
        }
        seen: set[str] = set()
        for index, row in enumerate(result.tables[table.code], start=2):
            content = _content(table, row)
            if row.uid is None and table.rows_from is not None:
                problems.append(added_row_problem(table, index))
                continue
            if row.uid is None:
                plan["added"].append({"name": row_name(table, content), "content": content})
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
            content = with_source_cells(table, entry.content, content)
            if entry.content == content:
                plan["unchanged"] += 1
                continue
            plan["changed"].append(
                {
                    "key": entry.key,
                    "revision": entry.revision,
                    "name": row_name(table, content) or row_name(table, entry.content),
                    "columns": _changed_columns(table, entry.content, content),
                    "phasing": entry.content.get("phasing", {}) != content.get("phasing", {}),
                    "content": content,
                }
            )
        for uid, entry in existing.items():
            if uid not in seen and table.rows_from is None:
                plan["removed"].append(
                    {
                        "key": entry.key,
                        "revision": entry.revision,
                        "name": row_name(table, entry.content),
                    }
                )
        tables.append(plan)
    return {"tables": tables}, problems


def _changed_columns(table: Table, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    old, new = before.get("cells", {}), after.get("cells", {})
    return [c.title for c in table.columns if old.get(c.code) != new.get(c.code)]


@dataclass
class Preview:
    """What the preview page shows: the plan (stored in ``batch`` when the file has no
    problem, so that applying does exactly this) and the file's problems."""

    plan: dict[str, Any]
    problems: list[ImportProblem]
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        return plan_counts(self.plan)


def do_preview_import(
    document: Document, data: bytes, *, filename: str, actor: User, locale: str
) -> Preview:
    """Read the file (in a process of its own, outside any transaction: it may take
    seconds), then, under the document's lock, plan it against the rows as they are and,
    if it has no problem, store the plan as an ImportBatch with its audit entry."""
    spec = document.framework_version.parsed()
    specs = sheet_specs(spec, document)
    result = read_workbook(
        data,
        specs,
        locale=locale,
        max_rows=MAX_ROWS_PER_TABLE,
        limits=reader_limits(),
        context=f"document {document.pk}, file {filename!r}, user {actor}",
    )
    with transaction.atomic():
        lock_for_edit(document)
        plan, problems = plan_tables(document, specs, result)
        problems = [*result.problems, *problems]
        if problems:
            return Preview(plan, problems)
        batch = ImportBatch.objects.create(
            document=document,
            filename=filename[:255],
            data=data,
            plan=plan,
            created_by=actor,
        )
        record(
            Action.CREATE,
            actor=actor,
            obj=batch,
            after={"document": document.pk, "filename": batch.filename, **plan_counts(plan)},
            message="xlsx import preview",
        )
    return Preview(plan, [], batch)


# --- applying the stored plan ----------------------------------------------------------------


class ImportRefused(Exception):
    """Nothing was applied; the message says why."""


class StaleImport(ImportRefused):
    """The tables' rows are not those the preview saw."""


class AlreadyApplied(ImportRefused):
    """The batch was applied before (a second click, a second tab)."""


def do_apply_import(batch: ImportBatch, *, actor: User) -> dict[str, int]:
    """Carry out the plan the preview showed, whole, in one transaction: the document
    locked first (lock_for_edit), then the batch (applied once only), then the tables' rows,
    which must be exactly those the preview saw, with the same revisions; otherwise
    StaleImport naming what changed and by whom. Returns the counts the preview showed."""
    with transaction.atomic():
        document = lock_for_edit(batch.document)
        locked = ImportBatch.objects.select_for_update(no_key=True).get(pk=batch.pk)
        if locked.applied_at is not None:
            raise AlreadyApplied(
                _("This file was already applied, at %(time)s; nothing was done again.")
                % {"time": formats.date_format(timezone.localtime(locked.applied_at), "H:i d/m/Y")}
            )
        tables = locked.plan.get("tables")
        if not tables:
            raise StaleImport(_("This preview cannot be applied any more; upload the file again."))
        spec = document.framework_version.parsed()
        live: dict[str, dict[str, Entry]] = {}
        differences: list[str] = []
        for table_plan in tables:
            entries = {
                e.key: e
                for e in Entry.objects.select_for_update(no_key=True).filter(
                    document=document,
                    collection=str(Collection.table(table_plan["code"])),
                    deleted=False,
                )
            }
            live[table_plan["code"]] = entries
            differences += _differences(
                document, spec.table(table_plan["code"]), table_plan, entries
            )
        if differences:
            named = differences[:MAX_CHANGES_NAMED]
            if len(differences) > len(named):
                named.append(_("%(n)s more") % {"n": len(differences) - len(named)})
            raise StaleImport(
                _(
                    "Nothing was applied: the table changed since your preview (%(changes)s). "
                    "Upload the file again to see the changes."
                )
                % {"changes": "; ".join(named)}
            )
        section_of = {table.code: section.code for section, table in spec.tables()}
        rows: list[Change] = []
        for table_plan in tables:
            rows += _apply_table(document, table_plan, live[table_plan["code"]], section_of, actor)
        record_many(Action.IMPORT_ROW, rows, actor=actor, message=f"xlsx import {locked.pk}")
        locked.applied_at = timezone.now()
        locked.save(update_fields=["applied_at"])
        counts = plan_counts(locked.plan)
        record(
            Action.UPDATE,
            actor=actor,
            obj=document,
            before={
                "rows": {
                    row["key"]: row["revision"]
                    for t in tables
                    for row in [*t["changed"], *t["removed"]]
                }
            },
            after={
                "import": locked.filename,
                "batch": locked.pk,
                **counts,
                "removed": [row["key"] for t in tables for row in t["removed"]],
            },
            message="xlsx import",
        )
    return counts


def _differences(
    document: Document, table: Table | None, plan: dict[str, Any], live: dict[str, Entry]
) -> list[str]:
    """Each way the table's live rows differ from those the preview saw, as a sentence
    naming the row and who last changed it."""
    seen: dict[str, int] = plan["live"]
    keys = (set(seen) ^ set(live)) | {
        k for k, e in live.items() if seen.get(k, e.revision) != e.revision
    }
    if not keys:
        return []
    out = []
    for entry in (
        Entry.objects.filter(document=document, key__in=keys)
        .select_related("updated_by")
        .order_by("position", "pk")
    ):
        params = {
            "row": row_name(table, entry.content) or EntryKey.parse(entry.key).uid,
            "table": plan["title"],
            "user": entry.updated_by.display_name if entry.updated_by else "?",
        }
        if entry.key not in seen:
            out.append(_("row “%(row)s” of “%(table)s” added by %(user)s") % params)
        elif entry.key not in live:
            out.append(_("row “%(row)s” of “%(table)s” deleted by %(user)s") % params)
        else:
            out.append(_("row “%(row)s” of “%(table)s” changed by %(user)s") % params)
        keys.discard(entry.key)
    for key in sorted(keys):  # gone from the database altogether
        params = {"row": EntryKey.parse(key).uid, "table": plan["title"]}
        out.append(_("row %(row)s of “%(table)s” removed") % params)
    return out


def _apply_table(
    document: Document,
    plan: dict[str, Any],
    live: dict[str, Entry],
    section_of: dict[str, str],
    actor: User,
) -> list[Change]:
    """Apply one table's plan; each row changed, with its content before and after (for
    its audit entry)."""
    now = timezone.now()
    collection = str(Collection.table(plan["code"]))
    # Removed rows in one statement; changed rows one by one (their contents differ).
    removed = [live[row["key"]] for row in plan["removed"]]
    Entry.objects.filter(pk__in=[e.pk for e in removed]).update(
        deleted=True, revision=F("revision") + 1, updated_by=actor, updated_at=now
    )
    for entry in removed:
        entry.deleted = True
        entry.revision += 1
    audited: list[Change] = [(e, {"content": e.content}, {"deleted": True}) for e in removed]
    changed = []
    for row in plan["changed"]:
        entry = live[row["key"]]
        audited.append((entry, {"content": entry.content}, {"content": row["content"]}))
        entry.content = row["content"]
        entry.revision += 1
        entry.updated_by = actor
        entry.save(update_fields=["content", "revision", "updated_by", "updated_at"])
        changed.append(entry)
    _versions([*removed, *changed], actor)
    position = (
        Entry.objects.filter(document=document, collection=collection).aggregate(m=Max("position"))[
            "m"
        ]
        or 0.0
    )
    new_entries = []
    for row in plan["added"]:
        position += 1
        new_entries.append(
            Entry(
                document=document,
                key=str(Collection.table(plan["code"]).key(new_uid())),
                kind=keys.ROW,
                section_code=section_of[plan["code"]],
                collection=collection,
                position=position,
                content=row["content"],
                revision=1,
                updated_by=actor,
            )
        )
    created = Entry.objects.bulk_create(new_entries, batch_size=500)
    _versions(created, actor)
    return [*audited, *((e, None, {"content": e.content}) for e in created)]


def _versions(entries: list[Entry], actor: User) -> None:
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
    write_live_facts(entries)


def _content(table: Table, row: RowData) -> dict[str, Any]:
    content: dict[str, Any] = {"cells": row.cells}
    if table.phasing is not None:
        content["phasing"] = row.phasing
    if table.groups and row.group:
        content["group"] = row.group
    return content
