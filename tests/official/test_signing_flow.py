"""The head signs the approved plan in GovPlan, or uploads a copy signed elsewhere; either way
the issued copy is accepted only with an intact, whole, trusted signature."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govplan.core import signing
from govplan.documents.demo import fill_for_demo
from govplan.documents.models import Attachment, Document
from govplan.official import pki
from govplan.official.build import official_document
from govplan.official.models import IssuingData
from govplan.official.render import pdf_bytes
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

PASSPHRASE = "mật-khẩu-khóa"


@pytest.fixture(scope="module")
def authority():  # type: ignore[no-untyped-def]
    ca_key, ca_cert = pki.make_ca(key_kind="ec")
    key, cert = pki.make_signer(ca_key, ca_cert, common_name="Phạm Minh Lãnh", key_kind="ec")
    return ca_cert, pki.pkcs12(key, cert, ca_cert, PASSPHRASE.encode())


@pytest.fixture
def trusted(settings, tmp_path, authority):  # type: ignore[no-untyped-def]
    ca_cert, _key_file = authority
    (tmp_path / "root.pem").write_bytes(pki.pem(ca_cert))
    settings.TRUST_ROOTS_DIR = tmp_path
    return tmp_path


@pytest.fixture
def approved(cast: Cast, document_a: Document) -> Document:
    fill_for_demo(document_a, actor=cast.editor_a)
    Document.objects.filter(pk=document_a.pk).update(status="approved")
    return Document.objects.get(pk=document_a.pk)


def signer_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.approver_a)
    return client


def sign_form(key_file: bytes, passphrase: str = PASSPHRASE, number: str = "5") -> dict:
    return {
        "number": number,
        "date": "2027-01-05",
        "key_file": SimpleUploadedFile("lanh.p12", key_file),
        "passphrase": passphrase,
    }


def test_signing_here_numbers_signs_and_issues(
    cast: Cast, approved: Document, trusted, authority
) -> None:  # type: ignore[no-untyped-def]
    client = signer_client(cast)
    response = client.post(reverse("document_sign", args=[approved.pk]), sign_form(authority[1]))
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(pk=approved.pk)
    assert (document.status, document.issued_number) == ("issued", "05/KH-UBND")
    assert document.issued_date == dt.date(2027, 1, 5)
    copy = document.signed_copy.file.read()
    result = signing.verify_pdf(copy, trust_roots=[pki.pem(authority[0])])
    assert result.acceptable and "Phạm Minh Lãnh" in result.signer
    assert "Phạm Minh Lãnh" in document.signed_copy.description


def test_a_wrong_passphrase_is_explained_and_changes_nothing(
    cast: Cast, approved: Document, trusted, authority
) -> None:  # type: ignore[no-untyped-def]
    client = signer_client(cast)
    page = client.post(
        reverse("document_sign", args=[approved.pk]), sign_form(authority[1], "sai")
    ).content.decode()
    assert "Không mở được tệp khóa: sai mật khẩu" in page
    assert Document.objects.get(pk=approved.pk).status == "approved"
    assert not IssuingData.objects.filter(document=approved).exists()
    assert not Attachment.objects.filter(document=approved).exists()


def test_only_the_head_signs(cast: Cast, approved: Document) -> None:
    client = Client()
    client.force_login(cast.editor_a)
    assert client.get(reverse("document_sign", args=[approved.pk])).status_code == 404


def upload(client: Client, document: Document, pdf: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("document_issue", args=[document.pk]),
        {
            "number": "2668/KH-UBND",
            "date": "2027-01-16",
            "signed_copy": SimpleUploadedFile("ban-ky.pdf", pdf),
        },
        follow=True,
    )


@pytest.fixture
def signed_elsewhere(approved: Document, authority) -> bytes:  # type: ignore[no-untyped-def]
    pdf = pdf_bytes(official_document(approved))
    return signing.sign_pdf(
        pdf, key_and_certs=authority[1], passphrase=PASSPHRASE.encode(), reason="", location=""
    )


def test_an_uploaded_copy_with_a_good_signature_is_the_issued_copy(
    cast: Cast, approved: Document, trusted, signed_elsewhere: bytes
) -> None:  # type: ignore[no-untyped-def]
    upload(signer_client(cast), approved, signed_elsewhere)
    document = Document.objects.get(pk=approved.pk)
    assert document.status == "issued" and document.issued_number == "2668/KH-UBND"


@pytest.mark.parametrize("case", ["altered", "unsigned", "untrusted", "appended"])
def test_a_bad_copy_is_refused_with_the_reason(
    cast: Cast, approved: Document, trusted, signed_elsewhere: bytes, case: str, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    pdf = signed_elsewhere
    if case == "altered":
        at = pdf.index(b"/Type")  # inside the signed bytes
        pdf = pdf[:at] + b"/Typo" + pdf[at + 5 :]
    elif case == "unsigned":
        pdf = pdf_bytes(official_document(approved))
    elif case == "untrusted":
        other = tmp_path / "other"
        other.mkdir()
        _key, other_ca = pki.make_ca("Another CA", key_kind="ec")
        (other / "root.pem").write_bytes(pki.pem(other_ca))
        settings.TRUST_ROOTS_DIR = other
    elif case == "appended":
        pdf = pdf + b"\n% added after signing\n"
    page = upload(signer_client(cast), approved, pdf).content.decode()
    assert Document.objects.get(pk=approved.pk).status == "approved"
    assert not Attachment.objects.filter(document=approved).exists()
    reason = {
        "altered": "Tệp đã bị sửa đổi sau khi ký.",
        "unsigned": "Tệp chưa được ký số.",
        "untrusted": "không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp",
        "appended": "Chữ ký không bao trùm toàn bộ tệp",
    }[case]
    assert "Bản đã ký không được chấp nhận" in page and reason in page
