"""Apply the checked reference files to the database, idempotently, in one transaction.

Running it twice changes nothing: units are matched on their natural key
(scheme, code, valid_from), and only differing fields are written. The first
load records one summary audit entry; later loads record every changed unit
with its before and after.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from govplan.audit.models import Action
from govplan.audit.recorder import record, snapshot
from govplan.core.orgunit_reference import (
    Problem,
    ReferenceDataError,
    ReferenceSet,
    UnitRow,
    read_reference,
)
from govplan.orgunits.models import OrgUnit, OrgUnitName, ReferenceSource, Succession

UNIT_FIELDS = ("kind", "name", "short_name", "name_en", "level_name", "valid_to", "source")
BATCH = 2000


@dataclass
class LoadReport:
    units_created: int = 0
    units_updated: int = 0
    names_written: int = 0
    successions_created: int = 0
    successions_removed: int = 0
    sources_written: int = 0
    stale_units: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.units_created
            or self.units_updated
            or self.names_written
            or self.successions_created
            or self.successions_removed
            or self.sources_written
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "units_created": self.units_created,
            "units_updated": self.units_updated,
            "names_written": self.names_written,
            "successions_created": self.successions_created,
            "successions_removed": self.successions_removed,
            "sources_written": self.sources_written,
            "stale_units": len(self.stale_units),
        }


def _current_name(row: UnitRow, refset: ReferenceSet) -> dict[str, str]:
    """A unit's current name is its last rename, or the name it started with."""
    names = sorted(
        (r for r in refset.renames if r.unit_index == row.index), key=lambda r: r.effective_date
    )
    if names:
        last = names[-1]
        return {
            "name": last.name,
            "short_name": last.short_name or row.short_name,
            "name_en": last.name_en or row.name_en,
            "level_name": last.level_name or row.level_name,
        }
    return {
        "name": row.name,
        "short_name": row.short_name,
        "name_en": row.name_en,
        "level_name": row.level_name,
    }


def _digest(base: Path, files: list[str]) -> dict[str, str]:
    return {f: hashlib.sha256((base / f).read_bytes()).hexdigest()[:16] for f in files}


def load_reference(base: Path, *, actor: AbstractBaseUser | None = None) -> LoadReport:
    """Check everything first (raises ReferenceDataError, writing nothing), then apply."""
    refset = read_reference(base)
    with transaction.atomic():
        report = _apply(refset, actor)
        if report.changed:
            record(
                Action.REFERENCE_LOAD,
                actor=actor,
                after={"report": report.as_dict(), "files": _digest(base, refset.files)},
                message=f"{base}",
            )
    return report


def _apply(refset: ReferenceSet, actor: AbstractBaseUser | None) -> LoadReport:
    report = LoadReport()
    first_load = not OrgUnit.objects.exclude(source="").exists()

    existing_sources = {s.key: s for s in ReferenceSource.objects.all()}
    for key, source in refset.sources.items():
        current = existing_sources.get(key)
        if current is None:
            ReferenceSource.objects.create(key=key, title=source.title, reference=source.reference)
            report.sources_written += 1
        elif (current.title, current.reference) != (source.title, source.reference):
            current.title, current.reference = source.title, source.reference
            current.save()
            report.sources_written += 1

    existing = {(u.scheme, u.code, u.valid_from): u for u in OrgUnit.objects.exclude(source="")}
    ids: dict[int, OrgUnit] = {}  # row index -> unit

    for level in refset.depth_order():
        to_create: list[tuple[UnitRow, OrgUnit]] = []
        for row in level:
            parent = ids[row.parent_index] if row.parent_index is not None else None
            values: dict[str, Any] = {
                "kind": row.kind,
                **_current_name(row, refset),
                "valid_to": row.validity.end,
                "source": row.source,
            }
            unit = existing.pop(row.key, None)
            if unit is None:
                unit = OrgUnit(
                    scheme=row.scheme,
                    code=row.code,
                    valid_from=row.validity.start,
                    parent=parent,
                    depth=(parent.depth + 1) if parent else 0,
                    path="",
                    **values,
                )
                to_create.append((row, unit))
            else:
                changed = {k: v for k, v in values.items() if getattr(unit, k) != v}
                parent_id = parent.pk if parent else None
                if unit.parent_id != parent_id:
                    raise_parent_change(row, unit)
                if changed:
                    before = snapshot(unit, changed.keys())
                    for key, value in changed.items():
                        setattr(unit, key, value)
                    unit.save(update_fields=[*changed.keys(), "updated_at"])
                    report.units_updated += 1
                    if not first_load:
                        record(
                            Action.UPDATE,
                            actor=actor,
                            obj=unit,
                            before=before,
                            after=snapshot(unit, changed.keys()),
                            message=f"reference data {row.location}",
                        )
            ids[row.index] = unit
        if to_create:
            created = OrgUnit.objects.bulk_create([u for _, u in to_create], batch_size=BATCH)
            for (row, _), unit in zip(to_create, created, strict=True):
                parent = ids[row.parent_index] if row.parent_index is not None else None
                unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
                ids[row.index] = unit
            OrgUnit.objects.bulk_update(created, ["path"], batch_size=BATCH)
            report.units_created += len(created)

    report.stale_units = [f"{u.scheme}:{u.code} {u.name}" for u in existing.values()]
    report.names_written = _sync_names(refset, ids)
    report.successions_created, report.successions_removed = _sync_successions(refset, ids)
    return report


