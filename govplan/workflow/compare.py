"""What changed between two submitted revisions: text, values, rows."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from govplan.core.documents import keys
from govplan.core.documents.keys import BadKey, EntryKey
from govplan.documents.labels import content_lines, entry_label
from govplan.documents.models import Document
from govplan.documents.sanitize import text_of
from govplan.workflow.models import DocumentRevision
from govplan.workflow.revisions import revision_content

_WORDS = re.compile(r"\S+|\s+")


@dataclass
class TextChange:
    label: str
    pieces: list[tuple[str, str]]  # ("same" | "added" | "removed", text)


@dataclass
class EntryChange:
    label: str
    kind: str  # added, removed, changed
    before: list[tuple[str, str]] = field(default_factory=list)
    after: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Comparison:
    old: DocumentRevision
    new: DocumentRevision
    texts: list[TextChange]
    entries: list[EntryChange]

    @property
    def empty(self) -> bool:
        return not self.texts and not self.entries


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
        if op in ("delete", "replace"):
            pieces.append(("removed", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("added", "".join(b[j1:j2])))
    return pieces


def compare_revisions(
    document: Document, old: DocumentRevision, new: DocumentRevision
) -> Comparison:
    spec = document.framework_version.parsed()
    before: dict[str, Any] = revision_content(old).get("entries", {})
    after: dict[str, Any] = revision_content(new).get("entries", {})
    texts: list[TextChange] = []
    entries: list[EntryChange] = []
    order = {s.code: i for i, s in enumerate(spec.walk())}

    def sort_key(key: str) -> tuple[int, str]:
        try:
            address = EntryKey.parse(key)
        except BadKey:
            return (9999, key)
        section = address.code if address.kind in (keys.NARRATIVE, keys.LEGAL) else ""
        return (order.get(section, 9999), key)

    for key in sorted(before.keys() | after.keys(), key=sort_key):
        old_content = before.get(key, {}).get("content")
        new_content = after.get(key, {}).get("content")
        if old_content == new_content:
            continue
        if EntryKey.parse(key).kind == keys.NARRATIVE:
            texts.append(
                TextChange(
                    entry_label(spec, key, new_content or old_content or {}),
                    word_diff(
                        text_of((old_content or {}).get("html", "")),
                        text_of((new_content or {}).get("html", "")),
                    ),
                )
            )
            continue
        content = new_content if new_content is not None else old_content
        label = entry_label(spec, key, content or {})
        kind = "added" if old_content is None else "removed" if new_content is None else "changed"
        old_lines = content_lines(spec, key, old_content or {})
        new_lines = content_lines(spec, key, new_content or {})
        if kind == "changed":
            old_map, new_map = dict(old_lines), dict(new_lines)
            changed = [
                k for k in dict.fromkeys([*old_map, *new_map]) if old_map.get(k) != new_map.get(k)
            ]
            old_lines = [(k, old_map.get(k, "")) for k in changed]
            new_lines = [(k, new_map.get(k, "")) for k in changed]
        entries.append(EntryChange(label, kind, old_lines, new_lines))
    return Comparison(old, new, texts, entries)
