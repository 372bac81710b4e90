"""One node's fingerprint: a digest of its security-relevant settings and of its trust roots,
so that operators can check every application server and worker runs with the same ones
(``manage.py node_fingerprint``, docs/deployment.md). Secrets enter only as their digest,
and nothing identifying the node itself (its name, its addresses) enters at all."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.functional import LazyObject, Promise

from govplan.ops.backup import govplan_version

# Settings named with one of these prefixes, or listed, are security-relevant; so is any
# setting a later change adds under the same prefixes (two-factor, rate limits, the audit
# sink…), without touching this file.
PREFIXES = (
    "ACCOUNT_",
    "ALLOWED_",
    "AUDIT_",
    "AUTH",
    "AXES_",
    "CSRF_",
    "DATA_UPLOAD_",
    "EMAIL_",
    "FILE_UPLOAD_",
    "GOVPLAN_",
    "IMPORT_",
    "LOGIN_",
    "OTP_",
    "PASSWORD_",
    "RATELIMIT",
    "RATE_",
    "SECURE_",
    "SESSION_",
    "SIGNATURE_",
    "STORAGE",
    "TRUST",
    "TWO_FACTOR",
    "ATTACHMENT_",
    "CLAMD",
    "EXPORT_",
)
LISTED = (
    "CACHES",
    "CONTENT_SECURITY_POLICY",
    "DATABASES",
    "DEBUG",
    "DEMO",
    "INSTALLED_APPS",
    "LANGUAGE_CODE",
    "MIDDLEWARE",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "SITE_URL",
    "TASKS",
    "TIME_ZONE",
    "X_FRAME_OPTIONS",
)
# Values of these are replaced by their digest (keys of dictionaries too, e.g. DATABASES).
SECRET_WORDS = ("SECRET", "PASSWORD", "PASSPHRASE", "TOKEN", "ACCESS_KEY")
NOT_SECRET = {"AUTH_PASSWORD_VALIDATORS", "PASSWORD_HASHERS", "PASSWORD_RESET_TIMEOUT"}
# Where the node keeps its own files: expected to differ between nodes, not part of the
# comparison (the trust roots' content is, below).
NODE_LOCAL = {"TRUST_ROOTS_DIR", "GOVPLAN_VAR_DIR"}


def _secret(name: str) -> bool:
    upper = name.upper()
    return upper not in NOT_SECRET and any(word in upper for word in SECRET_WORDS)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain(value: Any, name: str = "") -> Any:
    """A JSON-able form of a setting's value, secrets as digests."""
    if isinstance(value, Promise | LazyObject):  # lazy (a translation, django-axes'): its text
        value = str(value)
    if _secret(name) and value not in (None, "", [], ()):
        return "sha256:" + _digest(json.dumps(_plain(value), sort_keys=True, default=str).encode())
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda item: str(item[0]))
        return {str(k): _plain(v, str(k)) for k, v in ordered}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if type(value) in (str, int, float, bool) or value is None:
        return value
    return str(value)


def relevant_settings() -> dict[str, Any]:
    names = sorted(
        name
        for name in dir(settings)
        if name.isupper()
        and name not in NODE_LOCAL
        and (name in LISTED or name.startswith(PREFIXES))
    )
    return {name: _plain(getattr(settings, name), name) for name in names}


def trust_root_digests() -> dict[str, str]:
    roots = Path(settings.TRUST_ROOTS_DIR)
    if not roots.is_dir():
        return {}
    return {
        path.relative_to(roots).as_posix(): _digest(path.read_bytes())
        for path in sorted(roots.rglob("*"))
        if path.is_file()
    }


@dataclass
class Fingerprint:
    version: str
    settings: dict[str, Any]
    trust_roots: dict[str, str]

    @property
    def settings_digest(self) -> str:
        return _digest(json.dumps(self.settings, sort_keys=True).encode())

    @property
    def trust_roots_digest(self) -> str:
        return _digest(json.dumps(self.trust_roots, sort_keys=True).encode())

    @property
    def digest(self) -> str:
        whole = {"version": self.version, "settings": self.settings, "trust": self.trust_roots}
        return _digest(json.dumps(whole, sort_keys=True).encode())

    def lines(self) -> list[str]:
        """One line per item, to compare two nodes with ``diff``."""
        out = [f"version {self.version}"]
        out += [
            f"setting {name} {_digest(json.dumps(value, sort_keys=True).encode())[:16]}"
            for name, value in self.settings.items()
        ]
        out += [f"trust-root {name} {digest[:16]}" for name, digest in self.trust_roots.items()]
        return out


def fingerprint() -> Fingerprint:
    return Fingerprint(govplan_version(), relevant_settings(), trust_root_digests())
