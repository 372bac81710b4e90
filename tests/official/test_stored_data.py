"""Data stored before the input checks refused it never stops a file: a money value of 1
followed by 400 zeros, infinity, a control character (BEL, ESC) or half of a surrogate pair in
a name or a text. The cycle workbook, the DOCX, the PDF and signing still come out (bad amounts
count for nothing in a total, bad characters are dropped); in a batch export one document that
fails is reported and the others are still made."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from govplan.demo.documents import fill_for_demo
from govplan.documents.actions import do_create_document
from govplan.documents.models import Document, Entry
from govplan.official import export_files, export_worker
from govplan.official.models import ExportJob, ExportState, IssuingData
from govplan.official.render import render as real_render
from govplan.workflow.actions import snapshot
from govplan.workflow.models import DocumentRevision
from tests.conftest import Cast, example_version, unit
from tests.official.conftest import Pki
from tests.official.test_official import docx_text, pdf_pages
from tests.support.around import around_the_guards
from tests.support.issuing import sign_form, signer_client

pytestmark = pytest.mark.django_db

# Half a surrogate pair only where the database can hold one: SQLite stores it, PostgreSQL's
# JSON refuses it on the way in.
HALF = "\ud800" if connection.vendor == "sqlite" else ""
NAME = f"Dự án\x07 chuông\x1b thoát lẻ{HALF}"
SHOWN = "Dự án chuông thoát lẻ"  # as the files print it
TEXT = f"<p>Đoạn văn\x07 có\x1b ký tự điều khiển{HALF}.</p>"
HUGE = "1" + "0" * 400


def poison(document: Document) -> None:
    """Bad values written straight into the database, as an older version let them in."""
    with around_the_guards(document):
        _poison(document)


def _poison(document: Document) -> None:
    row = Entry.objects.filter(document=document, kind="row").first()
    assert row is not None
    content = {**row.content, "cells": dict(row.content["cells"])}
    content["cells"].update(name=NAME, total=HUGE, amount_2027="1e400")
    content["phasing"] = {key: "1e400" for key in row.content.get("phasing", {})}
    Entry.objects.filter(pk=row.pk).update(content=content)
    narrative = Entry.objects.filter(document=document, kind="narrative").first()
    assert narrative is not None
    Entry.objects.filter(pk=narrative.pk).update(content={"html": TEXT})
    for key, value in (("value:CSDL.SO_LUONG", "1e400"), ("value:NL.LUOT_DAO_TAO", "Infinity")):
        Entry.objects.filter(document=document, key=key).update(
            content={"cells": {"": {"v": value}}}
        )


@pytest.fixture
def poisoned(cast: Cast, document_a: Document) -> Document:
    fill_for_demo(document_a, actor=cast.editor_a)
    poison(document_a)
    return document_a


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_docx_and_pdf_come_out_without_the_bad_characters(
    cast: Cast, poisoned: Document
) -> None:
    client = client_for(cast.viewer_a)
    docx = client.get(reverse("document_docx", args=[poisoned.pk]))
    pdf = client.get(reverse("document_pdf", args=[poisoned.pk]))

    assert docx.status_code == pdf.status_code == 200
    text = docx_text(docx.content)
    pages = "\n".join(pdf_pages(pdf.content))
    for printed in (text, pages):
        assert "chuông" in printed and "ký tự điều khiển" in printed
        assert not any(c in printed for c in "\x07\x1b\ud800\udfff")
    assert SHOWN in text


def test_the_cycle_workbook_counts_bad_amounts_for_nothing(cast: Cast, poisoned: Document) -> None:
    other = do_create_document(
        unit=unit("gso-province", "01"), version=example_version(), actor=cast.central_admin
    )
    fill_for_demo(other, actor=cast.central_admin)  # one project of 3.000 (total investment)

    response = client_for(cast.central_admin).get(
        reverse("cycle_xlsx", args=[example_version().framework.code, 1])
    )

    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    projects = next(n for n in book.sheet_names if "dự án" in n.lower())
    rows = book.get_sheet_by_name(projects).to_python()
    header = next(i for i, r in enumerate(rows) if "Đơn vị" in r)
    total_col = next(i for i, h in enumerate(rows[header]) if str(h).startswith("Tổng mức"))
    body = rows[header + 1 :]
    bad = next(r for r in body if r[0] == "Tỉnh Bắc Ninh")
    assert SHOWN in bad  # the name, without its control characters
    assert bad[total_col] == HUGE  # kept as written, as text: not a number to add
    assert body[-1][total_col] == 3000  # the total counts the good row only


def test_an_approved_revision_with_bad_data_is_signed_and_issued(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    """The revision is what is signed: one holding such data is written straight in."""
    poison(approved)
    bad = DocumentRevision.objects.create(
        document=approved,
        number=approved.revision + 1,
        snapshot=snapshot(approved),
        created_by=cast.editor_a,
    )
    Document.objects.filter(pk=approved.pk).update(revision=bad.number)

    response = signer_client(cast).post(
        reverse("document_sign", args=[approved.pk]), sign_form(authority.p12)
    )

    assert response.status_code == 302, response.content.decode()[-3000:]
    document = Document.objects.get(pk=approved.pk)
    assert document.status == "issued"
    text = docx_text(
        client_for(cast.viewer_a).get(reverse("document_docx", args=[document.pk])).content
    )
    assert SHOWN in text and "\x07" not in text


# --- Batch export ---------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def cycle(cast: Cast, document_a: Document, media: Path) -> list[Document]:
    """Bắc Ninh's plan approved with bad data in it; Hà Nội's and Hồ Chí Minh City's
    approved."""
    plans = []
    for document in (
        document_a,
        do_create_document(
            unit=unit("gso-province", "01"), version=example_version(), actor=cast.central_admin
        ),
        do_create_document(
            unit=unit("gso-province", "79"), version=example_version(), actor=cast.central_admin
        ),
    ):
        fill_for_demo(document, actor=cast.central_admin)
        Document.objects.filter(pk=document.pk).update(status="approved")
        plans.append(Document.objects.get(pk=document.pk))
    poison(plans[0])
    return plans


def export(cast: Cast, captured: Any) -> ExportJob:
    version = example_version()
    with captured(execute=True):
        response = client_for(cast.central_admin).post(
            reverse("export_start", args=[version.framework.code, version.number]),
            {"status": "final", "formats": ["docx", "pdf"]},
        )
    assert response.status_code == 302
    return ExportJob.objects.get()


def test_a_batch_export_with_bad_data_makes_every_document(
    cast: Cast, cycle: list[Document], django_capture_on_commit_callbacks: Any
) -> None:
    job = export(cast, django_capture_on_commit_callbacks)

    assert job.state == ExportState.DONE and job.failed == []
    with zipfile.ZipFile(export_files.zip_path(job)) as archive:
        names = archive.namelist()
    assert sum(n.endswith(".docx") for n in names) == 3
    assert sum(n.endswith(".pdf") for n in names) == 3
    assert export_files.WORKBOOK_NAME in names


def test_one_document_that_fails_is_reported_and_the_others_are_made(
    cast: Cast, cycle: list[Document], django_capture_on_commit_callbacks: Any, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    broken = cycle[1]  # Hà Nội's: its files cannot be made (a defect we did not foresee)

    def render(document: Document, kind: str, model: Any = None) -> Any:
        if document.pk == broken.pk:
            raise RuntimeError("the layout engine gave up")
        return real_render(document, kind, model=model)

    monkeypatch.setattr(export_worker, "render", render)

    job = export(cast, django_capture_on_commit_callbacks)

    assert job.state == ExportState.DONE
    assert [f["id"] for f in job.failed] == [broken.pk]
    assert "Thành phố Hà Nội" in job.failed[0]["label"]
    assert "the layout engine gave up" in job.failed[0]["error"]
    with zipfile.ZipFile(export_files.zip_path(job)) as archive:
        names = archive.namelist()
        note = archive.read(export_files.NOTE_NAME).decode()
        listed = archive.read(export_files.MANIFEST_NAME).decode("utf-8-sig")
    assert not any(n.startswith("01-") for n in names)
    assert sum(n.endswith(".docx") for n in names) == 2
    assert "Thành phố Hà Nội" in note and "the layout engine gave up" in note
    assert "Thành phố Hà Nội" not in listed and "Tỉnh Bắc Ninh" in listed
    page = client_for(cast.central_admin).get(reverse("export_detail", args=[job.pk]))
    assert "Thành phố Hà Nội" in page.content.decode()
    assert "Không tạo được tệp của 1 văn bản" in page.content.decode()


def test_an_issued_document_is_exported_as_it_was_issued(
    cast: Cast,
    approved: Document,
    authority: Pki,
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    signer_client(cast).post(reverse("document_sign", args=[approved.pk]), sign_form(authority.p12))
    issued = Document.objects.get(pk=approved.pk)
    assert issued.status == "issued"
    IssuingData.objects.filter(document=issued).update(signer_name="Người Khác")
    with around_the_guards(issued):
        Entry.objects.filter(document=issued, kind="narrative").update(
            content={"html": "<p>Viết lại sau khi ban hành</p>"}
        )

    job = export(cast, django_capture_on_commit_callbacks)

    with zipfile.ZipFile(export_files.zip_path(job)) as archive:
        pdf = next(archive.read(n) for n in archive.namelist() if n.endswith(".pdf"))
        docx = next(archive.read(n) for n in archive.namelist() if n.endswith(".docx"))
    assert pdf == issued.signed_copy.file.read()
    text = docx_text(docx)
    assert "Số: 05/KH-UBND" in text and "Phạm Minh Lãnh" in text
    assert "Người Khác" not in text and "Viết lại sau khi ban hành" not in text
    assert dt.date(2027, 1, 5) == issued.issued_date
