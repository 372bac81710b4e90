"""Counts and rates of assigned tasks in the Government Office's form (docs/programme.md,
"Thống kê"), by lead agency within a programme, by programme and by agency nationally.

On a reporting day N, each task counted is in exactly one place of the form:

- standing tasks (no deadline) are counted apart;
- the tasks with a deadline are completed (confirmed, completed on or before N) or not;
  completed ones on time or late; not completed ones within their deadline (due on or after
  N: not yet due, or due on N itself) or overdue (due before N);
- the tasks *due* by N are those whose (extended) due date is N or before; the rates are over
  them: completed / due, completed on time / due, overdue / due. A task completed early,
  before its deadline has come, is completed on time but not yet due.

Every figure is one ``Q`` (``figure_q``): the tables count them in one GROUP BY (a conditional
COUNT per figure), and the list behind a figure filters with the same ``Q``, so the list's
count is the figure. The status arithmetic is core's ``status_on`` (a test checks that the
figures and the statuses core computes for each task agree); the tasks lane's
``queries.with_status`` is the same CASE for the task lists.

Sub-tasks: the figures count the top-level tasks (a task as the letter numbers it: 2.a, 2.b,
3, 4); with ``subtasks`` every task and sub-task is counted as one. The lists show the
sub-tasks under their task either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet

from govplan.access.scoping import Capability, scope_for
from govplan.accounts.types import AnyUser
from govplan.core.i18n import gettext_noop as _
from govplan.core.programmes.deadlines import Status, status_on
from govplan.orgunits.models import OrgUnit
from govplan.programmes.models import Programme, Task

# The figures, in the order of the Government Office's table.
TOTAL = "total"
STANDING = "standing"
DATED = "dated"
DUE = "due"
COMPLETED = "completed"
COMPLETED_ON_TIME = "completed_on_time"
COMPLETED_LATE = "completed_late"
OPEN = "open"
OPEN_IN_TIME = "open_in_time"
OVERDUE = "overdue"
DUE_COMPLETED = "due_completed"
DUE_ON_TIME = "due_on_time"

FIGURES: tuple[str, ...] = (
    TOTAL,
    STANDING,
    DATED,
    DUE,
    COMPLETED,
    COMPLETED_ON_TIME,
    COMPLETED_LATE,
    OPEN,
    OPEN_IN_TIME,
    OVERDUE,
    DUE_COMPLETED,
    DUE_ON_TIME,
)

FIGURE_LABELS: dict[str, str] = {
    TOTAL: _("All tasks"),
    STANDING: _("Standing tasks"),
    DATED: _("Tasks with a deadline"),
    DUE: _("Due by the reporting date"),
    COMPLETED: _("Completed"),
    COMPLETED_ON_TIME: _("Completed on time"),
    COMPLETED_LATE: _("Completed late"),
    OPEN: _("Not completed"),
    OPEN_IN_TIME: _("Not completed, within the deadline"),
    OVERDUE: _("Overdue"),
    DUE_COMPLETED: _("Due and completed"),
    DUE_ON_TIME: _("Due and completed on time"),
}

# Rates: (key, numerator figure, denominator figure, label)
RATES: tuple[tuple[str, str, str, str], ...] = (
    ("rate_completed", DUE_COMPLETED, DUE, _("Completed / due (%)")),
    ("rate_on_time", DUE_ON_TIME, DUE, _("Completed on time / due (%)")),
    ("rate_overdue", OVERDUE, DUE, _("Overdue / due (%)")),
)


def figure_q(figure: str, on: dt.date) -> Q:
    """The tasks behind ``figure`` on the reporting day ``on`` (module docstring)."""
    done = Q(completed_on__isnull=False, completed_on__lte=on)
    not_done = Q(completed_on__isnull=True) | Q(completed_on__gt=on)
    dated = Q(due_date__isnull=False)
    on_time = dated & done & Q(completed_on__lte=F("due_date"))
    late = dated & done & Q(completed_on__gt=F("due_date"))
    due = Q(due_date__isnull=False, due_date__lte=on)
    conditions: dict[str, Q] = {
        TOTAL: Q(),
        STANDING: Q(due_date__isnull=True),
        DATED: dated,
        DUE: due,
        COMPLETED: dated & done,
        COMPLETED_ON_TIME: on_time,
        COMPLETED_LATE: late,
        OPEN: dated & not_done,
        OPEN_IN_TIME: Q(due_date__isnull=False, due_date__gte=on) & not_done,
        OVERDUE: Q(due_date__isnull=False, due_date__lt=on) & not_done,
        DUE_COMPLETED: due & done,
        DUE_ON_TIME: due & on_time,
    }
    try:
        return conditions[figure]
    except KeyError:
        raise ValueError(figure) from None


def status_of(task: Task, on: dt.date) -> Status:
    """One task's status on the reporting day ``on`` (core's arithmetic; a progress report
    made after ``on`` was not there yet)."""
    reported = task.first_reported_on is not None and task.first_reported_on <= on
    completed = task.completed_on if task.completed_on and task.completed_on <= on else None
    return status_on(on, task.due_date, completed, reported)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal (half up), None when nothing is due."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class Row:
    """One line of the table: an agency, a programme, or the total."""

    key: int | None  # the lead unit's or the programme's id; None for the total
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    def rates(self) -> dict[str, Decimal | None]:
        return {key: rate(self.counts[num], self.counts[den]) for key, num, den, _label in RATES}


@dataclass
class Table:
    on: dt.date
    subtasks: bool
    rows: list[Row]
    total: Row


def counted_tasks(
    user: AnyUser, *, subtasks: bool = False, programme: Programme | None = None
) -> QuerySet[Task]:
    """The tasks ``user``'s statistics count: central users with a nationwide view, all of
    them; the assigning authority's people, their programmes' tasks; anyone else, the tasks
    led by the agencies they may view (their own row)."""
    tasks = Task.objects.all()
    if programme is not None:
        tasks = tasks.filter(programme=programme)
    if not subtasks:
        tasks = tasks.filter(parent__isnull=True)
    grant = scope_for(user).grant(Capability.VIEW)
    if grant.empty:
        return tasks.none()
    led = grant.q("lead_unit__")
    assigned = grant.q("programme__assigning_unit__")
    if led is None or assigned is None:
        return tasks
    return tasks.filter(led | assigned)


def _count(tasks: QuerySet[Task], group: str, on: dt.date) -> dict[int, dict[str, int]]:
    """One GROUP BY ``group``: every figure's count per group."""
    aggregates = {name: Count("pk", filter=figure_q(name, on)) for name in FIGURES}
    result: dict[int, dict[str, int]] = {}
    for line in tasks.order_by().values(group).annotate(**aggregates):
        result[line[group]] = {name: int(line[name]) for name in FIGURES}
    return result


