#!/usr/bin/env python3
"""Run the suite on SQLite, then again on PostgreSQL wherever PostgreSQL is reachable.

A pass that runs no test fails. Where PostgreSQL is installed on this machine (or
GOVPLAN_REQUIRE_POSTGRES=1, as in CI) but cannot be reached, the run fails
instead of silently skipping the PostgreSQL pass.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_URL = os.environ.get("GOVPLAN_TEST_PG_URL", f"postgres://postgres@{PG_HOST}:{PG_PORT}/govplan")


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return True
    except OSError:
        return False


def postgres_installed() -> bool:
    return (
        any(shutil.which(tool) for tool in ("pg_ctlcluster", "postgres", "pg_ctl"))
        or Path("/etc/postgresql").is_dir()
    )


def run_pass(label: str, env: dict[str, str], extra: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", f"--junitxml={report}", *extra]
        print(f"\n=== {label}: {' '.join(command)}", flush=True)
        result = subprocess.run(command, cwd=ROOT, env=env, check=False)
        if not report.exists():
            print(f"=== {label}: pytest wrote no report", flush=True)
            return result.returncode or 1
        suite = ET.parse(report).getroot()
        suites = [suite] if suite.tag == "testsuite" else list(suite)
        ran = sum(int(s.get("tests", 0)) - int(s.get("skipped", 0)) for s in suites)
        print(f"=== {label}: {ran} tests ran, exit code {result.returncode}", flush=True)
        if ran == 0:
            print(f"=== {label}: FAILED: no test ran", flush=True)
            return 1
        return result.returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite-only", action="store_true")
    args, extra = parser.parse_known_args()

    base_env = {**os.environ, "GOVPLAN_TESTING": "1"}
    base_env.pop("DATABASE_URL", None)
    status = run_pass("SQLite", base_env, extra)
    if args.sqlite_only:
        return status

    require = os.environ.get("GOVPLAN_REQUIRE_POSTGRES") == "1"
    if postgres_reachable():
        pg_env = {**base_env, "DATABASE_URL": PG_URL}
        status = run_pass("PostgreSQL", pg_env, extra) or status
    elif require or postgres_installed():
        print(
            f"=== PostgreSQL is installed here (or required) but not reachable on "
            f"{PG_HOST}:{PG_PORT}: start it (pg_ctlcluster … main start). FAILED.",
            flush=True,
        )
        return 1
    else:
        print("=== PostgreSQL is not installed on this machine: PostgreSQL pass not run.")
    return status


if __name__ == "__main__":
    sys.exit(main())
