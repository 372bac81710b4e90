"""Joint appraisal (issue 17, item 4): the appraising unit asks other agencies for their
opinion on the revision under appraisal; each answers once; the approval records them.

Imported by ``workflow.models`` so that Django finds the models in the workflow app."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OpinionKind(models.TextChoices):
    AGREE = "agree", _("Agree")
    CONDITIONS = "conditions", _("Agree with conditions")
    DISAGREE = "disagree", _("Disagree")


class OpinionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the opinion")
    ANSWERED = "answered", _("Opinion received")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def opinion_file_path(instance: OpinionRequest, filename: str) -> str:
    return f"opinions/{instance.document_id}/{instance.file_sha256[:2]}/{instance.file_sha256}"


class OpinionRequest(models.Model):
    """A request for another agency's opinion on one frozen revision, and its one answer.

    The answer lives on the same row: sending it turns the row from pending to answered
    under its row lock, so of two people of the agency sending at once one wins; once
    answered (or withdrawn) the row never changes again."""

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="opinion_requests"
    )
    revision = models.ForeignKey(
        "workflow.DocumentRevision", on_delete=models.PROTECT, related_name="opinion_requests"
    )
    agency = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    deadline = models.DateField(_("deadline for the opinion"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=20, choices=OpinionStatus.choices, default=OpinionStatus.PENDING
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField(blank=True)
    # The answer
    kind = models.CharField(_("opinion"), max_length=20, choices=OpinionKind.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)  # sanitised HTML (documents.sanitize)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_role = models.CharField(max_length=20, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=opinion_file_path, max_length=300, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["document", "asked_at", "id"]
        indexes = [models.Index(fields=["agency", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | (Q(answered_at__isnull=False) & ~Q(kind="")),
                name="opinion_answered_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.agency_id}"

    @property
    def overdue(self) -> bool:
        return self.status == OpinionStatus.PENDING and self.deadline < timezone.localdate()

    @property
    def state(self) -> str:
        """pending, overdue, answered or withdrawn: what the appraiser's list shows."""
        return "overdue" if self.overdue else str(self.status)

    @staticmethod
    def scope_queryset(queryset: Any, scope: Any, capability: Any) -> Any:
        """Through the scoping layer a request is its asked agency's: the units where the
        user is an editor or an approver. The appraiser reaches requests through the document
        (``opinions.load_opinion_request``)."""
        from govplan.access.scoping import Capability

        units = scope.grant(Capability.EDIT).units | scope.grant(Capability.APPROVE).units
        return queryset.filter(agency_id__in=sorted(units)) if units else queryset.none()


class OpinionReminder(models.Model):
    """A reminder of a request already sent (before the deadline, overdue, or by hand on a
    day), so that none is sent twice."""

    request = models.ForeignKey(OpinionRequest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=30)
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="opinion_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class RecordedOpinions(models.Model):
    """The requests and opinions as the approver saw them, written in the transaction of the
    approval and never changed: [{agency, question, deadline, asked_by, state, kind, answer,
    answered_by, answered_at, file_name, file_sha256, revision}, …]."""

    event = models.OneToOneField(
        "workflow.WorkflowEvent", on_delete=models.PROTECT, related_name="recorded_opinions"
    )
    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="recorded_opinions"
    )
    revision = models.ForeignKey(
        "workflow.DocumentRevision", on_delete=models.PROTECT, null=True, related_name="+"
    )
    opinions = models.JSONField(default=list)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} @ {self.event_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("the opinions recorded with an approval are never changed")
        super().save(*args, **kwargs)
