"""Ending sessions: the session store, the row and the audit entry in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.usersessions.models import UserSession
from govplan.usersessions.tracking import session_store


class NoSuchSession(LookupError):
    """Not a live session of this user (ended meanwhile, or someone else's)."""


def _describe(row: UserSession) -> dict[str, Any]:
    return {
        "browser": row.user_agent,
        "ip": row.ip,
        "started_at": row.started_at.isoformat(),
        "last_activity": row.last_activity.isoformat(),
    }


def _end(row: UserSession, *, actor: Any, how: str) -> None:
    session_store(row.session_key).delete()
    record(Action.SESSION_END, actor=actor, obj=row.user, before=_describe(row), message=how)
    row.delete()


def do_end_session(user: Any, session_id: int, *, current_key: str | None) -> None:
    """The user ends one of their other sessions (not the one they are using: that is the
    logout)."""
    with transaction.atomic():
        row = (
            UserSession.objects.select_for_update(no_key=True)
            .filter(pk=session_id, user=user)
            .exclude(session_key=current_key or "")
            .first()
        )
        if row is None:
            raise NoSuchSession(session_id)
        _end(row, actor=user, how="ended by the user")


def do_end_other_sessions(user: Any, *, current_key: str | None) -> int:
    """Every session of the user but this one; how many were ended."""
    with transaction.atomic():
        rows = list(
            UserSession.objects.select_for_update(no_key=True)
            .filter(user=user)
            .exclude(session_key=current_key or "")
        )
        for row in rows:
            _end(row, actor=user, how="ended by the user (all other sessions)")
    return len(rows)


def do_record_idle_logout(user: Any, session_key: str | None, idle_seconds: int) -> None:
    with transaction.atomic():
        row = UserSession.objects.filter(session_key=session_key or "").first()
        record(
            Action.SESSION_IDLE,
            actor=user,
            obj=user,
            before=_describe(row) if row is not None else None,
            message=f"idle for {idle_seconds} s",
        )
        if row is not None:
            row.delete()
