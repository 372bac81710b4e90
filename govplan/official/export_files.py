"""What a batch export writes and where: the ZIP's fixed names, the job's folders, files
written whole or not at all. Shared by the actions (batch.py) and the worker
(export_worker.py)."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.utils.text import slugify

from govplan.documents.models import Document, DocumentStatus
from govplan.frameworks.models import FrameworkVersion
from govplan.official.models import ExportJob
from govplan.webutils import storage_files

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
# A job's files are in Django's default storage (MEDIA_ROOT, or the bucket shared by every
# application server and worker, docs/deployment.md) under exports/<job>/: the parts as
# parts/<document>.<kind>, the ZIP under its own name. Each is written whole or not at all
# (govplan.webutils.storage_files.put).


def job_prefix(job: ExportJob) -> str:
    return f"exports/{job.pk}"


def parts_prefix(job: ExportJob) -> str:
    return f"{job_prefix(job)}/parts"


def part_name(job: ExportJob, document_id: int, kind: str) -> str:
    return f"{parts_prefix(job)}/{document_id}.{kind}"


def zip_storage_name(job_id: int, file_name: str) -> str:
    """The ZIP's name in storage (also what ``manage.py backup`` checks is copied)."""
    return f"exports/{job_id}/{file_name}"


def zip_name_of(job: ExportJob) -> str:
    return zip_storage_name(job.pk, job.file_name)


def put(name: str, content: bytes | None = None, source: Any = None) -> None:
    """``content`` (or the file object ``source``) stored as ``name``, never half-written."""
    storage_files.put(name, source if source is not None else io.BytesIO(content or b""))


# The local paths of the same files, when the storage is the local folder (the tests look
# at them; the application itself goes through the storage).


def job_dir(job: ExportJob) -> Path:
    return Path(default_storage.path(job_prefix(job)))


def parts_dir(job: ExportJob) -> Path:
    return Path(default_storage.path(parts_prefix(job)))


def zip_path(job: ExportJob) -> Path:
    return Path(default_storage.path(zip_name_of(job)))


def slug(text: str) -> str:
    """ASCII file-name form of a Vietnamese name: "Tỉnh Bắc Ninh" → "tinh-bac-ninh"."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    return slugify(text)[:60].strip("-")


def zip_name(version: FrameworkVersion, day: Any) -> str:
    base = f"{version.framework.code}-v{version.number}-{day:%Y-%m-%d}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", base) + ".zip"


def kind_name(document: Document) -> str:
    return "ke-hoach" if document.kind == "plan" else "bao-cao"
