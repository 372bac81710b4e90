"""Storage proportional to work, not keystrokes (issue 12): one user's autosaves coalesce
into one version, every submitted state stays exactly recoverable from the versions it
references, narrative audit entries keep a fingerprint and a summary, and lists of
revisions never load their content."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import random
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govplan.accounts.models import Role
from govplan.audit.models import AuditEvent
from govplan.documents.actions import (
    do_add_entry,
    do_move_entry,
    do_restore_entry,
    do_save_entry,
)
from govplan.documents.models import Document, Entry, EntryVersion
from govplan.documents.versions import content_at
from govplan.workflow import actions
from govplan.workflow.models import DocumentRevision, RevisionEntry
from govplan.workflow.revisions import revision_content
from tests.conftest import Cast, make_user
from tests.workflow.test_cycle import filled_document

pytestmark = pytest.mark.django_db

TEXT = "narrative:I"


def save(document: Document, user: Any, html: str, key: str = TEXT) -> int:
    entry = Entry.objects.filter(document=document, key=key).first()
    base = entry.revision if entry else 0
    result = actions_save(document, key, base, {"html": html}, user)
    assert result.status == "saved", result.status
    return result.entry.revision  # type: ignore[union-attr]


def actions_save(document: Document, key: str, base: int, raw: Any, user: Any) -> Any:
    return do_save_entry(document, key, base, raw, actor=user, locale="vi")


def versions(document: Document, key: str = TEXT) -> list[tuple[int, str]]:
    return list(
        EntryVersion.objects.filter(entry__document=document, entry__key=key)
        .order_by("revision")
        .values_list("revision", "content__html")
    )


def test_one_users_autosaves_within_the_window_make_one_version(cast: Cast) -> None:
    document = filled_document(cast)
    for n in range(2, 6):
        assert save(document, cast.editor_a, f"<p>Bản {n}</p>") == n
    # The counter the page sends advanced on every save; one version holds them.
    assert versions(document) == [(5, "<p>Bản 5</p>")]
    history = EntryVersion.objects.filter(entry__document=document, entry__key=TEXT)
    for n in range(1, 6):
        expected = "<p>Hiện trạng</p>" if n == 1 else f"<p>Bản {n}</p>"
        assert content_at(history, n) == {"html": expected}


def test_another_user_the_end_of_the_window_or_a_restore_start_a_new_version(
    cast: Cast,
) -> None:
    document = filled_document(cast)
    colleague = make_user("editor_a2", cast.province_a, Role.EDITOR)
    save(document, colleague, "<p>Đồng nghiệp</p>")  # r2: someone else wrote r1
    save(document, colleague, "<p>Đồng nghiệp sửa</p>")  # r3 coalesces into r2
    assert [r for r, _html in versions(document)] == [1, 3]
    EntryVersion.objects.filter(entry__document=document, revision=3).update(
        saved_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6), started_at=None
    )
    save(document, colleague, "<p>Sau 6 phút</p>")  # r4: the window is over
    do_restore_entry(document, TEXT, 1, actor=colleague)  # r5: a restore is its own
    save(document, colleague, "<p>Sau khi khôi phục</p>")  # r6: not into the restore
    assert [r for r, _html in versions(document)] == [1, 3, 4, 5, 6]
    assert EntryVersion.objects.get(entry__key=TEXT, revision=5).content == {
        "html": "<p>Hiện trạng</p>"
    }


def test_a_save_from_an_absorbed_revision_merges_exactly_as_before(
    cast: Cast, document_a: Document
) -> None:
    """A colleague's page still at revision 1 while the row's author saved twice more (both
    coalesced): their change to another cell merges, nothing of the author's is lost."""
    container = "row:projects"
    row = do_add_entry(
        document_a,
        container,
        {"cells": {"name": "A", "total": "10"}},
        actor=cast.editor_a,
        locale="vi",
    )
    actions_save(document_a, row.key, 1, {"cells": {"name": "A mới"}}, cast.editor_a)
    actions_save(document_a, row.key, 2, {"cells": {"name": "A mới nhất"}}, cast.editor_a)
    # Added and retyped by its author within the window: one version holds r1 to r3.
    assert EntryVersion.objects.filter(entry=row).count() == 1
    colleague = make_user("editor_a2", cast.province_a, Role.EDITOR)
    result = actions_save(document_a, row.key, 1, {"cells": {"total": "25"}}, colleague)
    assert result.status == "merged"
    cells = Entry.objects.get(pk=row.pk).content["cells"]
    assert cells["name"] == "A mới nhất" and cells["total"] == "25"
    # and a stale save on the same cell is still a conflict
    clash = actions_save(document_a, row.key, 2, {"cells": {"name": "B"}}, colleague)
    assert clash.status == "conflict"


