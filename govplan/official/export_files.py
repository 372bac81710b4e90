"""The files of a batch export (govplan.official.batch): where a job's parts and ZIP live,
each written under a temporary name and renamed so that a file is always whole, their names,
and the two texts the ZIP carries for its reader (the manifest and the note)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkVersion
from govplan.official.models import ExportJob

# -- where the files live, written whole ---------------------------------------------------


def job_dir(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / str(job.pk)


def parts_dir(job: ExportJob) -> Path:
    return job_dir(job) / "parts"


def zip_path(job: ExportJob) -> Path:
    return job_dir(job) / job.file_name


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; once the block ends it is flushed to disk
    and renamed to ``path``, so a crash leaves either no file or a whole one (and maybe a
    stray temporary one). If the block fails, the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, content: bytes | None = None, source: Any = None) -> None:
    """``content`` (or the file object ``source``) as ``path``, never half-written."""
    with atomic(path) as tmp, open(tmp, "wb") as out:
        if source is not None:
            shutil.copyfileobj(source, out)
        else:
            out.write(content or b"")


def slug(text: str) -> str:
    """ASCII file-name form of a Vietnamese name: "Tỉnh Bắc Ninh" → "tinh-bac-ninh"."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    return slugify(text)[:60].strip("-")


def zip_name(version: FrameworkVersion, day: Any) -> str:
    base = f"{version.framework.code}-v{version.number}-{day:%Y-%m-%d}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", base) + ".zip"


def kind_name(document: Document) -> str:
    return "ke-hoach" if document.kind == "plan" else "bao-cao"


# -- what the ZIP tells its reader ---------------------------------------------------------


def manifest(job: ExportJob, entries: list[tuple[Document, list[tuple[str, Path]]]]) -> str:
    """One line per document (CSV, with a byte-order mark so spreadsheets read UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("No."),
            _("Unit code"),
            _("Unit"),
            _("Document"),
            _("Status"),
            _("Official number"),
            _("Date of issue"),
            _("Files"),
        ]
    )
    for n, (document, files) in enumerate(entries, start=1):
        writer.writerow(
            [
                n,
                document.org_unit.code,
                document.org_unit.name,
                document.title,
                document.get_status_display(),
                document.issued_number,
                document.issued_date.strftime("%d/%m/%Y") if document.issued_date else "",
                " ; ".join(name for name, _path in files),
            ]
        )
    return "\ufeff" + out.getvalue()


def note(job: ExportJob, unfrozen: Sequence[Document] = ()) -> str:
    lines = []
    if job.failed:
        heading = ngettext(
            "The files of %(count)s document could not be made; it is not included "
            "(the others are):",
            "The files of %(count)s documents could not be made; they are not included "
            "(the others are):",
            len(job.failed),
        ) % {"count": len(job.failed)}
        failures = (f"- {failure['label']}: {failure['error']}" for failure in job.failed)
        lines.append("\n".join([heading, *failures]))
    if unfrozen:
        lines.append(
            _(
                "Issued before GovPlan kept what they printed, so only their signed copy is "
                "included: %(documents)s"
            )
            % {"documents": "; ".join(f"{d.org_unit.name} ({d.issued_number})" for d in unfrozen)}
        )
    if job.pdf_missing:
        lines.append(
            _(
                "PDF files could not be made on the server (its PDF libraries are missing): "
                "this archive holds the DOCX files, and the signed PDF of issued documents."
            )
        )
    if job.skipped:
        lines.append(
            ngettext(
                "%(count)s document chosen when the export was requested was deleted or is "
                "no longer yours to see, and is not included.",
                "%(count)s documents chosen when the export was requested were deleted or "
                "are no longer yours to see, and are not included.",
                len(job.skipped),
            )
            % {"count": len(job.skipped)}
        )
    return "\n\n".join(lines) + ("\n" if lines else "")
