"""Writing audit entries. Call :func:`record` inside the transaction of the change."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from govplan.audit.models import AuditEvent
from govplan.audit.origin import current_origin
from govplan.core import auditchain


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
    event = _event(action, actor, obj, before, after, message, actor_username)
    if not transaction.get_connection().in_atomic_block:
        # A login, a logout, a refusal: its own short transaction, so that reading the
        # chain's head and appending to it happen under one lock.
        with transaction.atomic():
            return _append([event])[0]
    return _append([event])[0]


Change = tuple[models.Model | None, dict[str, Any] | None, dict[str, Any] | None]


def record_many(
    action: str,
    changes: Iterable[Change],
    *,
    actor: AbstractBaseUser | None = None,
    message: str = "",
) -> list[AuditEvent]:
    """One entry per (object, before, after), e.g. each row an import changes, written in
    one statement, inside the transaction of the change."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransactionError(
            f"audit entries {action!r} written outside the transaction of their change"
        )
    events = [
        _event(action, actor, obj, before, after, message, None) for obj, before, after in changes
    ]
    return _append(events) if events else []


def _event(
    action: str,
    actor: AbstractBaseUser | None,
    obj: models.Model | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    message: str,
    actor_username: str | None,
) -> AuditEvent:
    origin = current_origin()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    username = (
        actor_username if actor_username is not None else (user.get_username() if user else "")
    )
    return AuditEvent(
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
        # The values exactly as the database will give them back (JSON, text), so that the
        # hash computed now is the hash the verifier recomputes.
        before=_as_stored(before),
        after=_as_stored(after),
        message=str(message),
    )


def _as_stored(value: dict[str, Any] | None) -> Any:
    return None if value is None else json.loads(json.dumps(json_value(value)))


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain the entries onto the head, in order, under the head's lock
    (govplan.audit.chain)."""
    from govplan.audit import chain

    head_seq, head_hash = chain.lock_head()
    now = timezone.now()  # after the lock: times follow the sequence
    for event in events:
        head_seq += 1
        event.seq = head_seq
        event.prev_hash = head_hash
        event.at = now
        event.hash = head_hash = auditchain.entry_hash(
            event.prev_hash, event.seq, chain.content_of(event)
        )
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(events, batch_size=500)
    for event in events:
        chain.append_to_sink(event)
    return events
