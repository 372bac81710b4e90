"""The row source "programme_tasks": the tasks a programme assigns to a document's unit, as
the rows of a framework table filled from the task list (documents.row_sources,
docs/frameworks.md ``rows_from``).

A unit's tasks are those it leads or co-operates in, assigned on or before the last day of
the document's period. Only the unit's own tasks: a unit formed by a merger does not take
over its predecessors' tasks here (the task list names the unit that must carry a task out;
when a task passes to a successor, the assigning authority reassigns it in the list).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from govplan.core.frameworks.model import RowsFrom
from govplan.documents.models import Document
from govplan.documents.row_sources import SourceRow, register
from govplan.programmes.models import Task

SOURCE = "programme_tasks"


def task_rows(document: Document, rows_from: RowsFrom) -> list[SourceRow]:
    unit_id = document.org_unit_id
    tasks = (
        Task.objects.filter(
            programme__code=rows_from.programme,
            assigned_on__lte=dt.date(document.period_end, 12, 31),
        )
        .filter(Q(lead_unit_id=unit_id) | Q(co_units__id=unit_id))
        .distinct()
    )
    # In the task list's order, depth first: a sub-task right after its parent (and the
    # parent's earlier sub-tasks), as the assigning document lists them.
    places = {
        pk: (parent, position, code)
        for pk, parent, position, code in Task.objects.filter(
            programme__code=rows_from.programme
        ).values_list("pk", "parent_id", "position", "code")
    }

    def path(pk: int) -> list[tuple[int, str]]:
        steps: list[tuple[int, str]] = []
        seen: set[int] = set()
        current: int | None = pk
        while current is not None and current in places and current not in seen:
            seen.add(current)
            parent, position, code = places[current]
            steps.append((position, code))
            current = parent
        return steps[::-1]

    ordered = sorted(tasks, key=lambda t: path(t.pk))
    return [
        SourceRow(
            key=task.code,
            cells={
                "task_code": task.code,
                "task_content": task.content,
                "task_deadline": task.deadline.label_vi(),
                "task_lead": "lead" if task.lead_unit_id == unit_id else "co",
            },
        )
        for task in ordered
    ]


def register_source() -> None:
    register(SOURCE, task_rows)
