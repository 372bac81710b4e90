"""The live layer of the typed facts (govplan.facts), written wherever an entry's version
is: in the transaction that saves, deletes, restores or imports it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govplan.core.frameworks.model import Framework
from govplan.documents.models import Document, Entry
from govplan.facts import store

# Parsed framework versions by (id, last change): a published version never changes, and
# parsing one on every autosave would cost more than the save.
_SPECS: dict[tuple[int, Any], Framework] = {}
_SPECS_KEPT = 64


# The catalogue ids of a version's indicators, by the same key: a save then needs no look-up.
# The catalogue keeps an indicator's row (and id) for good once loaded, updating it in place.
# A code outside the catalogue maps to None (known to have no row: not looked up again).
_IDS: dict[tuple[int, Any], dict[str, int | None]] = {}


def spec_of(document: Document) -> Framework:
    version = document.framework_version
    key = (version.pk, version.updated_at)
    spec = _SPECS.get(key)
    if spec is None:
        if len(_SPECS) >= _SPECS_KEPT:
            _SPECS.clear()
            _IDS.clear()
        spec = _SPECS[key] = version.parsed()
    return spec


def indicator_ids_of(document: Document) -> dict[str, int | None]:
    version = document.framework_version
    key = (version.pk, version.updated_at)
    ids = _IDS.get(key)
    if ids is None:
        codes = spec_of(document).indicators
        found = store.indicator_ids(codes)
        ids = _IDS[key] = {code: found.get(code) for code in codes}
    return ids


def _document(entry: Entry) -> Document:
    """The entry's document with its unit and framework version, loaded unless the caller
    already did."""
    if Entry.document.is_cached(entry):
        document = entry.document
        if Document.org_unit.is_cached(document) and Document.framework_version.is_cached(document):
            return document
    # Only what the facts repeat and the spec cache's key: a version's source and parsed
    # spec are large, and decoding them on every save would cost more than the facts
    # (they load on their own the one time spec_of parses the version).
    return (
        Document.objects.select_related("org_unit", "framework_version")
        .only(
            "pk",
            "kind",
            "period_start",
            "period_end",
            "org_unit__kind",
            "org_unit__path",
            "framework_version__updated_at",
        )
        .get(pk=entry.document_id)
    )


def write_live_facts(entries: Sequence[Entry]) -> None:
    """The live facts of ``entries`` as they now are."""
    by_document: dict[int, list[Entry]] = {}
    for entry in entries:
        by_document.setdefault(entry.document_id, []).append(entry)
    for group in by_document.values():
        document = _document(group[0])
        store.write_entries(
            document,
            spec_of(document),
            [(e.key, e.content, e.deleted) for e in group],
            indicator_ids_of(document),
        )
