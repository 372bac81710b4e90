"""Two people at once (PostgreSQL, real transactions): two confirmations of one completion,
two reopens of one task, two grants of one extension, two imports of one preview: each
happens once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from govplan.accounts.models import User
from govplan.audit.models import Action, AuditEvent
from govplan.core.programmes.deadlines import Deadline
from govplan.programmes import actions
from govplan.programmes.checks import TaskInput
from govplan.programmes.models import Task, TaskExtension, TaskProgress
from tests.support.concurrency import at_once

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

TODAY = dt.date.today()


@pytest.fixture
def world(small_nation: Any) -> tuple[Task, User, User]:
    province, people = small_nation
    central = people["admin"].memberships.get().org_unit
    programme = actions.do_save_programme(
        None,
        {
            "code": "P",
            "name": "P",
            "name_en": "",
            "period_start": 2026,
            "period_end": 2030,
            "basis_number": "1/QĐ",
            "basis_date": TODAY - dt.timedelta(days=40),
            "basis_title": "Quyết định",
            "assigning_unit": central,
            "description": "",
        },
        actor=people["admin"],
    )
    task = actions.do_save_task(
        programme,
        TaskInput(
            code="1",
            content="Nhiệm vụ",
            source_document="1/QĐ",
            assigned_on=TODAY - dt.timedelta(days=30),
            lead_unit=province,
            deadline=Deadline.on(TODAY + dt.timedelta(days=30)),
        ),
        actor=people["admin"],
    )
    return task, people["admin"], people["editor_a"]


def declared(task: Task, editor: User) -> TaskProgress:
    """The lead agency's declaration that ``task`` is complete."""
    return actions.do_declare_completion(
        task,
        completed_on=TODAY,
        product="Sản phẩm",
        text="Xong",
        evidence=actions.Evidence(official_number="1/UBND"),
        actor=editor,
    )


def test_two_confirmations_at_once_confirm_once(world: tuple[Task, User, User]) -> None:
    task, admin, editor = world
    report = declared(task, editor)
    errors = at_once(
        lambda: actions.do_confirm_completion(TaskProgress.objects.get(pk=report.pk), actor=admin),
        lambda: actions.do_confirm_completion(TaskProgress.objects.get(pk=report.pk), actor=admin),
    )
    assert [type(e) for e in errors] == [actions.AlreadyDone]
    assert AuditEvent.objects.filter(action=Action.TASK_COMPLETION_CONFIRM).count() == 1


def test_two_reopens_at_once_reopen_once(world: tuple[Task, User, User]) -> None:
    task, admin, editor = world
    report = declared(task, editor)
    actions.do_confirm_completion(report, actor=admin)
    errors = at_once(
        *(
            lambda: actions.do_reopen_task(
                Task.objects.get(pk=task.pk), reason="Chưa bàn giao", actor=admin
            )
            for _ in range(2)
        )
    )
    assert [type(e) for e in errors] == [actions.AlreadyDone]
    assert TaskProgress.objects.filter(task=task, kind="reopened").count() == 1
    assert AuditEvent.objects.filter(action=Action.TASK_REOPEN).count() == 1
    assert Task.objects.get(pk=task.pk).completed_on is None


def test_two_extension_grants_at_once_grant_once(world: tuple[Task, User, User]) -> None:
    task, admin, editor = world
    extension = actions.do_request_extension(
        task, deadline=Deadline.on(TODAY + dt.timedelta(days=90)), reason="Lý do", actor=editor
    )
    errors = at_once(
        *(
            lambda: actions.do_decide_extension(
                TaskExtension.objects.get(pk=extension.pk), grant=True, reason="", actor=admin
            )
            for _ in range(2)
        )
    )
    assert [type(e) for e in errors] == [actions.AlreadyDone]
    assert AuditEvent.objects.filter(action=Action.TASK_EXTENSION_GRANT).count() == 1


def test_two_progress_reports_at_once_record_one(world: tuple[Task, User, User]) -> None:
    task, _admin, editor = world
    errors = at_once(
        *(
            lambda: actions.do_report_progress(
                Task.objects.get(pk=task.pk),
                reported_on=TODAY,
                text="Đã triển khai",
                evidence=actions.Evidence(),
                actor=editor,
            )
            for _ in range(2)
        )
    )
    assert [type(e) for e in errors] == [actions.AlreadyDone]
    assert TaskProgress.objects.count() == 1
