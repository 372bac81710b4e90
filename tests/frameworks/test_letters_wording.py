"""What the letters say, as a framework can now say it: sub-sections a letter only suggests
("có thể bao gồm (không giới hạn)"), a deadline "before" a day, a contact person, a letter
that sets no deadline (issue 13, items 7 and 12)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.core.frameworks.files import read_catalogue, read_legal
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.due import due_items
from govplan.documents.models import Document
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkVersion, Status
from govplan.workflow.actions import days_late
from govplan.workflow.validation import validate
from tests.conftest import Cast

FRAMEWORK = """
format: govplan/framework@1
code: TEST-THU-2099
kind: plan
title: Kế hoạch thử năm 2099
period: {from: 2099, to: 2099}
issued_by: {number: 1/TEST, date: 2098-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [post, email]
  frequency: annual
  deadline: {before: 2098-11-30}
  contact:
    name: Ông Nguyễn Văn Liên Hệ, Trưởng phòng Kế hoạch
    phone: 024.3943.0000
    email: lienhe@example.gov.vn
sections:
  - number: I
    title: HIỆN TRẠNG
    narrative: true
  - number: II
    title: GIẢI PHÁP
    guidance: Có thể bao gồm (không giới hạn) các nội dung chính sau.
    subsections: suggested
    sections:
      - {number: "1", title: Giải pháp tài chính, narrative: true}
      - {number: "2", title: Giải pháp tổ chức, narrative: true}
      - {number: "3", title: Giải pháp bắt buộc, narrative: true, required: true}
"""


def data() -> dict[str, Any]:
    result: dict[str, Any] = load_text(FRAMEWORK)
    return result


def parse(document: dict[str, Any]):  # type: ignore[no-untyped-def]
    return parse_framework(document, read_catalogue(), read_legal())


def problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse(document)
    return [str(p) for p in caught.value.problems]


def test_suggested_sub_sections_are_optional_unless_the_file_says_otherwise() -> None:
    spec = parse(data())
    solutions = spec.section("II")
    assert solutions is not None and solutions.required and solutions.subsections == "suggested"
    assert [s.required for s in solutions.sections] == [False, False, True]
    assert spec.section("I").subsections == "required"


def test_a_deadline_before_a_day_ends_the_day_before_and_the_contact_is_read() -> None:
    reporting = parse(data()).reporting
    assert reporting.deadline == dt.date(2098, 11, 30) and reporting.deadline_before
    assert reporting.last_day == dt.date(2098, 11, 29)
    assert reporting.contact is not None
    assert reporting.contact.email == "lienhe@example.gov.vn"
    plain = data()
    plain["reporting"]["deadline"] = "2098-11-30"
    assert parse(plain).reporting.last_day == dt.date(2098, 11, 30)


def test_a_letter_without_deadline_or_delivery_is_a_valid_framework() -> None:
    open_ended = data()
    del open_ended["reporting"]["deadline"]
    del open_ended["reporting"]["delivery"]
    reporting = parse(open_ended).reporting
    assert reporting.deadline is None and reporting.last_day is None
    assert reporting.delivery == ()


def test_the_new_keys_read_back_from_the_stored_form() -> None:
    from govplan.core.frameworks.model import Framework

    spec = parse(data())
    assert Framework.from_dict(spec.to_dict()) == spec
    # A version stored before these keys existed reads with their defaults.
    stored = spec.to_dict()
    for key in ("deadline_before", "contact"):
        del stored["reporting"][key]
    for section in stored["sections"]:
        del section["subsections"], section["numbering"]
    old = Framework.from_dict(stored)
    assert old.reporting.last_day == dt.date(2098, 11, 30) and old.reporting.contact is None
    assert old.section("II").subsections == "required"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["reporting"].__setitem__("deadline", {"before": "30/11/2098"}),
            'reporting.deadline.before: "30/11/2098" is not a date in YYYY-MM-DD form',
        ),
        (
            lambda d: d["reporting"].__setitem__("deadline", {"after": "2098-11-30"}),
            "reporting.deadline",
        ),
        (
            lambda d: d["reporting"]["contact"].__setitem__("email", "lienhe at example"),
            'reporting.contact.email: "lienhe at example" is not an e-mail address',
        ),
        (
            lambda d: d["reporting"]["contact"].pop("name"),
            "reporting.contact.name: required",
        ),
        (
            lambda d: d["reporting"]["contact"].__setitem__("fax", "024"),
            'reporting.contact.fax: unknown key "fax"',
        ),
        (
            lambda d: d["sections"][1].__setitem__("subsections", "optional"),
            'sections[1].subsections: unknown value "optional"',
        ),
        (
            lambda d: d["sections"][0].__setitem__("subsections", "suggested"),
            "sections[0].subsections: the section has no sub-sections",
        ),
    ],
)
def test_a_wrong_new_key_is_refused_where_it_is(change, expected) -> None:  # type: ignore[no-untyped-def]
    broken = copy.deepcopy(data())
    change(broken)
    found = problems(broken)
    assert any(p.startswith(expected) for p in found), found


# --- through the application ---------------------------------------------------------


def admin(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.central_admin)
    return client


@pytest.mark.django_db
def test_the_publish_page_proposes_the_last_day_on_time_and_lateness_counts_from_it(
    cast: Cast,
) -> None:
    draft = do_upload_framework(FRAMEWORK.encode(), actor=cast.central_admin)
    assert draft.deadline == dt.date(2098, 11, 29)
    page = admin(cast).get(reverse("framework_publish", args=[draft.framework.code, 1]))
    assert 'value="2098-11-29"' in page.content.decode()
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    # Sent on the day the letter names ("before 30/11") is one day late.
    assert days_late(version.deadline, dt.date(2098, 11, 29)) == 0
    assert days_late(version.deadline, dt.date(2098, 11, 30)) == 1
    [item] = [i for i in due_items(cast.editor_a, dt.date(2098, 11, 30))]
    assert item.state == "overdue" and item.days_late == 1
    # The framework page and the blank form show the letter's day, the last day, whom to ask.
    for name in ("framework_version", "framework_form"):
        page = admin(cast).get(reverse(name, args=[version.framework.code, 1])).content.decode()
        assert "29/11/2098" in page and "30/11/2098" in page, name
        assert "Ông Nguyễn Văn Liên Hệ, Trưởng phòng Kế hoạch" in page, name
        assert "024.3943.0000" in page and "mailto:lienhe@example.gov.vn" in page, name


@pytest.mark.django_db
def test_a_framework_without_deadline_is_published_and_says_so(cast: Cast) -> None:
    text = FRAMEWORK.replace("  deadline: {before: 2098-11-30}\n", "").replace(
        "  delivery: [post, email]\n", ""
    )
    draft = do_upload_framework(text.encode(), actor=cast.central_admin)
    assert draft.deadline is None
    client = admin(cast)
    response = client.post(
        reverse("framework_publish", args=[draft.framework.code, 1]), {"kinds": ["province"]}
    )
    assert response.status_code == 302
    version = FrameworkVersion.objects.get(pk=draft.pk)
    assert version.status == Status.PUBLISHED and version.deadline is None
    page = client.get(reverse("framework_version", args=[version.framework.code, 1]))
    assert "Không có hạn nộp: văn bản không quy định." in page.content.decode()
    [item] = due_items(cast.editor_a, dt.date(2098, 11, 30))
    assert item.deadline is None and item.state == "open" and item.days_late == 0
    officer = Client()
    officer.force_login(cast.editor_a)
    assert "không có hạn nộp" in officer.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_at_least_one_suggested_sub_section_is_written_none_is_required_alone(
    cast: Cast,
) -> None:
    draft = do_upload_framework(FRAMEWORK.encode(), actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    document = do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)
    codes = {f.check_id for f in validate(document).findings}
    assert "required:suggested:II" in codes
    assert "required:narrative:II.1" not in codes and "required:narrative:II.2" not in codes
    assert "required:narrative:II.3" in codes  # the file made this one required
    page = Client()
    page.force_login(cast.editor_a)
    editor = page.get(reverse("document_edit", args=[document.pk])).content.decode()
    assert "gợi ý" in editor
    do_save_entry(
        document, "narrative:II.2", 0, {"html": "<p>Tổ chức.</p>"}, actor=cast.editor_a, locale="vi"
    )
    document = Document.objects.get(pk=document.pk)
    codes = {f.check_id for f in validate(document).findings}
    assert "required:suggested:II" not in codes


def test_the_every_feature_framework_uses_the_new_keys() -> None:
    from tests.conftest import EVERY_FEATURE

    spec = parse(load_text(EVERY_FEATURE.read_text(encoding="utf-8")))
    assert spec.reporting.contact is not None and spec.reporting.contact.email
    infrastructure = spec.section("II.1")
    assert infrastructure is not None
    uses = {u.indicator: u for u in infrastructure.indicators}
    assert uses["HT.MAY_TINH_CBCC"].split is not None
    assert uses["LGSP.TRIEN_KHAI"].applies_to is not None
    services = spec.section("II.2")
    assert services is not None and services.numbering == "renumber"
    assert {u.indicator: u.options for u in services.indicators}["NS.KINH_PHI_CNTT"] == (
        "NSTW",
        "NSDP",
    )
