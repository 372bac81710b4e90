"""The certificates a unit's approvers sign with: each approver registers their own public
certificate (or a central administrator does it for them), only one that a trusted authority
issued and that is valid; withdrawn, it signs nothing more. Every change is audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govplan.audit.models import AuditEvent
from govplan.demo import pki
from govplan.documents.models import Document
from govplan.official.models import SignerCertificate
from tests.conftest import Cast
from tests.official.conftest import Pki
from tests.support.issuing import sign_form, signer_client

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def post_certificate(client: Client, cast: Cast, data: bytes, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("unit_signers", args=[cast.province_a.pk]),
        {"certificate": SimpleUploadedFile("lanh.cer", data), **extra},
        follow=True,
    )


def test_an_approver_registers_their_certificate(cast: Cast, trusted, authority: Pki) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.approver_a)
    page = post_certificate(client, cast, pki.pem(authority.cert)).content.decode()

    certificate = SignerCertificate.objects.get()
    assert (certificate.user, certificate.org_unit) == (cast.approver_a, cast.province_a)
    assert certificate.registered_by == cast.approver_a
    assert certificate.subject == "Phạm Minh Lãnh, UBND tỉnh Bắc Ninh"
    assert "Đã đăng ký chứng thư số." in page and "Phạm Minh Lãnh, UBND tỉnh Bắc Ninh" in page
    entry = AuditEvent.objects.get(action="official.certificate.register")
    assert entry.actor == cast.approver_a
    assert entry.after["fingerprint"] == certificate.fingerprint


@pytest.mark.parametrize("case", ["untrusted", "expired", "not_a_certificate", "taken"])
def test_a_certificate_that_cannot_sign_here_is_refused_with_the_reason(
    cast: Cast, trusted, authority: Pki, case: str
) -> None:  # type: ignore[no-untyped-def]
    if case == "untrusted":
        other_key, other_ca = pki.make_ca("Another CA", key_kind="ec")
        data = pki.der(pki.make_signer(other_key, other_ca, key_kind="ec")[1])
        reason = "không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp"
    elif case == "expired":
        data = pki.pem(authority.expired_cert)
        reason = "Chứng thư số ký không còn hiệu lực"
    elif case == "not_a_certificate":
        data = authority.p12  # the key file, by mistake
        reason = "Tệp không phải là chứng thư số (PEM hoặc DER)."
    else:
        from govplan.accounts.models import Membership, Role, User

        deputy = User.objects.create_user(username="deputy", full_name="Phó Chủ tịch")
        Membership.objects.create(user=deputy, org_unit=cast.province_a, role=Role.APPROVER)
        post_certificate(client_for(deputy), cast, pki.pem(authority.cert))
        data = pki.pem(authority.cert)
        reason = "Chứng thư số này đã được đăng ký cho Phó Chủ tịch tại Tỉnh Bắc Ninh."
    before = SignerCertificate.objects.count()

    page = post_certificate(client_for(cast.approver_a), cast, data).content.decode()

    assert reason in page
    assert SignerCertificate.objects.filter(user=cast.approver_a).count() == 0
    assert SignerCertificate.objects.count() == before


def test_a_central_administrator_registers_for_an_approver(
    cast: Cast, trusted, authority: Pki
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.central_admin)
    page = client.get(reverse("unit_signers", args=[cast.province_a.pk])).content.decode()
    assert "approver_a" in page  # the approvers to choose from

    post_certificate(client, cast, pki.pem(authority.cert), user=cast.approver_a.pk)

    certificate = SignerCertificate.objects.get()
    assert certificate.user == cast.approver_a
    assert certificate.registered_by == cast.central_admin


def test_an_editor_sees_the_certificates_but_registers_none(
    cast: Cast, trusted, authority: Pki
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.editor_a)
    page = client.get(reverse("unit_signers", args=[cast.province_a.pk])).content.decode()
    assert "Đăng ký chứng thư số" not in page
    response = client.post(
        reverse("unit_signers", args=[cast.province_a.pk]),
        {"certificate": SimpleUploadedFile("x.cer", pki.pem(authority.cert))},
    )
    assert response.status_code == 403
    assert not SignerCertificate.objects.exists()
    # An approver cannot register for someone else either: the choice is not theirs.
    client_for(cast.approver_a).post(
        reverse("unit_signers", args=[cast.province_a.pk]),
        {
            "certificate": SimpleUploadedFile("x.cer", pki.pem(authority.cert)),
            "user": cast.editor_a.pk,
        },
    )
    assert not SignerCertificate.objects.filter(user=cast.editor_a).exists()
    assert SignerCertificate.objects.get().user == cast.approver_a


def test_a_withdrawn_certificate_signs_nothing_more(
    cast: Cast, approved: Document, authority: Pki
) -> None:
    certificate = SignerCertificate.objects.get(user=cast.approver_a)
    client = client_for(cast.approver_a)
    client.post(
        reverse("unit_signer_withdraw", args=[cast.province_a.pk, certificate.pk]), follow=True
    )
    certificate.refresh_from_db()
    assert certificate.withdrawn_at is not None and certificate.withdrawn_by == cast.approver_a
    assert AuditEvent.objects.filter(action="official.certificate.withdraw").exists()

    page = (
        signer_client(cast)
        .post(reverse("document_sign", args=[approved.pk]), sign_form(authority.p12))
        .content.decode()
    )

    assert "không được đăng ký cho ông/bà là người ký của Tỉnh Bắc Ninh" in page
    assert Document.objects.get(pk=approved.pk).status == "approved"
    # Withdrawn stays withdrawn.
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        SignerCertificate.objects.filter(pk=certificate.pk).update(withdrawn_at=None)


def test_only_the_holder_or_a_central_administrator_withdraws(
    cast: Cast, approved: Document
) -> None:
    certificate = SignerCertificate.objects.get(user=cast.approver_a)
    url = reverse("unit_signer_withdraw", args=[cast.province_a.pk, certificate.pk])
    assert client_for(cast.editor_a).post(url).status_code == 403
    assert client_for(cast.editor_b).post(url).status_code == 404
    certificate.refresh_from_db()
    assert certificate.withdrawn_at is None
    client_for(cast.central_admin).post(url)
    certificate.refresh_from_db()
    assert certificate.withdrawn_by == cast.central_admin
