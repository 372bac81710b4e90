"""The pages as the cast uses them: the central administrator manages, province A's editor
reports on its task, province B's editor sees nothing of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from govplan.core.programmes.deadlines import Status
from govplan.programmes.models import Decision, Programme, Task, TaskProgress
from tests.conftest import Cast
from tests.programmes.conftest import ASSIGNED, TODAY
from tests.support.hostile_files import clean_pdf, pdf_open_action_javascript

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_creates_a_programme_and_a_task_for_province_a(cast: Cast) -> None:
    admin = client_for(cast.central_admin)
    response = admin.post(
        reverse("programme_create"),
        {
            "code": "KL-2007",
            "name": "Chương trình ứng dụng CNTT 2008-2010",
            "period_start": "2008",
            "period_end": "2010",
            "basis_number": "383/TB-VPCP",
            "basis_date": "28/12/2007",
            "basis_title": "Kết luận của Phó Thủ tướng",
            "assigning_unit": cast.central.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(code="KL-2007")
    form = {
        "code": "1",
        "content": "Công bố tiêu chuẩn kỹ thuật",
        "source_document": "383/TB-VPCP",
        "assigned_on": ASSIGNED.strftime("%d/%m/%Y"),
        "lead_unit": cast.province_a.pk,
        "deadline": "Quý IV/" + str(TODAY.year + 1),
    }
    # Without a lead agency: the message is at the field, nothing saved.
    response = admin.post(reverse("task_create", args=[programme.pk]), {**form, "lead_unit": ""})
    assert response.status_code == 200
    assert (
        "A task needs a lead agency" in response.content.decode()
        or "chủ trì" in response.content.decode()
    )
    assert not Task.objects.exists()
    # A deadline that is not one.
    response = admin.post(reverse("task_create", args=[programme.pk]), {**form, "deadline": "sớm"})
    assert response.status_code == 200 and not Task.objects.exists()
    response = admin.post(reverse("task_create", args=[programme.pk]), form)
    task = Task.objects.get()
    assert response.status_code == 302
    assert task.due_date == dt.date(TODAY.year + 1, 12, 31)
    page = admin.get(reverse("programme_detail", args=[programme.pk]))
    assert "Công bố tiêu chuẩn kỹ thuật" in page.content.decode()


def test_who_sees_the_task(cast: Cast, task: Task) -> None:
    url = reverse("task_detail", args=[task.pk])
    assert client_for(cast.central_admin).get(url).status_code == 200
    assert client_for(cast.appraiser).get(url).status_code == 200
    assert client_for(cast.editor_a).get(url).status_code == 200
    assert client_for(cast.viewer_a).get(url).status_code == 200
    assert client_for(cast.editor_b).get(url).status_code == 404
    assert client_for(cast.commune_editor_a).get(url).status_code == 404
    # B's editor does not see it listed either.
    page = client_for(cast.editor_b).get(reverse("programme_detail", args=[task.programme_id]))
    assert task.content not in page.content.decode()
    # Only managers edit; the lead's editor is refused (403), B's editor finds nothing (404).
    edit = reverse("task_edit", args=[task.pk])
    assert client_for(cast.editor_a).get(edit).status_code == 403
    assert client_for(cast.editor_b).get(edit).status_code == 404
    assert client_for(cast.central_admin).get(edit).status_code == 200


def test_a_co_operating_agency_sees_the_task(cast: Cast, task: Task) -> None:
    url = reverse("task_detail", args=[task.pk])
    task.co_units.add(cast.province_b)
    assert client_for(cast.editor_b).get(url).status_code == 200
    # ... but reports nothing: that is the lead agency's.
    response = client_for(cast.editor_b).post(
        reverse("task_progress", args=[task.pk]),
        {"p-reported_on": TODAY.strftime("%d/%m/%Y"), "p-text": "x"},
    )
    assert response.status_code == 403
    assert not TaskProgress.objects.exists()


def test_the_lead_reports_with_a_file_and_the_admin_confirms(cast: Cast, task: Task) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    editor = client_for(cast.editor_a)
    response = editor.post(
        reverse("task_progress", args=[task.pk]),
        {
            "p-reported_on": TODAY.strftime("%d/%m/%Y"),
            "p-text": "Đã triển khai 50%",
            "p-file": SimpleUploadedFile("bien-ban.pdf", clean_pdf(), "application/pdf"),
        },
    )
    assert response.status_code == 302
    report = TaskProgress.objects.get()
    assert report.file_name == "bien-ban.pdf"
    download = editor.get(reverse("task_evidence", args=[task.pk, report.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert (
        client_for(cast.editor_b)
        .get(reverse("task_evidence", args=[task.pk, report.pk]))
        .status_code
        == 404
    )
    # A file with active content is refused at its field; nothing recorded.
    response = editor.post(
        reverse("task_progress", args=[task.pk]),
        {
            "p-reported_on": TODAY.strftime("%d/%m/%Y"),
            "p-text": "Lần 2",
            "p-file": SimpleUploadedFile("x.pdf", pdf_open_action_javascript(), "application/pdf"),
        },
    )
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert TaskProgress.objects.count() == 1
    response = editor.post(
        reverse("task_complete", args=[task.pk]),
        {
            "c-completed_on": TODAY.strftime("%d/%m/%Y"),
            "c-product": "Nền tảng vận hành",
            "c-text": "Hoàn thành",
            "c-official_number": "45/UBND-KGVX",
        },
    )
    assert response.status_code == 302
    completion = TaskProgress.objects.get(kind="completion")
    # The editor cannot confirm their own completion.
    url = reverse("task_decide_completion", args=[task.pk, completion.pk])
    assert editor.post(url, {"decision": "confirm"}).status_code == 403
    admin = client_for(cast.central_admin)
    assert admin.post(url, {"decision": "confirm"}).status_code == 302
    completion.refresh_from_db()
    task.refresh_from_db()
    assert completion.decision == Decision.CONFIRMED
    assert task.completed_on == TODAY
    page = admin.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert f'data-status="{Status.COMPLETED_ON_TIME.value}"' in page


def test_unit_tasks_and_the_status_filter(cast: Cast, task: Task) -> None:
    editor = client_for(cast.editor_a)
    url = reverse("unit_tasks", args=[cast.province_a.pk])
    assert task.code in editor.get(url).content.decode()
    assert task.content[:30] not in editor.get(url, {"status": "overdue"}).content.decode()
    assert client_for(cast.editor_b).get(url).status_code == 404
    programme_page = reverse("programme_detail", args=[task.programme_id])
    assert (
        task.content[:30] in editor.get(programme_page, {"status": "not_started"}).content.decode()
    )
    assert editor.get(programme_page, {"status": "<script>"}).status_code == 200


def test_the_assigning_authority_reopens_a_confirmed_task(cast: Cast, task: Task) -> None:
    from govplan.accounts.models import Role
    from govplan.programmes import actions
    from tests.conftest import make_user

    completion = actions.do_declare_completion(
        task,
        completed_on=TODAY,
        product="Nền tảng vận hành",
        text="Hoàn thành",
        evidence=actions.Evidence(official_number="45/UBND-KGVX"),
        actor=cast.editor_a,
    )
    actions.do_confirm_completion(completion, actor=cast.central_admin)
    page_url = reverse("task_detail", args=[task.pk])
    url = reverse("task_reopen", args=[task.pk])
    reason = "Sản phẩm <b>chưa</b> bàn giao"
    # The button is the assigning authority's: the lead's editor neither sees nor uses it.
    editor = client_for(cast.editor_a)
    assert url not in editor.get(page_url).content.decode()
    assert editor.post(url, {"r-reason": reason}).status_code == 403
    assert client_for(cast.approver_a).post(url, {"r-reason": reason}).status_code == 403
    assert client_for(cast.viewer_a).post(url, {"r-reason": reason}).status_code == 403
    assert client_for(cast.editor_b).post(url, {"r-reason": reason}).status_code == 404
    assert editor.get(url).status_code == 405
    task.refresh_from_db()
    assert task.completed_on == TODAY
    # The authority's own editor (a manager of its programme) sees the form; without a
    # reason it is refused at its field and nothing changes.
    manager = client_for(make_user("central_editor", cast.central, Role.EDITOR))
    assert url in manager.get(page_url).content.decode()
    response = manager.post(url, {"r-reason": "   "})
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    task.refresh_from_db()
    assert task.completed_on == TODAY
    # With a reason: reopened, the status judged again, the history says what and why.
    assert manager.post(url, {"r-reason": reason}).status_code == 302
    task.refresh_from_db()
    assert task.completed_on is None
    page = manager.get(page_url).content.decode()
    assert f'data-status="{Status.IN_PROGRESS.value}"' in page
    assert "Sản phẩm &lt;b&gt;chưa&lt;/b&gt; bàn giao" in page and "<b>chưa</b>" not in page
    assert TODAY.strftime("%d/%m/%Y") in page and url not in page  # no second button
    completion.refresh_from_db()
    assert completion.decision == Decision.CONFIRMED
    # The double click: reopened once, the second told so.
    assert manager.post(url, {"r-reason": reason}).status_code == 302
    assert TaskProgress.objects.filter(task=task, kind="reopened").count() == 1
    # The lead agency reports again.
    assert reverse("task_complete", args=[task.pk]) in editor.get(page_url).content.decode()


def test_downloading_a_vietnamese_named_evidence_file_is_audited_by_its_name(
    cast: Cast, task: Task
) -> None:
    """Django writes such a name as filename*=utf-8''…: the audit entry names the file."""
    from govplan.audit.models import Action, AuditEvent
    from govplan.programmes import actions

    name = 'Biên bản nghiệm thu "đợt 1".pdf'
    report = actions.do_report_progress(
        task,
        reported_on=TODAY,
        text="Đã nghiệm thu",
        evidence=actions.Evidence(
            file_data=clean_pdf(), file_name=name, file_type="application/pdf"
        ),
        actor=cast.editor_a,
    )
    mark = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = client_for(cast.viewer_a).get(reverse("task_evidence", args=[task.pk, report.pk]))
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    (entry,) = AuditEvent.objects.filter(seq__gt=mark, action=Action.DOWNLOAD)
    assert entry.actor == cast.viewer_a
    assert entry.after["file"] == name
    assert entry.after["view"] == "task_evidence"
    assert entry.after["object"] == {"pk": task.pk, "report_id": report.pk}


def test_a_double_click_is_told_and_a_completion_without_evidence_is_refused_at_the_file(
    cast: Cast, task: Task
) -> None:
    from django.contrib.messages import INFO, SUCCESS, get_messages

    editor = client_for(cast.editor_a)
    url = reverse("task_progress", args=[task.pk])
    form = {"p-reported_on": TODAY.strftime("%d/%m/%Y"), "p-text": "Đã triển khai 50%"}
    page = reverse("task_detail", args=[task.pk])
    first = editor.post(url, form)
    assert (first.status_code, first["Location"]) == (302, page)
    assert [m.level for m in get_messages(first.wsgi_request)] == [SUCCESS]
    editor.get(page)  # the message read
    second = editor.post(url, form)
    assert (second.status_code, second["Location"]) == (302, page)
    assert [m.level for m in get_messages(second.wsgi_request)] == [INFO]
    assert TaskProgress.objects.count() == 1
    # No file, no document, no number: the reason stands at the file field; nothing saved.
    response = editor.post(
        reverse("task_complete", args=[task.pk]),
        {"c-completed_on": TODAY.strftime("%d/%m/%Y"), "c-product": "Nền tảng", "c-text": "Xong"},
    )
    assert response.status_code == 200
    assert list(response.context["completion_form"].errors) == ["file"]
    assert not TaskProgress.objects.filter(kind="completion").exists()
