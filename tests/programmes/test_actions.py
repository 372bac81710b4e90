"""Tasks entered, tracked, completed and extended: each step and each refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from govplan.audit.models import Action, AuditEvent
from govplan.core.programmes.deadlines import Deadline, DeadlineKind, Status
from govplan.programmes import actions
from govplan.programmes.actions import Evidence
from govplan.programmes.models import Decision, Programme, Task, TaskExtension, TaskProgress
from govplan.programmes.queries import with_status
from tests.conftest import BEFORE_REFORM, Cast, unit
from tests.programmes.conftest import ASSIGNED, DUE, TODAY, task_input

pytestmark = pytest.mark.django_db


def status(task: Task, on: dt.date = TODAY) -> str:
    return with_status(on, Task.objects.filter(pk=task.pk)).get().status  # type: ignore[attr-defined]


def refused(call: object, *args: object, **kwargs: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)  # type: ignore[operator]
    return error.value.message_dict


# --- entering tasks ---------------------------------------------------------------------------


def test_a_task_is_saved_with_its_due_date_and_audited(cast: Cast, task: Task) -> None:
    assert task.due_date == DUE
    assert task.lead_unit == cast.province_a
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(task.pk)).exists()
    assert status(task) == Status.NOT_STARTED


def test_no_lead_agency_is_refused_at_its_field(cast: Cast, programme: Programme) -> None:
    errors = refused(
        actions.do_save_task, programme, task_input(cast, lead_unit=None), actor=cast.central_admin
    )
    assert "cơ quan chủ trì" in errors["lead_unit"][0]
    assert not Task.objects.exists()


def test_an_agency_that_did_not_exist_on_the_assignment_day_is_refused(
    cast: Cast, programme: Programme
) -> None:
    # Province A (the new Bắc Ninh) was formed on 1 July 2025.
    errors = refused(
        actions.do_save_task,
        programme,
        task_input(
            cast, assigned_on=dt.date(2024, 1, 2), deadline=Deadline.on(dt.date(2024, 6, 30))
        ),
        actor=cast.central_admin,
    )
    assert "giải thể vào ngày 02/01/2024" in errors["lead_unit"][0]
    # The old Bắc Giang, ended on 30 June 2025, as a co-operating agency of a task of today.
    errors = refused(
        actions.do_save_task,
        programme,
        task_input(cast, co_units=[unit("gso-province", "24", BEFORE_REFORM)]),
        actor=cast.central_admin,
    )
    assert "chưa được thành lập" in errors["co_units"][0]
    assert not Task.objects.exists()


def test_a_deadline_before_the_assignment_is_refused(cast: Cast, programme: Programme) -> None:
    errors = refused(
        actions.do_save_task,
        programme,
        task_input(cast, deadline=Deadline.on(ASSIGNED - dt.timedelta(days=1))),
        actor=cast.central_admin,
    )
    assert "trước ngày giao nhiệm vụ" in errors["deadline"][0]


def test_a_duplicate_code_is_refused(cast: Cast, programme: Programme, task: Task) -> None:
    errors = refused(actions.do_save_task, programme, task_input(cast), actor=cast.central_admin)
    assert "đã có nhiệm vụ mã 1" in errors["code"][0]
    assert Task.objects.count() == 1


def test_a_sub_task_of_another_programme_is_refused(
    cast: Cast, programme: Programme, task: Task
) -> None:
    other = actions.do_save_programme(
        None,
        {
            "code": "KHAC",
            "name": "Chương trình khác",
            "name_en": "",
            "period_start": 2026,
            "period_end": 2030,
            "basis_number": "1/QĐ",
            "basis_date": ASSIGNED,
            "basis_title": "Quyết định",
            "assigning_unit": cast.central,
            "description": "",
        },
        actor=cast.central_admin,
    )
    errors = refused(
        actions.do_save_task,
        other,
        task_input(cast, code="1.1", parent=task),
        actor=cast.central_admin,
    )
    assert "chương trình khác" in errors["parent"][0]


def test_sub_tasks_and_a_task_under_its_own_sub_task(
    cast: Cast, programme: Programme, task: Task
) -> None:
    child = actions.do_save_task(
        programme, task_input(cast, code="1.1", parent=task), actor=cast.central_admin
    )
    assert list(task.children.all()) == [child]
    errors = refused(
        actions.do_save_task,
        programme,
        task_input(cast, parent=child),
        actor=cast.central_admin,
        task=task,
    )
    assert "nhiệm vụ con của chính nó" in errors["parent"][0]
    # A task with sub-tasks is not deleted.
    with pytest.raises(ValidationError):
        actions.do_delete_task(task, actor=cast.central_admin)
    actions.do_delete_task(child, actor=cast.central_admin)
    assert not Task.objects.filter(pk=child.pk).exists()


# --- tracking ----------------------------------------------------------------------------------


def test_progress_sets_the_last_report_day_and_a_double_click_records_one(
    cast: Cast, task: Task
) -> None:
    day = TODAY - dt.timedelta(days=2)
    actions.do_report_progress(
        task, reported_on=day, text="Đã khảo sát", evidence=Evidence(), actor=cast.editor_a
    )
    with pytest.raises(actions.AlreadyDone):
        actions.do_report_progress(
            task, reported_on=day, text="Đã khảo sát", evidence=Evidence(), actor=cast.editor_a
        )
    task.refresh_from_db()
    assert task.progress_reported_on == day
    assert TaskProgress.objects.filter(task=task).count() == 1
    assert status(task) == Status.IN_PROGRESS
    assert AuditEvent.objects.filter(action=Action.TASK_PROGRESS).count() == 1


@pytest.mark.parametrize(
    ("day", "text", "field"),
    [
        (TODAY + dt.timedelta(days=1), "x", "reported_on"),
        (ASSIGNED - dt.timedelta(days=1), "x", "reported_on"),
        (TODAY, "   ", "text"),
    ],
)
def test_a_bad_report_is_refused_and_changes_nothing(
    cast: Cast, task: Task, day: dt.date, text: str, field: str
) -> None:
    errors = refused(
        actions.do_report_progress,
        task,
        reported_on=day,
        text=text,
        evidence=Evidence(),
        actor=cast.editor_a,
    )
    assert field in errors
    task.refresh_from_db()
    assert task.progress_reported_on is None
    assert not TaskProgress.objects.exists()


def test_a_document_of_another_agency_is_not_evidence(
    cast: Cast, task: Task, document_a: object
) -> None:
    from govplan.documents.actions import do_create_document
    from tests.conftest import example_version

    other = do_create_document(unit=cast.province_b, version=example_version(), actor=cast.editor_b)
    errors = refused(
        actions.do_report_progress,
        task,
        reported_on=TODAY,
        text="x",
        evidence=Evidence(document=other),
        actor=cast.editor_a,
    )
    assert "cơ quan chủ trì" in errors["document"][0]
    actions.do_report_progress(
        task,
        reported_on=TODAY,
        text="x",
        evidence=Evidence(document=document_a),
        actor=cast.editor_a,  # type: ignore[arg-type]
    )


def declare(cast: Cast, task: Task, day: dt.date = TODAY) -> TaskProgress:
    return actions.do_declare_completion(
        task,
        completed_on=day,
        product="Nền tảng vận hành",
        text="Đã đưa vào vận hành",
        evidence=Evidence(official_number="123/UBND-KGVX"),
        actor=cast.editor_a,
    )


def test_completion_needs_evidence_and_a_product(cast: Cast, task: Task) -> None:
    errors = refused(
        actions.do_declare_completion,
        task,
        completed_on=TODAY,
        product="",
        text="Xong",
        evidence=Evidence(),
        actor=cast.editor_a,
    )
    assert set(errors) >= {"product", "evidence"}


def test_completion_declared_then_confirmed_on_time(cast: Cast, task: Task) -> None:
    report = declare(cast, task)
    task.refresh_from_db()
    assert task.completed_on is None  # not until the assigning authority confirms it
    assert status(task) == Status.IN_PROGRESS
    with pytest.raises(actions.AlreadyDone):  # the double click
        declare(cast, task)
    actions.do_confirm_completion(report, actor=cast.central_admin)
    task.refresh_from_db()
    assert task.completed_on == TODAY
    assert status(task) == Status.COMPLETED_ON_TIME
    with pytest.raises(actions.AlreadyDone):  # a second confirmation does nothing
        actions.do_confirm_completion(report, actor=cast.central_admin)
    assert AuditEvent.objects.filter(action=Action.TASK_COMPLETION_CONFIRM).count() == 1
    # Nothing more is reported on a completed task.
    errors = refused(
        actions.do_report_progress,
        task,
        reported_on=TODAY,
        text="y",
        evidence=Evidence(),
        actor=cast.editor_a,
    )
    assert "__all__" in errors


def test_a_returned_completion_needs_a_reason_and_leaves_the_task_open(
    cast: Cast, task: Task
) -> None:
    report = declare(cast, task)
    refused(actions.do_return_completion, report, reason=" ", actor=cast.central_admin)
    actions.do_return_completion(
        report, reason="Chưa có biên bản nghiệm thu", actor=cast.central_admin
    )
    report.refresh_from_db()
    task.refresh_from_db()
    assert report.decision == Decision.RETURNED
    assert task.completed_on is None
    declare(cast, task)  # declared again after the return


def test_completed_late(cast: Cast, programme: Programme) -> None:
    late = actions.do_save_task(
        programme,
        task_input(cast, code="2", deadline=Deadline.on(TODAY - dt.timedelta(days=10))),
        actor=cast.central_admin,
    )
    assert status(late) == Status.OVERDUE
    actions.do_confirm_completion(declare(cast, late), actor=cast.central_admin)
    assert status(late) == Status.COMPLETED_LATE


def test_extension_granted_moves_the_deadline_and_keeps_the_old_one(
    cast: Cast, programme: Programme
) -> None:
    """Decided: a completion is judged against the deadline in force when it is confirmed; an
    extension granted before the confirmation turns a late completion into one on time."""
    late = actions.do_save_task(
        programme,
        task_input(cast, code="2", deadline=Deadline.on(TODAY - dt.timedelta(days=10))),
        actor=cast.central_admin,
    )
    report = declare(cast, late)
    new = Deadline(DeadlineKind.QUARTER, year=TODAY.year + 1, quarter=2)
    extension = actions.do_request_extension(
        late, deadline=new, reason="Chờ bố trí vốn", actor=cast.editor_a
    )
    with pytest.raises(actions.AlreadyDone):
        actions.do_request_extension(
            late, deadline=new, reason="Chờ bố trí vốn", actor=cast.editor_a
        )
    actions.do_decide_extension(extension, grant=True, reason="", actor=cast.central_admin)
    with pytest.raises(actions.AlreadyDone):
        actions.do_decide_extension(extension, grant=True, reason="", actor=cast.central_admin)
    late.refresh_from_db()
    extension.refresh_from_db()
    assert late.due_date == dt.date(TODAY.year + 1, 6, 30)
    assert extension.old_due_date == TODAY - dt.timedelta(days=10)
    assert extension.decided_by == cast.central_admin and extension.decided_at is not None
    assert status(late) == Status.NOT_STARTED or status(late) == Status.IN_PROGRESS
    actions.do_confirm_completion(report, actor=cast.central_admin)
    assert status(late) == Status.COMPLETED_ON_TIME


def test_the_deadline_of_a_tracked_task_moves_only_through_an_extension(
    cast: Cast, task: Task, programme: Programme
) -> None:
    later = Deadline.on(DUE + dt.timedelta(days=30))
    # Before any report a typo in the deadline is corrected in the form.
    actions.do_save_task(
        programme, task_input(cast, deadline=later), actor=cast.central_admin, task=task
    )
    task.refresh_from_db()
    assert task.due_date == DUE + dt.timedelta(days=30)
    actions.do_report_progress(
        task, reported_on=TODAY, text="Đã khảo sát", evidence=Evidence(), actor=cast.editor_a
    )
    errors = refused(
        actions.do_save_task,
        programme,
        task_input(cast, deadline=Deadline.on(DUE + dt.timedelta(days=90)), content="Sửa"),
        actor=cast.central_admin,
        task=task,
    )
    assert "gia hạn" in errors["deadline"][0]
    task.refresh_from_db()
    assert task.due_date == DUE + dt.timedelta(days=30)
    assert task.content != "Sửa"
    # The rest of the task can still be corrected when the deadline is left as it is.
    actions.do_save_task(
        programme,
        task_input(cast, deadline=later, content="Sửa"),
        actor=cast.central_admin,
        task=task,
    )
    task.refresh_from_db()
    assert task.content == "Sửa"


def test_extension_refusals(cast: Cast, task: Task, programme: Programme) -> None:
    errors = refused(
        actions.do_request_extension,
        task,
        deadline=Deadline.on(DUE - dt.timedelta(days=1)),
        reason="x",
        actor=cast.editor_a,
    )
    assert "phải sau thời hạn hiện hành" in errors["deadline"][0]
    errors = refused(
        actions.do_request_extension,
        task,
        deadline=Deadline.on(DUE + dt.timedelta(days=1)),
        reason="",
        actor=cast.editor_a,
    )
    assert "reason" in errors
    standing = actions.do_save_task(
        programme,
        task_input(cast, code="3", deadline=Deadline.standing()),
        actor=cast.central_admin,
    )
    assert status(standing) == Status.NOT_STARTED
    errors = refused(
        actions.do_request_extension,
        standing,
        deadline=Deadline.on(DUE),
        reason="x",
        actor=cast.editor_a,
    )
    assert "thường xuyên" in errors["__all__"][0]
    extension = actions.do_request_extension(
        task, deadline=Deadline.on(DUE + dt.timedelta(days=30)), reason="x", actor=cast.editor_a
    )
    refused(
        actions.do_decide_extension, extension, grant=False, reason="", actor=cast.central_admin
    )
    actions.do_decide_extension(
        extension, grant=False, reason="Không đủ căn cứ", actor=cast.central_admin
    )
    task.refresh_from_db()
    assert task.due_date == DUE
    assert TaskExtension.objects.get().decision == Decision.REFUSED


# --- reopening a confirmed task -----------------------------------------------------------------


def test_a_confirmed_task_is_reopened_with_a_reason_and_keeps_its_history(
    cast: Cast, programme: Programme
) -> None:
    """Confirmed by mistake (the product was not delivered): the authority reopens it; the
    confirmation stays, the status is judged again against the deadline in force."""
    late = actions.do_save_task(
        programme,
        task_input(cast, code="2", deadline=Deadline.on(TODAY - dt.timedelta(days=10))),
        actor=cast.central_admin,
    )
    report = declare(cast, late)
    actions.do_confirm_completion(report, actor=cast.central_admin)
    assert status(late) == Status.COMPLETED_LATE
    # Without a reason: refused, nothing changes.
    assert "reason" in refused(actions.do_reopen_task, late, reason="  ", actor=cast.central_admin)
    late.refresh_from_db()
    assert late.completed_on == TODAY
    entry = actions.do_reopen_task(
        late, reason="Sản phẩm chưa được bàn giao", actor=cast.central_admin
    )
    late.refresh_from_db()
    assert late.completed_on is None
    assert status(late) == Status.OVERDUE  # past its deadline, no longer completed
    report.refresh_from_db()
    assert report.decision == Decision.CONFIRMED  # the confirmation stays in the history
    assert (entry.kind, entry.text, entry.completed_on) == (
        "reopened",
        "Sản phẩm chưa được bàn giao",
        TODAY,
    )
    assert entry.created_by == cast.central_admin
    (audited,) = AuditEvent.objects.filter(action=Action.TASK_REOPEN)
    assert audited.object_id == str(late.pk) and audited.actor == cast.central_admin
    assert audited.before["completed_on"] == TODAY.isoformat()
    assert audited.after["completed_on"] is None
    assert "Sản phẩm chưa được bàn giao" in audited.message
    # The double click reopens once.
    with pytest.raises(actions.AlreadyDone):
        actions.do_reopen_task(late, reason="Sản phẩm chưa được bàn giao", actor=cast.central_admin)
    assert TaskProgress.objects.filter(task=late, kind="reopened").count() == 1
    assert AuditEvent.objects.filter(action=Action.TASK_REOPEN).count() == 1
    # The lead agency reports again, declares again, and it is confirmed again.
    actions.do_report_progress(
        late, reported_on=TODAY, text="Đang bàn giao", evidence=Evidence(), actor=cast.editor_a
    )
    actions.do_confirm_completion(declare(cast, late), actor=cast.central_admin)
    late.refresh_from_db()
    assert late.completed_on == TODAY and status(late) == Status.COMPLETED_LATE


def test_reopening_a_task_in_progress_is_refused(cast: Cast, task: Task) -> None:
    with pytest.raises(ValidationError):
        actions.do_reopen_task(task, reason="Nhầm", actor=cast.central_admin)
    declare(cast, task)  # declared but not confirmed: not completed either
    with pytest.raises(ValidationError):
        actions.do_reopen_task(task, reason="Nhầm", actor=cast.central_admin)
    assert not TaskProgress.objects.filter(kind="reopened").exists()
    assert not AuditEvent.objects.filter(action=Action.TASK_REOPEN).exists()


def test_reopened_before_its_deadline_is_in_progress(cast: Cast, task: Task) -> None:
    """The status after a reopen is judged against the deadline in force: not yet due."""
    actions.do_report_progress(
        task, reported_on=TODAY, text="Bắt đầu", evidence=Evidence(), actor=cast.editor_a
    )
    actions.do_confirm_completion(declare(cast, task), actor=cast.central_admin)
    assert status(task) == Status.COMPLETED_ON_TIME
    actions.do_reopen_task(task, reason="Xác nhận nhầm", actor=cast.central_admin)
    assert status(task) == Status.IN_PROGRESS


def test_evidence_files_count_in_the_lead_agencys_quota(
    cast: Cast, task: Task, settings: object, media_root: object
) -> None:
    from govplan.documents.actions import unit_attachment_bytes
    from tests.uploads.test_quota import MB, padded_pdf

    settings.ATTACHMENT_QUOTA_MB = 1  # type: ignore[attr-defined]
    first = padded_pdf(MB * 6 // 10)
    actions.do_report_progress(
        task,
        reported_on=TODAY,
        text="Đã khảo sát",
        evidence=Evidence(file_data=first, file_name="bien-ban.pdf", file_type="application/pdf"),
        actor=cast.editor_a,
    )
    assert unit_attachment_bytes(cast.province_a.pk) == len(first)
    errors = refused(
        actions.do_report_progress,
        task,
        reported_on=TODAY,
        text="Đã lắp đặt",
        evidence=Evidence(
            file_data=padded_pdf(MB * 6 // 10, b"y"),
            file_name="anh-chup.pdf",
            file_type="application/pdf",
        ),
        actor=cast.editor_a,
    )
    assert "anh-chup.pdf" in errors["file"][0] and "MB" in errors["file"][0]
    assert TaskProgress.objects.filter(task=task).count() == 1
    assert unit_attachment_bytes(cast.province_a.pk) == len(first)


def test_a_status_on_a_past_day_counts_the_reports_made_by_then(cast: Cast, task: Task) -> None:
    """Reported on one day, completion declared later: between the two the task was in
    progress (the declaration moves the latest report day, not the first)."""
    first = TODAY - dt.timedelta(days=20)
    actions.do_report_progress(
        task, reported_on=first, text="Đã khảo sát", evidence=Evidence(), actor=cast.editor_a
    )
    declare(cast, task, TODAY)
    task.refresh_from_db()
    assert (task.first_reported_on, task.progress_reported_on) == (first, TODAY)
    assert status(task, first - dt.timedelta(days=1)) == Status.NOT_STARTED
    assert status(task, first + dt.timedelta(days=5)) == Status.IN_PROGRESS
