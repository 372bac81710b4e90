"""The audit trail's hash chain: canonical content, the entry hash, and the verifier.

Each audit entry carries a sequence number (1, 2, 3, … without gaps), the hash of the entry
before it (``prev_hash``; the first entry follows :data:`GENESIS`) and its own ``hash``:

    hash = sha256("govplan-audit-v1\\n" + prev_hash + "\\n" + canonical(content))

``canonical`` is a stable text of every field of the entry (sequence, time, actor, channel,
address, browser, action, object, before, after, message) that is the same whether the
values come from the code that wrote the entry, from PostgreSQL, from SQLite or from a
JSON line of the external sink: keys sorted, strings as JSON, every number as its
normalised decimal (PostgreSQL's jsonb keeps ``1.0`` and gives ``1e16`` back as an
integer; both read here as the same number), the time in UTC to the millisecond.

Changing, deleting, inserting or reordering any entry breaks a link that
:class:`ChainVerifier` finds, entry by entry, in constant memory.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

GENESIS: Final = "0" * 64
VERSION: Final = "govplan-audit-v1"

# The fields an entry's hash covers, besides the sequence number and the previous hash.
CONTENT_FIELDS: Final = (
    "at",
    "actor_id",
    "actor_username",
    "channel",
    "ip",
    "user_agent",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "message",
)

# An entry may carry a time a little before the one before it (several machines, clocks a
# little apart); further back than this it was back-dated.
CLOCK_TOLERANCE: Final = dt.timedelta(minutes=5)

_DECIMALS = decimal.Context(prec=1000)


class Problem:
    """What is wrong at a broken link (the codes stored with a verification)."""

    ALTERED = "altered"  # the entry's content no longer gives its hash
    MISSING = "missing"  # entries are absent before this one (deleted): a sequence gap
    INSERTED = "inserted"  # an entry that does not belong where it is (out of sequence)
    REORDERED = "reordered"  # the entry does not follow the hash of the entry before it
    BACKDATED = "backdated"  # its time is earlier than the entry before it
    TRUNCATED = "truncated"  # entries verified before are gone from the end
    NOT_IN_SINK = "not_in_sink"  # in the database, absent from the external copy
    NOT_IN_DATABASE = "not_in_database"  # in the external copy, absent from the database
    DIFFERS_FROM_SINK = "differs_from_sink"  # the two copies of an entry differ
    UNREADABLE = "unreadable"  # a line of the external copy is not an entry


def _number(value: int | float | decimal.Decimal) -> str:
    if isinstance(value, float):
        value = decimal.Decimal(repr(value))
    elif isinstance(value, int):
        value = decimal.Decimal(value)
    if not value.is_finite():
        return str(value)
    normal = value.normalize(_DECIMALS)
    return "0" if normal.is_zero() else str(normal)


def canonical_json(value: Any) -> str:
    """A stable text for a JSON-like value (see the module's docstring)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float | decimal.Decimal):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return (
            "{"
            + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{canonical_json(v)}" for k, v in items)
            + "}"
        )
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical_time(value: dt.datetime | str) -> str:
    """UTC to the millisecond (truncated); a naive time is taken as UTC. Milliseconds, not
    the database's microseconds: Django's JSON serialisation (dumpdata, a backup) keeps
    milliseconds only, and a restored entry must give the same hash."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    text = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:23] + "Z"


def canonical_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def canonical(seq: int, content: Mapping[str, Any]) -> str:
    """The text an entry's hash covers: its sequence number and every content field."""
    fields: dict[str, Any] = {name: content.get(name) for name in CONTENT_FIELDS}
    fields["seq"] = seq
    fields["at"] = canonical_time(content["at"])
    fields["ip"] = canonical_ip(content.get("ip"))
    actor = content.get("actor_id")
    fields["actor_id"] = None if actor in (None, "") else int(actor)
    for name in ("actor_username", "channel", "user_agent", "action"):
        fields[name] = fields[name] or ""
    for name in ("object_type", "object_id", "object_repr", "message"):
        fields[name] = fields[name] or ""
    return canonical_json(fields)


