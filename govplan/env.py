"""Strict readers for configuration from environment variables.

A value that is present but malformed is a startup error naming the variable,
never a silent fallback to the default.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return self._from_file(name)
        if self._file_name(name) is not None:
            raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
        return value.strip()

    def _file_name(self, name: str) -> str | None:
        path = self.environ.get(f"{name}_FILE")
        return None if path is None or path.strip() == "" else path.strip()

    def _from_file(self, name: str) -> str | None:
        """Any variable may be given as NAME_FILE, the path of a file holding its value (a
        secret mounted by the container runtime or systemd's credentials), so that secrets
        need not sit in the environment, which other processes of the user may read."""
        path = self._file_name(name)
        if path is None:
            return None
        try:
            with open(path, encoding="utf-8") as handle:
                value = handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE={path!r} cannot be read: {exc.__class__.__name__}"
            ) from None
        return value or None

    def str(self, name: str, default: str | None = None) -> str:
        value = self._raw(name)
        if value is None:
            if default is None:
                raise ImproperlyConfigured(f"Environment variable {name} is required")
            return default
        return value

    def optional_str(self, name: builtins.str) -> builtins.str | None:
        return self._raw(name)

    def bool(self, name: builtins.str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a boolean (use 1/0, true/false, yes/no)"
        )

    def int(self, name: builtins.str, default: int, *, minimum: int | None = None) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"Environment variable {name}={value!r} is not an integer"
            ) from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"Environment variable {name}={number} is below {minimum}")
        return number

    def list(
        self, name: builtins.str, default: list[builtins.str] | None = None
    ) -> list[builtins.str]:
        value = self._raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(
        self, name: builtins.str, choices: tuple[builtins.str, ...], default: builtins.str
    ) -> builtins.str:
        value = self._raw(name)
        if value is None:
            return default
        if value not in choices:
            raise ImproperlyConfigured(
                f"Environment variable {name}={value!r} must be one of: {', '.join(choices)}"
            )
        return value


def postgres_connections(env: Env, *, development: bool) -> dict[str, Any]:
    """How PostgreSQL connections are kept: the connection settings of a DATABASES entry.

    A new connection per request was the largest single cost under load (issue 15), so
    production keeps them: a pool per server process (psycopg_pool through Django's
    OPTIONS["pool"]) sized for its threads, or with DB_POOL=0 a persistent connection per
    thread. Either way a connection is checked before use, so a restarted PostgreSQL costs
    no failed request. Development and the tests default to neither (their threads and test
    databases come and go); DB_POOL=1 tries the pool there too."""
    if not env.bool("DB_POOL", not development):
        max_age = env.int("DB_CONN_MAX_AGE", 0 if development else 600, minimum=0)
        return {"CONN_MAX_AGE": max_age, "CONN_HEALTH_CHECKS": True}
    # Django's pool refuses CONN_MAX_AGE: pooled connections are kept by the pool.
    if env.int("DB_CONN_MAX_AGE", 0, minimum=0) != 0:
        raise ImproperlyConfigured(
            "DB_CONN_MAX_AGE cannot be set with DB_POOL=1: pooled connections are already "
            "kept; set DB_POOL=0 for persistent connections without a pool"
        )
    min_size = env.int("DB_POOL_MIN_SIZE", 2, minimum=0)
    max_size = env.int("DB_POOL_MAX_SIZE", 4, minimum=1)
    if max_size < min_size:
        raise ImproperlyConfigured(
            f"DB_POOL_MAX_SIZE={max_size} is below DB_POOL_MIN_SIZE={min_size}"
        )
    pool = {
        "min_size": min_size,
        "max_size": max_size,
        # Seconds a request waits for a free connection before it fails.
        "timeout": env.int("DB_POOL_TIMEOUT", 10, minimum=1),
    }
    return {"CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": True, "OPTIONS": {"pool": pool}}
