"""The POST half of the permission matrix: every view × every member of the cast, checked
against the one declared table (tests/access/policy_table.py), by effect and not by status
alone.

Each request runs in a savepoint rolled back after it is judged, so every member of the cast
meets the same state. Judged on each:

- the status is the one the table declares (a redirect to the login page for ``LOGIN``);
- ``WRITES``: something changed: a row count, an audit entry of the action, or the view's own
  probe (a notification read, the language cookie);
- every other outcome: no row count changed and no audit entry was written other than one
  recording the refusal itself; ``FORM_ERROR`` also shows a validation message.

Then: a POST without a CSRF token is refused (403) for every state-changing view, for the
member allowed to write and for anonymous, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY

from govplan.accounts.models import User
from govplan.accounts.second_factor import current_code
from govplan.accounts.views import PENDING_KEY
from govplan.audit.models import Action, AuditEvent
from govplan.demo import pki
from govplan.documents.actions import do_add_entry, do_cite_new_legal_document
from govplan.documents.tables_xlsx import do_preview_import, export_tables
from govplan.frameworks.models import FrameworkVersion, LegalDocument
from govplan.orgunits.models import OrgUnit
from govplan.usersessions.models import UserSession
from govplan.workflow.models import Notification
from tests.access import programme_walk
from tests.access.policy_table import (
    LOGIN,
    MESSAGE,
    POST_EXPECTED,
    READ_ON_POST,
    UNAUTHORISED,
    UNCHANGED,
    WRITES,
    Outcome,
)
from tests.access.test_fuzz_inputs import (
    Form,
    Fuzz,
    World,
    build_world,
    discovered_forms,
    url_for,
)
from tests.access.test_url_walk import EXPECTED, bac_giang, walk
from tests.conftest import EVERY_FEATURE, PASSWORD, Cast, example_version
from tests.support.hostile_files import clean_pdf
from tests.support.issuing import register
from tests.support.otp import TEST_SECRET, authenticator_for

pytestmark = pytest.mark.django_db

CSRF_TOKEN = "proofproofproofproofproofproof12"  # 32 characters: an unmasked secret
NEW_PASSWORD = "Khong-doan-duoc-7419-xanh"
# Audit actions that record a refusal, not a change (the audit lane records denials).
REFUSAL_ACTIONS = ("access.", "login.failure", "denied")
# What a view that only reads may still record: the audit trail's entry of a refusal or of a
# download (issue 16 item 7), and the queue row of an official file made on demand. Nothing else.
READ_RECORDS = frozenset({Action.ACCESS_DENIED.value, Action.DOWNLOAD.value, "official.render"})
# Rows that change with no state change of the application: sessions, django-axes' logs.
NOT_STATE = {"sessions.Session", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}


def counted_models() -> list[Any]:
    return [
        m
        for m in apps.get_models()
        if m._meta.label not in NOT_STATE
        and m is not AuditEvent
        and not m._meta.proxy
        and m._meta.managed
    ]


def fingerprint(models: list[Any]) -> tuple[int, ...]:
    """The row count of every table of the application, in one query."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


def changes(models: list[Any], before: tuple[int, ...], after: tuple[int, ...]) -> list[str]:
    return [
        f"{m._meta.label} {b}→{a}" for m, b, a in zip(models, before, after, strict=True) if a != b
    ]


# --- what each view is sent ------------------------------------------------------------------


