"""A document brought to approval through the real cycle (so that it has its approved
revision), and an approver's certificate registered, for the issuing tests."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govplan.demo import pki
from govplan.demo.documents import fill_for_demo
from govplan.documents.models import Document
from govplan.official.certificates import do_register_certificate
from govplan.official.models import SignerCertificate
from govplan.workflow import actions

PASSPHRASE = "mật-khẩu-khóa"


def approve(document: Document, cast: Any) -> Document:
    """Filled as the demo fills it, submitted, appraised and approved."""
    fill_for_demo(document, actor=cast.editor_a)
    editor = cast.editor_a if document.org_unit == cast.province_a else cast.editor_b
    actions.do_transition(document, "submit", actor=editor)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    actions.do_transition(document, "approve", actor=cast.appraiser)
    return Document.objects.get(pk=document.pk)


def register(user: Any, unit: Any, cert: x509.Certificate) -> SignerCertificate:
    """``cert`` registered by ``user`` for themself (the trust roots must hold its CA)."""
    return do_register_certificate(unit, user, pki.pem(cert), actor=user)


def signer_client(cast: Any) -> Client:
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
