"""An XLSX import applies exactly what its preview showed, once: a row a colleague added,
deleted or changed after the preview is never lost or overwritten (the import is refused,
naming the row and who), a second click does nothing, and the preview names the rows that
applying removes."""

from __future__ import annotations

import json
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from govplan.accounts.models import Membership, Role, User
from govplan.audit.models import AuditEvent
from govplan.core.adapters.xlsx import RowData
from govplan.documents.models import Document, Entry, EntryVersion, ImportBatch
from tests.conftest import Cast
from tests.documents.test_xlsx_and_files import add_row, client_for, upload, workbook_with
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

COLLEAGUE = "Trần Thị Bình"
UPLOAD_AGAIN = "Hãy tải tệp lên lại"


def colleague_of(cast: Cast) -> User:
    user = User.objects.create_user(username="colleague_a", full_name=COLLEAGUE)
    Membership.objects.create(user=user, org_unit=cast.province_a, role=Role.EDITOR)
    return user


def uid(key: str) -> str:
    return key.rsplit(":", 1)[1]


def apply_url(page: str) -> str:
    found = re.search(r'action="(/documents/\d+/import/\d+/apply/)"', page)
    assert found, page
    return found.group(1)


def live_rows(document: Document) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        e.content["cells"]["name"]: e.content["cells"]
        for e in Entry.objects.filter(document=document, kind="row", deleted=False)
    }


def imported_versions(document: Document) -> int:
    return EntryVersion.objects.filter(entry__document=document, reason="import").count()


def two_rows_and_a_preview(client: Client, document: Document) -> tuple[str, str, str]:
    """Rows A (100) and B (200); a file that changes A to 150 and keeps B: the preview's
    apply address, and the keys of A and B."""
    a = add_row(client, document, {"name": "Dự án A", "total": "100"})
    b = add_row(client, document, {"name": "Dự án B", "total": "200"})
    data = workbook_with(
        document,
        [
            RowData(uid=uid(a), cells={"name": "Dự án A", "total": "150"}),
            RowData(uid=uid(b), cells={"name": "Dự án B", "total": "200"}),
        ],
    )
    page = upload(client, document, data).content.decode()
    return apply_url(page), a, b


def test_a_row_a_colleague_adds_after_the_preview_is_kept_and_nothing_is_applied(
    cast: Cast, document_a: Document
) -> None:
    """The issue's case: the preview said 0 removed, the apply removed the colleague's row."""
    client = client_for(cast.editor_a)
    url, _a, _b = two_rows_and_a_preview(client, document_a)
    add_row(client_for(colleague_of(cast)), document_a, {"name": "Dự án của Bình"})

    page = client.post(url, follow=True).content.decode()

    assert "Dự án của Bình" in page and COLLEAGUE in page and UPLOAD_AGAIN in page
    assert live_rows(document_a) == {
        "Dự án A": {"name": "Dự án A", "total": "100"},
        "Dự án B": {"name": "Dự án B", "total": "200"},
        "Dự án của Bình": {"name": "Dự án của Bình"},
    }
    assert imported_versions(document_a) == 0
    assert ImportBatch.objects.get(document=document_a).applied_at is None