@dataclass
class Request:
    url: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    files: dict[str, SimpleUploadedFile] = field(default_factory=dict)
    json: Any = None
    # Effects that write no row: read from the response (a cookie) or the database.
    probe: Callable[[HttpResponse], Any] | None = None
    # Puts this member's session or account in the state the view acts on, just before the
    # request and inside its savepoint; returns fields made at that moment (a current code).
    prepare: Callable[[Client, User | None], list[tuple[str, str]]] | None = None
    # Audit entries that are not this view's effect (a wrong code recorded is not the code
    # accepted): left out when judging whether it wrote.
    not_the_effect: frozenset[str] = frozenset()

    def send(
        self, client: Client, *, token: bool = True, extra: list[tuple[str, str]] | None = None
    ) -> HttpResponse:
        fields = self.fields + (extra or [])
        headers = {"HTTP_X_CSRFTOKEN": CSRF_TOKEN} if token else {}
        client.cookies["csrftoken"] = CSRF_TOKEN
        if "messages" in client.cookies:  # a message left by the previous request
            del client.cookies["messages"]
        if self.json is not None:
            body = self.json if isinstance(self.json, str) else json.dumps(self.json)
            return client.post(self.url, body, content_type="application/json", **headers)
        if self.files:
            data: dict[str, Any] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            for name, upload in self.files.items():
                upload.seek(0)
                data[name] = upload
            return client.post(self.url, data, **headers)
        body = "&".join(f"{_q(k)}={_q(v)}" for k, v in fields)  # several values of one name kept
        return client.post(
            self.url, body, content_type="application/x-www-form-urlencoded", **headers
        )


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


def merged(form: Form | None, **overrides: str) -> list[tuple[str, str]]:
    """The page's form as it fills it, with some fields set."""
    fields = [(k, v) for k, v in (form.fields if form else []) if k not in overrides]
    return fields + list(overrides.items())


@dataclass
class Setup:
    world: World
    forms: dict[str, Form]
    requests: dict[str, Request]


def unread_notifications() -> int:
    return Notification.objects.filter(read_at__isnull=True).count()


# --- the account's own steps (issue 16): each member is put where the step acts ----------------

# The authenticator a member sets up on the enrolment page: its secret waits in the session.
ENROL_SECRET = "00112233445566778899aabbccddeeff00112233"
EDITOR_A_EMAIL = "editor_a@bacninh.gov.vn"


def password_typed_code_owed(client: Client, user: User | None) -> list[tuple[str, str]]:
    """Signed in with the password, the authenticator's code not yet typed in this session;
    the code the app shows now."""
    if user is not None:
        session = client.session
        session.pop(DEVICE_ID_SESSION_KEY, None)
        session.save()
    return [("token", current_code(TEST_SECRET))]


def session_verified(response: HttpResponse) -> bool | None:
    request = getattr(response, "wsgi_request", None)
    return bool(request.user.is_verified()) if request is not None else None


def enrolment_started(client: Client, user: User | None) -> list[tuple[str, str]]:
    """The enrolment page was shown (its secret is in the session); the app's current code."""
    session = client.session
    session[PENDING_KEY] = ENROL_SECRET
    session.save()
    return [("token", current_code(ENROL_SECRET))]


def another_session(client: Client, user: User | None) -> list[tuple[str, str]]:
    """The member is signed in in another browser too: that session is the one to end."""
    if user is not None:
        now = timezone.now()
        UserSession.objects.create(
            session_key=f"other-{user.pk}", user=user, started_at=now, last_activity=now
        )
    return []


def password_change_owed(client: Client, user: User | None) -> list[tuple[str, str]]:
    """An administrator set this member's password: they must choose their own."""
    if user is not None:
        User.objects.filter(pk=user.pk).update(must_change_password=True)
    return []


def reset_link_opened(client: Client, user: User | None) -> list[tuple[str, str]]:
    """Whoever holds editor_a's e-mailed link opened it: Django keeps its token in the session
    and sends the browser on to the set-password address this request goes to."""
    session = client.session
    session[INTERNAL_RESET_SESSION_TOKEN] = default_token_generator.make_token(
        User.objects.get(username="editor_a")
    )
    session.save()
    return []


def reset_limits_fresh(client: Client, user: User | None) -> list[tuple[str, str]]:
    """Each member meets the same hourly limit of reset requests (kept in the cache, which
    no savepoint rolls back): none made yet."""
    cache.clear()
    return []


def mails_sent(response: HttpResponse) -> int:
    return len(mail.outbox)


