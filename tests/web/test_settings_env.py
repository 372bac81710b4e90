"""Configuration from the environment: a bad value stops the start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from govplan.env import Env

ROOT = Path(__file__).resolve().parents[2]


def test_booleans_integers_and_choices_are_strict() -> None:
    env = Env({"DEBUG": "yes", "PORT": "80", "MODE": "fast", "EMPTY": " "})
    assert env.bool("DEBUG", False) is True
    assert env.int("PORT", 1) == 80
    assert env.bool("EMPTY", True) is True  # blank is the same as unset
    with pytest.raises(ImproperlyConfigured, match=r"MODE='fast' is not a boolean"):
        env.bool("MODE", False)
    with pytest.raises(ImproperlyConfigured, match=r"MODE='fast' is not an integer"):
        env.int("MODE", 0)
    with pytest.raises(ImproperlyConfigured, match=r"PORT=80 is below 1024"):
        env.int("PORT", 8000, minimum=1024)
    with pytest.raises(ImproperlyConfigured, match=r"MODE='fast' must be one of: slow, safe"):
        env.choice("MODE", ("slow", "safe"), "slow")
    with pytest.raises(ImproperlyConfigured, match="SECRET is required"):
        env.str("SECRET")


def start_with(**variables: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    environment.update(variables)
    environment["GOVPLAN_TESTING"] = variables.get("GOVPLAN_TESTING", "0")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "govplan.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0"}, "SECRET_KEY is required when DEBUG is off"),
        (
            {"DEBUG": "1", "DATABASE_URL": "mysql://root@localhost/govplan"},
            "only sqlite:/// and postgres:// URLs are supported",
        ),
        ({"DEBUG": "1", "AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT=0 is below 1"),
        ({"DEBUG": "1", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD' must be one of"),
        ({"DEBUG": "1", "REMINDER_DAYS_BEFORE": "fourteen"}, "REMINDER_DAYS_BEFORE: whole"),
        ({"DEBUG": "1", "REMINDER_DAYS_BEFORE": "14,-3"}, "REMINDER_DAYS_BEFORE: one or more"),
        ({"DEBUG": "1", "REMINDER_DAYS_BEFORE": " , "}, "REMINDER_DAYS_BEFORE: one or more"),
    ],
)
def test_a_bad_setting_stops_the_start(variables: dict[str, str], message: str) -> None:
    result = start_with(**variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_settings_start() -> None:
    result = start_with(DEBUG="1", DATABASE_URL="postgres://u@db.example:5432/govplan")
    assert result.returncode == 0, result.stderr


def test_production_serves_static_files_under_hashed_names() -> None:
    """A cached editor.js of the previous release must never talk to this release's server."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.STORAGES['staticfiles']['BACKEND'])",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")},
            "GOVPLAN_TESTING": "0",
            "SECRET_KEY": "x" * 50,
            "GOVPLAN_ALLOW_SQLITE": "1",
            "DJANGO_SETTINGS_MODULE": "govplan.settings",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().endswith("ManifestStaticFilesStorage")


def _apps_and_commands(**variables: str) -> str:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "from django.core.management import get_commands; "
            "print('govplan.demo' in settings.INSTALLED_APPS, 'load_demo' in get_commands())",
        ],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "DEBUG", "GOVPLAN_DEMO")
            },
            "GOVPLAN_TESTING": "0",
            "SECRET_KEY": "x" * 50,
            "GOVPLAN_ALLOW_SQLITE": "1",
            "DJANGO_SETTINGS_MODULE": "govplan.settings",
            **variables,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return probe.stdout.strip()


def test_production_leaves_the_demo_out_unless_asked() -> None:
    assert _apps_and_commands() == "False False"
    assert _apps_and_commands(GOVPLAN_DEMO="1") == "True True"
    assert _apps_and_commands(DEBUG="1") == "True True"
    assert _apps_and_commands(DEBUG="1", GOVPLAN_DEMO="0") == "False False"


def test_production_serves_its_collected_static_files_itself(tmp_path: Path) -> None:
    """`make serve-prod` and docs/deployment.md: no web server is needed in front for the
    stylesheet and the editor's script (WhiteNoise), each under its hashed name, cached long."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.management import call_command; "
            "call_command('collectstatic', '--noinput', verbosity=0); "
            "from django.contrib.staticfiles.storage import staticfiles_storage as s; "
            "from django.test import Client; "
            "url = s.url('govplan/app.css'); r = Client().get(url, secure=True); "
            "print(url, r.status_code, r['Cache-Control'])",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")},
            "GOVPLAN_TESTING": "0",
            "GOVPLAN_VAR_DIR": str(tmp_path),
            "SECRET_KEY": "x" * 50,
            "GOVPLAN_ALLOW_SQLITE": "1",
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "govplan.settings",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    url, status, cache = probe.stdout.split(maxsplit=2)
    assert url.startswith("/static/govplan/app.") and url != "/static/govplan/app.css"
    assert status == "200"
    assert "max-age=315360000" in cache
