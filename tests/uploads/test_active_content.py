"""Issue 16, item 8: evidence files with active content are refused, with the reason, before
anything is stored; clean files with ordinary links, fields and charts still pass; a hostile
file cannot hang or crash the server; stored files are served as downloads only."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from govplan.core.adapters import active_content
from govplan.core.adapters.active_content import FINDINGS, ScanLimits, scan
from govplan.documents.models import Attachment, Document
from govplan.documents.uploads import UploadRefused, check_evidence
from tests.conftest import Cast
from tests.support import hostile_files as hostile

pytestmark = pytest.mark.django_db

REFUSED: list[tuple[str, Callable[[], bytes], str]] = [
    ("mo-la-chay.pdf", hostile.pdf_open_action_javascript, "pdf_javascript"),
    (
        "nen.pdf",
        lambda: hostile.pdf_open_action_javascript(object_streams=True),
        "pdf_javascript",
    ),
    ("ten-cay.pdf", hostile.pdf_names_javascript, "pdf_javascript"),
    ("ma-hoa-ten.pdf", hostile.pdf_escaped_name_javascript, "pdf_javascript"),
    ("trang.pdf", hostile.pdf_additional_actions, "pdf_automatic"),
    ("khoi-chay.pdf", hostile.pdf_launch, "pdf_launch"),
    ("gui-di.pdf", hostile.pdf_submit_form, "pdf_external"),
    ("kem-tep.pdf", hostile.pdf_embedded_executable, "pdf_embedded"),
    ("xfa.pdf", hostile.pdf_xfa, "pdf_xfa"),
    ("mau-tu-xa.docx", hostile.docx_remote_template, "ooxml_external"),
    ("anh-tu-xa.docx", hostile.docx_external_image, "ooxml_external"),
    (
        "mau-chia-se.docx",
        lambda: hostile.docx_remote_template("file://evil.example/share/t.dotm"),
        "ooxml_external",
    ),
    (
        "mau-unc.docx",
        lambda: hostile.docx_remote_template("\\\\evil.example\\share\\t.dotm"),
        "ooxml_external",
    ),
    (
        "mau-unc-file.docx",
        lambda: hostile.docx_remote_template("file:///\\\\evil.example\\share\\t.dotm"),
        "ooxml_external",
    ),
    ("dde.docx", hostile.docx_dde, "ooxml_dde"),
    ("dde-mot.docx", lambda: hostile.docx_dde(split=False), "ooxml_dde"),
    ("dde-don.docx", hostile.docx_dde_simple_field, "ooxml_dde"),
    ("ole.docx", hostile.docx_ole_object, "ooxml_ole"),
    ("dde.xlsx", hostile.xlsx_dde_formula, "ooxml_dde"),
    ("dde-lien-ket.xlsx", hostile.xlsx_dde_link, "ooxml_dde"),
    ("lien-ket.xlsx", hostile.xlsx_external_workbook_link, "ooxml_external"),
]

ACCEPTED: list[tuple[str, Callable[[], bytes]]] = [
    ("sach.pdf", hostile.clean_pdf),
    ("lien-ket.pdf", hostile.pdf_with_link),
    ("sach.docx", hostile.clean_docx),
    ("lien-ket.docx", hostile.docx_with_hyperlink),
    ("so-trang.docx", hostile.docx_with_ordinary_field),
    ("bieu-do.docx", hostile.docx_with_chart_workbook),
    ("bang.xlsx", hostile.clean_xlsx),
    # made from a template on the author's own disk, as Word records it
    (
        "mau-cuc-bo.docx",
        lambda: hostile.docx_remote_template("file:///C:/Users/cb/Templates/Mau-ND30.dotx"),
    ),
]


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def attach(client: Client, document: Document, name: str, data: bytes) -> str:
    response = client.post(
        reverse("document_attach", args=[document.pk, "I"]),
        {"file": SimpleUploadedFile(name, data, "application/pdf"), "description": ""},
        follow=True,
    )
    assert response.status_code == 200
    with translation.override(response["Content-Language"]):
        return html.unescape(response.content.decode())


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(("name", "build", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_active_content_is_found(name: str, build: Callable[[], bytes], code: str) -> None:
    assert code in scan(build(), name.rsplit(".", 1)[1], ScanLimits())


@pytest.mark.parametrize(("name", "build", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_file_with_active_content_is_refused_with_its_reason_and_nothing_is_stored(
    cast: Cast,
    document_a: Document,
    media_root: Path,
    name: str,
    build: Callable[[], bytes],
    code: str,
) -> None:
    page = attach(client_for(cast.editor_a), document_a, name, build())
    with translation.override("vi"):
        reason = gettext(FINDINGS[code])
    assert reason != FINDINGS[code], "the reason has a Vietnamese translation"
    assert "message-error" in page and name in page
    assert reason in page
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(("name", "build"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_clean_files_with_links_fields_and_charts_are_accepted(
    cast: Cast, document_a: Document, name: str, build: Callable[[], bytes]
) -> None:
    data = build()
    page = attach(client_for(cast.editor_a), document_a, name, data)
    assert "message-error" not in page
    attachment = Attachment.objects.get()
    assert attachment.original_name == name and attachment.size == len(data)


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("loi.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        ("long-nhau.pdf", hostile.pdf_deeply_nested),
        ("mat-khau.pdf", hostile.pdf_encrypted),
        ("thuc-the.docx", hostile.docx_with_entity_declaration),
        ("macro.docx", hostile.docx_with_macros_renamed),
        ("cu.doc", hostile.ole2_with_macros),  # legacy Word with macros: not an allowed type
        ("cu.docx", hostile.ole2_with_macros),  # ... nor when renamed .docx
        ("cu.xls", hostile.ole2_with_macros),
    ],
)
def test_files_that_cannot_be_checked_are_refused(
    cast: Cast, document_a: Document, media_root: Path, name: str, build: Callable[[], bytes]
) -> None:
    started = time.monotonic()
    page = attach(client_for(cast.editor_a), document_a, name, build())
    assert time.monotonic() - started < 10
    assert "message-error" in page and name in page
    assert not Attachment.objects.exists() and stored_files(media_root) == []


def _child(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "child.py"
    script.write_text(body)
    return script


@pytest.mark.parametrize(
    "body",
    [
        "import time\ntime.sleep(30)\n",  # a parser that hangs
        "import os\nos.abort()\n",  # a parser that crashes
        "print('not json')\n",  # a parser that says nonsense
    ],
    ids=["hang", "crash", "nonsense"],
)
def test_a_check_that_hangs_or_crashes_refuses_the_file_and_the_server_carries_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: object, body: str
) -> None:
    monkeypatch.setattr(active_content, "CHILD", _child(tmp_path, body))
    settings.UPLOAD_SCAN_SECONDS = 1  # type: ignore[attr-defined]
    started = time.monotonic()
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        check_evidence(hostile.clean_pdf(), "a.pdf")
    assert time.monotonic() - started < 5
    assert "too large or too complex to be checked" in refused.value.message


def test_the_check_runs_under_a_memory_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The child's address space is capped: a parser asking for more fails there, not here."""
    script = active_content.CHILD.read_text()
    # Run the real limit() first, then the greedy allocation.
    monkeypatch.setattr(
        active_content,
        "CHILD",
        _child(
            tmp_path,
            script.replace(
                'if __name__ == "__main__":',
                "def _greedy(argv):\n    limit(int(argv[3]), int(argv[4]))\n"
                "    bytearray(600 * 1024 * 1024)\n    return 0\n\n"
                'if __name__ == "__main__":\n    sys.exit(_greedy(sys.argv))',
            ),
        ),
    )
    with pytest.raises(Exception) as failed:
        scan(hostile.clean_pdf(), "pdf", ScanLimits(memory_bytes=256 * 1024 * 1024, seconds=10))
    assert "too large or too complex" in str(failed.value)


