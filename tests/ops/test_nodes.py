"""Nothing assumes one machine: a production node without DATABASE_URL refuses to start
instead of creating an SQLite file nobody else sees, and `manage.py node_fingerprint` tells
operators whether two nodes run with the same security settings and trust roots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.ops.support import ROOT

PRODUCTION = {"DEBUG": "0", "GOVPLAN_TESTING": "0", "SECRET_KEY": "k" * 50}


def run(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DEBUG", "GOVPLAN_ALLOW_SQLITE", "SECRET_KEY", "MEDIA_ROOT")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "govplan.settings", **variables})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def start(**variables: str) -> subprocess.CompletedProcess[str]:
    return run("-c", "import django; django.setup()", **variables)


def test_production_without_database_url_refuses_to_start(tmp_path: Path) -> None:
    refused = start(**PRODUCTION, GOVPLAN_VAR_DIR=str(tmp_path))
    assert refused.returncode != 0
    assert "DATABASE_URL is required when DEBUG is off" in refused.stderr
    assert "GOVPLAN_ALLOW_SQLITE=1" in refused.stderr
    assert not (tmp_path / "govplan.sqlite3").exists()  # no file made on the way
    # Said explicitly, one machine may run on SQLite; with DATABASE_URL set nothing is asked.
    assert (
        start(**PRODUCTION, GOVPLAN_VAR_DIR=str(tmp_path), GOVPLAN_ALLOW_SQLITE="1").returncode == 0
    )
    assert start(**PRODUCTION, DATABASE_URL="postgres://u@db.example/govplan").returncode == 0
    assert start(DEBUG="1", GOVPLAN_TESTING="0", GOVPLAN_VAR_DIR=str(tmp_path)).returncode == 0


def fingerprint(var: Path, *extra: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **PRODUCTION,
        "DATABASE_URL": "postgres://govplan@db.example:5432/govplan",
        "GOVPLAN_VAR_DIR": str(var),
        "GOVPLAN_DEMO": "0",
        **variables,
    }
    done = run("manage.py", "node_fingerprint", *extra, **environment)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def node(tmp_path: Path, name: str, roots: dict[str, bytes]) -> Path:
    var = tmp_path / name / "var"
    (var / "trust-roots").mkdir(parents=True)
    for file, data in roots.items():
        (var / "trust-roots" / file).write_bytes(data)
    return var


def test_two_nodes_alike_print_the_same_fingerprint_and_a_difference_shows(
    tmp_path: Path,
) -> None:
    roots = {"root-ca.pem": b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}
    first, second = node(tmp_path, "a", roots), node(tmp_path, "b", roots)
    a = json.loads(fingerprint(first, "--json").stdout)
    b = json.loads(fingerprint(second, "--json").stdout)
    # Different folders on each machine, same settings and certificates: the same print.
    assert a == b and a["trust_root_files"] == 1

    # A certificate missing on one node, or another secret key: the print differs, and
    # --details says which item, never the secret itself.
    third = node(tmp_path, "c", {})
    c = json.loads(fingerprint(third, "--json").stdout)
    assert c["settings"] == a["settings"] and c["trust_roots"] != a["trust_roots"]
    other_key = fingerprint(first, "--details", SECRET_KEY="z" * 50)
    same_key = fingerprint(first, "--details")
    assert other_key.returncode == 0
    changed = set(other_key.stdout.splitlines()) ^ set(same_key.stdout.splitlines())
    names = {line.split()[1] for line in changed if line.startswith("setting ")}
    assert names == {"SECRET_KEY"}
    assert "z" * 50 not in other_key.stdout and "k" * 50 not in same_key.stdout
    # The database password is a secret too; the host is compared.
    with_password = fingerprint(
        first, "--details", DATABASE_URL="postgres://govplan:hunter2hunter2@db.example/govplan"
    )
    assert "hunter2hunter2" not in with_password.stdout
