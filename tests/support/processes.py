"""Real processes for the fault tests (tests/faults): a copy of the test database a subprocess
can open, ``manage.py`` commands, a gunicorn server on a free port, a private PostgreSQL
instance, and a small HTTP client that signs in and posts forms with their CSRF token.

Nothing here is used by the application; everything a test starts is stopped by it, by its
own process id.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The authenticator key of the sites' central administrator (RFC 6238's test key).
OTP_KEY = "3132333435363738393031323334353637383930"


def site_env(folder: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-shaped process (DEBUG off) over ``database_url``,
    its files under ``folder``. HTTPS is off: the test talks plain HTTP to 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        {
            "DEBUG": "0",
            "GOVPLAN_TESTING": "0",
            "GOVPLAN_HTTPS": "0",
            "SECRET_KEY": "fault-tests-only-" + "x" * 40,
            "DATABASE_URL": database_url,
            "GOVPLAN_VAR_DIR": str(folder / "var"),
            "MEDIA_ROOT": str(folder / "media"),
            "STATIC_ROOT": str(folder / "static"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AXES_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def run_in_site(env: dict[str, str], call: str, timeout: float = 600) -> str:
    """Run ``call`` (Python, after ``from tests.faults.site_setup import *``) in a Django
    process of the site; returns what it printed."""
    return manage(
        env, "shell", "-c", f"from tests.faults.site_setup import *; {call}", timeout=timeout
    )


def copy_test_database(connection: Any, folder: Path) -> str:
    """A file copy of the session's test database (reference data, catalogues, frameworks),
    as a DATABASE_URL a subprocess opens. SQLite: the in-memory database backed up into a
    file; PostgreSQL: a new database made from it as a template (the caller drops it)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = folder / "site.sqlite3"
        dest = sqlite3.connect(target)
        connection.connection.backup(dest)
        dest.close()
        return f"sqlite:///{target}"
    settings = connection.settings_dict
    name = f"proof_fault_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    connection.close()
    with _maintenance(settings) as cursor:
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{settings.get('PORT') or 5432}/{name}"


def drop_copy(connection: Any, database_url: str) -> None:
    if not database_url.startswith("postgres"):
        return
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    with _maintenance(connection.settings_dict) as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _maintenance(settings: dict[str, Any]) -> Iterator[Any]:
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        user=settings.get("USER") or "postgres",
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        autocommit=True,
    ) as conn:
        yield conn.cursor()


# --- a server ---------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers): no cleanup runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@contextlib.contextmanager
def serving(env: dict[str, str], folder: Path, *, threads: int = 4) -> Iterator[Server]:
    if not (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v0")  # production serves hashed names
    port = free_port()
    log = folder / f"gunicorn-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "govplan.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                str(threads),
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_for(lambda: status_of(server.url + "/healthz") == 200, 60, f"server ({log})")
        yield server
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def wait_for(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not ready after {seconds} s")


def status_of(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """Cookies, the CSRF token, form posts; redirects are not followed (their status and
    Location tell what the server did)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None, timeout: float = 60
    ) -> tuple[int, str, str]:
        body = None
        headers = {"Referer": self.base + "/"}
        if method == "POST":
            token = self.csrf()
            body = urllib.parse.urlencode({**(data or {}), "csrfmiddlewaretoken": token}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, body, headers, method=method)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return (
                    int(response.status),
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as exc:
            return (
                int(exc.code),
                exc.headers.get("Location", ""),
                exc.read().decode(errors="replace"),
            )

    def csrf(self) -> str:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), None)
        if token is None:
            self.request("GET", "/login/")
            token = next(c.value for c in self.jar if c.name == "csrftoken")
        return str(token)

    def login(self, username: str, password: str, otp_key: str | None = OTP_KEY) -> None:
        """The password, then, where the account owes one, the authenticator's code."""
        from govplan.accounts.second_factor import current_code

        status, location, _body = self.request(
            "POST", "/login/", {"username": username, "password": password}
        )
        assert status == 302 and "/login/" not in location, (status, location)
        if "/account/verify/" not in location:
            # The home page sends a user who owes the code to it.
            _status, location, _body = self.request("GET", "/")
        if "/account/verify/" in location and otp_key:
            status, location, _body = self.request(
                "POST", "/account/verify/", {"token": current_code(otp_key)}
            )
            assert status == 302 and "/account/" not in location, (status, location)


# --- a private PostgreSQL ---------------------------------------------------------------------


def postgres_tools() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PrivatePostgres:
    """A PostgreSQL 15 instance of this test's own, in a temporary folder, on a free port,
    trust authentication. Never the shared server: this one may be restarted at will."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/govplan"

    def ctl(self, *args: str) -> None:
        command = [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "postgres.log"),
            "-w",
            "-t",
            "60",
            *args,
        ]
        subprocess.run(_as_postgres(command), check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-o", options, "start")

    def restart(self) -> None:
        """A fast shutdown (every connection cut, as a crash or a failover does) and start."""
        self.ctl("-m", "fast", "stop")
        self.start()

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.ctl("-m", "immediate", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """In a folder of its own under the system's temporary directory (pytest's is private to
    the user running the tests, and initdb runs as ``postgres`` when that user is root);
    removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="govplan-proof-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    instance = PrivatePostgres(folder, free_port())
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(folder / "data"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=180,
    )
    instance.start()
    try:
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(instance.port),
                "-U",
                "postgres",
                "govplan",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(folder, ignore_errors=True)
