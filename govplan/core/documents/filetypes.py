"""Evidence files attached to plan sections: accept only what we can serve safely.

``check_upload`` looks at the bytes, not only at the name: a file must really be what its
extension says (a renamed program or archive is refused), Office files must be plain
.docx/.xlsx (no macros, no password, no zip bomb) and the size must be within the limit.
Refusals raise ``CellValueError`` with an English template that the Django layer translates.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from dataclasses import dataclass

from govplan.core.documents.cells import CellValueError
from govplan.core.i18n import gettext_noop

ALLOWED: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
_NORMALISED = {"jpeg": "jpg"}

MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # a .docx/.xlsx may never unpack to more than this
UNPACKED_RATIO = 20  # ... nor to more than this many times the upload limit
PDF_JUNK_BYTES = 1024  # real PDFs sometimes carry a little junk before %PDF-
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_MB = 1024 * 1024

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
# extension -> (main part, its content type)
_OOXML_MAIN = {"docx": ("word/document.xml", DOCX_MAIN), "xlsx": ("xl/workbook.xml", XLSX_MAIN)}
# macro-enabled extension -> the plain format to save as
_MACRO_EXTENSIONS = {
    "docm": "docx",
    "dotm": "docx",
    "xlsm": "xlsx",
    "xltm": "xlsx",
    "xlam": "xlsx",
}

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"

# What the content looks like -> the refusal, one whole sentence each so that it translates well.
_MISMATCH = {
    "pdf": gettext_noop("This is not a real .%(extension)s file: its content looks like a PDF."),
    "png": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a PNG image."
    ),
    "jpg": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a JPEG image."
    ),
    "image": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like an image of another type."
    ),
    "docx": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a Word document (.docx)."
    ),
    "xlsx": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like an Excel workbook (.xlsx)."
    ),
    "pptx": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a PowerPoint presentation."
    ),
    "ooxml": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like an Office file of "
        "another kind."
    ),
    "odf": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like an OpenDocument file "
        "(LibreOffice); save it as .docx or .xlsx and upload it again."
    ),
    "zip": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a ZIP archive."
    ),
    "archive": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a compressed archive."
    ),
    "ole": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like an old Office file "
        "(or a password-protected one). Remove any password, save it as .docx or .xlsx and "
        "upload it again."
    ),
    "exe": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a Windows program."
    ),
    "program": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a program."
    ),
    "rtf": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like an RTF document."
    ),
    "html": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like a web page."
    ),
    "text": gettext_noop(
        "This is not a real .%(extension)s file: its content looks like plain text."
    ),
    "unknown": gettext_noop("This is not a real .%(extension)s file: it contains unknown content."),
}


@dataclass(frozen=True)
class FileCheck:
    extension: str  # normalised ("jpeg" -> "jpg")
    content_type: str  # the MIME type we will serve it with


def check_upload(data: bytes, filename: str, *, max_bytes: int) -> FileCheck:
    """The normalised extension and MIME type of an accepted upload; ``CellValueError`` with
    the reason otherwise. ``filename`` is only used for its extension (after the last dot)."""
    if not data:
        raise CellValueError(gettext_noop("The file is empty."))
    if len(data) > max_bytes:
        raise CellValueError(
            gettext_noop("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            size=_megabytes(len(data), up=True),
            limit=_megabytes(max_bytes),
        )
    extension = _extension(filename)
    if extension in _MACRO_EXTENSIONS:
        raise _macro_error(_MACRO_EXTENSIONS[extension])
    allowed = ", ".join(f".{ext}" for ext in ALLOWED)
    if not extension:
        raise CellValueError(
            gettext_noop("The file name has no extension; allowed types: %(allowed)s."),
            allowed=allowed,
        )
    if extension not in ALLOWED:
        raise CellValueError(
            gettext_noop(
                "Files of type .%(extension)s cannot be attached; allowed types: %(allowed)s."
            ),
            extension=extension,
            allowed=allowed,
        )
    normalised = _NORMALISED.get(extension, extension)
    if normalised == "pdf":
        ok = 0 <= data.find(b"%PDF-", 0, PDF_JUNK_BYTES + 5) <= PDF_JUNK_BYTES
    elif normalised == "png":
        ok = data.startswith(_PNG)
    elif normalised == "jpg":
        ok = data.startswith(_JPEG)
    else:
        ok = data.startswith(_ZIP)
    if not ok:
        raise _mismatch(extension, data)
    if normalised in _OOXML_MAIN:
        _check_ooxml(data, extension, normalised, max_bytes=max_bytes)
    return FileCheck(extension=normalised, content_type=ALLOWED[normalised])


def _extension(filename: str) -> str:
    if "." not in filename:
        return ""
    return filename.rsplit(".", 1)[1].strip().lower()


def _megabytes(size: int, *, up: bool = False) -> str:
    value = size / _MB
    if value < 1:
        return f"{value:.2g}"
    if up:
        value = math.ceil(value * 10) / 10
    return f"{value:.1f}".removesuffix(".0")


def _macro_error(plain: str) -> CellValueError:
    return CellValueError(
        gettext_noop(
            "Files with macros are not accepted: save the file as a plain .%(plain)s "
            "(without macros) and upload it again."
        ),
        plain=plain,
    )


def _damaged(extension: str) -> CellValueError:
    return CellValueError(
        gettext_noop("The file is damaged: it is not a valid .%(extension)s file."),
        extension=extension,
    )


def _mismatch(extension: str, data: bytes) -> CellValueError:
    return CellValueError(_MISMATCH[_looks_like(data)], extension=extension)


def _looks_like(data: bytes) -> str:
    """A key of ``_MISMATCH``: what the content seems to be, whatever its name says."""
    head = data[:16]
    if head.startswith((_ZIP, _EMPTY_ZIP)):
        return _zip_kind(data)
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(b"MZ"):
        return "exe"
    if head.startswith((b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")):
        return "program"
    if head.startswith(_PNG):
        return "png"
    if head.startswith(_JPEG):
        return "jpg"
    if (
        head.startswith((b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*"))
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
        or head[4:12] in (b"ftypheic", b"ftypavif", b"ftypmif1")
    ):
        return "image"
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")):
        return "archive"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if 0 <= data.find(b"%PDF-", 0, PDF_JUNK_BYTES + 5) <= PDF_JUNK_BYTES:
        return "pdf"
    sample = data[:4096]
    if b"\x00" not in sample:
        try:
            text = sample.decode("utf-8")
        except UnicodeDecodeError as error:
            # a character cut at the end of the sample is not a reason to call it binary
            cut = error.reason == "unexpected end of data"
            text = sample[: error.start].decode("utf-8") if cut else ""
        lowered = text.lstrip("\ufeff \t\r\n").lower()
        if lowered.startswith(("<!doctype html", "<html")):
            return "html"
        if text:
            return "text"
    return "unknown"


def _zip_kind(data: bytes) -> str:
    """What a ZIP archive holds, from its entry names only (nothing is decompressed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    if "[Content_Types].xml" in names:
        for kind, (main, _content_type) in _OOXML_MAIN.items():
            if main in names:
                return kind
        return "pptx" if "ppt/presentation.xml" in names else "ooxml"
    return "odf" if "mimetype" in names and "META-INF/manifest.xml" in names else "zip"


def _check_ooxml(data: bytes, extension: str, normalised: str, *, max_bytes: int) -> None:
    """A .docx/.xlsx: a sound ZIP, small once unpacked, without password or macros, whose
    main part is the expected one."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _damaged(extension)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if any(info.flag_bits & 0x1 for info in infos):
                raise CellValueError(
                    gettext_noop(
                        "The file is password-protected: remove the password and upload it again."
                    )
                )
            # Before anything is decompressed: ZipFile never unpacks an entry past its
            # declared size, so the declared sizes bound the work below.
            unpacked = sum(info.file_size for info in infos)
            unpacked_limit = min(UNPACKED_RATIO * max_bytes, MAX_UNPACKED_BYTES)
            if unpacked > unpacked_limit:
                raise CellValueError(
                    gettext_noop(
                        "The file would unpack to %(size)s MB, more than the %(limit)s MB "
                        "allowed; it may be a zip bomb and is refused."
                    ),
                    size=_megabytes(unpacked, up=True),
                    limit=_megabytes(unpacked_limit),
                )
            if any(info.filename.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for info in infos):
                raise _macro_error(normalised)
            names = {info.filename: info for info in infos}
            types_info = names.get("[Content_Types].xml")
            if types_info is None:
                raise _mismatch(extension, data)
            if types_info.file_size > _MAX_CONTENT_TYPES_BYTES:
                raise _damaged(extension)
            parts, defaults = _content_types(archive.read(types_info))
            if any("macroenabled" in value.lower() for value in [*parts.values(), *defaults]):
                raise _macro_error(normalised)
            main, main_type = _OOXML_MAIN[normalised]
            if main not in names or parts.get("/" + main) != main_type:
                kind = _zip_kind(data)
                raise _damaged(extension) if kind == normalised else _mismatch(extension, data)
            if archive.testzip() is not None:
                raise _damaged(extension)
    except CellValueError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
        ValueError,
    ) as error:
        raise _damaged(extension) from error


_TAG_RE = re.compile(r"<(?:[\w.-]+:)?(Override|Default)\b([^>]*)>")
_ATTR_RE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _content_types(raw: bytes) -> tuple[dict[str, str], list[str]]:
    """``[Content_Types].xml`` read without an XML parser (no entities, nothing fetched):
    the overrides as lower-cased part name -> content type, and the default content types."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="replace")
    else:
        text = raw.decode("utf-8", errors="replace")
    parts: dict[str, str] = {}
    defaults: list[str] = []
    for match in _TAG_RE.finditer(text):
        attrs = {name: a or b for name, a, b in _ATTR_RE.findall(match.group(2))}
        content_type = attrs.get("ContentType", "").strip()
        if match.group(1) == "Override":
            parts[attrs.get("PartName", "").strip().lower()] = content_type
        else:
            defaults.append(content_type)
    return parts, defaults
