"""The web process SIGKILLed while it applies an XLSX import: nothing is half-applied. The
table is entirely as before (or, had the commit come first, entirely imported); the entry
versions match; ``manage.py rebuild_facts`` finds the stored facts equal to the entries; and
the same preview, applied again after the restart, applies whole.

The kill lands inside the apply's transaction without any hook in the application: the test
watches the database and kills the server (SIGKILL, the whole process group) the moment a
write transaction of the server is open (SQLite: its write lock is held; PostgreSQL: a
backend of the site has written and not committed)."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.faults.database import writer_inside_a_transaction
from tests.faults.site_setup import PASSWORD, read_values
from tests.support.processes import Browser, manage, run_in_site, serving, site_env

ROWS = 400


def state(env: dict[str, str], made: dict[str, str]) -> dict[str, int]:
    call = f"print_table_state({made['document']}, {made['table']!r}, {made['column']!r})"
    return {k: int(v) for k, v in read_values(run_in_site(env, call)).items()}


def test_a_web_process_killed_during_an_import_leaves_nothing_half_applied(site) -> None:  # type: ignore[no-untyped-def]
    folder, url = site
    env = site_env(folder, url)
    made = read_values(run_in_site(env, f"import_site({ROWS})", timeout=900))
    before = state(env, made)
    assert before["rows"] == ROWS and before["edited"] == 0
    apply = f"/documents/{made['document']}/import/{made['batch']}/apply/"

    answer: dict[str, Any] = {}
    with serving(env, folder) as server:
        browser = Browser(server.url)
        browser.login("editor_a", PASSWORD)

        def post() -> None:
            try:
                answer["response"] = browser.request("POST", apply, timeout=300)
            except Exception as exc:  # the connection cut by the kill
                answer["error"] = exc

        thread = threading.Thread(target=post)
        thread.start()
        deadline = time.monotonic() + 120
        inside = False
        while time.monotonic() < deadline and thread.is_alive():
            if writer_inside_a_transaction(url):
                inside = True
                server.kill()
                break
            time.sleep(0.005)
        thread.join(timeout=60)
    assert inside, f"the apply was never seen inside its transaction: {answer}"
    assert "error" in answer, f"the server answered before it was killed: {answer}"

    after = state(env, made)
    print(f"killed inside the apply's transaction: {after['edited']} of {ROWS} rows edited after")
    assert after["rows"] == ROWS
    assert after["edited"] in (0, ROWS), f"half-applied: {after}"
    if after["edited"] == 0:
        assert after == before  # not a version more
    manage(env, "rebuild_facts")  # fails on any difference between facts and entries

    # Restarted, the same preview applies, whole, once.
    with serving(env, folder) as server:
        browser = Browser(server.url)
        browser.login("editor_a", PASSWORD)
        status, location, _body = browser.request("POST", apply, timeout=300)
        assert status == 302 and location.endswith(f"/documents/{made['document']}/"), location
    final = state(env, made)
    assert final["rows"] == ROWS and final["edited"] == ROWS
    manage(env, "rebuild_facts")
