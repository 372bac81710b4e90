"""`manage.py backup` and `manage.py restore` on SQLite, each in a process of its own as an
operator runs them: a demo installation with documents, versions, an attachment, an issued
plan with its signed copy, audit entries and a finished batch export is backed up and
restored into an empty one, which then holds the same rows, the same files byte for byte,
and serves the same pages and downloads. A damaged, altered or foreign archive is refused
before anything is touched, and a restore that fails midway leaves nothing behind."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.ops.support import (
    Installation,
    archived,
    files_of,
    rewrite_archive,
    sqlite_tables,
    without_operations,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite round trip; PostgreSQL's is its own"
)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    installation = Installation(tmp_path_factory.mktemp("original"))
    installation.set_up_demo()
    return installation


@pytest.fixture(scope="module")
def archive(original: Installation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backups")
    done = original.manage("backup", "--output", str(folder))
    archives = list(folder.glob("govplan-backup-*.tar.gz"))
    assert len(archives) == 1 and str(archives[0]) in done.stdout
    return archives[0]


def fresh(tmp_path: Path, name: str = "restored") -> Installation:
    return Installation(tmp_path / name)


def untouched(installation: Installation) -> None:
    """Nothing of a refused restore is left: no data, no file, no trust root."""
    assert files_of(installation.media) == {}
    assert files_of(installation.trust_roots) == {}
    if installation.sqlite.exists():
        tables = sqlite_tables(installation.sqlite)
        busy = {
            name: len(rows)
            for name, rows in tables.items()
            if rows
            and name not in ("django_migrations", "django_content_type", "auth_permission")
            and not name.startswith("sqlite_")
        }
        assert busy == {}


def test_the_manifest_lists_everything_with_its_checksum(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        members = {info.name: tar.extractfile(info).read() for info in tar if info.isfile()}  # type: ignore[union-attr]
    assert manifest["engine"] == "sqlite" and manifest["govplan_version"]
    assert ["documents", "0001_initial"] in manifest["migrations"]
    listed = {m["name"]: m for m in manifest["members"]}
    assert set(listed) == set(members) - {"manifest.json"}
    for name, data in members.items():
        if name != "manifest.json":
            assert listed[name]["size"] == len(data)
            assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest()
    # The attachment, the signed copy and the export ZIP are all referred to and all inside.
    referenced = manifest["referenced"]
    assert sum(name.startswith("attachments/") for name in referenced) >= 2  # evidence, signed
    assert any(name.startswith("exports/") and name.endswith(".zip") for name in referenced)
    assert all(f"media/{name}" in listed for name in referenced)
    assert "database/govplan.sqlite3" in listed
    assert "trust-roots/demo-root.pem" in listed


def test_round_trip_into_an_empty_installation_loses_nothing(
    original: Installation, archive: Path, tmp_path: Path
) -> None:
    restored = fresh(tmp_path)
    done = restored.manage("restore", str(archive))
    assert "Restored the backup" in done.stdout

    before, stored = archived(archive, tmp_path)
    after, operations = without_operations(sqlite_tables(restored.sqlite))
    before = without_operations(before)[0]
    assert set(after) == set(before)
    for table, rows in before.items():
        assert after[table] == rows, table  # every row of every table, audit entries included
    # The restore itself is in the audit trail, naming the archive and its checksum.
    assert len(operations) == 1 and any(archive.name == value for value in operations[0])
    assert hashlib.sha256(archive.read_bytes()).hexdigest() in str(operations[0])
    assert len(before["audit_auditevent"]) > 10
    assert files_of(restored.media) == stored == files_of(original.media)
    assert len(stored) >= 3  # attachment, signed copy, export ZIP at least
    assert files_of(restored.trust_roots) == files_of(original.trust_roots)

    # The restored installation serves the plan, its evidence, its signed copy and the export
    # exactly as the original does.
    served, expected = restored.probe(), original.probe()
    assert served == expected
    assert served["page"] == 200 and served["title_shown"]
    assert served["signed_pdf"][0] == 200 and served["export"][0] == 200
    assert all(status == 200 for _name, status, _digest in served["attachments"])


def test_a_non_empty_installation_is_refused_unless_forced(
    original: Installation, archive: Path, tmp_path: Path
) -> None:
    restored = fresh(tmp_path)
    restored.manage("restore", str(archive))
    tables = sqlite_tables(restored.sqlite)
    refused = restored.manage("restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "the database is not empty" in refused.stderr
    assert sqlite_tables(restored.sqlite) == tables

    # Files alone (a media folder left from an earlier installation) also count.
    other = fresh(tmp_path, "files-only")
    (other.media / "attachments").mkdir(parents=True)
    (other.media / "attachments" / "left-over").write_bytes(b"x")
    refused = other.manage("restore", str(archive), check=False)
    assert refused.returncode != 0 and "storage" in refused.stderr

    forced = restored.manage("restore", "--force", str(archive))
    assert "Restored the backup" in forced.stdout
    forced_tables, operations = without_operations(sqlite_tables(restored.sqlite))
    assert forced_tables == without_operations(archived(archive, tmp_path)[0])[0]
    assert len(operations) == 1 and "true" in str(operations[0]).lower()  # "forced": true


def _media_member(archive: Path) -> str:
    with tarfile.open(archive) as tar:
        return next(n for n in tar.getnames() if n.startswith("media/attachments/"))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("altered file", "does not match its checksum"),
        ("file dropped", "missing"),
        ("file added", "not in the manifest"),
        ("path outside", "outside the backup's folders"),
        ("other engine", "restore on the same engine"),
        ("newer migrations", "made by a newer GovPlan"),
        ("no manifest", "not a GovPlan backup"),
        ("truncated", "cannot read the archive"),
    ],
)
def test_a_damaged_altered_or_foreign_archive_is_refused_before_anything_is_touched(
    archive: Path, tmp_path: Path, case: str, message: str
) -> None:
    member = _media_member(archive)
    bad = tmp_path / "bad.tar.gz"
    keep = lambda _name, data: data  # noqa: E731

    def with_migration(m: dict[str, Any]) -> dict[str, Any]:
        return {**m, "migrations": [*m["migrations"], ["documents", "9999_from_the_future"]]}

    if case == "altered file":
        rewrite_archive(archive, bad, lambda n, d: d + b"!" if n == member else d)
    elif case == "file dropped":
        rewrite_archive(archive, bad, lambda n, d: None if n == member else d)
    elif case == "file added":
        rewrite_archive(archive, bad, keep, extra={"media/attachments/planted": b"x"})
    elif case == "path outside":
        rewrite_archive(archive, bad, keep, extra={"media/../../../etc/planted": b"x"})
    elif case == "other engine":
        # A PostgreSQL backup: its dump under its own name.
        dump = "database/govplan.dump"

        def postgres(m: dict[str, Any]) -> dict[str, Any]:
            for listed in m["members"]:
                if listed["name"] == "database/govplan.sqlite3":
                    listed["name"] = dump
            return {**m, "engine": "postgresql"}

        renames = {"database/govplan.sqlite3": dump}
        rewrite_archive(archive, bad, keep, manifest=postgres, renames=renames)
    elif case == "newer migrations":
        rewrite_archive(archive, bad, keep, manifest=with_migration)
    elif case == "no manifest":
        rewrite_archive(archive, bad, keep, manifest=lambda m: m)
        with tarfile.open(bad) as tar, tarfile.open(tmp_path / "x.tar.gz", "w:gz") as out:
            for info in tar:
                if info.name != "manifest.json":
                    out.addfile(info, tar.extractfile(info))
        bad = tmp_path / "x.tar.gz"
    elif case == "truncated":
        data = archive.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    target = fresh(tmp_path)
    refused = target.manage("restore", str(bad), check=False)
    assert refused.returncode != 0
    assert message in refused.stderr, refused.stderr[-2000:]
    assert "Traceback" not in refused.stderr
    untouched(target)
    assert not (tmp_path / "etc").exists()


def test_a_restore_that_fails_midway_leaves_nothing_half_restored(
    archive: Path, tmp_path: Path
) -> None:
    """A database copy that passes the checksum (made so) but is not a database: the files
    already placed are taken away again and the database stays empty."""
    bad = tmp_path / "bad.tar.gz"

    def rehash(m: dict[str, Any]) -> dict[str, Any]:
        for member in m["members"]:
            if member["name"] == "database/govplan.sqlite3":
                member["size"] = len(GARBAGE)
                member["sha256"] = hashlib.sha256(GARBAGE).hexdigest()
        return m

    rewrite_archive(
        archive,
        bad,
        lambda n, d: GARBAGE if n == "database/govplan.sqlite3" else d,
        manifest=rehash,
    )
    target = fresh(tmp_path)
    failed = target.manage("restore", str(bad), check=False)
    assert failed.returncode != 0
    assert "database" in failed.stderr and "Traceback" not in failed.stderr
    untouched(target)


GARBAGE = b"not a database at all " * 400


def test_a_backup_missing_a_file_the_database_refers_to_fails_and_writes_nothing(
    original: Installation, tmp_path: Path
) -> None:
    """A file deleted from storage while its row stays (as when a file goes during the
    backup): the backup says which and leaves no archive, not one that cannot restore."""
    copy = Installation(tmp_path / "copy")
    shutil.copytree(original.var, copy.var)
    lost = next(p for p in (copy.media / "attachments").rglob("*") if p.is_file())
    lost.unlink()
    target = tmp_path / "nightly.tar.gz"
    failed = copy.manage("backup", "--output", str(target), check=False)
    assert failed.returncode != 0
    assert "files the database refers to could not be copied" in failed.stderr
    assert lost.name in failed.stderr
    assert not target.exists() and not list(tmp_path.glob(".nightly*"))


def test_restore_into_a_shared_bucket_and_serve_from_it(
    original: Installation, archive: Path, tmp_path: Path
) -> None:
    """An installation whose files live in an S3-compatible bucket (several application
    servers): the restore uploads every file there, the pages and downloads are served from
    it, and a backup of it holds the same files again."""
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        credentials = {"aws_access_key_id": "govplan", "aws_secret_access_key": "secret"}
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)
        s3.create_bucket(Bucket="restored")
        restored = Installation(
            tmp_path / "s3",
            extra_env={
                "STORAGE_S3_BUCKET": "restored",
                "STORAGE_S3_ENDPOINT_URL": endpoint,
                "STORAGE_S3_REGION": "us-east-1",
                "STORAGE_S3_ACCESS_KEY_ID": "govplan",
                "STORAGE_S3_SECRET_ACCESS_KEY": "secret",
            },
        )
        restored.manage("restore", str(archive))
        _tables, stored = archived(archive, tmp_path)
        in_bucket = {
            item["Key"]: s3.get_object(Bucket="restored", Key=item["Key"])["Body"].read()
            for item in s3.list_objects_v2(Bucket="restored").get("Contents", [])
        }
        assert in_bucket == stored
        assert files_of(restored.media) == {}  # nothing on the node's own disk
        assert restored.probe() == original.probe()

        again = tmp_path / "again.tar.gz"
        restored.manage("backup", "--output", str(again))
        (tmp_path / "again").mkdir()
        assert archived(again, tmp_path / "again")[1] == stored
    finally:
        server.stop()