def test_a_stored_file_is_served_as_a_download_never_as_a_page(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    attach(client, document_a, "bao-cao.pdf", hostile.clean_pdf())
    attachment = Attachment.objects.get()
    # Whatever its name says, it goes out with the type its bytes were checked as.
    Attachment.objects.filter(pk=attachment.pk).update(original_name="trang.html")
    response = client_for(cast.viewer_a).get(
        reverse("document_attachment", args=[document_a.pk, attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_stored_files_can_be_checked_again(
    cast: Cast, document_a: Document, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file stored before the check existed (written here past the door) is listed by
    scan_attachments, with its reason; a clean one is not; nothing is changed."""
    from django.core.management import CommandError, call_command

    from govplan.documents.actions import do_attach

    for name, data in (("cu.pdf", hostile.pdf_launch()), ("sach.pdf", hostile.clean_pdf())):
        do_attach(
            document_a,
            "I",
            data=data,
            filename=name,
            content_type="application/pdf",
            description="",
            actor=cast.editor_a,
        )
    with pytest.raises(CommandError) as failed:
        call_command("scan_attachments")
    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    assert "'cu.pdf'" in out and "starts a program" in out
    assert "'sach.pdf'" not in out
    assert "2 file(s) checked, 1 would be refused now." in out
    assert Attachment.objects.filter(removed=False).count() == 2


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    cast: Cast, document_a: Document, settings: object
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    bomb = hostile.docx_zip_bomb(unpacked=64 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    started = time.monotonic()
    page = attach(client_for(cast.editor_a), document_a, "bom.docx", bomb)
    assert time.monotonic() - started < 10
    assert "message-error" in page and "bom.docx" in page
    assert not Attachment.objects.exists()
