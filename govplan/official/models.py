"""What an agency enters once to have its plans come out as official documents: per unit
(who issues, where, who signs, who receives) and per document (number, date, mode)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IssueMode(models.TextChoices):
    DIRECT = "direct", _("Issued directly (Kế hoạch số …)")
    DECISION = "decision", _("Attached to an approving decision (Quyết định … ban hành kèm theo)")


class IssuingProfile(models.Model):
    """The unit's header and signature block. Empty fields fall back to what the unit's
    name and kind suggest (see defaults.py)."""

    org_unit = models.OneToOneField(
        "orgunits.OrgUnit", on_delete=models.CASCADE, related_name="issuing_profile"
    )
    parent_body = models.CharField(_("body above the issuer"), max_length=200, blank=True)
    issuing_body = models.CharField(_("issuing body (header)"), max_length=300)
    issuer_name = models.CharField(_("issuer, as written in a sentence"), max_length=300)
    issuer_code = models.CharField(_("issuer code in the number"), max_length=30)
    place = models.CharField(_("place name of the date line"), max_length=100)
    signer_authority = models.CharField(_("signing authority"), max_length=100, blank=True)
    signer_on_behalf = models.CharField(_("signing on behalf of"), max_length=100, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=100)
    signer_name = models.CharField(_("signer's name"), max_length=100, blank=True)
    recipients = models.TextField(_("recipients, one per line"), blank=True)
    archive = models.CharField(_("archive line"), max_length=200, default="Lưu: VT.")
    mode = models.CharField(
        _("how plans are issued"), max_length=10, choices=IssueMode.choices, default="direct"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    SCOPE_UNIT = "org_unit"

    def __str__(self) -> str:
        return self.issuing_body


class IssuingData(models.Model):
    """This document's number, date, subject and signer; blank fields take the unit's."""

    document = models.OneToOneField(
        "documents.Document", on_delete=models.CASCADE, related_name="issuing"
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    subject = models.CharField(_("subject line"), max_length=300, blank=True)
    mode = models.CharField(_("issuing mode"), max_length=10, choices=IssueMode.choices, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=20, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    legal_bases = models.TextField(_("legal bases of the decision, one per line"), blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=100, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=100, blank=True)
    signer_on_behalf = models.CharField(_("signing on behalf of"), max_length=100, blank=True)
    recipients = models.TextField(_("recipients, one per line"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    SCOPE_UNIT = "document__org_unit"

    def __str__(self) -> str:
        return f"{self.document_id}: {self.number or '—'}"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Stopped by an error")


# A worker writes its heartbeat after every document; one silent for this long has died
# (or never started), and its job may be resumed.
EXPORT_STALE_AFTER = dt.timedelta(minutes=2)


class ExportJob(models.Model):
    """A batch export of a cycle's documents (DOCX, PDF and the tables) as one ZIP, made in
    the background. The documents are fixed when the job is created and each finished one is
    recorded, so a job picked up again after a worker restart carries on where it stopped."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status_filter = models.CharField(max_length=20, blank=True)
    formats = models.CharField(max_length=20, default="docx,pdf")
    language = models.CharField(max_length=10, blank=True)  # of the list inside the ZIP
    state = models.CharField(max_length=10, choices=ExportState.choices, default="queued")
    document_ids = models.JSONField(default=list)  # the selection, in the order of the ZIP
    done = models.JSONField(default=list)  # ids of the documents already written
    skipped = models.JSONField(default=list)  # ids no longer there (deleted, out of sight)
    pdf_missing = models.BooleanField(default=False)  # the server could not make PDF
    # Each run that takes the job up counts one more; a run whose number is no longer the
    # job's has been superseded (its worker was thought dead) and stops.
    attempt = models.PositiveIntegerField(default=0)
    heartbeat = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Documents whose files could not be made: [{"id", "label", "error"}]; the others are in
    # the ZIP, and its note lists these.
    failed = models.JSONField(default=list)
    file_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"export {self.pk} ({self.state})"

    @staticmethod
    def scope_queryset(queryset: Any, scope: Any, capability: Any) -> Any:
        """An export is its requester's: it holds what they were allowed to see then."""
        if scope.user_id is None:
            return queryset.none()
        return queryset.filter(created_by_id=scope.user_id)

    @property
    def total(self) -> int:
        return len(self.document_ids)

    @property
    def processed(self) -> int:
        return len(self.done) + len(self.skipped) + len(self.failed)

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        if not self.total:
            return 0
        # 99 at most until the ZIP itself is written.
        return min(99, 100 * self.processed // self.total)

    @property
    def format_list(self) -> list[str]:
        return [f for f in self.formats.split(",") if f]

    @property
    def stale(self) -> bool:
        """Waiting or running, but no worker has shown a sign of life for a while."""
        if self.state not in (ExportState.QUEUED, ExportState.RUNNING):
            return False
        last = self.heartbeat or self.created_at
        return last is None or timezone.now() - last > EXPORT_STALE_AFTER

    @property
    def resumable(self) -> bool:
        return self.state == ExportState.FAILED or self.stale


class SignerCertificate(models.Model):
    """A signing certificate registered for an approver of a unit: a signed copy of the
    unit's documents is accepted only with a signature made with one of these (and a
    document is signed in GovPlan only with the signer's own). Registered by the approver
    (their public certificate) or by a central administrator; withdrawn, never deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signer_certificates"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="signer_certificates"
    )
    certificate = models.BinaryField()  # DER
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the DER, hex
    subject = models.CharField(_("holder"), max_length=500)
    issuer = models.CharField(_("issued by"), max_length=500)
    serial = models.CharField(_("serial number"), max_length=100)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    SCOPE_UNIT = "org_unit"

    class Meta:
        ordering = ["org_unit", "user__username", "-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "fingerprint"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="signer_certificate_registered_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.fingerprint[:16]})"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def expired(self) -> bool:
        return self.not_after < timezone.now()


class PreparedPdf(models.Model):
    """A PDF GovPlan made of an approved revision with its number, date, header and signature
    block, to be signed. A signed copy is recognised by the hash of what was signed, and once
    the document is issued ``model`` is what it prints. Immutable (a database trigger)."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="prepared_pdfs"
    )
    revision = models.ForeignKey(
        "workflow.DocumentRevision", on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(max_length=64)
    model = models.JSONField()  # govplan.core.official.serial.to_data of what it prints
    number = models.CharField(_("official number"), max_length=100)  # 05/KH-UBND
    date = models.DateField(_("date of issue"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_UNIT = "document__org_unit"

    class Meta:
        ordering = ["document", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "sha256"], name="prepared_pdf_once")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.number} {self.sha256[:12]}"


class Revocation(models.TextChoices):
    GOOD = "good", _("checked: not revoked")
    UNCHECKED = "unchecked", _("could not be checked")
    NO_SOURCE = "no_source", _("the certificate names no revocation list or OCSP service")
    OFF = "off", _("not checked (switched off on this server)")


class IssuedRecord(models.Model):
    """What was issued, frozen at issue and never changed (a database trigger): the revision,
    what the document prints (the prepared PDF's model: number, date, header, place, signer,
    recipients, content), the signed copy and how its signature was found. After issue the
    DOCX and PDF are made from this alone. A document reopened and issued again has a new
    record; the latest is the one in force."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="issued_records"
    )
    revision = models.ForeignKey(
        "workflow.DocumentRevision", on_delete=models.PROTECT, related_name="+"
    )
    prepared = models.ForeignKey(PreparedPdf, on_delete=models.PROTECT, related_name="+")
    signed_copy = models.ForeignKey(
        "documents.Attachment", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("official number"), max_length=100)
    date = models.DateField(_("date of issue"))
    signer = models.CharField(_("signed by"), max_length=500)
    certificate = models.ForeignKey(SignerCertificate, on_delete=models.PROTECT, related_name="+")
    signing_time = models.DateTimeField(_("signing time"), null=True, blank=True)
    timestamped = models.BooleanField(_("time from a timestamp authority"), default=False)
    revocation = models.CharField(
        _("revocation"), max_length=20, choices=Revocation.choices, default=Revocation.OFF
    )
    revocation_note = models.TextField(blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    SCOPE_UNIT = "document__org_unit"

    class Meta:
        ordering = ["document", "-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.number}"


class FileState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Could not be made")


# A worker that took a file up and has not finished it after this long has died (a long plan
# takes a few seconds); the file is taken up again when somebody asks for it.
FILE_STALE_AFTER = dt.timedelta(minutes=5)


class RenderedFile(models.Model):
    """The official DOCX or PDF of one state of a document, made once by the background
    worker (govplan.official.rendering) and then served from storage.

    ``key`` names what it prints: ``issued:<record>`` for an issued document (made at issue
    from the frozen record, never again), else the SHA-256 of the model it prints (with the
    writers' version), so a draft's or an approved document's file is made again exactly when
    what it prints changes. ``source`` holds that model (zlib-compressed JSON) until the file
    is made: the worker prints what was asked for, whatever is saved meanwhile. A row is
    served only when DONE, and then its file is whole (written before the row says so)."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="rendered_files"
    )
    format = models.CharField(max_length=4)  # "docx" or "pdf"
    key = models.CharField(max_length=80)
    # CASCADE, not PROTECT: a record goes only with its document, and its files with it.
    record = models.ForeignKey(
        IssuedRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source = models.BinaryField(default=b"", blank=True)
    state = models.CharField(max_length=10, choices=FileState.choices, default=FileState.PENDING)
    attempt = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="official/", max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)  # asked for (again)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    SCOPE_UNIT = "document__org_unit"

    class Meta:
        ordering = ["document", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "format", "key"], name="rendered_file_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="done") | ~models.Q(file=""),
                name="rendered_file_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.format} {self.key[:20]} ({self.state})"

    @property
    def stale(self) -> bool:
        """Taken up by a worker that has not finished for too long, or never taken up."""
        if self.state == FileState.RUNNING:
            return self.started_at is None or timezone.now() - self.started_at > FILE_STALE_AFTER
        if self.state == FileState.PENDING:
            return timezone.now() - self.queued_at > FILE_STALE_AFTER
        return False
