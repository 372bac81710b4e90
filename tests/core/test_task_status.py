"""A task's status on a day, as the Government Office reports it (core status_on)."""

from __future__ import annotations

import datetime as dt

import pytest

from govplan.core.programmes.deadlines import Deadline, DeadlineKind, Status, status_on

DUE = dt.date(2008, 6, 30)


@pytest.mark.parametrize(
    ("today", "due", "completed", "reported", "status"),
    [
        # completed: on or before the due date is on time, after it late
        (dt.date(2008, 7, 5), DUE, dt.date(2008, 6, 30), True, Status.COMPLETED_ON_TIME),
        (dt.date(2008, 7, 5), DUE, dt.date(2008, 7, 1), True, Status.COMPLETED_LATE),
        # not completed: overdue after the due date, whatever was reported
        (dt.date(2008, 7, 1), DUE, None, True, Status.OVERDUE),
        (dt.date(2008, 7, 1), DUE, None, False, Status.OVERDUE),
        # not yet due: in progress once reported, not started before
        (DUE, DUE, None, True, Status.IN_PROGRESS),
        (DUE, DUE, None, False, Status.NOT_STARTED),
        # standing: never late nor overdue
        (dt.date(2030, 1, 1), None, None, False, Status.NOT_STARTED),
        (dt.date(2030, 1, 1), None, dt.date(2029, 1, 1), True, Status.COMPLETED_ON_TIME),
        # a completion dated after today is not reached yet
        (dt.date(2008, 6, 1), DUE, dt.date(2008, 6, 20), True, Status.IN_PROGRESS),
    ],
)
def test_status_on(
    today: dt.date, due: dt.date | None, completed: dt.date | None, reported: bool, status: Status
) -> None:
    assert status_on(today, due, completed, reported) is status


def test_an_extension_moves_the_due_date_and_a_late_completion_becomes_on_time() -> None:
    """Decided (docs/programme.md): a completion is judged against the deadline in force when
    it is confirmed, extensions granted by then included."""
    old = Deadline.on(DUE)
    extended = Deadline(DeadlineKind.QUARTER, year=2008, quarter=3)
    completed = dt.date(2008, 8, 15)
    today = dt.date(2008, 9, 1)
    assert status_on(today, old.due_date(), completed, True) is Status.COMPLETED_LATE
    assert extended.due_date() == dt.date(2008, 9, 30)
    assert status_on(today, extended.due_date(), completed, True) is Status.COMPLETED_ON_TIME
    assert status_on(today, old.due_date(), None, True) is Status.OVERDUE
    assert status_on(today, extended.due_date(), None, True) is Status.IN_PROGRESS


def test_months_and_quarters_are_due_on_their_last_day() -> None:
    assert Deadline(DeadlineKind.MONTH, year=2008, month=1).due_date() == dt.date(2008, 1, 31)
    assert Deadline(DeadlineKind.MONTH, year=2008, month=2).due_date() == dt.date(2008, 2, 29)
    assert Deadline(DeadlineKind.QUARTER, year=2026, quarter=2).due_date() == dt.date(2026, 6, 30)
    assert Deadline.standing().due_date() is None
