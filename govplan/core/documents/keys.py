"""Where an entry sits in a document, as one typed key.

A document is stored as entries, each under a key that says what it is:

    narrative:<section>        the section's text
    legal:<section>            the section's legal basis
    value:<indicator>          an indicator's values
    row:<table>:<uid>          a row of a table
    target:<section>:<uid>     a quantified target
    result:<section>:<uid>     a result reported against a target
    budget:<section>:<uid>     a budget line

Rows, targets, results and budget lines belong to a *collection* ("table:projects",
"target:III.2" …), which orders them. These strings are stored in the database and sent by
the editor's page; this module is the only place that builds or reads them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import ClassVar

NARRATIVE = "narrative"
LEGAL = "legal"
VALUE = "value"
ROW = "row"
TARGET = "target"
RESULT = "result"
BUDGET = "budget"

SINGLE_KINDS = (NARRATIVE, LEGAL, VALUE)  # one entry per section or indicator
ROW_KINDS = (ROW, TARGET, RESULT, BUDGET)  # many entries, each with its own uid
KINDS = SINGLE_KINDS + ROW_KINDS

# The collection of each kind of row, by the prefix it is stored under.
_COLLECTION_PREFIX = {ROW: "table", TARGET: "target", RESULT: "result", BUDGET: "budget"}
_KIND_OF_PREFIX = {prefix: kind for kind, prefix in _COLLECTION_PREFIX.items()}

UID_RE = re.compile(r"^[a-z0-9]{6,32}$")
_CODE_RE = re.compile(r"^[^:\s]{1,100}$")


class BadKey(ValueError):
    """Text that is not an entry key or a collection."""


def _code(text: str, what: str) -> str:
    if not _CODE_RE.match(text):
        raise BadKey(f"{what}: {text!r} is not a code")
    return text


@dataclass(frozen=True, slots=True, order=True)
class Collection:
    """The ordered set of rows of one kind under one table or section."""

    kind: str  # the kind of its members: row, target, result or budget
    code: str  # the table's code for rows, the section's code for the others

    def __post_init__(self) -> None:
        if self.kind not in ROW_KINDS:
            raise BadKey(f"{self.kind!r} has no collection")
        _code(self.code, "collection")

    def __str__(self) -> str:
        return f"{_COLLECTION_PREFIX[self.kind]}:{self.code}"

    @classmethod
    def parse(cls, text: str) -> Collection:
        prefix, sep, code = text.partition(":")
        if not sep or prefix not in _KIND_OF_PREFIX:
            raise BadKey(f"{text!r} is not a collection")
        return cls(_KIND_OF_PREFIX[prefix], code)

    @classmethod
    def table(cls, code: str) -> Collection:
        return cls(ROW, code)

    @property
    def container(self) -> str:
        """What the editor's page names when it adds a member: "row:projects"."""
        return f"{self.kind}:{self.code}"

    def key(self, uid: str) -> EntryKey:
        return EntryKey(self.kind, self.code, uid)


@dataclass(frozen=True, slots=True, order=True)
class EntryKey:
    kind: str
    code: str  # the section (narrative, legal, targets …), indicator (value) or table (row)
    uid: str = ""  # rows only

    SEPARATOR: ClassVar[str] = ":"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BadKey(f"unknown kind of entry {self.kind!r}")
        _code(self.code, self.kind)
        if (self.kind in ROW_KINDS) != bool(self.uid):
            raise BadKey(f"{self.kind} entries {'need' if self.uid == '' else 'have no'} a uid")
        if self.uid and not UID_RE.match(self.uid):
            raise BadKey(f"{self.uid!r} is not a row id")

    def __str__(self) -> str:
        if self.uid:
            return f"{self.kind}:{self.code}:{self.uid}"
        return f"{self.kind}:{self.code}"

    @classmethod
    def parse(cls, text: str) -> EntryKey:
        """The key stored as ``text``; BadKey when it is not one."""
        kind, sep, rest = text.partition(":")
        if not sep:
            raise BadKey(f"{text!r} is not an entry key")
        if kind in ROW_KINDS:
            code, sep, uid = rest.rpartition(":")
            if not sep:
                raise BadKey(f"{text!r} has no row id")
            return cls(kind, code, uid)
        return cls(kind, rest)

    @classmethod
    def narrative(cls, section: str) -> EntryKey:
        return cls(NARRATIVE, section)

    @classmethod
    def legal(cls, section: str) -> EntryKey:
        return cls(LEGAL, section)

    @classmethod
    def value(cls, indicator: str) -> EntryKey:
        return cls(VALUE, indicator)

    @classmethod
    def row(cls, table: str, uid: str) -> EntryKey:
        return cls(ROW, table, uid)

    @property
    def collection(self) -> Collection | None:
        return Collection(self.kind, self.code) if self.kind in ROW_KINDS else None


def new_uid() -> str:
    """A new row's identifier within its collection (12 hex digits: collisions within one
    table are not a practical concern, and the key stays short in URLs and files)."""
    return secrets.token_hex(6)
