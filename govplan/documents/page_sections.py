"""The editor page's sections, each laid out once per content and kept in the cache.

Laying out a plan's 29 sections (their forms, indicators, grids, comments, attachments) was
most of the editor page's CPU (some 3,000 template lookups and 1,000 translations a view),
and a page is opened far more often than a section changes: an editor who saved a row
changes one section, an appraiser reading a submitted plan changes none. A section's HTML is
a function of its block (``presentation.section_block``, annotated by the panels with plain
data only: comments and attachments are dicts, not model instances) and of a few page-wide
values: the reader's variant (``editable``, agency, appraiser), the document (its id for the
URLs), the language, the time zone, the script prefix and the code that lays it out (the
templates, template tags and translations). So each section is kept under the digest of its
block, in one cache entry per document, variant and language: one read per view, one write
when a section changed (the entry then holds only the sections shown, so it does not grow).

The forms' CSRF token is per user: the cached HTML holds a marker, unguessable (derived from
SECRET_KEY), that each view replaces with its own token.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from govplan.documents.models import Document
from govplan.documents.presentation import document_revision
from govplan.webutils import helper_cache
from govplan.webutils.html import without_indentation

SECTION_TEMPLATE = "documents/_section.html"
SECTIONS_CACHE_SECONDS = 24 * 3600

_GOVPLAN = Path(__file__).resolve().parent.parent


def _template_files() -> list[Path]:
    """Every template: a section includes several, from more than one app."""
    return sorted(_GOVPLAN.glob("*/templates/**/*.html"))


def _code_files() -> list[Path]:
    """The code and translations a section is laid out with: its URLs, template tags,
    labels (the legal document types), the compiled translations."""
    return sorted([*_GOVPLAN.glob("**/*.py"), *_GOVPLAN.glob("locale/*/LC_MESSAGES/django.mo")])


@functools.cache
def _released_layout() -> str:
    """The contents of the templates and the code, read once per process (a deployment that
    changes any of them reads none of the sections the previous one laid out)."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=8)
    for path in [*_template_files(), *_code_files()]:
        digest.update(str(path.relative_to(_GOVPLAN)).encode() + b"\x1f")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def layout_revision() -> str:
    """The layout's revision. With DEBUG, also the templates' sizes and modification times
    at every call: the development server restarts when code changes, not when a template
    does, and an edited template shows at the next view."""
    if not settings.DEBUG:
        return _released_layout()
    digest = hashlib.blake2b(_released_layout().encode(), digest_size=8)
    for path in _template_files():
        stat = path.stat()
        digest.update(f"{path}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}\x1e".encode())
    return digest.hexdigest()


@functools.cache
def csrf_marker() -> str:
    """Where the cached HTML has the form's CSRF token (letters and digits only: the tag
    writes it as it is); a user cannot type it into a text, not knowing SECRET_KEY."""
    return "csrf" + salted_hmac("govplan.documents.page_sections", "csrf-marker").hexdigest()[:40]


def section_digest(block: Mapping[str, Any]) -> str:
    """The digest of what a section shows: its block written out canonically (by value and
    type, never by object identity, so that the same content has the same digest in every
    process and at every view)."""
    out: list[str] = []
    _canonical(block, out)
    return hashlib.blake2b(
        "".join(out).encode("utf-8", "surrogatepass"), digest_size=16
    ).hexdigest()


_SCALARS = (bool, int, float, Decimal, dt.date, dt.datetime, dt.time, type(None))


def _canonical(value: Any, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(f"s{len(value)}:")
        out.append(value)
    elif kind in _SCALARS:
        out.append(f"{kind.__name__}:{value!r};")
    elif kind is dict:
        out.append(f"d{len(value)}{{")
        for key, item in value.items():
            _canonical(key, out)
            _canonical(item, out)
        out.append("}")
    elif kind is list or kind is tuple:
        out.append(f"{kind.__name__}{len(value)}[")
        for item in value:
            _canonical(item, out)
        out.append("]")
    elif isinstance(value, Promise):  # a lazy translation: in the key's language
        _canonical(str(value), out)
    elif isinstance(value, str):  # a SafeString is laid out unescaped: its type counts
        out.append(f"{kind.__qualname__}{len(value)}:")
        out.append(str(value))
    elif isinstance(value, Enum):
        out.append(f"{kind.__qualname__}.{value.name};")
    elif dataclasses.is_dataclass(value):
        out.append(f"{kind.__module__}.{kind.__qualname__}(")
        for field in dataclasses.fields(value):
            out.append(field.name)
            _canonical(getattr(value, field.name), out)
        out.append(")")
    elif isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        out.append(f"{kind.__module__}.{kind.__qualname__}")
        _canonical(tuple(value), out)
    elif isinstance(value, (set, frozenset)):
        parts = []
        for item in value:
            written: list[str] = []
            _canonical(item, written)
            parts.append("".join(written))
        out.append(f"set{len(parts)}[{''.join(sorted(parts))}]")
    else:
        # A model instance or any other object could show more than its identity says:
        # the panels give the template plain data.
        raise TypeError(f"A section's block holds a {kind.__qualname__}: give plain data.")


def _entry_key(document: Document, variant: Mapping[str, bool]) -> str:
    return ":".join(
        (
            "govplan.sections",
            layout_revision(),
            document_revision(document),
            get_language() or "",
            timezone.get_current_timezone_name(),
            get_script_prefix(),
            "".join("1" if variant[name] else "0" for name in sorted(variant)),
        )
    )


def rendered_sections(
    request: HttpRequest,
    document: Document,
    blocks: Sequence[Mapping[str, Any]],
    *,
    editable: bool,
    wf: Mapping[str, Any],
    legal_types: Any,
) -> SafeString:
    """The sections' HTML for this view, from the cache where a section is unchanged."""
    variant = {
        "editable": editable,
        "is_agency": bool(wf.get("is_agency")),
        "is_appraiser": bool(wf.get("is_appraiser")),
    }
    key = _entry_key(document, variant)
    stored = helper_cache.get(key)
    if not isinstance(stored, dict):
        stored = {}
    template = get_template(SECTION_TEMPLATE)
    shown: dict[str, str] = {}
    parts: list[str] = []
    for block in blocks:
        digest = section_digest(block)
        html = stored.get(digest)
        if not isinstance(html, str):
            html = without_indentation(
                template.render(
                    {
                        "s": block,
                        "document": document,
                        "editable": editable,
                        "wf": variant,
                        "legal_types": legal_types,
                        "csrf_token": csrf_marker(),
                    }
                )
            )
        shown[digest] = html
        parts.append(html)
    if shown.keys() != stored.keys():
        helper_cache.put(key, shown, SECTIONS_CACHE_SECONDS)
    # The marker is letters and digits, never produced by escaping a user's text.
    return mark_safe("".join(parts).replace(csrf_marker(), get_token(request)))
