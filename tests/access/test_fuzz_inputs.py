"""Hostile input gets a 4xx or a clear message, never a 5xx, and nothing hostile is stored
(issue 11, cases 7 and 8).

Every URL pattern is walked (the list must match the project's, as in test_url_walk) as a user
who may reach it, so that the view's own code runs: each page's query parameters, every form
the pages offer (found by reading the pages, plus the few shown only in some states), the
editor's JSON endpoints, the login form with django-axes on, and framework and catalogue
uploads. Each request runs in a savepoint that is rolled back after it has been checked, so
one accepted value cannot change what the next request finds.

Checked for each request: the status is below 500; a refusal (4xx) wrote no audit entry and no
entry version; whatever an accepted request wrote (its audit entries and entry versions, which
record every change) holds no control character, unpaired surrogate or non-finite number, and
an entry version reads back through its own reader (no Infinity or out-of-bound amount kept).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, get_resolver, resolve, reverse

from govplan.audit.models import AuditEvent
from govplan.core.inputs import forbidden_character
from govplan.documents.actions import do_attach, do_create_document, do_save_entry
from govplan.documents.content import ContentError, read_entry
from govplan.documents.models import Document, EntryVersion
from govplan.documents.tables_xlsx import do_preview_import, export_tables
from govplan.frameworks.actions import do_upload_framework
from govplan.official.models import ExportJob
from govplan.workflow import actions as workflow
from govplan.workflow.models import Comment
from govplan.workflow.opinions import do_ask_opinion
from tests.access import programme_walk
from tests.access.test_url_walk import EXPECTED, walk
from tests.conftest import EVERY_FEATURE, Cast, example_version
from tests.support.documents import every_feature_document
from tests.support.hostile import (
    HOSTILE_DATES,
    HOSTILE_JSON_NUMBERS,
    HOSTILE_NUMBERS,
    HOSTILE_TEXTS,
    OVERLONG,
    form_quote,
    json_text,
)
from tests.workflow.test_cycle import filled_document

pytestmark = pytest.mark.django_db

NON_UTF8 = "\x00non-utf-8\x00"  # a marker: sent as the bytes FF FE, which are not UTF-8

# What a form field or a query parameter may receive: every hostile class, as text.
FORM_VALUES: dict[str, str] = {
    **{f"number:{k}": v for k, v in HOSTILE_NUMBERS.items() if isinstance(v, str)},
    **{f"text:{k}": v for k, v in HOSTILE_TEXTS.items()},
    **{f"date:{k}": v for k, v in HOSTILE_DATES.items()},
    "text:overlong": OVERLONG,
    "bytes:non_utf8": NON_UTF8,
    "number:negative": "-1",
}
# Each field alone gets the values its kind of parser may choke on (a "text" field may be a
# typed cell: a number or a date); then all fields at once get one value of every other kind,
# which every reader meets the same way (the characters no input may hold are refused first).
PER_FIELD: dict[str, tuple[str, ...]] = {
    "number": ("number:superscript_two", "number:digits_4301", "number:nan_text"),
    "date": ("date:february_30", "date:year_9999", "date:moment_february_30"),
    "text": ("text:overlong", "number:superscript_two", "date:february_30"),
}
ALL_AT_ONCE = (
    "text:nul",
    "text:bel",
    "text:c1_control",
    "text:lone_surrogate",
    "bytes:non_utf8",
    "number:arabic_indic_three",
    "number:infinity_text",
    "date:year_99999",
    "date:moment_hour_25",
    "date:year_0",
    "number:googol_400",
    "number:overflow_text",
)
DATE_NAMES = re.compile(r"(^|_)(date|at|as_of|valid_from|valid_to|rename_from|deadline|resolve_on)")
NUMBER_NAMES = re.compile(
    r"^(base(::.*)?|revision|unit|version|org_unit|parent_id|delta|number|decision_number|role)$"
)


def field_kind(name: str, input_type: str, value: str) -> str:
    if input_type in ("date", "datetime-local") or DATE_NAMES.search(name):
        return "date"
    if input_type == "number" or NUMBER_NAMES.match(name) or (value.isascii() and value.isdigit()):
        return "number"
    return "text"


def encode(value: str) -> str:
    return "%FF%FE" if value == NON_UTF8 else form_quote(value)


def form_body(fields: list[tuple[str, str]]) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in fields)


# --- what was stored --------------------------------------------------------------------------


def hostile_in(value: Any, path: str = "") -> str | None:
    """Where a stored value holds what no input may: a control character, an unpaired
    surrogate, a non-finite number (or a number stored as NaN/Infinity text)."""
    if isinstance(value, dict):
        for key, child in value.items():
            found = hostile_in(key, path) or hostile_in(child, f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, child in enumerate(value):
            found = hostile_in(child, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path}: {value!r}"
    if isinstance(value, str):
        bad = forbidden_character(value)
        if bad is not None:
            return f"{path}: U+{ord(bad[1]):04X} at {bad[0]}"
    return None


def refused_on_reading(version: EntryVersion) -> str | None:
    """What the entry's own reader refuses in what was stored (Infinity kept as a number,
    a money amount beyond its bound …): stored content must read back as valid input."""
    if version.deleted or not version.content:
        return None
    entry = version.entry
    content = version.content
    if entry.kind == "value":  # stored {"cells": {cell: {"v": x}}}, typed {"cells": {cell: x}}
        cells = {k: c.get("v", c) for k, c in content.get("cells", {}).items()}
        content = {**content, "cells": cells}
    spec = entry.document.framework_version.parsed()
    try:
        read_entry(spec, entry.key, content, locale="en")  # stored numbers: 1234.5
    except ContentError as exc:
        return f"which its reader refuses: {exc.errors}"
    return None


@dataclass
class Watermark:
    audit: int
    versions: int

    @classmethod
    def now(cls) -> Watermark:
        last_audit = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        last_version = EntryVersion.objects.order_by("-id").values_list("id", flat=True).first()
        return cls(last_audit or 0, last_version or 0)

    def written(self) -> tuple[list[AuditEvent], list[EntryVersion]]:
        return (
            # A refusal's own entry (govplan.audit.middleware) is not data written.
            list(AuditEvent.objects.filter(id__gt=self.audit).exclude(action="access.denied")),
            list(EntryVersion.objects.filter(id__gt=self.versions)),
        )


# --- sending and judging ----------------------------------------------------------------------


@dataclass
class Fuzz:
    cast: Cast
    failures: list[str] = field(default_factory=list)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    sent: int = 0
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client(raise_request_exception=False)
            user = self.cast.users()[who]
            if user is not None:
                client.force_login(user)
            self.clients[who] = client
        return self.clients[who]

    def send(
        self,
        who: str,
        method: str,
        url: str,
        *,
        body: str | bytes | None = None,
        content_type: str = "application/x-www-form-urlencoded",
        data: dict[str, Any] | None = None,
        label: str = "",
        keep: bool = False,
    ) -> Any:
        """One request as ``who``, judged; rolled back unless ``keep``."""
        name = url_name(url)
        self.sent += 1
        client = self.client(who)  # logged in outside the savepoint, so that it lasts
        with transaction.atomic():
            before = Watermark.now()
            if method == "GET":
                response = client.get(url)
            elif data is not None:
                response = client.post(url, data=data)  # multipart, with files
            else:
                response = client.post(url, data=body or "", content_type=content_type)
            status = response.status_code
            if status == 302 and response["Location"].startswith(reverse("login")):
                status = 401  # sent to the login page: the view did not run
            self.statuses[(name, status)] += 1
            where = f"{method} {name} {label} as {who} → {response.status_code}"
            if response.status_code >= 500:
                exc = getattr(response, "exc_info", None)
                reason = f"{exc[0].__name__}: {str(exc[1])[:160]}" if exc else ""
                self.failures.append(f"{where}: {reason}")
            else:
                audit, versions = before.written()
                if 400 <= response.status_code < 500 and (audit or versions):
                    self.failures.append(f"{where}: refused, yet wrote {audit or versions}")
                for row in audit:
                    found = hostile_in(
                        [row.before, row.after, row.message, row.object_repr, row.actor_username]
                    )
                    if found:
                        self.failures.append(f"{where}: stored in the audit trail {found}")
                for version in versions:
                    found = hostile_in(version.content) or refused_on_reading(version)
                    if found:
                        self.failures.append(f"{where}: stored in {version.entry.key} {found}")
            if not keep:
                transaction.set_rollback(True)
        return response

    def reached(self, name: str) -> bool:
        """The view's own code ran for some request (not refused at the gate)."""
        return any(n == name and s not in (401, 403, 404, 405) for n, s in self.statuses)

    def check(self) -> None:
        assert not self.failures, f"{len(self.failures)} failures:\n" + "\n".join(
            self.failures[:300]
        )


