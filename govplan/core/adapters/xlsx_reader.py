"""Reading an uploaded workbook without letting it take the server down.

Two guards, both before and around python-calamine:

``inspect_workbook`` looks at the ZIP and the workbook's own parts cheaply (no part is
unpacked beyond a bounded head): the members' declared sizes and compression ratios, the
sheet names and which part holds each, and the range each sheet declares
(``<dimension ref="A1:XFD1048576"/>``), so that a sheet claiming a million rows is refused by
name before anything reads it.

``read_sheets`` then reads the cells in a process of its own (``xlsx_child.py``) under
memory, CPU-time, output and wall-clock limits, and gets plain data back as JSON: a sheet may
omit its ``<dimension>`` and still hold a cell at XFD1048576, and calamine aborts its process
when the allocation for such a sheet fails. Any failure there is ``WorkbookReadFailed``;
the server process carries on.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import io
import json
import logging
import posixpath
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from govplan.core.documents.cells import CellValueError
from govplan.core.i18n import gettext_noop

log = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("xlsx_child.py")
MAX_UNPACKED_BYTES = 200_000_000
MAX_ZIP_ENTRIES = 10_000
MAX_RATIO = 100  # typical parts pack 2-10 times; a bomb, hundreds to thousands of times
RATIO_FROM_BYTES = 1_000_000  # small parts may pack better than that, harmlessly
MAX_PART_BYTES = 2_000_000  # workbook.xml and its relationships, read whole
SHEET_HEAD_BYTES = 64 * 1024  # <dimension> comes before the cells, in the first few hundred

NOT_A_WORKBOOK = gettext_noop("the file is not an Excel workbook (.xlsx), whatever its name says")
UNREADABLE = gettext_noop("the file could not be read: it is too large or damaged")

_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class ReadLimits:
    """What the reading process may take: address space, CPU and wall-clock seconds, and
    the size of the cells it sends back."""

    memory_bytes: int = 1024 * 1024 * 1024
    seconds: int = 30
    output_bytes: int = 256 * 1024 * 1024


@dataclass(frozen=True)
class DeclaredSheet:
    """A sheet as the workbook declares it: its name, its part, and the range its
    ``<dimension>`` gives (``None`` when it gives none that can be read)."""

    name: str
    part: str | None
    declared: str | None = None
    last_cell: tuple[int, int] | None = None  # (row, column), both from 1


@dataclass(frozen=True)
class SheetRequest:
    name: str
    max_rows: int
    max_columns: int


@dataclass
class SheetCells:
    """What the reading process found in one sheet: its rows of raw cells, or why not."""

    rows: list[list[Any]] | None = None
    too_large: tuple[int, int] | None = None  # (last row, last column) beyond the request
    unreadable: bool = False


@dataclass
class WorkbookCells:
    sheet_names: list[str]
    sheets: dict[str, SheetCells]


class WorkbookReadFailed(Exception):
    """The reading process crashed, ran out of memory or time, or said too much."""


# --- the cheap look at the ZIP ------------------------------------------------------------------


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse (CellValueError) an archive too large once unpacked, by the members' declared
    sizes, or with a member packed so tightly that it can only be a bomb."""
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES or (
        sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES
    ):
        raise CellValueError(
            gettext_noop("the workbook is too large once unpacked (more than %(max)s MB)"),
            max=MAX_UNPACKED_BYTES // 1_000_000,
        )
    for entry in entries:
        if entry.file_size > RATIO_FROM_BYTES and (
            entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
        ):
            raise CellValueError(
                gettext_noop(
                    "the workbook part %(part)s unpacks to %(ratio)s times its packed size; "
                    "it may be a zip bomb and is refused"
                ),
                part=entry.filename,
                ratio=entry.file_size // max(entry.compress_size, 1),
            )