def _total(rows: Iterable[Row]) -> Row:
    total = Row(None, _("Total"), dict.fromkeys(FIGURES, 0))
    for row in rows:
        for name in FIGURES:
            total.counts[name] += row.counts[name]
    return total


def by_agency(tasks: QuerySet[Task], on: dt.date, *, subtasks: bool) -> Table:
    """``tasks`` counted by lead agency (its name on the reporting day), largest first."""
    counts = _count(tasks, "lead_unit", on)
    units = OrgUnit.objects.prefetch_related("names").in_bulk(list(counts))
    rows = [
        Row(pk, _unit_label(units[pk], on), figures)
        for pk, figures in counts.items()
        if pk in units
    ]
    rows.sort(key=lambda r: (-r.counts[TOTAL], r.label))
    return Table(on, subtasks, rows, _total(rows))


def by_programme(tasks: QuerySet[Task], on: dt.date, *, subtasks: bool) -> Table:
    """``tasks`` counted by programme, newest programme first."""
    counts = _count(tasks, "programme", on)
    programmes = Programme.objects.in_bulk(list(counts))
    ordered = sorted(
        (programmes[pk] for pk in counts if pk in programmes),
        key=lambda p: (-p.period_start, p.code),
    )
    rows = [Row(p.pk, p.name, counts[p.pk]) for p in ordered]
    return Table(on, subtasks, rows, _total(rows))


def _unit_label(unit: OrgUnit, on: dt.date) -> str:
    name: str = unit.name_on(on) if unit.is_valid_on(on) else unit.name
    return name


def tasks_behind(
    tasks: QuerySet[Task],
    figure: str,
    on: dt.date,
    *,
    unit: int | None = None,
    programme: int | None = None,
) -> QuerySet[Task]:
    """The tasks behind one figure of one row (``unit``: a lead agency's row, ``programme``:
    a programme's), in the programme's order."""
    found = tasks.filter(figure_q(figure, on))
    if unit is not None:
        found = found.filter(lead_unit_id=unit)
    if programme is not None:
        found = found.filter(programme_id=programme)
    return found.select_related("programme", "lead_unit").order_by(
        "programme__code", "position", "code"
    )
