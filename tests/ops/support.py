"""Installations of their own for the operations tests: each a folder (its var dir: the
SQLite file or nothing, media, trust roots) driven through ``manage.py`` in a process of its
own, exactly as an operator runs the commands."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEED = Path(__file__).resolve().parent / "seed.py"
# Pages, downloads and the audit chain as the restored installation serves them: printed as
# JSON by a process of that installation.
PROBE = """
import hashlib, json
from django.core.management import get_commands, call_command
from django.test import Client
from django.urls import reverse
from govplan.accounts.models import User
from govplan.documents.models import Attachment, Document
from govplan.official.models import ExportJob

plan = Document.objects.get(status="issued", signed_copy__isnull=False)
client = Client()
client.force_login(User.objects.get(username="bacninh.bientap"))
page = client.get(reverse("document_edit", args=[plan.pk]))
out = {"page": page.status_code, "title_shown": plan.title in page.content.decode()}
def digest(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, hashlib.sha256(body).hexdigest()
out["attachments"] = sorted(
    [a.original_name, *digest(client.get(reverse("document_attachment", args=[plan.pk, a.pk])))]
    for a in Attachment.objects.filter(document=plan)
)
out["signed_pdf"] = digest(client.get(reverse("document_pdf", args=[plan.pk])))
admin = Client()
admin.force_login(User.objects.get(username="quantri"))
# A central administrator's session has passed the demo authenticator's code.
from django_otp import DEVICE_ID_SESSION_KEY
from govplan.accounts import second_factor
session = admin.session
session[DEVICE_ID_SESSION_KEY] = second_factor.totp_device(
    User.objects.get(username="quantri")
).persistent_id
session.save()
job = ExportJob.objects.filter(state="done").latest("pk")
out["export"] = digest(admin.get(reverse("export_download", args=[job.pk])))
if "verify_audit_chain" in get_commands():
    call_command("verify_audit_chain")
    out["audit_chain"] = "verified"
print("PROBE " + json.dumps(out))
"""


@dataclass
class Installation:
    folder: Path
    database_url: str | None = None  # None: its own SQLite file
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def var(self) -> Path:
        return self.folder / "var"

    @property
    def media(self) -> Path:
        return self.var / "media"

    @property
    def trust_roots(self) -> Path:
        return self.var / "trust-roots"

    @property
    def sqlite(self) -> Path:
        return self.var / "govplan.sqlite3"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "MEDIA_ROOT", "GOVPLAN_TRUST_ROOTS")
        }
        env.update(
            DEBUG="1",
            GOVPLAN_TESTING="0",
            GOVPLAN_VAR_DIR=str(self.var),
            ALLOWED_HOSTS="testserver",
            TASKS_BACKEND="immediate",
            LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="govplan.settings",
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def manage(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return done

    def set_up_demo(self) -> None:
        """What `make run` sets up, then the seed: documents with versions, an attachment,
        an issued plan with its signed copy, audit entries, a finished batch export."""
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_reference_data", "-v0")
        self.manage("load_frameworks", "-v0")
        self.manage("load_demo", "-v0")
        done = self.manage("shell", stdin=SEED.read_text())
        assert "seeded" in done.stdout, done.stdout[-2000:]

    def probe(self) -> dict[str, Any]:
        done = self.manage("shell", stdin=PROBE)
        line = next(x for x in done.stdout.splitlines() if x.startswith("PROBE "))
        result: dict[str, Any] = json.loads(line.removeprefix("PROBE "))
        return result


OPERATIONS = ("backup.made", "backup.restore")


def without_operations(
    tables: dict[str, list[tuple[Any, ...]]],
) -> tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    """The tables without the audit entries of backups and restores themselves (written
    after the snapshot, or by the restore), and those entries. SQLite's id counters follow
    them, so they are left out too."""
    kept = {name: rows for name, rows in tables.items() if name != "sqlite_sequence"}
    audit = kept.get("audit_auditevent", [])
    operations = [row for row in audit if any(value in OPERATIONS for value in row)]
    kept["audit_auditevent"] = [row for row in audit if row not in operations]
    return kept, operations


def files_of(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sqlite_tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a stable order."""
    with sqlite3.connect(path) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {name: sorted(db.execute(f'SELECT * FROM "{name}"'), key=repr) for name in names}


def archived(
    archive: Path, folder: Path
) -> tuple[dict[str, list[tuple[Any, ...]]], dict[str, bytes]]:
    """What the archive holds: its database's tables (SQLite) and its stored files."""
    files: dict[str, bytes] = {}
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with tarfile.open(archive) as tar:
        for info in tar:
            handle = tar.extractfile(info)
            assert handle is not None
            if info.name.startswith("media/"):
                files[info.name.removeprefix("media/")] = handle.read()
            elif info.name == "database/govplan.sqlite3":
                copy = folder / "archived.sqlite3"
                copy.write_bytes(handle.read())
                tables = sqlite_tables(copy)
    return tables, files


def rewrite_archive(
    source: Path,
    target: Path,
    change: Callable[[str, bytes], bytes | None],
    extra: dict[str, bytes] | None = None,
    manifest: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    renames: dict[str, str] | None = None,
) -> None:
    """A copy of the archive whose members ``change`` rewrites (None drops one), with
    ``extra`` members added and the manifest edited by ``manifest``."""
    with tarfile.open(source, "r:*") as old, tarfile.open(target, "w:gz") as new:
        for info in old:
            handle = old.extractfile(info)
            assert handle is not None
            data = handle.read()
            if info.name == "manifest.json" and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            else:
                changed = change(info.name, data)
                if changed is None:
                    continue
                data = changed
            info.size = len(data)
            info.name = (renames or {}).get(info.name, info.name)
            new.addfile(info, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
