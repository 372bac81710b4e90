"""Entry keys: one typed object, and the text stored for it reads back as the same key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govplan.core.documents.keys import (
    KINDS,
    ROW_KINDS,
    BadKey,
    Collection,
    EntryKey,
)

codes = st.from_regex(r"\A[A-Z0-9][A-Z0-9_.\-]{0,20}\Z")
uids = st.from_regex(r"\A[a-z0-9]{6,32}\Z")


@st.composite
def keys(draw: st.DrawFn) -> EntryKey:
    kind = draw(st.sampled_from(KINDS))
    return EntryKey(kind, draw(codes), draw(uids) if kind in ROW_KINDS else "")


@given(keys())
def test_a_key_reads_back_as_itself(key: EntryKey) -> None:
    assert EntryKey.parse(str(key)) == key
    if key.collection is not None:
        assert Collection.parse(str(key.collection)) == key.collection
        assert key.collection.key(key.uid) == key


def test_the_stored_forms() -> None:
    assert str(EntryKey.value("DVC.TONG_SO")) == "value:DVC.TONG_SO"
    assert str(EntryKey.narrative("III.2")) == "narrative:III.2"
    row = EntryKey.parse("row:projects:9f3a01b2c4d5")
    assert (row.kind, row.code, row.uid) == ("row", "projects", "9f3a01b2c4d5")
    assert str(row.collection) == "table:projects"
    assert row.collection is not None and row.collection.container == "row:projects"
    assert str(EntryKey.parse("target:III.2:abcdef").collection) == "target:III.2"
    assert Collection.parse("budget:VII") == Collection("budget", "VII")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "value",
        "value:",
        "colour:red",
        "row:projects",  # no uid
        "row:projects:UPPER1",  # not a uid
        "row::abcdef",
        "narrative:I:abcdef",  # a single entry has no uid
        "value:has space",
        "table:projects",  # a collection, not a key
    ],
)
def test_what_is_not_a_key_is_refused(text: str) -> None:
    with pytest.raises(BadKey):
        EntryKey.parse(text)


@pytest.mark.parametrize("text", ["", "row:projects", "table", "narrative:I", "table:"])
def test_what_is_not_a_collection_is_refused(text: str) -> None:
    with pytest.raises(BadKey):
        Collection.parse(text)