def build_requests(cast: Cast, world: World, tmp_path: Any, settings: Any) -> dict[str, Request]:
    fuzz = Fuzz(cast)
    found = discovered_forms(fuzz, world)
    forms = {name: entries[0][1] for name, entries in found.items()}
    spec = world.draft.framework_version.parsed()
    narrative_key = world.kwargs["document_entry_history"][1]["key"]
    table = next(t for _s, t in spec.tables())
    first_row = do_add_entry(
        world.draft, f"row:{table.code}", {"cells": {}}, actor=cast.editor_a, locale="vi"
    )
    second_row = do_add_entry(
        world.draft, f"row:{table.code}", {"cells": {}}, actor=cast.editor_a, locale="vi"
    )
    legal_section = next(s for s in spec.walk() if s.legal_basis is not None)
    # The table changed since build_world's preview: preview again, so that applying acts.
    fresh_batch = do_preview_import(
        world.draft,
        export_tables(world.draft),
        filename="bang.xlsx",
        actor=cast.editor_a,
        locale="vi",
    ).batch
    assert fresh_batch is not None
    # A legal document an editor cited that the catalogue lacks: a proposal to review.
    do_cite_new_legal_document(
        world.draft,
        legal_section.code,
        number="7/2099/QĐ-UBND",
        issuer="UBND tỉnh Bắc Ninh",
        title="Quyết định đề xuất",
        doc_type="decision",
        date=None,
        actor=cast.editor_a,
    )
    proposal = LegalDocument.objects.latest("pk")
    plan_2011 = FrameworkVersion.objects.get(framework__code="KH-UDCNTT-2011-2015")
    another_framework = (
        EVERY_FEATURE.read_text()
        .replace("code: TEST-EVERY-FEATURE-2027", "code: TEST-PROOF-UPLOAD-2027", 1)
        .encode()
    )
    # Signers: a certification authority the server trusts, the approver's certificate
    # registered (to withdraw) and another to register.
    ca_key, ca = pki.make_ca(key_kind="ec")
    _key, cert = pki.make_signer(ca_key, ca, common_name="Phạm Minh Lãnh", key_kind="ec")
    _key2, cert2 = pki.make_signer(ca_key, ca, common_name="Phạm Minh Lãnh", key_kind="ec")
    (tmp_path / "root.pem").write_bytes(pki.pem(ca))
    settings.TRUST_ROOTS_DIR = tmp_path
    certificate = register(cast.approver_a, cast.province_a, cert)
    for user in cast.users().values():
        if user is not None:
            Notification.objects.create(user=user, text="Có việc mới")

    def url(view: str, **kwargs: Any) -> str:
        return reverse(view, kwargs=kwargs) if kwargs else url_for(view, world)

    def form(view: str, **overrides: str) -> Request:
        page_form = forms.get(view)
        return Request(page_form.action if page_form else url(view), merged(page_form, **overrides))

    doc = {"pk": world.draft.pk}
    # editor_a, whose role does not require it, has set up an authenticator (to turn off, or
    # to be reset by an administrator), and an address to receive a reset link.
    authenticator_for(cast.editor_a)
    User.objects.filter(pk=cast.editor_a.pk).update(email=EDITOR_A_EMAIL)
    # editor_a is signed in in another browser: the session only editor_a may end.
    now = timezone.now()
    editor_a_other_session = UserSession.objects.create(
        session_key="editor-a-elsewhere", user=cast.editor_a, started_at=now, last_activity=now
    )
    reset_kwargs = {"uidb64": urlsafe_base64_encode(force_bytes(cast.editor_a.pk))}
    # A real, clean PDF: the upload check refuses a damaged one (issue 16).
    pdf = SimpleUploadedFile("bang-chung.pdf", clean_pdf(), "application/pdf")
    requests: dict[str, Request] = {
        "login": Request(url("login"), [("username", "editor_a"), ("password", PASSWORD)]),
        "logout": Request(url("logout")),
        "set_language": Request(
            url("set_language"),
            [("language", "en"), ("next", "/")],
            probe=lambda r: r.cookies.get("django_language") is not None,
        ),
        "profile": Request(
            url("profile"),
            [
                ("old_password", PASSWORD),
                ("new_password1", NEW_PASSWORD),
                ("new_password2", NEW_PASSWORD),
            ],
        ),
        "notifications": Request(url("notifications"), probe=lambda r: unread_notifications()),
        # The second factor and the password, the member's own (issue 16).
        "otp_verify": Request(
            url("otp_verify"),
            prepare=password_typed_code_owed,
            probe=session_verified,
            not_the_effect=frozenset({Action.OTP_FAILURE.value}),
        ),
        "otp_enrol": Request(url("otp_enrol"), prepare=enrolment_started),
        "otp_recovery_codes": Request(url("otp_recovery_codes")),
        "otp_disable": Request(url("otp_disable")),
        "session_end": Request(url("session_end", pk=editor_a_other_session.pk)),
        "sessions_end_others": Request(url("sessions_end_others"), prepare=another_session),
        "password_change_required": Request(
            url("password_change_required"),
            [
                ("old_password", PASSWORD),
                ("new_password1", NEW_PASSWORD),
                ("new_password2", NEW_PASSWORD),
            ],
            prepare=password_change_owed,
        ),
        "password_reset": Request(
            url("password_reset"),
            [("email", EDITOR_A_EMAIL)],
            prepare=reset_limits_fresh,
            probe=mails_sent,
        ),
        "password_reset_confirm": Request(
            url("password_reset_confirm", **reset_kwargs, token="set-password"),
            [("new_password1", NEW_PASSWORD), ("new_password2", NEW_PASSWORD)],
            prepare=reset_link_opened,
        ),
        "user_reset_second_factor": Request(url("user_reset_second_factor")),
        "unit_create": form(
            "unit_create",
            kind="department",
            scheme="govplan",
            code="PROOF-1",
            name="Sở Thử nghiệm",
            parent_id=str(cast.province_a.pk),
            valid_from="2026-01-01",
        ),
        "unit_edit": form("unit_edit", kind="province", short_name="Bắc Ninh (thử)"),
        "user_create": form("user_create", username="nguoi_moi", full_name="Người Mới"),
        "user_edit": form("user_edit", full_name="Tên Đã Đổi"),
        "user_set_password": Request(url("user_set_password"), [("password", NEW_PASSWORD)]),
        "membership_add": Request(
            url("membership_add"), [("org_unit", str(cast.province_b.pk)), ("role", "viewer")]
        ),
        "membership_revoke": Request(url("membership_revoke")),
        "framework_upload": Request(
            url("framework_upload"),
            files={"file": SimpleUploadedFile("khung.yaml", another_framework)},
        ),
        "framework_edit": form("framework_edit"),
        "framework_publish": form("framework_publish"),
        "framework_clone": form("framework_clone"),
        "framework_new_version": Request(url("framework_new_version")),
        "catalogue_upload": Request(url("catalogue_upload"), [("text", "")]),
        "legal_add": form(
            "legal_add",
            code="ND-99-2099",
            doc_type="decree",
            number="99/2099/NĐ-CP",
            date="2026-01-01",
            issuer="Chính phủ",
            title="Nghị định thử nghiệm",
        ),
        "legal_edit": form("legal_edit", doc_type="law", title="Luật Công nghệ thông tin (sửa)"),
        "legal_status": Request(url("legal_status"), [("action", "retire")]),
        "legal_review": Request(
            url("legal_review", pk=proposal.pk), [("action", "accept"), ("reason", "")]
        ),
        # The old Bắc Giang's 2011-2015 plan: a unit that no longer exists, which province
        # A succeeded (province A's own 2027 plan exists already).
        "document_create": Request(
            url("document_create"),
            [("unit", str(bac_giang().pk)), ("version", str(plan_2011.pk))],
        ),
        "document_entry_save": Request(
            url("document_entry_save", **doc),
            json={"key": narrative_key, "base": 1, "content": {"html": "<p>Đã sửa</p>"}},
        ),
        "document_entry_add": Request(
            url("document_entry_add", **doc),
            json={"container": f"row:{table.code}", "content": {"cells": {}}},
        ),
        "document_entry_delete": Request(
            url("document_entry_delete", **doc),
            json={"key": first_row.key, "base": first_row.revision},
        ),
        "document_entry_move": Request(
            url("document_entry_move", **doc), json={"key": first_row.key, "after": second_row.key}
        ),
        "document_section_save": Request(
            url("document_section_save"),
            [("narrative", "<p>Đoạn mới</p>"), ("narrative_base", "1")],
        ),
        "document_entry_restore": Request(
            url("document_entry_restore"), [("key", narrative_key), ("revision", "1")]
        ),
        "document_table_restore": Request(
            url("document_table_restore"), [("at", "2020-01-01T10:00")]
        ),
        "document_import": Request(
            url("document_import"),
            files={"file": SimpleUploadedFile("bang.xlsx", export_tables(world.draft))},
        ),
        "document_import_apply": Request(
            url("document_import_apply", **doc, batch_id=fresh_batch.pk)
        ),
        "document_attach": Request(
            url("document_attach"), [("description", "Biên bản")], files={"file": pdf}
        ),
        "document_attachment_remove": Request(url("document_attachment_remove")),
        "document_legal_new": Request(
            url("document_legal_new", **doc, code=legal_section.code),
            [
                ("legal_number", "15/2099/QĐ-UBND"),
                ("legal_issuer", "UBND tỉnh Bắc Ninh"),
                ("legal_title", "Quyết định thử nghiệm"),
                ("legal_type", "decree"),
            ],
        ),
        "document_fill_rows": Request(url("document_fill_rows")),
        "document_take_sum": Request(
            url("document_take_sum"), [("indicator", "DVC.TONG_SO"), ("base", "0")]
        ),
        "document_check": form("document_check", **{"explain::R-LAN": "Lý do"}),
        "document_issuing": form("document_issuing"),
        "unit_issuing_profile": form("unit_issuing_profile", mode="direct"),
        "document_sign": Request(url("document_sign"), [("number", "12")]),
        "document_issue": Request(url("document_issue"), [("number", "12")]),
        "document_pdf_to_sign": Request(url("document_pdf_to_sign", **doc)),
        "unit_signers": Request(
            url("unit_signers", pk=cast.province_a.pk),
            [("user", str(cast.approver_a.pk))],
            files={"certificate": SimpleUploadedFile("ky.cer", pki.pem(cert2))},
        ),
        "unit_signer_withdraw": Request(
            url("unit_signer_withdraw", pk=cast.province_a.pk, certificate_id=certificate.pk)
        ),
        "document_file_retry": Request(
            url("document_file_retry", **world.kwargs_rendered_file)  # type: ignore[attr-defined]
        ),
        "document_transition": Request(url("document_transition"), [("reason", "Chưa đạt")]),
        "document_comment": Request(
            url("document_comment"), [("section", "I"), ("text", "Bổ sung số liệu năm 2026.")]
        ),
        "document_comment_reply": Request(url("document_comment_reply"), [("text", "Đã bổ sung.")]),
        "document_comment_resolve": Request(url("document_comment_resolve"), [("resolved", "1")]),
        "document_checklist": Request(
            url("document_checklist"), [("item-0", "on"), ("note-0", "Đạt")]
        ),
        "opinion_ask": Request(
            url("opinion_ask"),
            [
                ("agency", str(OrgUnit.objects.with_code("govplan", "BTC").get().pk)),
                ("question", "Đề nghị Bộ Tài chính cho ý kiến."),
                ("deadline", (timezone.localdate() + dt.timedelta(days=5)).isoformat()),
            ],
        ),
        "opinion_withdraw": Request(url("opinion_withdraw"), [("reason", "Không cần nữa")]),
        "opinion_remind": Request(url("opinion_remind")),
        "document_approve": Request(url("document_approve"), prepare=opinions_seen(world)),
        "opinion_request": Request(
            url("opinion_request"), [("kind", "agree"), ("answer", "<p>Đồng ý.</p>")]
        ),
        "national_completeness_remind": Request(
            url("national_completeness_remind"),
            [("status", "overdue"), ("level", ""), ("unit", str(cast.province_a.pk))],
        ),
        "export_start": Request(
            url("export_start", code="KH-CDS-2027-MAU", number=example_version().number),
            [("status", ""), ("formats", "docx")],
        ),
        "export_resume": Request(url("export_resume")),
        # Pilots (issue 17): the cast's pilot (tests/pilots/support.py).
        "pilot_create": Request(url("pilot_create"), pilot_fields(cast, "Mô hình mới")),
        "pilot_edit": Request(url("pilot_edit"), pilot_fields(cast, "Mô hình đã đổi tên")),
        "pilot_designate": Request(
            url("pilot_designate"),
            [("unit", str(cast.province_b.pk)), ("designated_from", "2026-01-01")],
        ),
        "pilot_milestone_add": Request(
            url("pilot_milestone_add"), [("title", "Đánh giá sơ kết"), ("deadline", "2026-12-31")]
        ),
        "pilot_milestone_evaluate": Request(
            url("pilot_milestone_evaluate"),
            [("reached_on", "2026-06-15"), ("text", "Đã triển khai."), ("rating", "good")],
        ),
        "pilot_self_evaluate": Request(
            url("pilot_self_evaluate"),
            [
                ("unit", str(cast.province_a.pk)),
                ("written_on", "2026-06-10"),
                ("text", "Tỉnh đã triển khai."),
                ("rating", "good"),
            ],
        ),
        "pilot_evaluate": Request(
            url("pilot_evaluate"),
            [
                ("evaluated_on", "2026-11-30"),
                ("lessons", "Nên nhân rộng."),
                ("recommendation", "extend"),
            ],
        ),
        "allocation_pools": Request(
            url("allocation_pools"),
            [
                ("name", "Kinh phí hỗ trợ"),
                ("amount", "1.000.000.000"),
                ("year", "2027"),
                ("frameworks", str(example_version().framework_id)),
            ],
        ),
        "allocation_mark": Request(
            url("allocation_mark"),
            [
                ("document", str(world.draft.pk)),
                ("entry_key", "row:projects:x"),
                ("shared_platform", "on"),
            ],
        ),
        "allocation_scenario_new": Request(
            url("allocation_scenario_new"), [("name", "Phương án 2"), ("agency_cap", "10%")]
        ),
        "allocation_scenario_edit": Request(
            url("allocation_scenario_edit"), [("name", "Phương án 1b"), ("project_cap", "5%")]
        ),
        "allocation_scenario_approve": Request(
            url("allocation_scenario_approve"), [("decision_number", "15")]
        ),
        # Programmes and their tasks (issue 17): tests/access/programme_walk.py
        **programme_walk.post_requests(cast, Request),
    }
    return requests


