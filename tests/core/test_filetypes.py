"""Evidence uploads are checked by their bytes: real tiny files pass, renamed, macro-enabled,
password-protected, oversized, empty and zip-bomb files are refused with a clear message
(pure core: no database)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from govplan.core.documents.cells import CellValueError
from govplan.core.documents.filetypes import (
    ALLOWED,
    DOCX_MAIN,
    XLSX_MAIN,
    FileCheck,
    check_upload,
)

MB = 1024 * 1024
LIMIT = 25 * MB

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)


def _png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="{part}" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Kế hoạch</w:t></w:r></w:p></w:body></w:document>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>'
)


def ooxml(
    part: str,
    content_type: str,
    body: str,
    extra: dict[str, bytes] | None = None,
    *,
    content_types: bool = True,
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr(
                "[Content_Types].xml", CONTENT_TYPES.format(part=part, content_type=content_type)
            )
        archive.writestr("_rels/.rels", RELS.format(part=part))
        archive.writestr(part, body)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buf.getvalue()


def docx(**kwargs: object) -> bytes:
    return ooxml("word/document.xml", DOCX_MAIN, DOCUMENT, **kwargs)  # type: ignore[arg-type]


def xlsx(**kwargs: object) -> bytes:
    return ooxml("xl/workbook.xml", XLSX_MAIN, WORKBOOK, **kwargs)  # type: ignore[arg-type]


def refusal(data: bytes, filename: str, max_bytes: int = LIMIT) -> str:
    with pytest.raises(CellValueError) as caught:
        check_upload(data, filename, max_bytes=max_bytes)
    return str(caught.value)


# --- accepted ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (PDF, "bao-cao.pdf", FileCheck("pdf", "application/pdf")),
        (b"\r\n junk from a mail gateway \r\n" + PDF, "scan.PDF", FileCheck("pdf", ALLOWED["pdf"])),
        (b"x" * 1024 + PDF, "junk.pdf", FileCheck("pdf", "application/pdf")),
        (PNG, "anh.png", FileCheck("png", "image/png")),
        (JPEG, "anh.jpg", FileCheck("jpg", "image/jpeg")),
        (JPEG, "Ảnh chụp.JPEG", FileCheck("jpg", "image/jpeg")),
        (docx(), "ke-hoach.v2.docx", FileCheck("docx", ALLOWED["docx"])),
        (xlsx(), "SO LIEU.XLSX", FileCheck("xlsx", ALLOWED["xlsx"])),
    ],
)
def test_real_files_pass(data: bytes, filename: str, expected: FileCheck) -> None:
    assert check_upload(data, filename, max_bytes=LIMIT) == expected


def test_allowed_types() -> None:
    assert set(ALLOWED) == {"pdf", "docx", "xlsx", "png", "jpg", "jpeg"}
    assert ALLOWED["jpeg"] == ALLOWED["jpg"] == "image/jpeg"


# --- size -------------------------------------------------------------------------------


def test_empty_file() -> None:
    assert refusal(b"", "bao-cao.pdf") == "The file is empty."


def test_too_large_says_the_limit_in_mb() -> None:
    message = refusal(PDF + b"0" * (30 * MB), "bao-cao.pdf")
    assert message == "The file is too large (30.1 MB); the limit is 25 MB."


def test_just_over_the_limit_is_not_shown_as_the_limit() -> None:
    message = refusal(b"%PDF-" + b"0" * (25 * MB), "bao-cao.pdf")
    assert message == "The file is too large (25.1 MB); the limit is 25 MB."


# --- extension --------------------------------------------------------------------------


def test_extension_not_allowed_lists_the_allowed_ones() -> None:
    message = refusal(b"hello", "notes.txt")
    assert message == (
        "Files of type .txt cannot be attached; allowed types: "
        ".pdf, .docx, .xlsx, .png, .jpg, .jpeg."
    )


def test_only_the_last_dot_counts() -> None:
    assert "Files of type .exe cannot be attached" in refusal(EXE, "bao-cao.pdf.exe")


def test_no_extension() -> None:
    assert refusal(PDF, "bao-cao") == (
        "The file name has no extension; allowed types: .pdf, .docx, .xlsx, .png, .jpg, .jpeg."
    )


@pytest.mark.parametrize(
    ("filename", "plain"), [("ke-hoach.docm", "docx"), ("so-lieu.XLSM", "xlsx")]
)
def test_macro_enabled_extension(filename: str, plain: str) -> None:
    assert refusal(docx(), filename) == (
        f"Files with macros are not accepted: save the file as a plain .{plain} "
        "(without macros) and upload it again."
    )


# --- content does not match the extension -----------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "looks_like"),
    [
        (EXE, "bao-cao.pdf", "a Windows program"),
        (docx(), "bao-cao.pdf", "a Word document (.docx)"),
        (PNG, "bao-cao.pdf", "a PNG image"),
        (b"x" * 1025 + PDF, "bao-cao.pdf", "plain text"),
        (PDF, "anh.png", "a PDF"),
        (JPEG, "anh.png", "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "anh.jpg", "an image of another type"),
        (b"\x00\x01\x02\x03binary", "anh.jpg", "unknown content"),
        (xlsx(), "ke-hoach.docx", "an Excel workbook (.xlsx)"),
        (docx(), "so-lieu.xlsx", "a Word document (.docx)"),
        (PDF, "ke-hoach.docx", "a PDF"),
        (EXE, "ke-hoach.docx", "a Windows program"),
        (b"Rar!\x1a\x07\x00", "ke-hoach.docx", "a compressed archive"),
        (b"<!DOCTYPE html><html></html>", "ke-hoach.docx", "a web page"),
    ],
)
def test_content_must_match_the_extension(data: bytes, filename: str, looks_like: str) -> None:
    extension = filename.rsplit(".", 1)[1]
    message = refusal(data, filename)
    assert message.startswith(f"This is not a real .{extension} file: ")
    assert looks_like in message


def test_plain_zip_renamed_docx() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("photos/1.txt", "not an office file")
    assert refusal(buf.getvalue(), "ke-hoach.docx") == (
        "This is not a real .docx file: its content looks like a ZIP archive."
    )


def test_zip_without_content_types_is_a_zip() -> None:
    message = refusal(docx(content_types=False), "ke-hoach.docx")
    assert message == "This is not a real .docx file: its content looks like a ZIP archive."


def test_ole_file_renamed_docx() -> None:
    message = refusal(OLE, "ke-hoach.docx")
    assert message.startswith(
        "This is not a real .docx file: its content looks like an old Office file "
        "(or a password-protected one)."
    )
    assert "save it as .docx or .xlsx" in message


def test_ole_file_renamed_xlsx() -> None:
    assert "an old Office file (or a password-protected one)" in refusal(OLE, "so-lieu.xlsx")


def test_main_part_with_the_wrong_content_type_is_damaged() -> None:
    data = ooxml("word/document.xml", "application/xml", DOCUMENT)
    assert refusal(data, "ke-hoach.docx") == ("The file is damaged: it is not a valid .docx file.")


# --- Office files: macros, passwords, damage, bombs -------------------------------------


def test_docx_with_vba_project() -> None:
    data = docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"})
    assert refusal(data, "ke-hoach.docx") == (
        "Files with macros are not accepted: save the file as a plain .docx "
        "(without macros) and upload it again."
    )


def test_xlsx_with_macro_enabled_content_type() -> None:
    data = ooxml(
        "xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml", WORKBOOK
    )
    assert "save the file as a plain .xlsx" in refusal(data, "so-lieu.xlsx")


def test_docm_renamed_docx_is_a_macro_file_not_a_mismatch() -> None:
    data = ooxml(
        "word/document.xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        DOCUMENT,
        {"word/vbaProject.bin": b"macros"},
    )
    assert refusal(data, "ke-hoach.docx").startswith("Files with macros are not accepted")


def _set_encrypted_flag(data: bytes) -> bytes:
    """Set bit 0 (encrypted) of the general purpose flags of every entry, in the local
    headers and the central directory; zipfile cannot write encrypted entries itself."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        while start != -1:
            out[start + offset] |= 0x1
            start = out.find(signature, start + 4)
    return bytes(out)


