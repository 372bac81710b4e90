"""Settings as a fresh process reads them from a given environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"GOVPLAN_TESTING": "0", "SECRET_KEY": "s" * 60, "GOVPLAN_ALLOW_SQLITE": "1"}
# Variables of the developer's shell that would change what a probe reads.
_CLEARED = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "DEBUG",
    "GOVPLAN_DEMO",
    "GOVPLAN_HTTPS",
    "EMAIL_HOST",
    "CACHE_URL",
)


def environment(**variables: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    return {**base, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "govplan.settings", **variables}


def read_settings(*names: str, **variables: str) -> dict[str, Any]:
    """The named settings (JSON-able, or their repr) with ``variables`` in the environment."""
    code = (
        "import django, json, sys; django.setup(); from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n, None) for n in sys.argv[1:]}, default=repr))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT,
        env=environment(**variables),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))
