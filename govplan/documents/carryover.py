"""Starting a new cycle's document from the previous cycle: the unit's own document and, for
a unit formed from several, each predecessor's (cycles.previous_documents).

- continuing projects come across with the phasing that falls in the new period (columns
  are matched by their role, so it works between frameworks whose columns differ);
- the legal basis and the narrative come across as starting text where the new framework
  has a section with the same code (from several documents: the texts one after the other,
  each under its unit's name; the legal bases together);
- targets come across into the new plan's targets section.
Every carried row and target names the document it came from (Entry.origin).
A report's results section is filled from the targets of the plan that covers its period.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import escape

from govplan.accounts.types import User
from govplan.core.documents import keys
from govplan.core.documents.keys import Collection, EntryKey, new_uid
from govplan.core.documents.totals import split_phasing_key
from govplan.core.frameworks.model import Framework, Table
from govplan.documents.models import Document, Entry
from govplan.documents.presentation import target_words
from govplan.documents.read import target_of
from govplan.documents.versions import write_version
from govplan.orgunits.history import came_from

ROLES_CARRIED = (
    "project_name",
    "lead_unit",
    "application_field",
    "objective",
    "scale",
    "scope",
    "duration",
    "total_investment",
    "funding_source",
    "funding_type",
    "notes",
)


def _continuing(old_spec: Framework, table: Table, content: dict[str, Any]) -> bool:
    """A project goes on if its duration reaches past the old period, or it has phasing
    beyond it, or it is marked as continuing."""
    cells = content.get("cells", {})
    duration = table.by_role("duration")
    if duration and cells.get(duration.code):
        end = int(str(cells[duration.code]).split("-")[-1])
        if end > old_spec.period.end:
            return True
    for key in content.get("phasing", {}):
        if split_phasing_key(key)[0] > old_spec.period.end:
            return True
    status = table.by_role("project_status")
    return bool(status and cells.get(status.code) == "continuing")


def _project_table(spec: Framework) -> Table | None:
    for _section, table in spec.tables():
        if table.by_role("project_name") is not None:
            return table
    return None


def _create(
    document: Document,
    key: EntryKey,
    section: str,
    position: float,
    content: dict[str, Any],
    actor: User,
    origin: Document | None = None,
) -> None:
    entry = Entry.objects.create(
        document=document,
        key=str(key),
        kind=key.kind,
        section_code=section,
        collection=str(key.collection or ""),
        position=position,
        content=content,
        revision=1,
        updated_by=actor,
        origin=origin,
    )
    write_version(entry, actor=actor, reason="carry-over")


def carry_over(sources: Sequence[Document], target: Document, *, actor: User) -> None:
    """Start ``target`` from the previous cycle's documents ``sources`` (in this order)."""
    new_spec = target.framework_version.parsed()
    entries: dict[int, list[Entry]] = {s.pk: [] for s in sources}
    for entry in Entry.objects.filter(document__in=sources, deleted=False).order_by(
        "position", "pk"
    ):
        entries[entry.document_id].append(entry)

    # Narrative and legal basis, where the new framework has the same section.
    texts: dict[str, list[tuple[Document, Entry]]] = {}
    sections: dict[str, str] = {}
    for source in sources:
        for entry in entries[source.pk]:
            if entry.kind not in (keys.NARRATIVE, keys.LEGAL):
                continue
            section = new_spec.section(entry.section_code or EntryKey.parse(entry.key).code)
            if section is None:
                continue
            if (entry.kind == keys.NARRATIVE and section.narrative) or (
                entry.kind == keys.LEGAL and section.legal_basis is not None
            ):
                texts.setdefault(entry.key, []).append((source, entry))
                sections[entry.key] = section.code
    for key, found in texts.items():
        (source, first), several = found[0], len(found) > 1
        content = _joined(found) if several else first.content
        origin = None if several else source
        _create(target, EntryKey.parse(key), sections[key], 0, content, actor, origin)

    position = 0.0
    for source in sources:
        position = _projects(source, entries[source.pk], target, new_spec, position, actor)
    position = 0.0
    for source in sources:
        position = _targets(source, entries[source.pk], target, new_spec, position, actor)


def _joined(found: list[tuple[Document, Entry]]) -> dict[str, Any]:
    """Several documents' text of one section: each under its unit's name; legal bases as one
    list without repeats."""
    if found[0][1].kind == keys.LEGAL:
        items: list[dict[str, Any]] = []
        for _source, entry in found:
            items += [i for i in entry.content.get("items", []) if i not in items]
        return {"items": items}
    html = "".join(
        f"<p><strong>{escape(source.org_unit.name_on(source.structure_date))}</strong></p>"
        + entry.content.get("html", "")
        for source, entry in found
    )
    return {"html": html}


