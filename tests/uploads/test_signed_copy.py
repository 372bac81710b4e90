"""Issue 16, item 8: a copy signed elsewhere goes through the same active-content door as
evidence files (it is served to everyone who reads the plan): a PDF with a script is refused
with the reason before its signature is even looked at, and nothing changes."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from govplan.core.adapters.active_content import FINDINGS
from govplan.documents.models import Attachment, Document
from govplan.official.models import IssuedRecord
from tests.conftest import Cast
from tests.official.conftest import approved, authority, trusted  # noqa: F401 (fixtures)
from tests.support import hostile_files as hostile
from tests.support.issuing import signer_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (hostile.pdf_open_action_javascript, "pdf_javascript"),
        (hostile.pdf_embedded_executable, "pdf_embedded"),
    ],
)
def test_a_signed_copy_with_active_content_is_refused(
    cast: Cast,
    approved: Document,  # noqa: F811
    build: object,
    code: str,
) -> None:
    response = signer_client(cast).post(
        reverse("document_issue", args=[approved.pk]),
        {"signed_copy": SimpleUploadedFile("ban-ky.pdf", build())},  # type: ignore[operator]
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert "message-error" in page and "ban-ky.pdf" in page
    with translation.override("vi"):
        assert gettext(FINDINGS[code]) in page
    document = Document.objects.get(pk=approved.pk)
    assert document.status == "approved" and document.signed_copy is None
    assert not Attachment.objects.filter(document=document).exists()
    assert not IssuedRecord.objects.exists()
