"""Writing audit entries. Call :func:`record` inside the transaction of the change.

Inside a transaction the entries are queued and chained onto the head just before it commits
(:func:`flush_pending`, run by govplan.dbbackend.precommit): the head's lock is then the last
lock the transaction takes, so two transactions never wait for each other through it.
"""

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
from govplan.dbbackend.precommit import only_test_blocks


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
            return _queue([event])[0]
    return _queue([event])[0]


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
    return _queue(events) if events else []


# Queued entries per connection: (the savepoints open when recorded, the entry).
_PENDING = "_govplan_audit_pending"


def _queue(events: list[AuditEvent]) -> list[AuditEvent]:
    """Queue the entries for the commit; appended at once where no block of the application
    is open (a test calling record() directly)."""
    conn = transaction.get_connection()  # the wrapper itself, not django.db's proxy
    if only_test_blocks(conn):
        return _append(events)
    pending: list[tuple[set[str], AuditEvent]] = conn.__dict__.setdefault(_PENDING, [])
    sids = set(conn.savepoint_ids)
    pending.extend((sids, event) for event in events)
    return events


def flush_pending(conn: Any) -> None:
    """Chain and write the queued entries (before the commit; see the module's docstring)."""
    pending = conn.__dict__.pop(_PENDING, None)
    if pending:
        _append([event for _sids, event in pending])


def _forget_savepoint(conn: Any, sid: str) -> None:
    pending = conn.__dict__.get(_PENDING)
    if pending:
        conn.__dict__[_PENDING] = [(sids, e) for sids, e in pending if sid not in sids]


def _forget_all(conn: Any) -> None:
    conn.__dict__.pop(_PENDING, None)


flush_pending.forget_savepoint = _forget_savepoint  # type: ignore[attr-defined]
flush_pending.forget_all = _forget_all  # type: ignore[attr-defined]


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
