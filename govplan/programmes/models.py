"""The national programme above the agencies' plans: a programme and the tasks it assigns to
named agencies (docs/programme.md). A task's status is computed against its deadline
(govplan.core.programmes.deadlines); ``due_date`` is stored so that counts by status are one
SQL query."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from govplan.core.programmes.deadlines import Deadline
from govplan.core.programmes.deadlines import DeadlineKind as CoreDeadlineKind


class Programme(models.Model):
    """A national programme (the 2007-2010 IT-application programme, Resolution 57's tasks):
    its period and the document that establishes it."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    period_start = models.PositiveSmallIntegerField(_("from year"))
    period_end = models.PositiveSmallIntegerField(_("to year"))
    basis_number = models.CharField(_("number of the establishing document"), max_length=100)
    basis_date = models.DateField(_("date of the establishing document"))
    basis_title = models.CharField(_("establishing document"), max_length=500)
    # The authority that assigns the tasks and confirms their completion.
    assigning_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigning authority"),
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="programme_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.period_start}–{self.period_end})"


class DeadlineKind(models.TextChoices):
    DATE = CoreDeadlineKind.DATE.value, _("by a date")
    MONTH = CoreDeadlineKind.MONTH.value, _("within a month")
    QUARTER = CoreDeadlineKind.QUARTER.value, _("within a quarter")
    STANDING = CoreDeadlineKind.STANDING.value, _("standing")


class Task(models.Model):
    """A task a programme assigns to a lead agency, with co-operating agencies, a deadline and
    an expected product; sub-tasks point at their parent."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="tasks")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=64)
    content = models.TextField(_("content"))
    source_document = models.CharField(_("assigned by (document)"), max_length=300)
    source_article = models.CharField(_("article"), max_length=100, blank=True)
    assigned_on = models.DateField(_("assigned on"))
    lead_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        related_name="lead_tasks",
        verbose_name=_("lead agency"),
    )
    co_units = models.ManyToManyField(
        "orgunits.OrgUnit",
        blank=True,
        related_name="co_tasks",
        verbose_name=_("co-operating agencies"),
    )
    deadline_kind = models.CharField(_("deadline"), max_length=10, choices=DeadlineKind.choices)
    deadline_year = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline_month = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline_quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline_day = models.PositiveSmallIntegerField(null=True, blank=True)
    # The deadline's last day (Deadline.due_date), kept in step by set_deadline; None when
    # standing. Extensions change it (their history is kept beside the task).
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    expected_product = models.CharField(_("expected product"), max_length=500, blank=True)
    # The day of the lead agency's latest progress report (None: not started), kept by the
    # tracking actions so that "in progress" and "not started" are told apart in SQL.
    progress_reported_on = models.DateField(_("last progress report"), null=True, blank=True)
    # The day of its first report: on a day before it the task had not started (a status on a
    # past day, the statistics "as of"), whatever was reported later.
    first_reported_on = models.DateField(_("first progress report"), null=True, blank=True)
    # The day the task was completed, once the assigning authority has confirmed it.
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["programme", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="task_code_per_programme"),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=F("assigned_on")),
                name="task_due_after_assignment",
            ),
            models.CheckConstraint(
                condition=Q(deadline_kind=DeadlineKind.STANDING, due_date__isnull=True)
                | (~Q(deadline_kind=DeadlineKind.STANDING) & Q(due_date__isnull=False)),
                name="task_due_date_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["lead_unit", "due_date"], name="task_by_lead")]

    def __str__(self) -> str:
        return f"{self.code}: {self.content[:80]}"

    @property
    def deadline(self) -> Deadline:
        return Deadline(
            CoreDeadlineKind(self.deadline_kind),
            year=self.deadline_year,
            month=self.deadline_month,
            quarter=self.deadline_quarter,
            day=self.deadline_day,
        )

    def set_deadline(self, deadline: Deadline) -> None:
        self.deadline_kind = deadline.kind.value
        self.deadline_year = deadline.year
        self.deadline_month = deadline.month
        self.deadline_quarter = deadline.quarter
        self.deadline_day = deadline.day
        self.due_date = deadline.due_date()

    def due(self) -> dt.date | None:
        return self.due_date


class ProgressKind(models.TextChoices):
    PROGRESS = "progress", _("progress report")
    COMPLETION = "completion", _("completion declared")
    # The assigning authority reopened a confirmed completion (the reason in ``text``, the
    # completion day undone in ``completed_on``); the confirmed report keeps its decision.
    REOPENED = "reopened", _("completion reopened")


class Decision(models.TextChoices):
    PENDING = "pending", _("awaiting the assigning authority")
    CONFIRMED = "confirmed", _("completion confirmed")
    RETURNED = "returned", _("returned")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", _("refused")


def evidence_path(instance: TaskProgress, filename: str) -> str:
    return f"programmes/{instance.task.programme_id}/{instance.task_id}/{filename}"


class TaskProgress(models.Model):
    """A report of the lead agency on a task: progress, or the completion it declares (which
    the assigning authority confirms or returns). Evidence: an uploaded file (checked as every
    evidence file is), a document of the agency in GovPlan, an official number."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=12, choices=ProgressKind.choices)
    reported_on = models.DateField(_("report date"))
    text = models.TextField(_("content"))
    # COMPLETION only: the day it was completed and the product delivered.
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    product = models.CharField(_("product"), max_length=500, blank=True)
    official_number = models.CharField(_("official number"), max_length=100, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document in GovPlan"),
    )
    file = models.FileField(upload_to=evidence_path, max_length=300, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    # Counted in the lead agency's quota of evidence files (ATTACHMENT_QUOTA_MB).
    file_size = models.PositiveBigIntegerField(default=0)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.task.code} {self.reported_on:%d/%m/%Y}"


class TaskExtension(models.Model):
    """A new deadline the lead agency asks for; once granted the task's deadline changes and
    this row keeps the old one, who granted it and when."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("reason"))
    new_kind = models.CharField(max_length=10, choices=DeadlineKind.choices)
    new_year = models.PositiveSmallIntegerField(null=True, blank=True)
    new_month = models.PositiveSmallIntegerField(null=True, blank=True)
    new_quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    new_day = models.PositiveSmallIntegerField(null=True, blank=True)
    new_due_date = models.DateField(null=True, blank=True)
    # The deadline as it was when the request was made (and when it was granted).
    old_label = models.CharField(max_length=40)
    old_due_date = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # At most one request waiting per task: a double click makes one.
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(decision="pending"),
                name="one_pending_extension_per_task",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.old_label} → {self.new_deadline.label_vi()}"

    @property
    def new_deadline(self) -> Deadline:
        return Deadline(
            CoreDeadlineKind(self.new_kind),
            year=self.new_year,
            month=self.new_month,
            quarter=self.new_quarter,
            day=self.new_day,
        )


class TaskImport(models.Model):
    """An uploaded task list and exactly what its preview showed, waiting to be applied.
    Applying writes that plan and nothing else, and is refused if the programme's tasks
    changed since the preview (``version``: a digest of the tasks' rows)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    plan = models.JSONField(default=dict)
    version = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class TaskReminder(models.Model):
    """A reminder about a task's deadline already sent to its lead agency (reminders.py), so
    that none is sent twice: once per kind (14 and 3 days before, each week overdue) and due
    date (an extension's new date is reminded afresh), whichever process sends it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "due_date"], name="task_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.due_date}"
