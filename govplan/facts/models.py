"""The fact tables: one typed row per indicator cell, budget amount, target and result.

Every row repeats what national queries filter and group on (the unit, its kind and its
path, the period, the framework version, the layer), so that "indicator × period × the
units of a subtree" and "unit × indicator × periods" are answered from one table through
one index, with no JSON read. The rows are derived, never edited: ``govplan.facts.store``
writes them in the transaction that saves the entry or freezes the revision, and
``manage.py rebuild_facts`` recomputes them all and reports any difference.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govplan.core.facts import extract

# Amounts and values: up to 10^20 with 8 decimals (the input checks refuse |x| ≥ 10^18).
DIGITS = 28
PLACES = 8


class Layer(models.TextChoices):
    """Which state of the document a fact belongs to."""

    LIVE = extract.LIVE, _("live draft")  # the entries as saved now
    SUBMITTED = extract.SUBMITTED, _("latest submitted revision")
    APPROVED = extract.APPROVED, _("approved")  # the revision last approved


class FactBase(models.Model):
    """What every fact repeats of its document (denormalized: units never move, a
    document never changes unit, period or framework version)."""

    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="+")
    layer = models.CharField(max_length=10, choices=Layer.choices)
    revision = models.PositiveIntegerField(default=0)  # the frozen revision; 0 for live
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_kind = models.CharField(max_length=20)
    unit_path = models.CharField(max_length=255)
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="+"
    )
    document_kind = models.CharField(max_length=10)  # plan or report
    period_start = models.PositiveSmallIntegerField()
    period_end = models.PositiveSmallIntegerField()
    entry_key = models.CharField(max_length=200)

    # Read through the scoping layer like the documents they come from (a province sees its
    # subtree's facts, the central authority all).
    SCOPE_UNIT = "org_unit"
    SCOPE_DAY = "framework_version__units_resolved_on"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.document_id}:{self.layer}:{self.entry_key}"


class ValueFact(FactBase):
    """One cell of an indicator's value: ``cell`` is its disaggregation option codes joined
    by "|" ("" for an undivided value); a ratio's cell holds numerator and denominator."""

    # Null only for an indicator a framework defines outside the catalogue.
    indicator = models.ForeignKey(
        "frameworks.Indicator", on_delete=models.PROTECT, null=True, related_name="+"
    )
    indicator_code = models.CharField(max_length=64)
    value_type = models.CharField(max_length=20)
    cell = models.CharField(max_length=200, blank=True)
    option_1 = models.CharField(max_length=64, blank=True)  # the first dimension's option
    option_2 = models.CharField(max_length=64, blank=True)  # the second's
    value = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    numerator = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    denominator = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    boolean = models.BooleanField(null=True)
    text = models.TextField(blank=True)
    # "Không có số liệu": one row with cell "" and no figure; it counts as missing, never 0.
    no_data = models.BooleanField(default=False)
    # A split figure's part (docs/frameworks.md "Figures by administrative level"): the level
    # of its cell, "" for the whole unit's figure. Sums of a unit's figure take level "".
    level = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        indexes = [
            # indicator × period × the units of a subtree (unit_path LIKE '/1/27/%')
            models.Index(
                fields=["indicator_code", "layer", "period_start", "unit_path"],
                name="valuefact_by_indicator",
            ),
            # unit × indicator × periods
            models.Index(
                fields=["org_unit", "indicator_code", "layer", "period_start"],
                name="valuefact_by_unit",
            ),
            models.Index(fields=["document", "layer", "entry_key"], name="valuefact_by_entry"),
        ]


class BudgetFact(FactBase):
    """One amount of a project's phasing (or of a typed budget line): year (0 for the whole
    period) × funding source × funding type."""

    collection = models.CharField(max_length=100)  # "table:projects" or "budget:VII"
    group = models.CharField(max_length=64, blank=True)
    project_name = models.CharField(max_length=500, blank=True)
    field = models.CharField(max_length=200, blank=True)  # application_field column
    project_status = models.CharField(max_length=100, blank=True)  # new, continuing …
    year = models.PositiveSmallIntegerField()
    funding_source = models.CharField(max_length=64, blank=True)
    funding_type = models.CharField(max_length=32, blank=True)
    amount = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES)

    class Meta:
        indexes = [
            models.Index(
                fields=["layer", "period_start", "unit_path"], name="budgetfact_by_period"
            ),
            models.Index(fields=["org_unit", "layer", "period_start"], name="budgetfact_by_unit"),
            # a cycle's planned investment (the national budget page reads one version's plans)
            models.Index(
                fields=["framework_version", "layer", "org_unit"], name="budgetfact_by_version"
            ),
            models.Index(fields=["document", "layer", "entry_key"], name="budgetfact_by_entry"),
        ]


class TargetFact(FactBase):
    """A quantified target of a plan (or one written in words: no indicator)."""

    section = models.CharField(max_length=100)
    indicator = models.ForeignKey(
        "frameworks.Indicator", on_delete=models.PROTECT, null=True, related_name="+"
    )
    indicator_code = models.CharField(max_length=64, blank=True)
    cell = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True)
    baseline = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    target = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    target_n = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    target_d = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["indicator_code", "layer", "period_start", "unit_path"],
                name="targetfact_by_indicator",
            ),
            models.Index(fields=["document", "layer", "entry_key"], name="targetfact_by_entry"),
        ]


class ResultFact(FactBase):
    """A result a report gives against a plan's target (``source_*``: the target)."""

    section = models.CharField(max_length=100)
    source_document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source_key = models.CharField(max_length=200, blank=True)
    indicator = models.ForeignKey(
        "frameworks.Indicator", on_delete=models.PROTECT, null=True, related_name="+"
    )
    indicator_code = models.CharField(max_length=64, blank=True)
    cell = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True)
    target = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    achieved = models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, null=True)
    status = models.CharField(max_length=20, blank=True)  # achieved, on_track, behind …
    text = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["indicator_code", "layer", "period_start", "unit_path"],
                name="resultfact_by_indicator",
            ),
            models.Index(fields=["document", "layer", "entry_key"], name="resultfact_by_entry"),
            models.Index(fields=["source_document", "source_key"], name="resultfact_by_target"),
        ]
