"""A plan comes out as the official document: DOCX and PDF in the Decree 30 layout, with the
unit's header and signature block and the document's number and date; a draft until it is
numbered."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
import pytest
from django.test import Client
from django.urls import reverse
from docx import Document as Docx

from govplan.audit.models import AuditEvent
from govplan.demo.documents import fill_for_demo
from govplan.documents.models import Document
from govplan.official.models import IssuingData, IssuingProfile
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast: Cast, document_a: Document) -> Document:
    fill_for_demo(document_a, actor=cast.editor_a)
    return document_a


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def docx_text(content: bytes) -> str:
    doc = Docx(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def pdf_pages(content: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(content)
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def test_an_unnumbered_plan_downloads_as_a_marked_draft(cast: Cast, plan: Document) -> None:
    response = client_for(cast.viewer_a).get(reverse("document_docx", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = docx_text(response.content)
    assert "DỰ THẢO" in text
    assert "ỦY BAN NHÂN DÂN" in text and "TỈNH BẮC NINH" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "KẾ HOẠCH" in text and "Chuyển đổi số năm 2027" in text
    assert "I. CĂN CỨ LẬP KẾ HOẠCH" in text
    assert "Nơi nhận:" in text and "TM. ỦY BAN NHÂN DÂN" in text
    # The project catalogue is an appendix, referred to from its section.
    assert "Phụ lục I" in text and "(Chi tiết tại Phụ lục I kèm theo)" in text


def test_the_number_and_date_entered_once_appear_in_both_files(cast: Cast, plan: Document) -> None:
    client = client_for(cast.editor_a)
    url = reverse("document_issuing", args=[plan.pk])
    page = client.get(url).content.decode()
    for label in ("Số:", "Ngày ban hành:", "Hình thức ban hành:", "Ngày quyết định:"):
        assert label in page
    assert "TM. ỦY BAN NHÂN DÂN<br>" in page  # the unit's signature block, a line each
    response = client.post(
        url,
        {
            "number": "5",
            "date": "2027-01-05",
            "subject": "",
            "mode": "",
            "signer_name": "Nguyễn Văn Thành",
            "recipients": "Bộ Khoa học và Công nghệ (để báo cáo)\nCác sở, ban, ngành",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(object_type__endswith="issuingdata").exists()
    docx = client.get(reverse("document_docx", args=[plan.pk])).content
    text = docx_text(docx)
    assert "Số: 05/KH-UBND" in text
    assert "Bắc Ninh, ngày 05 tháng 01 năm 2027" in text
    assert "DỰ THẢO" not in text
    assert "- Các sở, ban, ngành;" in text and "Nguyễn Văn Thành" in text
    pdf = client.get(reverse("document_pdf", args=[plan.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    pages = pdf_pages(pdf.content)
    first = pages[0]
    assert "Số: 05/KH-UBND" in first and "Độc lập - Tự do - Hạnh phúc" in first
    assert "ngày 05 tháng 01 năm 2027" in first
    # Page numbers (a line holding only the number) from page 2 on, not on page 1.
    assert len(pages) > 2
    lines = [[line.strip() for line in page.splitlines()] for page in pages]
    assert "2" in lines[1] and "3" in lines[2]
    assert "1" not in lines[0]


def test_wrong_issuing_data_is_explained_and_nothing_is_saved(cast: Cast, plan: Document) -> None:
    client = client_for(cast.editor_a)
    url = reverse("document_issuing", args=[plan.pk])
    page = client.post(url, {"number": "2668/KH-UBND", "date": "2027-01-05"}).content.decode()
    assert "2668" in page and "KH-UBND" in page  # the input is kept
    assert "Chỉ ghi số, ví dụ 2668" in page
    page = client.post(url, {"number": "12", "date": ""}).content.decode()
    assert "Văn bản đã có số thì phải có ngày ban hành." in page
    assert not IssuingData.objects.filter(document=plan).exists()


def test_the_decision_mode_issues_the_plan_with_an_approving_decision(
    cast: Cast, plan: Document
) -> None:
    IssuingData.objects.create(
        document=plan, mode="decision", decision_number="12", decision_date=dt.date(2027, 1, 5)
    )
    text = docx_text(
        client_for(cast.editor_a).get(reverse("document_docx", args=[plan.pk])).content
    )
    assert "QUYẾT ĐỊNH" in text and "Số: 12/QĐ-UBND" in text
    assert "Về việc ban hành Kế hoạch chuyển đổi số năm 2027" in text
    assert "(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2027" in text
    assert "Điều 1." in text


def test_the_units_header_is_suggested_then_kept(cast: Cast, plan: Document) -> None:
    client = client_for(cast.approver_a)
    url = reverse("unit_issuing_profile", args=[cast.province_a.pk])
    page = client.get(url).content.decode()
    assert "TỈNH BẮC NINH" in page and "TM. ỦY BAN NHÂN DÂN" in page
    response = client.post(
        url,
        {
            "parent_body": "",
            "issuing_body": "ỦY BAN NHÂN DÂN\r\nTỈNH BẮC NINH",
            "issuer_name": "Ủy ban nhân dân tỉnh Bắc Ninh",
            "issuer_code": "UBND",
            "place": "Bắc Ninh",
            "signer_authority": "TM. ỦY BAN NHÂN DÂN",
            "signer_on_behalf": "",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "Trần Văn Tỉnh",
            "recipients": "Bộ Khoa học và Công nghệ",
            "archive": "Lưu: VT, KHCN.",
            "mode": "direct",
        },
    )
    assert response.status_code == 302
    assert IssuingProfile.objects.get(org_unit=cast.province_a).signer_title == "CHỦ TỊCH"
    text = docx_text(client.get(reverse("document_docx", args=[plan.pk])).content)
    assert "Trần Văn Tỉnh" in text and "- Lưu: VT, KHCN." in text
    assert "KT. CHỦ TỊCH" not in text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("editor_a", 200),
        ("approver_a", 200),
        ("viewer_a", 403),
        ("editor_b", 404),
        ("appraiser", 403),
    ],
)
def test_only_the_agency_enters_issuing_data(
    cast: Cast, plan: Document, who: str, status: int
) -> None:
    client = client_for(getattr(cast, who))
    assert client.get(reverse("document_issuing", args=[plan.pk])).status_code == status


def test_issued_documents_keep_their_recorded_number(cast: Cast, plan: Document) -> None:
    """Issued before GovPlan froze what it printed: its number stays, and nothing is made
    again from today's data (tests/official/test_issued.py has the frozen documents)."""
    Document.objects.filter(pk=plan.pk).update(
        status="issued", issued_number="2668/KH-UBND", issued_date=dt.date(2027, 1, 16)
    )
    client = client_for(cast.editor_a)
    page = client.post(
        reverse("document_issuing", args=[plan.pk]), {"number": "9", "date": "2027-02-01"}
    ).content.decode()
    assert "Văn bản đã ban hành: số và ngày ban hành đã được ghi nhận" in page
    assert not IssuingData.objects.filter(document=plan).exists()
    response = client.get(reverse("document_docx", args=[plan.pk]), follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "bản đã ký là văn bản ban hành" in response.content.decode()


def test_a_ratio_is_printed_in_its_indicators_unit(cast: Cast, plan: Document) -> None:
    """A share reads as a percentage; computers per civil servant read as a quotient."""
    response = client_for(cast.viewer_a).get(reverse("document_docx", args=[plan.pk]))
    rows = [
        [cell.text for cell in row.cells]
        for table in Docx(io.BytesIO(response.content)).tables
        for row in table.rows
    ]
    computers = next(r for r in rows if r[1].startswith("Tỷ lệ trung bình máy tính"))
    assert computers[3] == "90/100 (0,90 máy tính/người)"
    shares = next(r for r in rows if r[1].startswith("Tỷ lệ đơn vị được kết nối"))
    assert shares[3] == "90/100 (90,0%)"


def test_the_phasing_prints_only_the_columns_with_figures(cast: Cast, plan: Document) -> None:
    """The demo's one project is funded by the central budget alone: its total is printed
    under that column, and the other sources' columns, blank in every row, are not printed."""
    response = client_for(cast.viewer_a).get(reverse("document_docx", args=[plan.pk]))
    tables = Docx(io.BytesIO(response.content)).tables
    phasing = next(t for t in tables if t.rows[0].cells[1].text == "Nội dung")
    body, total = ([c.text for c in row.cells] for row in phasing.rows[-2:])
    assert total[1] == "Tổng cộng" and total[2] == body[2] != ""
    for figure, summed in zip(body[3:], total[3:], strict=True):
        assert summed == figure  # one row: the total is the row; blank stays blank
    assert "" not in total[2:] and "0" not in total
    # The one source used is named once above the table, not under each year.
    assert phasing.rows[0].cells[3].text.startswith("Năm ")
    docx = Docx(io.BytesIO(response.content))
    assert any(p.text.startswith("Nguồn vốn: Ngân sách trung ương") for p in docx.paragraphs)
