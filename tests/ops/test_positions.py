"""New rows added at the same moment by two people (PostgreSQL, real transactions): every
path that adds a row locks the document first (documents.actions.lock_for_edit), so the
second reads the position the first wrote and no two rows of a table share a position, at
the end of the table or after the same row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from govplan.accounts.models import Membership, User
from govplan.documents.actions import do_add_entry, do_create_document
from govplan.documents.models import Document, Entry
from tests.facts.helpers import small_framework
from tests.support.concurrency import at_once
from tests.support.frameworks import publish

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 6


def test_rows_added_at_once_never_share_a_position(small_nation: Any) -> None:
    province, people = small_nation
    second = User.objects.create_user("editor_b", full_name="Editor B")
    Membership.objects.create(user=second, org_unit=province, role="editor")
    version = publish(small_framework(), people["admin"])
    document = do_create_document(unit=province, version=version, actor=people["editor_a"])
    editors = (people["editor_a"], second)

    def adder(user: User, name: str, after: str | None = None) -> Callable[[], Entry]:
        def add() -> Entry:
            return do_add_entry(
                Document.objects.get(pk=document.pk),
                "row:projects",
                {"cells": {"name": name, "status": "new"}},
                actor=User.objects.get(pk=user.pk),
                locale="vi",
                after_key=after,
            )

        return add

    first = adder(editors[0], "first")()
    for n in range(ROUNDS):
        errors = at_once(
            adder(editors[0], f"end {n} a"),
            adder(editors[1], f"end {n} b"),
            adder(editors[0], f"after {n} a", first.key),
            adder(editors[1], f"after {n} b", first.key),
        )
        assert errors == []
    rows = Entry.objects.filter(document=document, collection=first.collection)
    positions = list(rows.values_list("position", flat=True))
    assert len(positions) == 1 + 4 * ROUNDS
    assert len(set(positions)) == len(positions)  # no tie
    # And the order is what the editors asked: the "after first" rows right after it.
    ordered = [e.content["cells"]["name"] for e in rows.order_by("position")]
    assert ordered[0] == "first"
    assert all(name.startswith("after") for name in ordered[1 : 1 + 2 * ROUNDS])
