"""Joint appraisal (issue 17, item 4): the appraiser asks another agency for its opinion on
the revision under appraisal; the agency reads exactly that and answers once; the appraiser
sees it, withdraws or reminds; the approval records what the approver saw."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govplan.accounts.models import Role, User
from govplan.audit.models import Action, AuditEvent
from govplan.documents.actions import do_create_document
from govplan.documents.models import Document
from govplan.orgunits.models import OrgUnit
from govplan.workflow import actions, opinion_reminders, opinions
from govplan.workflow.models import (
    Notification,
    OpinionReminder,
    OpinionRequest,
    OpinionStatus,
    RecordedOpinions,
)
from tests.conftest import Cast, example_version, make_user, unit
from tests.support.hostile_files import clean_pdf
from tests.workflow.test_cycle import filled_document

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
QUESTION = "Đề nghị Bộ Tài chính cho ý kiến về khả năng cân đối vốn đầu tư công cho dự án."


def finance() -> OrgUnit:
    return unit("govplan", "BTC")


def appraised(cast: Cast) -> Document:
    """Province A's plan, submitted and under the central appraiser's appraisal."""
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    return Document.objects.get(pk=document.pk)


@pytest.fixture
def agency_editor(cast: Cast) -> User:
    user = make_user("taichinh_bientap", finance(), Role.EDITOR)
    user.email = "bientap@mof.gov.vn"
    user.save()
    return user


@pytest.fixture
def agency_head(cast: Cast) -> User:
    return make_user("taichinh_lanhdao", finance(), Role.APPROVER)


def ask(document: Document, cast: Cast, deadline: dt.date | None = None) -> OpinionRequest:
    return opinions.do_ask_opinion(
        document,
        actor=cast.appraiser,
        agency=finance(),
        question=QUESTION,
        deadline=deadline or TODAY + dt.timedelta(days=10),
    )


def login(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_ask_notify_answer_see_approve_and_record(
    cast: Cast, agency_editor: User, agency_head: User, django_capture_on_commit_callbacks: Any
) -> None:
    document = appraised(cast)
    appraiser = login(cast.appraiser)
    # The appraiser asks through the page.
    page = appraiser.get(reverse("opinion_ask", args=[document.pk]))
    assert page.status_code == 200 and "Bộ Tài chính" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = appraiser.post(
            reverse("opinion_ask", args=[document.pk]),
            {
                "agency": finance().pk,
                "question": QUESTION,
                "deadline": (TODAY + dt.timedelta(days=10)).isoformat(),
            },
        )
    assert response.status_code == 302
    request = OpinionRequest.objects.get(document=document)
    assert request.revision.number == document.revision == 1
    assert request.status == OpinionStatus.PENDING
    # The agency's people are told, in the application and by e-mail; the link leads to the
    # request, never to the document.
    told = Notification.objects.get(user=agency_editor)
    assert told.url == reverse("opinion_request", args=[request.pk]) and told.document is None
    assert Notification.objects.filter(user=agency_head).exists()
    assert any("bientap@mof.gov.vn" in m.to for m in mail.outbox)
    assert AuditEvent.objects.filter(action=Action.OPINION_ASK, object_id=str(request.pk)).exists()

    # The agency reads the request and the revision as submitted.
    agency = login(agency_editor)
    shown = agency.get(reverse("opinion_request", args=[request.pk])).content.decode()
    assert QUESTION in shown and "Hiện trạng" in shown and "1.250" in shown
    assert agency.get(reverse("opinion_inbox")).content.decode().count(document.title) == 1
    assert reverse("opinion_inbox") in agency.get(reverse("home")).content.decode()
    assert opinions.waiting_for(agency_editor) == 1 and opinions.waiting_for(cast.editor_a) == 0
    # A change the province makes later is not what the agency reads: nothing can be changed
    # while under appraisal, and the page reads the frozen revision only.
    with django_capture_on_commit_callbacks(execute=True):
        sent = agency.post(
            reverse("opinion_request", args=[request.pk]),
            {
                "kind": "conditions",
                "answer": "<p>Đồng ý, với điều kiện <b>bố trí vốn</b><script>x()</script></p>",
                "file": SimpleUploadedFile("cong-van.pdf", clean_pdf(), "application/pdf"),
            },
        )
    assert sent.status_code == 302
    request.refresh_from_db()
    assert request.status == OpinionStatus.ANSWERED and request.kind == "conditions"
    assert "<script>" not in request.answer and "<b>bố trí vốn</b>" in request.answer
    assert request.answered_by == agency_editor and request.answered_role == Role.EDITOR
    assert request.file_name == "cong-van.pdf"
    assert agency.get(reverse("opinion_file", args=[request.pk])).status_code == 200
    assert Notification.objects.filter(user=cast.appraiser, document=document).exists()

    # The appraiser sees it on the appraisal panel, and on the approval page before approving.
    panel = appraiser.get(reverse("document_edit", args=[document.pk])).content.decode()
    assert "Bộ Tài chính" in panel and 'id="opinions"' in panel
    assert reverse("document_approve", args=[document.pk]) in panel
    approval = appraiser.get(reverse("document_approve", args=[document.pk]))
    body = approval.content.decode()
    assert "bố trí vốn" in body and "cong-van.pdf" in body
    assert appraiser.get(reverse("opinion_file", args=[request.pk])).status_code == 200
    response = appraiser.post(
        reverse("document_approve", args=[document.pk]), {"seen": approval.context["seen"]}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == "approved"
    recorded = RecordedOpinions.objects.get(document=document)
    assert recorded.event.action == "approve"
    (entry,) = recorded.opinions
    assert entry["agency"] == "Bộ Tài chính" and entry["kind"] == "conditions"
    assert entry["state"] == "answered" and "bố trí vốn" in entry["answer"]
    assert AuditEvent.objects.filter(action=Action.OPINION_RECORD).exists()
    # What the approver saw never changes: the record refuses, the page shows it.
    with pytest.raises(ValueError):
        recorded.save()
    after = appraiser.get(reverse("document_approve", args=[document.pk])).content.decode()
    assert "bố trí vốn" in after
    assert 'name="seen"' not in after  # recorded: nothing left to confirm


def test_an_unanswered_request_is_recorded_as_unanswered(cast: Cast, agency_editor: User) -> None:
    document = appraised(cast)
    ask(document, cast)
    withdrawn = opinions.do_ask_opinion(
        document,
        actor=cast.appraiser,
        agency=cast.province_b,
        question="Ý kiến của Hà Nội?",
        deadline=TODAY,
    )
    opinions.do_withdraw_opinion_request(withdrawn, actor=cast.appraiser, reason="Không cần")
    actions.do_transition(document, "approve", actor=cast.appraiser)
    (entry,) = RecordedOpinions.objects.get(document=document).opinions
    assert entry["state"] == "pending" and entry["kind"] == "" and entry["answer"] == ""
    # After the approval the agency can no longer answer.
    request = OpinionRequest.objects.get(document=document, agency=finance())
    with pytest.raises(actions.Refused, match=r"appraisal is over|thẩm định đã kết thúc"):
        opinions.do_answer_opinion(request, actor=agency_editor, kind="agree", answer="<p>Ok</p>")


def test_an_approval_after_an_opinion_arrived_unseen_is_refused(
    cast: Cast, agency_editor: User
) -> None:
    document = appraised(cast)
    request = ask(document, cast)
    appraiser = login(cast.appraiser)
    seen = appraiser.get(reverse("document_approve", args=[document.pk])).context["seen"]
    opinions.do_answer_opinion(request, actor=agency_editor, kind="disagree", answer="<p>Không</p>")
    response = appraiser.post(reverse("document_approve", args=[document.pk]), {"seen": seen})
    assert response.status_code == 302
    assert Document.objects.get(pk=document.pk).status == "under_appraisal"
    assert not RecordedOpinions.objects.exists()


def test_a_deadline_in_the_past_is_refused_on_the_form_and_by_the_action(cast: Cast) -> None:
    document = appraised(cast)
    yesterday = TODAY - dt.timedelta(days=1)
    response = login(cast.appraiser).post(
        reverse("opinion_ask", args=[document.pk]),
        {"agency": finance().pk, "question": QUESTION, "deadline": yesterday.isoformat()},
    )
    assert response.status_code == 200
    assert "deadline" in response.context["form"].errors
    assert yesterday.strftime("%d/%m/%Y") in response.content.decode()
    with pytest.raises(actions.Refused, match=yesterday.strftime("%d/%m/%Y")):
        ask(document, cast, deadline=yesterday)
    assert not OpinionRequest.objects.exists()


def test_asking_about_a_document_not_under_appraisal_is_refused(cast: Cast) -> None:
    draft = do_create_document(unit=cast.province_a, version=example_version(), actor=cast.editor_a)
    with pytest.raises(actions.Refused):
        ask(draft, cast)
    submitted = filled_document(cast)
    actions.do_transition(submitted, "submit", actor=cast.editor_a)
    with pytest.raises(actions.Refused, match=r"under appraisal|đang thẩm định"):
        ask(Document.objects.get(pk=submitted.pk), cast)
    assert not OpinionRequest.objects.exists()


def test_asking_twice_the_same_agency_is_refused_and_only_the_appraiser_asks(
    cast: Cast,
) -> None:
    document = appraised(cast)
    ask(document, cast)
    with pytest.raises(actions.Refused, match="Bộ Tài chính"):
        ask(document, cast)  # the double click
    for outsider in (cast.editor_a, cast.central_admin, cast.editor_b):
        with pytest.raises(actions.Refused):
            opinions.do_ask_opinion(
                document, actor=outsider, agency=finance(), question="?", deadline=TODAY
            )
    with pytest.raises(actions.Refused):  # the plan's own agency
        opinions.do_ask_opinion(
            document, actor=cast.appraiser, agency=cast.province_a, question="?", deadline=TODAY
        )
    assert OpinionRequest.objects.count() == 1


def test_answering_twice_withdrawn_or_as_an_outsider_is_refused(
    cast: Cast, agency_editor: User, agency_head: User
) -> None:
    document = appraised(cast)
    request = ask(document, cast)
    for outsider in (cast.appraiser, cast.editor_a, cast.editor_b, cast.central_admin):
        with pytest.raises(actions.Refused, match="Bộ Tài chính"):
            opinions.do_answer_opinion(request, actor=outsider, kind="agree", answer="<p>x</p>")
    with pytest.raises(actions.Refused):  # no kind, no text
        opinions.do_answer_opinion(request, actor=agency_editor, kind="maybe", answer="<p>x</p>")
    with pytest.raises(actions.Refused):
        opinions.do_answer_opinion(request, actor=agency_editor, kind="agree", answer="<p> </p>")
    opinions.do_answer_opinion(request, actor=agency_head, kind="agree", answer="<p>Đồng ý</p>")
    with pytest.raises(actions.Refused, match="taichinh_lanhdao"):
        opinions.do_answer_opinion(
            request, actor=agency_editor, kind="disagree", answer="<p>Không</p>"
        )
    request.refresh_from_db()
    assert request.kind == "agree" and request.answered_role == Role.APPROVER
    # A withdrawn request cannot be answered.
    other = opinions.do_ask_opinion(
        document, actor=cast.appraiser, agency=finance(), question="Lần hai", deadline=TODAY
    )
    opinions.do_withdraw_opinion_request(other, actor=cast.appraiser)
    with pytest.raises(actions.Refused, match=r"withdrawn|rút"):
        opinions.do_answer_opinion(other, actor=agency_editor, kind="agree", answer="<p>x</p>")
    with pytest.raises(actions.Refused):  # and withdrawn once only
        opinions.do_withdraw_opinion_request(other, actor=cast.appraiser)
    # The page tells the outsider and changes nothing.
    response = login(cast.appraiser).post(
        reverse("opinion_request", args=[other.pk]), {"kind": "agree", "answer": "<p>x</p>"}
    )
    assert response.status_code == 302
    assert OpinionRequest.objects.get(pk=other.pk).status == OpinionStatus.WITHDRAWN


def test_the_database_refuses_to_change_an_answered_request(
    cast: Cast, agency_editor: User
) -> None:
    from django.db import DatabaseError, transaction

    document = appraised(cast)
    request = ask(document, cast)
    opinions.do_answer_opinion(request, actor=agency_editor, kind="agree", answer="<p>Có</p>")
    with pytest.raises(DatabaseError), transaction.atomic():
        OpinionRequest.objects.filter(pk=request.pk).update(kind="disagree")


def test_the_asked_agency_sees_only_what_it_was_asked_about(
    cast: Cast, agency_editor: User
) -> None:
    document = appraised(cast)
    request = ask(document, cast)
    other = do_create_document(unit=cast.province_a, version=example_version(), actor=cast.editor_a)
    agency = login(agency_editor)
    assert agency.get(reverse("opinion_request", args=[request.pk])).status_code == 200
    for name, args in (
        ("document_edit", [document.pk]),
        ("document_edit", [other.pk]),
        ("document_revisions", [document.pk]),
        ("document_history", [document.pk]),
        ("document_xlsx", [document.pk]),
        ("document_approve", [document.pk]),
        ("unit_detail", [cast.province_a.pk]),
    ):
        assert agency.get(reverse(name, args=args)).status_code in (403, 404), name
    # The plan's own agency and other provinces learn nothing of the request.
    for user in (cast.editor_a, cast.approver_a, cast.viewer_a, cast.editor_b):
        assert login(user).get(reverse("opinion_request", args=[request.pk])).status_code == 404
        assert login(user).get(reverse("opinion_inbox")).content.decode().count(QUESTION) == 0
    # Nor does the plan's own page show the other agencies' opinions to its agency.
    own_page = login(cast.editor_a).get(reverse("document_edit", args=[document.pk]))
    assert 'id="opinions"' not in own_page.content.decode()
    assert QUESTION not in own_page.content.decode()
    # The appraising side reads it.
    for user in (cast.appraiser, cast.central_admin):
        assert login(user).get(reverse("opinion_request", args=[request.pk])).status_code == 200


def test_reminders_by_hand_once_a_day_and_automatic_once_each(
    cast: Cast, agency_editor: User, django_capture_on_commit_callbacks: Any
) -> None:
    from govplan.workflow.tasks import send_deadline_reminders

    document = appraised(cast)
    request = ask(document, cast, deadline=TODAY + dt.timedelta(days=7))
    assert opinion_reminders.do_remind_opinion(request, actor=cast.appraiser) == 1
    with pytest.raises(actions.Refused, match=r"today|hôm nay"):
        opinion_reminders.do_remind_opinion(request, actor=cast.appraiser)
    with pytest.raises(actions.Refused):
        opinion_reminders.do_remind_opinion(request, actor=cast.editor_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders.enqueue(TODAY.isoformat()).return_value >= 1
    assert send_deadline_reminders.enqueue(TODAY.isoformat()).return_value == 0
    assert OpinionReminder.objects.filter(request=request, kind="due_7").exists()
    assert any("bientap@mof.gov.vn" in m.to for m in mail.outbox)
    overdue_day = (TODAY + dt.timedelta(days=8)).isoformat()  # the day after the deadline
    send_deadline_reminders.enqueue(overdue_day)
    assert OpinionReminder.objects.filter(request=request, kind="overdue_1").exists()
    assert request.deadline < TODAY + dt.timedelta(days=8)
    # Answered: no more reminders.
    opinions.do_answer_opinion(request, actor=agency_editor, kind="agree", answer="<p>Có</p>")
    assert opinion_reminders.send_opinion_reminders(TODAY + dt.timedelta(days=15)) == 0


def test_overdue_is_computed_from_the_deadline(cast: Cast) -> None:
    document = appraised(cast)
    request = ask(document, cast, deadline=TODAY)
    assert request.state == "pending"
    OpinionRequest.objects.filter(pk=request.pk).update(deadline=TODAY - dt.timedelta(days=2))
    request.refresh_from_db()
    assert request.state == "overdue"
    panel = login(cast.appraiser).get(reverse("document_edit", args=[document.pk]))
    assert "opinion-overdue" in panel.content.decode()
    assert timezone.localdate() == TODAY


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_people_of_the_agency_answering_at_once_one_wins(small_nation: Any) -> None:
    from govplan.accounts.models import Membership
    from govplan.documents.actions import do_save_entry
    from govplan.frameworks.actions import do_publish, do_upload_framework
    from govplan.orgunits.models import Kind
    from tests.workflow.test_cycle import SMALL

    province, people = small_nation
    ministry = OrgUnit.objects.get(kind=Kind.MINISTRY)
    answering = []
    for name, role in (("bo_bientap", Role.EDITOR), ("bo_lanhdao", Role.APPROVER)):
        user = User.objects.create_user(name, full_name=name)
        Membership.objects.create(user=user, org_unit=ministry, role=role)
        answering.append(user)
    draft = do_upload_framework(SMALL.replace("DEADLINE", "2026-12-20"), actor=people["admin"])
    version = do_publish(
        draft, actor=people["admin"], deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    editor = people["editor_a"]
    document = do_create_document(unit=province, version=version, actor=editor)
    do_save_entry(document, "narrative:I", 0, {"html": "<p>A</p>"}, actor=editor, locale="vi")
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
    request = opinions.do_ask_opinion(
        Document.objects.get(pk=document.pk),
        actor=people["appraiser"],
        agency=ministry,
        question="Ý kiến?",
        deadline=TODAY,
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def answer(user: User, kind: str) -> None:
        try:
            barrier.wait()
            opinions.do_answer_opinion(
                OpinionRequest.objects.get(pk=request.pk),
                actor=User.objects.get(pk=user.pk),
                kind=kind,
                answer=f"<p>{kind}</p>",
            )
            outcomes[user.username] = "done"
        except actions.Refused as refused:
            outcomes[user.username] = refused.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(answering[0], "agree")),
        threading.Thread(target=answer, args=(answering[1], "disagree")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v == "done" for v in outcomes.values()) == [False, True]
    winner = next(u for u, v in outcomes.items() if v == "done")
    loser_message = next(v for v in outcomes.values() if v != "done")
    assert winner in loser_message  # told who sent it
    stored = OpinionRequest.objects.get(pk=request.pk)
    assert stored.answered_by.username == winner
    assert stored.kind == {"bo_bientap": "agree", "bo_lanhdao": "disagree"}[winner]
    assert AuditEvent.objects.filter(action=Action.OPINION_ANSWER).count() == 1


def test_hostile_text_in_the_question_and_the_answer_stays_inert(
    cast: Cast, agency_editor: User
) -> None:
    from tests.hostile.test_stored_payloads import LIVE_MARKUP, XSS

    document = appraised(cast)
    payload = " ".join(XSS.values())
    request = opinions.do_ask_opinion(
        document, actor=cast.appraiser, agency=finance(), question=payload, deadline=TODAY
    )
    response = login(agency_editor).post(
        reverse("opinion_request", args=[request.pk]),
        {"kind": "disagree", "answer": f'<p>Không đồng ý</p>{payload}<a href="{XSS["url"]}">x</a>'},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == OpinionStatus.ANSWERED and "<script" not in request.answer
    actions.do_transition(document, "approve", actor=cast.appraiser)
    for user, url in (
        (agency_editor, reverse("opinion_request", args=[request.pk])),
        (agency_editor, reverse("opinion_inbox")),
        (agency_editor, reverse("notifications")),
        (cast.appraiser, reverse("opinion_request", args=[request.pk])),
        (cast.appraiser, reverse("document_edit", args=[document.pk])),
        (cast.appraiser, reverse("document_approve", args=[document.pk])),
    ):
        page = login(user).get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        live = LIVE_MARKUP.search(html)
        assert live is None, f"{url}: {html[max(live.start() - 80, 0) : live.end() + 80]!r}"


def test_an_absurd_question_or_answer_is_refused_and_nothing_is_saved(
    cast: Cast, agency_editor: User
) -> None:
    document = appraised(cast)
    too_long = "Dự án " * 2000  # 12,000 characters
    response = login(cast.appraiser).post(
        reverse("opinion_ask", args=[document.pk]),
        {"agency": finance().pk, "question": too_long, "deadline": TODAY.isoformat()},
    )
    assert response.status_code == 200 and "question" in response.context["form"].errors
    response = login(cast.appraiser).post(
        reverse("opinion_ask", args=[document.pk]),
        {"agency": "999999999", "question": QUESTION, "deadline": "2026-02-30"},
    )
    assert set(response.context["form"].errors) == {"agency", "deadline"}
    assert not OpinionRequest.objects.exists()
    request = ask(document, cast)
    response = login(agency_editor).post(
        reverse("opinion_request", args=[request.pk]),
        {"kind": "agree", "answer": "<p>" + "x" * (opinions.MAX_ANSWER + 10) + "</p>"},
    )
    assert response.status_code == 200 and "answer" in response.context["form"].errors
    response = login(agency_editor).post(
        reverse("opinion_request", args=[request.pk]),
        {
            "kind": "agree",
            "answer": "<p>Đồng ý</p>",
            "file": SimpleUploadedFile("macro.docm", b"PK\x03\x04 not really", "application/x"),
        },
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert OpinionRequest.objects.get(pk=request.pk).status == OpinionStatus.PENDING


def test_downloading_an_opinion_file_is_audited_by_its_name(
    cast: Cast, agency_editor: User
) -> None:
    """A Vietnamese name travels as filename*=utf-8''…; the DOWNLOAD entry names the file."""
    request = ask(appraised(cast), cast)
    name = "Công văn ý kiến Bộ Tài chính.pdf"
    opinions.do_answer_opinion(
        request,
        actor=agency_editor,
        kind="agree",
        answer="<p>Đồng ý</p>",
        file=opinions.OpinionFile(clean_pdf(), name, "application/pdf"),
    )
    mark = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = login(cast.appraiser).get(reverse("opinion_file", args=[request.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    (entry,) = AuditEvent.objects.filter(seq__gt=mark, action=Action.DOWNLOAD)
    assert entry.actor == cast.appraiser and entry.after["file"] == name


def test_a_province_appraising_a_communes_plan_may_ask_its_own_departments(cast: Cast) -> None:
    """The Department of Finance of the appraising province is askable; another province's
    department, the commune itself, or a department of no appraiser are not."""
    from govplan.orgunits.models import Kind
    from govplan.workflow.opinions import askable_agencies
    from tests.workflow.test_queue import child, document, version

    communes = version(cast, "TEST-Y-KIEN-XA", "appraisal:\n  - {kinds: [commune], by: province}")
    finance_a = child(cast.province_a, Kind.DEPARTMENT, "STC-A")
    finance_b = child(cast.province_b, Kind.DEPARTMENT, "STC-B")
    plan = document(cast.commune_a, communes)
    askable = set(askable_agencies(plan).values_list("pk", flat=True))
    assert finance_a.pk in askable
    assert finance_b.pk not in askable and cast.commune_a.pk not in askable
    assert cast.province_b.pk in askable  # provinces and ministries as before
    # A province's plan is appraised centrally: no province's department is askable.
    central = set(
        askable_agencies(document(cast.province_b, communes)).values_list("pk", flat=True)
    )
    assert finance_a.pk not in central