def inspect_workbook(data: bytes) -> list[DeclaredSheet]:
    """The workbook's sheets in order, with the range each declares; CellValueError for a
    file that is not a workbook or is too large once unpacked. Reads no part whole but the
    workbook's list of sheets and its relationships (each at most 2 MB)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise CellValueError(NOT_A_WORKBOOK) from None
    with archive:
        check_archive(archive)
        try:
            workbook = _xml(archive, "xl/workbook.xml")
            relationships = _relationships(archive, "xl/_rels/workbook.xml.rels")
        except (
            KeyError,
            ElementTree.ParseError,
            zipfile.BadZipFile,
            ValueError,
            OSError,
            EOFError,
            NotImplementedError,  # a compression method zipfile does not have
            RuntimeError,  # an encrypted member
        ):
            raise CellValueError(NOT_A_WORKBOOK) from None
        names = set(archive.namelist())
        sheets = []
        for element in workbook.iter():
            if _local(element.tag) != "sheet" or element.get("name") is None:
                continue
            target = relationships.get(_relationship_id(element) or "")
            part = _resolve("xl", target) if target is not None else None
            if part not in names:
                part = None
            declared = _declared(archive, part) if part is not None else None
            sheets.append(
                DeclaredSheet(
                    name=element.get("name", ""),
                    part=part,
                    declared=declared,
                    last_cell=_last_cell(declared) if declared is not None else None,
                )
            )
    return sheets


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise ValueError(name)
    with archive.open(info) as stream:
        content = stream.read(MAX_PART_BYTES + 1)
    if len(content) > MAX_PART_BYTES or _DTD.search(content):
        raise ValueError(name)  # no workbook part needs a DTD; entities are how XML bombs
    return ElementTree.fromstring(content)  # noqa: S314 (bounded, and no DTD: see above)


def _relationships(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    if name not in archive.namelist():
        return {}
    return {
        element.get("Id", ""): element.get("Target", "")
        for element in _xml(archive, name).iter()
        if _local(element.tag) == "Relationship"
    }


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationship_id(element: ElementTree.Element) -> str | None:
    # r:id, in whichever namespace the workbook uses for relationships (transitional or strict)
    for attribute, value in element.attrib.items():
        if attribute.startswith("{") and _local(attribute) == "id":
            return value
    return None


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


def _declared(archive: zipfile.ZipFile, part: str) -> str | None:
    """The ``ref`` of the sheet's ``<dimension>``, from the part's first 64 KB unpacked."""
    try:
        with archive.open(part) as stream:
            head = stream.read(SHEET_HEAD_BYTES)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None  # the reading process will say the file is damaged
    head = head.split(b"sheetData", 1)[0]
    found = _DIMENSION.search(head)
    return found.group(1).decode("utf-8", "replace").strip() if found else None


def _last_cell(ref: str) -> tuple[int, int] | None:
    """(row, column), both from 1, of the last cell of a range such as ``A1:XFD1048576``;
    ``None`` if the range cannot be read (then only the reading process's limits apply)."""
    last: tuple[int, int] | None = None
    for part in ref.replace(" ", ":").split(":"):
        if not part:
            continue
        match = _CELL.match(part)
        if match is None:
            return None
        row, column = int(match.group(2)), column_number(match.group(1))
        last = (max(row, last[0]), max(column, last[1])) if last else (row, column)
    return last


def column_number(letters: str) -> int:
    """ "A" → 1, "XFD" → 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


# --- reading the cells in a process of its own --------------------------------------------------


def read_sheets(
    data: bytes, requests: list[SheetRequest], limits: ReadLimits, *, context: str = ""
) -> WorkbookCells:
    """The cells of the requested sheets, read by ``xlsx_child.py`` under ``limits``.

    CellValueError(NOT_A_WORKBOOK) if calamine cannot open the file; WorkbookReadFailed
    (logged, with ``context`` naming the upload) if the process fails in any other way."""
    header = json.dumps(
        {
            "sheets": [
                {"name": r.name, "max_rows": r.max_rows, "max_columns": r.max_columns}
                for r in requests
            ]
        }
    ).encode("utf-8")
    command = [
        sys.executable,
        # No environment variables, no user site, not the server's current folder; and no
        # site at all (-S): its start-up hooks (an editable install's finder) cost more than
        # the rest of the start, and the child needs nothing but python_calamine's folder.
        "-I",
        "-S",
        str(CHILD),
        _calamine_folder(),
        str(limits.memory_bytes),
        str(limits.seconds),
        str(limits.output_bytes),
    ]
    started = time.monotonic()
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(  # noqa: S603 (our own script, no shell, no user input in argv)
                command,
                input=header + b"\n" + data,
                stdout=output,
                stderr=errors,
                timeout=limits.seconds,
                env={},  # nothing of the server's configuration reaches it
                check=False,
            )
            status = done.returncode
        except subprocess.TimeoutExpired:
            status = None
        if status == 2:
            raise CellValueError(NOT_A_WORKBOOK)
        size = output.seek(0, io.SEEK_END)
        failure = None
        if status is None:
            failure = "timed out"
        elif status != 0:
            failure = f"exit status {status}"
        elif size > limits.output_bytes:
            failure = f"{size} bytes of output"
        else:
            output.seek(0)
            try:
                result = json.loads(output.read(), object_hook=_decode)
                return WorkbookCells(
                    sheet_names=[str(n) for n in result["sheet_names"]],
                    sheets={name: _sheet(item) for name, item in result["sheets"].items()},
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                failure = "output that is not what was asked"
        errors.seek(0)
        detail = errors.read(4000).decode("utf-8", "replace").strip().splitlines()[:3]
        log.warning(
            "workbook not read%s: %s after %.1f s (limits: %d MB, %d s); %s",
            f" ({context})" if context else "",
            failure,
            time.monotonic() - started,
            limits.memory_bytes // (1024 * 1024),
            limits.seconds,
            " | ".join(detail) or "no message",
        )
        raise WorkbookReadFailed(failure)


@functools.cache
def _calamine_folder() -> str:
    """The folder python_calamine is installed in, for the child's sys.path."""
    spec = importlib.util.find_spec("python_calamine")
    if spec is None or spec.origin is None:
        raise RuntimeError("python_calamine is not installed")
    return str(Path(spec.origin).parent.parent)


def _sheet(item: dict[str, Any]) -> SheetCells:
    if "rows" in item:
        return SheetCells(rows=item["rows"])
    if "too_large" in item:
        last_row, last_column = item["too_large"]
        return SheetCells(too_large=(int(last_row), int(last_column)))
    return SheetCells(unreadable=True)


def _decode(item: dict[str, Any]) -> Any:
    """A tagged date or time (xlsx_child.encode) back as one; any other object as it is."""
    if len(item) == 1:
        key, value = next(iter(item.items()))
        if isinstance(value, str):
            if key == "$datetime":
                return dt.datetime.fromisoformat(value)
            if key == "$date":
                return dt.date.fromisoformat(value)
            if key == "$time":
                return dt.time.fromisoformat(value)
        elif key == "$seconds" and isinstance(value, int | float):
            return dt.timedelta(seconds=value)
    return item
