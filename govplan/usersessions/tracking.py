"""What a session is, kept beside the session store: started, last active, from where."""

from __future__ import annotations

import datetime as dt
import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone

from govplan.core.inputs import strip_forbidden
from govplan.usersessions.models import UserSession
from govplan.webutils.client_ip import client_ip

# The session's own record of its last request (seconds since the epoch).
LAST_ACTIVITY = "govplan_last_activity"
# Written at most this often, so that reading a page does not write the session each time.
ACTIVITY_RESOLUTION_SECONDS = 60


def idle_limit_seconds() -> int:
    return int(settings.IDLE_SESSION_TIMEOUT_MINUTES) * 60


def session_store(key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key=key)
    return store


def started(request: HttpRequest, user: Any) -> None:
    """At login: the session's first activity and its row."""
    now = time.time()
    request.session[LAST_ACTIVITY] = int(now)
    key = request.session.session_key
    if key is None:
        request.session.save()
        key = request.session.session_key
    moment = dt.datetime.fromtimestamp(now, tz=dt.UTC)
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "user_agent": strip_forbidden(request.META.get("HTTP_USER_AGENT", ""))[:255],
            "ip": client_ip(request),
            "started_at": moment,
            "last_activity": moment,
        },
    )
    # Rows of sessions that ended without a logout (expired, closed browser) go with the next
    # login of their user.
    forget_dead(user)


def forget_dead(user: Any) -> None:
    cutoff = timezone.now() - dt.timedelta(seconds=idle_limit_seconds())
    UserSession.objects.filter(user=user, last_activity__lt=cutoff).delete()


def touched(request: HttpRequest, now: float) -> None:
    """A request of a live session: its activity, written once a minute at most."""
    request.session[LAST_ACTIVITY] = int(now)
    key = request.session.session_key
    if key is None:
        return
    moment = dt.datetime.fromtimestamp(now, tz=dt.UTC)
    updated = UserSession.objects.filter(session_key=key).update(last_activity=moment)
    if not updated and request.user.is_authenticated:  # a session from before tracking began
        UserSession.objects.create(
            session_key=key,
            user=request.user,
            user_agent=strip_forbidden(request.META.get("HTTP_USER_AGENT", ""))[:255],
            ip=client_ip(request),
            started_at=moment,
            last_activity=moment,
        )


def live_sessions(user: Any) -> list[UserSession]:
    """The user's sessions that can still be used (not idle past the limit)."""
    cutoff = timezone.now() - dt.timedelta(seconds=idle_limit_seconds())
    return list(UserSession.objects.filter(user=user, last_activity__gte=cutoff))


def sessions_for_page(request: HttpRequest) -> list[dict[str, Any]]:
    """The user's live sessions for their account page, this one first and marked."""
    current = request.session.session_key
    rows = live_sessions(request.user)
    rows.sort(key=lambda row: row.session_key != current)
    return [
        {
            "id": row.pk,
            "current": row.session_key == current,
            "browser": describe_browser(row.user_agent),
            "user_agent": row.user_agent,
            "ip": row.ip,
            "started_at": row.started_at,
            "last_activity": row.last_activity,
        }
        for row in rows
    ]


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str) -> str:
    """ "Chrome · Windows" from a User-Agent, or the first words of it."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    described = " · ".join(part for part in (browser, system) if part)
    return described or user_agent[:60]
