"""Malformed requests are answered with what is wrong and where, change nothing, and never
end in a server error (issue 11, cases 7 and 8). The fuzz in tests/access/test_fuzz_inputs.py
sends every class of hostile input everywhere; these show what a user sees, one cause each."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from govplan.audit.models import Action, AuditEvent
from govplan.documents.models import Document, Entry, EntryVersion
from govplan.official.models import IssuingData
from govplan.workflow import actions as workflow
from govplan.workflow.models import Comment, WarningExplanation
from tests.conftest import Cast
from tests.support.documents import every_feature_document
from tests.workflow.test_cycle import filled_document

pytestmark = pytest.mark.django_db


def client_of(user: object = None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def save(client: Client, document: Document, key: str, content: str, base: int = 0):  # type: ignore[no-untyped-def]
    body = f'{{"key": "{key}", "base": {base}, "content": {content}}}'
    return client.post(
        reverse("document_entry_save", args=[document.pk]), body, content_type="application/json"
    )


def add(client: Client, document: Document, container: str, content: str):  # type: ignore[no-untyped-def]
    body = f'{{"container": "{container}", "content": {content}}}'
    return client.post(
        reverse("document_entry_add", args=[document.pk]), body, content_type="application/json"
    )


# --- characters no input may hold -------------------------------------------------------------


def appraised(cast: Cast) -> Document:
    document = filled_document(cast)
    workflow.do_transition(document, "submit", actor=cast.editor_a)
    document.refresh_from_db()
    workflow.do_transition(document, "start_appraisal", actor=cast.appraiser)
    document.refresh_from_db()
    return document


def test_a_comment_with_a_control_character_is_refused_with_where_it_is(cast: Cast) -> None:
    document = appraised(cast)
    response = client_of(cast.appraiser).post(
        reverse("document_comment", args=[document.pk]),
        {"section": "I", "text": "Bổ sung\x07 số liệu"},
    )
    assert response.status_code == 400
    assert "“text” chứa ký tự điều khiển (U+0007) ở vị trí 8." in text(response)
    assert "Chưa có gì bị thay đổi" in text(response)
    assert not Comment.objects.filter(document=document).exists()


def test_the_editor_refuses_a_control_character_in_a_cell_and_says_where(
    cast: Cast, document_a
) -> None:  # type: ignore[no-untyped-def]
    client = client_of(cast.editor_a)
    response = add(client, document_a, "row:projects", '{"cells": {"name": "Dự án\\u001b số 1"}}')
    assert response.status_code == 400
    assert response.json()["errors"] == {"cells.name": "chứa ký tự điều khiển (U+001B) ở vị trí 6"}
    assert not Entry.objects.filter(document=document_a, kind="row").exists()
    assert client.get(reverse("document_edit", args=[document_a.pk])).status_code == 200


def test_a_lone_surrogate_is_refused_and_the_pages_still_open(cast: Cast, document_a) -> None:  # type: ignore[no-untyped-def]
    client = client_of(cast.editor_a)
    response = add(client, document_a, "row:projects", '{"cells": {"name": "Dự án \\ud800"}}')
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "cells.name": "chứa nửa ký tự (U+D800, một surrogate không thành cặp) ở vị trí 7"
    }
    assert (
        not EntryVersion.objects.filter(entry__document=document_a)
        .exclude(entry__kind="narrative")
        .exists()
    )
    for name in ("document_edit", "document_history"):
        assert client.get(reverse(name, args=[document_a.pk])).status_code == 200


def test_narrative_text_drops_the_control_characters_a_paste_brings(cast: Cast, document_a) -> None:  # type: ignore[no-untyped-def]
    spec = document_a.framework_version.parsed()
    section = next(s for s in spec.walk() if s.narrative)
    response = save(
        client_of(cast.editor_a),
        document_a,
        f"narrative:{section.code}",
        json.dumps(
            {"html": "<p>Dự\u0007 án\u000bsố 1</p><table><tr><td colspan='²'>a</td></tr></table>"}
        ),
    )
    assert response.status_code == 200
    assert response.json()["content"]["html"] == (
        "<p>Dự án số 1</p><table><tbody><tr><td>a</td></tr></tbody></table>"
    )


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("NaN", "không phải một số hữu hạn: NaN"),
        ("Infinity", "không phải một số hữu hạn: Infinity"),
        ("1e400", "không phải một số hữu hạn: 1e400"),
        ('"1' + "0" * 400 + '"', "quá lớn: phần nguyên có tối đa 12 chữ số"),
        ('"1.000.000.000.000"', "quá lớn: phần nguyên có tối đa 12 chữ số"),
        ('"NaN"', "không phải là số: NaN"),
    ],
)
def test_the_editor_refuses_a_money_value_no_table_can_hold(
    cast: Cast, document_a, amount: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    response = add(
        client_of(cast.editor_a), document_a, "row:projects", f'{{"cells": {{"total": {amount}}}}}'
    )
    assert response.status_code == 400
    assert list(response.json()["errors"].values()) == [message]
    assert not Entry.objects.filter(document=document_a, kind="row").exists()


def test_a_number_of_4301_digits_in_the_request_is_refused(cast: Cast, document_a) -> None:  # type: ignore[no-untyped-def]
    response = save(client_of(cast.editor_a), document_a, "narrative:I", "{}", base="9" * 4301)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert response.json()["errors"] == {"base": "quá lớn: phần nguyên có tối đa 15 chữ số"}


def test_deeply_nested_json_is_refused(cast: Cast, document_a) -> None:  # type: ignore[no-untyped-def]
    response = client_of(cast.editor_a).post(
        reverse("document_entry_save", args=[document_a.pk]),
        '{"content": ' + "[" * 100_000 + "]" * 100_000 + "}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"": "Yêu cầu không được chấp nhận: lồng sâu quá 16 cấp."}


def test_a_copied_plan_target_is_checked_like_any_value(cast: Cast) -> None:
    document = every_feature_document(cast)
    client = client_of(cast.editor_a)
    response = add(
        client,
        document,
        "result:MUC_TIEU",
        '{"source": {"key": "target:I:abcdef", "text": "Mục tiêu", "target": "abc"}}',
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"source.target": "không phải là số: abc"}
    assert client.get(reverse("document_edit", args=[document.pk])).status_code == 200


def test_an_indicator_named_by_a_list_is_refused(cast: Cast) -> None:
    document = every_feature_document(cast)
    response = add(
        client_of(cast.editor_a), document, "target:MUC_TIEU", '{"indicator": ["a"], "target": "1"}'
    )
    assert response.status_code == 400
    assert "indicator" in response.json()["errors"]


def test_an_official_number_in_other_digits_is_refused(cast: Cast, document_a) -> None:  # type: ignore[no-untyped-def]
    client = client_of(cast.editor_a)
    response = client.post(
        reverse("document_issuing", args=[document_a.pk]), {"number": "²", "date": "2026-12-01"}
    )
    assert response.status_code == 200
    assert "Chỉ ghi số, ví dụ 2668" in text(response)
    assert not IssuingData.objects.filter(document=document_a).exists()


# --- ids and dates in addresses and forms -----------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "9" * 4301, "-1"])
def test_a_revision_number_in_the_address_must_be_digits(cast: Cast, value: str) -> None:
    document = appraised(cast)
    url = reverse("document_revisions", args=[document.pk])
    response = client_of(cast.editor_a).get(url, {"a": value, "b": "1"})
    assert response.status_code == 400
    shown = value if len(value) <= 40 else value[:40] + "…"
    assert f"“a” phải là một số nguyên viết bằng các chữ số 0-9, không phải “{shown}”." in text(
        response
    )


def test_a_parent_unit_in_other_digits_is_a_bad_request(cast: Cast) -> None:
    response = client_of(cast.central_admin).get(reverse("unit_create"), {"parent": "²"})
    assert response.status_code == 400


@pytest.mark.parametrize("moment", ["2025-02-30T10:00", "2025-01-01T25:00", "0001-01-01T00:00"])
def test_table_history_at_an_impossible_moment_says_so(cast: Cast, document_a, moment: str) -> None:  # type: ignore[no-untyped-def]
    url = reverse("document_table_history", args=[document_a.pk, "projects"])
    response = client_of(cast.editor_a).get(url, {"at": moment})
    assert response.status_code == 400
    assert "“at” không phải là một ngày trong khoảng năm 1900-2100" in text(response)


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_audit_filter_refuses_dates_outside_the_calendar(
    cast: Cast, field: str, day: str
) -> None:
    response = client_of(cast.central_admin).get(reverse("audit_list"), {field: day})
    assert response.status_code == 200
    assert "Hãy chọn một ngày trong khoảng từ năm 1900 đến năm 2100." in text(response)


def test_an_explanation_for_a_check_the_document_does_not_have_is_ignored(cast: Cast) -> None:
    document = filled_document(cast, lan="10")  # a warning: R-LAN
    client = client_of(cast.editor_a)
    response = client.post(
        reverse("document_check", args=[document.pk]),
        {"explain::rule:R-LAN": "Đang đầu tư.", "explain::" + "x" * 400: "Bịa"},
    )
    assert response.status_code == 302
    assert list(WarningExplanation.objects.values_list("check_id", flat=True)) == ["rule:R-LAN"]


# --- the login form, reachable without an account ---------------------------------------------


@override_settings(AXES_ENABLED=True)
def test_an_overlong_user_name_is_a_form_error_and_reaches_no_backend(cast: Cast) -> None:
    from axes.models import AccessAttempt

    response = client_of().post(reverse("login"), {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Giá trị này chỉ có tối đa 150 kí tự (hiện có 300)" in text(response)
    assert not AccessAttempt.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.LOGIN_FAILURE).exists()


@override_settings(AXES_ENABLED=True)
def test_a_nul_anywhere_in_the_login_form_is_a_bad_request(cast: Cast) -> None:
    from axes.models import AccessAttempt

    response = client_of().post(
        reverse("login"), {"username": "editor_a", "password": "sai", "next": "/\x00"}
    )
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forwarded_address_that_is_no_address_is_not_recorded(cast: Cast) -> None:
    client_of().post(
        reverse("login"),
        {"username": "editor_a", "password": "sai"},
        HTTP_X_FORWARDED_FOR="không-phải-địa-chỉ",
        HTTP_USER_AGENT="trình duyệt\x07",
    )
    failure = AuditEvent.objects.get(action=Action.LOGIN_FAILURE)
    assert failure.ip is None
    assert failure.user_agent == "trình duyệt"