@pytest.mark.parametrize("change", ["delete", "edit", "move"])
def test_a_row_a_colleague_changes_after_the_preview_refuses_the_import_naming_it(
    cast: Cast, document_a: Document, change: str
) -> None:
    client = client_for(cast.editor_a)
    url, a, b = two_rows_and_a_preview(client, document_a)
    colleague = client_for(colleague_of(cast))
    if change == "delete":
        body = {"key": b, "base": 1}
    elif change == "edit":
        body = {"key": b, "base": 1, "content": {"cells": {"name": "Dự án B", "total": "250"}}}
    else:
        body = {"key": b, "after": None}
    endpoint = {"delete": "document_entry_delete", "edit": "document_entry_save"}.get(
        change, "document_entry_move"
    )
    response = colleague.post(
        reverse(endpoint, args=[document_a.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    before = sorted(
        Entry.objects.filter(document=document_a).values_list("key", "revision", "deleted")
    )

    page = client.post(url, follow=True).content.decode()

    assert "Dự án B" in page and COLLEAGUE in page and UPLOAD_AGAIN in page
    after = sorted(
        Entry.objects.filter(document=document_a).values_list("key", "revision", "deleted")
    )
    assert after == before
    assert Entry.objects.get(key=a).content["cells"]["total"] == "100"
    assert imported_versions(document_a) == 0


def test_a_second_click_on_apply_does_nothing_and_says_so(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    data = workbook_with(document_a, [RowData(uid=None, cells={"name": "Dự án mới"})])
    url = apply_url(upload(client, document_a, data).content.decode())

    first = client.post(url)
    second = client.post(url, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "đã được áp dụng" in second.content.decode()
    assert list(live_rows(document_a)) == ["Dự án mới"]
    assert (
        AuditEvent.objects.filter(message="xlsx import", object_id=str(document_a.pk)).count() == 1
    )


def test_the_preview_names_the_rows_that_applying_removes(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    keep = add_row(client, document_a, {"name": "Giữ lại"})
    add_row(client, document_a, {"name": "Bỏ đi một"})
    add_row(client, document_a, {"name": "Bỏ đi hai"})
    data = workbook_with(
        document_a,
        [
            RowData(uid=uid(keep), cells={"name": "Giữ lại"}),
            RowData(uid=None, cells={"name": "Thêm mới"}),
        ],
    )
    page = upload(client, document_a, data).content.decode()
    removed_section = page.split('class="import-rows import-removed"', 1)[1].split("</details>")[0]
    listed = re.findall(r"<li>(.*?)</li>", removed_section)
    assert sorted(listed) == ["Bỏ đi hai", "Bỏ đi một"]

    done = client.post(apply_url(page), follow=True).content.decode()

    removed = {
        e.content["cells"]["name"]
        for e in Entry.objects.filter(document=document_a, kind="row", deleted=True)
    }
    assert removed == set(listed)
    assert sorted(live_rows(document_a)) == ["Giữ lại", "Thêm mới"]
    assert "thêm 1 dòng, sửa 0 dòng, xóa 2 dòng" in done


def test_preview_and_apply_each_leave_one_audit_entry(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    drop = add_row(client, document_a, {"name": "Bỏ đi"})
    data = workbook_with(document_a, [RowData(uid=None, cells={"name": "Thêm"})])
    url = apply_url(upload(client, document_a, data).content.decode())
    batch = ImportBatch.objects.get(document=document_a)
    (preview,) = AuditEvent.objects.filter(
        object_type="documents.importbatch", object_id=str(batch.pk)
    )
    assert preview.actor == cast.editor_a
    assert preview.after["added"] == 1 and preview.after["removed"] == 1

    client.post(url)

    (applied,) = AuditEvent.objects.filter(message="xlsx import", object_id=str(document_a.pk))
    assert applied.after["removed"] == [drop]
    assert applied.after["batch"] == batch.pk


def test_a_preview_of_a_document_no_longer_a_draft_is_refused(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    data = workbook_with(document_a, [RowData(uid=None, cells={"name": "Thêm"})])
    Document.objects.filter(pk=document_a.pk).update(status="submitted")
    page = upload(client, document_a, data).content.decode()
    assert "message-error" in page and "apply" not in page
    assert not ImportBatch.objects.filter(document=document_a).exists()


# --- two applies at once, on PostgreSQL ----------------------------------------------------------

TABLE_FRAMEWORK = """
format: govplan/framework@1
code: TEST-IMPORT-2027
kind: plan
title: Kế hoạch thử nhập bảng năm 2027
period: {from: 2027, to: 2027}
issued_by: {number: 4/TEST, date: 2026-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2026-12-20
sections:
  - number: I
    title: DANH MỤC DỰ ÁN
    tables:
      - code: projects
        title: Danh mục dự án
        columns:
          - {code: name, title: Tên dự án, type: text, required: true, role: project_name}
"""

ROUNDS = 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_applies_at_once_apply_the_file_once(small_nation) -> None:  # type: ignore[no-untyped-def]
    from govplan.documents.actions import do_create_document

    province, people = small_nation
    admin, editor = people["admin"], people["editor_a"]
    version = publish(TABLE_FRAMEWORK, admin)
    document = do_create_document(unit=province, version=version, actor=editor)
    for round_ in range(ROUNDS):
        data = workbook_with(
            document,
            [
                *(
                    RowData(uid=uid(e.key), cells=e.content["cells"])
                    for e in Entry.objects.filter(document=document, deleted=False)
                ),
                RowData(uid=None, cells={"name": f"Lần {round_}"}),
            ],
        )
        url = apply_url(upload(client_for(editor), document, data).content.decode())
        clients = [client_for(editor), client_for(editor)]
        barrier = threading.Barrier(2)
        pages: list[str] = []

        def apply(client: Client) -> None:
            try:
                barrier.wait()
                pages.append(client.post(url, follow=True).content.decode())
            finally:
                connection.close()

        threads = [threading.Thread(target=apply, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        names = [
            e.content["cells"]["name"]
            for e in Entry.objects.filter(document=document, deleted=False).order_by("position")
        ]
        assert names == [f"Lần {n}" for n in range(round_ + 1)]
        assert sum("đã được áp dụng" in page for page in pages) == 1
    assert AuditEvent.objects.filter(message="xlsx import").count() == ROUNDS
