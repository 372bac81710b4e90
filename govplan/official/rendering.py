"""The official DOCX and PDF made once by the background worker and served from storage
(``RenderedFile``), instead of on the request path at every download (issue 15).

What a file is of (its key):
- an issued document: its frozen record (``issued:<record>``). Its files are made at issue,
  from the record's model alone (``render_issued_files``), and never made again: a later
  change of the writers, the profile or the entries does not touch them.
- any other document (a draft, a submitted or an approved one): the SHA-256 of the model it
  prints now (``current_model``) and of the writers' version. Building the model costs tens of
  milliseconds, rendering it a second; keyed by what is printed, the cache can never serve a
  file that says something else than the document says now, whatever changed (an entry, the
  issuing data, the unit's header), and a draft saved again makes a new file on the next
  download only. The model is kept with the row until its file is made, so the worker prints
  exactly what was asked for. Older files of the same document and format are deleted when a
  new one is asked for: a draft keeps one file per format, not one per save.

Concurrency: one row per (document, format, key) (a unique constraint; ``get_or_create``), so
two people asking at once make it once. A worker claims a row under its lock (PENDING →
RUNNING, one more attempt) and renders outside any lock; the file is written to storage before
the row says DONE, so a DONE row always has its whole file, and a failed render leaves the row
FAILED with the reason (no file, nothing half-written) for the page to show.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.core.official.model import OfficialDocument
from govplan.core.official.serial import from_data, to_data
from govplan.documents import cycles
from govplan.documents.models import Document, Entry
from govplan.frameworks.models import LegalDocument
from govplan.official.models import (
    FileState,
    IssuedRecord,
    IssuingData,
    IssuingProfile,
    RenderedFile,
)
from govplan.official.render import (
    DOCX,
    PDF,
    NotFrozen,
    PdfUnavailable,
    current_model,
    render,
)
from govplan.orgunits.models import OrgUnit, OrgUnitName
from govplan.webutils import helper_cache

logger = logging.getLogger(__name__)

FORMATS = ("docx", "pdf")
CONTENT_TYPES = {"docx": DOCX, "pdf": PDF}
# Raise when the DOCX or PDF writers print the same model differently: the files of drafts and
# approved documents are then made again. Issued documents' files are never made again.
WRITERS_VERSION = "1"


@dataclass(frozen=True)
class Wanted:
    """What a download asks for: the key, and the model to print (None: an issued record's)."""

    key: str
    record_id: int | None
    source: bytes


def issued_key(record_id: int) -> str:
    return f"issued:{record_id}"


def wanted(document: Document, kind: str, model: OfficialDocument | None = None) -> Wanted:
    """The file ``document`` prints now as ``kind`` (``model``: what it prints, when already
    built). NotFrozen for an issued document without a frozen record (its signed copy is all
    there is)."""
    if document.status == "issued":
        # The record in force (latest_record's), by id alone: nothing else of it is read here.
        record_id = (
            IssuedRecord.objects.filter(document=document)
            .order_by("-issued_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        if record_id is None:
            raise NotFrozen(document.pk)
        return Wanted(issued_key(record_id), record_id, b"")
    built = model if model is not None else current_model(document)
    data = json.dumps(to_data(built), ensure_ascii=False, sort_keys=True, default=str).encode()
    return Wanted(_digest(data), None, data)


# -- the key of a made file without building the model -----------------------------------------
#
# Keying a draft's file by its model costs the model (100–120 ms of CPU for a 300-row plan) on
# every download, even of a file already made. What the model is printed from can be named
# for a few milliseconds instead (``inputs_key``), and the model's key remembered under that
# name in Django's cache: a download whose inputs were seen before finds its file without
# building anything. The name covers everything ``official_document`` reads: the document's
# row (status, the revision it was approved as, its unit and framework version), every
# entry (each change of an entry raises its revision, so the sum of the revisions with the
# count and the latest change changes with every save, deletion, move, import or restore;
# carried-over rows name the units they came from), the issuing data, the unit's profile,
# the unit's, its ancestors', the previous cycle's and the carried-over rows' units with
# their names through time, the previous cycle's documents and their values, the whole
# legal catalogue, the framework version (published: immutable) and the code that builds
# and prints the model. The name is taken before the model is built, so a change made
# meanwhile can only map an older name to a newer model, never a newer name to an older one.

KEY_CACHE_SECONDS = 7 * 24 * 3600
_BUILDERS = ("build.py", "printed_tables.py", "render.py", "defaults.py", "rendering.py")


def _code_revision() -> str:
    from govplan.core import official as core_official
    from govplan.documents import presentation, read

    digest = hashlib.blake2b(WRITERS_VERSION.encode(), digest_size=8)
    here = Path(__file__).resolve().parent
    core = Path(core_official.__file__).resolve().parent
    for path in (
        *(here / name for name in _BUILDERS),
        *sorted(core.glob("*.py")),
        Path(presentation.__file__),
        Path(read.__file__),
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_CODE_REVISION: str | None = None


def code_revision() -> str:
    global _CODE_REVISION
    if _CODE_REVISION is None:
        _CODE_REVISION = _code_revision()
    return _CODE_REVISION


def _entries(documents: list[int], **filters: Any) -> tuple[Any, ...]:
    found = Entry.objects.filter(document_id__in=documents, **filters).aggregate(
        n=Count("pk"), revisions=Sum("revision"), last=Max("updated_at"), top=Max("pk")
    )
    return (found["n"], found["revisions"], str(found["last"]), found["top"])


def inputs_key(document: Document) -> str | None:
    """A name of everything the model of ``document`` is printed from (see above), read in a
    few small queries; None where the model itself must say (an issued document is keyed by
    its record already; a draft framework version may change under the same id)."""
    version = document.framework_version
    if document.status == "issued" or not version.is_published or version.published_at is None:
        return None
    row = (
        Document.objects.filter(pk=document.pk)
        .values_list(
            "status",
            "revision",
            "org_unit_id",
            "framework_version_id",
            "kind",
            "period_start",
            "period_end",
            "created_at",
            "updated_at",
        )
        .first()
    )
    if row is None:
        return None
    unit = document.org_unit
    sources = cycles.previous_documents(unit, version)
    units = {unit.pk, *unit.ancestor_ids()}
    for source in sources:
        units |= {source.document.org_unit_id, *source.document.org_unit.ancestor_ids()}
    origins = sorted(
        Entry.objects.filter(document=document, origin__isnull=False)
        .values_list(
            "origin_id", "origin__org_unit_id", "origin__period_start", "origin__period_end"
        )
        .distinct()
    )
    units |= {o[1] for o in origins}
    parts: list[Any] = [
        code_revision(),
        row,
        (version.pk, str(version.published_at)),
        _entries([document.pk]),
        origins,
        list(IssuingData.objects.filter(document=document).values_list()),
        list(IssuingProfile.objects.filter(org_unit=unit).values_list()),
        sorted(OrgUnit.objects.filter(pk__in=units).values_list()),
        sorted(OrgUnitName.objects.filter(unit_id__in=units).values_list()),
        [(s.document.pk, s.whole, s.own, s.document.framework_version_id) for s in sources],
        _entries([s.document.pk for s in sources], kind="value", deleted=False) if sources else (),
        sorted(LegalDocument.objects.values_list()),
    ]
    text = json.dumps(parts, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _remembered(inputs: str) -> str:
    return f"govplan.official.key:{inputs}"


def known_key(inputs: str | None) -> str | None:
    """The key of the model printed from ``inputs``, if a download worked it out before."""
    if inputs is None:
        return None
    found = helper_cache.get(_remembered(inputs))
    return found if isinstance(found, str) else None


def remember_key(inputs: str | None, key: str) -> None:
    if inputs is not None:
        helper_cache.put(_remembered(inputs), key, KEY_CACHE_SECONDS)


def _digest(model: bytes) -> str:
    digest = hashlib.sha256(model)
    digest.update(f"\0writers:{WRITERS_VERSION}".encode())
    return digest.hexdigest()


def made_content(document: Document, kind: str, model: OfficialDocument) -> bytes | None:
    """The bytes of the file already made of ``model`` as ``kind``, if there is one (the
    batch export takes it instead of rendering again)."""
    row = (
        RenderedFile.objects.filter(
            document=document, format=kind, key=wanted(document, kind, model).key
        )
        .filter(state=FileState.DONE)
        .only("file")
        .first()
    )
    if row is None:
        return None
    try:
        with row.file.open("rb") as handle:
            content: bytes = handle.read()
    except FileNotFoundError:
        return None
    return content


def compress(model: bytes) -> bytes:
    return zlib.compress(model, 6)


# -- the worker ------------------------------------------------------------------------------


def _claim(file_id: int) -> RenderedFile | None:
    """Take the row up (one more attempt), unless it is made, failed, or a live worker is on
    it."""
    with transaction.atomic():
        row = RenderedFile.objects.select_for_update(no_key=True).filter(pk=file_id).first()
        if row is None or row.state in (FileState.DONE, FileState.FAILED):
            return None
        if row.state == FileState.RUNNING and not row.stale:
            return None
        row.state = FileState.RUNNING
        row.attempt += 1
        row.started_at = timezone.now()
        row.save(update_fields=["state", "attempt", "started_at"])
    return row


def _model(row: RenderedFile) -> OfficialDocument:
    if row.record_id is not None:
        record = IssuedRecord.objects.select_related("prepared").get(pk=row.record_id)
        return from_data(record.prepared.model)
    return from_data(json.loads(zlib.decompress(bytes(row.source))))


def failure_text(exc: BaseException) -> str:
    if isinstance(exc, PdfUnavailable):
        return _("PDF cannot be made on this server (its PDF libraries are missing).")
    if isinstance(exc, OSError):
        return _("the server could not write a file (%(error)s)") % {"error": exc}
    return (str(exc) or type(exc).__name__)[:2000]


def make_file(file_id: int) -> str:
    """The body of the task: render the row's file, store it, then mark the row DONE (or
    FAILED with the reason). Returns the row's state."""
    row = _claim(file_id)
    if row is None:
        state = RenderedFile.objects.filter(pk=file_id).values_list("state", flat=True).first()
        return state or "missing"
    attempt = row.attempt
    stored = ""
    try:
        document = Document.objects.select_related("framework", "org_unit").get(pk=row.document_id)
        content, _type, _name = render(document, row.format, model=_model(row))
        stored = default_storage.save(
            f"official/{row.document_id}/{row.pk}-{attempt}.{row.format}", ContentFile(content)
        )
    except Exception as exc:
        logger.exception("official file %s (%s) could not be made", file_id, row.format)
        if stored:
            default_storage.delete(stored)
        RenderedFile.objects.filter(pk=row.pk, attempt=attempt).update(
            state=FileState.FAILED, error=failure_text(exc), finished_at=timezone.now()
        )
        return FileState.FAILED
    finished = RenderedFile.objects.filter(
        pk=row.pk, attempt=attempt, state=FileState.RUNNING
    ).update(
        state=FileState.DONE,
        file=stored,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        source=b"",  # printed: the model is not needed any more
        error="",
        finished_at=timezone.now(),
    )
    if not finished:  # deleted meanwhile, or taken up by a newer run: ours is not needed
        default_storage.delete(stored)
        return "superseded"
    return FileState.DONE


def issued_rows(record: IssuedRecord) -> list[RenderedFile]:
    """The rows of an issued record's files (created if missing), in FORMATS order."""
    rows = []
    for kind in FORMATS:
        row, _created = RenderedFile.objects.get_or_create(
            document_id=record.document_id,
            format=kind,
            key=issued_key(record.pk),
            defaults={"record": record},
        )
        rows.append(row)
    return rows


def delete_stored_file(sender: Any, instance: RenderedFile, **kwargs: Any) -> None:
    """A row deleted (superseded, lost, or with its document) takes its file along, once the
    deletion commits (connected in OfficialConfig.ready)."""
    name = instance.file.name if instance.file else ""
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def make_issued_files(record_id: int) -> list[str]:
    """The body of the task run when a document is issued: both files of the record."""
    record = IssuedRecord.objects.filter(pk=record_id).first()
    if record is None:
        return []
    return [make_file(row.pk) for row in issued_rows(record)]
