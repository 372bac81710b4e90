"""The active-content check as a program of its own, for an uploaded evidence file nobody has
vouched for (``active_content.scan`` runs it; the pattern of ``xlsx_child.py``).

``python -I -S active_content_child.py SITE_FOLDER KIND MEMORY_BYTES CPU_SECONDS`` reads the
file's bytes on stdin (KIND is ``pdf`` or ``ooxml``) and writes on stdout one JSON object
``{"findings": [code, …]}``, the classes of active content found (codes in
``active_content.FINDINGS``). Exit status 0: checked; 2: the file cannot be parsed
(damaged); 3: it is encrypted; anything else (a signal, a limit) means it is too large or
too complex to check, and the upload is refused.

PDFs are parsed by qpdf (through pikepdf), which reads compressed object streams, name
escapes (``/J#61vaScript``) and broken cross-reference tables the way a viewer does, so a
keyword hidden from a byte scan is still seen; every object is walked, with a depth and a
node budget. OOXML parts are read with defusedxml (no DTD, no entity, nothing fetched).
"""

from __future__ import annotations

import io
import json
import re
import resource
import sys
import zipfile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

DAMAGED = 2
ENCRYPTED = 3

MAX_DEPTH = 64  # direct objects nested deeper than this inside one object: refused
MAX_NODES = 2_000_000  # values visited in all; a real 20 MB PDF has far fewer
MAX_XML_PARTS = 2_000

# PDF action types (/S) and what they are.
_PDF_ACTIONS = {
    "/JavaScript": "pdf_javascript",
    "/Launch": "pdf_launch",
    "/SubmitForm": "pdf_external",
    "/ImportData": "pdf_external",
    "/GoToR": "pdf_external",
    "/GoToE": "pdf_external",
    "/Rendition": "pdf_embedded",
}


def limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# --- PDF --------------------------------------------------------------------------------------


def pdf_findings(data: bytes) -> set[str]:
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        sys.exit(ENCRYPTED)
    except (pikepdf.PdfError, ValueError, RuntimeError):
        sys.exit(DAMAGED)
    found: set[str] = set()
    budget = [MAX_NODES]
    with pdf:
        if pdf.is_encrypted:
            # Opened with the empty user password (owner-only restrictions): its content is
            # readable and is checked like any other.
            pass
        roots: list[Any] = [pdf.trailer]
        try:
            roots.extend(pdf.objects)
        except (pikepdf.PdfError, RuntimeError):
            sys.exit(DAMAGED)
        for root in roots:
            _walk(root, found, budget, pikepdf)
    return found


def _walk(root: Any, found: set[str], budget: list[int], pikepdf: Any) -> None:
    """Every direct value inside ``root`` (indirect ones are roots of their own)."""
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        obj, depth = stack.pop()
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_DEPTH:
            found.add("too_complex")
            return
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            try:
                keys = list(obj.keys())
            except (pikepdf.PdfError, RuntimeError):
                continue
            _check_dictionary(obj, set(keys), found)
            for key in keys:
                try:
                    value = obj.get(key)
                except (pikepdf.PdfError, RuntimeError):
                    continue
                if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream) and (
                    not value.is_indirect
                ):
                    stack.append((value, depth + 1))
        elif isinstance(obj, pikepdf.Array):
            for value in obj:
                if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream) and (
                    not value.is_indirect
                ):
                    stack.append((value, depth + 1))


def _name(obj: Any, key: str) -> str:
    import pikepdf

    try:
        value = obj.get(key)
    except (pikepdf.PdfError, RuntimeError):  # a damaged value reads as nothing
        return ""
    return str(value) if isinstance(value, pikepdf.Name) else ""


def _check_dictionary(obj: Any, keys: set[str], found: set[str]) -> None:
    if "/JS" in keys or "/JavaScript" in keys:
        found.add("pdf_javascript")
    action = _PDF_ACTIONS.get(_name(obj, "/S"))
    if action:
        found.add(action)
    if "/AA" in keys:
        found.add("pdf_automatic")
    if "/XFA" in keys:
        found.add("pdf_xfa")
    if (
        "/EmbeddedFiles" in keys
        or "/EF" in keys
        or _name(obj, "/Type") == "/EmbeddedFile"
        or _name(obj, "/Subtype") in ("/FileAttachment", "/RichMedia", "/Movie", "/Sound")
    ):
        found.add("pdf_embedded")


# --- OOXML ------------------------------------------------------------------------------------

_OLE_TYPES = ("/oleobject", "/control", "/activexcontrol", "/activexcontrolbinary", "/afchunk")
_FIELD_WORDS = re.compile(r"[A-Za-z]+")
_REMOTE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|\\\\)", re.IGNORECASE)
_FORMULA_STRINGS = re.compile(r'"(?:[^"]|"")*"')
_LOCAL_DRIVE = re.compile(r"^(?:file:///)?[A-Za-z]:[\\/](?![\\/])", re.IGNORECASE)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: Any, name: str) -> str:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return str(value)
    return ""


