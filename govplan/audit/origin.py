"""Where the current change comes from: the web request's address, or a command.

Set once per request by RequestOriginMiddleware (or by a management command) so
that every audit entry written during it carries the same origin without each
action function having to pass the request around.
"""

from __future__ import annotations

import contextvars
import ipaddress
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


def client_ip(meta: dict[str, str], trust_forwarded: bool) -> str | None:
    """The client's address, or None when there is none that is an address (the column is
    an inet on PostgreSQL: anything else would fail the audit entry, and the request)."""
    address = meta.get("REMOTE_ADDR") or None
    if trust_forwarded:
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[0].strip() or None
    if address is None:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
