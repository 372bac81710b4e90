"""Tables through Excel and evidence files: the round trip, the preview, all or nothing, and
every bad file refused with its reason."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from govplan.core.adapters.xlsx import RowData, write_workbook
from govplan.documents.models import Attachment, Document, Entry
from govplan.documents.tables_xlsx import sheet_specs
from tests.conftest import Cast
from tests.support.hostile_files import clean_pdf

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def add_row(client: Client, document: Document, cells: dict, phasing: dict | None = None) -> str:  # type: ignore[type-arg]
    content = {"cells": cells}
    if phasing is not None:
        content["phasing"] = phasing
    response = client.post(
        reverse("document_entry_add", args=[document.pk]),
        data=json.dumps({"container": "row:projects", "content": content}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["key"]


def sheet(content: bytes, title_prefix: str) -> list[list]:  # type: ignore[type-arg]
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    name = next(n for n in book.sheet_names if n.startswith(title_prefix))
    return book.get_sheet_by_name(name).to_python()


def upload(client: Client, document: Document, content: bytes, name: str = "bang.xlsx"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("document_import", args=[document.pk]),
        {"file": SimpleUploadedFile(name, content, "application/octet-stream")},
    )


def workbook_with(document: Document, rows: list[RowData]) -> bytes:
    specs = sheet_specs(document.framework_version.parsed(), document)
    return write_workbook(
        [(s, rows if s.table.code == "projects" else []) for s in specs], title="t"
    )


def test_download_edit_upload_preview_apply(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    keep = add_row(client, document_a, {"name": "Giữ nguyên", "total": "100"})
    change = add_row(client, document_a, {"name": "Sửa tổng", "total": "200"})
    drop = add_row(client, document_a, {"name": "Bỏ đi", "total": "300"})
    download = client.get(reverse("document_xlsx", args=[document_a.pk]))
    assert download.status_code == 200
    rows = sheet(download.content, "Danh mục")
    assert rows[0][0] == "TT" and rows[1][1] == "Giữ nguyên"
    uids = {key.rsplit(":", 1)[1] for key in (keep, change, drop)}
    assert {str(r[-1]) for r in rows[1:-1]} == uids  # every row carries its id
    assert rows[-1][0] == rows[-1][-1] == "Tổng cộng"  # then the totals row, as values
    assert 600 in rows[-1]

    unchanged = upload(client, document_a, download.content)  # as downloaded: no change
    assert unchanged.status_code == 200
    counts = __import__("re").findall(r'<td class="num">(\d+)</td>', unchanged.content.decode())
    assert [int(n) for n in counts[:4]] == [0, 0, 0, 3]

    edited = workbook_with(
        document_a,
        [
            RowData(uid=keep.rsplit(":", 1)[1], cells={"name": "Giữ nguyên", "total": "100"}),
            RowData(uid=change.rsplit(":", 1)[1], cells={"name": "Sửa tổng", "total": "250.5"}),
            RowData(
                uid=None,
                cells={"name": "Dự án mới", "total": "50"},
                phasing={"2027|central_budget|capital": "50"},
            ),
        ],
    )
    preview = upload(client, document_a, edited)
    page = preview.content.decode()
    assert preview.status_code == 200
    # added, changed, removed, unchanged
    assert [int(n) for n in __import__("re").findall(r'<td class="num">(\d+)</td>', page)[:4]] == [
        1,
        1,
        1,
        1,
    ]
    assert Entry.objects.get(key=change).content["cells"]["total"] == "200"  # nothing applied yet
    batch_url = (
        __import__("re").search(r'action="(/documents/\d+/import/\d+/apply/)"', page).group(1)
    )
    assert client.post(batch_url).status_code == 302
    rows = Entry.objects.filter(document=document_a, kind="row")
    assert rows.get(key=change).content["cells"]["total"] == "250.5"
    assert rows.get(key=drop).deleted
    assert rows.get(content__cells__name="Dự án mới").content["phasing"] == {
        "2027|central_budget|capital": "50"
    }


def test_one_bad_cell_means_nothing_is_applied(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    key = add_row(client, document_a, {"name": "Có sẵn", "total": "100"})
    bad = workbook_with(
        document_a,
        [
            RowData(uid=key.rsplit(":", 1)[1], cells={"name": "Có sẵn", "total": "999"}),
            RowData(uid=None, cells={"name": "Dòng lỗi", "total": "không rõ"}),
        ],
    )
    page = upload(client, document_a, bad).content.decode()
    assert "không rõ" in page
    assert "apply" not in page.split("problems")[-1]  # no apply button
    assert Entry.objects.get(key=key).content["cells"]["total"] == "100"
    assert Entry.objects.filter(document=document_a, kind="row").count() == 1


def test_a_table_changed_after_the_preview_is_not_overwritten(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    key = add_row(client, document_a, {"name": "Dòng", "total": "100"})
    edited = workbook_with(
        document_a, [RowData(uid=key.rsplit(":", 1)[1], cells={"name": "Dòng", "total": "150"})]
    )
    page = upload(client, document_a, edited).content.decode()
    apply_url = (
        __import__("re").search(r'action="(/documents/\d+/import/\d+/apply/)"', page).group(1)
    )
    # A colleague edits the row meanwhile.
    client.post(
        reverse("document_entry_save", args=[document_a.pk]),
        data=json.dumps(
            {"key": key, "base": 1, "content": {"cells": {"name": "Dòng", "total": "120"}}}
        ),
        content_type="application/json",
    )
    client.post(apply_url)
    assert Entry.objects.get(key=key).content["cells"]["total"] == "120"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bang.xlsm", b"PK\x03\x04whatever", ".xlsm"),
        ("bang.xlsx", b"%PDF-1.4 not a workbook", "xlsx"),
        ("bang.csv", b"a,b\n1,2\n", ".csv"),
    ],
)
def test_a_wrong_file_is_refused_before_reading(
    cast: Cast, document_a: Document, name: str, content: bytes, reason: str
) -> None:
    page = upload(client_for(cast.editor_a), document_a, content, name).content.decode()
    assert "message-error" in page and reason in page


def test_macros_inside_a_file_named_xlsx_are_refused(cast: Cast, document_a: Document) -> None:
    clean = workbook_with(document_a, [])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(clean)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    page = upload(client_for(cast.editor_a), document_a, buffer.getvalue()).content.decode()
    assert "message-error" in page and "macro" in page.lower()


# A real PDF: evidence PDFs are parsed for active content, and a broken one is refused.
PDF = clean_pdf()


def attach(client: Client, document: Document, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("document_attach", args=[document.pk, "I"]),
        {
            "file": SimpleUploadedFile(name, data, "application/octet-stream"),
            "description": "Quyết định",
        },
        follow=True,
    )


def test_evidence_is_attached_and_served_only_to_those_who_see_the_document(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    response = attach(client, document_a, "quyet-dinh.pdf", PDF)
    assert "quyet-dinh.pdf" in response.content.decode()
    attachment = Attachment.objects.get(document=document_a)
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    url = reverse("document_attachment", args=[document_a.pk, attachment.pk])
    download = client_for(cast.viewer_a).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client_for(cast.editor_b).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("chuong-trinh.pdf", b"MZ\x90\x00" + b"\x00" * 100),  # a program renamed .pdf
        ("bao-cao.docm", b"PK\x03\x04" + b"\x00" * 100),
        ("anh.gif", b"GIF89a"),
        ("rong.pdf", b""),
    ],
)
def test_a_bad_attachment_is_refused_with_its_reason(
    cast: Cast, document_a: Document, name: str, data: bytes
) -> None:
    response = attach(client_for(cast.editor_a), document_a, name, data)
    page = response.content.decode()
    assert "message-error" in page and name in page
    assert not Attachment.objects.filter(document=document_a).exists()


def test_an_oversized_attachment_is_refused(cast: Cast, document_a: Document, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = attach(client_for(cast.editor_a), document_a, "lon.pdf", PDF + b"x" * 2048)
    assert "message-error" in response.content.decode()
    assert not Attachment.objects.filter(document=document_a).exists()
