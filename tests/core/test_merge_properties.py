"""Properties of the field-by-field merge of concurrent edits (core/documents/merge.py) and of
filling what a save leaves out, over generated contents shaped like entries' contents.

A merged content is read again (read_entry) before it is saved, which puts back empty cells
and phasing: where that is so, contents are compared by their fields (flatten)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from govplan.core.documents.merge import flatten, merge, overlay, unflatten

# Paths an entry's content has (cells by key, a ratio's parts, phasing, text fields); a
# path's kind never changes, as in contents checked against one framework.
PATHS = (
    "comment",
    "label",
    "cells.name",
    "cells.total",
    "cells..n",
    "cells..d",
    "cells.NOI_BO|HOAN_TOAN.n",
    "cells.M3.v",
    "phasing.2027|oda|capital",
    "phasing.2028|oda|capital",
    "source.key",
)
leaves = st.one_of(
    st.text(alphabet="aăb1 ", max_size=4),
    st.integers(min_value=0, max_value=9),
    st.lists(st.sampled_from(["oda", "other"]), max_size=2),
)
flats = st.dictionaries(st.sampled_from(PATHS), leaves, max_size=len(PATHS))


def content(flat: dict[str, Any]) -> dict[str, Any]:
    """The entry content holding ``flat``; as read_entry makes it, the cells and the phasing
    are there even when empty."""
    return {"cells": {}, "phasing": {}, **unflatten(flat)}


@st.composite
def edited(draw: st.DrawFn, base: dict[str, Any], paths: frozenset[str]) -> dict[str, Any]:
    """``base`` with each of ``paths`` changed to a new value or removed."""
    result = dict(base)
    for path in sorted(paths):
        new = draw(st.one_of(st.none(), leaves).filter(lambda v, p=path: v != base.get(p)))
        if new is None:
            result.pop(path, None)
        else:
            result[path] = new
    return result


@st.composite
def two_edits(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A base and two edits of it (mine, theirs), on any fields, possibly the same ones."""
    base = draw(flats)
    mine = draw(edited(base, draw(st.frozensets(st.sampled_from(PATHS)))))
    theirs = draw(edited(base, draw(st.frozensets(st.sampled_from(PATHS)))))
    return base, mine, theirs


@given(flats, flats)
def test_the_same_content_on_both_sides_is_that_content(base: dict, same: dict) -> None:  # type: ignore[type-arg]
    # Exactly that content, not an equal-valued copy: the save then sees nothing to write.
    result = merge(content(base), content(same), content(same))
    assert result.content == content(same) and not result.conflicts


@given(two_edits())
def test_applying_the_same_change_twice_changes_nothing_more(edits: tuple) -> None:  # type: ignore[type-arg]
    base, mine, theirs = (content(e) for e in edits)
    once = merge(base, theirs, mine)
    if once.content is None:
        return  # a conflict: nothing was applied
    again = merge(base, once.content, mine)
    assert again.content == once.content and not again.conflicts


@given(two_edits())
def test_nobody_else_changed_it_so_mine_is_saved(edits: tuple) -> None:  # type: ignore[type-arg]
    base, mine, _theirs = (content(e) for e in edits)
    result = merge(base, base, mine).content
    assert result is not None and flatten(result) == flatten(mine)


@given(two_edits())
def test_i_changed_nothing_so_theirs_stays(edits: tuple) -> None:  # type: ignore[type-arg]
    base, _mine, theirs = (content(e) for e in edits)
    result = merge(base, theirs, base).content
    assert result is not None and flatten(result) == flatten(theirs)


@given(two_edits())
def test_conflicts_are_exactly_the_fields_both_changed_differently(edits: tuple) -> None:  # type: ignore[type-arg]
    base, mine, theirs = edits
    changed_by_me = {p for p in PATHS if mine.get(p) != base.get(p)}
    changed_by_them = {p for p in PATHS if theirs.get(p) != base.get(p)}
    expected = {p for p in changed_by_me & changed_by_them if mine.get(p) != theirs.get(p)}
    result = merge(content(base), content(theirs), content(mine))
    assert {c.path for c in result.conflicts} == expected
    if not expected:
        # Nothing in conflict: every change of both is in the result, the rest is the base.
        wanted = {**base, **{p: theirs.get(p) for p in changed_by_them}}
        wanted.update({p: mine.get(p) for p in changed_by_me})
        assert result.content is not None
        assert flatten(result.content) == {p: v for p, v in wanted.items() if v is not None}


@given(st.data())
def test_edits_of_different_fields_are_both_kept(data: st.DataObject) -> None:
    base = data.draw(flats)
    mine_paths = data.draw(st.frozensets(st.sampled_from(PATHS)))
    their_paths = data.draw(st.frozensets(st.sampled_from(PATHS)).map(lambda s: s - mine_paths))
    mine = data.draw(edited(base, mine_paths))
    theirs = data.draw(edited(base, their_paths))
    result = merge(content(base), content(theirs), content(mine))
    assert not result.conflicts and result.content is not None
    flat = flatten(result.content)
    for path in mine_paths:
        assert flat.get(path) == mine.get(path)
    for path in their_paths:
        assert flat.get(path) == theirs.get(path)
    for path in set(PATHS) - mine_paths - their_paths:
        assert flat.get(path) == base.get(path)


@given(flats, flats)
def test_a_field_left_out_keeps_its_value_and_a_sent_one_replaces_it(
    kept: dict,  # type: ignore[type-arg]
    sent: dict,  # type: ignore[type-arg]
) -> None:
    result = flatten(overlay(content(kept), content(sent)))
    assert result == {**kept, **sent}
