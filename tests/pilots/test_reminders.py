"""Pilot milestones are reminded before their deadline and weekly once overdue, to the pilot
units' and the authority's editors and approvers, once each; a reached milestone is not."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from govplan.pilots.actions import do_evaluate_milestone
from govplan.pilots.models import Milestone, MilestoneReminder
from govplan.pilots.reminders import send_due_reminders
from govplan.workflow.models import Notification
from tests.conftest import Cast
from tests.pilots.support import cast_pilot

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 30)  # the cast pilot's milestone


def notes(user: object) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_before_the_deadline_then_overdue_each_once(cast: Cast) -> None:
    cast_pilot(cast)
    assert send_due_reminders(DUE - dt.timedelta(days=20), (14, 3)) == 0
    assert send_due_reminders(DUE - dt.timedelta(days=10), (14, 3)) == 1
    assert send_due_reminders(DUE - dt.timedelta(days=10), (14, 3)) == 0  # a second run
    text = notes(cast.editor_a)[0]
    assert "đến hạn ngày 30/06/2026" in text and "còn 10 ngày" in text
    # The pilot unit's editor and approver (the authority's editors and approvers too, had it
    # any): not the central appraiser nor another province.
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert {cast.editor_a.pk, cast.approver_a.pk} <= told
    assert cast.editor_b.pk not in told and cast.appraiser.pk not in told
    assert send_due_reminders(DUE + dt.timedelta(days=1), (14, 3)) == 1
    assert any("quá hạn" in n.lower() for n in notes(cast.editor_a))
    assert MilestoneReminder.objects.count() == 2


def test_a_reached_milestone_is_not_reminded(cast: Cast) -> None:
    pilot = cast_pilot(cast)
    milestone = Milestone.objects.get(pilot=pilot)
    do_evaluate_milestone(
        milestone,
        reached_on=DUE - dt.timedelta(days=20),
        text="Đã triển khai",
        rating="good",
        actor=cast.central_admin,
    )
    assert send_due_reminders(DUE + dt.timedelta(days=1), (14, 3)) == 0


@override_settings(REMINDER_DAYS_BEFORE=[30])
def test_the_command_takes_the_setting(cast: Cast) -> None:
    cast_pilot(cast)
    out = io.StringIO()
    call_command(
        "send_pilot_reminders", "--day", (DUE - dt.timedelta(days=25)).isoformat(), stdout=out
    )
    assert "queued" in out.getvalue()
    assert MilestoneReminder.objects.get().kind == "before_30"
