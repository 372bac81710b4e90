"""PostgreSQL restarted under load: a private PostgreSQL 15 instance (never the shared server)
serves a production-shaped GovPlan (gunicorn, DEBUG off, pooled connections checked before
use: govplan/env.py postgres_connections); saves keep coming while it restarts. The same
server process answers again afterwards without a restart of its own, and every save it
acknowledged is in the database.

Skipped where the PostgreSQL tools are not installed, unless GOVPLAN_REQUIRE_POSTGRES=1 (CI),
where it must run."""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

import pytest

from tests.faults.database import query
from tests.faults.site_setup import PASSWORD
from tests.support.processes import (
    Browser,
    manage,
    postgres_tools,
    private_postgres,
    run_in_site,
    serving,
    site_env,
    status_of,
)

pytestmark = pytest.mark.postgres


def need_postgres() -> None:
    if not postgres_tools():
        if os.environ.get("GOVPLAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("GOVPLAN_REQUIRE_POSTGRES=1 but initdb/pg_ctl 15 are not installed")
        pytest.skip("PostgreSQL 15 tools (initdb, pg_ctl) are not installed")


def test_the_application_recovers_from_a_postgres_restart_and_loses_no_acknowledged_save(
    tmp_path: Path,
) -> None:
    need_postgres()
    with private_postgres() as pg:
        env = site_env(tmp_path, pg.url)
        manage(env, "migrate", "--noinput", "-v0", timeout=900)
        run_in_site(env, "central_admin()")
        with serving(env, tmp_path, threads=4) as server:
            browser = Browser(server.url)
            browser.login("quantri", PASSWORD)
            acknowledged: list[str] = []
            refused: list[int] = []
            restarted = threading.Event()
            after_restart: list[str] = []
            stop = threading.Event()

            def save_continuously() -> None:
                for n in itertools.count():
                    if stop.is_set():
                        return
                    code = f"PROOF-{n:05d}"
                    try:
                        status, location, _ = browser.request(
                            "POST",
                            "/legal/new/",
                            {
                                "code": code,
                                "doc_type": "decree",
                                "number": f"{n}/2099/NĐ-CP",
                                "date": "2026-01-01",
                                "issuer": "Chính phủ",
                                "title": f"Nghị định thử số {n}",
                            },
                            timeout=30,
                        )
                    except OSError:
                        refused.append(0)  # no answer: not acknowledged
                        time.sleep(0.1)
                        continue
                    if status == 302 and "/legal/" in location:
                        acknowledged.append(code)
                        if restarted.is_set():
                            after_restart.append(code)
                    else:
                        refused.append(status)
                        time.sleep(0.1)

            saver = threading.Thread(target=save_continuously)
            saver.start()
            try:
                deadline = time.monotonic() + 120
                while len(acknowledged) < 10 and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert len(acknowledged) >= 10, refused
                pg.restart()
                restarted.set()
                deadline = time.monotonic() + 60
                while len(after_restart) < 10 and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                stop.set()
                saver.join(timeout=60)
            assert len(after_restart) >= 10, f"no save acknowledged after the restart: {refused}"
            assert server.process.poll() is None  # the same process, never restarted
            assert status_of(server.url + "/healthz") == 200
        stored = {
            code
            for (code,) in query(
                pg.url, "SELECT code FROM frameworks_legaldocument WHERE code LIKE 'PROOF-%%'"
            )
        }
        lost = [code for code in acknowledged if code not in stored]
        assert not lost, f"acknowledged, then lost: {lost}"
        # What the restart cost: requests refused while it was down (5xx or no answer).
        print(f"acknowledged={len(acknowledged)} refused_during_restart={len(refused)}")
