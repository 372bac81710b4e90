"""The client's address: one function for django-axes, the audit trail and the login page.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the address it received
the request from to X-Forwarded-For, the client's address is the Nth entry from the right:
everything to its left was written by the client and proves nothing. With 0 (the default) the
header is ignored and the address is the connection's (REMOTE_ADDR).

django-ipware's ``proxy_count`` counts differently (it expects the header to hold exactly the
client and the proxies before the last, and in its non-strict mode falls back to a value the
client wrote), so the rule is written out here, in a few lines the tests pin down.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _address(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip_from_meta(meta: Mapping[str, Any], proxies: int) -> str | None:
    """The client's address, or None when the entry that should hold it is no address (the
    audit column is an inet on PostgreSQL: anything else would fail the entry)."""
    if proxies <= 0:
        return _address(meta.get("REMOTE_ADDR"))
    forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # The request did not pass through every proxy (or the header was stripped): the
        # connection's own address is the only one no client can choose.
        return _address(meta.get("REMOTE_ADDR"))
    return _address(forwarded[-proxies])


def trusted_proxy_count() -> int:
    return int(settings.TRUSTED_PROXY_COUNT)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client of ``request`` (AXES_CLIENT_IP_CALLABLE)."""
    return client_ip_from_meta(request.META, trusted_proxy_count())