def pilot_fields(cast: Cast, name: str) -> list[tuple[str, str]]:
    return [
        ("name", name),
        ("description", ""),
        ("programme", ""),
        ("task_code", ""),
        ("assigning_unit", str(cast.central.pk)),
        ("start_date", "2025-09-01"),
        ("end_date", "2027-12-31"),
        ("indicators", "HT.LAN"),
    ]


def opinions_seen(world: World) -> Callable[[Client, User | None], list[tuple[str, str]]]:
    """The approval page's digest of the opinion requests, as the page would show it now."""

    def prepare(client: Client, user: User | None) -> list[tuple[str, str]]:
        from govplan.workflow.opinions import digest, requests_of

        return [("seen", digest(requests_of(world.appraised)))]

    return prepare


@pytest.fixture
def setup(cast: Cast, tmp_path: Any, settings: Any) -> dict[str, Request]:
    from govplan.official.models import RenderedFile

    world = build_world(cast)
    rendered, _ = RenderedFile.objects.get_or_create(
        document=world.draft, format="docx", key="proof"
    )
    world.kwargs_rendered_file = {"pk": world.draft.pk, "file_id": rendered.pk}  # type: ignore[attr-defined]
    return build_requests(cast, world, tmp_path, settings)


# --- judging -----------------------------------------------------------------------------------


