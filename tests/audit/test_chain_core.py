"""The chain's pure part (govplan.core.auditchain): a stable canonical text, and a verifier
that names the first broken link for every way of tampering."""

from __future__ import annotations

import datetime as dt
import decimal
import json

from hypothesis import given
from hypothesis import strategies as st

from govplan.core import auditchain
from govplan.core.auditchain import GENESIS, Entry, Problem

AT = dt.datetime(2026, 12, 4, 8, 0, 0, 123456, tzinfo=dt.UTC)


def content(n: int, **changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "at": AT + dt.timedelta(seconds=n),
        "actor_id": 7,
        "actor_username": "bientap",
        "channel": "web",
        "ip": "203.0.113.7",
        "user_agent": "Firefox",
        "action": "update",
        "object_type": "documents.entry",
        "object_id": str(n),
        "object_repr": "Dự án A",
        "before": {"cells": {"name": "Cũ", "budget": 1.5}},
        "after": {"cells": {"name": "Mới", "budget": 2}},
        "message": "",
    }
    base.update(changes)
    return base


def chain(count: int) -> list[Entry]:
    entries, prev = [], GENESIS
    for n in range(1, count + 1):
        body = content(n)
        digest = auditchain.entry_hash(prev, n, body)
        entries.append(Entry(id=100 + n, seq=n, prev_hash=prev, hash=digest, content=body))
        prev = digest
    return entries


def test_an_intact_chain_verifies() -> None:
    result = auditchain.verify(chain(5))
    assert result.ok and result.entries == 5 and result.head_seq == 5


def test_numbers_read_back_from_either_database_give_the_same_text() -> None:
    # PostgreSQL's jsonb keeps 1.0 as 1.0 and gives 1e16 back as an integer.
    assert auditchain.canonical_json(1.0) == auditchain.canonical_json(1)
    assert auditchain.canonical_json(1e16) == auditchain.canonical_json(10**16)
    assert auditchain.canonical_json(decimal.Decimal("2.50")) == auditchain.canonical_json(2.5)
    assert auditchain.canonical_json(True) != auditchain.canonical_json(1)
    assert auditchain.canonical_json(0.0) == auditchain.canonical_json(-0.0) == "0"


def test_keys_in_any_order_and_times_in_any_zone_give_the_same_hash() -> None:
    hanoi = dt.timezone(dt.timedelta(hours=7))
    one = content(1, after={"a": 1, "b": [1, "x"]})
    other = content(
        1, after={"b": [1, "x"], "a": 1}, at=AT.astimezone(hanoi) + dt.timedelta(seconds=1)
    )
    assert auditchain.entry_hash(GENESIS, 1, one) == auditchain.entry_hash(GENESIS, 1, other)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_a_value_hashes_the_same_after_a_trip_through_json(value: object) -> None:
    again = json.loads(json.dumps(value))
    assert auditchain.canonical_json(again) == auditchain.canonical_json(value)


def test_the_sink_line_verifies_alone() -> None:
    entries = chain(3)
    lines = [
        auditchain.sink_line(e.id or 0, e.seq, e.prev_hash, e.hash, e.content) for e in entries
    ]
    assert auditchain.verify(Entry.from_line(line) for line in lines).ok


def first(entries: list[Entry], known: tuple[int, str] | None = None) -> auditchain.Break:
    result = auditchain.verify(entries, known_head=known)
    assert not result.ok
    assert result.first is not None
    return result.first


def test_altered_content_is_the_first_broken_link() -> None:
    entries = chain(5)
    e = entries[2]
    entries[2] = Entry(e.id, e.seq, e.prev_hash, e.hash, content(3, message="rewritten"))
    found = first(entries)
    assert (found.problem, found.entry_id, found.seq) == (Problem.ALTERED, 103, 3)


def test_a_deleted_entry_is_a_gap() -> None:
    entries = chain(5)
    del entries[1]
    found = first(entries)
    assert (found.problem, found.seq) == (Problem.MISSING, 3)
    assert "2" in found.detail


def test_a_rehashed_entry_after_a_deletion_still_breaks_the_link() -> None:
    """The forger deletes entry 2 and renumbers entry 3 as 2 with a fresh hash: the link to
    entry 1 is right, but entry 4 no longer follows."""
    entries = chain(4)
    body = entries[2].content
    forged_hash = auditchain.entry_hash(entries[0].hash, 2, body)
    entries[1:3] = [Entry(103, 2, entries[0].hash, forged_hash, body)]
    found = first(entries)
    assert found.problem == Problem.MISSING and found.seq == 4


def test_swapped_entries_are_reordered() -> None:
    entries = chain(4)
    a, b = entries[1], entries[2]
    entries[1] = Entry(b.id, 2, b.prev_hash, b.hash, b.content)
    entries[2] = Entry(a.id, 3, a.prev_hash, a.hash, a.content)
    found = first(entries)
    assert found.problem == Problem.ALTERED and found.seq == 2


def test_an_entry_out_of_sequence_is_inserted() -> None:
    entries = chain(3)
    forged = content(0, at=AT - dt.timedelta(days=30))
    entries.insert(0, Entry(1, -1, GENESIS, auditchain.entry_hash(GENESIS, -1, forged), forged))
    assert first(entries).problem == Problem.INSERTED


def test_a_back_dated_entry_with_a_right_hash_is_reported() -> None:
    entries = chain(3)
    forged = content(4, at=AT - dt.timedelta(days=30))
    entries.append(
        Entry(104, 4, entries[-1].hash, auditchain.entry_hash(entries[-1].hash, 4, forged), forged)
    )
    found = first(entries)
    assert (found.problem, found.seq) == (Problem.BACKDATED, 4)


def test_entries_gone_from_the_end_since_the_last_verification() -> None:
    entries = chain(5)
    known = (5, entries[-1].hash)
    assert first(entries[:3], known).problem == Problem.TRUNCATED
    assert first([], known).problem == Problem.TRUNCATED


def test_the_copy_and_the_database_are_compared_entry_by_entry() -> None:
    entries = chain(4)
    copy = [*entries[:1], *entries[2:]]
    database = [*entries[:3]]
    differing = Entry(entries[2].id, 3, entries[2].prev_hash, "f" * 64, entries[2].content)
    database[2] = differing
    found = list(auditchain.compare(database, copy))
    assert [(b.problem, b.seq) for b in found] == [
        (Problem.NOT_IN_SINK, 2),
        (Problem.DIFFERS_FROM_SINK, 3),
        (Problem.NOT_IN_DATABASE, 4),
    ]


def test_a_copy_appended_slightly_out_of_order_is_read_in_order() -> None:
    entries = chain(4)
    shuffled = [entries[1], entries[0], entries[3], entries[2]]
    assert [e.seq for e in auditchain.in_order(shuffled)] == [1, 2, 3, 4]