def raise_parent_change(row: UnitRow, unit: OrgUnit) -> None:
    raise ReferenceDataError(
        [
            Problem(
                row.location,
                f"{unit.scheme}:{unit.code} already exists with another parent; a unit never "
                "changes parent: end it and create a successor instead",
            )
        ]
    )


def _sync_names(refset: ReferenceSet, ids: dict[int, OrgUnit]) -> int:
    wanted: dict[tuple[int, Any], dict[str, str]] = {}
    for row in refset.units:
        if any(r.unit_index == row.index for r in refset.renames):
            wanted[(ids[row.index].pk, row.validity.start)] = {
                "name": row.name,
                "short_name": row.short_name,
                "name_en": row.name_en,
                "level_name": row.level_name,
                "source": row.source,
            }
    for rename in refset.renames:
        base = refset.units[rename.unit_index]
        wanted[(ids[rename.unit_index].pk, rename.effective_date)] = {
            "name": rename.name,
            "short_name": rename.short_name or base.short_name,
            "name_en": rename.name_en or base.name_en,
            "level_name": rename.level_name or base.level_name,
            "source": rename.source,
        }
    reference_unit_ids = {u.pk for u in ids.values()}
    have = {
        (n.unit_id, n.valid_from): n
        for n in OrgUnitName.objects.filter(unit_id__in={k[0] for k in wanted})
    }
    written = 0
    for key, values in wanted.items():
        name = have.pop(key, None)
        if name is None:
            OrgUnitName.objects.create(unit_id=key[0], valid_from=key[1], **values)
            written += 1
        elif any(getattr(name, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(name, k, v)
            name.save()
            written += 1
    stale = [n.pk for n in have.values() if n.unit_id in reference_unit_ids and n.source]
    if stale:
        OrgUnitName.objects.filter(pk__in=stale).delete()
        written += len(stale)
    return written


def _sync_successions(refset: ReferenceSet, ids: dict[int, OrgUnit]) -> tuple[int, int]:
    wanted = {(ids[s.from_index].pk, ids[s.to_index].pk): s for s in refset.successions}
    have = {(s.predecessor_id, s.successor_id): s for s in Succession.objects.exclude(source="")}
    to_create: list[Succession] = []
    for pair, row in wanted.items():
        current = have.pop(pair, None)
        values = {
            "kind": row.kind,
            "effective_date": row.effective_date,
            "note": row.note,
            "source": row.source,
        }
        if current is None:
            to_create.append(Succession(predecessor_id=pair[0], successor_id=pair[1], **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
    Succession.objects.bulk_create(to_create, batch_size=BATCH)
    removed = 0
    if have:
        removed, _ = Succession.objects.filter(pk__in=[s.pk for s in have.values()]).delete()
    return len(to_create), removed