@dataclass
class Judge:
    cast: Cast
    models: list[Any]
    clients: dict[str, Client] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    sent: int = 0

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client(enforce_csrf_checks=True, raise_request_exception=False)
            user = self.cast.users()[who]
            if user is not None:
                client.force_login(user)
            self.clients[who] = client
        return self.clients[who]

    def post(self, name: str, who: str, request: Request, expected: Outcome, token: bool) -> None:
        self.sent += 1
        client = self.client(who)
        with transaction.atomic():
            last_audit = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
            extra = request.prepare(client, self.cast.users()[who]) if request.prepare else []
            before = fingerprint(self.models)
            probe_before = request.probe(HttpResponse()) if request.probe else None
            response = request.send(client, token=token, extra=extra)
            after = fingerprint(self.models)
            written = [
                a
                for a in AuditEvent.objects.filter(id__gt=last_audit or 0).values_list(
                    "action", flat=True
                )
                if not a.startswith(REFUSAL_ACTIONS)
                and a not in REFUSAL_ACTIONS
                and a not in request.not_the_effect
            ]
            probed = request.probe(response) if request.probe else None
            changed = changes(self.models, before, after) + [f"audit {a}" for a in written]
            if request.probe and probed != probe_before and probed not in (None, False):
                changed.append(f"probe {probe_before}→{probed}")
            seen = self.outcome(response, changed)
            where = f"POST {name} as {who}{'' if token else ' without CSRF token'}"
            if seen != expected:
                self.failures.append(
                    f"{where}: expected {expected!r}, got {seen!r} "
                    f"(status {response.status_code}, changed {changed or 'nothing'}) "
                    f"{said(response)}"
                )
            transaction.set_rollback(True)
        if "sessionid" in response.cookies or name in ("login", "logout", "profile"):
            self.clients.pop(who, None)  # its session was rolled back with the savepoint

    @staticmethod
    def outcome(response: HttpResponse, changed: list[str]) -> Outcome:
        status = response.status_code
        if status >= 500:
            return f"server error {status}"
        if changed:  # logging out ends on the login page, having written its entry
            return WRITES if status in (200, 302) else f"{status}, yet changed {changed}"
        if status == 302 and response["Location"].startswith(reverse("login")):
            return LOGIN
        if status >= 400:
            return status
        return MESSAGE if has_validation_message(response) else UNCHANGED


