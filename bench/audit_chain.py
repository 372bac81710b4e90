#!/usr/bin/env python3
"""The cost of the audit chain (issue 16, item 6) on concurrent audited writes.

Each transaction does what an action does: changes a row (a user's last_login) and writes
its audit entry through ``record()``, then commits. Audited writes now serialise on the
chain's head from the entry until commit (advisory lock, head read, hash), so the figure
that matters is entries per second with several writers at once. Printed for 1 and 8
threads, chained (the code as it is) and "before" (the entry inserted as it was before the
chain: one INSERT, no lock, no head read, the chain trigger switched off), with the median
and 95th percentile transaction time.

    DATABASE_URL=postgres://…/scratch bench/audit_chain.py [--seconds 5] [--threads 1,8]

The database is migrated first and its audit table emptied (use a scratch database, as
its owner).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", default="1,8")
    parser.add_argument("--modes", default="before,chained", help="in this order")
    parser.add_argument(
        "--verify-entries", type=int, default=20_000, help="chain length for timing the verifier"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from govplan.accounts.models import User
    from govplan.audit import recorder
    from govplan.audit.chain import verify_chain
    from govplan.audit.models import Action, AuditEvent

    if connection.vendor != "postgresql":
        print("bench/audit_chain.py measures PostgreSQL: set DATABASE_URL")
        return 2
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_audit_seq")
    users = [
        User.objects.get_or_create(username=f"bench_chain_{n}", defaults={"full_name": "Bench"})[0]
        for n in range(16)
    ]
    chained_append = recorder._append

    def plain_append(events: list[Any]) -> list[Any]:
        """The entry as it was written before the chain: one INSERT."""
        for event in events:
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval('bench_audit_seq')")
                event.seq = cursor.fetchone()[0] + 10**12
            event.prev_hash = event.hash = ""
            event.save(force_insert=True)
        return events

    def run(threads: int, seconds: float) -> tuple[float, float, float]:
        stop = time.perf_counter() + seconds
        durations: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(threads)

        def work(n: int) -> None:
            mine: list[float] = []
            user = users[n]
            try:
                barrier.wait()
                while time.perf_counter() < stop:
                    started = time.perf_counter()
                    with transaction.atomic():
                        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
                        recorder.record(Action.UPDATE, actor=user, obj=user, after={"n": len(mine)})
                    mine.append(time.perf_counter() - started)
            finally:
                connection.close()
                with lock:
                    durations.extend(mine)

        pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        begun = time.perf_counter()
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        elapsed = time.perf_counter() - begun
        durations.sort()
        p95 = durations[int(len(durations) * 0.95) - 1] if durations else 0.0
        return len(durations) / elapsed, statistics.median(durations) * 1000, p95 * 1000

    counts = [int(t) for t in args.threads.split(",")]
    print(f"PostgreSQL, {args.seconds:g} s per run; each transaction: one row update + its entry")
    print(f"{'mode':<9} {'threads':>7} {'entries/s':>10} {'median ms':>10} {'p95 ms':>8}")
    results: dict[tuple[str, int], float] = {}
    for mode in args.modes.split(","):
        with connection.cursor() as cursor:
            state = "DISABLE" if mode == "before" else "ENABLE"
            cursor.execute(f"ALTER TABLE audit_auditevent {state} TRIGGER audit_auditevent_chain")
        recorder._append = plain_append if mode == "before" else chained_append  # type: ignore[assignment]
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")
        for threads in counts:
            rate, median, p95 = run(threads, args.seconds)
            results[(mode, threads)] = rate
            print(f"{mode:<9} {threads:>7} {rate:>10.0f} {median:>10.2f} {p95:>8.2f}")
    recorder._append = chained_append  # type: ignore[assignment]
    for threads in counts:
        if ("before", threads) not in results or ("chained", threads) not in results:
            continue
        before, after = results[("before", threads)], results[("chained", threads)]
        print(f"{threads} thread(s): chained / before = {after / before:.2f}")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_chain")
        cursor.execute("TRUNCATE audit_auditevent")  # "before" entries are not chained
    missing = args.verify_entries
    for start in range(0, max(missing, 0), 500):
        with transaction.atomic():
            recorder.record_many(
                Action.UPDATE,
                (
                    (users[0], {"n": n}, {"n": n + 1})
                    for n in range(start, min(start + 500, missing))
                ),
                actor=users[0],
            )
    started = time.perf_counter()
    result, verification = verify_chain(save=False)
    took = time.perf_counter() - started
    print(
        f"verify_audit_chain: {verification.entries} entries in {took:.2f} s "
        f"({verification.entries / took:.0f} entries/s), intact: {result.ok}"
    )
    assert AuditEvent.objects.exists()
    return 0


if __name__ == "__main__":
    sys.exit(main())
