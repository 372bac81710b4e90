"""The 2007 conclusions as a demo programme (programme_2007.yaml beside this file): the
programme, its tasks and sub-tasks as the notice gives them, and some progress, an extension
and completions so that the statistics show every status. Everything goes through the
programme's actions, as the people would do it, so the task pages show a real history and the
audit trail holds every step. Loading it twice changes nothing: a programme already there (by
its code) is left as it is.

The actors: the central administrator acts for the assigning authority (and for a lead agency
without an editor account, such as the Ministry of Information and Communications, merged
in 2025); a lead agency's own editor reports for it when the demo has one (the Ministry of
Finance's)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from govplan.accounts.models import Membership, Role, User
from govplan.core.frameworks.yamlsafe import load_text
from govplan.core.programmes.deadlines import Deadline, DeadlineKind
from govplan.orgunits.models import OrgUnit
from govplan.programmes import actions
from govplan.programmes.checks import TaskInput
from govplan.programmes.models import Programme, Task

PROGRESS_TEXT = "Đang triển khai thực hiện (dữ liệu minh họa)."
COMPLETION_TEXT = "Đã hoàn thành nhiệm vụ (dữ liệu minh họa)."

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


def load_demo_programme(path: Path = PROGRAMME_2007, *, actor: User) -> tuple[Programme, bool]:
    """The programme of ``path``, created with its tasks and their tracking if it is not there
    yet (``actor``: the central administrator); returns it and whether it was created."""
    data = load_text(path.read_bytes(), name=path.name)
    spec = data["programme"]
    existing = Programme.objects.filter(code=spec["code"]).first()
    if existing is not None:
        return existing, False
    assigned_on = _required_day(data["assigned_on"], "assigned_on")
    with transaction.atomic():
        programme = actions.do_save_programme(
            None,
            {
                "code": spec["code"],
                "name": spec["name"],
                "name_en": spec.get("name_en", ""),
                "period_start": spec["period_start"],
                "period_end": spec["period_end"],
                "basis_number": spec["basis_number"],
                "basis_date": _required_day(spec["basis_date"], "basis_date"),
                "basis_title": spec["basis_title"],
                "assigning_unit": _unit(spec["assigning_unit"], assigned_on),
                "description": spec.get("description", ""),
            },
            actor=actor,
        )
        tracked: list[tuple[Task, dict[str, Any]]] = []
        for item in data["tasks"]:
            _task(programme, item, None, data, assigned_on, actor, tracked)
        for task, item in tracked:
            _track(task, item, actor)
    return programme, True


def _task(
    programme: Programme,
    item: dict[str, Any],
    parent: Task | None,
    data: dict[str, Any],
    assigned_on: dt.date,
    actor: User,
    tracked: list[tuple[Task, dict[str, Any]]],
) -> None:
    """The task of ``item`` and its sub-tasks, in the notice's order (do_save_task numbers
    them as they come)."""
    lead_ref = item.get("lead")
    if lead_ref is None and parent is None:
        raise DemoDataError(f"task {item['code']}: no lead agency")
    lead = _unit(lead_ref, assigned_on) if lead_ref else parent.lead_unit  # type: ignore[union-attr]
    try:
        task = actions.do_save_task(
            programme,
            TaskInput(
                code=str(item["code"]),
                content=" ".join(str(item["content"]).split()),
                source_document=data["source_document"],
                source_article=item.get("article") or (parent.source_article if parent else ""),
                assigned_on=assigned_on,
                lead_unit=lead,
                co_units=[_unit(ref, assigned_on) for ref in item.get("co", [])],
                deadline=_deadline(item["deadline"]),
                expected_product=item.get("expected_product", ""),
                parent=parent,
            ),
            actor=actor,
        )
    except ValidationError as exc:
        raise DemoDataError(f"task {item['code']}: {'; '.join(exc.messages)}") from exc
    tracked.append((task, item))
    for child in item.get("subtasks", []):
        _task(programme, child, task, data, assigned_on, actor, tracked)


def _reporter(task: Task, fallback: User) -> User:
    """Who reports for the lead agency: its first editor, else the central administrator
    entering it on the agency's behalf (as for the reports of units no longer in force)."""
    membership = (
        Membership.objects.filter(org_unit=task.lead_unit, role=Role.EDITOR, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership is not None else fallback


def _track(task: Task, item: dict[str, Any], actor: User) -> None:
    """The task's illustrative history: a progress report, an extension asked for and
    granted, a completion declared with its evidence and confirmed."""
    reporter = _reporter(task, actor)
    progress = _day(item.get("progress"))
    if progress is not None:
        actions.do_report_progress(
            task,
            reported_on=progress,
            text=item.get("progress_text", PROGRESS_TEXT),
            evidence=actions.Evidence(),
            actor=reporter,
        )
    extension = item.get("extension")
    if extension is not None:
        request = actions.do_request_extension(
            task,
            deadline=_deadline(extension["deadline"]),
            reason=extension["reason"],
            actor=reporter,
        )
        actions.do_decide_extension(
            request,
            grant=bool(extension.get("granted", True)),
            reason=extension.get("decision_reason", ""),
            actor=actor,
        )
    completed = _day(item.get("completed"))
    if completed is not None:
        if not item.get("evidence"):
            raise DemoDataError(f"task {item['code']}: a completion needs its evidence")
        report = actions.do_declare_completion(
            task,
            completed_on=completed,
            product=item.get("product") or task.expected_product or task.content[:500],
            text=item.get("completion_text", COMPLETION_TEXT),
            evidence=actions.Evidence(official_number=str(item["evidence"])),
            actor=reporter,
        )
        actions.do_confirm_completion(report, actor=actor)
