"""What the load benchmark's users send and read: the same addresses, JSON bodies and page
attributes as the editor page's JavaScript (govplan/documents/static/documents/editor.js).

Plain Python, importing neither Django nor locust: the locust file sends these requests, and
tests/bench/test_load_protocol.py sends the very same ones through Django's test client with
each role, so the benchmark cannot silently drift from the application.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import struct
import time
from dataclasses import dataclass

PASSWORD = "govplan-load-2027"  # every benchmark account's; a local data set, nothing real
# The authenticator secret (hex, as django-otp stores it) of every benchmark account whose role
# requires two-factor authentication (appraisers, the administrator): bench/load/dataset.py
# gives them a device with it, and the users answer the code page with totp() of it.
OTP_SECRET = b"govplan-load-2fa-key".hex()

# Every request the benchmark makes, by the name it is reported under: (method, path).
# {pk} is a document; the test resolves each path with Django's resolver.
REQUESTS: dict[str, tuple[str, str]] = {
    "login page": ("GET", "/login/"),
    "login": ("POST", "/login/"),
    "code page": ("GET", "/account/verify/"),
    "code": ("POST", "/account/verify/"),
    "home": ("GET", "/"),
    "editor page": ("GET", "/documents/{pk}/"),
    "save row": ("POST", "/documents/{pk}/api/save/"),
    "save narrative": ("POST", "/documents/{pk}/api/save/"),
    "check": ("GET", "/documents/{pk}/api/check/"),
    "submit": ("POST", "/documents/{pk}/workflow/submit/"),
    "appraisal queue": ("GET", "/appraisal/"),
    "document (appraiser)": ("GET", "/documents/{pk}/"),
    "compare revisions": ("GET", "/documents/{pk}/revisions/?a=1&b=2"),
    "DOCX": ("GET", "/documents/{pk}/official.docx"),
    "PDF": ("GET", "/documents/{pk}/official.pdf"),
}

# The kinds of request that save (their acknowledgements are checked afterwards).
SAVES = ("save row", "save narrative")

# What a browser and the person at it do that is not an error, reported apart from the
# requests above (bench/load/run.py prints them as retries, outside the overall figures):
# - a login answered 503 "too many logins at once" (the login admission) with Retry-After:
#   the person waits that long (give or take: not the whole crowd at the same second) and
#   logs in again; each such answer is reported under LOGIN_WAIT;
# - the time from the first login attempt to being in, waits included, under LOGIN_UNTIL_IN;
# - a GET whose kept-alive connection the server closed as it was sent (a reset, no answer
#   at all): a browser sends it again once on a new connection; the first attempt is
#   reported as RETRIED + its name;
# - a save that got no answer at all (the connection closed or reset): the editor's script
#   marks the entry "offline" and sends it again five seconds later (editor.js), and so do
#   the simulated editors, once; the first attempt is reported as RETRIED + its name and a
#   second failure is an error. A save is only counted as acknowledged on its answer.
LOGIN_WAIT = "login: asked to wait (503)"
LOGIN_UNTIL_IN = "login, waits included"
RETRIED = "retried after a reset: "
RETRY_NAMES = (LOGIN_WAIT, LOGIN_UNTIL_IN)
MAX_LOGIN_ATTEMPTS = 20  # a person gives up after some minutes: then it is an error


def is_retry(name: str) -> bool:
    """Whether a reported name is one of the retries above rather than a request."""
    return name in RETRY_NAMES or name.startswith(RETRIED)


def reset_before_answer(error: BaseException | None) -> bool:
    """Whether a request failed because its connection was reset or closed before any answer
    (the server closed a kept-alive connection as the request was sent): what a browser
    sends again on a new connection."""
    pending: list[BaseException] = [error] if error is not None else []
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionResetError | ConnectionAbortedError):
            return True
        if type(current).__name__ == "RemoteDisconnected":  # http.client's
            return True
        # requests and urllib3 wrap the cause in their own errors, as context or argument.
        pending += [e for e in (current.__context__, current.__cause__) if e is not None]
        pending += [a for a in current.args if isinstance(a, BaseException)]
    return False


def retry_after(value: str | None, default: float = 5.0) -> float:
    """Seconds to wait from a Retry-After header (seconds; an HTTP date or nonsense: the
    default), at most a minute."""
    try:
        seconds = float(value) if value is not None else default
    except ValueError:
        seconds = default
    if seconds != seconds or seconds < 0:  # NaN
        seconds = default
    return min(seconds, 60.0)


# What the editor page marks as an entry, as editor.js reads it: an element with data-key and
# data-revision (in any order), or, for a grid sent as data, a JSON object with "key" and
# "revision".
_TAG = re.compile(r'<[^<>]*\bdata-key="(?:row|narrative):[^"]*"[^<>]*>')
_KEY = re.compile(r'\bdata-key="(?P<key>[^"]+)"')
_REVISION = re.compile(r'\bdata-revision="(?P<revision>\d+)"')
_JSON_ENTRY = re.compile(
    r'"key":\s*"(?P<key>(?:row|narrative):[^"]+)",\s*"revision":\s*(?P<revision>\d+)'
)
# A table's rows arrive as data (documents/templatetags/editor_tags.py, grid_rows): its block
# names the container the row keys are under, its <script> lists [uid, revision, ...] by group.
_GRID = re.compile(
    r'class="grid-block rows-block" data-container="(?P<container>[^"]+)"'
    r'(?:(?!class="grid-block).)*?'
    r'<script type="application/json" class="grid-data">(?P<data>.*?)</script>',
    re.S,
)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"')


def totp(hex_key: str, at: float | None = None) -> str:
    """The current code of an authenticator (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits), as
    django_otp.oath.totp computes it (tests/bench/test_load_protocol.py checks they agree)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def owes_code(location: str) -> bool:
    """Whether the login's redirect goes to the code page (an account with a second factor)."""
    return location.split("?", 1)[0] == REQUESTS["code page"][1]


