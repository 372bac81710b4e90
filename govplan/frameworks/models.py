from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govplan.access.scoping import Capability
from govplan.core.frameworks.model import Framework as FrameworkSpec

# Published versions' parsed specifications, shared by every request of this process. A
# published version never changes (ORM and database trigger), so its id says which spec it
# is; published_at is in the key too, so an id handed out again (a test database rolled back,
# a restored copy) never meets another version's spec. Drafts change and are never cached
# here. Bounded: a few frameworks are in use at once.
_PUBLISHED_SPECS: OrderedDict[tuple[int, dt.datetime | None], FrameworkSpec] = OrderedDict()
_PUBLISHED_SPECS_MAX = 32
_PUBLISHED_SPECS_LOCK = threading.Lock()


def version_heavy_fields(prefix: str = "") -> tuple[str, ...]:
    """A version's two large columns (the file and its checked spec, some 60 KB each), for
    ``defer()`` where a version comes along with a document: a published version's parsed
    spec comes from the process cache, so the stored one is never decoded again."""
    path = f"{prefix}__" if prefix else ""
    return (f"{path}spec", f"{path}source_text")


def clear_spec_cache() -> None:
    with _PUBLISHED_SPECS_LOCK:
        _PUBLISHED_SPECS.clear()


class ImmutableError(Exception):
    """A published framework version never changes; publish a new version instead."""


class Indicator(models.Model):
    """An entry of the national indicator catalogue (data/indicators/catalogue.yaml)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    value_type = models.CharField(_("type"), max_length=20)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    spec = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Dimension(models.Model):
    """A disaggregation of indicators (online-service level, document scope …)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=500)
    spec = models.JSONField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class LegalStatus(models.TextChoices):
    """Where a legal document stands in the national catalogue. Only ``catalogue`` entries
    are offered to cite; every other stays readable for the documents citing it."""

    CATALOGUE = "catalogue", _("In the catalogue")
    PROPOSED = "proposed", _("Proposed by an editor")
    RETIRED = "retired", _("Retired")
    REJECTED = "rejected", _("Proposal rejected")
    MERGED = "merged", _("Merged into another entry")


class LegalDocument(models.Model):
    """A law, decree, decision … that plans cite as their legal basis. Central
    administrators maintain the catalogue (add, correct, retire); an editor's addition is a
    proposal until one of them accepts it, merges it into an existing entry (its citations
    then read as that entry) or rejects it."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    doc_type = models.CharField(_("type"), max_length=20)
    number = models.CharField(_("number"), max_length=100)
    date = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=300)
    title = models.TextField(_("title"))
    from_catalogue = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LegalStatus.choices, default=LegalStatus.CATALOGUE
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    review_note = models.TextField(_("reason"), blank=True, default="")
    corrected_at = models.DateTimeField(null=True, blank=True)  # the shipped file leaves it

    class Meta:
        ordering = ["-date", "number"]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def offered(self) -> bool:
        return self.status == LegalStatus.CATALOGUE


class Framework(models.Model):
    """A framework across its versions; the code is stable (KH-UDCNTT-2018)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class VersionQuerySet(models.QuerySet["FrameworkVersion"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(status=Status.PUBLISHED).exists():
            raise ImmutableError("a published framework version cannot be changed")
        return super().update(**kwargs)

    def published(self) -> VersionQuerySet:
        return self.filter(status=Status.PUBLISHED)


class FrameworkVersion(models.Model):
    """One version of a framework: its file, its checked form, and, once published, the
    units it applies to. A published version is immutable (ORM and database trigger)."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source_text = models.TextField(_("file"))
    spec = models.JSONField()  # Framework.to_dict(): canonical, with an indicator snapshot
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10)
    example = models.BooleanField(_("example"), default=False)
    period_start = models.PositiveSmallIntegerField(_("from year"))
    period_end = models.PositiveSmallIntegerField(_("to year"))
    deadline = models.DateField(_("deadline"), null=True)
    cutoff_from = models.DateField(_("data from"), null=True, blank=True)
    cutoff_to = models.DateField(_("data to"), null=True, blank=True)
    follows = models.CharField(_("follows"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    units_resolved_on = models.DateField(null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["framework__code", "-number"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["framework"],
                condition=models.Q(status="draft"),
                name="one_draft_per_framework",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = (
                FrameworkVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            )
            if stored == Status.PUBLISHED:
                raise ImmutableError("a published framework version cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_published:
            raise ImmutableError("a published framework version cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def period_label(self) -> str:
        if self.period_start == self.period_end:
            return str(self.period_start)
        return f"{self.period_start}-{self.period_end}"

    @property
    def structure_date(self) -> dt.date:
        """The day whose structure documents against this version are written for: the day
        its units were resolved on publishing (its deadline, unless the publisher chose
        another), or 1 January of its first year before it is published. A document's
        sub-units, the successions its previous cycle follows and the units that may file
        it are those of this day."""
        return self.units_resolved_on or self.deadline or dt.date(self.period_start, 1, 1)

    def parsed(self) -> FrameworkSpec:
        """The spec in the core's form: parsed once per object, and for a published version
        once per process (its stored spec is not even read again: a query may defer it)."""
        cached: FrameworkSpec | None = getattr(self, "_parsed", None)
        if cached is not None:
            return cached
        if self.pk is None or not self.is_published:
            cached = FrameworkSpec.from_dict(self.spec)
        else:
            key = (self.pk, self.published_at)
            with _PUBLISHED_SPECS_LOCK:
                cached = _PUBLISHED_SPECS.get(key)
                if cached is not None:
                    _PUBLISHED_SPECS.move_to_end(key)
            if cached is None:
                cached = FrameworkSpec.from_dict(self.spec)
                with _PUBLISHED_SPECS_LOCK:
                    _PUBLISHED_SPECS[key] = cached
                    while len(_PUBLISHED_SPECS) > _PUBLISHED_SPECS_MAX:
                        _PUBLISHED_SPECS.popitem(last=False)
        self._parsed = cached
        return cached

    @staticmethod
    def scope_queryset(queryset: Any, scope: Any, capability: Any) -> Any:
        """Frameworks are national guidance: a published version is open to every signed-in
        user with a role; drafts, and every change, to central administrators only."""
        if scope.grant(Capability.ADMINISTER).national:
            return queryset
        if capability == Capability.VIEW and scope.roles:
            return queryset.filter(status=Status.PUBLISHED)
        return queryset.none()


class FrameworkTarget(models.Model):
    """A unit a published version applies to: it is due to file a document against it."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="targets")
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="framework_targets"
    )

    SCOPE_UNIT = "org_unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "org_unit"], name="target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.org_unit}"
