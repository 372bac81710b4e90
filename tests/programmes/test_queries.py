"""with_status (SQL) and core status_on agree on every case: completed before, on and after
the due date, completed in the future (not yet reached), standing, due today, past due, with
and without a progress report."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from govplan.core.programmes.deadlines import Deadline, Status, status_on
from govplan.programmes.models import Programme, Task
from govplan.programmes.queries import with_status
from tests.conftest import Cast

ASSIGNED = dt.date(2008, 1, 2)
DUE = dt.date(2008, 6, 30)
TODAYS = [dt.date(2008, 6, 29), DUE, dt.date(2008, 7, 1)]
DUES: list[dt.date | None] = [DUE, None]
COMPLETIONS: list[dt.date | None] = [
    None,
    dt.date(2008, 6, 1),
    DUE,
    dt.date(2008, 7, 1),
    dt.date(2008, 8, 1),
]
REPORTS: list[dt.date | None] = [None, dt.date(2008, 3, 1), dt.date(2008, 6, 30)]


@pytest.mark.django_db
def test_sql_and_core_agree_on_every_case(cast: Cast) -> None:
    programme = Programme.objects.create(
        code="P",
        name="P",
        period_start=2007,
        period_end=2010,
        basis_number="1/TB",
        basis_date=ASSIGNED,
        basis_title="Kết luận",
        assigning_unit=cast.central,
    )
    expected: dict[str, tuple[dt.date | None, dt.date | None, dt.date | None]] = {}
    for n, (due, done, report) in enumerate(itertools.product(DUES, COMPLETIONS, REPORTS)):
        task = Task(
            programme=programme,
            code=f"T{n}",
            content="x",
            source_document="1/TB",
            assigned_on=ASSIGNED,
            lead_unit=cast.province_a,
            completed_on=done,
            progress_reported_on=report,
            first_reported_on=report,
        )
        task.set_deadline(Deadline.on(due) if due else Deadline.standing())
        task.save()
        expected[task.code] = (due, done, report)
    seen: set[Status] = set()
    for today in TODAYS:
        rows = dict(with_status(today).values_list("code", "status"))
        assert len(rows) == len(expected)
        for code, (due, done, report) in expected.items():
            core = status_on(today, due, done, report is not None and report <= today)
            assert rows[code] == core.value, (today, due, done, report)
            seen.add(core)
        # filtering by status is the same as the Python filter
        overdue = set(
            with_status(today).filter(status=Status.OVERDUE).values_list("code", flat=True)
        )
        assert overdue == {c for c, v in rows.items() if v == Status.OVERDUE.value}
    assert seen == set(Status)
