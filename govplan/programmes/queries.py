"""Task statuses in SQL: the same arithmetic as govplan.core.programmes.deadlines.status_on,
as one CASE WHEN over the typed columns, so that lists filter and counts group by status
without loading the tasks (tests/programmes/test_queries.py checks both agree on every case)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from govplan.core.programmes.deadlines import Status
from govplan.programmes.models import Task


def status_case(today: dt.date) -> Case:
    """The status of a task on ``today`` as an SQL expression (values are core Status)."""
    completed = Q(completed_on__isnull=False, completed_on__lte=today)
    return Case(
        When(
            completed & Q(due_date__isnull=False, completed_on__gt=F("due_date")),
            then=Value(Status.COMPLETED_LATE.value),
        ),
        When(completed, then=Value(Status.COMPLETED_ON_TIME.value)),
        When(Q(due_date__isnull=False, due_date__lt=today), then=Value(Status.OVERDUE.value)),
        When(progress_reported_on__isnull=False, then=Value(Status.IN_PROGRESS.value)),
        default=Value(Status.NOT_STARTED.value),
        output_field=CharField(max_length=20),
    )


def with_status(today: dt.date, qs: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """``qs`` (all tasks by default) annotated with ``status``: a core Status value on
    ``today``. Filter with ``.filter(status=Status.OVERDUE)``, count with
    ``.values("status").annotate(n=Count("pk"))``."""
    base = Task.objects.all() if qs is None else qs
    return base.annotate(status=status_case(today))
