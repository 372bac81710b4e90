"""What was issued never changes: its number, date, header, place, signer and content are
frozen at issue, its DOCX and PDF are made from that alone, and its page offers the signed
copy first with how its signature was found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from govplan.documents.models import Document, Entry
from govplan.official.actions import do_save_profile
from govplan.official.defaults import profile_values
from govplan.official.models import IssuedRecord, IssuingData, PreparedPdf
from govplan.workflow import actions
from tests.conftest import Cast
from tests.official.conftest import Pki
from tests.official.test_official import docx_text, pdf_pages
from tests.support.around import around_the_guards
from tests.support.issuing import sign_form, signer_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(cast: Cast, approved: Document, authority: Pki) -> Document:
    """Bắc Ninh's plan signed in GovPlan as 05/KH-UBND of 05/01/2027."""
    response = signer_client(cast).post(
        reverse("document_sign", args=[approved.pk]), sign_form(authority.p12)
    )
    assert response.status_code == 302
    document = Document.objects.get(pk=approved.pk)
    assert document.status == "issued"
    return document


def reader(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.viewer_a)
    return client


def first_narrative(document: Document) -> Entry:
    return Entry.objects.filter(document=document, kind="narrative").exclude(content={}).first()


def test_changing_the_profile_and_the_entries_after_issue_changes_neither_file(
    cast: Cast, issued: Document
) -> None:
    client = reader(cast)
    docx_before = docx_text(client.get(reverse("document_docx", args=[issued.pk])).content)
    pdf_before = "\n".join(pdf_pages(client.get(reverse("document_pdf", args=[issued.pk])).content))
    narrative = first_narrative(issued)
    old_text = "Triển khai"
    assert "ỦY BAN NHÂN DÂN" in docx_before and "Bắc Ninh, ngày 05 tháng 01 năm 2027" in docx_before
    assert "Phạm Minh Lãnh" in docx_before and "Số: 05/KH-UBND" in docx_before

    # Years later: the unit is renamed, its place and signer change, a text is rewritten
    # (around the editor: the document is issued), the issuing data are changed too.
    profile = profile_values(cast.province_a)
    do_save_profile(
        cast.province_a,
        {
            **profile,
            "issuing_body": "SỞ HOÀN TOÀN MỚI",
            "issuer_name": "Sở hoàn toàn mới",
            "place": "Thăng Long",
            "signer_name": "Người Ký Mới",
        },
        actor=cast.editor_a,
    )
    with around_the_guards(issued):
        Entry.objects.filter(pk=narrative.pk).update(content={"html": "<p>Văn bản viết lại</p>"})
    IssuingData.objects.filter(document=issued).update(number="999", signer_name="Người Khác")

    docx_after = docx_text(client.get(reverse("document_docx", args=[issued.pk])).content)
    pdf_after = "\n".join(pdf_pages(client.get(reverse("document_pdf", args=[issued.pk])).content))
    assert docx_after == docx_before
    assert pdf_after == pdf_before
    for text in (docx_after, pdf_after):
        assert "SỞ HOÀN TOÀN MỚI" not in text and "Thăng Long" not in text
        assert "Người Ký Mới" not in text and "Văn bản viết lại" not in text
        assert "Người Khác" not in text and "999" not in text
    assert old_text in docx_after


def test_the_document_page_offers_the_signed_copy_first_with_its_status(
    cast: Cast, issued: Document
) -> None:
    record = IssuedRecord.objects.get(document=issued)
    page = reader(cast).get(reverse("document_edit", args=[issued.pk])).content.decode()
    copy_url = reverse("document_attachment", args=[issued.pk, record.signed_copy_id])
    assert copy_url in page
    assert page.index(copy_url) < page.index(reverse("document_docx", args=[issued.pk]))
    assert page.index(copy_url) < page.index(reverse("document_pdf", args=[issued.pk]))
    status = page[page.index('id="issued"') :]
    assert "Phạm Minh Lãnh" in status and "05/KH-UBND" in status
    assert "không có dấu thời gian tin cậy" in status
    assert "chứng thư số không nêu danh sách thu hồi" in status
    assert "được tạo từ nội dung đã chốt khi ban hành" in status
    download = reader(cast).get(copy_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == issued.signed_copy.file.read()


def test_what_was_issued_cannot_be_changed_even_around_the_orm(issued: Document) -> None:
    record = IssuedRecord.objects.get(document=issued)
    for model, pk in ((IssuedRecord, record.pk), (PreparedPdf, record.prepared_id)):
        with pytest.raises(DatabaseError), transaction.atomic():
            model.objects.filter(pk=pk).update(number="1/KH-UBND")
    assert IssuedRecord.objects.get(pk=record.pk).number == "05/KH-UBND"


def test_reopened_and_issued_again_the_new_record_is_the_one_in_force(
    cast: Cast, issued: Document, authority: Pki
) -> None:
    from tests.support.issuing import approve

    actions.do_transition(issued, "reopen", actor=cast.central_admin, reason="Sửa số liệu")
    document = approve(Document.objects.get(pk=issued.pk), cast)
    response = signer_client(cast).post(
        reverse("document_sign", args=[document.pk]),
        {**sign_form(authority.p12, number="6"), "date": "2027-02-01"},
    )
    assert response.status_code == 302
    records = list(IssuedRecord.objects.filter(document=document))
    assert [r.number for r in records] == ["06/KH-UBND", "05/KH-UBND"]
    text = docx_text(reader(cast).get(reverse("document_docx", args=[document.pk])).content)
    assert "Số: 06/KH-UBND" in text and "ngày 01 tháng 02 năm 2027" in text
    assert Document.objects.get(pk=document.pk).issued_date == dt.date(2027, 2, 1)
