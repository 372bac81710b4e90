"""What a batch export writes and where: the ZIP's fixed names, the job's folders, files
written whole or not at all. Shared by the actions (batch.py) and the worker
(export_worker.py)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.text import slugify

from govplan.documents.models import Document, DocumentStatus
from govplan.frameworks.models import FrameworkVersion
from govplan.official.models import ExportJob

FORMATS = ("docx", "pdf")
# The status filter of the form: "final" (approved or issued, the default), one status, or
# "" for every status.
FINAL = "final"
FINAL_STATUSES = (DocumentStatus.APPROVED, DocumentStatus.ISSUED)
WORKBOOK_NAME = "bang-bieu.xlsx"
MANIFEST_NAME = "danh-sach.csv"
NOTE_NAME = "ghi-chu.txt"


class NothingToExport(ValueError):
    """The selection holds no document."""


class NotResumable(ValueError):
    """The job is done, or a worker is still on it."""


class Superseded(Exception):
    """This run's job was taken up by a newer run (its worker was thought dead)."""


class DocumentFailed(Exception):
    """Making one document's files failed; says which document, the cause is chained."""

    def __init__(self, document: Document, cause: Exception) -> None:
        self.label = f"{document.org_unit.name} ({document.title})"
        self.cause = cause
        super().__init__(f"{self.label}: {cause}")


# -- files ---------------------------------------------------------------------------------


def job_dir(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / str(job.pk)


def parts_dir(job: ExportJob) -> Path:
    return job_dir(job) / "parts"


def zip_path(job: ExportJob) -> Path:
    return job_dir(job) / job.file_name


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
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
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
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
