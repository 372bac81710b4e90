from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govplan.core import workflow as machine
from govplan.core.documents import keys


class DocumentStatus(models.TextChoices):
    """The states of govplan.core.workflow (the one list), with their names for people."""

    DRAFT = machine.DRAFT, _("Draft")
    SUBMITTED = machine.SUBMITTED, _("Submitted")
    UNDER_APPRAISAL = machine.UNDER_APPRAISAL, _("Under appraisal")
    RETURNED = machine.RETURNED, _("Returned for changes")
    APPROVED = machine.APPROVED, _("Approved")
    ISSUED = machine.ISSUED, _("Issued")


def period_label(start: int, end: int) -> str:
    """A period as written: "2027", or "2026-2030"."""
    return str(start) if start == end else f"{start}-{end}"


class Document(models.Model):
    """A unit's plan or report for one framework, pinned to the exact version it is
    written against."""

    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="documents"
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="documents"
    )
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10)
    title = models.CharField(_("title"), max_length=500)
    period_start = models.PositiveSmallIntegerField()
    period_end = models.PositiveSmallIntegerField()
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    # The previous cycle's document it started from, when there was one; a unit formed from
    # several starts from all of theirs, and each carried entry names its own (Entry.origin).
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The latest frozen revision (0 before the first submission).
    revision = models.PositiveIntegerField(_("revision"), default=0)
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appraiser"),
    )
    issued_number = models.CharField(_("official number"), max_length=100, blank=True)
    issued_date = models.DateField(_("date of issue"), null=True, blank=True)
    signed_copy = models.ForeignKey(
        "Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_UNIT = "org_unit"
    # What the document's unit must have been in force on, for a grant over units that no
    # longer exist to reach it (the scoping layer's historical grants).
    SCOPE_DAY = "framework_version__units_resolved_on"

    class Meta:
        ordering = ["-period_start", "org_unit__name"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "framework"], name="one_document_per_unit_and_framework"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def structure_date(self) -> dt.date:
        """The day whose structure the document is written for (its framework's)."""
        return self.framework_version.structure_date

    @property
    def unit_name(self) -> str:
        """The unit's name on that day: Tỉnh Thừa Thiên Huế on a 2011-2015 plan."""
        return self.org_unit.name_on(self.structure_date)


class EntryKind(models.TextChoices):
    """The kinds of govplan.core.documents.keys (the one list), with their names."""

    NARRATIVE = keys.NARRATIVE, _("text")
    VALUE = keys.VALUE, _("indicator value")
    ROW = keys.ROW, _("table row")
    TARGET = keys.TARGET, _("target")
    RESULT = keys.RESULT, _("result against a target")
    LEGAL = keys.LEGAL, _("legal basis")
    BUDGET = keys.BUDGET, _("budget line")


class Entry(models.Model):
    """One piece of a document that is saved, versioned and conflict-checked on its own:
    a section's text, an indicator's values, a table row, a target, a budget line.

    ``revision`` counts saves; a save names the revision it started from, and a save from
    a stale revision is refused as a conflict instead of overwriting (see actions.py).
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    section_code = models.CharField(max_length=100, blank=True)
    collection = models.CharField(max_length=100, blank=True)  # table code, "targets" …
    position = models.FloatField(default=0)
    content = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    deleted = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The previous cycle's document this entry was carried over from (a merged unit's rows
    # come from several); kept beside the content, which saves and imports rewrite.
    origin = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    SCOPE_UNIT = "document__org_unit"
    SCOPE_DAY = "document__framework_version__units_resolved_on"

    class Meta:
        ordering = ["document", "collection", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "key"], name="entry_key_unique")]
        indexes = [models.Index(fields=["document", "kind", "collection"])]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.key}@{self.revision}"


class EntryVersion(models.Model):
    """The saves of an entry, kept: any earlier version can be viewed and restored.

    One user's autosaves of one entry within settings.AUTOSAVE_COALESCE_SECONDS update the
    latest version in place (``revision`` follows the entry's counter, ``started_at`` keeps
    when the run began) unless it is frozen in a submitted revision, which the database
    refuses too (workflow migration 0003). Other actions always add a version."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions")
    revision = models.PositiveIntegerField()
    content = models.JSONField()
    position = models.FloatField(default=0)
    deleted = models.BooleanField(default=False)
    reason = models.CharField(max_length=40, blank=True)  # edit, restore, import, carry-over …
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the first of the saves this version holds was made (null: only one save), and the
    # way back to each revision it absorbed (documents.versions: [revision, start, end, text]).
    started_at = models.DateTimeField(null=True, blank=True)
    steps = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["entry", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "revision"], name="entry_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}@{self.revision}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.document_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """Evidence attached to a section (PDF, DOCX, XLSX, images), checked on upload and
    served only through the scoped view."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    section_code = models.CharField(max_length=100)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed = models.BooleanField(default=False)

    SCOPE_UNIT = "document__org_unit"
    SCOPE_DAY = "document__framework_version__units_resolved_on"

    class Meta:
        ordering = ["section_code", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def snapshot(self) -> dict[str, Any]:
        return {
            "section": self.section_code,
            "name": self.original_name,
            "size": self.size,
            "sha256": self.sha256,
        }


class ImportBatch(models.Model):
    """An uploaded XLSX and exactly what its preview showed it would do, waiting for the
    editor to apply it. Applying does that plan and nothing else: it never reads the file
    again, and it is refused if the tables' rows are not those the preview saw
    (tables_xlsx.do_apply_import)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    data = models.BinaryField()  # the file as uploaded, for the record
    # {"tables": [{"code", "title", "live": {key: revision}, "changed": [{key, revision,
    # name, columns, content}], "removed": [{key, revision, name}], "added": [{name,
    # content}], "unchanged": n}]}: see tables_xlsx.plan_tables
    plan = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    SCOPE_UNIT = "document__org_unit"
    SCOPE_DAY = "document__framework_version__units_resolved_on"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
