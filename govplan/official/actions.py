"""Saving what the agency enters for its official documents, each with its audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.documents.models import Document
from govplan.official.defaults import PROFILE_FIELDS
from govplan.official.models import IssuingData, IssuingProfile
from govplan.orgunits.models import OrgUnit

DATA_FIELDS = (
    "number",
    "date",
    "subject",
    "mode",
    "decision_number",
    "decision_date",
    "legal_bases",
    "signer_name",
    "signer_title",
    "signer_on_behalf",
    "recipients",
)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def do_save_profile(unit: OrgUnit, values: dict[str, Any], *, actor: User) -> IssuingProfile:
    with transaction.atomic():
        profile = (
            IssuingProfile.objects.select_for_update(no_key=True).filter(org_unit=unit).first()
        )
        before = {f: getattr(profile, f) for f in PROFILE_FIELDS} if profile else None
        if profile is None:
            profile = IssuingProfile(org_unit=unit)
        for field in PROFILE_FIELDS:
            setattr(profile, field, values[field])
        profile.updated_by = actor
        profile.save()
        after = {f: getattr(profile, f) for f in PROFILE_FIELDS}
        record(
            Action.UPDATE if before else Action.CREATE,
            actor=actor,
            obj=profile,
            before=before,
            after=after,
        )
    return profile


def do_save_issuing_data(document: Document, values: dict[str, Any], *, actor: User) -> IssuingData:
    """Allowed until the document is issued; then its number and date are the record's."""
    with transaction.atomic():
        locked = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
        if locked.status == "issued":
            raise PermissionDenied(
                _("The document is issued: its number and date are recorded and final.")
            )
        data = IssuingData.objects.filter(document=locked).first()
        before = _plain({f: getattr(data, f) for f in DATA_FIELDS}) if data else None
        if data is None:
            data = IssuingData(document=locked)
        for field in DATA_FIELDS:
            setattr(data, field, values[field])
        data.updated_by = actor
        data.save()
        record(
            Action.UPDATE if before else Action.CREATE,
            actor=actor,
            obj=data,
            before=before,
            after=_plain({f: getattr(data, f) for f in DATA_FIELDS}),
        )
    return data
