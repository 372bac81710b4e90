"""``manage.py backup`` and ``manage.py restore``: the whole installation (database, stored
files, trust roots) in one archive checked by its manifest, and back (docs/operations.md).

Consistency. The database is copied first, as one snapshot: SQLite's online backup API
copies a single consistent state even while requests write; on PostgreSQL the command opens
a repeatable-read transaction, exports its snapshot and runs ``pg_dump --snapshot`` on it, and
reads in that same snapshot which stored files the database refers to. The files are copied
after: every file the copied database refers to must be among them, or the backup fails
(a file deleted in between, e.g. a batch export pruned meanwhile; run it again). Files
created while the backup runs may or may not be in the archive; those not referred to by the
copied database are harmless extras (``prune_exports`` removes unowned export folders).

Long because: backup and restore are one format read and written in two directions, for
two engines; the checks a restore makes before touching anything mirror what the backup
wrote, and belong beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader

from govplan.audit.origin import Origin, origin
from govplan.audit.recorder import record
from govplan.official.export_files import zip_storage_name
from govplan.official.models import ExportState
from govplan.ops.archive import (
    MANIFEST,
    MEDIA_PREFIX,
    POSTGRES_MEMBER,
    SQLITE_MEMBER,
    TRUST_PREFIX,
    BadArchive,
    Manifest,
    Member,
    copy_hashing,
    verify,
)
from govplan.webutils import storage_files

Say = Callable[[str], None]
# Rows of these tables are written by ``migrate`` itself: a database holding nothing else
# counts as empty.
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
# gzip's own default: most of the bytes are PDFs and ZIPs that do not compress; level 9 took
# 16.7 s instead of 13.5 s for 113 MB here, to save 1.5 % on the demo's archive.
COMPRESSION = 6


class BackupError(Exception):
    """The backup or the restore cannot be made; the message says why."""


# -- what the database refers to -------------------------------------------------------------


def referenced_files(execute: Callable[[str], list[tuple[Any, ...]]]) -> list[str]:
    """The storage names the database refers to: every FileField's value, and the ZIP of
    every finished batch export. ``execute`` runs a query in the copied state."""
    quote = connection.ops.quote_name
    names: set[str] = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                column, table = quote(field.column), quote(model._meta.db_table)
                rows = execute(
                    f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''"  # noqa: S608
                )
                names.update(str(row[0]) for row in rows)
    rows = execute(
        "SELECT id, file_name FROM official_exportjob "  # noqa: S608
        f"WHERE state = '{ExportState.DONE.value}' AND file_name <> ''"
    )
    names.update(zip_storage_name(int(pk), str(name)) for pk, name in rows)
    return sorted(names)


def applied_migrations(execute: Callable[[str], list[tuple[Any, ...]]]) -> list[list[str]]:
    rows = execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[str(app), str(name)] for app, name in rows]


# -- the database copy -----------------------------------------------------------------------


def _sqlite_copy(target: Path) -> tuple[list[list[str]], list[str], str]:
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one consistent state, even while others write
        check = copy.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise BackupError(f"the database copy fails SQLite's integrity check: {check}")

        def execute(sql: str) -> list[tuple[Any, ...]]:
            return list(copy.execute(sql).fetchall())

        return applied_migrations(execute), referenced_files(execute), sqlite3.sqlite_version
    finally:
        copy.close()


def _pg_env() -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore: the application's own connection."""
    params = connection.settings_dict
    env = dict(os.environ)
    for key, name in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if params.get(name):
            env[key] = str(params[name])
    options = params.get("OPTIONS", {})
    for key, name in (
        ("PGSSLMODE", "sslmode"),
        ("PGSSLROOTCERT", "sslrootcert"),
        ("PGSSLCERT", "sslcert"),
        ("PGSSLKEY", "sslkey"),
    ):
        if options.get(name):
            env[key] = str(options[name])
    return env


def _server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0]) // 10000