def test_encrypted_zip_entry() -> None:
    message = refusal(_set_encrypted_flag(xlsx()), "so-lieu.xlsx")
    assert message == "The file is password-protected: remove the password and upload it again."


def test_corrupt_entry_is_damaged() -> None:
    data = bytearray(docx())
    start = data.find(b"word/document.xml") + len(b"word/document.xml")  # local header name
    data[start + 10] ^= 0xFF  # inside the compressed document
    assert refusal(bytes(data), "ke-hoach.docx") == (
        "The file is damaged: it is not a valid .docx file."
    )


def test_truncated_docx_is_damaged() -> None:
    data = docx()
    assert "damaged" in refusal(data[: len(data) // 2], "ke-hoach.docx")


def _zeros_entry(size_mb: int) -> bytes:
    """A .docx whose document part is ``size_mb`` MB of zeros, streamed so it stays small."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(part="word/document.xml", content_type=DOCX_MAIN),
        )
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            chunk = bytes(MB)
            for _ in range(size_mb):
                entry.write(chunk)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _zeros_entry(600)


def test_zip_bomb_is_refused_before_unpacking(bomb: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(bomb) < 5 * MB

    def no_unpacking(*args: object, **kwargs: object) -> None:
        raise AssertionError("an entry was opened before the zip bomb check")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)
    assert refusal(bomb, "ke-hoach.docx") == (
        "The file would unpack to 600.1 MB, more than the 500 MB allowed; "
        "it may be a zip bomb and is refused."
    )


def test_unpacked_limit_is_twenty_times_the_upload_limit() -> None:
    data = _zeros_entry(21)
    assert "more than the 20 MB allowed; it may be a zip bomb" in refusal(data, "a.docx", MB)
    # with a larger limit the same file is unpacked and checked (the XML itself is not parsed)
    assert check_upload(data, "a.docx", max_bytes=2 * MB) == FileCheck("docx", ALLOWED["docx"])