def url_name(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).url_name or "?"
    except Resolver404:
        return "?"


# --- reading the pages' forms -----------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]]
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return url_name(self.action)


class FormReader(HTMLParser):
    """The forms of a page: action, method, and each named field with the value it would
    send as the page stands (checked boxes, selected options, hidden values, texts)."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: tuple[str, list[str]] | None = None
        self.textarea: list[str] | None = None
        self.textarea_name = ""
        self.other_actions: list[str] = []  # buttons that post the same fields elsewhere

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page_url
            self.current = Form(action, (a.get("method") or "get").upper(), [])
            return
        if self.current is not None and a.get("formaction"):
            self.other_actions.append(a["formaction"])
        if self.current is None or not a.get("name"):
            return
        name = a["name"]
        if name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                return  # files are fuzzed on their own
            if kind in ("checkbox", "radio"):
                if "checked" in a or kind == "radio":
                    self.current.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                self.current.fields.append((name, a.get("value", "")))
                self.current.kinds[name] = field_kind(name, kind, a.get("value", ""))
        elif tag == "textarea":
            self.textarea, self.textarea_name = [], name
        elif tag == "select":
            self.select = (name, [])
            self.current.kinds[name] = field_kind(name, "select", "")
        if tag == "option" and self.select is not None:
            self.select[1].append(a.get("value", ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current.fields.append((self.textarea_name, "".join(self.textarea)))
            self.current.kinds[self.textarea_name] = "text"
            self.textarea = None
        elif tag == "select" and self.select is not None and self.current is not None:
            name, options = self.select
            self.current.fields.append((name, next((o for o in options if o), "")))
            self.select = None
        elif tag == "form" and self.current is not None:
            self.forms.append(self.current)
            for action in self.other_actions:
                form = self.current
                self.forms.append(Form(action, form.method, form.fields, form.kinds))
            self.current, self.other_actions = None, []


def forms_of(html: str, page_url: str) -> list[Form]:
    reader = FormReader(page_url)
    reader.feed(html)
    return reader.forms


def shape(name: str) -> str:
    """Field names that differ only by a code or a number are the same kind of field."""
    return re.sub(r"::[^:]+", "::*", re.sub(r"\d+", "N", name))


# --- the data the walk needs ------------------------------------------------------------------


@dataclass
class World:
    cast: Cast
    draft: Document  # province A's plan of the example framework, with content
    appraised: Document  # a filled plan under appraisal, with a comment
    draft_framework: dict[str, Any]
    kwargs: dict[str, Any]  # url name -> kwargs (or (kwargs, query))
    urls: dict[str, str] = field(default_factory=dict)


def build_world(cast: Cast) -> World:
    draft = do_create_document(unit=cast.province_a, version=example_version(), actor=cast.editor_a)
    spec = draft.framework_version.parsed()
    narrative = next(s for s in spec.walk() if s.narrative)
    do_save_entry(
        draft,
        f"narrative:{narrative.code}",
        0,
        {"html": "<p>x</p>"},
        actor=cast.editor_a,
        locale="vi",
    )
    attachment = do_attach(
        draft,
        narrative.code,
        data=b"%PDF-1.4\n%%EOF\n",
        filename="bang-chung.pdf",
        content_type="application/pdf",
        description="",
        actor=cast.editor_a,
    )
    appraised = filled_document(cast)
    workflow.do_transition(appraised, "submit", actor=cast.editor_a)
    appraised.refresh_from_db()
    workflow.do_transition(appraised, "start_appraisal", actor=cast.appraiser)
    appraised.refresh_from_db()
    workflow.do_comment(
        appraised,
        actor=cast.appraiser,
        section_code="I",
        anchor="",
        anchor_label="",
        text="Bổ sung số liệu.",
    )
    comment = Comment.objects.get(document=appraised)
    # Joint appraisal: province B asked for its opinion on the plan under appraisal.
    opinion = do_ask_opinion(
        appraised,
        actor=cast.appraiser,
        agency=cast.province_b,
        question="Đề nghị cho ý kiến về kế hoạch.",
        deadline=dt.date.today() + dt.timedelta(days=10),
    )
    framework = do_upload_framework(EVERY_FEATURE.read_bytes(), actor=cast.central_admin)
    job = ExportJob.objects.create(created_by=cast.central_admin, version=example_version())
    workbook = export_tables(draft)
    batch = do_preview_import(
        draft, workbook, filename="bang.xlsx", actor=cast.editor_a, locale="vi"
    ).batch
    assert batch is not None
    table = next(t for _s, t in spec.tables())
    doc = {"pk": draft.pk}
    published = {"code": "KH-UDCNTT-2018", "number": 1}
    draft_fw = {"code": framework.framework.code, "number": framework.number}
    kwargs: dict[str, Any] = {
        "unit_detail": {"pk": cast.province_a.pk},
        "unit_edit": {"pk": cast.province_a.pk},
        "unit_issuing_profile": {"pk": cast.province_a.pk},
        "user_detail": {"pk": cast.editor_a.pk},
        "user_edit": {"pk": cast.editor_a.pk},
        "user_set_password": {"pk": cast.editor_a.pk},
        "membership_add": {"pk": cast.editor_a.pk},
        "membership_revoke": {"pk": cast.editor_a.memberships.get().pk},
        "framework_version": published,
        "framework_form": published,
        "framework_source": published,
        "cycle_xlsx": published,
        "framework_clone": published,
        "framework_new_version": published,
        "export_start": published,
        "framework_edit": draft_fw,
        "framework_publish": draft_fw,
        "document_section_save": {**doc, "code": narrative.code},
        "document_entry_history": (doc, {"key": f"narrative:{narrative.code}"}),
        "document_table_history": {**doc, "code": table.code},
        "document_table_restore": {**doc, "code": table.code},
        "document_xlsx_table": {**doc, "code": table.code},
        "document_import_apply": {**doc, "batch_id": batch.pk},
        "document_attach": {**doc, "code": narrative.code},
        "document_attachment": {**doc, "attachment_id": attachment.pk},
        "document_attachment_remove": {**doc, "attachment_id": attachment.pk},
        "document_legal_new": {**doc, "code": "I"},
        "document_transition": {"pk": appraised.pk, "action": "return"},
        "document_comment": {"pk": appraised.pk},
        "document_comment_reply": {"pk": appraised.pk, "comment_id": comment.pk},
        "document_comment_resolve": {"pk": appraised.pk, "comment_id": comment.pk},
        "document_checklist": {"pk": appraised.pk},
        "document_return_letter": {"pk": appraised.pk},
        "document_issue": doc,
        "document_sign": doc,
        "audit_detail": {"pk": AuditEvent.objects.latest("id").pk},
        "export_detail": {"pk": job.pk},
        "export_status": {"pk": job.pk},
        "export_download": {"pk": job.pk},
        "export_resume": {"pk": job.pk},
        "opinion_ask": {"pk": appraised.pk},
        "opinion_withdraw": {"pk": appraised.pk, "rid": opinion.pk},
        "opinion_remind": {"pk": appraised.pk, "rid": opinion.pk},
        "document_approve": {"pk": appraised.pk},
        "opinion_request": {"rid": opinion.pk},
        "opinion_file": {"rid": opinion.pk},
    }
    return World(cast, draft, appraised, draft_fw, kwargs)


# Who walks each page: someone who may open it (the view's code runs), by url name.
ACTOR: dict[str, str] = {
    "login": "anonymous",
    "healthz": "anonymous",
    "set_language": "anonymous",
    "appraisal_queue": "appraiser",
    "document_transition": "appraiser",
    "document_comment": "appraiser",
    "document_comment_reply": "editor_a",
    "document_comment_resolve": "appraiser",
    "document_checklist": "appraiser",
    "document_return_letter": "appraiser",
    "document_issue": "approver_a",
    "document_sign": "approver_a",
    "national_completeness_list": "central_admin",  # who sees the reminder button
    "opinion_ask": "appraiser",
    "opinion_withdraw": "appraiser",
    "opinion_remind": "appraiser",
    "document_approve": "appraiser",
    "opinion_inbox": "editor_b",  # the agency asked (province B)
    "opinion_request": "editor_b",
    "opinion_file": "editor_b",
}
ADMIN_PAGES = {
    "allocation_pools",
    "allocation_scenario_new",
    "allocation_scenario_edit",
    "allocation_scenario",
    "allocation_appendix",
    "allocation_estimate",
    "allocation_estimate_xlsx",
    "legal_list",
    "legal_add",
    "legal_proposals",
    "legal_edit",
    "legal_status",
    "legal_review",
    "unit_create",
    "unit_edit",
    "user_list",
    "user_create",
    "user_detail",
    "user_edit",
    "user_set_password",
    "membership_add",
    "membership_revoke",
    "framework_upload",
    "framework_edit",
    "framework_publish",
    "framework_clone",
    "framework_new_version",
    "catalogue_upload",
    "audit_list",
    "audit_detail",
    "export_detail",
    "export_status",
    "export_download",
    "export_resume",
    "pilot_create",
    "pilot_edit",
    "pilot_designate",
    "pilot_milestone_add",
    "pilot_milestone_evaluate",
    "pilot_evaluate",
} | programme_walk.FUZZ_ADMIN_PAGES


def actor_of(name: str) -> str:
    if name in ACTOR:
        return ACTOR[name]
    return "central_admin" if name in ADMIN_PAGES else "editor_a"


# The query parameters each page reads, by the kind of value it expects.
QUERY: dict[str, dict[str, str]] = {
    "unit_list": {"as_of": "date", "q": "text", "kind": "text"},
    "unit_detail": {"as_of": "date", "page": "number"},
    "unit_create": {"parent": "number"},
    "user_list": {"q": "text", "role": "text", "page": "number"},
    "user_detail": {"unit_q": "text"},
    "audit_list": {
        "actor": "text",
        "action": "text",
        "object_type": "text",
        "object_id": "text",
        "date_from": "date",
        "date_to": "date",
        "page": "number",
    },
    "indicator_list": {"q": "text", "page": "number"},
    "legal_list": {"q": "text"},
    "document_history": {"page": "number"},
    "document_entry_history": {"key": "text"},
    "document_table_history": {"at": "date"},
    "document_revisions": {"a": "number", "b": "number"},
    "cycle_xlsx": {"status": "text", "unit": "number"},
    "appraisal_queue": {
        "page": "number",
        "status": "text",
        "kind": "text",
        "version": "number",
        "late": "text",
    },
    "notifications": {"page": "number"},
    "national_dashboard": {"year": "number", "layer": "text", "structure": "text"},
    "national_unit": {"i": "text", "from": "number", "to": "number", "layer": "text"},
    "national_pivot": {
        "i": "text",
        "level": "text",
        "unit": "number",
        "from": "number",
        "to": "number",
        "o": "text",
        "layer": "text",
        "structure": "text",
        "chart": "text",
    },
    "national_pivot_csv": {"i": "text", "from": "number", "o": "text", "unit": "number"},
    "national_pivot_xlsx": {"i": "text", "to": "number", "level": "text"},
    "login": {"next": "text"},
    "set_language": {"next": "text", "language": "text"},
    "national_completeness": {"unit": "number"},
    "national_completeness_list": {
        "status": "text",
        "level": "text",
        "unit": "number",
        "page": "number",
    },
    "national_budgets": {"framework": "text", "layer": "text", "unit": "number", "by": "text"},
    "national_budget_export": {"framework": "text", "structure": "text", "unit": "number"},
    "national_targets": {"framework": "text", "layer": "text", "unit": "number"},
    "pilot_detail": {"year": "number", "layer": "text"},
    **programme_walk.FUZZ_QUERY,
}
QUERY_VALUES = {
    "number": [k for k in FORM_VALUES if k.startswith("number:")] + ["text:bel", "text:nul"],
    "date": [k for k in FORM_VALUES if k.startswith("date:")] + ["text:bel", "number:googol_400"],
    "text": ["text:bel", "text:nul", "text:lone_surrogate", "text:overlong", "bytes:non_utf8"],
}

# Files and JSON, not pages: no form to find in them.
DOWNLOADS = {
    "document_docx",
    "document_pdf",
    "document_file_status",
    "document_file_download",
    "document_xlsx",
    "document_xlsx_table",
    "cycle_xlsx",
    "framework_source",
    "export_download",
    "export_status",
    "document_attachment",
    "document_check_data",
    "national_budget_export",
    "national_pivot_csv",
    "national_pivot_xlsx",
}

# Forms a page shows only in some states (or to JavaScript): fields as the view reads them.
HIDDEN_FORMS: dict[str, list[tuple[str, str]]] = {
    "document_create": [("unit", "{unit}"), ("version", "{version}"), ("carry_over", "1")],
    "document_entry_restore": [("key", "{narrative_key}"), ("revision", "1")],
    "document_table_restore": [("at", "2026-01-01T10:00")],
    "document_take_sum": [("indicator", "DVC.TONG_SO"), ("base", "0")],
    "document_transition": [("reason", "Lý do")],
    "document_checklist": [("item-0", "on"), ("note-0", "ghi chú")],
    "document_issue": [("number", "12"), ("date", "2026-12-01")],
    "membership_add": [("org_unit", "{unit}"), ("role", "viewer")],
    "export_start": [("status", ""), ("unit", "{unit}"), ("formats", "docx")],
    "national_completeness_remind": [("status", "overdue"), ("level", ""), ("unit", "{unit}")],
    "document_check": [("explain::R-LAN", "Lý do")],
    "document_sign": [("number", "12"), ("date", "2026-12-01"), ("passphrase", "x")],
    "export_resume": [],
    "framework_new_version": [],
    "document_import_apply": [],
    "legal_review": [("action", "merge"), ("into", "ND-42-2022"), ("reason", "Lý do")],
}
# Fields a view reads that its page does not show (a link or a script sends them).
EXTRA_FIELDS: dict[str, list[tuple[str, str]]] = {
    "export_start": [("unit", "{unit}")],
}
# Every view that reads a form (the JSON endpoints are fuzzed on their own).
FORM_VIEWS = {
    "allocation_pools",
    "allocation_scenario_new",
    "allocation_scenario_edit",
    "allocation_scenario_approve",
    "otp_enrol",
    "password_reset",
    "legal_add",
    "legal_edit",
    "legal_status",
    "legal_review",
    "login",
    "logout",
    "set_language",
    "profile",
    "notifications",
    "unit_create",
    "unit_edit",
    "unit_issuing_profile",
    "user_create",
    "user_edit",
    "user_set_password",
    "membership_add",
    "membership_revoke",
    "framework_upload",
    "framework_edit",
    "framework_publish",
    "framework_clone",
    "framework_new_version",
    "catalogue_upload",
    "export_start",
    "export_resume",
    "document_create",
    "document_section_save",
    "document_entry_restore",
    "document_table_restore",
    "document_import",
    "document_import_apply",
    "document_attach",
    "document_attachment_remove",
    "document_legal_new",
    "document_take_sum",
    "document_issuing",
    "document_sign",
    "document_check",
    "document_transition",
    "document_issue",
    "document_comment",
    "document_comment_reply",
    "document_comment_resolve",
    "document_checklist",
    "national_completeness_remind",
    "pilot_create",
    "pilot_edit",
    "pilot_designate",
    "pilot_milestone_add",
    "pilot_milestone_evaluate",
    "pilot_self_evaluate",
    "pilot_evaluate",
    "opinion_ask",
    "opinion_withdraw",
    "opinion_remind",
    "document_approve",
    "opinion_request",
} | programme_walk.FUZZ_FORM_VIEWS


def fill(value: str, world: World) -> str:
    return value.format(
        unit=world.cast.province_a.pk,
        version=example_version().pk,
        narrative_key=world.kwargs["document_entry_history"][1]["key"],
    )


def url_for(name: str, world: World) -> str:
    if name not in world.urls:
        world.urls[name] = _url(name, world)
    return world.urls[name]


def _url(name: str, world: World) -> str:
    built = world.kwargs.get(name)
    if built is None:
        kwargs_for = EXPECTED[name][0]
        built = kwargs_for(world.cast) if kwargs_for else None
    kwargs, query = built if isinstance(built, tuple) else (built, None)
    if kwargs and "pk" in kwargs and name.startswith("document_") and name not in world.kwargs:
        kwargs = {**kwargs, "pk": world.draft.pk}  # the access walk's plan, or ours: ours
    url = reverse(name, kwargs=kwargs)
    return url + ("?" + urlencode(query) if query else "")


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def test_the_fuzz_walks_every_url_of_the_project() -> None:
    names = {pattern.name for _route, pattern in walk(get_resolver().url_patterns)}
    assert names == set(EXPECTED)  # the same list as the access walk: a new URL lands in both


# --- pages and their query parameters ---------------------------------------------------------


def test_query_parameters_never_get_a_server_error(world: World) -> None:
    fuzz = Fuzz(world.cast)
    for name in sorted(EXPECTED):
        who = actor_of(name)
        url = url_for(name, world)
        glue = "&" if "?" in url else "?"
        junk = "&".join(f"{encode(k)}={encode('x')}" for k in ("\x07", "page", "a"))
        fuzz.send(who, "GET", f"{url}{glue}{junk}", label="junk names")
        params = QUERY.get(name, {})
        for param, kind in params.items():
            for key in QUERY_VALUES[kind]:
                query = f"{encode(param)}={encode(FORM_VALUES[key])}"
                fuzz.send(who, "GET", f"{url}{glue}{query}", label=f"{param}={key}")
        first_kind = next(iter(params.values()), None)
        for key in QUERY_VALUES[first_kind] if len(params) > 1 and first_kind else ():
            # All at once: some pages read a parameter only when another is there (a and b).
            query = "&".join(f"{encode(p)}={encode(FORM_VALUES[key])}" for p in params)
            fuzz.send(who, "GET", f"{url}{glue}{query}", label=f"all={key}")
    fuzz.check()
    for name in QUERY:
        assert fuzz.reached(name), f"{name} was never reached: {fuzz.statuses}"


# --- forms ------------------------------------------------------------------------------------


def discovered_forms(fuzz: Fuzz, world: World) -> dict[str, list[tuple[str, Form]]]:
    """Every POST form the pages show, by the url name it posts to, with who saw it."""
    found: dict[str, list[tuple[str, Form]]] = {}
    pages = [(actor_of(n), url_for(n, world)) for n in sorted(EXPECTED) if n not in DOWNLOADS]
    pages += [
        ("appraiser", reverse("document_edit", args=[world.appraised.pk])),
        ("editor_a", reverse("document_edit", args=[world.appraised.pk])),
        ("editor_a", reverse("document_check", args=[world.appraised.pk])),
        ("central_admin", reverse("user_detail", args=[world.cast.editor_a.pk]) + "?unit_q=B"),
        ("central_admin", url_for("framework_version", world)),
    ]
    for who, url in pages:
        response = fuzz.client(who).get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode(), url):
            if form.method == "POST":
                found.setdefault(form.name, []).append((who, form))
    return found


def post_targets(fuzz: Fuzz, world: World) -> Iterator[tuple[str, str, Form]]:
    found = discovered_forms(fuzz, world)
    for name in sorted(EXPECTED):
        # The two forms with the most kinds of field (the editor has one per section).
        forms = sorted(
            found.get(name, []), key=lambda wf: -len({shape(n) for n, _v in wf[1].fields})
        )
        seen: set[tuple[str, ...]] = set()
        for who, form in forms:
            key = tuple(sorted({shape(n) for n, _v in form.fields}))
            if key in seen or len(seen) == 2:
                continue
            seen.add(key)
            extra = [(k, fill(v, world)) for k, v in EXTRA_FIELDS.get(name, [])]
            form.fields += [(k, v) for k, v in extra if k not in dict(form.fields)]
            form.kinds.update({k: field_kind(k, "", v) for k, v in extra})
            yield name, ACTOR.get(name, who), form
        if not forms and name in HIDDEN_FORMS:
            fields = [(k, fill(v, world)) for k, v in HIDDEN_FORMS[name]]
            kinds = {k: field_kind(k, "", v) for k, v in fields}
            yield name, actor_of(name), Form(url_for(name, world), "POST", fields, kinds)


def test_forms_never_get_a_server_error(world: World) -> None:
    fuzz = Fuzz(world.cast)
    posted: set[str] = set()
    for name, who, form in post_targets(fuzz, world):
        url = form.action
        posted.add(name)
        fuzz.send(who, "POST", url, body=form_body(form.fields), label="as the page fills it")
        fuzz.send(who, "POST", url, body="", label="empty")
        names = [n for n, _v in form.fields] or ["x"]  # a form of a button: an extra field
        for key in ALL_AT_ONCE:
            fuzz.send(
                who, "POST", url, body=form_body([(n, FORM_VALUES[key]) for n in names]), label=key
            )
        by_shape: dict[str, str] = {}
        for n in names:
            by_shape.setdefault(shape(n), n)
        for target in by_shape.values():
            for key in PER_FIELD[form.kinds.get(target, "text")]:
                fields = [(n, FORM_VALUES[key] if n == target else v) for n, v in form.fields]
                fuzz.send(who, "POST", url, body=form_body(fields), label=f"{target}={key}")
    fuzz.check()
    # Every view that reads a form ran its own code with these values, not just the gate.
    assert posted <= FORM_VIEWS, posted - FORM_VIEWS  # a new form: add it to FORM_VIEWS
    assert {n for n in FORM_VIEWS if not fuzz.reached(n)} == set()
    assert fuzz.sent > 900


# --- file names and uploads -------------------------------------------------------------------

FRAMEWORK_FILES: dict[str, bytes] = {
    "deep_json": b"[" * 100_000 + b"]" * 100_000,
    "deep_yaml": b"a: " + b"[" * 500 + b"]" * 500,
    "digits_4301_json": b'{"code": ' + b"9" * 4301 + b"}",
    "digits_4301_yaml": b"code: " + b"9" * 4301,
    "nan_json": b'{"format": "govplan/framework@1", "period": {"from": NaN}}',
    "inf_yaml": b"format: govplan/framework@1\nperiod: {from: .inf, to: 1e400}",
    "surrogate_json": b'{"title": "\\ud800"}',
    "surrogate_yaml": b'title: "\\ud800"',
    "bel_yaml": b'title: "K\\x07"',
    "nul_bytes": b"title: a\x00b",
    "non_utf8": b"title: \xff\xfe",
    "list_key_yaml": b"? [a]\n: b",
    "list": b"[1, 2]",
    "scalar": b"42",
    "null": b"null",
    "superscript_integer": b"format: govplan/framework@1\nperiod: {from: \xc2\xb2, to: 2027}",
    "impossible_date": b"reporting: {deadline: 2025-02-30}",
    "wrong_types": b"sections: {a: 1}\ncode: [1]\ntitle: {x: y}\nrules: 7",
}


def framework_variants() -> Iterator[tuple[str, bytes]]:
    yield from FRAMEWORK_FILES.items()
    text = EVERY_FEATURE.read_text()
    for key, value in (
        ("title: ", "\x07"),
        ("title: ", "\\ud800"),
        ("deadline: ", "9999-12-31"),
        ("from: ", "٣"),
        ("min: ", ".nan"),
        ("max: ", "1e400"),
    ):
        mutated = re.sub(
            rf"({re.escape(key)})([^\n]*)", lambda m: m.group(1) + f'"{value}"', text, count=1
        )
        yield f"every_feature:{key.strip()}{value!r}", mutated.encode("utf-8", "surrogatepass")


def test_uploads_and_file_names_never_get_a_server_error(world: World) -> None:
    fuzz = Fuzz(world.cast)
    for label, content in framework_variants():
        for name in ("framework_upload", "catalogue_upload"):
            url = reverse(name)
            upload = SimpleUploadedFile("khung.yaml", content)
            fuzz.send("central_admin", "POST", url, data={"file": upload}, label=label)
            if b"\x00" not in content:
                text = content.decode("utf-8", "replace")
                fuzz.send(
                    "central_admin", "POST", url, body=form_body([("text", text)]), label=label
                )
    edit = reverse("framework_edit", kwargs=world.draft_framework)
    for label, content in FRAMEWORK_FILES.items():
        text = content.decode("utf-8", "replace")
        fuzz.send("central_admin", "POST", edit, body=form_body([("text", text)]), label=label)
    names = {f"name:{k}": f"{v}.pdf" for k, v in HOSTILE_TEXTS.items() if "surrogate" not in k}
    names["name:overlong"] = "x" * 1000 + ".pdf"
    uploads = (
        ("document_attach", "editor_a", "file", b"%PDF-1.4\n%%EOF\n"),
        ("document_import", "editor_a", "file", b"PK\x03\x04junk"),
        ("document_sign", "approver_a", "key_file", b"\x30\x82junk"),
        ("document_issue", "approver_a", "signed_copy", b"%PDF-1.4\n%%EOF\n"),
    )
    for name, who, field_name, content in uploads:
        url = url_for(name, world)
        for label, file_name in names.items():
            upload = SimpleUploadedFile(file_name, content)
            fuzz.send(who, "POST", url, data={field_name: upload, "number": "1"}, label=label)
    fuzz.check()
    assert fuzz.reached("framework_upload") and fuzz.reached("catalogue_upload")


# --- the editor's JSON endpoints --------------------------------------------------------------

JSON_ENDPOINTS = (
    "document_entry_save",
    "document_entry_add",
    "document_entry_delete",
    "document_entry_move",
)
RAW_BODIES: dict[str, bytes] = {
    "deep_object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "deep_array": b'{"content": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "not_json": b"{key: 1",
    "non_utf8": b'{"key": "\xff\xfe"}',
    "nul_escape": b'{"key": "row:\\u0000"}',
    "nul_in_name": b'{"ke\\u0000y": 1}',
    "surrogate_key": b'{"\\ud800": 1}',
    "empty": b"",
    "null": b"null",
    "list": b"[]",
    "string": b'"x"',
    "number": b"1",
    "bom": b'\xef\xbb\xbf{"key": "x"}',
    **{
        f"base_{k}": f'{{"key": "x", "base": {v}}}'.encode()
        for k, v in HOSTILE_JSON_NUMBERS.items()
    },
    **{
        f"after_{k}": f'{{"key": "x", "after": {v}}}'.encode()
        for k, v in HOSTILE_JSON_NUMBERS.items()
    },
}
WRONG_TYPES: dict[str, str] = {"list": "[1, [2]]", "object": '{"a": 1}', "true": "true"}
# By the kind of field, the values worth trying there; the ones every field meets the same
# way (NaN, 1e400, 4,301 digits as JSON numbers; NUL and surrogates in any string) are
# refused by the body reader wherever they are, and are tried in the raw bodies and keys.
JSON_BY_KIND: dict[str, tuple[str, ...]] = {
    "number": (
        "number:superscript_two",
        "number:arabic_indic_three",
        "number:googol_400",
        "number:digits_4301",
        "number:nan_text",
        "number:infinity_text",
        "number:overflow_text",
        "number:negative",
    ),
    "date": (
        "date:february_30",
        "date:february_30_vi",
        "date:year_0",
        "date:year_9999",
        "date:arabic_indic_date",
        "number:superscript_two",
    ),
    "text": (
        "text:bel",
        "text:esc",
        "text:c1_control",
        "text:vertical_tab",
        "text:overlong",
        "number:superscript_two",
    ),
    "choice": ("number:superscript_two", "text:bel", "text:overlong"),
}
COLUMN_KINDS = {
    "integer": "number",
    "decimal": "number",
    "money": "number",
    "percent": "number",
    "year": "number",
    "year_range": "number",
    "date": "date",
    "text": "text",
    "longtext": "text",
    "url": "text",
}
INDICATOR_KINDS = {"integer": "number", "decimal": "number", "money": "number", "date": "date"}


def json_value(key: str) -> str:
    if key.startswith("type:"):
        return WRONG_TYPES[key.removeprefix("type:")]
    if key.startswith("json:"):
        return HOSTILE_JSON_NUMBERS[key.removeprefix("json:")]
    return json_text(FORM_VALUES[key])


def every_json_value() -> list[str]:
    keys = [f"json:{k}" for k in HOSTILE_JSON_NUMBERS] + [f"type:{k}" for k in WRONG_TYPES]
    return keys + [k for k, v in FORM_VALUES.items() if v != NON_UTF8]


def values_for(kind: str) -> list[str]:
    values = [f"type:{k}" for k in WRONG_TYPES] + list(JSON_BY_KIND[kind])
    if kind == "number":  # as JSON numbers too: NaN, Infinity, 1e400, 4,301 digits
        values += [f"json:{k}" for k in HOSTILE_JSON_NUMBERS]
    return values


@dataclass
class Field:
    endpoint: str  # "save" an existing key, or "add" to a container
    key: str
    template: str  # the content, with VALUE where the hostile value goes
    kind: str


def entry_fields(document: Document) -> Iterator[Field]:
    """Each field of each kind of entry the document's framework has, with its kind."""
    spec = document.framework_version.parsed()
    years = spec.period.years()
    narrative = next(s for s in spec.walk() if s.narrative)
    yield Field("save", f"narrative:{narrative.code}", '{"html": VALUE}', "text")
    legal = next(s for s in spec.walk() if s.legal_basis is not None)
    for template, kind in (
        ('{"items": [{"text": VALUE}]}', "text"),
        ('{"items": [{"code": VALUE}]}', "choice"),
        ('{"items": VALUE}', "choice"),
    ):
        yield Field("save", f"legal:{legal.code}", template, kind)
    asked = {u.indicator for s in spec.walk() for u in s.indicators}
    types_seen: set[str] = set()
    for code, indicator in spec.indicators.items():
        if indicator.type in types_seen or code not in asked:
            continue
        types_seen.add(indicator.type)
        cell = "|".join(spec.dimensions[d].options[0].code for d in indicator.disaggregation)
        key = f"value:{code}"
        by_cell = '{"cells": {"CELL": VALUE}}'.replace("CELL", cell)
        if indicator.type == "ratio":
            numerator = '{"cells": {"CELL": {"n": VALUE, "d": "10"}}}'.replace("CELL", cell)
            yield Field("save", key, numerator, "number")
            denominator = '{"cells": {"CELL": {"n": "1", "d": VALUE}}}'.replace("CELL", cell)
            yield Field("save", key, denominator, "number")
            yield Field("save", key, by_cell, "choice")
        else:
            yield Field("save", key, by_cell, INDICATOR_KINDS.get(indicator.type, "choice"))
        yield Field("save", key, '{"cells": {}, "comment": VALUE}', "text")
        yield Field("save", key, '{"cells": VALUE}', "choice")
        yield Field("save", key, '{"no_data": VALUE, "no_data_reason": "chưa có"}', "choice")
        yield Field("save", key, '{"no_data": "1", "no_data_reason": VALUE}', "text")
    columns_seen: set[str] = set()
    for _section, table in spec.tables():
        for column in table.columns:
            if column.type not in columns_seen:
                columns_seen.add(column.type)
                kind = COLUMN_KINDS.get(column.type, "choice")
                template = '{"cells": {"%s": VALUE}}' % column.code  # noqa: UP031
                yield Field("add", f"row:{table.code}", template, kind)
        if table.phasing is not None and "phasing" not in columns_seen:
            columns_seen.add("phasing")
            cell = f"{years[0]}|{table.phasing.sources[0]}|{table.phasing.types[0]}"
            template = '{"cells": {}, "phasing": {"%s": VALUE}}' % cell  # noqa: UP031
            yield Field("add", f"row:{table.code}", template, "number")
            yield Field("add", f"row:{table.code}", '{"cells": {}, "phasing": VALUE}', "choice")
    for section in spec.walk():
        container = section.code
        if section.targets is not None:
            for part, kind in (
                ("indicator", "choice"),
                ("text", "text"),
                ("baseline", "number"),
                ("target", "number"),
                ("year", "number"),
            ):
                template = '{"text": "Mục tiêu", "%s": VALUE}' % part  # noqa: UP031
                yield Field("add", f"target:{container}", template, kind)
            ratios = [c for c in section.targets.indicators if spec.indicators[c].type == "ratio"]
            split = [c for c in section.targets.indicators if spec.indicators[c].disaggregation]
            for code, template, kind in (
                *(
                    (c, '{"indicator": "%s", "target_n": VALUE, "target_d": "10"}', "number")
                    for c in ratios[:1]
                ),
                *(
                    (c, '{"indicator": "%s", "target_n": "1", "target_d": VALUE}', "number")
                    for c in ratios[:1]
                ),
                *(
                    (c, '{"indicator": "%s", "target": "1", "option": VALUE}', "choice")
                    for c in split[:1]
                ),
            ):
                yield Field("add", f"target:{container}", template % code, kind)
        if section.budget is not None and section.budget.rows == "content":
            yield Field("add", f"budget:{container}", '{"label": VALUE}', "text")
            cell = f"{years[0]}|{section.budget.sources[0]}|{section.budget.types[0]}"
            template = '{"label": "Dòng", "phasing": {"%s": VALUE}}' % cell  # noqa: UP031
            yield Field("add", f"budget:{container}", template, "number")
        if section.target_results:
            for part, kind in (
                ("text", "text"),
                ("achieved", "number"),
                ("status", "choice"),
                ("obstacles", "text"),
                ("source", "choice"),
            ):
                template = '{"text": "Kết quả", "%s": VALUE}' % part  # noqa: UP031
                yield Field("add", f"result:{container}", template, kind)
            for part, kind in (
                ("document", "number"),
                ("key", "text"),
                ("text", "text"),
                ("baseline", "number"),
                ("target", "number"),
                ("year", "number"),
            ):
                template = '{"source": {"key": "target:I:abcdef", "%s": VALUE}}' % part  # noqa: UP031
                yield Field("add", f"result:{container}", template, kind)