def pg_tool(name: str, server_major: int) -> str:
    """The pg_dump or pg_restore of at least the server's major version: in PG_BIN_DIR if set,
    else Debian's /usr/lib/postgresql/<major>/bin, else the PATH's."""
    candidates = []
    if settings.PG_BIN_DIR:
        candidates.append(str(Path(settings.PG_BIN_DIR) / name))
    candidates.append(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    found = shutil.which(name)
    if found:
        candidates.append(found)
    for candidate in candidates:
        if not Path(candidate).is_file():
            continue
        out = subprocess.run(  # noqa: S603
            [candidate, "--version"], capture_output=True, text=True, check=False
        ).stdout
        match = re.search(r"(\d+)(?:\.\d+)?", out)
        if match and int(match.group(1)) >= server_major:
            return candidate
    raise BackupError(
        f"no {name} of PostgreSQL {server_major} or later found (install the server's client "
        f"tools, or set PG_BIN_DIR): a dump must be made by the server's own major version"
    )


def _run(args: list[str]) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _postgres_copy(target: Path) -> tuple[list[list[str]], list[str], str]:
    pg_dump = pg_tool("pg_dump", _server_major())
    with transaction.atomic(), connection.cursor() as cursor:
        # The snapshot pg_dump copies is the one this transaction reads the file names in.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        row = cursor.fetchone()
        assert row is not None
        snapshot, server_version = str(row[0]), str(row[1])
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])

        def execute(sql: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        return applied_migrations(execute), referenced_files(execute), server_version


def copy_database(engine: str, target: Path) -> tuple[list[list[str]], list[str], str]:
    """The database copied to ``target`` as one snapshot; the migrations applied in it, the
    stored files it refers to, the server's version."""
    return _sqlite_copy(target) if engine == "sqlite" else _postgres_copy(target)


# -- writing the archive ---------------------------------------------------------------------


def govplan_version() -> str:
    try:
        return importlib.metadata.version("govplan")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"database engine {vendor!r} is not supported")
    return vendor


def archive_path(output: Path, now: dt.datetime) -> Path:
    """``output`` itself, or a dated name inside it when it is a folder."""
    if output.is_dir():
        return output / f"govplan-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    return output


