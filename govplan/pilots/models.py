"""Pilots of a model (mô hình điểm): units designated to try a model first, a roadmap of
milestones evaluated as they are reached, the indicators the pilot is judged by, and the
final evaluation recording what was learned (docs/programme.md, "Pilots")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from govplan.core.programmes.deadlines import Status, status_on

# A milestone's status is a task's (govplan.core.programmes.deadlines), worded for a step of
# a roadmap: it is reached, not completed.
MILESTONE_STATUS_LABELS: dict[Status, Any] = {
    Status.COMPLETED_ON_TIME: _("Reached on time"),
    Status.COMPLETED_LATE: _("Reached late"),
    Status.IN_PROGRESS: _("Under way, not yet due"),
    Status.NOT_STARTED: _("Not started"),
    Status.OVERDUE: _("Overdue"),
}


class Rating(models.TextChoices):
    GOOD = "good", _("Good: met its aims")
    SATISFACTORY = "satisfactory", _("Satisfactory: met them in part")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory: did not meet them")


class Recommendation(models.TextChoices):
    EXTEND = "extend", _("Extend the model to other units")
    ADAPT = "adapt", _("Adapt the model, then extend it")
    STOP = "stop", _("Stop the model")


class Pilot(models.Model):
    """A model piloted in designated units (the 2007 conclusions' shared office software for
    district People's Committees; a shared commune one-stop system today)."""

    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pilots",
        verbose_name=_("programme"),
    )
    task = models.ForeignKey(
        "programmes.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pilots",
        verbose_name=_("task"),
    )
    # The authority that designates the pilot units and evaluates the pilot; its editors and
    # approvers manage the pilot beside the central administrators.
    assigning_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigning authority"),
    )
    start_date = models.DateField(_("starts on"))
    end_date = models.DateField(_("ends on"), null=True, blank=True)
    indicators = models.ManyToManyField(
        "frameworks.Indicator", blank=True, related_name="+", verbose_name=_("indicators")
    )
    # The final evaluation: what was learned, and what to do with the model.
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    lessons = models.TextField(_("what was learned"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="pilot_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(evaluated_on__isnull=True) | Q(evaluated_on__gte=F("start_date")),
                name="pilot_evaluated_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_queryset(cls, queryset: Any, scope: Any, capability: Any) -> Any:
        """Seen by whoever sees the assigning authority or one of the pilot units (through
        the scoping layer: the central authority sees every pilot). Managing is decided by
        govplan.pilots.access."""
        grant = scope.grant(capability)
        if grant.empty:
            return queryset.none()
        authority = grant.q("assigning_unit__")
        units = grant.q("designations__unit__")
        if authority is None or units is None:
            return queryset
        ids = queryset.filter(authority | units).values("pk")
        return queryset.filter(pk__in=ids)


class Designation(models.Model):
    """A unit designated as a pilot of the model from a day."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="designations")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    designated_from = models.DateField(_("pilot from"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["pilot", "designated_from", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "unit"], name="pilot_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pilot_id}:{self.unit_id}"


class Milestone(models.Model):
    """A step of the pilot's roadmap, due by a day; reached when the assigning authority
    evaluates it."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=300)
    deadline = models.DateField(_("deadline"))
    position = models.PositiveIntegerField(default=0)
    # The authority's evaluation, written when the milestone is reached.
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["pilot", "deadline", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    def status(self, today: dt.date, reported: bool) -> Status:
        """As a task's: completed on time or late, overdue, in progress (a pilot unit has
        reported on it) or not started."""
        return status_on(today, self.deadline, self.reached_on, reported)


class SelfEvaluation(models.Model):
    """A pilot unit's own evaluation of a milestone, written by its editors."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="self_evaluations"
    )
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField(_("date"))
    text = models.TextField(_("evaluation"))
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["milestone", "written_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "unit"], name="self_evaluation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}:{self.unit_id}"


class MilestoneReminder(models.Model):
    """A reminder about a milestone's deadline already sent (pilots/reminders.py), once per
    kind (14 and 3 days before, each week overdue) and deadline, whichever process sends it."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "kind", "due_date"], name="milestone_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} {self.kind} {self.due_date}"
