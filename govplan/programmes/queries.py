"""Task statuses in SQL: the same arithmetic as govplan.core.programmes.deadlines.status_on,
as one CASE WHEN over the typed columns, so that lists filter and counts group by status
without loading the tasks (tests/programmes/test_queries.py checks both agree on every case)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, F, Q, QuerySet, Sum, Value, When

from govplan.core.programmes.deadlines import Status
from govplan.programmes.models import Task, TaskProgress

# The annotation's name; a plain ``str`` (not a literal) so that the type checker's model
# plugin, which knows only the model's fields, accepts it in filter(**{STATUS: ...}) and
# values(STATUS).
STATUS: str = "status"


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
        When(first_reported_on__lte=today, then=Value(Status.IN_PROGRESS.value)),
        default=Value(Status.NOT_STARTED.value),
        output_field=CharField(max_length=20),
    )


def with_status(today: dt.date, qs: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """``qs`` (all tasks by default) annotated with ``status``: a core Status value on
    ``today``. Filter with ``with_status_in`` (or ``.filter(**{STATUS: …})``), count with
    ``.values(STATUS).annotate(n=Count("pk"))``."""
    base = Task.objects.all() if qs is None else qs
    return base.annotate(**{STATUS: status_case(today)})


def with_status_in(
    today: dt.date, statuses: list[str], qs: QuerySet[Task] | None = None
) -> QuerySet[Task]:
    """The tasks of ``qs`` whose status on ``today`` is one of ``statuses``."""
    return with_status(today, qs).filter(**{f"{STATUS}__in": statuses})


def evidence_bytes(org_unit_id: int) -> int:
    """What the evidence files of the tasks a unit leads take (its quota counts them)."""
    total = TaskProgress.objects.filter(task__lead_unit_id=org_unit_id).aggregate(
        total=Sum("file_size")
    )["total"]
    return int(total or 0)