def test_a_move_is_never_coalesced_into(cast: Cast, document_a: Document) -> None:
    first = do_add_entry(
        document_a, "row:projects", {"cells": {"name": "A"}}, actor=cast.editor_a, locale="vi"
    )
    second = do_add_entry(
        document_a, "row:projects", {"cells": {"name": "B"}}, actor=cast.editor_a, locale="vi"
    )
    do_move_entry(document_a, second.key, None, actor=cast.editor_a)
    second.refresh_from_db()
    actions_save(document_a, second.key, second.revision, {"cells": {"name": "B2"}}, cast.editor_a)
    reasons = list(
        EntryVersion.objects.filter(entry=second)
        .order_by("revision")
        .values_list("reason", flat=True)
    )
    assert reasons == ["edit", "move", "edit"]
    assert first.pk != second.pk


def test_content_at_any_revision_survives_many_coalesced_edits(cast: Cast) -> None:
    document = filled_document(cast)
    rng = random.Random(12)
    typed = ["<p>Hiện trạng</p>"]
    text = "Hiện trạng"
    for _ in range(40):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(["ắ", "x ", "", "<b>"]) + text[at + rng.randrange(3) :]
        entry = Entry.objects.get(document=document, key=TEXT)
        result = actions_save(
            document, TEXT, entry.revision, {"html": f"<p>{text}</p>"}, cast.editor_a
        )
        if result.status == "saved":
            typed.append(result.entry.content["html"])  # as the sanitiser kept it
    history = EntryVersion.objects.filter(entry__document=document, entry__key=TEXT)
    assert history.count() == 1
    stored = [content_at(history, n) for n in range(1, len(typed) + 1)]
    assert stored == [{"html": html} for html in typed]


def test_every_submitted_state_stays_exactly_recoverable(cast: Cast) -> None:
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    first = actions.snapshot(document)  # the live content, as it was submitted
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    actions.do_transition(document, "return", actor=cast.appraiser, reason="Bổ sung")
    document.refresh_from_db()
    # The same editor goes on typing within the window: the frozen version is not reused.
    save(document, cast.editor_a, "<p>Bổ sung lần 1</p>")
    save(document, cast.editor_a, "<p>Bổ sung lần 2</p>")
    actions.do_transition(document, "resubmit", actor=cast.editor_a)
    second = actions.snapshot(document)
    one, two = (DocumentRevision.objects.get(document=document, number=n) for n in (1, 2))
    assert revision_content(one) == first and revision_content(two) == second
    assert first["entries"][TEXT]["content"] == {"html": "<p>Hiện trạng</p>"}
    assert second["entries"][TEXT]["content"] == {"html": "<p>Bổ sung lần 2</p>"}
    assert one.snapshot is None and RevisionEntry.objects.filter(revision=one).count() == 3


def test_the_database_refuses_to_change_a_frozen_version(cast: Cast) -> None:
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    actions.do_transition(document, "return", actor=cast.appraiser, reason="Bổ sung")
    frozen = EntryVersion.objects.filter(entry__document=document, entry__key=TEXT)
    with pytest.raises(DatabaseError), transaction.atomic():
        frozen.update(content={"html": "<p>Sửa lén</p>"})
    assert frozen.get().content == {"html": "<p>Hiện trạng</p>"}


def test_a_narrative_audit_entry_keeps_a_fingerprint_and_a_summary(cast: Cast) -> None:
    document = filled_document(cast)
    html = "<p>Hệ thống một cửa điện tử</p><p>đã kết nối</p>"
    save(document, cast.editor_a, html)
    event = AuditEvent.objects.filter(object_type="documents.entry").order_by("-pk").first()
    assert event is not None
    assert event.after == {
        "sha256": hashlib.sha256(html.encode()).hexdigest(),
        "characters": len("Hệ thống một cửa điện tửđã kết nối"),
        "words": 9,
        "words_added": 9,
        "words_removed": 2,
    }
    assert event.before["words"] == 2  # "Hiện trạng"
    assert "Hệ thống" not in str(event.before) + str(event.after)


