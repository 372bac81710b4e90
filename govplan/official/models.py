"""What an agency enters once to have its plans come out as official documents: per unit
(who issues, where, who signs, who receives) and per document (number, date, mode)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
    mode = models.CharField(_("issued"), max_length=10, choices=IssueMode.choices, blank=True)
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
