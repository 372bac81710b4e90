"""An entry's versions: writing one (or coalescing an autosave into the latest), and the
content at any revision, though autosaves coalesce into one version.

A coalesced version keeps, for each revision it absorbed, a step back: the part of the
content's canonical JSON that differs from the next revision's (common start and end left
out). An autosave edits one place, so a step costs about what was typed, and a save that
started from any earlier revision (a colleague's page, a second tab, a retried request)
still merges against exactly the content it started from."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.utils import timezone

from govplan.accounts.types import User
from govplan.documents.live_facts import write_live_facts
from govplan.documents.models import Entry, EntryVersion


def canonical(content: Any) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def step_back(revision: int, older: Any, newer: Any) -> list[Any]:
    """[revision, kept start, kept end, older middle]: ``older`` is the start of ``newer``,
    the middle, and the end of ``newer``."""
    old, new = canonical(older), canonical(newer)
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return [revision, start, end, old[start : len(old) - end]]


def _undo(newer: str, step: list[Any]) -> str:
    _revision, start, end, middle = step
    assert isinstance(middle, str)
    return newer[:start] + middle + newer[len(newer) - end :]


def content_at(versions: Any, revision: int) -> dict[str, Any] | None:
    """The content at ``revision`` of the entry whose versions are ``versions`` (a queryset
    of one entry's EntryVersion), or None when the entry never had it."""
    exact = versions.filter(revision=revision).only("content").first()
    if exact is not None:
        return exact.content  # type: ignore[no-any-return]
    holder = (
        versions.filter(revision__gt=revision).order_by("revision").only("content", "steps").first()
    )
    if holder is None or not any(step[0] == revision for step in holder.steps or ()):
        return None
    text = canonical(holder.content)
    for step in reversed(holder.steps):
        text = _undo(text, step)
        if step[0] == revision:
            return json.loads(text)  # type: ignore[no-any-return]
    return None


def absorb(latest: EntryVersion, content: dict[str, Any]) -> None:
    """Record on ``latest`` the way back to its content before it takes ``content``."""
    latest.steps = [*(latest.steps or []), step_back(latest.revision, latest.content, content)]
    latest.content = content


def write_version(entry: Entry, *, actor: User, reason: str) -> None:
    EntryVersion.objects.create(
        entry=entry,
        revision=entry.revision,
        content=entry.content,
        position=entry.position,
        deleted=entry.deleted,
        reason=reason,
        saved_by=actor,
    )
    write_live_facts([entry])


def coalesce(entry: Entry, *, actor: User, reason: str) -> bool:
    """Update the entry's latest version in place, for an autosave that follows the same
    user's own within settings.AUTOSAVE_COALESCE_SECONDS of the version's first save; False
    (and nothing written) when a new version must be kept instead. ``entry`` already holds
    the new revision and content; the entry's row is locked by the caller.

    Never over a version that another user or another action (restore, import, move,
    carry-over …) wrote, nor one frozen in a submitted revision (workflow.RevisionEntry, its
    reverse name ``frozen_in``; the database refuses that too). The entry's revision counter
    still advances on every save and the version keeps a step back to each revision it
    absorbs (documents.versions), so a save from any of them merges exactly as before."""
    window = settings.AUTOSAVE_COALESCE_SECONDS
    if window <= 0 or reason != "edit" or actor is None:
        return False
    latest = EntryVersion.objects.filter(
        entry=entry, revision=entry.revision - 1, frozen_in__isnull=True
    ).first()
    now = timezone.now()
    if (
        latest is None
        or latest.reason != "edit"
        or latest.saved_by_id != actor.pk
        or latest.deleted != entry.deleted
        or now - (latest.started_at or latest.saved_at) >= dt.timedelta(seconds=window)
    ):
        return False
    latest.started_at = latest.started_at or latest.saved_at
    absorb(latest, entry.content)
    latest.revision = entry.revision
    latest.saved_at = now
    latest.save(update_fields=["started_at", "steps", "revision", "content", "saved_at"])
    write_live_facts([entry])
    return True