def ooxml_findings(data: bytes) -> set[str]:
    from defusedxml import DefusedXmlException

    found: set[str] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            for name in names:
                lowered = name.lower()
                if lowered.rsplit("/", 1)[-1] == "vbaproject.bin":
                    found.add("ooxml_macro")
                if "/embeddings/" in lowered and not lowered.endswith((".xlsx", ".docx", ".pptx")):
                    found.add("ooxml_ole")
                if "/activex/" in lowered:
                    found.add("ooxml_ole")
            xml_parts = [n for n in names if n.lower().endswith((".xml", ".rels"))]
            for name in xml_parts[:MAX_XML_PARTS]:
                with archive.open(name) as part:
                    _check_part(name, part, found)
            if len(xml_parts) > MAX_XML_PARTS:
                found.add("too_complex")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        sys.exit(DAMAGED)
    except DefusedXmlException:  # a DTD or entity in an Office part: no real file has one
        sys.exit(DAMAGED)
    return found


def _events(part: Any) -> Iterator[tuple[str, Any]]:
    from xml.etree.ElementTree import ParseError

    from defusedxml.ElementTree import iterparse

    try:
        yield from iterparse(part, events=("start", "end"))
    except ParseError:
        sys.exit(DAMAGED)


def _check_part(name: str, part: Any, found: set[str]) -> None:
    lowered = name.lower()
    if lowered.endswith(".rels"):
        for event, element in _events(part):
            if event == "end" and _local(element.tag) == "Relationship":
                _check_relationship(lowered, element, found)
                element.clear()
        return
    in_sheet = lowered.startswith("xl/worksheets/") or lowered.startswith("xl/macrosheets/")
    if lowered.startswith("xl/macrosheets/") or lowered.startswith("xl/dialogsheets/"):
        found.add("ooxml_macro")
    fields: list[list[Any]] = []  # open complex fields: [instruction so far, checked]
    for event, element in _events(part):
        tag = _local(element.tag)
        if event == "start":
            if tag == "fldChar":
                kind = _attribute(element, "fldCharType")
                if kind == "begin":
                    fields.append(["", False])
            elif tag == "fldSimple":
                _check_field(_attribute(element, "instr"), found)
            elif tag in ("ddeLink", "ddeItem"):
                found.add("ooxml_dde")
            elif tag in ("oleLink", "oleObject", "oleItem"):
                found.add("ooxml_ole")
            continue
        if tag == "instrText":
            if fields:
                fields[-1][0] += element.text or ""
            else:
                _check_field(element.text or "", found)
        elif tag == "fldChar":
            kind = _attribute(element, "fldCharType")
            if kind in ("separate", "end") and fields:
                if not fields[-1][1]:
                    _check_field(fields[-1][0], found)
                    fields[-1][1] = True
                if kind == "end":
                    fields.pop()
        elif (
            # A DDE call in a cell formula: =cmd|'/C calc'!A0 ("|" is no Excel operator).
            tag == "f" and in_sheet and "|" in _FORMULA_STRINGS.sub("", element.text or "")
        ):
            found.add("ooxml_dde")
        element.clear()
    for instruction, checked in fields:
        if not checked:
            _check_field(instruction, found)


def _check_field(instruction: str, found: set[str]) -> None:
    words = _FIELD_WORDS.findall(instruction)
    first = words[0].upper() if words else ""
    if first in ("DDE", "DDEAUTO"):
        found.add("ooxml_dde")
    elif first in ("LINK", "INCLUDETEXT", "INCLUDEPICTURE", "IMPORT") and (
        _REMOTE.search(instruction) or first == "LINK"
    ):
        found.add("ooxml_external")


def _check_relationship(rels_name: str, element: Any, found: set[str]) -> None:
    kind = _attribute(element, "Type").lower()
    external = _attribute(element, "TargetMode").lower() == "external"
    if kind.endswith("/vbaproject") or kind.endswith("/wordvbadata"):
        found.add("ooxml_macro")
    if kind.endswith(_OLE_TYPES):
        found.add("ooxml_ole")
    # An embedded workbook is how a chart keeps its data; anywhere else it is an object.
    if kind.endswith("/package") and "/charts/_rels/" not in rels_name:
        found.add("ooxml_ole")
    if kind.endswith("/attachedtemplate"):
        # A document made from a template on the author's own disk names it (Word writes
        # file:///C:/…/Mau.dotx); only a template elsewhere (a web address, a share, a host)
        # is fetched when the file is opened.
        if not _LOCAL_DRIVE.match(_attribute(element, "Target")):
            found.add("ooxml_external")
        return
    if external and not kind.endswith("/hyperlink"):
        found.add("ooxml_external")


def main(argv: list[str]) -> int:
    sys.path.append(argv[1])  # where pikepdf and defusedxml are: the child runs without site
    kind = argv[2]
    limit(int(argv[3]), int(argv[4]))
    data = sys.stdin.buffer.read()
    found = pdf_findings(data) if kind == "pdf" else ooxml_findings(data)
    sys.stdout.write(json.dumps({"findings": sorted(found)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
