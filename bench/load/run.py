#!/usr/bin/env python3
"""Deadline day under load (issue 15), in one command (`make bench-load`).

    bench/load/run.py                                 the national data set; 50, then 200 users
                                                      for 5 minutes each
    bench/load/run.py --scale tiny --users 10 --seconds 40     a smoke run

1. Starts the production shape (scripts/serve_prod.py: gunicorn, PostgreSQL, the task
   worker) on 127.0.0.1 against a database of its own (govplan_load_<scale>, created when
   absent), its output in var/load/server.log.
2. Builds the 2027 framework's documents for the country through the application's code
   (bench/load/dataset.py says what is made through the actions and what is copied in bulk);
   a second run on the same database adds only what is missing.
3. For each number of users: runs locust headless (bench/load/locustfile.py; logins spread
   over the first minute), reads the CPU time of the server's processes (gunicorn's workers
   and the task worker) and of PostgreSQL from /proc before and after, and the database's
   size; then prints, per request type and overall, requests/s, p50/p95/p99 and errors, CPU
   per request, database growth per 1,000 saves, and looks for every save the server
   acknowledged in the database (a missing one is a failure).

No figure is checked against a target here: the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from serve_prod import production_env  # noqa: E402

from bench.load import protocol  # noqa: E402


def say(text: str) -> None:
    print(f"bench-load: {text}", flush=True)


# -- CPU time and database size -------------------------------------------------------------
def tree_cpu(root: Any) -> float:
    """CPU seconds of a process and its descendants, including the children they already
    reaped (a restarted worker, Typst's process for a PDF, a PostgreSQL backend that ended)."""
    import psutil

    total = 0.0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return total
    for process in processes:
        try:
            t = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


@dataclass
class Sample:
    app: float  # gunicorn master and workers, the task worker (serve_prod's tree)
    database: float  # the PostgreSQL server (postmaster and every backend)
    load: float  # locust itself, sharing the machine
    size: int  # pg_database_size


def sample(server: Any, postmaster: Any, load: float) -> Sample:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = int(cursor.fetchone()[0])
    return Sample(tree_cpu(server), tree_cpu(postmaster), load, size)


def postmaster_process() -> Any:
    """The PostgreSQL server's main process: the parent of this connection's backend."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = psutil.Process(int(cursor.fetchone()[0]))
    return backend.parent()


# -- acknowledged saves ---------------------------------------------------------------------
def check_acks(path: Path) -> tuple[int, int, list[str]]:
    """(saves acknowledged, entries whose last acknowledged save is missing, examples)."""
    from govplan.documents.models import Entry

    last: dict[tuple[int, str], tuple[int, str]] = {}
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        ack = json.loads(line)
        count += 1
        where = (int(ack["d"]), str(ack["k"]))
        if where not in last or ack["r"] >= last[where][0]:
            last[where] = (int(ack["r"]), str(ack["m"]))
    stored: dict[tuple[int, str], tuple[int, str]] = {}
    documents = {d for d, _k in last}
    for document, key, revision, content in Entry.objects.filter(
        document_id__in=documents, key__in={k for _d, k in last}
    ).values_list("document_id", "key", "revision", "content"):
        stored[(document, key)] = (revision, json.dumps(content, ensure_ascii=False))
    missing: list[str] = []
    for where, (revision, marker) in sorted(last.items()):
        found = stored.get(where)
        # One user writes each document, so its last acknowledged save is what is stored;
        # a later revision can only be a save still in flight when the run stopped.
        if (
            found is None
            or found[0] < revision
            or (found[0] == revision and marker not in found[1])
        ):
            missing.append(f"document {where[0]} {where[1]} revision {revision} ({marker})")
    return count, len(missing), missing[:5]


# -- locust ---------------------------------------------------------------------------------
def run_locust(
    users: int, seconds: int, host: str, accounts: Path, acks: Path, csv_prefix: Path
) -> subprocess.Popen[bytes]:
    ramp = min(60.0, seconds / 2)  # the logins spread over the first minute
    env = dict(os.environ, LOAD_ACCOUNTS=str(accounts), LOAD_ACKS=str(acks))
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        f"--users={users}",
        f"--spawn-rate={max(users / ramp, 0.1):.3f}",
        f"--run-time={seconds}s",
        "--stop-timeout=15",  # requests in flight at the end finish and are counted
        f"--host={host}",
        f"--csv={csv_prefix}",
        f"--json-file={csv_prefix}",  # locust adds .json
        "--only-summary",
        "--loglevel=WARNING",
    ]
    # Its own summary and messages go to var/load/locust-<users>.log; the table is printed here.
    with open(f"{csv_prefix}.log", "wb") as log:
        return subprocess.Popen(command, env=env, cwd=HERE, stdout=log, stderr=subprocess.STDOUT)


@dataclass
class Stat:
    name: str
    count: int
    errors: int
    times: dict[int, int]  # response time (ms, as locust rounds it) -> requests

    def percentile(self, share: float) -> float | None:
        if not self.count:
            return None
        seen, wanted = 0, share * self.count
        for ms in sorted(self.times):
            seen += self.times[ms]
            if seen >= wanted:
                return float(ms)
        return float(max(self.times))


def read_stats(csv_prefix: Path) -> list[Stat]:
    """The final figures per request type (locust's --json-file, written after the users
    stopped: the requests in flight at the end are in it), and overall last."""
    entries = json.loads(Path(f"{csv_prefix}.json").read_text(encoding="utf-8"))
    stats: list[Stat] = []
    overall = Stat("overall", 0, 0, {})
    for entry in sorted(entries, key=lambda e: str(e["name"])):
        times = {int(float(k)): int(v) for k, v in entry["response_times"].items()}
        stat = Stat(
            str(entry["name"]), int(entry["num_requests"]), int(entry["num_failures"]), times
        )
        if protocol.is_retry(stat.name):
            continue  # read_retries
        stats.append(stat)
        overall.count += stat.count
        overall.errors += stat.errors
        for ms, n in times.items():
            overall.times[ms] = overall.times.get(ms, 0) + n
    return [*stats, overall]


def read_retries(csv_prefix: Path) -> list[Stat]:
    """What the users did as a browser and a person would, not errors (protocol.RETRY_NAMES:
    logins asked to wait and tried again, the time until in, GETs sent again after a reset);
    outside the overall figures."""
    entries = json.loads(Path(f"{csv_prefix}.json").read_text(encoding="utf-8"))
    return [
        Stat(
            str(e["name"]),
            int(e["num_requests"]),
            int(e["num_failures"]),
            {int(float(k)): int(v) for k, v in e["response_times"].items()},
        )
        for e in sorted(entries, key=lambda e: str(e["name"]))
        if protocol.is_retry(str(e["name"]))
    ]


def read_failures(csv_prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{csv_prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def print_table(
    users: int,
    seconds: int,
    stats: list[Stat],
    before: Sample,
    after: Sample,
    acks: tuple[int, int, list[str]],
    failures: Iterable[dict[str, str]],
    retries: Iterable[Stat] = (),
) -> None:
    print()
    print(f"== {users} users, {seconds} s ==")
    header = f"{'request':<22}{'count':>8}{'errors':>8}{'req/s':>8}" + "".join(
        f"{p:>9}" for p in ("p50 ms", "p95 ms", "p99 ms")
    )
    print(header)
    print("-" * len(header))
    for stat in stats:
        if stat.name == "overall":
            print("-" * len(header))
        print(
            f"{stat.name:<22}{stat.count:>8,}{stat.errors:>8,}{stat.count / seconds:>8.1f}"
            f"{_ms(stat.percentile(0.5)):>9}{_ms(stat.percentile(0.95)):>9}"
            f"{_ms(stat.percentile(0.99)):>9}"
        )
    retried = list(retries)
    waits = sum(r.count for r in retried if r.name == protocol.LOGIN_WAIT)
    resets = sum(r.count for r in retried if r.name.startswith(protocol.RETRIED))
    print(
        f"retries, as a browser and its user (not errors, not in the figures above): logins "
        f"asked to wait {waits:,}, requests sent again after a connection reset {resets:,}"
    )
    for stat in retried:
        print(
            f"  {stat.name:<40}{stat.count:>6,}"
            f"   p50 {_ms(stat.percentile(0.5))} ms, p95 {_ms(stat.percentile(0.95))} ms,"
            f" max {_ms(max(stat.times) if stat.times else None)} ms"
        )
    total = stats[-1].count
    app, database = after.app - before.app, after.database - before.database
    saved, missing, examples = acks
    per = 1000 / total if total else 0.0
    print()
    print(
        f"CPU: server {app:,.1f} s, PostgreSQL {database:,.1f} s (the whole server: on a shared "
        f"machine it includes others' work), locust {after.load - before.load:,.1f} s"
    )
    print(
        f"CPU per request: {(app + database) * per:,.1f} ms "
        f"(server {app * per:,.1f} ms + PostgreSQL {database * per:,.1f} ms)"
    )
    growth = after.size - before.size
    if saved:
        print(
            f"database: {growth / 1024 / 1024:+,.1f} MB, "
            f"{growth / saved * 1000 / 1024 / 1024:,.2f} MB per 1,000 saves "
            f"({saved:,} saves acknowledged)"
        )
    else:
        print(f"database: {growth / 1024 / 1024:+,.1f} MB; no save acknowledged")
    print(
        f"acknowledged saves: {saved:,}; entries whose last acknowledged save is missing from "
        f"the database: {missing:,}" + (" (FAILURE)" if missing else "")
    )
    for example in examples:
        print(f"  missing: {example}")
    for failure in list(failures)[:8]:
        print(
            f"  error: {failure.get('Method', '')} {failure.get('Name', '')}: "
            f"{failure.get('Error', '')[:100]} ×{failure.get('Occurrences', '')}"
        )
    print(flush=True)


# -- the run --------------------------------------------------------------------------------
def wait_ready(port: int, server: subprocess.Popen[bytes], seconds: float = 900) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("bench-load: the server stopped; see var/load/server.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    sys.exit("bench-load: the server did not start; see var/load/server.log")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("tiny", "small", "full"), default="full")
    parser.add_argument("--users", default="50,200", help="comma separated, one run each")
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--seconds", type=int, help="run time of each run (instead of minutes)")
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", help="default: the local govplan_load_<scale>")
    parser.add_argument(
        "--app-role",
        default="govplan_app",
        help="the insert-only role the server connects as (the hardened shape); '' = the owner",
    )
    parser.add_argument("--build-only", action="store_true", help="build the data set, no run")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.users.split(",") if n.strip()]
    seconds = args.seconds or round(args.minutes * 60)
    database_url = (
        args.database_url or f"postgres://postgres@127.0.0.1:5432/govplan_load_{args.scale}"
    )
    out = ROOT / "var" / "load"
    out.mkdir(parents=True, exist_ok=True)

    # This process builds and checks the data; the server runs as in production.
    os.environ.update(production_env(database_url, args.port))
    os.environ["TASKS_BACKEND"] = "immediate"  # the build's few notifications, here
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    log = open(out / "server.log", "ab")  # noqa: SIM115 (open while the server runs)
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "serve_prod.py"),
            f"--port={args.port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            f"--database-url={database_url}",
            f"--app-role={args.app_role}",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        say(
            f"starting the production shape on 127.0.0.1:{args.port} ({database_url}, "
            f"connected as {args.app_role or 'the owner'})"
        )
        wait_ready(args.port, server)
        import django

        django.setup()
        from bench.load import dataset

        started = time.monotonic()
        units = dataset.build(args.scale, say=say)
        from django.db import connection

        with connection.cursor() as cursor:  # statistics for the planner after a bulk load
            cursor.execute("ANALYZE")
        say(f"data set ready ({time.monotonic() - started:.0f} s); {describe()}")
        if args.build_only:
            return 0
        import psutil

        server_process = psutil.Process(server.pid)
        postmaster = postmaster_process()
        for users in counts:
            accounts = dataset.accounts_for(units)
            accounts_path = out / "accounts.json"
            accounts_path.write_text(json.dumps(accounts), encoding="utf-8")
            acks = out / f"acks-{users}.jsonl"
            acks.write_text("", encoding="utf-8")
            prefix = out / f"locust-{users}"
            if len(accounts["editors"]) < users:
                say(
                    "fewer editor accounts than users: some documents get two writers (a "
                    "larger --scale avoids it)"
                )
            say(
                f"{users} users for {seconds} s ({len(accounts['editors'])} editor, "
                f"{len(accounts['appraisers'])} appraiser, {len(accounts['downloaders'])} "
                "download accounts)"
            )
            before = sample(server_process, postmaster, children_cpu())
            locust = run_locust(
                users, seconds, f"http://127.0.0.1:{args.port}", accounts_path, acks, prefix
            )
            locust.wait()
            after = sample(server_process, postmaster, children_cpu())
            print_table(
                users,
                seconds,
                read_stats(prefix),
                before,
                after,
                check_acks(acks),
                read_failures(prefix),
                read_retries(prefix),
            )
        return 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def children_cpu() -> float:
    """CPU seconds of this process's reaped children: locust, once it has finished (the
    server is still running, so it is not counted here)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def describe() -> str:
    from govplan.documents.models import Document, Entry

    documents = Document.objects.filter(framework__code="KH-CDS-2027-MAU")
    entries = Entry.objects.filter(document__in=documents, deleted=False).count()
    states = ", ".join(
        f"{state} {documents.filter(status=state).count():,}"
        for state in ("draft", "submitted", "in_appraisal", "approved")
    )
    return f"{documents.count():,} documents ({states}), {entries:,} entries"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