def _no_content_loaded(queries: list[dict[str, str]]) -> None:
    for query in queries:
        if "workflow_documentrevision" in query["sql"]:
            assert '"snapshot"' not in query["sql"], query["sql"]
            assert '"attachments"' not in query["sql"], query["sql"]


def test_the_revisions_page_and_the_appraisal_queue_do_not_load_revision_content(
    cast: Cast,
) -> None:
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    agency, appraiser = Client(), Client()
    agency.force_login(cast.editor_a)
    appraiser.force_login(cast.appraiser)
    with CaptureQueriesContext(connection) as queries:
        page = agency.get(reverse("document_revisions", args=[document.pk]))
    assert page.status_code == 200 and "Hiện trạng" not in page.content.decode()
    _no_content_loaded(queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        queue = appraiser.get(reverse("appraisal_queue"))
    assert queue.status_code == 200 and document.title in queue.content.decode()
    _no_content_loaded(queries.captured_queries)


def test_the_comparison_still_shows_what_changed(cast: Cast) -> None:
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    actions.do_transition(document, "return", actor=cast.appraiser, reason="Bổ sung")
    document.refresh_from_db()
    save(document, cast.editor_a, "<p>Hiện trạng đã cập nhật</p>")
    actions.do_transition(document, "resubmit", actor=cast.editor_a)
    client = Client()
    client.force_login(cast.editor_a)
    page = client.get(reverse("document_revisions", args=[document.pk]), {"a": 1, "b": 2})
    assert "<ins>đã cập nhật</ins>" in page.content.decode().replace("<ins> ", "<ins>")


class _Editor:
    """What the migration's operations need of a schema editor: the connection."""

    connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_references_versions_where_the_copy_matches_them(
    cast: Cast, settings: Any
) -> None:
    """Revisions made before this change held a copy; migration workflow 0003 replaces it by
    references where every entry matches a version current at submission, else keeps it."""
    from django.apps import apps

    settings.AUTOSAVE_COALESCE_SECONDS = 0  # as before: a version per save
    migration = importlib.import_module(
        "govplan.workflow.migrations.0003_revisions_reference_versions"
    )
    document = filled_document(cast)
    copy = actions.snapshot(document)
    matching = DocumentRevision.objects.create(
        document=document, number=1, snapshot=copy, created_by=cast.editor_a
    )
    save(document, cast.editor_a, "<p>Sửa sau khi nộp</p>")  # a later version: not chosen
    odd = {**copy, "entries": {**copy["entries"], TEXT: {**copy["entries"][TEXT]}}}
    odd["entries"][TEXT]["content"] = {"html": "<p>Không có phiên bản nào như vậy</p>"}
    unmatched = DocumentRevision.objects.create(
        document=document, number=2, snapshot=odd, created_by=cast.editor_a
    )
    migration.REVISION_FINAL.reverse_code(apps, _Editor())  # as the migration does
    migration.reference_versions(apps, _Editor())
    migration.REVISION_FINAL.code(apps, _Editor())
    matching.refresh_from_db()
    unmatched.refresh_from_db()
    assert matching.snapshot is None and revision_content(matching) == copy
    assert unmatched.snapshot == odd and revision_content(unmatched) == odd


def test_an_import_is_never_coalesced_into(cast: Cast, document_a: Document) -> None:
    """The XLSX import's versions are its own; the editor's next save starts a new one, and
    the import's check of the rows' revisions still sees every save."""
    from tests.documents.test_xlsx_and_files import client_for
    from tests.documents.test_xlsx_import_plan import two_rows_and_a_preview

    client = client_for(cast.editor_a)
    apply, a, _b = two_rows_and_a_preview(client, document_a)
    client.post(apply, follow=True)
    row = Entry.objects.get(document=document_a, key=a)
    assert row.content["cells"]["total"] == "150"
    actions_save(document_a, a, row.revision, {"cells": {"total": "175"}}, cast.editor_a)
    reasons = list(
        EntryVersion.objects.filter(entry=row).order_by("revision").values_list("reason", flat=True)
    )
    assert reasons[-2:] == ["import", "edit"]
