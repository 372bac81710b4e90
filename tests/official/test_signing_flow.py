"""The head signs the approved plan in GovPlan, or uploads a copy signed elsewhere. Either way
the copy is accepted only if it is the PDF GovPlan made of the approved revision, signed with
a certificate registered for an approver of the unit, with an intact, whole, trusted
signature at a plausible time from a certificate that is not revoked; otherwise the reason is
shown and nothing changes."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govplan.audit.models import AuditEvent
from govplan.core.adapters import signing
from govplan.core.adapters.pdf import write_pdf
from govplan.core.official.model import Issuer, OfficialDocument, Paragraph, Run, Section
from govplan.demo import pki
from govplan.documents.actions import do_create_document
from govplan.documents.models import Attachment, Document
from govplan.official.actions import do_save_profile
from govplan.official.defaults import profile_values
from govplan.official.models import IssuedRecord, IssuingData, PreparedPdf
from tests.conftest import Cast, example_version
from tests.official.conftest import Pki
from tests.support import signing as support
from tests.support.issuing import approve, register, sign_form, signer_client

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC)


def pdf_to_sign(client: Client, document: Document) -> bytes:
    response = client.post(reverse("document_pdf_to_sign", args=[document.pk]))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def upload(client: Client, document: Document, pdf: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("document_issue", args=[document.pk]),
        {"signed_copy": SimpleUploadedFile("ban-ky.pdf", pdf)},
        follow=True,
    )


def nothing_changed(document: Document) -> None:
    document = Document.objects.get(pk=document.pk)
    assert document.status == "approved"
    assert document.signed_copy is None
    assert not Attachment.objects.filter(document=document).exists()
    assert not IssuedRecord.objects.filter(document=document).exists()


# --- Signing in GovPlan ---------------------------------------------------------------------


def test_signing_here_numbers_signs_and_issues(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    response = signer_client(cast).post(
        reverse("document_sign", args=[approved.pk]), sign_form(authority.p12)
    )
    assert response.status_code == 302, response.content.decode()[-6000:]
    document = Document.objects.get(pk=approved.pk)
    assert (document.status, document.issued_number) == ("issued", "05/KH-UBND")
    assert document.issued_date == dt.date(2027, 1, 5)
    copy = document.signed_copy.file.read()
    result = signing.verify_pdf(copy, trust_roots=[pki.pem(authority.ca)])
    assert result.acceptable and "Phạm Minh Lãnh" in result.signer
    assert "Phạm Minh Lãnh" in document.signed_copy.description
    record = IssuedRecord.objects.get(document=document)
    assert (record.number, record.date) == ("05/KH-UBND", dt.date(2027, 1, 5))
    assert record.certificate.user == cast.approver_a
    assert copy.startswith(b"%PDF")
    assert hashlib.sha256(copy[: copy.index(b"%%EOF") + 5]).hexdigest() == record.prepared.sha256
    assert AuditEvent.objects.filter(action="official.issue", object_id=str(record.pk)).exists()


def test_a_wrong_passphrase_is_explained_and_changes_nothing(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    page = (
        signer_client(cast)
        .post(reverse("document_sign", args=[approved.pk]), sign_form(authority.p12, "sai"))
        .content.decode()
    )
    assert "Không mở được tệp khóa: sai mật khẩu" in page
    nothing_changed(approved)
    assert IssuingData.objects.get(document=approved).number == "2668"


def test_signing_here_needs_a_certificate_registered_for_the_signer(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    """Hà Nội's approver's key file (a trusted CA's) cannot sign Bắc Ninh's plan."""
    p12 = pki.pkcs12(authority.other_key, authority.other_cert, authority.ca, None)
    page = (
        signer_client(cast)
        .post(reverse("document_sign", args=[approved.pk]), sign_form(p12, ""))
        .content.decode()
    )
    assert "không được đăng ký cho ông/bà là người ký của Tỉnh Bắc Ninh" in page
    nothing_changed(approved)


def test_only_the_head_signs(cast: Cast, approved: Document) -> None:
    client = Client()
    client.force_login(cast.editor_a)
    assert client.get(reverse("document_sign", args=[approved.pk])).status_code == 404
    assert client.post(reverse("document_pdf_to_sign", args=[approved.pk])).status_code == 404


def test_a_signature_block_without_a_name_cannot_be_issued(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    do_save_profile(
        cast.province_a, {**profile_values(cast.province_a), "signer_name": ""}, actor=cast.editor_a
    )
    IssuingData.objects.filter(document=approved).update(signer_name="")
    client = signer_client(cast)
    page = client.get(reverse("document_sign", args=[approved.pk])).content.decode()
    assert "Khối chữ ký chưa có họ tên người ký" in page
    page = client.post(
        reverse("document_sign", args=[approved.pk]), sign_form(authority.p12)
    ).content.decode()
    assert "họ tên người ký trong khối chữ ký" in page
    nothing_changed(approved)
    page = client.post(reverse("document_pdf_to_sign", args=[approved.pk]), follow=True)
    assert "họ tên người ký trong khối chữ ký" in page.content.decode()
    assert not PreparedPdf.objects.filter(document=approved).exists()


# --- Signed elsewhere -----------------------------------------------------------------------


@pytest.fixture
def signed_elsewhere(cast: Cast, approved: Document, authority: Pki) -> bytes:
    """The PDF to sign taken from the issue page, signed with the approver's token."""
    pdf = pdf_to_sign(signer_client(cast), approved)
    return support.sign(pdf, authority.key, authority.cert, authority.ca)


def test_the_pdf_to_sign_carries_the_number_and_is_recorded(cast: Cast, approved: Document) -> None:
    client = signer_client(cast)
    page = client.get(reverse("document_issue", args=[approved.pk])).content.decode()
    assert "2668/KH-UBND" in page and "Tải PDF để ký" in page
    pdf = pdf_to_sign(client, approved)
    again = pdf_to_sign(client, approved)
    assert pdf == again  # the same document makes the same bytes
    prepared = PreparedPdf.objects.get(document=approved)
    assert prepared.sha256 == hashlib.sha256(pdf).hexdigest()
    assert (prepared.number, prepared.date) == ("2668/KH-UBND", dt.date(2027, 1, 16))
    assert prepared.revision.number == approved.revision


def test_an_uploaded_copy_with_a_good_signature_is_the_issued_copy(
    cast: Cast, approved: Document, signed_elsewhere: bytes
) -> None:
    page = upload(signer_client(cast), approved, signed_elsewhere).content.decode()
    document = Document.objects.get(pk=approved.pk)
    assert document.status == "issued", page[:3000]
    assert document.issued_number == "2668/KH-UBND"
    assert document.issued_date == dt.date(2027, 1, 16)
    assert document.signed_copy.file.read() == signed_elsewhere


def test_a_copy_of_the_pdf_button_is_recognised_too(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    """The PDF button of an approved document makes the very bytes of the PDF to sign."""
    client = signer_client(cast)
    pdf = client.get(reverse("document_pdf", args=[approved.pk])).content
    signed = support.sign(pdf, authority.key, authority.cert, authority.ca, visible=True)
    upload(client, approved, signed)
    assert Document.objects.get(pk=approved.pk).status == "issued"


def forged_plan() -> bytes:
    """A one-page plan with the same header, typed up elsewhere."""
    return write_pdf(
        OfficialDocument(
            kind="plan",
            issuer=Issuer(
                body="ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH", name="Ủy ban nhân dân tỉnh Bắc Ninh"
            ),
            subject="Chuyển đổi số năm 2027",
            number="2668",
            date=dt.date(2027, 1, 16),
            sections=(Section("I", "Mục tiêu", 0, (Paragraph((Run("Mua sắm 500 tỷ đồng."),)),)),),
        )
    )


@pytest.mark.parametrize("case", ["forged", "other_document", "earlier_number", "changed_page"])
def test_a_copy_that_is_not_the_pdf_made_of_the_approved_revision_is_refused(
    cast: Cast, approved: Document, authority: Pki, case: str
) -> None:
    client = signer_client(cast)
    if case == "forged":
        pdf = forged_plan()
    elif case == "other_document":
        other = approve(
            do_create_document(
                unit=cast.province_b, version=example_version(), actor=cast.editor_b
            ),
            cast,
        )
        IssuingData.objects.create(
            document=other, number="2668", date=dt.date(2027, 1, 16), signer_name="Phạm Minh Lãnh"
        )
        from govplan.official.render import render

        pdf = render(other, "pdf")[0]
    elif case == "earlier_number":
        pdf = pdf_to_sign(client, approved)  # then the number changes before it is signed
        IssuingData.objects.filter(document=approved).update(number="2669")
    else:
        pdf = pdf_to_sign(client, approved)
    signed = support.sign(
        pdf, authority.key, authority.cert, authority.ca, change_page=case == "changed_page"
    )
    page = upload(client, approved, signed).content.decode()
    nothing_changed(approved)
    if case == "changed_page":
        assert "Các trang của tệp đã ký không phải là các trang của tệp PDF" in page
    elif case == "earlier_number":
        assert "Tệp đã ký là tệp PDF tạo với số 2668/KH-UBND ngày 16/01/2027" in page
        assert "hãy lấy lại tệp PDF để ký" in page
    else:
        assert "Tệp đã ký không phải là tệp PDF GovPlan tạo" in page


def test_a_copy_signed_by_another_units_approver_is_refused(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    """Hà Nội's approver has a registered certificate, for Hà Nội: not for Bắc Ninh's plan."""
    from govplan.accounts.models import Membership, Role, User

    hanoi_head = User.objects.create_user(username="hanoi_head", full_name="Trần Văn Hà")
    Membership.objects.create(user=hanoi_head, org_unit=cast.province_b, role=Role.APPROVER)
    register(hanoi_head, cast.province_b, authority.other_cert)
    pdf = pdf_to_sign(signer_client(cast), approved)
    signed = support.sign(pdf, authority.other_key, authority.other_cert, authority.ca)

    page = upload(signer_client(cast), approved, signed).content.decode()

    nothing_changed(approved)
    assert "không được ký bằng chứng thư số đã đăng ký cho người phê duyệt của Tỉnh Bắc Ninh" in (
        page
    )
    assert "Trần Văn Hà" in page


def test_another_unit_cannot_issue_with_the_signature_of_bac_ninhs_official(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    """Hà Nội's approver uploads Hà Nội's plan signed with Bắc Ninh's registered key."""
    from govplan.accounts.models import Membership, Role, User

    hanoi_head = User.objects.create_user(username="hanoi_head", full_name="Trần Văn Hà")
    Membership.objects.create(user=hanoi_head, org_unit=cast.province_b, role=Role.APPROVER)
    other = approve(
        do_create_document(unit=cast.province_b, version=example_version(), actor=cast.editor_b),
        cast,
    )
    IssuingData.objects.create(
        document=other, number="7", date=dt.date(2027, 1, 20), signer_name="Trần Văn Hà"
    )
    client = Client()
    client.force_login(hanoi_head)
    signed = support.sign(pdf_to_sign(client, other), authority.key, authority.cert, authority.ca)

    page = upload(client, other, signed).content.decode()

    assert Document.objects.get(pk=other.pk).status == "approved"
    assert "Thành phố Hà Nội" in page and "Phạm Minh Lãnh" in page


@pytest.mark.parametrize("case", ["future", "expired_back_dated", "before_approval"])
def test_an_implausible_signing_time_is_refused(
    cast: Cast, approved: Document, authority: Pki, case: str
) -> None:
    from govplan.official.models import SignerCertificate

    pdf = pdf_to_sign(signer_client(cast), approved)
    if case == "future":
        signed = support.sign(
            pdf, authority.key, authority.cert, authority.ca, at=NOW + dt.timedelta(days=900)
        )
        reason = "Thời điểm ký ở tương lai."
    elif case == "expired_back_dated":
        # Registered while it was valid; the claim puts the signature inside its year.
        info = signing.certificate_info(pki.der(authority.expired_cert))
        SignerCertificate.objects.create(
            user=cast.approver_a,
            org_unit=cast.province_a,
            certificate=info.der,
            fingerprint=info.fingerprint,
            subject=info.subject,
            issuer=info.issuer,
            serial=info.serial,
            not_before=info.not_before,
            not_after=info.not_after,
            registered_by=cast.approver_a,
        )
        claimed = authority.expired_cert.not_valid_before_utc + dt.timedelta(days=100)
        signed = support.sign(
            pdf, authority.expired_key, authority.expired_cert, authority.ca, at=claimed
        )
        reason = "Chứng thư số ký không còn hiệu lực"
    else:
        signed = support.sign(
            pdf, authority.key, authority.cert, authority.ca, at=NOW - dt.timedelta(minutes=30)
        )
        reason = "trước khi văn bản được phê duyệt"
    page = upload(signer_client(cast), approved, signed).content.decode()
    nothing_changed(approved)
    assert reason in page


@pytest.mark.parametrize("case", ["altered", "unsigned", "untrusted", "appended"])
def test_a_bad_copy_is_refused_with_the_reason(
    cast: Cast, approved: Document, signed_elsewhere: bytes, case: str, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    pdf = signed_elsewhere
    if case == "altered":
        at = pdf.index(b"/Type")  # inside the signed bytes
        pdf = pdf[:at] + b"/Typo" + pdf[at + 5 :]
    elif case == "unsigned":
        pdf = pdf_to_sign(signer_client(cast), approved)
    elif case == "untrusted":
        other = tmp_path / "other"
        other.mkdir()
        _key, other_ca = pki.make_ca("Another CA", key_kind="ec")
        (other / "root.pem").write_bytes(pki.pem(other_ca))
        settings.TRUST_ROOTS_DIR = other
    elif case == "appended":
        pdf = pdf + b"\n% added after signing\n"
    page = upload(signer_client(cast), approved, pdf).content.decode()
    nothing_changed(approved)
    reason = {
        "altered": "Tệp đã bị sửa đổi sau khi ký.",
        "unsigned": "Tệp chưa được ký số.",
        "untrusted": "không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp",
        "appended": "Chữ ký không bao trùm toàn bộ tệp",
    }[case]
    assert "Bản đã ký không được chấp nhận" in page and reason in page


# --- Revocation -----------------------------------------------------------------------------


@pytest.fixture
def crl_server() -> Iterator[support.Served]:
    with support.serving() as served:
        yield served


def _revocable_signer(cast: Cast, authority: Pki, url: str) -> tuple[Any, x509.Certificate]:
    key, cert = pki.make_signer(
        authority.ca_key, authority.ca, common_name="Phạm Minh Lãnh", key_kind="ec", crl_url=url
    )
    register(cast.approver_a, cast.province_a, cert)
    return key, cert


def test_a_revoked_certificate_is_refused(
    cast: Cast, approved: Document, authority: Pki, crl_server: support.Served
) -> None:
    key, cert = _revocable_signer(cast, authority, crl_server.url)
    crl_server.content = pki.make_crl(
        authority.ca_key, authority.ca, [(cert, NOW - dt.timedelta(minutes=5))]
    )
    signed = support.sign(pdf_to_sign(signer_client(cast), approved), key, cert, authority.ca)

    page = upload(signer_client(cast), approved, signed).content.decode()

    nothing_changed(approved)
    assert "Chứng thư số ký đã bị thu hồi." in page
    assert crl_server.requests >= 1


def test_a_revocation_list_in_the_trust_roots_folder_is_used(
    cast: Cast, approved: Document, authority: Pki, trusted, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.SIGNATURE_REVOCATION = "off"  # nothing fetched: the folder's list still counts
    key, cert = _revocable_signer(cast, authority, support.unreachable_url())
    crl = pki.make_crl(authority.ca_key, authority.ca, [(cert, NOW - dt.timedelta(minutes=5))])
    (trusted / "ca.crl").write_bytes(crl)
    settings.SIGNATURE_REVOCATION = "soft"
    signed = support.sign(pdf_to_sign(signer_client(cast), approved), key, cert, authority.ca)

    page = upload(signer_client(cast), approved, signed).content.decode()

    nothing_changed(approved)
    assert "Chứng thư số ký đã bị thu hồi." in page


def test_an_unreachable_revocation_list_is_stated_on_the_document_page(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    key, cert = _revocable_signer(cast, authority, support.unreachable_url())
    signed = support.sign(pdf_to_sign(signer_client(cast), approved), key, cert, authority.ca)

    upload(signer_client(cast), approved, signed)

    record = IssuedRecord.objects.get(document=approved)
    assert record.revocation == "unchecked" and record.revocation_note
    viewer = Client()
    viewer.force_login(cast.viewer_a)
    page = viewer.get(reverse("document_edit", args=[approved.pk])).content.decode()
    assert "không kiểm tra được" in page


def test_an_unreachable_revocation_list_refuses_the_copy_in_hard_mode(
    cast: Cast, approved: Document, authority: Pki, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.SIGNATURE_REVOCATION = "hard"
    key, cert = _revocable_signer(cast, authority, support.unreachable_url())
    signed = support.sign(pdf_to_sign(signer_client(cast), approved), key, cert, authority.ca)

    page = upload(signer_client(cast), approved, signed).content.decode()

    nothing_changed(approved)
    assert "Không kiểm tra được chứng thư số ký đã bị thu hồi hay chưa" in page


def test_a_good_certificate_on_a_reachable_list_is_checked(
    cast: Cast, approved: Document, authority: Pki, crl_server: support.Served
) -> None:
    key, cert = _revocable_signer(cast, authority, crl_server.url)
    crl_server.content = pki.make_crl(authority.ca_key, authority.ca, [])
    signed = support.sign(pdf_to_sign(signer_client(cast), approved), key, cert, authority.ca)

    upload(signer_client(cast), approved, signed)

    assert IssuedRecord.objects.get(document=approved).revocation == "good"
