"""The content of an entry at any revision, though autosaves coalesce into one version.

A coalesced version keeps, for each revision it absorbed, a step back: the part of the
content's canonical JSON that differs from the next revision's (common start and end left
out). An autosave edits one place, so a step costs about what was typed, and a save that
started from any earlier revision (a colleague's page, a second tab, a retried request)
still merges against exactly the content it started from."""

from __future__ import annotations

import json
from typing import Any

from govplan.documents.models import EntryVersion


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
