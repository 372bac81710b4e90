"""The 2007 conclusions as a demo programme (programme_2007.yaml beside this file): the
programme, its tasks and sub-tasks as the notice gives them, and some progress and
completions so that the statistics show every status. Loading it twice changes nothing: a
programme already there (by its code) is left as it is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction

from govplan.core.frameworks.yamlsafe import load_text
from govplan.core.programmes.deadlines import Deadline, DeadlineKind
from govplan.orgunits.models import OrgUnit
from govplan.programmes.models import Programme, Task

PROGRAMME_2007 = Path(__file__).resolve().parent / "programme_2007.yaml"


class DemoDataError(ValueError):
    """The demo file names a unit that did not exist on the assignment day, or is malformed."""


def _day(text: Any) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(str(text))


def _required_day(text: Any, what: str) -> dt.date:
    day = _day(text)
    if day is None:
        raise DemoDataError(f"{what}: a date is required")
    return day


def _unit(ref: str, on: dt.date) -> OrgUnit:
    scheme, code = ref.split(":", 1)
    unit = OrgUnit.objects.with_code(scheme, code, on=on).first()
    if unit is None:
        raise DemoDataError(
            f"{ref}: no unit had this code on {on:%d/%m/%Y} (run load_reference_data)"
        )
    return unit


def _deadline(spec: Any) -> Deadline:
    if spec == "standing":
        return Deadline.standing()
    if not isinstance(spec, dict):
        raise DemoDataError(f"deadline: {spec!r} is neither 'standing' nor a mapping")
    if "day" in spec:
        return Deadline(DeadlineKind.DATE, year=spec["year"], month=spec["month"], day=spec["day"])
    if "quarter" in spec:
        return Deadline(DeadlineKind.QUARTER, year=spec["year"], quarter=spec["quarter"])
    return Deadline(DeadlineKind.MONTH, year=spec["year"], month=spec["month"])


def load_demo_programme(path: Path = PROGRAMME_2007) -> tuple[Programme, bool]:
    """The programme of ``path``, created with its tasks if it is not there yet; returns it and
    whether it was created."""
    data = load_text(path.read_bytes(), name=path.name)
    spec = data["programme"]
    existing = Programme.objects.filter(code=spec["code"]).first()
    if existing is not None:
        return existing, False
    assigned_on = _required_day(data["assigned_on"], "assigned_on")
    with transaction.atomic():
        programme = Programme.objects.create(
            code=spec["code"],
            name=spec["name"],
            name_en=spec.get("name_en", ""),
            period_start=spec["period_start"],
            period_end=spec["period_end"],
            basis_number=spec["basis_number"],
            basis_date=_required_day(spec["basis_date"], "basis_date"),
            basis_title=spec["basis_title"],
            assigning_unit=_unit(spec["assigning_unit"], assigned_on),
            description=spec.get("description", ""),
        )
        position = 0
        for item in data["tasks"]:
            position = _task(programme, item, None, data, assigned_on, position)
    return programme, True


def _task(
    programme: Programme,
    item: dict[str, Any],
    parent: Task | None,
    data: dict[str, Any],
    assigned_on: dt.date,
    position: int,
) -> int:
    lead_ref = item.get("lead")
    if lead_ref is None and parent is None:
        raise DemoDataError(f"task {item['code']}: no lead agency")
    lead = _unit(lead_ref, assigned_on) if lead_ref else parent.lead_unit  # type: ignore[union-attr]
    task = Task(
        programme=programme,
        parent=parent,
        code=str(item["code"]),
        content=" ".join(str(item["content"]).split()),
        source_document=data["source_document"],
        source_article=item.get("article") or (parent.source_article if parent else ""),
        assigned_on=assigned_on,
        lead_unit=lead,
        expected_product=item.get("expected_product", ""),
        progress_reported_on=_day(item.get("progress")),
        completed_on=_day(item.get("completed")),
        position=position,
    )
    task.set_deadline(_deadline(item["deadline"]))
    task.save()
    co = [_unit(ref, assigned_on) for ref in item.get("co", [])]
    if co:
        task.co_units.set(co)
    position += 1
    for child in item.get("subtasks", []):
        position = _task(programme, child, task, data, assigned_on, position)
    return position