def _projects(
    source: Document,
    old_entries: list[Entry],
    target: Document,
    new_spec: Framework,
    position: float,
    actor: User,
) -> float:
    """Continuing projects, with their remaining phasing."""
    old_spec = source.framework_version.parsed()
    new_table = _project_table(new_spec)
    if new_table is not None:
        new_section = next(s for s, t in new_spec.tables() if t.code == new_table.code)
        years = set(new_spec.period.years())
        for _section, old_table in old_spec.tables():
            if old_table.by_role("project_name") is None:
                continue
            for entry in old_entries:
                if entry.collection != str(Collection.table(old_table.code)):
                    continue
                if not _continuing(old_spec, old_table, entry.content):
                    continue
                old_cells = entry.content.get("cells", {})
                cells: dict[str, Any] = {}
                for role in ROLES_CARRIED:
                    old_column, new_column = old_table.by_role(role), new_table.by_role(role)
                    if (
                        old_column
                        and new_column
                        and old_column.type == new_column.type
                        and old_cells.get(old_column.code) is not None
                    ):
                        cells[new_column.code] = old_cells[old_column.code]
                status = new_table.by_role("project_status")
                if status and any(o.code == "continuing" for o in status.choices):
                    cells[status.code] = "continuing"
                content: dict[str, Any] = {"cells": cells}
                if new_table.phasing is not None:
                    content["phasing"] = {
                        key: value
                        for key, value in entry.content.get("phasing", {}).items()
                        if split_phasing_key(key)[0] in years
                        and split_phasing_key(key)[1] in new_table.phasing.sources
                        and split_phasing_key(key)[2] in new_table.phasing.types
                    }
                # Its group comes across where the new table has a group of that code.
                group = entry.content.get("group", "")
                if group and any(g.code == group for g in new_table.groups):
                    content["group"] = group
                position += 1
                _create(
                    target,
                    Collection.table(new_table.code).key(new_uid()),
                    new_section.code,
                    position,
                    content,
                    actor,
                    source,
                )
    return position


def _targets(
    source: Document,
    old_entries: list[Entry],
    target: Document,
    new_spec: Framework,
    position: float,
    actor: User,
) -> float:
    """Targets, into the first targets section of the new plan."""
    targets_section = next((s for s in new_spec.walk() if s.targets is not None), None)
    if targets_section is not None:
        for entry in old_entries:
            if entry.kind != keys.TARGET:
                continue
            content = dict(entry.content)
            if content.get("indicator") and content["indicator"] not in new_spec.indicators:
                content.pop("indicator")
                content.setdefault("text", entry.content.get("text") or entry.content["indicator"])
            if content.get("year") not in new_spec.period.years():
                content.pop("year", None)
            position += 1
            _create(
                target,
                Collection(keys.TARGET, targets_section.code).key(new_uid()),
                targets_section.code,
                position,
                content,
                actor,
                source,
            )
    return position


def plan_targets_for_report(report: Document) -> list[tuple[Document, Entry]]:
    """The targets of the plans whose period covers the report's: the unit's own and those
    of every unit it came from (the new Bắc Ninh reports for 2025 against the 2021-2025
    plans of the old Bắc Giang and the old Bắc Ninh)."""
    units = came_from({report.org_unit_id: True}, report.structure_date)
    plans = Document.objects.filter(
        org_unit_id__in=units,
        kind="plan",
        period_start__lte=report.period_end,
        period_end__gte=report.period_start,
    )
    return [
        (entry.document, entry)
        for entry in Entry.objects.filter(document__in=plans, kind=keys.TARGET, deleted=False)
        .select_related("document")
        .order_by("document__period_start", "document__org_unit_id", "position")
    ]


def fill_results(report: Document, *, actor: User) -> int:
    """Bring the plan's targets into the report's results section (once per target)."""
    spec = report.framework_version.parsed()
    section = next((s for s in spec.walk() if s.target_results), None)
    if section is None:
        return 0
    existing = {
        (e.content.get("source") or {}).get("key")
        for e in Entry.objects.filter(document=report, kind=keys.RESULT)
    }
    added = 0
    for plan, target in plan_targets_for_report(report):
        if target.key in existing:
            continue
        indicator = target.content.get("indicator", "")
        plan_spec = plan.framework_version.parsed()
        name = plan_spec.indicators.get(indicator) if indicator else None
        source = {
            "document": plan.pk,
            "key": target.key,
            "indicator": indicator,
            "text": target.content.get("text") or (name.name if name else ""),
            "baseline": target.content.get("baseline"),
            "target": target.content.get("target"),
            "year": target.content.get("year"),
            # The words and parts the plan stated its target with (issue 13, item 5).
            "option": target.content.get("option"),
            "target_n": target.content.get("target_n"),
            "target_d": target.content.get("target_d"),
            "words": target_words(plan_spec, target_of(target.key, 0, target.content), "vi")
            if name
            else "",
        }
        added += 1
        _create(
            report,
            Collection(keys.RESULT, section.code).key(new_uid()),
            section.code,
            float(added),
            {"source": {k: v for k, v in source.items() if v not in (None, "")}},
            actor,
            origin=plan if plan.org_unit_id != report.org_unit_id else None,
        )
    return added
