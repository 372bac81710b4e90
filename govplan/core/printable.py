"""Text as a file can hold it.

Stored data may hold characters that no document format can carry: control characters (BEL,
ESC …) pasted before the input checks refused them, or half of a surrogate pair left by a
broken client. XML (DOCX, XLSX) refuses them or the file cannot be written (a lone surrogate
has no UTF-8 form), and no font has a glyph for a control character (PDF/A refuses the file).
The writers drop them, so that a file always comes out; what is left is what a reader sees.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

# C0 controls but tab, line feed and carriage return (the writers turn those into breaks),
# DEL and the C1 controls, surrogates (a Python string holding one cannot be encoded), and
# the two non-characters XML 1.0 excludes.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")

_T = TypeVar("_T")


def printable(text: str) -> str:
    """``text`` without the characters a document cannot hold. A high and a low surrogate
    that stand together are joined into the character they make; any other is dropped."""
    if not _UNPRINTABLE.search(text):
        return text
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return _UNPRINTABLE.sub("", text)


def printable_data(value: Any) -> Any:
    """Every string inside ``value`` (dicts, lists, tuples; keys too) made printable: for
    entries' stored JSON content before anything reads it."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(printable_data(v) for v in value)
    return value


def printable_model(value: _T) -> _T:
    """A frozen dataclass tree (the official document model) with every string made
    printable; parts that need no change are kept as they are."""
    return _clean(value)  # type: ignore[no-any-return]


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _clean(value: Any) -> Any:
    # The model has some 200,000 nodes and is walked before each file is written: the common
    # case (nothing to change) allocates nothing.
    if isinstance(value, str):
        return value if not _UNPRINTABLE.search(value) else printable(value)
    if isinstance(value, tuple):
        cleaned = None
        for index, item in enumerate(value):
            new = _clean(item)
            if new is not item:
                if cleaned is None:
                    cleaned = list(value)
                cleaned[index] = new
        return value if cleaned is None else tuple(cleaned)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _field_names(type(value)):
            old = getattr(value, name)
            new = _clean(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
