"""A cache whose server cannot be reached (Redis down, the cache table missing)."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import BaseCache


class BrokenCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("the cache server cannot be reached")

    def incr(self, *args: Any, **kwargs: Any) -> int:
        raise ConnectionError("the cache server cannot be reached")

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the cache server cannot be reached")

    def clear(self) -> None:
        pass
