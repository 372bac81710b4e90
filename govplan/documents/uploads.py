"""Evidence files on the way in: every check an upload passes before anything is stored.

``check_evidence`` is the one door: the type and size by the bytes (``check_upload``), active
content (``core.adapters.active_content``: PDF scripts, launch actions, embedded files;
Office remote templates, DDE, OLE objects, macros), then, where ``CLAMD_SOCKET`` is set, a
virus scan by clamd. Each refusal is ``UploadRefused`` with a translated sentence naming
the reason; nothing has been written when it is raised. The per-unit quota is checked by
``do_attach`` itself, under a lock on the unit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from govplan.core.adapters import clamd
from govplan.core.adapters.active_content import FINDINGS, ScanLimits, scan
from govplan.core.documents.cells import CellValueError
from govplan.core.documents.filetypes import FileCheck, check_upload
from govplan.documents.content import message

log = logging.getLogger(__name__)


class UploadRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def scan_limits() -> ScanLimits:
    return ScanLimits(
        memory_bytes=settings.UPLOAD_SCAN_MEMORY_MB * 1024 * 1024,
        seconds=settings.UPLOAD_SCAN_SECONDS,
    )


def check_evidence(data: bytes, filename: str) -> FileCheck:
    """The accepted file's type, or ``UploadRefused`` saying why not."""
    try:
        checked = check_upload(data, filename, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        findings = scan(data, checked.extension, scan_limits(), context=filename)
    except CellValueError as exc:
        raise UploadRefused(message(exc.error)) from exc
    if findings:
        log.warning("upload %r refused: active content %s", filename, ", ".join(findings))
        raise UploadRefused(" ".join(_(FINDINGS[code]) for code in findings))
    virus_scan(data, filename)
    return checked


def virus_scan(data: bytes, filename: str) -> None:
    address = settings.CLAMD_SOCKET
    if not address:
        return
    try:
        verdict = clamd.instream(data, address, timeout=settings.CLAMD_TIMEOUT_SECONDS)
    except clamd.ClamdUnavailable as error:
        if settings.CLAMD_FAIL_OPEN:
            log.warning("virus scan skipped for %s (CLAMD_FAIL_OPEN): %s", filename, error)
            return
        log.error("virus scan failed for %s: %s", filename, error)
        raise UploadRefused(
            _(
                "The file could not be checked for viruses (the virus scanner does not answer), "
                "so it is not accepted. Try again later or tell the administrator."
            )
        ) from error
    if not verdict.clean:
        log.warning("virus found in %s: %s", filename, verdict.signature)
        raise UploadRefused(
            _("The virus scanner found %(signature)s in the file; it is refused.")
            % {"signature": verdict.signature}
        )