def path(name: str, pk: int | None = None) -> str:
    return REQUESTS[name][1].replace("{pk}", str(pk))


def csrf_token(page: str) -> str:
    match = _CSRF.search(page)
    return match.group("token") if match else ""


@dataclass
class PageEntries:
    """The rows and narrative texts of a document as its editor page shows them."""

    rows: dict[str, int]  # key -> revision
    narratives: dict[str, int]


def page_entries(page: str) -> PageEntries:
    rows: dict[str, int] = {}
    narratives: dict[str, int] = {}
    found: list[tuple[str, int]] = []
    for tag in _TAG.finditer(page):
        key, revision = _KEY.search(tag.group()), _REVISION.search(tag.group())
        if key and revision:
            found.append((key.group("key"), int(revision.group("revision"))))
    found += [(m.group("key"), int(m.group("revision"))) for m in _JSON_ENTRY.finditer(page)]
    for grid in _GRID.finditer(page):
        for _group, members in json.loads(grid.group("data")):
            found += [(f"{grid.group('container')}:{m[0]}", int(m[1])) for m in members]
    for key, revision in found:
        (rows if key.startswith("row:") else narratives)[key] = revision
    return PageEntries(rows, narratives)


def row_save(key: str, base: int, marker: str) -> dict[str, object]:
    """A project row's name retyped: the page sends the cells that changed."""
    return {"key": key, "base": base, "content": {"cells": {"name": marker}}}


def narrative_save(key: str, base: int, marker: str, words: int = 900) -> dict[str, object]:
    """A narrative text as the page sends it: the whole HTML of the section (some 900 words,
    a province's 20,000 words over its 22 narrative sections), ending with the marker."""
    sentence = (
        "Tiếp tục hoàn thiện thể chế, cơ chế, chính sách phục vụ chuyển đổi số trên địa bàn, "
        "bảo đảm kết nối thông suốt từ tỉnh đến cấp xã."
    )
    per_paragraph = 6
    paragraphs = max(1, words // (len(sentence.split()) * per_paragraph))
    body = "".join(f"<p>{' '.join([sentence] * per_paragraph)}</p>" for _ in range(paragraphs))
    return {"key": key, "base": base, "content": {"html": f"{body}<p>{marker}</p>"}}
