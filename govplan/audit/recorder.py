"""Writing audit entries. Call :func:`record` inside the transaction of the change."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from govplan.audit.models import AuditEvent
from govplan.audit.origin import current_origin


class AuditOutsideTransactionError(RuntimeError):
    """A data change must be recorded in the same transaction as the change itself."""


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-ready picture of the instance's concrete fields (foreign keys by id)."""
    names = (
        list(fields)
        if fields is not None
        else [f.attname for f in instance._meta.concrete_fields if f.attname != "password"]
    )
    return {name: json_value(getattr(instance, name)) for name in names}


def record(
    action: str,
    *,
    actor: AbstractBaseUser | None = None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    actor_username: str | None = None,
    require_transaction: bool = True,
) -> AuditEvent:
    if require_transaction and not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransactionError(
            f"audit entry {action!r} written outside the transaction of its change"
        )
    origin = current_origin()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    username = (
        actor_username if actor_username is not None else (user.get_username() if user else "")
    )
    return AuditEvent.objects.create(
        # The column is settings.AUTH_USER_MODEL, accounts' User; audit lies below accounts
        # and names the user by Django's base class.
        actor=user,  # type: ignore[misc]
        actor_username=username[:150],
        channel=origin.channel,
        ip=origin.ip,
        user_agent=origin.user_agent,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=json_value(before) if before is not None else None,
        after=json_value(after) if after is not None else None,
        message=message,
    )
