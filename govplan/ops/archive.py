"""What a backup archive holds and how it is checked, shared by ``manage.py backup`` and
``manage.py restore`` (docs/operations.md).

An archive is one tar file (gzip-compressed) with:

- ``manifest.json``: GovPlan's version, the database engine, the applied migrations, when
  it was made, the files the database refers to, and every other member's size and SHA-256;
- ``database/govplan.sqlite3`` (SQLite, a copy made with the online backup API) or
  ``database/govplan.dump`` (PostgreSQL, ``pg_dump --format=custom``);
- ``media/…``: every file of the default storage (attachments, signed copies, made official
  files, batch export ZIPs);
- ``trust-roots/…``: the certificates (and CRLs) signatures are checked against.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_MEMBER = "database/govplan.sqlite3"
POSTGRES_MEMBER = "database/govplan.dump"
MEDIA_PREFIX = "media/"
TRUST_PREFIX = "trust-roots/"
CHUNK = 1024 * 1024


class BadArchive(Exception):
    """The archive is not a GovPlan backup, is damaged, or was altered."""


@dataclass
class Member:
    name: str
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass
class Manifest:
    govplan_version: str
    engine: str  # "sqlite" or "postgresql"
    created_at: str
    migrations: list[list[str]]  # [app, name], as applied in the database copied
    referenced: list[str]  # storage names the database refers to (all present in media/)
    members: list[Member] = field(default_factory=list)
    server_version: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "govplan_version": self.govplan_version,
            "engine": self.engine,
            "server_version": self.server_version,
            "created_at": self.created_at,
            "migrations": self.migrations,
            "referenced": self.referenced,
            "members": [m.as_json() for m in self.members],
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        try:
            if data["format"] != FORMAT:
                raise BadArchive(f"unknown backup format {data['format']!r}")
            return cls(
                govplan_version=str(data["govplan_version"]),
                engine=str(data["engine"]),
                created_at=str(data["created_at"]),
                migrations=[[str(a), str(n)] for a, n in data["migrations"]],
                referenced=[str(name) for name in data["referenced"]],
                members=[
                    Member(str(m["name"]), int(m["size"]), str(m["sha256"]))
                    for m in data["members"]
                ],
                server_version=str(data.get("server_version", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BadArchive(f"the manifest is malformed ({exc!r})") from None

    @property
    def database_member(self) -> str:
        return SQLITE_MEMBER if self.engine == "sqlite" else POSTGRES_MEMBER


def copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[int, str]:
    """Copy ``source`` into ``target``; the bytes' count and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def safe_member_name(name: str) -> bool:
    """A relative path inside the archive's own folders: no absolute path, no ``..``."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and "\x00" not in name
        and path.parts[0] in ("database", "media", "trust-roots")
        and len(path.parts) >= 2
    )


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        info = archive.getmember(MANIFEST)
    except KeyError:
        raise BadArchive("no manifest.json: not a GovPlan backup") from None
    handle = archive.extractfile(info)
    if handle is None:
        raise BadArchive("manifest.json is not a file")
    try:
        data = json.loads(handle.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadArchive(f"manifest.json is not JSON ({exc})") from None
    return Manifest.from_json(data)


def verify(archive: tarfile.TarFile) -> Manifest:
    """The manifest, once every member is checked against it: the same names (nothing
    missing, nothing added), only regular files at safe paths, each file's size and SHA-256
    as listed, the database copy present and every file the database refers to present.
    Reads the whole archive; raises BadArchive naming the first problem."""
    manifest = read_manifest(archive)
    listed = {m.name: m for m in manifest.members}
    if len(listed) != len(manifest.members):
        raise BadArchive("the manifest lists a file twice")
    if manifest.engine not in ("sqlite", "postgresql"):
        raise BadArchive(f"unknown database engine {manifest.engine!r}")
    if manifest.database_member not in listed:
        raise BadArchive("the archive holds no database copy")
    media = {m[len(MEDIA_PREFIX) :] for m in listed if m.startswith(MEDIA_PREFIX)}
    missing = sorted(set(manifest.referenced) - media)
    if missing:
        raise BadArchive(f"files the database refers to are missing: {', '.join(missing[:5])}")
    seen: set[str] = set()
    for info in archive:
        if info.name == MANIFEST:
            continue
        if not info.isfile():
            raise BadArchive(f"{info.name!r} is not a regular file")
        if not safe_member_name(info.name):
            raise BadArchive(f"{info.name!r} is outside the backup's folders")
        expected = listed.get(info.name)
        if expected is None:
            raise BadArchive(f"{info.name!r} is not in the manifest")
        if info.name in seen:
            raise BadArchive(f"{info.name!r} appears twice")
        seen.add(info.name)
        handle = archive.extractfile(info)
        assert handle is not None  # a regular file
        digest = hashlib.sha256()
        size = 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        if size != expected.size or digest.hexdigest() != expected.sha256:
            raise BadArchive(f"{info.name!r} does not match its checksum: altered or damaged")
    absent = sorted(set(listed) - seen)
    if absent:
        raise BadArchive(f"files listed in the manifest are missing: {', '.join(absent[:5])}")
    return manifest
