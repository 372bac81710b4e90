"""`manage.py backup` and `manage.py restore` on PostgreSQL (pg_dump of the server's major
version, one snapshot): the demo installation with its attachment, signed copy and export
restored into an empty database holds the same rows in every table, the same files, and
serves the same pages and downloads. Two databases of its own beside the test database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection

from tests.ops.support import Installation, files_of, without_operations

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's round trip"),
]


def _server() -> dict[str, Any]:
    params = connection.settings_dict
    return {
        "host": params["HOST"] or "127.0.0.1",
        "port": int(params["PORT"] or 5432),
        "user": params["USER"] or "postgres",
        "password": params["PASSWORD"] or None,
    }


def _url(name: str) -> str:
    s = _server()
    auth = s["user"] + (f":{s['password']}" if s["password"] else "")
    return f"postgres://{auth}@{s['host']}:{s['port']}/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
        admin.execute(sql)


@pytest.fixture(scope="module")
def databases() -> Iterator[tuple[str, str]]:
    base = connection.settings_dict["NAME"]  # the test database: names of this run's own
    names = (f"{base}_bk_src", f"{base}_bk_dst")
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
    yield names
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables(name: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(dbname=name, **_server()) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in names}


def test_round_trip_on_postgresql_loses_nothing(
    databases: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    source_db, target_db = databases
    original = Installation(tmp_path_factory.mktemp("pg-original"), _url(source_db))
    original.set_up_demo()
    folder = tmp_path_factory.mktemp("pg-backups")
    archive = folder / "nightly.tar.gz"
    done = original.manage("backup", "--output", str(archive))
    assert "postgresql database" in done.stdout

    restored = Installation(tmp_path_factory.mktemp("pg-restored"), _url(target_db))
    restored.manage("restore", str(archive))
    before, made = without_operations(tables(source_db))
    after, restored_entries = without_operations(tables(target_db))
    assert set(after) == set(before)
    for table, rows in before.items():
        assert after[table] == rows, table
    # The backup is recorded in the source (after its snapshot), the restore in the target.
    assert len(made) == 1 and len(restored_entries) == 1
    assert len(before["audit_auditevent"]) > 10
    assert files_of(restored.media) == files_of(original.media)
    assert len(files_of(original.media)) >= 3
    assert files_of(restored.trust_roots) == files_of(original.trust_roots)

    served = restored.probe()
    assert served == original.probe()
    assert served["page"] == 200 and served["export"][0] == 200

    # A second restore into the now full database is refused and changes nothing.
    refused = restored.manage("restore", str(archive), check=False)
    assert refused.returncode != 0 and "the database is not empty" in refused.stderr

    # Into a migrated but empty database (what `migrate` alone leaves): accepted.
    _admin(f'DROP DATABASE "{target_db}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{target_db}"')
    migrated = Installation(tmp_path_factory.mktemp("pg-migrated"), _url(target_db))
    migrated.manage("migrate", "--noinput", "-v0")
    migrated.manage("restore", str(archive))
    assert tables(target_db)["documents_document"] == tables(source_db)["documents_document"]
