from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govplan.core import orgunit_reference as ref


class Kind(models.TextChoices):
    CENTRAL = "central", _("Central authority")
    MINISTRY = "ministry", _("Ministry")
    MINISTRY_LEVEL = "ministry_level", _("Ministry-level agency")
    GOV_AGENCY = "gov_agency", _("Government agency")
    PROVINCE = "province", _("Province / centrally-run city")
    DEPARTMENT = "department", _("Department")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    SUBORDINATE = "subordinate", _("Subordinate unit")


class Scheme(models.TextChoices):
    PROVINCE = "gso-province", _("Province code (GSO / Decision 19/2025)")
    DISTRICT = "gso-district", _("District code (GSO)")
    COMMUNE = "gso-commune", _("Commune code (GSO / Decision 19/2025)")
    GOVPLAN = "govplan", _("GovPlan code")


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("merged into")
    SPLIT = "split", _("split, part went to")
    PARTIAL_MERGE = "partial_merge", _("partly merged into")
    RENAME = "rename", _("continued as")
    TRANSFER = "transfer", _("transferred to")


assert tuple(Kind.values) == ref.KINDS, "orgunits.Kind and the core's KINDS must agree"
assert tuple(Scheme.values) == ref.SCHEMES
assert tuple(SuccessionKind.values) == ref.SUCCESSION_KINDS

TOP_LEVEL_KINDS = (Kind.MINISTRY, Kind.MINISTRY_LEVEL, Kind.GOV_AGENCY, Kind.PROVINCE)


def valid_on_q(day: dt.date | F, prefix: str = "") -> Q:
    """In force on ``day`` (a date, or F() of a date the row names)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def valid_on(self, day: dt.date | None = None) -> OrgUnitQuerySet:
        return self.filter(valid_on_q(day or timezone.localdate()))

    def current(self) -> OrgUnitQuerySet:
        return self.valid_on(timezone.localdate())

    def with_code(self, scheme: str, code: str, on: dt.date | None = None) -> OrgUnitQuerySet:
        return self.filter(scheme=scheme, code=code).valid_on(on)

    def roots(self) -> OrgUnitQuerySet:
        return self.filter(parent__isnull=True)

    def search(self, text: str) -> OrgUnitQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(short_name__icontains=text)
            | Q(code=text)
            | Q(name_en__icontains=text)
        )


class OrgUnit(models.Model):
    """An administrative unit over a span of time.

    A unit never changes its parent: when the structure changes (the 2025 reform
    merged provinces and abolished districts), the new arrangement is made of new
    units linked to the old ones by :class:`Succession`. A change of name alone
    keeps the unit and is recorded in :class:`OrgUnitName`.
    """

    scheme = models.CharField(_("code scheme"), max_length=32, choices=Scheme.choices)
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=255, help_text=_("Current official name."))
    short_name = models.CharField(_("short name"), max_length=255, blank=True)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    level_name = models.CharField(_("type"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # "/<root id>/…/<own id>/": descendants are the units whose path starts with ours.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=64,
        blank=True,
        help_text=_("Reference data source; empty for units created in GovPlan."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgUnitQuerySet.as_manager()

    # The scoping layer reaches an object's unit through this path ("" = the object itself).
    SCOPE_UNIT = ""

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        indexes = [
            models.Index(fields=["scheme", "code"]),
            models.Index(fields=["kind", "valid_from", "valid_to"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code", "valid_from"], name="orgunit_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reference(self) -> bool:
        return bool(self.source)

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def is_current(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def ancestors(self) -> list[OrgUnit]:
        ids = self.ancestor_ids()
        by_id = OrgUnit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def descendants(self, on: dt.date | None = None) -> OrgUnitQuerySet:
        qs = OrgUnit.objects.filter(path__startswith=self.path).exclude(pk=self.pk)
        return qs.valid_on(on) if on is not None else qs

    def name_on(self, day: dt.date) -> str:
        named = self._named_on(day)
        return named.name if named is not None else self.name

    def short_name_on(self, day: dt.date) -> str:
        """The short name on ``day`` (Thừa Thiên Huế in 2010), else the name."""
        named = self._named_on(day)
        if named is not None:
            return named.short_name or named.name
        return self.short_name or self.name

    def _named_on(self, day: dt.date) -> OrgUnitName | None:
        names = [n for n in self.names.all() if n.valid_from is None or n.valid_from <= day]
        if not names:
            return None
        names.sort(key=lambda n: n.valid_from or dt.date.min)
        return names[-1]


class OrgUnitName(models.Model):
    """The name a unit carried from ``valid_from`` until its next name (Huế, Đồng Nai …)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="names")
    valid_from = models.DateField(_("from"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=255, blank=True)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    level_name = models.CharField(_("type"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True)

    class Meta:
        ordering = ["unit", "valid_from"]

    def __str__(self) -> str:
        return self.name


class Succession(models.Model):
    """``predecessor`` went (wholly or partly) into ``successor`` on ``effective_date``."""

    predecessor = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="successions_in")
    kind = models.CharField(_("kind"), max_length=20, choices=SuccessionKind.choices)
    effective_date = models.DateField(_("effective date"))
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True)

    class Meta:
        ordering = ["effective_date", "predecessor_id", "successor_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date})"


class ReferenceSource(models.Model):
    """A cited source of reference data (a resolution, a decision, a data package)."""

    key = models.CharField(max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=500)
    reference = models.TextField(_("reference"), blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title
