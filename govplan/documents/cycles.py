"""A document's previous cycle, across the reorganisations.

The previous cycle of a unit's document is the unit's own document for the framework this
one follows and, where the unit was formed from others, theirs: every unit it came from
through changes in force by the day its framework is written for (its structure date), at
any distance (orgunits.history.came_from). Nothing is picked by chance: the new Bắc Ninh's
last cycle is the old Bắc Giang's and the old Bắc Ninh's documents together. How their values
combine (sums, ratios as sums of parts, the rest listed, partial predecessors never added) is
the core's: core.documents.values.combine_sources, and reading them through catalogue
mappings is too: core.documents.series.

The editor shows it beside each field, the anomaly check and previous() rules read it
(workflow.validation), and a new document starts from all of it (carryover).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from govplan.core.documents import keys, series
from govplan.core.documents.keys import EntryKey
from govplan.core.documents.series import EarlierDocument
from govplan.core.frameworks.model import Framework
from govplan.documents.models import Document, Entry
from govplan.frameworks.models import FrameworkVersion, version_heavy_fields
from govplan.orgunits.history import came_from
from govplan.orgunits.models import OrgUnit


@dataclass(frozen=True)
class PreviousDocument:
    document: Document
    whole: bool  # all of its unit came to ours (False after a split or a partial merge)
    own: bool  # written by the unit itself

    @property
    def label(self) -> str:
        """The unit's short name on the document's day (Bắc Giang)."""
        return self.document.org_unit.short_name_on(self.document.structure_date)


def previous_documents(unit: OrgUnit, version: FrameworkVersion) -> list[PreviousDocument]:
    """The documents of the previous cycle of ``unit``'s document against ``version``: the
    unit's own first, then its predecessors' by name."""
    follows = version.parsed().follows
    if not follows:
        return []
    return _documents({unit.pk: True}, follows, version.structure_date, own={unit.pk})


def _documents(
    starts: dict[int, bool], follows: str, until: dt.date, *, own: set[int]
) -> list[PreviousDocument]:
    units = came_from(starts, until)
    documents = (
        Document.objects.filter(framework__code=follows, org_unit_id__in=units)
        .select_related("org_unit", "framework", "framework_version")
        .defer(*version_heavy_fields("framework_version"))
        .prefetch_related("org_unit__names")
    )
    found = [PreviousDocument(d, units[d.org_unit_id], d.org_unit_id in own) for d in documents]
    return sorted(found, key=lambda p: (not p.own, p.document.org_unit.name, p.document.pk))


def combined_values(spec: Framework, sources: list[PreviousDocument]) -> dict[str, dict[str, Any]]:
    """Indicator code → the previous value standing for the unit, read into ``spec``'s
    indicators (core.documents.series): this reads the documents' values, in one query."""
    if not sources:
        return {}
    raw: dict[int, dict[str, dict[str, Any]]] = {s.document.pk: {} for s in sources}
    for entry in Entry.objects.filter(
        document__in=[s.document for s in sources], kind=keys.VALUE, deleted=False
    ).only("document_id", "key", "content"):
        raw[entry.document_id][EntryKey.parse(entry.key).code] = entry.content
    return series.combined_values(
        spec.indicators,
        [EarlierDocument(s.label, raw[s.document.pk], whole=s.whole, own=s.own) for s in sources],
    )


def previous_values(
    document: Document, sources: list[PreviousDocument] | None = None
) -> dict[str, dict[str, Any]]:
    """The previous cycle's values beside the document's fields; ``sources``: the document's
    ``previous_documents``, when the caller has them already (the editor page lists them)."""
    return combined_values(
        document.framework_version.parsed(),
        previous_documents(document.org_unit, document.framework_version)
        if sources is None
        else sources,
    )


def earlier_values(document: Document, cycles: int) -> list[dict[str, dict[str, Any]]]:
    """Up to ``cycles`` earlier cycles' values, oldest first, each read into the framework of
    the cycle after it, following `follows` and the successions at each step."""
    chain: list[dict[str, dict[str, Any]]] = []
    spec = document.framework_version.parsed()
    sources = previous_documents(document.org_unit, document.framework_version)
    for _step in range(cycles):
        values = combined_values(spec, sources)
        if not values:
            break
        chain.insert(0, values)
        spec = sources[0].document.framework_version.parsed()
        if not spec.follows:
            break
        sources = _documents(
            {s.document.org_unit_id: s.whole for s in sources},
            spec.follows,
            max(s.document.structure_date for s in sources),
            own={document.org_unit_id},
        )
    return chain