def entry_hash(prev_hash: str, seq: int, content: Mapping[str, Any]) -> str:
    text = f"{VERSION}\n{prev_hash}\n{canonical(seq, content)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sink_line(
    entry_id: int, seq: int, prev_hash: str, hash_: str, content: Mapping[str, Any]
) -> str:
    """One JSON line of the external copy: the entry as written, with its place in the chain."""
    fields = {name: content.get(name) for name in CONTENT_FIELDS}
    fields["at"] = canonical_time(content["at"])
    return json.dumps(
        {"id": entry_id, "seq": seq, "prev_hash": prev_hash, "hash": hash_, **fields},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry as the verifier reads it, from the database or from the external copy."""

    id: int | None
    seq: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]

    @classmethod
    def from_line(cls, line: str) -> Entry:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return cls(
            id=data.get("id"),
            seq=int(data["seq"]),
            prev_hash=str(data["prev_hash"]),
            hash=str(data["hash"]),
            content={name: data.get(name) for name in CONTENT_FIELDS},
        )


@dataclass(frozen=True, slots=True)
class Break:
    """A broken link: which entry, what is wrong, in words for the operator."""

    problem: str
    seq: int | None
    entry_id: int | None
    detail: str


@dataclass
class ChainVerifier:
    """Feed entries in sequence order; it keeps only the previous one.

    ``known_head`` is (sequence, hash) of the last entry a previous verification saw: if the
    chain now ends before it, entries were removed from its end.
    """

    known_head: tuple[int, str] | None = None
    entries: int = 0
    breaks: int = 0
    first: Break | None = None
    head_seq: int = 0
    head_hash: str = GENESIS
    _prev_at: dt.datetime | None = None
    _seen_known: bool = False
    problems: list[Break] = field(default_factory=list)
    keep: int = 20  # how many breaks to keep beyond the count

    def _broken(self, problem: str, entry: Entry | None, detail: str) -> None:
        found = Break(problem, entry.seq if entry else None, entry.id if entry else None, detail)
        self.breaks += 1
        if self.first is None:
            self.first = found
        if len(self.problems) < self.keep:
            self.problems.append(found)

    def feed(self, entry: Entry) -> None:
        self.entries += 1
        expected = self.head_seq + 1
        if entry.seq > expected:
            gap = f"{expected}" if entry.seq == expected + 1 else f"{expected}–{entry.seq - 1}"
            self._broken(
                Problem.MISSING, entry, f"entries {gap} are missing before entry {entry.seq}"
            )
        elif entry.seq < expected:
            self._broken(
                Problem.INSERTED,
                entry,
                f"entry {entry.seq} is out of sequence after {self.head_seq}",
            )
        recomputed = entry_hash(entry.prev_hash, entry.seq, entry.content)
        if recomputed != entry.hash:
            self._broken(
                Problem.ALTERED, entry, f"the content of entry {entry.seq} no longer gives its hash"
            )
        elif entry.prev_hash != self.head_hash and entry.seq == expected:
            self._broken(
                Problem.REORDERED,
                entry,
                f"entry {entry.seq} does not follow the hash of entry {self.head_seq}",
            )
        at = dt.datetime.fromisoformat(canonical_time(entry.content["at"]).replace("Z", "+00:00"))
        if self._prev_at is not None and at < self._prev_at - CLOCK_TOLERANCE:
            self._broken(
                Problem.BACKDATED,
                entry,
                f"entry {entry.seq} is dated {canonical_time(at)}, before the entry preceding it",
            )
        if self.known_head is not None and entry.seq == self.known_head[0]:
            self._seen_known = True
            if entry.hash != self.known_head[1]:
                self._broken(
                    Problem.ALTERED,
                    entry,
                    f"entry {entry.seq} differs from the one verified before",
                )
        if entry.seq < expected:
            return  # an intruder: the chain carries on from the entry before it
        self._prev_at = at if self._prev_at is None else max(at, self._prev_at)
        # Carry on from this entry: later breaks are counted, not caused by this one.
        self.head_seq = entry.seq
        self.head_hash = entry.hash

    def finish(self) -> None:
        if (
            self.known_head is not None
            and not self._seen_known
            and self.known_head[0] > self.head_seq
        ):
            self._broken(
                Problem.TRUNCATED,
                None,
                f"entries after {self.head_seq} up to {self.known_head[0]}, verified before, "
                "are gone",
            )

    @property
    def ok(self) -> bool:
        return self.breaks == 0


def verify(entries: Iterable[Entry], known_head: tuple[int, str] | None = None) -> ChainVerifier:
    verifier = ChainVerifier(known_head=known_head)
    for entry in entries:
        verifier.feed(entry)
    verifier.finish()
    return verifier


def in_order(entries: Iterable[Entry], window: int = 100_000) -> Iterable[Entry]:
    """The entries by sequence number, for a copy written nearly in order (entries of
    transactions committing at the same moment may be appended in either order): a
    reordering buffer of ``window`` entries, so memory stays bounded."""
    import heapq

    heap: list[tuple[int, int, Entry]] = []
    for n, entry in enumerate(entries):
        heapq.heappush(heap, (entry.seq, n, entry))
        if len(heap) > window:
            yield heapq.heappop(heap)[2]
    while heap:
        yield heapq.heappop(heap)[2]


def compare(database: Iterable[Entry], sink: Iterable[Entry]) -> Iterable[Break]:
    """The differences between the database's entries and the external copy's, both in
    sequence order: entries in one and not the other, and entries that differ."""
    db_iter, sink_iter = iter(database), iter(sink)
    db, copy = next(db_iter, None), next(sink_iter, None)
    while db is not None or copy is not None:
        if copy is None or (db is not None and db.seq < copy.seq):
            assert db is not None
            yield Break(
                Problem.NOT_IN_SINK, db.seq, db.id, f"entry {db.seq} is not in the external copy"
            )
            db = next(db_iter, None)
        elif db is None or copy.seq < db.seq:
            yield Break(
                Problem.NOT_IN_DATABASE,
                copy.seq,
                copy.id,
                f"entry {copy.seq} of the external copy is not in the database",
            )
            copy = next(sink_iter, None)
        else:
            if db.hash != copy.hash or db.prev_hash != copy.prev_hash:
                yield Break(
                    Problem.DIFFERS_FROM_SINK,
                    db.seq,
                    db.id,
                    f"entry {db.seq} differs from its external copy",
                )
            db, copy = next(db_iter, None), next(sink_iter, None)
