"""What the audit trail covers beyond the do_* actions' own entries: row moves, checklist
marks, notification reads, each row an import or a table restore changes (one entry per row,
with before and after), refusals (one entry per request), and file downloads."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govplan.audit.models import Action, AuditEvent
from govplan.core.adapters.xlsx import RowData
from govplan.documents.actions import do_move_entry, do_restore_collection
from govplan.documents.models import Document, Entry
from govplan.workflow.models import Notification
from tests.conftest import Cast
from tests.documents.test_xlsx_and_files import add_row, client_for, upload, workbook_with
from tests.documents.test_xlsx_import_plan import apply_url, uid

pytestmark = pytest.mark.django_db


def entries_after(mark: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=mark, action=action).order_by("seq"))


def head() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_a_row_move_is_recorded_with_its_positions(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    a = add_row(client, document_a, {"name": "A"})
    b = add_row(client, document_a, {"name": "B"})
    mark = head()
    do_move_entry(document_a, a, b, actor=cast.editor_a)
    (entry,) = entries_after(mark, Action.UPDATE)
    assert entry.object_id == str(Entry.objects.get(document=document_a, key=a).pk)
    assert entry.message.startswith("move") and entry.after["after"] == b
    assert entry.before["position"] != entry.after["position"]


def test_reading_notifications_records_each_once(cast: Cast) -> None:
    first = Notification.objects.create(user=cast.editor_a, text="Một")
    second = Notification.objects.create(user=cast.editor_a, text="Hai")
    Notification.objects.create(user=cast.editor_b, text="Của người khác")
    client = client_for(cast.editor_a)
    mark = head()
    assert client.post(reverse("notifications")).status_code == 302
    read = entries_after(mark, Action.NOTIFICATION_READ)
    assert sorted(e.object_id for e in read) == sorted([str(first.pk), str(second.pk)])
    assert all(e.actor == cast.editor_a and e.after["read_at"] for e in read)
    # A second click reads nothing and records nothing.
    mark = head()
    client.post(reverse("notifications"))
    assert entries_after(mark, Action.NOTIFICATION_READ) == []


def test_an_import_records_each_row_it_changes(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    keep = add_row(client, document_a, {"name": "Giữ", "total": "100"})
    change = add_row(client, document_a, {"name": "Sửa", "total": "200"})
    drop = add_row(client, document_a, {"name": "Bỏ", "total": "300"})
    data = workbook_with(
        document_a,
        [
            RowData(uid=uid(keep), cells={"name": "Giữ", "total": "100"}),
            RowData(uid=uid(change), cells={"name": "Sửa", "total": "250"}),
            RowData(uid=None, cells={"name": "Mới", "total": "50"}),
        ],
    )
    url = apply_url(upload(client, document_a, data).content.decode())
    mark = head()
    assert client.post(url).status_code == 302
    rows = {e.object_id: e for e in entries_after(mark, Action.IMPORT_ROW)}
    by_key = {e.key: str(e.pk) for e in Entry.objects.filter(document=document_a)}
    assert by_key[keep] not in rows  # unchanged: no entry
    changed = rows[by_key[change]]
    assert changed.before["content"]["cells"]["total"] in ("200", 200)
    assert changed.after["content"]["cells"]["total"] in ("250", 250)
    removed = rows[by_key[drop]]
    assert removed.before["content"]["cells"]["name"] == "Bỏ" and removed.after == {"deleted": True}
    (added,) = [e for e in rows.values() if e.before is None]
    assert added.after["content"]["cells"]["name"] == "Mới"
    assert len(rows) == 3
    assert all(e.actor == cast.editor_a for e in rows.values())


def test_a_table_restore_records_each_row_it_changes(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    a = add_row(client, document_a, {"name": "A", "total": "1"})
    moment = timezone.now()
    b = add_row(client, document_a, {"name": "B"})
    entry_a = Entry.objects.get(document=document_a, key=a)
    mark = head()
    do_restore_collection(document_a, entry_a.collection, moment, actor=cast.editor_a)
    rows = {e.object_id: e for e in entries_after(mark, Action.RESTORE_ROW)}
    entry_b = Entry.objects.get(document=document_a, key=b)
    assert rows[str(entry_b.pk)].before["deleted"] is False
    assert rows[str(entry_b.pk)].after["deleted"] is True
    assert str(entry_a.pk) not in rows  # unchanged since: no entry
    assert all(e.actor == cast.editor_a for e in rows.values())


def test_a_refusal_is_recorded_once_per_request(cast: Cast, document_a: Document) -> None:
    """Another province's editor opens province A's plan: refused, one entry."""
    mark = head()
    response = client_for(cast.editor_b).get(reverse("document_edit", args=[document_a.pk]))
    assert response.status_code in (403, 404)
    (entry,) = entries_after(mark, Action.ACCESS_DENIED)
    assert entry.actor == cast.editor_b
    assert entry.after["status"] == response.status_code
    assert entry.after["path"] == reverse("document_edit", args=[document_a.pk])
    # The central pages refused to an editor: recorded too.
    mark = head()
    assert client_for(cast.editor_a).get(reverse("audit_list")).status_code == 403
    assert len(entries_after(mark, Action.ACCESS_DENIED)) == 1


def test_an_anonymous_visitor_leaves_no_refusal_entry(document_a: Document) -> None:
    mark = head()
    Client().get(reverse("document_edit", args=[document_a.pk]))
    Client().get("/no-such-page/")
    assert entries_after(mark, Action.ACCESS_DENIED) == []


def test_a_download_of_a_plan_is_recorded(cast: Cast, document_a: Document) -> None:
    mark = head()
    response = client_for(cast.viewer_a).get(reverse("document_xlsx", args=[document_a.pk]))
    assert response.status_code == 200
    (entry,) = entries_after(mark, Action.DOWNLOAD)
    assert entry.actor == cast.viewer_a
    assert entry.after["object"] == {"pk": document_a.pk}
    assert entry.after["file"].endswith(".xlsx")
    # A page is not a download.
    mark = head()
    client_for(cast.viewer_a).get(reverse("document_edit", args=[document_a.pk]))
    assert entries_after(mark, Action.DOWNLOAD) == []


def test_a_hostile_address_is_recorded_as_text(cast: Cast) -> None:
    mark = head()
    response = client_for(cast.editor_a).get("/documents/%00%ED%A0%80\u202e/x/")
    assert response.status_code in (400, 404)
    for entry in entries_after(mark, Action.ACCESS_DENIED):
        assert "\x00" not in entry.after["path"]


def test_the_downloaded_file_is_named_whatever_form_the_header_takes() -> None:
    from govplan.audit.middleware import attachment_name

    assert attachment_name('attachment; filename="ke-hoach.xlsx"') == "ke-hoach.xlsx"
    assert attachment_name('attachment; filename="a \\"b\\" \\\\ c.pdf"') == 'a "b" \\ c.pdf'
    encoded = "C%C3%B4ng%20v%C4%83n%20%C3%BD%20ki%E1%BA%BFn.pdf"
    assert attachment_name(f"attachment; filename*=utf-8''{encoded}") == "Công văn ý kiến.pdf"
    assert attachment_name("attachment; filename*=UTF-8''%FF%20x.pdf") == "\ufffd x.pdf"
    assert attachment_name("attachment; filename=plain.csv") == "plain.csv"
    assert attachment_name("attachment") == ""
