"""The typed read model of a document (documents.read → core.documents.view.DocumentView):
what a reader finds in it, a frozen revision read like the saved document, and a bounded
number of queries however much the document holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govplan.core.documents.keys import Collection
from govplan.core.documents.view import DocumentView
from govplan.demo.documents import _row, fill_for_demo
from govplan.documents.actions import do_add_entry
from govplan.documents.models import Document
from govplan.documents.read import completeness, load_document_view, visible_sections
from govplan.workflow.actions import snapshot
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _queries(document: Document) -> int:
    with CaptureQueriesContext(connection) as captured:
        load_document_view(document)
    return len(captured.captured_queries)


def _add_rows(document: Document, cast: Cast, count: int) -> None:
    spec = document.framework_version.parsed()
    for _section, table in spec.tables():
        for i in range(count):
            do_add_entry(
                document,
                Collection.table(table.code).container,
                _row(table, spec, f"Dự án thêm {i}"),
                actor=cast.editor_a,
                locale="vi",
            )


def test_the_view_holds_the_saved_content_typed(cast: Cast, document_a: Document) -> None:
    fill_for_demo(document_a, actor=cast.editor_a)
    view = load_document_view(document_a)
    assert isinstance(view, DocumentView)
    spec = view.spec
    # Every section the unit sees, in the framework's order.
    assert [s.code for s in view.sections] == [s.code for s in visible_sections(spec, document_a)]
    ratio = next(i for s in view.sections for i in s.indicators if i.indicator.type == "ratio")
    cell = next(iter(ratio.cells.values()))
    assert cell.d == "100" and cell.n is not None
    tables = [t for s in view.sections for t in s.tables]
    assert tables and all(len(t.rows) == 1 for t in tables)
    assert view.completeness() == completeness(document_a) == 100


def test_a_frozen_revision_reads_as_the_saved_document(cast: Cast, document_a: Document) -> None:
    fill_for_demo(document_a, actor=cast.editor_a)
    saved = load_document_view(document_a)
    frozen = load_document_view(document_a, snapshot=snapshot(document_a))
    assert [s.code for s in frozen.sections] == [s.code for s in saved.sections]
    assert {c: v.cells for c, v in frozen.values.items()} == {
        c: v.cells for c, v in saved.values.items()
    }
    assert {c: [r.cells for r in rows] for c, rows in frozen.table_rows.items()} == {
        c: [r.cells for r in rows] for c, rows in saved.table_rows.items()
    }
    assert frozen.completeness() == saved.completeness()


def test_the_queries_do_not_grow_with_the_document(cast: Cast, document_a: Document) -> None:
    empty = _queries(document_a)
    fill_for_demo(document_a, actor=cast.editor_a)
    filled = _queries(document_a)
    _add_rows(document_a, cast, 5)
    longer = _queries(document_a)
    assert filled == empty
    assert longer == filled
