#!/usr/bin/env python3
"""The production shape on this machine, in one command (`make serve-prod`).

    scripts/serve_prod.py [--port 8107] [--workers 4] [--threads 4] [--database-url URL]
                          [--app-role govplan_app | --app-role ""]

Starts, on 127.0.0.1: gunicorn (gthread workers, DEBUG off, a secret key generated once for
local use and kept in var/prod/secret_key), on PostgreSQL (DATABASE_URL, by default the
local server on 127.0.0.1:5432 with a database of its own, created when absent), after
applying the migrations, loading the reference data and the shipped frameworks and
collecting the static files (served by WhiteNoise); beside it the django-tasks database
worker (`manage.py db_worker`). The set-up runs as DATABASE_URL's role (the tables' owner),
then `setup_database_roles` gives the application's role (--app-role) its rights, and the
server and the worker connect as that role, which may insert into the audit trail but not
change it (docs/audit-chain.md); `--app-role ""` connects them as the owner instead.
Ctrl-C (or SIGTERM) stops both and waits for them.
docs/deployment.md explains each part for a real deployment.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/govplan_prod"
STOP_SECONDS = 20  # gunicorn's graceful timeout is 10 s; a worker finishing a job may need more


def secret_key(var_dir: Path) -> str:
    """A key generated once for this machine: sessions survive a restart, nothing is shared."""
    path = var_dir / "prod" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def production_env(
    database_url: str, port: int, base: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of every process of the production shape (settings.py reads it)."""
    env = dict(os.environ if base is None else base)
    var_dir = Path(env.get("GOVPLAN_VAR_DIR", ROOT / "var"))
    env.update(
        {
            "DEBUG": "0",
            "DATABASE_URL": database_url,
            "TASKS_BACKEND": "database",
            "GOVPLAN_TESTING": "0",
            "SITE_URL": f"http://127.0.0.1:{port}",
        }
    )
    env.setdefault("SECRET_KEY", secret_key(var_dir))
    # One cache for the workers (the editor page's table blocks): files on this machine.
    env.setdefault("CACHE_DIR", str(var_dir / "prod" / "cache"))
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("GOVPLAN_DEMO", "0")
    # Plain HTTP on localhost: the explicit opt-out of the HTTPS defaults (docs/deployment.md).
    env.setdefault("GOVPLAN_HTTPS", "0")
    return env


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database of DATABASE_URL when it is absent."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if found is None:
            print(f"serve-prod: creating database {name}", flush=True)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def as_role(database_url: str, role: str) -> str:
    """DATABASE_URL with another user (local trust or the role's password from PGPASSFILE)."""
    parts = urlsplit(database_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


def set_up(env: dict[str, str]) -> None:
    """Idempotent: a second start changes nothing but the time it takes."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")  # the rate limits' counters without CACHE_URL (idempotent)
    manage(env, "load_reference_data", "-v", "0")
    manage(env, "load_frameworks", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")


def wait_ready(port: int, processes: list[subprocess.Popen[bytes]], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8107)))
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument("--task-workers", type=int, default=1, help="db_worker processes")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument(
        "--app-role",
        default="govplan_app",
        help="the insert-only role the server and worker connect as ('' = the owner)",
    )
    parser.add_argument("--skip-setup", action="store_true", help="no migrate, load, collectstatic")
    parser.add_argument("--access-log", action="store_true", help="gunicorn's access log on stdout")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres:", "postgresql:")):
        parser.error("the production shape runs on PostgreSQL: a postgres:// DATABASE_URL")

    env = production_env(args.database_url, args.port)
    ensure_database(args.database_url)
    if not args.skip_setup:
        set_up(env)
    if args.app_role:
        manage(env, "setup_database_roles", f"--app-role={args.app_role}")
        env["DATABASE_URL"] = as_role(args.database_url, args.app_role)
    manage(env, "resume_exports")  # batch exports a previous worker left unfinished

    # SIGTERM behaves as Ctrl-C: the children are stopped below in both cases.
    signal.signal(signal.SIGTERM, _interrupt)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(args.task_workers):
            processes.append(
                subprocess.Popen(
                    [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload"],
                    env=env,
                    cwd=ROOT,
                )
            )
        gunicorn = [
            str(BIN / "gunicorn"),
            "govplan.wsgi:application",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            "--worker-class=gthread",
            # An official PDF of a long plan takes seconds on the request path (issue 15).
            "--timeout=120",
            "--graceful-timeout=10",
            *(["--access-logfile=-"] if args.access_log else []),
        ]
        processes.append(subprocess.Popen(gunicorn, env=env, cwd=ROOT))
        if not wait_ready(args.port, processes):
            print("serve-prod: the server did not answer /healthz; stopping", file=sys.stderr)
            return 1
        print(
            f"serve-prod: ready on http://127.0.0.1:{args.port}/ ({args.workers} workers × "
            f"{args.threads} threads, {args.task_workers} task worker(s), connected as "
            f"{args.app_role or 'the owner'}); Ctrl-C stops",
            flush=True,
        )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("serve-prod: a process ended; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("serve-prod: stopping", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not orphan them
        stop(processes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
