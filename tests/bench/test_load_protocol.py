"""The load benchmark (bench/load/) sends what the application answers: every address it
uses resolves to a declared view, and the very requests its users make (the same bodies,
tokens and page attributes, from bench/load/protocol.py) succeed for each role. So the
benchmark cannot silently measure redirects, 403s or 404s after the application changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import resolve

from bench.load import protocol
from govplan.access.policies import policy_of
from govplan.demo.documents import fill_for_demo
from govplan.documents.models import Entry
from govplan.workflow import actions
from govplan.workflow.explanations import do_explain
from govplan.workflow.validation import validate
from tests.conftest import PASSWORD, Cast

LOCUSTFILE = Path(__file__).resolve().parents[2] / "bench" / "load" / "locustfile.py"

pytestmark = pytest.mark.django_db


def test_every_request_resolves_to_a_declared_view() -> None:
    for name, (_method, address) in protocol.REQUESTS.items():
        match = resolve(protocol.path(name, 7).split("?")[0])
        assert policy_of(match.func) is not None, name


def test_the_locust_file_names_only_known_requests() -> None:
    used = set(re.findall(r'protocol\.path\(\s*"([^"]+)"', LOCUSTFILE.read_text("utf-8")))
    used |= set(re.findall(r'"(save row|save narrative|DOCX|PDF)"', LOCUSTFILE.read_text("utf-8")))
    assert used, "the locust file uses protocol.path"
    assert used <= set(protocol.REQUESTS), used - set(protocol.REQUESTS)
    # Every kind of request the benchmark reports is made by some user.
    assert set(protocol.REQUESTS) <= used | {"login page", "login"}
    assert {"code page", "code"} <= used, "the appraisers answer the code page"


def test_entries_are_read_in_any_attribute_order_and_from_a_grid_sent_as_data() -> None:
    page = (
        '<tr data-kind="row" data-revision="3" class="entry" data-key="row:projects:a1">'
        '<div data-key="narrative:II.1" data-revision="2">…</div>'
        '<div data-key="value:X" data-revision="9">'
        '<script type="application/json">[{"key": "row:projects:b2", "revision": 5}]</script>'
    )
    entries = protocol.page_entries(page)
    assert entries.rows == {"row:projects:a1": 3, "row:projects:b2": 5}
    assert entries.narratives == {"narrative:II.1": 2}


def test_the_benchmarks_codes_are_django_otps() -> None:
    from django_otp.oath import TOTP, totp

    assert protocol.totp(protocol.OTP_SECRET) == f"{totp(bytes.fromhex(protocol.OTP_SECRET)):06d}"
    for at in (0, 59, 1_790_000_000, 1_790_000_029.9):
        reference = TOTP(bytes.fromhex(protocol.OTP_SECRET))
        reference.time = at
        assert protocol.totp(protocol.OTP_SECRET, at) == f"{reference.token():06d}"


def _signed_in(username: str) -> Client:
    """Signed in as the locust users sign in: the login page's token, then the form; then,
    for a role that requires it, the code page answered with the benchmark's authenticator
    (which bench/load/dataset.py gives such accounts)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from govplan.accounts.models import User
    from govplan.accounts.second_factor import requires_second_factor

    user = User.objects.get(username=username)
    if requires_second_factor(user):
        TOTPDevice.objects.create(user=user, name="authenticator", key=protocol.OTP_SECRET)
    client = Client(enforce_csrf_checks=True)
    page = client.get(protocol.path("login page"))
    assert page.status_code == 200
    token = protocol.csrf_token(page.content.decode())
    assert token
    response = client.post(
        protocol.path("login"),
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, "signed in"
    home = client.get(protocol.path("home"))
    assert protocol.owes_code(home.get("Location", "")) == requires_second_factor(user)
    if protocol.owes_code(home.get("Location", "")):
        page = client.get(protocol.path("code page"))
        response = client.post(
            protocol.path("code"),
            {
                "token": protocol.totp(protocol.OTP_SECRET),
                "csrfmiddlewaretoken": protocol.csrf_token(page.content.decode()),
            },
        )
        assert response.status_code == 302, "the code was taken"
    return client


def _post_json(client: Client, name: str, pk: int, body: dict[str, object]) -> dict[str, object]:
    response = client.post(
        protocol.path(name, pk),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200, response.content[:500]
    data: dict[str, object] = response.json()
    return data


def test_an_editors_requests_save_what_they_send(cast: Cast, document_a) -> None:  # type: ignore[no-untyped-def]
    fill_for_demo(document_a, actor=cast.editor_a)
    editor = _signed_in("editor_a")
    page = editor.get(protocol.path("editor page", document_a.pk))
    assert page.status_code == 200
    entries = protocol.page_entries(page.content.decode())
    assert entries.rows and entries.narratives, "the page marks its rows and texts"

    row, row_base = next(iter(entries.rows.items()))
    saved = _post_json(editor, "save row", document_a.pk, protocol.row_save(row, row_base, "m-1"))
    assert saved["status"] == "saved"
    text, text_base = next(iter(entries.narratives.items()))
    body = protocol.narrative_save(text, text_base, "m-2")
    assert _post_json(editor, "save narrative", document_a.pk, body)["status"] == "saved"
    # What the benchmark then looks for: the acknowledged revision, holding the marker.
    stored = Entry.objects.get(document=document_a, key=row)
    assert stored.revision == saved["revision"]
    assert stored.content["cells"]["name"] == "m-1"
    assert "m-2" in Entry.objects.get(document=document_a, key=text).content["html"]

    assert editor.get(protocol.path("check", document_a.pk)).status_code == 200
    assert editor.get(protocol.path("home")).status_code == 200
    assert editor.get(protocol.path("DOCX", document_a.pk)).status_code == 200
    submit = editor.post(
        protocol.path("submit", document_a.pk),
        {"csrfmiddlewaretoken": editor.cookies["csrftoken"].value},
    )
    assert submit.status_code == 302  # to the editor, or to the check when refused


def test_an_appraisers_requests_open_the_queue_and_compare(cast: Cast, document_a) -> None:  # type: ignore[no-untyped-def]
    fill_for_demo(document_a, actor=cast.editor_a)
    warnings = {f.check_id: "Đã rà soát." for f in validate(document_a).warnings}
    if warnings:
        do_explain(document_a, warnings, actor=cast.editor_a)
    actions.do_transition(document_a, "submit", actor=cast.editor_a)
    actions.do_transition(document_a, "start_appraisal", actor=cast.appraiser)
    actions.do_transition(document_a, "return", actor=cast.appraiser, reason="Bổ sung.")
    actions.do_transition(document_a, "resubmit", actor=cast.editor_a)

    appraiser = _signed_in("appraiser")
    queue = appraiser.get(protocol.path("appraisal queue"))
    assert queue.status_code == 200
    assert f"/documents/{document_a.pk}/" in queue.content.decode()
    assert appraiser.get(protocol.path("home")).status_code == 200
    pk = document_a.pk
    assert appraiser.get(protocol.path("document (appraiser)", pk)).status_code == 200
    comparison = appraiser.get(protocol.path("compare revisions", pk))
    assert comparison.status_code == 200
    assert comparison.context["comparison"] is not None


def test_a_login_asked_to_wait_gets_in_when_the_user_tries_again(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    # As the benchmark's users: the 503 of the login admission says how long to wait, and
    # the same form (the same token) sent again then signs in.
    from govplan.accounts.admission import login_admission
    from tests.web.test_login_admission import held

    settings.LOGIN_ADMISSION_SLOTS = 1
    settings.LOGIN_ADMISSION_WAIT_MS = 0
    settings.LOGIN_RETRY_AFTER_SECONDS = 7
    client = Client(enforce_csrf_checks=True)
    token = protocol.csrf_token(client.get(protocol.path("login page")).content.decode())
    form = {"username": cast.editor_a.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    with held(login_admission()):
        busy = client.post(protocol.path("login"), form)
    assert busy.status_code == 503
    assert protocol.retry_after(busy.headers.get("Retry-After")) == 7
    assert client.post(protocol.path("login"), form).status_code == 302


def test_retry_after_is_read_safely() -> None:
    assert protocol.retry_after("5") == 5
    assert protocol.retry_after(None) == 5
    for hostile in ("Wed, 21 Oct 2026 07:28:00 GMT", "nan", "-3", "", "1e9"):
        assert 0 <= protocol.retry_after(hostile) <= 60, hostile


def test_only_a_reset_before_any_answer_is_sent_again() -> None:
    # requests wraps urllib3's ProtocolError("Connection aborted.", ConnectionResetError).
    class ProtocolError(Exception):
        pass

    class RemoteDisconnected(ConnectionError):
        pass

    wrapped = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    outer = OSError("wrapped")
    outer.__context__ = wrapped
    assert protocol.reset_before_answer(outer)
    assert protocol.reset_before_answer(RemoteDisconnected("closed without response"))
    assert not protocol.reset_before_answer(TimeoutError("read timed out"))
    assert not protocol.reset_before_answer(ConnectionRefusedError(111, "refused"))
    assert not protocol.reset_before_answer(None)
    assert protocol.is_retry(protocol.LOGIN_WAIT)
    assert protocol.is_retry(protocol.RETRIED + "editor page")
    assert not any(protocol.is_retry(name) for name in protocol.REQUESTS)
