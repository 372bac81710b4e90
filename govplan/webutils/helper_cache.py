"""The cache of what pages keep to go faster (the editor page's table blocks and sections,
the official downloads' keys): a help, never a need. A cache that cannot be read or written
(Redis gone, a full disk, a damaged cache file) makes the page lay out or work out again
what it would have found, and is logged; it never fails the request."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache import cache

logger = logging.getLogger("govplan.cache")


def _family(name: str) -> str:
    """What a cache key is of (``govplan.sections``, ``govplan.table`` …), for the log."""
    return name.partition(":")[0]


def get(key: str) -> Any:
    """The value under ``key``, or None when absent or unreadable."""
    try:
        return cache.get(key)
    except Exception:  # any backend's failure: the caller lays it out again
        logger.warning("cache read failed (%s): laid out again", _family(key), exc_info=True)
        return None


def get_many(keys: Iterable[str]) -> dict[str, Any]:
    keys = list(keys)
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("cache read failed (%d keys): laid out again", len(keys), exc_info=True)
        return {}


def put(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # next time it is laid out again
        logger.warning("cache write failed (%s)", _family(key), exc_info=True)


def put_many(values: Mapping[str, Any], timeout: int) -> None:
    try:
        cache.set_many(dict(values), timeout)
    except Exception:
        logger.warning("cache write failed (%d keys)", len(values), exc_info=True)
