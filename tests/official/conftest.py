"""Fixtures of the issuing tests: a certification authority with the approvers' keys, the
server trusting it, and Bắc Ninh's plan approved with its approver's certificate registered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from cryptography import x509

from govplan.demo import pki
from govplan.documents.models import Document
from govplan.official.models import IssuingData
from tests.conftest import Cast
from tests.support.issuing import PASSPHRASE, approve, register

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Pki:
    ca_key: pki.PrivateKey
    ca: x509.Certificate
    key: pki.PrivateKey  # Phạm Minh Lãnh, Bắc Ninh's approver
    cert: x509.Certificate
    p12: bytes
    other_key: pki.PrivateKey  # Hà Nội's approver
    other_cert: x509.Certificate
    expired_key: pki.PrivateKey
    expired_cert: x509.Certificate


@pytest.fixture(scope="module")
def authority() -> Pki:
    ca_key, ca = pki.make_ca(key_kind="ec")
    key, cert = pki.make_signer(ca_key, ca, common_name="Phạm Minh Lãnh", key_kind="ec")
    other_key, other_cert = pki.make_signer(
        ca_key, ca, common_name="Trần Văn Hà", organisation="UBND TP Hà Nội", key_kind="ec"
    )
    long_ago = NOW - dt.timedelta(days=800)
    expired_key, expired_cert = pki.make_signer(
        ca_key, ca, common_name="Phạm Minh Lãnh", not_before=long_ago, key_kind="ec"
    )
    return Pki(
        ca_key,
        ca,
        key,
        cert,
        pki.pkcs12(key, cert, ca, PASSPHRASE.encode()),
        other_key,
        other_cert,
        expired_key,
        expired_cert,
    )


@pytest.fixture
def trusted(settings, tmp_path, authority: Pki):  # type: ignore[no-untyped-def]
    (tmp_path / "root.pem").write_bytes(pki.pem(authority.ca))
    settings.TRUST_ROOTS_DIR = tmp_path
    return tmp_path


@pytest.fixture
def approved(cast: Cast, document_a: Document, trusted, authority: Pki) -> Document:  # type: ignore[no-untyped-def]
    """Bắc Ninh's plan approved, numbered 2668 of 16/01/2027; its approver's certificate
    registered."""
    document = approve(document_a, cast)
    IssuingData.objects.create(
        document=document, number="2668", date=dt.date(2027, 1, 16), signer_name="Phạm Minh Lãnh"
    )
    register(cast.approver_a, cast.province_a, authority.cert)
    return document
