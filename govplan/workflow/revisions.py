"""What a submitted revision holds: the entry versions current when it was submitted and the
list of its attachments, referenced instead of copied (issue 12). ``revision_content`` is
the one way to read it back, in the shape the readers (official documents, comparison)
have always used."""

from __future__ import annotations

from typing import Any

from govplan.core.facts.extract import StoredEntry
from govplan.documents.live_facts import spec_of
from govplan.documents.models import Attachment, Document, Entry, EntryVersion
from govplan.facts import store
from govplan.workflow.models import DocumentRevision, RevisionEntry


def freeze(document: Document, revision: DocumentRevision) -> None:
    """Reference the current version of every live entry from ``revision`` (and record its
    attachments), inside the submission's transaction with the document locked.

    Every action writing an entry writes (or, for an autosave, updates) its version at the
    entry's revision, so that version is the entry as it stands. An entry without one (data
    from before that rule) gets one now, while the document is still editable."""
    live = dict(
        Entry.objects.filter(document=document, deleted=False).values_list("pk", "revision")
    )
    current = _current_versions(live)
    missing = [pk for pk in live if pk not in current]
    for entry in Entry.objects.filter(pk__in=missing):
        current[entry.pk] = EntryVersion.objects.create(
            entry=entry,
            revision=entry.revision,
            content=entry.content,
            position=entry.position,
            deleted=False,
            reason="submit",
            saved_by=None,
        ).pk
    RevisionEntry.objects.bulk_create(
        [RevisionEntry(revision=revision, version_id=pk) for pk in current.values()],
        batch_size=500,
    )


def _current_versions(live: dict[int, int]) -> dict[int, int]:
    """entry id -> id of its version at the entry's revision."""
    found: dict[int, int] = {}
    rows = EntryVersion.objects.filter(
        entry_id__in=list(live), revision__in=set(live.values())
    ).values_list("pk", "entry_id", "revision")
    for pk, entry_id, number in rows:
        if live.get(entry_id) == number:
            found[entry_id] = pk
    return found


def attachments_of(document: Document) -> list[dict[str, Any]]:
    return [a.snapshot() for a in Attachment.objects.filter(document=document, removed=False)]


def revision_content(revision: DocumentRevision) -> dict[str, Any]:
    """The document as ``revision`` froze it: {"entries": {key: {"content", "position",
    "kind"}}, "attachments": [...]}, entries in the document's order (collection, position).

    Revisions submitted before versions were referenced and that no version matched keep
    their copy (``snapshot``); it is returned as it is."""
    legacy: dict[str, Any] | None = revision.snapshot
    if legacy is not None:
        return legacy
    rows = (
        RevisionEntry.objects.filter(revision=revision)
        .order_by("version__entry__collection", "version__position", "version__entry_id")
        .values_list(
            "version__entry__key",
            "version__entry__kind",
            "version__content",
            "version__position",
        )
    )
    return {
        "entries": {
            key: {"content": content, "position": position, "kind": kind}
            for key, kind, content, position in rows
        },
        "attachments": list(revision.attachments),
    }


def write_revision_facts(document: Document, revision: DocumentRevision, layer: str) -> None:
    """The facts of ``layer`` (submitted, approved) for the document: those of the entries
    ``revision`` froze, never of the live ones (a revision does not change afterwards)."""
    entries = revision_content(revision)["entries"]
    store.replace_layer(
        document,
        spec_of(document),
        layer,
        [StoredEntry(key, item["content"]) for key, item in entries.items()],
        revision=revision.number,
    )
