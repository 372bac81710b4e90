"""The 2007 conclusions as the demo programme: the tasks as the notice gives them, one
deadline of each kind, the lead agencies as they were in 2007-2008, every status shown by
the statistics, and a second load changing nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from govplan.core.programmes.deadlines import DeadlineKind, Status
from govplan.demo.programmes import load_demo_programme
from govplan.programmes import stats
from govplan.programmes.models import Programme, Task
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_the_conclusions_of_2007_as_a_programme(cast: Cast) -> None:
    programme, created = load_demo_programme(actor=cast.central_admin)
    assert created
    assert programme.name == (
        "Chương trình ứng dụng CNTT trong hoạt động của cơ quan nhà nước giai đoạn 2007-2010"
    )
    assert programme.basis_date == dt.date(2007, 12, 28)
    assert (programme.assigning_unit.scheme, programme.assigning_unit.code) == ("govplan", "THH")
    tasks = {t.code: t for t in Task.objects.filter(programme=programme)}
    top = sorted(c for c, t in tasks.items() if t.parent_id is None)
    assert top == ["2.a", "2.b", "3", "4"]
    assert len(tasks) == 4 + 11 + 3 + 2
    assert sorted(c for c, t in tasks.items() if t.parent and t.parent.code == "2.a") == sorted(
        f"2.a.{n}" for n in range(1, 12)
    )
    # One deadline of each kind the notice uses.
    standards = tasks["2.a.9"]
    assert standards.deadline_kind == DeadlineKind.MONTH
    assert standards.due_date == dt.date(2008, 1, 31)
    assert standards.deadline.label_vi() == "Tháng 01/2008"
    assert "trong tháng 01 năm 2008" in standards.content
    assert tasks["2.b"].deadline_kind == DeadlineKind.DATE
    assert tasks["2.b"].due_date == dt.date(2008, 6, 30)
    assert tasks["3"].deadline_kind == DeadlineKind.STANDING and tasks["3"].due_date is None
    # The lead agencies as they were: the Ministry of Information and Communications (ended
    # when it merged in 2025), and Finance for task 4 with Planning and Investment and MIC.
    mic = tasks["2.a"].lead_unit
    assert (mic.code, mic.name) == ("BTTTT", "Bộ Thông tin và Truyền thông")
    assert mic.valid_to == dt.date(2025, 2, 28)
    assert {t.lead_unit.code for c, t in tasks.items() if c != "4"} == {"BTTTT"}
    assert tasks["4"].lead_unit.code == "BTC"
    assert sorted(u.code for u in tasks["4"].co_units.all()) == ["BKHDT", "BTTTT"]
    assert sorted(u.code for u in tasks["2.b.3"].co_units.all()) == ["BKHDT", "BTC"]


def test_the_demo_statistics_show_every_status(cast: Cast) -> None:
    programme, _created = load_demo_programme(actor=cast.central_admin)
    everything = list(Task.objects.filter(programme=programme))
    seen = {stats.status_of(t, dt.date(2008, 3, 31)) for t in everything if t.due_date}
    seen |= {stats.status_of(t, dt.date.today()) for t in everything if t.due_date}
    assert seen == set(Status)
    tasks = stats.counted_tasks(cast.central_admin, subtasks=True, programme=programme)
    march = stats.by_agency(tasks, dt.date(2008, 3, 31), subtasks=True).total.counts
    assert march[stats.OVERDUE] == 1  # the standards, due in January, published in April
    assert march[stats.DUE_ON_TIME] == 1  # the decree, submitted in January
    today = stats.by_agency(tasks, dt.date.today(), subtasks=True).total.counts
    assert (today[stats.COMPLETED_ON_TIME], today[stats.COMPLETED_LATE]) == (2, 3)
    assert today[stats.OVERDUE] == 1


def test_loading_twice_changes_nothing(cast: Cast) -> None:
    first, created = load_demo_programme(actor=cast.central_admin)
    count = Task.objects.count()
    again, created_again = load_demo_programme(actor=cast.central_admin)
    assert created and not created_again
    assert again.pk == first.pk
    assert Task.objects.count() == count
    assert Programme.objects.filter(code=first.code).count() == 1


def test_load_demo_loads_the_programme(cast: Cast) -> None:
    call_command("load_demo", "--without-documents", stdout=io.StringIO())
    call_command("load_demo", "--without-documents", stdout=io.StringIO())
    programme = Programme.objects.get(code="CT-CNTT-2007-2010")
    assert programme.tasks.count() == 20


def test_the_demo_is_entered_through_the_actions_and_audited(cast: Cast) -> None:
    """Each step of the demo's tracking is a real one: its report rows, its audit entries,
    and the task page's history."""
    from django.test import Client
    from django.urls import reverse

    from govplan.audit.models import Action, AuditEvent
    from govplan.programmes.models import Decision, TaskExtension, TaskProgress

    programme, _created = load_demo_programme(actor=cast.central_admin)
    tasks = {t.code: t for t in Task.objects.filter(programme=programme)}

    def audited(action: str) -> int:
        return AuditEvent.objects.filter(action=action).count()

    assert audited(Action.CREATE) >= 1 + len(tasks)  # the programme and each task
    assert AuditEvent.objects.filter(
        action=Action.CREATE,
        object_type="programmes.task",
        object_id__in=[str(t.pk) for t in tasks.values()],
    ).count() == len(tasks)
    progress = TaskProgress.objects.filter(task__programme=programme, kind="progress")
    assert audited(Action.TASK_PROGRESS) == progress.count() == 9
    completions = TaskProgress.objects.filter(task__programme=programme, kind="completion")
    assert {c.decision for c in completions} == {Decision.CONFIRMED}
    assert audited(Action.TASK_COMPLETION_DECLARE) == audited(Action.TASK_COMPLETION_CONFIRM)
    assert audited(Action.TASK_COMPLETION_CONFIRM) == completions.count() == 6
    assert all(c.official_number for c in completions)  # every completion has its evidence
    assert {t.code for t in tasks.values() if t.completed_on} == {c.task.code for c in completions}
    # 2.b.2: asked for more time, granted; the history keeps the old deadline.
    (extension,) = TaskExtension.objects.filter(task__programme=programme)
    assert extension.task.code == "2.b.2" and extension.decision == Decision.GRANTED
    assert extension.old_due_date == dt.date(2008, 6, 30)
    assert tasks["2.b.2"].due_date == dt.date(2008, 9, 30)
    assert audited(Action.TASK_EXTENSION_REQUEST) == audited(Action.TASK_EXTENSION_GRANT) == 1
    # The task page shows the history.
    client = Client()
    client.force_login(cast.central_admin)
    page = client.get(reverse("task_detail", args=[tasks["2.a"].pk])).content.decode()
    assert "43/2008/QĐ-TTg" in page and "20/02/2008" in page
