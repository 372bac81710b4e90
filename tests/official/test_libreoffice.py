"""A real office suite opens the generated DOCX: LibreOffice (headless) converts a plan to
PDF, and the PDF holds the plan's header, text and appendix on the expected pages.

Skipped where LibreOffice is not installed, except in CI (GOVPLAN_REQUIRE_OFFICE=1)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.test import Client
from django.urls import reverse

from govplan.demo.documents import fill_for_demo
from govplan.documents.models import Document
from govplan.official.models import IssuingData
from tests.conftest import Cast

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        SOFFICE is None and os.environ.get("GOVPLAN_REQUIRE_OFFICE") != "1",
        reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)",
    ),
]


def test_libreoffice_opens_the_docx_and_prints_the_plan(
    cast: Cast, document_a: Document, tmp_path: Path
) -> None:
    assert SOFFICE is not None, "GOVPLAN_REQUIRE_OFFICE=1 but no soffice on PATH"
    fill_for_demo(document_a, actor=cast.editor_a)
    IssuingData.objects.create(document=document_a, number="5", date="2027-01-05")
    client = Client()
    client.force_login(cast.editor_a)
    docx = tmp_path / "ke-hoach.docx"
    docx.write_bytes(client.get(reverse("document_docx", args=[document_a.pk])).content)
    # Its own profile directory: LibreOffice allows one running instance per profile.
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = pdfium.PdfDocument(tmp_path / "ke-hoach.pdf")
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    first = pages[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert "Số: 05/KH-UBND" in first and "Bắc Ninh, ngày 05 tháng 01 năm 2027" in first
    assert "KẾ HOẠCH" in first and "Chuyển đổi số năm 2027" in first
    assert any("Phụ lục I" in page for page in pages[1:])
    # The appendix with the project catalogue is printed landscape.
    landscape = [i for i in range(len(pdf)) if pdf[i].get_width() > pdf[i].get_height()]
    assert landscape and "Phụ lục I" in pages[landscape[0]]