@contextmanager
def _atomic_file(path: Path) -> Iterator[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _add(tar: tarfile.TarFile, name: str, source: IO[bytes], scratch: Path) -> Member:
    """``source`` into the archive as ``name`` through a scratch copy (its size must be known
    before the tar header is written, and a file being written meanwhile is read once)."""
    with open(scratch, "w+b") as copy:
        size, digest = copy_hashing(source, copy)
        copy.seek(0)
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
        tar.addfile(info, copy)
    return Member(name, size, digest)


def make_backup(output: Path, say: Say = lambda _text: None) -> tuple[Path, Manifest]:
    """The archive written (whole, or not at all) and its manifest."""
    engine = _engine()
    now = dt.datetime.now(dt.UTC)
    target = archive_path(output, now)
    with tempfile.TemporaryDirectory(prefix="govplan-backup-") as work:
        scratch = Path(work) / "file"
        database = Path(work) / "database"
        say("Copying the database…")
        migrations, referenced, server = copy_database(engine, database)
        db_member = SQLITE_MEMBER if engine == "sqlite" else POSTGRES_MEMBER
        manifest = Manifest(
            govplan_version=govplan_version(),
            engine=engine,
            created_at=now.isoformat(),
            migrations=migrations,
            referenced=referenced,
            server_version=server,
        )
        with (
            _atomic_file(target) as tmp,
            tarfile.open(tmp, "w:gz", compresslevel=COMPRESSION) as tar,
        ):
            with open(database, "rb") as handle:
                manifest.members.append(_add(tar, db_member, handle, scratch))
            database.unlink()
            say("Copying the stored files…")
            copied: set[str] = set()
            for name in storage_files.walk(""):
                if _in_progress(name):
                    continue
                try:
                    stored = default_storage.open(name, "rb")
                except FileNotFoundError:
                    continue  # deleted since it was listed; checked against the database below
                with stored:
                    manifest.members.append(_add(tar, MEDIA_PREFIX + name, stored, scratch))
                copied.add(name)
            missing = sorted(set(referenced) - copied)
            if missing:
                raise BackupError(
                    "files the database refers to could not be copied (deleted while the "
                    f"backup ran, or lost from storage): {', '.join(missing[:10])}"
                )
            roots = Path(settings.TRUST_ROOTS_DIR)
            if roots.is_dir():
                for path in sorted(p for p in roots.rglob("*") if p.is_file()):
                    relative = path.relative_to(roots).as_posix()
                    with open(path, "rb") as handle:
                        manifest.members.append(_add(tar, TRUST_PREFIX + relative, handle, scratch))
            data = json.dumps(manifest.as_json(), ensure_ascii=False, indent=1).encode()
            _add(tar, MANIFEST, io.BytesIO(data), scratch)
    _record(
        "backup.made",
        "backup",
        message=target.name,
        after={
            "engine": engine,
            "created_at": manifest.created_at,
            "files": sum(1 for m in manifest.members if m.name.startswith(MEDIA_PREFIX)),
            "archive_sha256": file_sha256(target),
        },
    )
    say(f"Backup written: {target}")
    return target, manifest


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _record(action: str, command: str, *, message: str, after: dict[str, Any]) -> None:
    """The operation in the audit trail (of the database it left behind)."""
    with origin(Origin(channel=f"command:{command}")), transaction.atomic():
        record(action, message=message, after=after)


def _in_progress(name: str) -> bool:
    """A temporary file of a write under way (storage_files.put, export_files)."""
    base = name.rsplit("/", 1)[-1]
    return base.startswith(".") and base.endswith(".tmp")


# -- restoring -------------------------------------------------------------------------------


def database_is_empty() -> bool:
    """No table, or no row anywhere but in what ``migrate`` writes itself."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in BOOKKEEPING_TABLES or table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                return False
    return True


def storage_is_empty() -> bool:
    return next(storage_files.walk(""), None) is None


def trust_roots_are_empty() -> bool:
    roots = Path(settings.TRUST_ROOTS_DIR)
    return not roots.is_dir() or not any(p.is_file() for p in roots.rglob("*"))


def _known_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.disk_migrations)


def check_restorable(manifest: Manifest, *, force: bool) -> None:
    engine = _engine()
    if manifest.engine != engine:
        raise BackupError(
            f"the backup is of a {manifest.engine} database and this installation uses "
            f"{engine}: restore on the same engine"
        )
    unknown = sorted({(a, n) for a, n in manifest.migrations} - _known_migrations())
    if unknown:
        raise BackupError(
            "the backup was made by a newer GovPlan (migrations unknown here: "
            + ", ".join(f"{a}.{n}" for a, n in unknown[:5])
            + "): install that version first"
        )
    if force:
        return
    if not database_is_empty():
        raise BackupError(
            "the database is not empty: restore into an empty installation, or give --force "
            "to replace everything in it"
        )
    if not storage_is_empty():
        raise BackupError(
            "the file storage (MEDIA_ROOT or the bucket) is not empty: restore into an empty "
            "installation, or give --force"
        )
    if not trust_roots_are_empty():
        raise BackupError(
            f"the trust roots folder {settings.TRUST_ROOTS_DIR} is not empty: restore into an "
            "empty installation, or give --force"
        )


def _restore_sqlite(copy: Path) -> None:
    source = sqlite3.connect(copy)
    try:
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"the database copy is not an SQLite database ({exc})") from None
        if check is None or check[0] != "ok":
            raise BackupError(f"the database copy fails SQLite's integrity check: {check}")
        connection.close()
        target = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=20)
        try:
            # One write transaction on the target: all of the copy, or (on failure) nothing.
            source.backup(target)
        except sqlite3.Error as exc:
            raise BackupError(f"the database could not be restored ({exc})") from None
        finally:
            target.close()
    finally:
        source.close()


def _restore_postgres(copy: Path) -> None:
    pg_restore = pg_tool("pg_restore", _server_major())
    with connection.cursor() as cursor:
        has_tables = bool(connection.introspection.table_names(cursor))
    connection.close()
    args = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl"]
    if has_tables:  # migrated but empty, or --force: what the dump holds replaces it
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={connection.settings_dict['NAME']}", str(copy)])


def restore_backup(path: Path, *, force: bool, say: Say = lambda _text: None) -> Manifest:
    """The archive at ``path`` restored into this installation. Everything is checked first
    (checksums, engine, migrations, emptiness); then the files are placed and the database
    restored in one transaction; if the database fails, the files placed are removed."""
    say("Checking the archive…")
    try:
        with tarfile.open(path, "r:*") as tar:
            manifest = verify(tar)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BadArchive(f"cannot read the archive ({exc})") from None
    check_restorable(manifest, force=force)
    placed: list[str] = []
    roots_placed: list[Path] = []
    roots = Path(settings.TRUST_ROOTS_DIR)
    with tempfile.TemporaryDirectory(prefix="govplan-restore-") as work:
        copy = Path(work) / "database"
        try:
            with tarfile.open(path, "r:*") as tar:
                say("Placing the stored files…")
                for info in tar:
                    handle = tar.extractfile(info) if info.isfile() else None
                    if handle is None:
                        continue
                    if info.name == manifest.database_member:
                        with open(copy, "wb") as out:
                            shutil.copyfileobj(handle, out)
                    elif info.name.startswith(MEDIA_PREFIX):
                        name = info.name[len(MEDIA_PREFIX) :]
                        existed = default_storage.exists(name)
                        storage_files.put(name, handle)
                        if not existed:
                            placed.append(name)
                    elif info.name.startswith(TRUST_PREFIX):
                        target = roots / info.name[len(TRUST_PREFIX) :]
                        existed = target.exists()
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with open(target, "wb") as out:
                            shutil.copyfileobj(handle, out)
                        if not existed:
                            roots_placed.append(target)
            say("Restoring the database…")
            if manifest.engine == "sqlite":
                _restore_sqlite(copy)
            else:
                _restore_postgres(copy)
        except BaseException:
            for name in placed:
                default_storage.delete(name)
            for target in roots_placed:
                target.unlink(missing_ok=True)
            raise
    _record(
        "backup.restore",
        "restore",
        message=path.name,
        after={
            "backup_created_at": manifest.created_at,
            "govplan_version": manifest.govplan_version,
            "archive_sha256": file_sha256(path),
            "forced": force,
        },
    )
    say("Restored.")
    return manifest
