"""The rules a task must follow, shared by the form and the import (actions.do_save_task,
imports.plan_rows): each refusal by field, in the user's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from govplan.core.programmes.deadlines import Deadline
from govplan.orgunits.models import OrgUnit
from govplan.programmes.models import Programme, Task


@dataclass
class TaskInput:
    """A task as entered or imported, before it is checked."""

    code: str
    content: str
    source_document: str
    assigned_on: dt.date | None
    lead_unit: OrgUnit | None
    deadline: Deadline | None
    source_article: str = ""
    expected_product: str = ""
    co_units: list[OrgUnit] = field(default_factory=list)
    parent: Task | None = None
    parent_code: str = ""  # an import names the parent by code (maybe a row of the same file)


def _unit_name(unit: OrgUnit) -> str:
    return f"{unit.name} ({unit.code})"


def check_task(
    programme: Programme,
    data: TaskInput,
    *,
    task: Task | None = None,
    codes_taken: set[str] | None = None,
) -> dict[str, str]:
    """Every refusal of ``data``, by field; empty if it may be saved. ``codes_taken``: the
    codes already used (the import's own rows included), read from the database if None."""
    errors: dict[str, str] = {}
    code = data.code.strip()
    if not code:
        errors["code"] = _("The task needs a code.")
    elif len(code) > 64:
        errors["code"] = _("The code is at most 64 characters.")
    else:
        if codes_taken is None:
            taken = Task.objects.filter(programme=programme, code=code)
            if task is not None:
                taken = taken.exclude(pk=task.pk)
            duplicate = taken.exists()
        else:
            duplicate = code in codes_taken
        if duplicate:
            errors["code"] = _("The programme already has a task with the code %(code)s.") % {
                "code": code
            }
    if not data.content.strip():
        errors["content"] = _("Write what the task is.")
    if not data.source_document.strip():
        errors["source_document"] = _("Name the document that assigns the task.")
    if data.assigned_on is None:
        errors["assigned_on"] = _("Give the day the task was assigned.")
    if data.lead_unit is None:
        errors["lead_unit"] = _("A task needs a lead agency.")
    elif data.assigned_on is not None and not data.lead_unit.is_valid_on(data.assigned_on):
        errors["lead_unit"] = _(
            "%(unit)s did not exist on %(day)s, the day the task was assigned."
        ) % {"unit": _unit_name(data.lead_unit), "day": f"{data.assigned_on:%d/%m/%Y}"}
    if data.assigned_on is not None:
        absent = [u for u in data.co_units if not u.is_valid_on(data.assigned_on)]
        if absent:
            errors["co_units"] = _(
                "%(units)s did not exist on %(day)s, the day the task was assigned."
            ) % {
                "units": ", ".join(_unit_name(u) for u in absent),
                "day": f"{data.assigned_on:%d/%m/%Y}",
            }
    if data.lead_unit is not None and data.lead_unit in data.co_units:
        errors["co_units"] = _("The lead agency is not also a co-operating agency.")
    if data.deadline is None:
        errors["deadline"] = _("Give a deadline (a day, a month, a quarter) or mark it standing.")
    else:
        due = data.deadline.due_date()
        if due is not None and data.assigned_on is not None and due < data.assigned_on:
            errors["deadline"] = _(
                "The deadline (%(due)s) is before the day the task was assigned (%(day)s)."
            ) % {"due": data.deadline.label_vi(), "day": f"{data.assigned_on:%d/%m/%Y}"}
    if (
        task is not None
        and data.deadline is not None
        and data.deadline != task.deadline
        and (task.reports.exists() or task.extensions.exists())
    ):
        # Once the agency has reported or asked for time, the deadline is what it is judged
        # against: it moves only through an extension, whose decision keeps the old one.
        errors["deadline"] = _(
            "The lead agency has already reported on this task or asked for an extension: its "
            "deadline changes only through an extension granted on request, which keeps the "
            "history."
        )
    if data.parent is not None:
        if data.parent.programme_id != programme.pk:
            errors["parent"] = _("The parent task belongs to another programme.")
        elif task is not None and _is_within(data.parent, task):
            errors["parent"] = _("A task cannot be placed under itself or its own sub-task.")
    return errors


def _is_within(candidate: Task, task: Task) -> bool:
    """Whether ``candidate`` is ``task`` or one of its descendants."""
    seen: set[int] = set()
    node: Task | None = candidate
    while node is not None and node.pk not in seen:
        if node.pk == task.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False
