"""Merging concurrent edits of one entry without ever overwriting someone silently.

An edit names the revision it started from (its *base*). When the entry has moved on since,
the edit is merged field by field: what the editor changed relative to the base is applied
on top of the current content, provided nobody else changed the same field meanwhile to
something different. Otherwise the fields in conflict are returned, with both values, and
nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_MISSING = object()


def flatten(content: Any, prefix: str = "") -> dict[str, Any]:
    """{"cells": {"a": 1}, "html": "x"} → {"cells.a": 1, "html": "x"} (lists are leaves)."""
    if isinstance(content, dict) and content:
        flat: dict[str, Any] = {}
        for key, value in content.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten(value, path))
        return flat
    if isinstance(content, dict):
        return {}
    return {prefix: content} if prefix else {}


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for path, value in flat.items():
        node = result
        *parents, leaf = _split(path)
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return result


def _split(path: str) -> list[str]:
    # Keys may contain "|" (cells, phasing) but never "."; a ratio part is the last segment.
    return path.split(".")


def overlay(kept: Any, sent: Any) -> Any:
    """What was sent, with everything it leaves out taken from ``kept``, object by object.

    A save names the fields it changes; a field left out keeps its value (clearing a field is
    explicit: an empty value). So no editor, however it fails, erases a saved value by not
    sending it. Anything but an object replaces what it is sent over."""
    if not isinstance(kept, dict) or not isinstance(sent, dict):
        return sent
    result = dict(kept)
    for key, value in sent.items():
        result[key] = overlay(kept.get(key), value)
    return result


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Paths whose value differs; a removed path maps to None."""
    a, b = flatten(before), flatten(after)
    result = {}
    for path in a.keys() | b.keys():
        old, new = a.get(path, _MISSING), b.get(path, _MISSING)
        if old != new:
            result[path] = None if new is _MISSING else new
    return result


@dataclass(frozen=True)
class Conflict:
    path: str
    mine: Any
    theirs: Any
    base: Any


@dataclass(frozen=True)
class MergeResult:
    content: dict[str, Any] | None  # None when there is a conflict
    conflicts: tuple[Conflict, ...] = ()
    merged: bool = False  # True when someone else's changes were kept alongside ours


def merge(base: dict[str, Any], current: dict[str, Any], mine: dict[str, Any]) -> MergeResult:
    ours = changes(base, mine)
    if not ours:
        return MergeResult(content=current)
    theirs = changes(base, current)
    base_flat, current_flat = flatten(base), flatten(current)
    conflicts = tuple(
        Conflict(path, ours[path], theirs[path], base_flat.get(path))
        for path in sorted(ours.keys() & theirs.keys())
        if ours[path] != theirs[path]
    )
    if conflicts:
        return MergeResult(content=None, conflicts=conflicts)
    merged = dict(current_flat)
    for path, value in ours.items():
        if value is None:
            merged.pop(path, None)
        else:
            merged[path] = value
    if merged == current_flat:  # both made the same change: nothing to save again
        return MergeResult(content=current)
    return MergeResult(content=unflatten(merged), merged=bool(theirs))