def test_json_endpoints_never_get_a_server_error(cast: Cast) -> None:
    document = every_feature_document(cast)
    # The example framework has the budget lines the one with every feature lacks.
    example = do_create_document(
        unit=cast.province_a, version=example_version(), actor=cast.editor_a
    )
    narrative = next(s for s in document.framework_version.parsed().walk() if s.narrative)
    fuzz = Fuzz(cast)

    def post(name: str, body: str | bytes, label: str, to: Document = document) -> Any:
        url = reverse(name, args=[to.pk])
        return fuzz.send(
            "editor_a", "POST", url, body=body, content_type="application/json", label=label
        )

    for name in JSON_ENDPOINTS:
        for label, body in RAW_BODIES.items():
            post(name, body, label)
    key_fields = {
        "document_entry_delete": '{"key": VALUE, "base": 0}',
        "document_entry_move": '{"key": "x", "after": VALUE}',
        "document_entry_save": '{"key": VALUE, "base": 0, "content": {}}',
        "document_entry_add": '{"container": VALUE, "content": {}}',
    }
    for name, template in key_fields.items():
        for key in every_json_value():
            post(name, template.replace("VALUE", json_value(key)), f"key={key}")
    field_errors = 0
    reached: set[str] = set()
    fields = [(document, f) for f in entry_fields(document)]
    fields += [(example, f) for f in entry_fields(example) if f.key.startswith("budget:")]
    for to, f in fields:
        for key in values_for(f.kind):
            content = f.template.replace("VALUE", json_value(key))
            if f.endpoint == "save":
                name, body = "document_entry_save", f'{{"key": "{f.key}", "content": {content}}}'
            else:
                name, body = (
                    "document_entry_add",
                    f'{{"container": "{f.key}", "content": {content}}}',
                )
            response = post(name, body, f"{f.key} {f.template} {key}", to)
            if response.status_code in (200, 400):
                errors = response.json().get("errors") or {}
                if response.status_code == 200 or set(errors) - {"", "key"}:
                    reached.add(f"{f.key} {f.template}")
                    field_errors += response.status_code == 400
    fuzz.check()
    # The editor reached every field's reader (not only the gate or the key check), and a
    # plain save is saved.
    every = {f"{f.key} {f.template}" for _to, f in fields}
    assert any(f.key.startswith("budget:") for _to, f in fields)
    assert every - reached == set()
    assert field_errors > 300
    saved = post(
        "document_entry_save",
        json.dumps({"key": f"narrative:{narrative.code}", "content": {"html": "<p>y</p>"}}),
        "a plain save",
    )
    assert saved.status_code == 200, saved.content
    for name in JSON_ENDPOINTS:
        assert fuzz.statuses[(name, 400)] > 20, fuzz.statuses
        assert not {s for (n, s) in fuzz.statuses if n == name} & {401, 403, 404, 405}


# --- the login form, with django-axes on ------------------------------------------------------


@override_settings(AXES_ENABLED=True)
def test_the_login_form_with_axes_never_gets_a_server_error(world: World) -> None:
    from axes.models import AccessAttempt

    fuzz = Fuzz(world.cast)
    url = reverse("login")
    usernames = {**FORM_VALUES, "long_300": "u" * 300, "long_151": "u" * 151}
    for label, value in usernames.items():
        body = form_body([("username", value), ("password", "sai-mat-khau-1")])
        fuzz.send("anonymous", "POST", url, body=body, label=f"username={label}")
        body = form_body([("username", "editor_a"), ("password", value)])
        fuzz.send("anonymous", "POST", url, body=body, label=f"password={label}")
        body = form_body([("username", f"khach{len(label)}"), ("password", "x"), ("x", value)])
        fuzz.send("anonymous", "POST", url, body=body, label=f"extra field={label}")
    # Axes was on: a plain failed login is recorded (and kept, to prove it).
    fuzz.send(
        "anonymous",
        "POST",
        url,
        body=form_body([("username", "khach"), ("password", "sai")]),
        label="a plain failure",
        keep=True,
    )
    assert AccessAttempt.objects.filter(username="khach").exists()
    fuzz.check()
