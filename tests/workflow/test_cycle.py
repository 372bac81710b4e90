"""The submit → appraise → approve cycle: every transition for every member of the cast,
with its audit entry; revisions, timeliness, comments, notifications and reminders."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govplan.audit.models import AuditEvent
from govplan.documents.actions import do_attach, do_create_document, do_save_entry
from govplan.documents.models import Document
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.workflow import actions
from govplan.workflow.models import (
    Comment,
    DocumentRevision,
    Notification,
    ReminderLog,
    WarningExplanation,
    WorkflowEvent,
)
from govplan.workflow.revisions import revision_content
from govplan.workflow.validation import validate
from tests.conftest import Cast
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

SMALL = """
format: govplan/framework@1
code: TEST-WF-2027
kind: plan
title: Kế hoạch thử quy trình năm 2027
period: {from: 2027, to: 2027}
issued_by: {number: 2/TEST, date: 2026-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: DEADLINE
sections:
  - number: I
    title: HIỆN TRẠNG
    narrative: true
    indicators: [DVC.TONG_SO, HT.LAN]
rules:
  - code: R-LAN
    check: "#{HT.LAN} >= 50"
    message: Tỷ lệ cơ quan có mạng LAN thấp hơn 50%.
    importance: warning
"""


def small_version(cast: Cast, deadline: str = "2026-12-20"):  # type: ignore[no-untyped-def]
    return publish(SMALL.replace("DEADLINE", deadline), cast.central_admin)


def filled_document(cast: Cast, *, lan: str = "90", deadline: str = "2026-12-20") -> Document:
    document = do_create_document(
        unit=cast.province_a, version=small_version(cast, deadline), actor=cast.editor_a
    )
    do_save_entry(
        document, "narrative:I", 0, {"html": "<p>Hiện trạng</p>"}, actor=cast.editor_a, locale="vi"
    )
    do_save_entry(
        document, "value:DVC.TONG_SO", 0, {"cells": {"": "1.250"}}, actor=cast.editor_a, locale="vi"
    )
    do_save_entry(
        document,
        "value:HT.LAN",
        0,
        {"cells": {"": {"n": lan, "d": "100"}}},
        actor=cast.editor_a,
        locale="vi",
    )
    return document


CAST = (
    "central_admin",
    "appraiser",
    "editor_a",
    "approver_a",
    "editor_b",
    "commune_editor_a",
    "viewer_a",
)
ALLOWED = {
    "submit": ("draft", {"editor_a", "approver_a"}),
    "withdraw": ("submitted", {"editor_a", "approver_a"}),
    "start_appraisal": ("submitted", {"appraiser"}),
    "return": ("under_appraisal", {"appraiser"}),
    "resubmit": ("returned", {"editor_a", "approver_a"}),
    "approve": ("under_appraisal", {"appraiser"}),
    "issue": ("approved", {"approver_a"}),
    "reopen": ("approved", {"central_admin"}),
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_every_transition_for_every_role(cast: Cast, action: str) -> None:
    document = filled_document(cast)
    source, allowed = ALLOWED[action]
    signed = do_attach(
        document,
        "__signed__",
        data=b"%PDF-1.4\n%%EOF\n",
        filename="ky.pdf",
        content_type="application/pdf",
        description="",
        actor=cast.approver_a,
        signed_copy=True,
    )
    for who in CAST:
        user = getattr(cast, who)
        Document.objects.filter(pk=document.pk).update(status=source)
        audit_before = AuditEvent.objects.filter(action=f"workflow.{action}").count()
        events_before = WorkflowEvent.objects.filter(document=document).count()
        try:
            actions.do_transition(
                Document.objects.get(pk=document.pk),
                action,
                actor=user,
                reason="Lý do cụ thể",
                issue=actions.IssueData(
                    "12/KH-UBND", dt.date(2026, 12, 1), signed, freeze=lambda issued: None
                ),
            )
        except actions.Refused as refused:
            assert who not in allowed, f"{who} should be able to {action}: {refused.message}"
            assert Document.objects.get(pk=document.pk).status == source
            assert WorkflowEvent.objects.filter(document=document).count() == events_before
            assert AuditEvent.objects.filter(action=f"workflow.{action}").count() == audit_before
        else:
            assert who in allowed, f"{who} must not be able to {action}"
            document.refresh_from_db()
            event = WorkflowEvent.objects.filter(document=document).first()
            assert (event.action, event.from_state, event.actor) == (action, source, user)
            entry = AuditEvent.objects.filter(action=f"workflow.{action}").latest("id")
            assert entry.actor == user and entry.before == {"status": source}
            assert entry.after["status"] == document.status


def test_a_transition_from_the_wrong_state_is_refused_and_says_what_happened(cast: Cast) -> None:
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    actions.do_transition(document, "approve", actor=cast.appraiser)
    with pytest.raises(actions.Refused) as refused:
        actions.do_transition(document, "return", actor=cast.appraiser, reason="muộn")
    assert "đã được phê duyệt" in refused.value.message or "approved" in refused.value.message
    assert cast.appraiser.display_name in refused.value.message


def test_reasons_are_required_to_return_and_to_reopen(cast: Cast) -> None:
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    with pytest.raises(actions.Refused):
        actions.do_transition(document, "return", actor=cast.appraiser, reason="  ")
    assert Document.objects.get(pk=document.pk).status == "under_appraisal"


def test_errors_block_submission_and_warnings_need_an_explanation(cast: Cast) -> None:
    document = do_create_document(
        unit=cast.province_a, version=small_version(cast), actor=cast.editor_a
    )
    with pytest.raises(actions.Refused) as refused:
        actions.do_transition(document, "submit", actor=cast.editor_a)
    assert {f.check_id for f in refused.value.problems} >= {
        "required:narrative:I",
        "required:value:DVC.TONG_SO",
    }
    do_save_entry(
        document, "narrative:I", 0, {"html": "<p>Hiện trạng</p>"}, actor=cast.editor_a, locale="vi"
    )
    do_save_entry(
        document, "value:DVC.TONG_SO", 0, {"cells": {"": "1.250"}}, actor=cast.editor_a, locale="vi"
    )
    do_save_entry(
        document,
        "value:HT.LAN",
        0,
        {"cells": {"": {"n": "30", "d": "100"}}},
        actor=cast.editor_a,
        locale="vi",
    )
    report = validate(document)
    assert [f.check_id for f in report.findings] == ["rule:R-LAN"]
    assert report.findings[0].importance == "warning"
    with pytest.raises(actions.Refused):
        actions.do_transition(document, "submit", actor=cast.editor_a)
    client = Client()
    client.force_login(cast.editor_a)
    check_url = reverse("document_check", args=[document.pk])
    page = client.get(check_url).content.decode()
    assert "Tỷ lệ cơ quan có mạng LAN thấp hơn 50%." in page
    assert "Gửi thẩm định" not in page  # the unexplained warning still blocks
    client.post(check_url, {"explain::rule:R-LAN": "Đang triển khai mạng LAN cho 70 xã mới."})
    page = client.get(check_url).content.decode()
    assert "Gửi thẩm định" in page
    client.post(reverse("document_transition", args=[document.pk, "submit"]))
    assert Document.objects.get(pk=document.pk).status == "submitted"
    # What was submitted stays as submitted: the explanation cannot change any more.
    response = client.post(check_url, {"explain::rule:R-LAN": "Khác"}, follow=True)
    assert "không thể sửa" in response.content.decode()
    assert WarningExplanation.objects.get(document=document).text.startswith("Đang triển khai")


def test_each_submission_freezes_a_revision_and_records_timeliness(cast: Cast) -> None:
    today = timezone.localdate()
    document = filled_document(cast, deadline=(today - dt.timedelta(days=3)).isoformat())
    actions.do_transition(document, "submit", actor=cast.editor_a)
    revision = DocumentRevision.objects.get(document=document)
    assert (revision.number, revision.days_late, revision.on_time) == (1, 3, False)
    frozen = revision_content(revision)["entries"]["narrative:I"]["content"]
    assert frozen == {"html": "<p>Hiện trạng</p>"}
    # The frozen revision never changes, even when the document does later.
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    actions.do_transition(document, "return", actor=cast.appraiser, reason="Bổ sung số liệu")
    document.refresh_from_db()
    do_save_entry(
        document,
        "narrative:I",
        1,
        {"html": "<p>Hiện trạng đã bổ sung</p>"},
        actor=cast.editor_a,
        locale="vi",
    )
    again = revision_content(DocumentRevision.objects.get(pk=revision.pk))
    assert again["entries"]["narrative:I"]["content"] == {"html": "<p>Hiện trạng</p>"}
    actions.do_transition(document, "resubmit", actor=cast.editor_a)
    assert list(
        DocumentRevision.objects.filter(document=document).values_list("number", flat=True)
    ) == [2, 1]


def test_the_document_is_locked_while_it_is_with_the_appraiser(cast: Cast) -> None:
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    client = Client()
    client.force_login(cast.editor_a)
    response = client.post(
        reverse("document_entry_save", args=[document.pk]),
        data='{"key": "narrative:I", "base": 1, "content": {"html": "<p>sửa lén</p>"}}',
        content_type="application/json",
    )
    assert response.status_code == 403
    assert document.entries.get(key="narrative:I").content == {"html": "<p>Hiện trạng</p>"}


def test_comments_are_anchored_answered_resolved_and_make_the_return_letter(cast: Cast) -> None:
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    first = actions.do_comment(
        document,
        actor=cast.appraiser,
        section_code="I",
        anchor="value:DVC.TONG_SO",
        anchor_label="Số DVC",
        text="Số liệu DVC chưa khớp với Cổng DVC quốc gia.",
    )
    actions.do_comment(
        document,
        actor=cast.appraiser,
        section_code="I",
        anchor="",
        anchor_label="",
        text="Bổ sung đánh giá hạ tầng.",
    )
    with pytest.raises(actions.Refused):
        actions.do_comment(
            document,
            actor=cast.editor_a,
            section_code="I",
            anchor="",
            anchor_label="",
            text="tự nhận xét",
        )
    actions.do_transition(document, "return", actor=cast.appraiser, reason="Xem 2 nhận xét")
    client = Client()
    client.force_login(cast.appraiser)
    letter = client.get(reverse("document_return_letter", args=[document.pk])).content.decode()
    assert "Số liệu DVC chưa khớp" in letter and "Bổ sung đánh giá hạ tầng" in letter
    actions.do_reply(first, actor=cast.editor_a, text="Đã cập nhật theo Cổng DVC quốc gia.")
    actions.do_resolve(first, actor=cast.appraiser)
    assert Comment.objects.filter(document=document, resolved=False).count() == 1
    assert (
        "Số liệu DVC chưa khớp"
        not in client.get(reverse("document_return_letter", args=[document.pk])).content.decode()
    )


def test_state_changes_notify_the_people_concerned_in_the_app_and_by_email(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    for user in (cast.appraiser, cast.editor_a, cast.approver_a):
        user.email = f"{user.username}@example.gov.vn"
        user.save()
    document = filled_document(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # e-mails go once the change commits
        actions.do_transition(document, "submit", actor=cast.editor_a)
    # The appraiser and the other agency people hear of it; the one who acted does not.
    notified = set(
        Notification.objects.filter(document=document).values_list("user__username", flat=True)
    )
    assert notified == {"appraiser", "approver_a"}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "appraiser@example.gov.vn",
        "approver_a@example.gov.vn",
    ]
    assert "nộp" in mail.outbox[0].subject or "submitted" in mail.outbox[0].subject
    client = Client()
    client.force_login(cast.appraiser)
    assert document.title in client.get(reverse("notifications")).content.decode()


def test_reminders_go_before_the_deadline_and_when_overdue_once_each(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    from govplan.workflow.tasks import send_deadline_reminders

    cast.editor_a.email = "editor_a@example.gov.vn"
    cast.editor_a.save()
    version = small_version(cast, deadline="2026-12-20")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders.enqueue("2026-12-13").return_value >= 1  # 7 days before
    assert send_deadline_reminders.enqueue("2026-12-13").return_value == 0  # not twice
    target = version.targets.get(org_unit=cast.province_a)
    assert ReminderLog.objects.filter(target=target, kind="due_7").exists()
    assert any("editor_a@example.gov.vn" in m.to for m in mail.outbox)
    send_deadline_reminders.enqueue("2026-12-21")  # one day late
    assert ReminderLog.objects.filter(target=target, kind="overdue_1").exists()
    # A unit that has submitted is not reminded.
    document = do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)
    Document.objects.filter(pk=document.pk).update(status="submitted")
    send_deadline_reminders.enqueue("2026-12-28")
    assert not ReminderLog.objects.filter(target=target, kind="overdue_8").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_appraisers_at_once_one_wins_the_other_is_told(small_nation) -> None:  # type: ignore[no-untyped-def]
    from govplan.accounts.models import User

    province, people = small_nation
    draft = do_upload_framework(SMALL.replace("DEADLINE", "2026-12-20"), actor=people["admin"])
    version = do_publish(
        draft, actor=people["admin"], deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    editor = people["editor_a"]
    document = do_create_document(unit=province, version=version, actor=editor)
    do_save_entry(
        document, "narrative:I", 0, {"html": "<p>Hiện trạng</p>"}, actor=editor, locale="vi"
    )
    do_save_entry(
        document, "value:DVC.TONG_SO", 0, {"cells": {"": "12"}}, actor=editor, locale="vi"
    )
    do_save_entry(
        document,
        "value:HT.LAN",
        0,
        {"cells": {"": {"n": "90", "d": "100"}}},
        actor=editor,
        locale="vi",
    )
    actions.do_transition(document, "submit", actor=editor)
    actions.do_transition(document, "start_appraisal", actor=people["appraiser"])
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(user, action: str, reason: str) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            actions.do_transition(
                Document.objects.get(pk=document.pk),
                action,
                actor=User.objects.get(pk=user.pk),
                reason=reason,
            )
            outcomes[action] = "done"
        except actions.Refused as refused:
            outcomes[action] = refused.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(people["appraiser"], "approve", "")),
        threading.Thread(target=act, args=(people["appraiser_2"], "return", "Chưa đạt")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v == "done" for v in outcomes.values()) == [False, True]
    winner = next(a for a, v in outcomes.items() if v == "done")
    loser_message = next(v for v in outcomes.values() if v != "done")
    assert (
        Document.objects.get(pk=document.pk).status
        == {"approve": "approved", "return": "returned"}[winner]
    )
    assert (
        WorkflowEvent.objects.filter(document=document, action__in=("approve", "return")).count()
        == 1
    )
    winner_name = {"approve": "Appraiser", "return": "Appraiser 2"}[winner]
    assert winner_name in loser_message  # the one who lost is told who acted, and what


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_in_production_a_worker_process_sends_what_the_web_process_queued(
    cast: Cast, django_capture_on_commit_callbacks, settings, monkeypatch
) -> None:
    """TASKS_BACKEND=database: the web request only queues; `manage.py db_worker` sends."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    cast.appraiser.email = "appraiser@example.gov.vn"
    cast.appraiser.save()
    document = filled_document(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_transition(document, "submit", actor=cast.editor_a)
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and mail.outbox == []
    # The worker recycles connections between tasks; here that would end the test's
    # transaction (on PostgreSQL), so it keeps the one it has.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert [m.to for m in mail.outbox] == [["appraiser@example.gov.vn"]]


def commune_document(  # type: ignore[no-untyped-def]
    cast: Cast, code: str = "TEST-WF-2027", appraisal: str = ""
):
    text = (
        SMALL.replace("DEADLINE", "2026-12-20")
        .replace("code: TEST-WF-2027", f"code: {code}")
        .replace("kinds: [province]", "kinds: [province, commune]")
        .replace("sections:", f"{appraisal}\nsections:")
    )
    draft = do_upload_framework(text, actor=cast.central_admin)
    version = do_publish(
        draft,
        actor=cast.central_admin,
        deadline=draft.deadline,
        kinds=["province", "commune"],
        unit_refs=[],
    )
    document = do_create_document(unit=cast.commune_a, version=version, actor=cast.commune_editor_a)
    for key, content in (
        ("narrative:I", {"html": "<p>Hiện trạng</p>"}),
        ("value:DVC.TONG_SO", {"cells": {"": "12"}}),
        ("value:HT.LAN", {"cells": {"": {"n": "9", "d": "10"}}}),
    ):
        do_save_entry(document, key, 0, content, actor=cast.commune_editor_a, locale="vi")
    actions.do_transition(document, "submit", actor=cast.commune_editor_a)
    return document


def test_a_province_appraises_its_communes_unless_the_framework_says_otherwise(
    cast: Cast,
) -> None:
    from tests.conftest import make_user

    province_appraiser = make_user("province_appraiser", cast.province_a, "appraiser")
    document = commune_document(cast)
    assert actions.appraising_unit(document) == cast.province_a
    with pytest.raises(actions.Refused):
        actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    client = Client()
    client.force_login(province_appraiser)
    assert document.title in client.get(reverse("appraisal_queue")).content.decode()
    actions.do_transition(document, "start_appraisal", actor=province_appraiser)
    actions.do_transition(document, "approve", actor=province_appraiser)
    assert Document.objects.get(pk=document.pk).status == "approved"

    # A framework can send communes' documents to the central authority instead.
    central = commune_document(
        cast, "TEST-WF-2027-TW", "appraisal:\n  - {kinds: [commune], by: central}"
    )
    assert actions.appraising_unit(central) == cast.central
    with pytest.raises(actions.Refused):
        actions.do_transition(central, "start_appraisal", actor=province_appraiser)
    actions.do_transition(central, "start_appraisal", actor=cast.appraiser)


def test_the_queue_routes_many_documents_with_a_fixed_number_of_queries(cast: Cast) -> None:
    from django.test.utils import CaptureQueriesContext

    from govplan.orgunits.models import Kind
    from govplan.workflow.queue import waiting_for
    from tests.conftest import make_user

    province_appraiser = make_user("province_appraiser", cast.province_a, "appraiser")

    def queries(user) -> tuple[int, list[Document]]:  # type: ignore[no-untyped-def]
        user = type(user).objects.get(pk=user.pk)  # as a new request would load them
        waiting_for(user)  # the process has read the versions' appraisal rules once
        with CaptureQueriesContext(connection) as context:
            waiting = waiting_for(user)
        return len(context.captured_queries), waiting

    def submitted(unit) -> None:  # type: ignore[no-untyped-def]
        document = do_create_document(unit=unit, version=version, actor=cast.central_admin)
        Document.objects.filter(pk=document.pk).update(status="submitted")

    # One document of each route (a commune to its province, a province to the centre) …
    version = commune_document(cast).framework_version
    submitted(cast.province_a)
    few = {who: queries(who)[0] for who in (cast.appraiser, province_appraiser)}
    # … then many more: the number of queries stays the same.
    communes = list(
        cast.province_a.descendants(on=timezone.localdate())
        .filter(kind=Kind.COMMUNE)
        .exclude(pk=cast.commune_a.pk)[:5]
    )
    for unit in [cast.province_b, *communes]:
        submitted(unit)
    count, central = queries(cast.appraiser)
    assert count == few[cast.appraiser]
    assert {d.org_unit for d in central} == {cast.province_a, cast.province_b}
    count, provincial = queries(province_appraiser)
    assert count == few[province_appraiser]
    assert {d.org_unit for d in provincial} == {cast.commune_a, *communes}
    assert waiting_for(cast.editor_a) == []


def test_the_queue_comes_a_page_at_a_time(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from govplan.workflow import views

    version = small_version(cast)
    for unit in (cast.province_a, cast.province_b):
        document = do_create_document(unit=unit, version=version, actor=cast.central_admin)
        Document.objects.filter(pk=document.pk).update(status="submitted")
    monkeypatch.setattr(views, "QUEUE_PER_PAGE", 1)
    client = Client()
    client.force_login(cast.appraiser)
    url = reverse("appraisal_queue")
    first, second = (client.get(url, {"page": n}).content.decode() for n in (1, 2))
    names = [cast.province_a.name, cast.province_b.name]
    assert [name in first for name in names].count(True) == 1
    assert [name in second for name in names].count(True) == 1
    assert set(names) == {n for n in names if n in first or n in second}
    assert "Trang 1 / 2" in first and "Trang 2 / 2" in second
    assert client.get(url, {"page": "x"}).status_code == 200  # a bad page number: page 1
