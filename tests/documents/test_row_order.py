"""A row added or moved to a place keeps the order the editor asked for, however many rows
go to that same place: halving the gap between two rows runs out after some fifty times,
and the rows are then spread out again (documents.actions ``_slot_after``)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from govplan.documents.actions import do_add_entry, do_move_entry
from govplan.documents.models import Document, Entry
from tests.conftest import Cast
from tests.support.documents import page_grid

pytestmark = pytest.mark.django_db

MANY = 70  # more than the ~52 halvings a float's precision allows between 1 and 2


def add(cast: Cast, document: Document, name: str, after: Entry | None = None) -> Entry:
    entry = do_add_entry(
        document,
        "row:projects",
        {"cells": {"name": name, "total": "1.000"}, "phasing": {}},
        actor=cast.editor_a,
        locale="vi",
        after_key=after.key if after else None,
    )
    return Entry.objects.get(pk=entry.pk)


def shown(cast: Cast, document: Document) -> list[str]:
    client = Client()
    client.force_login(cast.editor_a)
    page = client.get(reverse("document_edit", args=[document.pk])).content.decode()
    return [r["cells"]["name"] for r in page_grid(page, "projects")]


def positions(document: Document) -> list[float]:
    return list(
        Entry.objects.filter(document=document, collection="table:projects").values_list(
            "position", flat=True
        )
    )


def test_seventy_rows_added_after_one_row_come_right_after_it_newest_first(
    cast: Cast, document_a: Document
) -> None:
    first = add(cast, document_a, "Đầu")
    add(cast, document_a, "Cuối")
    for i in range(MANY):
        add(cast, document_a, f"Dòng {i}", after=first)
    expected = ["Đầu", *(f"Dòng {i}" for i in reversed(range(MANY))), "Cuối"]
    assert shown(cast, document_a) == expected
    assert len(set(positions(document_a))) == MANY + 2  # no two rows share a place


def test_seventy_moves_to_one_place_keep_the_order_asked(cast: Cast, document_a: Document) -> None:
    first = add(cast, document_a, "Đầu")
    rows = [add(cast, document_a, f"Dòng {i}") for i in range(MANY)]
    add(cast, document_a, "Cuối")
    # Each row in turn moved to right after the first: the last moved is the nearest.
    for row in rows:
        do_move_entry(document_a, row.key, first.key, actor=cast.editor_a)
    expected = ["Đầu", *(f"Dòng {i}" for i in reversed(range(MANY))), "Cuối"]
    assert shown(cast, document_a) == expected
    assert len(set(positions(document_a))) == MANY + 2