def said(response: HttpResponse) -> str:
    import re

    texts = [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]
    content = response.content.decode(errors="replace") if response.status_code == 200 else ""
    texts += re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', content)[:3]
    return "; ".join(texts)[:300]


def has_validation_message(response: HttpResponse) -> bool:
    """A message of the messages framework (why nothing was done), a form's error list or a
    warning on the page."""
    told = list(get_messages(response.wsgi_request))  # type: ignore[attr-defined]
    content = response.content.decode(errors="replace") if response.status_code == 200 else ""
    return bool(told) or any(
        mark in content for mark in ('class="errorlist', "message-error", "message-warning")
    )


def test_every_view_is_in_the_post_table_once_and_every_line_names_a_view() -> None:
    names = {p.name for _route, p in walk(get_resolver().url_patterns)}
    assert not set(POST_EXPECTED) & READ_ON_POST, "a view is either read or written, not both"
    listed = set(POST_EXPECTED) | READ_ON_POST
    assert names - listed == set(), "views missing from tests/access/policy_table.py"
    assert listed - names == set(), "lines for views that no longer exist"
    assert names == set(EXPECTED)  # and the GET walk lists the same views


def test_post_to_every_state_changing_view_as_each_member_of_the_cast(
    cast: Cast, setup: dict[str, Request]
) -> None:
    judge = Judge(cast, counted_models())
    assert set(setup) == set(POST_EXPECTED), "each line of POST_EXPECTED needs its request"
    for name, expected in sorted(POST_EXPECTED.items()):
        for who in cast.users():
            judge.post(name, who, setup[name], expected[who], token=True)
    assert not judge.failures, f"{len(judge.failures)} mismatches:\n" + "\n".join(judge.failures)


