"""Two people at once on PostgreSQL: two central administrators designate the same unit, or
evaluate the same milestone, at the same moment. The pilot's (the milestone's) row lock
makes the second wait and find the first's change: one designation, one evaluation, and the
second is told why."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from govplan.accounts.models import User
from govplan.audit.models import AuditEvent
from govplan.pilots import actions
from govplan.pilots.models import Designation, Milestone, Pilot

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

START = dt.date(2026, 1, 1)


def at_once(act: Callable[[User], Any], users: list[User]) -> dict[str, str]:
    barrier = threading.Barrier(len(users))
    outcome: dict[str, str] = {}

    def press(user: User) -> None:
        try:
            actor = User.objects.get(pk=user.pk)
            barrier.wait()
            act(actor)
            outcome[user.username] = "done"
        except ValidationError as exc:
            outcome[user.username] = " ".join(exc.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def setup(small_nation: Any) -> tuple[Any, list[User], Pilot]:
    province, people = small_nation
    admin = people["admin"]
    second = User.objects.create_user("admin_2", full_name="Admin 2")
    second.memberships.create(org_unit=admin.memberships.get().org_unit, role="central_admin")
    pilot = actions.do_create_pilot(
        name="Mô hình thử",
        description="",
        programme=None,
        task=None,
        assigning_unit=admin.memberships.get().org_unit,
        start_date=START,
        end_date=None,
        indicator_codes=[],
        actor=admin,
    )
    return province, [admin, second], pilot


def test_two_designations_of_one_unit_at_once_make_one(small_nation: Any) -> None:
    province, admins, pilot = setup(small_nation)
    outcome = at_once(lambda a: actions.do_designate_unit(pilot, province, START, actor=a), admins)
    assert list(outcome.values()).count("done") == 1
    [refusal] = [said for said in outcome.values() if said != "done"]
    assert refusal.startswith("Tỉnh Bắc Ninh") and "01/01/2026" in refusal
    assert Designation.objects.filter(pilot=pilot).count() == 1
    assert AuditEvent.objects.filter(action="pilot.designate").count() == 1


def test_two_evaluations_of_one_milestone_at_once_keep_the_first(small_nation: Any) -> None:
    _province, admins, pilot = setup(small_nation)
    milestone = actions.do_add_milestone(
        pilot, title="Triển khai", deadline=dt.date(2026, 6, 30), actor=admins[0]
    )

    def evaluate(actor: User) -> None:
        actions.do_evaluate_milestone(
            milestone,
            reached_on=dt.date(2026, 6, 1),
            text=f"Đánh giá của {actor.username}",
            rating="good",
            actor=actor,
        )

    outcome = at_once(evaluate, admins)
    assert list(outcome.values()).count("done") == 1
    winner = next(name for name, said in outcome.items() if said == "done")
    assert Milestone.objects.get(pk=milestone.pk).evaluation == f"Đánh giá của {winner}"
    assert AuditEvent.objects.filter(action="pilot.milestone_evaluate").count() == 1
