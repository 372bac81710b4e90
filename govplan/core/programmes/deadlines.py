"""Task deadlines as the Government Office writes them, and a task's status on a given day.

A conclusion gives a deadline as a day ("trước ngày 30 tháng 6 năm 2008"), a month ("trong
tháng 01 năm 2008"), a quarter ("quý II/2026") or none at all (a standing task, "thường
xuyên"). A month or a quarter is due on its last day. The status follows the Government
Office's report: of the tasks due, completed on time or late; of the others, overdue, not
yet due (in progress) or not started.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from govplan.core.i18n import gettext_noop as _


class DeadlineKind(StrEnum):
    DATE = "date"
    MONTH = "month"
    QUARTER = "quarter"
    STANDING = "standing"


class Status(StrEnum):
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    IN_PROGRESS = "in_progress"  # not completed, not yet due, progress reported
    NOT_STARTED = "not_started"  # not completed, not yet due, nothing reported
    OVERDUE = "overdue"  # not completed, past its deadline


STATUS_LABELS: dict[Status, str] = {
    Status.COMPLETED_ON_TIME: _("Completed on time"),
    Status.COMPLETED_LATE: _("Completed late"),
    Status.IN_PROGRESS: _("In progress, not yet due"),
    Status.NOT_STARTED: _("Not started"),
    Status.OVERDUE: _("Overdue"),
}


class DeadlineError(ValueError):
    """A deadline that cannot be: a 13th month, a 5th quarter, 30 February."""


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    year: int | None = None
    month: int | None = None  # MONTH, and DATE's month
    quarter: int | None = None  # QUARTER
    day: int | None = None  # DATE

    def __post_init__(self) -> None:
        if self.kind is DeadlineKind.STANDING:
            if any(v is not None for v in (self.year, self.month, self.quarter, self.day)):
                raise DeadlineError(_("A standing task has no deadline date."))
            return
        if self.year is None or not 1900 <= self.year <= 2200:
            raise DeadlineError(_("The deadline's year is missing or out of range."))
        if self.kind is DeadlineKind.QUARTER:
            if self.quarter not in (1, 2, 3, 4):
                raise DeadlineError(_("A quarter is 1, 2, 3 or 4."))
            return
        if self.month is None or not 1 <= self.month <= 12:
            raise DeadlineError(_("A month is 1 to 12."))
        if self.kind is DeadlineKind.DATE:
            last = calendar.monthrange(self.year, self.month)[1]
            if self.day is None or not 1 <= self.day <= last:
                raise DeadlineError(_("That day does not exist in that month."))

    @classmethod
    def on(cls, day: dt.date) -> Deadline:
        return cls(DeadlineKind.DATE, year=day.year, month=day.month, day=day.day)

    @classmethod
    def standing(cls) -> Deadline:
        return cls(DeadlineKind.STANDING)

    def due_date(self) -> dt.date | None:
        """The last day the task is on time; None for a standing task."""
        if self.kind is DeadlineKind.STANDING:
            return None
        assert self.year is not None
        if self.kind is DeadlineKind.QUARTER:
            assert self.quarter is not None
            month = self.quarter * 3
        else:
            assert self.month is not None
            month = self.month
        if self.kind is DeadlineKind.DATE:
            assert self.day is not None
            return dt.date(self.year, month, self.day)
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def label_vi(self) -> str:
        """As a Vietnamese letter writes it."""
        if self.kind is DeadlineKind.STANDING:
            return "Thường xuyên"
        if self.kind is DeadlineKind.QUARTER:
            return f"Quý {('I', 'II', 'III', 'IV')[(self.quarter or 1) - 1]}/{self.year}"
        if self.kind is DeadlineKind.MONTH:
            return f"Tháng {self.month:02d}/{self.year}"
        return f"{self.day:02d}/{self.month:02d}/{self.year}"


def status_on(
    today: dt.date,
    due: dt.date | None,
    completed_on: dt.date | None,
    progress_reported: bool,
) -> Status:
    """The status of a task on ``today``: ``due`` is its (possibly extended) due date, None
    when standing; ``completed_on`` the day its completion was reached (confirmed by the
    assigning authority), None while it is not. A standing task is never late or overdue."""
    if completed_on is not None and completed_on <= today:
        if due is not None and completed_on > due:
            return Status.COMPLETED_LATE
        return Status.COMPLETED_ON_TIME
    if due is not None and today > due:
        return Status.OVERDUE
    return Status.IN_PROGRESS if progress_reported else Status.NOT_STARTED
