"""Files in Django's storage (the local folder MEDIA_ROOT, or an S3-compatible bucket shared
by every application server, docs/deployment.md) handled without assuming a local path."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage


def walk(prefix: str = "", storage: Storage | None = None) -> Iterator[str]:
    """Every file's name under ``prefix`` (a folder, "" for all), depth first, sorted."""
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    base = f"{prefix.rstrip('/')}/" if prefix else ""
    for name in sorted(files):
        yield base + name
    for folder in sorted(folders):
        yield from walk(base + folder, storage)


def put(name: str, source: IO[bytes], storage: Storage | None = None) -> None:
    """``source`` stored as ``name``, replacing what was there, never half-written: on a local
    folder written beside it under a temporary name, flushed and renamed; on an object store
    one upload, which the store makes visible whole or not at all."""
    storage = storage or default_storage
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return
    # django-storages' S3 storage overwrites the key (AWS_S3_FILE_OVERWRITE, on by default):
    # the name asked for is the name stored.
    stored = storage.save(name, File(source, name=os.path.basename(name)))
    if stored != name:  # another backend renamed it: not what the caller relies on
        storage.delete(stored)
        raise OSError(f"storage stored {name!r} as {stored!r}")


def delete_tree(prefix: str, storage: Storage | None = None) -> int:
    """Delete every file under the folder ``prefix`` (and, on a local folder, the folders).
    Returns how many files went."""
    storage = storage or default_storage
    names = list(walk(prefix, storage))
    for name in names:
        storage.delete(name)
    if isinstance(storage, FileSystemStorage):
        shutil.rmtree(storage.path(prefix), ignore_errors=True)
    return len(names)
