"""Where the current change comes from: the web request's address, or a command.

Set once per request by RequestOriginMiddleware (or by a management command) so
that every audit entry written during it carries the same origin without each
action function having to pass the request around. The web address comes from
govplan.webutils.client_ip, the rule django-axes follows too.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Origin:
    channel: str  # "web", "command:<name>", "test"
    ip: str | None = None
    user_agent: str = ""


_current: contextvars.ContextVar[Origin] = contextvars.ContextVar(
    "govplan_audit_origin",
    default=Origin(channel="system"),  # noqa: B039  (frozen: immutable)
)


def current_origin() -> Origin:
    return _current.get()


@contextmanager
def origin(value: Origin) -> Iterator[Origin]:
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)
