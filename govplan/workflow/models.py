from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govplan.workflow.labels import action_label


class DocumentRevision(models.Model):
    """The document as it was submitted: frozen, never changed, comparable with any other.

    Its content is the entry versions it references (RevisionEntry) and the attachments
    list; read it with govplan.workflow.revisions.revision_content."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    # Only for revisions submitted before they referenced versions and whose content no
    # version matched exactly (migration 0003): the whole document, as it was then copied.
    # {"entries": {key: {"content", "position", "kind"}}, "attachments": [...]}
    snapshot = models.JSONField(null=True, blank=True)
    attachments = models.JSONField(default=list)  # [Attachment.snapshot(), ...]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    days_late = models.IntegerField(_("days late"), default=0)  # 0: on time

    SCOPE_UNIT = "document__org_unit"

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} r{self.number}"

    @property
    def on_time(self) -> bool:
        return self.days_late <= 0


class RevisionEntry(models.Model):
    """An entry as a revision froze it: the version that was current when it was submitted.

    A version referenced here is never updated (no autosave coalesces into it; the database
    refuses it too, migration 0003)."""

    revision = models.ForeignKey(DocumentRevision, on_delete=models.CASCADE, related_name="items")
    version = models.ForeignKey(
        "documents.EntryVersion", on_delete=models.RESTRICT, related_name="frozen_in"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revision", "version"], name="revision_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.revision_id}:{self.version_id}"


class WorkflowEvent(models.Model):
    """Each transition, with who, when and why (the audit trail has it too)."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="workflow_events"
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(max_length=30)
    to_state = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    revision = models.ForeignKey(
        DocumentRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    SCOPE_UNIT = "document__org_unit"

    class Meta:
        ordering = ["document", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return action_label(self.action)


class Comment(models.Model):
    """An appraiser's comment, anchored to a section, a value or a row of the document."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="comments"
    )
    revision = models.ForeignKey(
        DocumentRevision, on_delete=models.PROTECT, related_name="comments"
    )
    section_code = models.CharField(max_length=100)
    anchor = models.CharField(max_length=200, blank=True)  # an entry key, or "" for the section
    anchor_label = models.CharField(max_length=500, blank=True)
    text = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    SCOPE_UNIT = "document__org_unit"

    class Meta:
        ordering = ["document", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class CommentReply(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("answer"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ChecklistMark(models.Model):
    """The appraiser's tick against an item of the framework's appraisal checklist."""

    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(DocumentRevision, on_delete=models.PROTECT, related_name="+")
    item = models.PositiveSmallIntegerField()
    done = models.BooleanField(default=False)
    note = models.CharField(max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revision", "item"], name="checklist_mark_unique")
        ]

    def __str__(self) -> str:
        return f"{self.revision_id}#{self.item}"


class WarningExplanation(models.Model):
    """Why a warning is not a mistake (needed to submit with the warning standing)."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="explanations"
    )
    check_id = models.CharField(max_length=300)
    text = models.TextField(_("explanation"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "check_id"], name="explanation_unique")
        ]

    def __str__(self) -> str:
        return self.check_id


class Notification(models.Model):
    """Something that happened to a document and concerns this user; also sent by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text

    @staticmethod
    def scope_queryset(queryset: Any, scope: Any, capability: Any) -> Any:
        """A notification is its addressee's only."""
        return queryset.filter(user_id=scope.user_id) if scope.user_id else queryset.none()


class ReminderLog(models.Model):
    """A deadline reminder already sent, so that none is sent twice."""

    target = models.ForeignKey(
        "frameworks.FrameworkTarget", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=30)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "kind"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.kind}"


# Joint appraisal (issue 17): its models live in their own module, registered here.
from govplan.workflow.models_opinions import (  # noqa: E402
    OpinionKind,
    OpinionReminder,
    OpinionRequest,
    OpinionStatus,
    RecordedOpinions,
)

__all__ = [
    "ChecklistMark",
    "Comment",
    "CommentReply",
    "DocumentRevision",
    "Notification",
    "OpinionKind",
    "OpinionReminder",
    "OpinionRequest",
    "OpinionStatus",
    "RecordedOpinions",
    "ReminderLog",
    "RevisionEntry",
    "WarningExplanation",
    "WorkflowEvent",
]
