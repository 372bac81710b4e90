"""Every change to frameworks: upload, edit a draft, publish, clone, new version.

Each is one transaction with its audit entry. A file is checked completely before anything
is written; a refused file leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.core.frameworks.clone import clone_document
from govplan.core.frameworks.files import follows_loop
from govplan.core.frameworks.model import Framework as Spec
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import Problem, SpecError
from govplan.core.frameworks.yamlsafe import load_text
from govplan.core.i18n import gettext_noop
from govplan.frameworks.catalogues import db_catalogue, db_legal
from govplan.frameworks.models import (
    Framework,
    FrameworkTarget,
    FrameworkVersion,
    LegalDocument,
    LegalStatus,
    Status,
)
from govplan.orgunits.models import OrgUnit


def check_text(text: str | bytes) -> tuple[Spec, str]:
    """Check a framework file against the catalogues in the database."""
    data = load_text(text)
    spec = parse_framework(data, db_catalogue(), db_legal())
    source = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    _check_follows(spec)
    return spec, source


def _check_follows(spec: Spec) -> None:
    if not spec.follows:
        return
    if not Framework.objects.filter(code=spec.follows).exists():
        raise SpecError(
            [
                Problem(
                    "follows",
                    gettext_noop(
                        "there is no framework %(follows)s: upload the framework this one "
                        "follows first, or correct the code"
                    ),
                    {"follows": spec.follows},
                )
            ]
        )

    def previous_of(code: str) -> str | None:
        version = FrameworkVersion.objects.filter(framework__code=code).order_by("-number").first()
        return version.follows or None if version else None

    loop = follows_loop(spec.code, spec.follows, previous_of)
    if loop:
        raise SpecError(
            [
                Problem(
                    "follows",
                    gettext_noop("following %(follows)s would close a loop: %(chain)s"),
                    {"follows": spec.follows, "chain": " → ".join(loop)},
                )
            ]
        )


def _version_fields(spec: Spec, source: str) -> dict[str, Any]:
    return {
        "source_text": source,
        "spec": spec.to_dict(),
        "title": spec.title,
        "kind": spec.kind,
        "example": spec.example,
        "period_start": spec.period.start,
        "period_end": spec.period.end,
        "deadline": spec.reporting.last_day,
        "cutoff_from": spec.reporting.cutoff_from,
        "cutoff_to": spec.reporting.cutoff_to,
        "follows": spec.follows,
    }


def _summary(version: FrameworkVersion) -> dict[str, Any]:
    return {
        "code": version.framework.code,
        "number": version.number,
        "status": version.status,
        "title": version.title,
        "period": version.period_label,
        "deadline": version.deadline,
        "sha256": hashlib.sha256(version.source_text.encode()).hexdigest()[:16],
    }


def do_upload_framework(text: str | bytes, *, actor: User | None) -> FrameworkVersion:
    """A new framework, or a new draft version of an existing one (same code)."""
    spec, source = check_text(text)
    with transaction.atomic():
        framework, _created = Framework.objects.select_for_update(no_key=True).get_or_create(
            code=spec.code, defaults={"title": spec.title, "kind": spec.kind}
        )
        if framework.kind != spec.kind:
            raise SpecError(
                [
                    Problem(
                        "kind",
                        gettext_noop(
                            "framework %(code)s is a %(kind)s: a new version cannot change that"
                        ),
                        {"code": spec.code, "kind": framework.kind},
                    )
                ]
            )
        draft = framework.versions.filter(status=Status.DRAFT).first()
        if draft is not None:
            raise SpecError(
                [
                    Problem(
                        "code",
                        gettext_noop(
                            "framework %(code)s already has a draft (version %(number)s): "
                            "edit or publish it first"
                        ),
                        {"code": spec.code, "number": draft.number},
                    )
                ]
            )
        number = (framework.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = FrameworkVersion.objects.create(
            framework=framework, number=number, created_by=actor, **_version_fields(spec, source)
        )
        record(Action.CREATE, actor=actor, obj=version, after=_summary(version))
    return version


def do_update_draft(version: FrameworkVersion, text: str, *, actor: User) -> FrameworkVersion:
    spec, source = check_text(text)
    with transaction.atomic():
        locked = FrameworkVersion.objects.select_for_update(no_key=True).get(pk=version.pk)
        if locked.is_published:
            raise ValidationError(_("This version is published and cannot be changed."))
        if spec.code != locked.framework.code:
            raise SpecError(
                [
                    Problem(
                        "code",
                        gettext_noop(
                            "the code of a version cannot change (%(code)s); upload the file "
                            "as a new framework instead"
                        ),
                        {"code": locked.framework.code},
                    )
                ]
            )
        before = _summary(locked)
        for key, value in _version_fields(spec, source).items():
            setattr(locked, key, value)
        locked.save()
        if locked.framework.title != spec.title:
            locked.framework.title = spec.title
            locked.framework.save(update_fields=["title"])
        record(Action.UPDATE, actor=actor, obj=locked, before=before, after=_summary(locked))
    return locked


def resolve_targets(
    kinds: Iterable[str], unit_refs: Iterable[str], on: dt.date
) -> tuple[list[OrgUnit], list[str]]:
    """The units in force on ``on`` of the given kinds, plus the named ones; and the names
    that match no unit in force that day."""
    units = {u.pk: u for u in OrgUnit.objects.valid_on(on).filter(kind__in=list(kinds))}
    unknown: list[str] = []
    for ref in unit_refs:
        scheme, _, code = ref.partition(":")
        unit = OrgUnit.objects.with_code(scheme, code, on=on).first()
        if unit is None:
            unknown.append(ref)
        else:
            units[unit.pk] = unit
    return sorted(units.values(), key=lambda u: (u.kind, u.name)), unknown


def do_publish(
    version: FrameworkVersion,
    *,
    actor: User | None,
    deadline: dt.date | None,
    kinds: list[str],
    unit_refs: list[str],
    resolve_on: dt.date | None = None,
) -> FrameworkVersion:
    """Publish a draft for the units it applies to; refuse with the reason when the deadline
    falls before the data cut-off ends or when no unit would be covered. ``deadline`` is the
    last day on time (the letter's "trước ngày X" is X - 1), or None when the letter sets
    none."""
    spec, _source = check_text(version.source_text)  # the catalogues may have moved on
    errors: dict[str, list[str]] = {}
    if spec.reporting.cutoff_to and deadline and deadline < spec.reporting.cutoff_to:
        errors.setdefault("deadline", []).append(
            _(
                "The deadline %(deadline)s is before the data cut-off ends (%(cutoff)s): "
                "agencies could not report data they do not have yet."
            )
            % {
                "deadline": deadline.strftime("%d/%m/%Y"),
                "cutoff": spec.reporting.cutoff_to.strftime("%d/%m/%Y"),
            }
        )
    on = resolve_on or deadline or timezone.localdate()
    units, unknown = resolve_targets(kinds, unit_refs, on)
    if unknown:
        errors.setdefault("units", []).append(
            _("No unit in force on %(day)s has the code(s): %(codes)s")
            % {"day": on.strftime("%d/%m/%Y"), "codes": ", ".join(unknown)}
        )
    if not units:
        errors.setdefault("kinds", []).append(
            _("The framework would apply to no unit: choose at least one kind or unit.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FrameworkVersion.objects.select_for_update(no_key=True).get(pk=version.pk)
        if locked.is_published:
            raise ValidationError(_("This version is already published."))
        for key, value in _version_fields(spec, locked.source_text).items():
            setattr(locked, key, value)
        locked.deadline = deadline
        locked.status = Status.PUBLISHED
        locked.published_by = actor
        locked.published_at = timezone.now()
        locked.units_resolved_on = on
        locked.save()
        FrameworkTarget.objects.bulk_create(
            [FrameworkTarget(version=locked, org_unit=u) for u in units], batch_size=1000
        )
        record(
            Action.UPDATE,
            actor=actor,
            obj=locked,
            before={"status": Status.DRAFT},
            after={
                **_summary(locked),
                "kinds": kinds,
                "units": unit_refs,
                "targets": len(units),
                "resolved_on": on,
            },
            message="published",
        )
    return locked


def do_clone(
    version: FrameworkVersion, *, actor: User, new_code: str, delta: int = 1
) -> FrameworkVersion:
    if Framework.objects.filter(code=new_code).exists():
        raise ValidationError({"new_code": _("A framework with this code already exists.")})
    text = clone_document(version.source_text, new_code=new_code, delta=delta)
    try:
        return do_upload_framework(text, actor=actor)
    except IntegrityError:
        raise ValidationError(
            {"new_code": _("A framework with this code already exists.")}
        ) from None


def do_new_version(version: FrameworkVersion, *, actor: User) -> FrameworkVersion:
    """A draft of the next version of the same framework, starting from this one's file."""
    return do_upload_framework(version.source_text, actor=actor)


def legal_code(number: str) -> str:
    """A catalogue code from the number as printed: 64/2007/NĐ-CP → USER-64-2007-ND-CP."""
    text = unicodedata.normalize("NFKD", number.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return "USER-" + re.sub(r"[^A-Z0-9]+", "-", text).strip("-")[:50]


def do_add_legal_document(
    *,
    number: str,
    issuer: str,
    title: str,
    doc_type: str,
    date: dt.date | None,
    actor: User,
) -> LegalDocument:
    """A legal document an editor found missing from the catalogue: a proposal a central
    administrator reviews (govplan.frameworks.legal_actions), never a silent change to the
    national catalogue; one that is already there (by its number) is returned as it is."""
    with transaction.atomic():
        legal, created = LegalDocument.objects.get_or_create(
            code=legal_code(number),
            defaults={
                "doc_type": doc_type,
                "number": number,
                "date": date,
                "issuer": issuer,
                "title": title,
                "from_catalogue": False,
                "created_by": actor,
                "status": LegalStatus.PROPOSED,
            },
        )
        if created:
            record(
                Action.CREATE,
                actor=actor,
                obj=legal,
                after={
                    "number": number,
                    "issuer": issuer,
                    "title": title,
                    "type": doc_type,
                    "date": date.isoformat() if date else None,
                },
            )
    return legal