def test_a_post_to_a_view_that_only_reads_changes_nothing(cast: Cast) -> None:
    """A POST is answered as the GET is (EXPECTED's status) or refused with 405; either way
    no row changes and no audit entry is written but the audit trail's record of the
    download or of a refusal (READ_RECORDS)."""
    judge = Judge(cast, counted_models())
    for name in sorted(READ_ON_POST):
        kwargs_for, get_expected = EXPECTED[name]
        built = kwargs_for(cast) if kwargs_for else None
        kwargs, query = built if isinstance(built, tuple) else (built, None)
        url = reverse(name, kwargs=kwargs)
        if query:
            from urllib.parse import urlencode

            url += "?" + urlencode(query)
        for who in cast.users():
            client = judge.client(who)
            with transaction.atomic():
                before = fingerprint(judge.models)
                last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
                client.cookies["csrftoken"] = CSRF_TOKEN
                response = client.post(url, HTTP_X_CSRFTOKEN=CSRF_TOKEN)
                status = response.status_code
                moved = changes(judge.models, before, fingerprint(judge.models))
                actions = set(
                    AuditEvent.objects.filter(id__gt=last or 0).values_list("action", flat=True)
                )
                transaction.set_rollback(True)
            get_status = get_expected[who]
            if status not in (get_status, 405):
                judge.failures.append(f"POST {name} as {who}: {status}, GET gives {get_status}")
            # The official files are made on demand, as for a GET: their queue row is kept.
            moved = [m for m in moved if not m.startswith("official.RenderedFile")]
            if moved or actions - READ_RECORDS:
                judge.failures.append(f"POST {name} as {who} wrote {moved} {actions}")
    assert not judge.failures, "\n".join(judge.failures)


