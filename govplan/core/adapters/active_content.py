"""Active content in evidence files: found before anything is stored, and refused.

``scan`` runs ``active_content_child.py`` in a process of its own under memory, CPU and
wall-clock limits (a hostile PDF or Office file cannot take the server down) and returns the
classes of active content found, each a key of ``FINDINGS`` whose sentence says what was
found and what to do. Every class is refused rather than neutralised: an evidence file is
what a unit certifies, and GovPlan rewriting it (dropping a script, an embedded file or a
field) would make the stored copy differ from the one the unit holds, silently; the
author can always save or print the file again without it (docs/security.md).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from govplan.core.documents.cells import CellValueError
from govplan.core.i18n import gettext_noop

log = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("active_content_child.py")


FINDINGS: dict[str, str] = {
    "pdf_javascript": gettext_noop(
        "The PDF contains JavaScript, which could run when it is opened. Print or export it "
        "to PDF again without scripts and upload that."
    ),
    "pdf_automatic": gettext_noop(
        "The PDF contains actions that run by themselves when it is opened or a page is shown. "
        "Print or export it to PDF again and upload that."
    ),
    "pdf_launch": gettext_noop(
        "The PDF contains an action that starts a program or opens another file. Print or "
        "export it to PDF again and upload that."
    ),
    "pdf_external": gettext_noop(
        "The PDF contains actions that send data elsewhere or open other files. Print or "
        "export it to PDF again and upload that."
    ),
    "pdf_embedded": gettext_noop(
        "The PDF carries other files, programs or media embedded in it. Attach each file "
        "separately, or print the PDF again without them."
    ),
    "pdf_xfa": gettext_noop(
        "The PDF is a scripted (XFA) form. Print it to PDF again and upload that."
    ),
    "ooxml_external": gettext_noop(
        "The file loads content from outside itself (a remote template, a linked object, "
        "picture or frame, or a field that fetches a file). Remove the links or save a copy "
        "with the content embedded, and upload that."
    ),
    "ooxml_dde": gettext_noop(
        "The file contains DDE fields or formulas, which can run commands when it is opened. "
        "Remove them and upload the file again."
    ),
    "ooxml_ole": gettext_noop(
        "The file contains embedded objects (OLE objects, ActiveX controls or packages), "
        "which can hold programs. Remove them, attach such files separately, and upload the "
        "file again."
    ),
    "ooxml_macro": gettext_noop(
        "The file contains macros. Save it without macros (as a plain .docx or .xlsx) and "
        "upload it again."
    ),
    "too_complex": gettext_noop(
        "The file is too large or too complex to be checked for active content, and is refused."
    ),
}
DAMAGED = gettext_noop("The file is damaged: it is not a valid .%(extension)s file.")
ENCRYPTED = gettext_noop("The file is password-protected: remove the password and upload it again.")
UNCHECKED = FINDINGS["too_complex"]

KINDS = {"pdf": "pdf", "docx": "ooxml", "xlsx": "ooxml"}


@dataclass(frozen=True)
class ScanLimits:
    memory_bytes: int = 1024 * 1024 * 1024
    seconds: int = 30


def scannable(extension: str) -> bool:
    return extension in KINDS


def scan(data: bytes, extension: str, limits: ScanLimits, *, context: str = "") -> list[str]:
    """The classes of active content in the file (keys of ``FINDINGS``), in a fixed order;
    ``[]`` for a clean file or a type that holds none (images). ``CellValueError`` when the
    file cannot be parsed, is encrypted, or the check fails (a limit, a crash): a file that
    could not be checked is never accepted."""
    kind = KINDS.get(extension)
    if kind is None:
        return []
    command = [
        sys.executable,
        "-I",
        "-S",
        str(CHILD),
        _site_folder(),
        kind,
        str(limits.memory_bytes),
        str(limits.seconds),
    ]
    started = time.monotonic()
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(  # noqa: S603 (our own script, no shell, no user input in argv)
                command,
                input=data,
                stdout=output,
                stderr=errors,
                timeout=limits.seconds,
                env={},
                check=False,
            )
            status: int | None = done.returncode
        except subprocess.TimeoutExpired:
            status = None
        if status == 2:
            raise CellValueError(DAMAGED, extension=extension)
        if status == 3:
            raise CellValueError(ENCRYPTED)
        if status == 0:
            output.seek(0)
            try:
                found = json.loads(output.read(1024 * 1024))["findings"]
                return [code for code in FINDINGS if code in found]
            except (ValueError, KeyError, TypeError):
                pass
        errors.seek(0)
        detail = errors.read(4000).decode("utf-8", "replace").strip().splitlines()[-3:]
        log.warning(
            "active content not checked%s: %s after %.1f s; %s",
            f" ({context})" if context else "",
            "timed out" if status is None else f"exit status {status}",
            time.monotonic() - started,
            " | ".join(detail) or "no message",
        )
        raise CellValueError(UNCHECKED)


def _site_folder() -> str:
    spec = importlib.util.find_spec("pikepdf")
    assert spec is not None and spec.origin is not None, "pikepdf is a dependency"
    return str(Path(spec.origin).parent.parent)
