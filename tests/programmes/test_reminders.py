"""Reminders about tasks' deadlines: 14 and 3 days before and weekly once overdue, to the lead
agency's editors and approvers only, each sent once (a second run, a rerun the next day, two
processes at once), an extension's new date reminded afresh."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from govplan.programmes.models import Task, TaskReminder
from govplan.programmes.reminders import reminder_kind, send_due_reminders
from govplan.workflow.models import Notification
from tests.conftest import Cast
from tests.programmes.helpers import programme, task
from tests.support.concurrency import at_once

TODAY = dt.date(2026, 5, 4)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("left", "kind"),
    [
        (30, None),
        (15, None),
        (14, "before_14"),
        (10, "before_14"),
        (4, "before_14"),
        (3, "before_3"),
        (0, "before_3"),
        (-1, "overdue_0"),
        (-7, "overdue_0"),
        (-8, "overdue_1"),
        (-84, "overdue_11"),
        (-85, None),
    ],
)
def test_which_reminder_is_due(left: int, kind: str | None) -> None:
    assert reminder_kind(days(left), TODAY) == kind


def test_custom_thresholds() -> None:
    assert reminder_kind(days(7), TODAY, (30, 7, 1)) == "before_7"
    assert reminder_kind(days(20), TODAY, (30, 7, 1)) == "before_30"


def _setting(cast: Cast) -> dict[str, Task]:
    owner = programme("R2026", cast.central, on=dt.date(2026, 1, 5), name="Chương trình nhắc hạn")
    a = cast.province_a
    return {
        "in14": task(owner, "1", a, due=days(14)),
        "in3": task(owner, "2", a, due=days(3)),
        "late": task(owner, "3", a, due=days(-1), reported=dt.date(2026, 3, 1)),
        "done": task(owner, "4", a, due=days(3), completed=dt.date(2026, 4, 1)),
        "standing": task(owner, "5", a, due=None),
        "far": task(owner, "6", a, due=days(40)),
        # Province B's task, but nobody is told of a unit without editors or approvers:
        "b": task(owner, "7", cast.province_b, due=days(3)),
    }


def _notes(user: Any) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("text", flat=True)
    )


@pytest.mark.django_db
def test_each_reminder_goes_once_to_the_lead_agencys_editors_and_approvers(cast: Cast) -> None:
    tasks = _setting(cast)
    cast.editor_b.is_active = False
    cast.editor_b.save()
    assert send_due_reminders(TODAY) == 3
    logged = set(TaskReminder.objects.values_list("task__code", "kind"))
    assert logged == {("1", "before_14"), ("2", "before_3"), ("3", "overdue_0")}
    for person in (cast.editor_a, cast.approver_a):
        notes = _notes(person)
        assert len(notes) == 3
        assert any("đến hạn ngày 07/05/2026, còn 3 ngày" in n for n in notes)
        assert any("Quá hạn: nhiệm vụ 3" in n and "03/05/2026" in n for n in notes)
    for person in (cast.viewer_a, cast.commune_editor_a, cast.editor_b, cast.central_admin):
        assert _notes(person) == []
    # Twice the same day, then the next days: each reminder when its day comes, once.
    assert send_due_reminders(TODAY) == 0
    assert send_due_reminders(days(1)) == 0
    assert Notification.objects.count() == 6
    assert send_due_reminders(days(4)) == 1  # task 2 is overdue
    assert send_due_reminders(days(6)) == 0
    assert send_due_reminders(days(7)) == 1  # task 3's second week overdue
    assert TaskReminder.objects.filter(task=tasks["late"], kind="overdue_1").exists()
    # Task 1 has 3 days left; task 2 is in its second week overdue.
    assert send_due_reminders(days(11)) == 2
    assert TaskReminder.objects.filter(task=tasks["in14"], kind="before_3").exists()
    assert not TaskReminder.objects.filter(task__in=[tasks["done"], tasks["b"]]).exists()


@pytest.mark.django_db
def test_a_missed_day_sends_the_threshold_reached_not_the_one_passed(cast: Cast) -> None:
    tasks = _setting(cast)
    # First run only 2 days before task 2's deadline: its 3-day reminder, not the 14-day one.
    assert send_due_reminders(days(1)) == 4  # 1, 2, 3 and province B's (editor_b is told)
    assert set(TaskReminder.objects.filter(task=tasks["in3"]).values_list("kind", flat=True)) == {
        "before_3"
    }


@pytest.mark.django_db
def test_an_extension_is_reminded_afresh(cast: Cast) -> None:
    tasks = _setting(cast)
    send_due_reminders(TODAY)
    extended = tasks["in3"]
    extended.due_date = days(10)
    extended.deadline_day = extended.due_date.day
    extended.save()
    assert send_due_reminders(TODAY) == 1
    assert TaskReminder.objects.filter(task=extended, kind="before_14", due_date=days(10)).exists()
    assert any("đến hạn ngày 14/05/2026, còn 10 ngày" in n for n in _notes(cast.editor_a))


@pytest.mark.django_db
def test_the_command_queues_the_job(cast: Cast) -> None:
    _setting(cast)
    out = io.StringIO()
    call_command("send_task_reminders", "--day", TODAY.isoformat(), stdout=out)
    assert "queued" in out.getvalue()
    assert TaskReminder.objects.count() == 4  # 1, 2, 3 and province B's
    call_command("send_task_reminders", "--day", TODAY.isoformat(), stdout=out)
    assert TaskReminder.objects.count() == 4
    # --days: another set of thresholds (30 days before: task 6, 40 days out, not yet).
    call_command("send_task_reminders", "--day", days(10).isoformat(), "--days", "30,7", stdout=out)
    assert TaskReminder.objects.filter(task__code="6", kind="before_30").exists()
    for bad in (["--days", "fourteen"], ["--days", "-3"], ["--day", "2026-02-30"]):
        with pytest.raises(CommandError):
            call_command("send_task_reminders", *bad, stdout=out)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_processes_at_once_send_each_reminder_once(small_nation: Any) -> None:
    province, people = small_nation
    central = people["admin"].memberships.first().org_unit
    owner = programme("RPG", central, on=dt.date(2026, 1, 5))
    for n in range(12):
        task(owner, str(n), province, due=days(3 if n % 3 else -1 - n))
    sent: list[int] = []
    for _round in range(3):
        errors = at_once(*(lambda: sent.append(send_due_reminders(TODAY)) for _ in range(4)))
        assert errors == []
    assert sum(sent) == 12
    assert TaskReminder.objects.count() == 12
    assert Notification.objects.filter(user=people["editor_a"]).count() == 12
