"""What the facts add to a save: a bounded, small number of queries (zulip-style counts),
whatever the document holds, and the framework is parsed once, not on every save."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govplan.documents import live_facts
from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
from govplan.documents.models import Document
from tests.conftest import Cast
from tests.facts.helpers import small_framework
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

KEY = "value:DVC.TRUC_TUYEN"


@pytest.fixture
def document(cast: Cast, settings) -> Document:  # type: ignore[no-untyped-def]
    settings.AUTOSAVE_COALESCE_SECONDS = 0
    version = publish(small_framework(), cast.central_admin)
    return do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)


def queries(action: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        action()
    return [q["sql"] for q in captured.captured_queries]


def fact_queries(sql: list[str]) -> list[str]:
    return [q for q in sql if "facts_" in q or "frameworks_indicator" in q]


def test_a_cell_save_adds_three_queries_for_its_facts(
    cast: Cast, document: Document, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def save(base: int, figure: str) -> object:
        return do_save_entry(
            document,
            KEY,
            base,
            {"cells": {"TOAN_TRINH": figure, "MOT_PHAN": "3"}},
            actor=cast.editor_a,
            locale="vi",
        )

    save(0, "1")
    with_facts = queries(lambda: save(1, "2"))
    # The entry's old facts deleted, its new ones inserted in one statement, and the
    # document's unit read (what every fact repeats of it); the indicators' ids are known.
    assert len(fact_queries(with_facts)) == 2, fact_queries(with_facts)
    monkeypatch.setattr("govplan.documents.versions.write_live_facts", lambda entries: None)
    without = queries(lambda: save(2, "3"))
    assert len(with_facts) - len(without) == 3
    # However many rows the document holds, a save costs the same.
    for n in range(5):
        do_add_entry(
            document,
            "row:projects",
            {"cells": {"name": f"Dự án {n}"}, "phasing": {"2027|central_budget|capital": "1"}},
            actor=cast.editor_a,
            locale="vi",
        )
    monkeypatch.undo()
    assert len(queries(lambda: save(3, "4"))) == len(with_facts)


def test_the_framework_is_parsed_once(cast: Cast, document: Document, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from govplan.frameworks.models import FrameworkVersion

    parsed = []
    original = FrameworkVersion.parsed

    def counting(self):  # type: ignore[no-untyped-def]
        parsed.append(self.pk)
        return original(self)

    monkeypatch.setattr(FrameworkVersion, "parsed", counting)
    first = live_facts.spec_of(Document.objects.get(pk=document.pk))
    for _ in range(3):  # as three saves of the document read it, each its own object
        assert live_facts.spec_of(Document.objects.get(pk=document.pk)) is first
    assert parsed == [document.framework_version_id]