def test_a_post_without_a_csrf_token_is_refused_by_every_view_and_writes_nothing(
    cast: Cast, setup: dict[str, Request]
) -> None:
    judge = Judge(cast, counted_models())
    for name, expected in sorted(POST_EXPECTED.items()):
        # A signed-in member allowed to write (else a central administrator), and anonymous.
        writer = next(
            (w for w, o in expected.items() if o == WRITES and w != "anonymous"), "central_admin"
        )
        for who in (writer, "anonymous"):
            judge.post(name, who, setup[name], 403, token=False)
    assert not judge.failures, "\n".join(judge.failures)
    assert judge.sent == 2 * len(POST_EXPECTED)


# Each member's own account (one's password, language, notifications, second factor) and the
# batch export of what one sees: open to everyone signed in. The reset by e-mail is public.
OPEN_TO_EVERYONE = {
    "login",
    "logout",
    "profile",
    "notifications",
    "export_start",
    "set_language",
    "otp_verify",
    "otp_enrol",
    "otp_recovery_codes",
    "otp_disable",
    "session_end",
    "sessions_end_others",
    "password_change_required",
    "password_reset",
    "password_reset_confirm",
}
PUBLIC_WRITES = {"login", "set_language", "password_reset", "password_reset_confirm"}


def test_the_table_refuses_something_to_everyone_but_the_writers() -> None:
    """Sanity of the table itself: anonymous writes nothing but signing in, the language and
    the password reset by e-mail, and no state-changing view is open to every role but the
    member's own account and the export of what they see."""
    for name, outcomes in POST_EXPECTED.items():
        if name not in PUBLIC_WRITES:
            # The login page, or 401 in JSON for the editor's saves (a session ended).
            assert outcomes["anonymous"] in (LOGIN, UNAUTHORISED), name
        if name not in OPEN_TO_EVERYONE:
            assert any(o in (403, 404) for o in outcomes.values()), name
