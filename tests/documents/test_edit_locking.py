"""Every edit checks the document's state where it writes: inside its transaction, under the
document's row lock (document, then entry). An edit that started while the document was a
draft and arrives after the submission is refused, never saved outside the frozen revision;
and the database refuses entry writes to a document that is not editable, whatever code
tries."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from govplan.documents import actions
from govplan.documents.models import Attachment, Document, Entry, EntryVersion
from govplan.documents.tables_xlsx import do_apply_import, do_preview_import, export_tables
from govplan.workflow import actions as workflow
from govplan.workflow.explanations import do_explain
from govplan.workflow.models import DocumentRevision, WarningExplanation
from govplan.workflow.revisions import revision_content
from tests.conftest import Cast
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

ROWS = "row:projects"


def _prepared(cast: Cast, document: Document) -> dict[str, Any]:
    """A narrative, two project rows and an attachment, as an editor leaves them."""
    editor = cast.editor_a
    spec = document.framework_version.parsed()
    narrative = f"narrative:{next(s for s in spec.walk() if s.narrative).code}"
    actions.do_save_entry(document, narrative, 0, {"html": "<p>Một</p>"}, actor=editor, locale="vi")
    first = actions.do_add_entry(
        document, ROWS, {"cells": {"name": "Dự án A"}}, actor=editor, locale="vi"
    )
    second = actions.do_add_entry(
        document, ROWS, {"cells": {"name": "Dự án B"}}, actor=editor, locale="vi"
    )
    attachment = actions.do_attach(
        document,
        next(iter(spec.tables()))[0].code,
        data=b"%PDF-1.4\n%%EOF\n",
        filename="a.pdf",
        content_type="application/pdf",
        description="",
        actor=editor,
    )
    return {"narrative": narrative, "first": first, "second": second, "attachment": attachment}


def _state(document: Document) -> tuple[Any, ...]:
    entries = sorted(
        Entry.objects.filter(document=document).values_list(
            "key", "revision", "deleted", "position", "content"
        )
    )
    return (
        entries,
        EntryVersion.objects.filter(entry__document=document).count(),
        sorted(Attachment.objects.filter(document=document).values_list("pk", "removed")),
        list(WarningExplanation.objects.filter(document=document).values_list("text")),
    )


EDITS: dict[str, Callable[[Cast, Document, dict[str, Any]], Any]] = {
    "save": lambda cast, doc, p: actions.do_save_entry(
        doc, p["narrative"], 1, {"html": "<p>Hai</p>"}, actor=cast.editor_a, locale="vi"
    ),
    "add": lambda cast, doc, p: actions.do_add_entry(
        doc, ROWS, {"cells": {"name": "Dự án C"}}, actor=cast.editor_a, locale="vi"
    ),
    "delete": lambda cast, doc, p: actions.do_delete_entry(
        doc, p["first"].key, p["first"].revision, actor=cast.editor_a
    ),
    "move": lambda cast, doc, p: actions.do_move_entry(
        doc, p["first"].key, p["second"].key, actor=cast.editor_a
    ),
    "restore": lambda cast, doc, p: actions.do_restore_entry(
        doc, p["narrative"], 1, actor=cast.editor_a
    ),
    "restore_table": lambda cast, doc, p: actions.do_restore_collection(
        doc, "table:projects", p["first"].updated_at, actor=cast.editor_a
    ),
    "attach": lambda cast, doc, p: actions.do_attach(
        doc,
        p["attachment"].section_code,
        data=b"%PDF-1.4\n%%EOF\n",
        filename="b.pdf",
        content_type="application/pdf",
        description="",
        actor=cast.editor_a,
    ),
    "remove_attachment": lambda cast, doc, p: actions.do_remove_attachment(
        p["attachment"], actor=cast.editor_a
    ),
    "explain": lambda cast, doc, p: do_explain(
        doc, {"anomaly:X": "Số liệu đã rà soát."}, actor=cast.editor_a
    ),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_that_arrives_after_the_submission_is_refused(
    cast: Cast, document_a: Document, edit: str
) -> None:
    """The editor's page loaded the document as a draft; meanwhile it was submitted. The
    stale object says "draft": the action must look again, under the lock."""
    prepared = _prepared(cast, document_a)
    stale = Document.objects.get(pk=document_a.pk)
    Document.objects.filter(pk=document_a.pk).update(status="submitted")
    before = _state(document_a)
    with pytest.raises(PermissionDenied):
        EDITS[edit](cast, stale, prepared)
    assert _state(document_a) == before


def test_an_import_applied_after_the_submission_is_refused(
    cast: Cast, document_a: Document
) -> None:
    _prepared(cast, document_a)
    data = export_tables(document_a)
    batch = do_preview_import(
        document_a, data, filename="bang.xlsx", actor=cast.editor_a, locale="vi"
    ).batch
    assert batch is not None
    Document.objects.filter(pk=document_a.pk).update(status="submitted")
    before = _state(document_a)
    with pytest.raises(PermissionDenied):
        do_apply_import(batch, actor=cast.editor_a)
    assert _state(document_a) == before
    batch.refresh_from_db()
    assert batch.applied_at is None


@pytest.mark.parametrize("status", ["submitted", "under_appraisal", "approved", "issued"])
def test_the_database_refuses_entry_writes_to_a_document_that_is_not_editable(
    cast: Cast, document_a: Document, status: str
) -> None:
    prepared = _prepared(cast, document_a)
    Document.objects.filter(pk=document_a.pk).update(status=status)
    entry = prepared["first"]
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(content={"cells": {"name": "Sửa lén"}})
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.create(
            document=document_a,
            key=f"{ROWS}:abcdef123456",
            kind="row",
            collection="table:projects",
            content={},
        )
    with pytest.raises(DatabaseError), transaction.atomic():
        EntryVersion.objects.create(entry=entry, revision=99, content={})
    assert Entry.objects.get(pk=entry.pk).content["cells"] == {"name": "Dự án A"}


def test_back_to_draft_the_entries_can_change_again(cast: Cast, document_a: Document) -> None:
    prepared = _prepared(cast, document_a)
    Document.objects.filter(pk=document_a.pk).update(status="returned")
    result = actions.do_save_entry(
        document_a,
        prepared["narrative"],
        1,
        {"html": "<p>Sửa</p>"},
        actor=cast.editor_a,
        locale="vi",
    )
    assert result.status == "saved"


@pytest.mark.django_db(transaction=True)
def test_lock_for_edit_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        actions.lock_for_edit(Document(pk=1))


def test_a_row_added_after_another_gets_its_place_in_one_version(
    cast: Cast, document_a: Document
) -> None:
    """Adding a row after another used to save it at the end, then move it and rewrite its
    first version in a second transaction."""
    prepared = _prepared(cast, document_a)
    row = actions.do_add_entry(
        document_a,
        ROWS,
        {"cells": {"name": "Giữa"}},
        actor=cast.editor_a,
        locale="vi",
        after_key=prepared["first"].key,
    )
    names = [
        e.content["cells"]["name"]
        for e in Entry.objects.filter(document=document_a, collection="table:projects")
    ]
    assert names == ["Dự án A", "Giữa", "Dự án B"]
    (version,) = EntryVersion.objects.filter(entry=row)
    assert version.position == row.position
    assert version.revision == 1


# --- the race itself, on PostgreSQL: a save against a submission, many times -------------

SMALL = """
format: govplan/framework@1
code: TEST-RACE-2027
kind: plan
title: Kế hoạch thử tranh chấp năm 2027
period: {from: 2027, to: 2027}
issued_by: {number: 3/TEST, date: 2026-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2026-12-20
sections:
  - number: I
    title: HIỆN TRẠNG
    narrative: true
"""

ROUNDS = 25


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_save_racing_a_submission_is_in_the_revision_or_refused(small_nation) -> None:  # type: ignore[no-untyped-def]
    province, people = small_nation
    admin, editor = people["admin"], people["editor_a"]
    version = publish(SMALL, admin)
    document = actions.do_create_document(unit=province, version=version, actor=editor)
    actions.do_save_entry(
        document, "narrative:I", 0, {"html": "<p>v0</p>"}, actor=editor, locale="vi"
    )
    outcomes = {"saved": 0, "refused": 0}
    for round_ in range(ROUNDS):
        Document.objects.filter(pk=document.pk).update(status="draft")
        entry = Entry.objects.get(document=document, key="narrative:I")
        # Both sides hold objects loaded before the race, as two requests would.
        stale = Document.objects.get(pk=document.pk)
        barrier = threading.Barrier(2)
        text = f"<p>lần {round_}</p>"
        result: dict[str, str] = {}

        def save() -> None:
            try:
                barrier.wait()
                actions.do_save_entry(
                    stale,
                    "narrative:I",
                    entry.revision,
                    {"html": text},
                    actor=editor,
                    locale="vi",
                )
                result["save"] = "saved"
            except PermissionDenied:
                result["save"] = "refused"
            finally:
                connection.close()

        def submit() -> None:
            try:
                barrier.wait()
                workflow.do_transition(Document.objects.get(pk=document.pk), "submit", actor=editor)
            finally:
                connection.close()

        threads = [threading.Thread(target=save), threading.Thread(target=submit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        frozen = DocumentRevision.objects.filter(document=document).order_by("-number").first()
        assert frozen is not None
        live = Entry.objects.get(document=document, key="narrative:I").content
        snapshot = revision_content(frozen)["entries"]["narrative:I"]["content"]
        # Never a saved edit outside both: the live content is what was frozen.
        assert live == snapshot
        if result["save"] == "saved":
            assert snapshot == {"html": text}
        else:
            assert snapshot != {"html": text}
        outcomes[result["save"]] += 1
    assert sum(outcomes.values()) == ROUNDS


def test_uploads_in_tests_never_reach_the_developers_var(cast: Cast, document_a: Document) -> None:
    from django.conf import settings

    attachment = _prepared(cast, document_a)["attachment"]
    path = Path(attachment.file.path).resolve()
    assert path.is_file()
    assert not path.is_relative_to(Path(settings.VAR_DIR).resolve())
