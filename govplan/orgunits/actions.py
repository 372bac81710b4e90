"""Changes to org units made in the application (reference data goes through reference.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from govplan.audit.models import Action
from govplan.audit.recorder import record, snapshot
from govplan.orgunits.models import OrgUnit, OrgUnitName

EDITABLE_FIELDS = ("kind", "name", "short_name", "name_en", "level_name", "valid_to")


def _check_placement(
    *,
    scheme: str,
    code: str,
    parent: OrgUnit | None,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, list[str]] = {}
    if valid_from and valid_to and valid_to < valid_from:
        errors.setdefault("valid_to", []).append(_("The end date is before the start date."))
    if parent is not None:
        starts_inside = parent.valid_from is None or (
            valid_from is not None and parent.valid_from <= valid_from
        )
        ends_inside = parent.valid_to is None or (
            valid_to is not None and valid_to <= parent.valid_to
        )
        if not (starts_inside and ends_inside):
            errors.setdefault("parent", []).append(
                _("The unit's validity must lie within its parent's (%(parent)s).")
                % {"parent": parent}
            )
    clash = OrgUnit.objects.filter(scheme=scheme, code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if valid_to is not None:
        clash = clash.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to))
    if valid_from is not None:
        clash = clash.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    other = clash.first()
    if other is not None:
        errors.setdefault("code", []).append(
            _("Code %(code)s is already used by %(unit)s during this period.")
            % {"code": code, "unit": other}
        )
    if errors:
        raise ValidationError(errors)


def do_create_unit(
    *,
    actor: AbstractBaseUser | None,
    scheme: str,
    code: str,
    kind: str,
    name: str,
    parent: OrgUnit | None,
    valid_from: dt.date | None,
    valid_to: dt.date | None = None,
    short_name: str = "",
    name_en: str = "",
    level_name: str = "",
) -> OrgUnit:
    with transaction.atomic():
        _check_placement(
            scheme=scheme, code=code, parent=parent, valid_from=valid_from, valid_to=valid_to
        )
        unit = OrgUnit.objects.create(
            scheme=scheme,
            code=code,
            kind=kind,
            name=name,
            short_name=short_name,
            name_en=name_en,
            level_name=level_name,
            parent=parent,
            depth=(parent.depth + 1) if parent else 0,
            valid_from=valid_from,
            valid_to=valid_to,
            path="",
        )
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.save(update_fields=["path"])
        record(Action.CREATE, actor=actor, obj=unit, after=snapshot(unit))
    return unit


def do_update_unit(
    unit: OrgUnit, *, actor: AbstractBaseUser, rename_from: dt.date | None = None, **changes: Any
) -> OrgUnit:
    """Change a unit's metadata. With ``rename_from`` a new name is recorded as history
    (the old name stays valid before that date) instead of overwriting it."""
    with transaction.atomic():
        locked = OrgUnit.objects.select_for_update(no_key=True).get(pk=unit.pk)
        before = snapshot(locked, EDITABLE_FIELDS)
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        old_names = {k: getattr(locked, k) for k in ("name", "short_name", "name_en", "level_name")}
        for key, value in changes.items():
            setattr(locked, key, value)
        _check_placement(
            scheme=locked.scheme,
            code=locked.code,
            parent=locked.parent,
            valid_from=locked.valid_from,
            valid_to=locked.valid_to,
            exclude_pk=locked.pk,
        )
        if locked.valid_to is not None:
            late_child = locked.children.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=locked.valid_to)
            ).first()
            if late_child is not None:
                raise ValidationError(
                    {
                        "valid_to": _("Sub-unit %(child)s is valid after this date; end it first.")
                        % {"child": late_child}
                    }
                )
        after = snapshot(locked, EDITABLE_FIELDS)
        if after == before:
            return locked
        name_changed = any(getattr(locked, k) != v for k, v in old_names.items())
        if rename_from is not None and name_changed:
            if locked.valid_from is not None and rename_from <= locked.valid_from:
                raise ValidationError(
                    {"rename_from": _("A rename must take effect after the unit's start.")}
                )
            if not locked.names.exists():
                OrgUnitName.objects.create(unit=locked, valid_from=locked.valid_from, **old_names)
            OrgUnitName.objects.update_or_create(
                unit=locked,
                valid_from=rename_from,
                defaults={k: getattr(locked, k) for k in old_names},
            )
        locked.save()
        record(Action.UPDATE, actor=actor, obj=locked, before=before, after=after)
    return locked
