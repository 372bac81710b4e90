"""The central budget pool (issue 17, items 5 and 6; docs/programme.md): a pool, the marks
the central authority puts on proposals, and scenarios whose rows are copies (what each
project asked and received, and why), frozen once a scenario is approved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Whole đồng, up to 10^18 (the rules refuse more).
DONG_DIGITS = 19


class Pool(models.Model):
    """An amount of central budget for a year, divided among the projects of the submitted
    (or approved) plans of the eligible frameworks that ask for central budget that year."""

    name = models.CharField(_("name"), max_length=300)
    amount = models.DecimalField(_("amount (đồng)"), max_digits=DONG_DIGITS, decimal_places=0)
    year = models.PositiveSmallIntegerField(_("year"))
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pools",
        verbose_name=_("programme"),
    )
    frameworks = models.ManyToManyField(
        "frameworks.Framework", related_name="+", verbose_name=_("eligible frameworks")
    )
    # Empty: every kind of unit, every field, every status. Codes (Kind, the table's choices).
    unit_kinds = models.JSONField(_("eligible kinds of units"), default=list, blank=True)
    fields = models.JSONField(_("eligible application fields"), default=list, blank=True)
    statuses = models.JSONField(_("eligible project statuses"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pool_positive")]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class ProposalMark(models.Model):
    """What the central authority knows of a proposal that the plan does not say."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="marks")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="+")
    entry_key = models.CharField(max_length=200)
    shared_platform = models.BooleanField(_("shared platform"), default=False)
    investment_decided = models.BooleanField(_("investment decision approved"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "document", "entry_key"], name="proposal_mark_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pool_id}:{self.document_id}:{self.entry_key}"


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")


class Scenario(models.Model):
    """One way to divide the pool: its rules (as data, govplan.core.allocation.rules) and the
    rows computed from them. Approved: frozen, the rows never recomputed."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="scenarios")
    name = models.CharField(_("name"), max_length=200)
    rules = models.JSONField(_("rules"), default=dict)
    status = models.CharField(max_length=10, choices=ScenarioStatus, default=ScenarioStatus.DRAFT)
    # Set when the rules cannot hold together: the rule and the message (already in words).
    infeasible_rule = models.CharField(max_length=50, blank=True)
    infeasible_message = models.TextField(blank=True)
    total = models.DecimalField(max_digits=DONG_DIGITS, decimal_places=0, default=0)
    asked = models.DecimalField(max_digits=DONG_DIGITS, decimal_places=0, default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    # What the rows were computed from (allocations.proposals.digest): a draft whose pool's
    # proposals no longer match it is stale and is not approved before it is computed again.
    proposals_digest = models.CharField(max_length=64, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    # The issuing ministry as named on the decision day, fixed at approval (the appendix of an
    # approved scenario never changes with later reference data).
    issuer_name = models.CharField(_("issuer"), max_length=255, blank=True)
    issuer_code = models.CharField(_("issuer code"), max_length=32, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["pool", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool"],
                condition=Q(status="approved"),
                name="one_approved_scenario_per_pool",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == ScenarioStatus.APPROVED


class Allocation(models.Model):
    """One project's row of a scenario: the proposal's figures as copied when the scenario
    was computed, and what it receives. Never derived from the plans again."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="rows")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entry_key = models.CharField(max_length=200)
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(max_length=500)
    unit_kind = models.CharField(max_length=20)
    project_name = models.CharField(max_length=500, blank=True)
    field = models.CharField(max_length=200, blank=True)
    project_status = models.CharField(max_length=100, blank=True)
    shared_platform = models.BooleanField(default=False)
    investment_decided = models.BooleanField(default=False)
    asked = models.DecimalField(max_digits=DONG_DIGITS, decimal_places=0)
    amount = models.DecimalField(max_digits=DONG_DIGITS, decimal_places=0)
    group = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=20)
    percent = models.DecimalField(max_digits=5, decimal_places=1)
    position = models.PositiveIntegerField(default=0)

    SCOPE_UNIT = "org_unit"

    class Meta:
        ordering = ["scenario", "position"]
        indexes = [models.Index(fields=["scenario", "org_unit"], name="allocation_by_unit")]

    def __str__(self) -> str:
        return f"{self.scenario_id}:{self.entry_key}"
