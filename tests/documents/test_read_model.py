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
from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
from govplan.documents.models import Document, Entry
from govplan.documents.read import (
    completeness,
    load_document_view,
    load_document_views,
    visible_sections,
)
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.workflow.actions import snapshot
from tests.conftest import Cast, example_version
from tests.documents.test_cycles import REPORT_2027

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


def test_the_editor_page_offers_each_value_and_row_as_what_a_comment_is_about(
    cast: Cast, document_a: Document
) -> None:
    fill_for_demo(document_a, actor=cast.editor_a)
    view = load_document_view(document_a, anchors=True)
    table_section = next(s for s in view.sections if s.tables)
    row = table_section.tables[0].rows[0]
    offered = {a.key: a.label for a in table_section.anchors}
    assert offered.get(row.key)
    value_section = next(s for s in view.sections if any(i.value for i in s.indicators))
    assert any(a.key.startswith("value:") for a in value_section.anchors)
    # Other readers (validation, the official writers) do not pay for the labels.
    assert all(not s.anchors for s in load_document_view(document_a).sections)


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


def _plans(cast: Cast, count: int) -> list[Document]:
    """``count`` filled plans of the example framework, each unit's rows a little longer."""
    version = example_version()
    targets = version.targets.filter(org_unit__kind="province").select_related("org_unit")
    units = [t.org_unit for t in targets.order_by("pk")]
    plans = []
    for index, province in enumerate(units[:count]):
        plan = do_create_document(unit=province, version=version, actor=cast.central_admin)
        fill_for_demo(plan, actor=cast.central_admin)
        spec = version.parsed()
        table = next(t for _s, t in spec.tables())
        for i in range(index % 3):
            do_add_entry(
                plan,
                Collection.table(table.code).container,
                _row(table, spec, f"Dự án thêm {i}"),
                actor=cast.central_admin,
                locale="vi",
            )
        plans.append(plan)
    return plans


def _report(cast: Cast, plan: Document) -> Document:
    """The report of ``plan``'s unit, its result rows taken from the plan's targets and one
    of them filled."""
    draft = do_upload_framework(REPORT_2027, actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    report = do_create_document(unit=plan.org_unit, version=version, actor=cast.central_admin)
    result = Entry.objects.filter(document=report, kind="result").first()
    assert result is not None
    do_save_entry(
        report,
        result.key,
        result.revision,
        {**result.content, "achieved": "70", "status": "behind"},
        actor=cast.central_admin,
        locale="vi",
    )
    fill_for_demo(report, actor=cast.central_admin)
    return report


def _fresh(documents: list[Document]) -> list[Document]:
    """The documents as a caller reads them, neither units nor versions loaded."""
    by_id = Document.objects.in_bulk([d.pk for d in documents])
    return [by_id[d.pk] for d in documents]


def test_many_documents_read_at_once_are_read_as_one_by_one(cast: Cast) -> None:
    plans = _plans(cast, 3)
    report = _report(cast, plans[0])
    documents = [*plans, report]

    views = load_document_views(_fresh(documents))

    assert list(views) == [d.pk for d in documents]
    for document in documents:
        single = load_document_view(Document.objects.get(pk=document.pk), previous=False)
        assert views[document.pk] == single
    plan_view, report_view = views[plans[2].pk], views[report.pk]
    assert plan_view.values and plan_view.target_rows and plan_view.legal
    assert any(len(rows) == 3 for rows in plan_view.table_rows.values())
    assert [r.achieved for rows in report_view.result_rows.values() for r in rows] == ["70"]
    # A framework version is parsed once for all its documents.
    assert views[plans[0].pk].spec is views[plans[1].pk].spec is views[plans[2].pk].spec
    # With the previous cycle's values, as the single reading gives them by default.
    with_previous = load_document_views(_fresh(documents), previous=True)
    assert with_previous[report.pk] == load_document_view(Document.objects.get(pk=report.pk))


def test_the_documents_the_caller_holds_and_cleaning_are_as_for_one(cast: Cast) -> None:
    plan = _plans(cast, 1)[0]
    version = example_version()
    with CaptureQueriesContext(connection) as captured:
        views = load_document_views([plan], versions=[version], clean=lambda c: c)
    assert views[plan.pk].spec is version.parsed()  # the caller's version, not read again
    assert len(captured.captured_queries) == 2  # the entries and the legal catalogue
    assert views[plan.pk] == load_document_view(plan, previous=False)
    assert load_document_views([]) == {}


def _bulk_queries(documents: list[Document]) -> int:
    fresh = _fresh(documents)
    with CaptureQueriesContext(connection) as captured:
        load_document_views(fresh)
    return len(captured.captured_queries)


def test_the_queries_do_not_grow_with_the_documents_read_at_once(cast: Cast) -> None:
    plans = _plans(cast, 5)
    report = _report(cast, plans[0])
    two = _bulk_queries([plans[0], report])
    six = _bulk_queries([*plans, report])
    # The units, the framework versions, the entries and the legal catalogue.
    assert two == six == 4
