"""Every change to a pilot: create and edit it, designate a unit, add a milestone, evaluate a
milestone (the assigning authority) or self-evaluate it (a pilot unit's editor), and the
final evaluation. Each is one transaction writing its rows and their audit entry; the
state it depends on is read again under the pilot's (or the milestone's) row lock, so a
double click or two people at once find the first one's change and are refused. Who may
call which is the views' to enforce (access.py); every refusal here names field and rule.

Long because: the seven actions share one pilot's checks (its period against its milestones
and designations, a unit in force on a date) and their refusal messages; split by action
they would each repeat them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import record, snapshot
from govplan.core.frameworks.vocab import NUMERIC_VALUE_TYPES
from govplan.frameworks.models import Indicator
from govplan.orgunits.models import Kind, OrgUnit
from govplan.pilots.models import (
    Designation,
    Milestone,
    Pilot,
    Rating,
    Recommendation,
    SelfEvaluation,
)
from govplan.programmes.models import Programme, Task

NAME_LIMIT = 300
TEXT_LIMIT = 20_000
MAX_INDICATORS = 20
# A figure the comparison can set side by side: numbers, ratios, money, yes/no.
COMPARABLE_TYPES = (*NUMERIC_VALUE_TYPES, "boolean")


def day_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _pilot_values(pilot: Pilot) -> dict[str, Any]:
    fields = ["name", "description", "programme_id", "task_id", "assigning_unit_id"]
    values = snapshot(pilot, [*fields, "start_date", "end_date"])
    return {**values, "indicators": sorted(pilot.indicators.values_list("code", flat=True))}


def _check_text(
    errors: dict[str, str], field: str, value: str, limit: int, *, required: bool
) -> None:
    if required and not value.strip():
        errors[field] = _("Fill in this field.")
    elif len(value) > limit:
        errors[field] = _("At most %(max)s characters.") % {"max": limit}


def _indicators(codes: Sequence[str], errors: dict[str, str]) -> list[Indicator]:
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if len(wanted) > MAX_INDICATORS:
        errors["indicators"] = _("At most %(max)s indicators.") % {"max": MAX_INDICATORS}
        return []
    found = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        errors["indicators"] = _("Not in the national indicator catalogue: %(codes)s.") % {
            "codes": ", ".join(unknown[:5])
        }
        return []
    text = [c for c in wanted if found[c].value_type not in COMPARABLE_TYPES]
    if text:
        errors["indicators"] = _(
            "%(codes)s has no figure to compare (a text, a date or a choice): choose "
            "indicators with a number, a ratio or a yes/no."
        ) % {"codes": ", ".join(text[:5])}
        return []
    return [found[c] for c in wanted]


def check_pilot(
    *,
    name: str,
    description: str,
    programme: Programme | None,
    task: Task | None,
    assigning_unit: OrgUnit | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    indicator_codes: Sequence[str],
    pilot: Pilot | None = None,
) -> list[Indicator]:
    """Every problem of a pilot's fields at once (ValidationError by field), or its
    indicators. For an existing pilot, its start may not move past a milestone's deadline
    or a unit's designation."""
    errors: dict[str, str] = {}
    _check_text(errors, "name", name, NAME_LIMIT, required=True)
    _check_text(errors, "description", description, TEXT_LIMIT, required=False)
    if task is not None and programme is not None and task.programme_id != programme.pk:
        errors["task"] = _("Task %(code)s is not a task of the programme chosen.") % {
            "code": task.code
        }
    if start_date is None:
        errors["start_date"] = _("Fill in the day the pilot starts.")
    elif end_date is not None and end_date < start_date:
        span = {"end": day_text(end_date), "start": day_text(start_date)}
        errors["end_date"] = (
            _("The pilot cannot end (%(end)s) before it starts (%(start)s).") % span
        )
    if assigning_unit is None:
        errors["assigning_unit"] = _("Choose the assigning authority.")
    elif start_date is not None and not assigning_unit.is_valid_on(start_date):
        named = {"unit": assigning_unit.name, "day": day_text(start_date)}
        errors["assigning_unit"] = _("%(unit)s did not exist on %(day)s.") % named
    if pilot is not None and start_date is not None:
        early = pilot.milestones.filter(deadline__lt=start_date).order_by("deadline").first()
        if early is not None:
            errors["start_date"] = _(
                "The milestone “%(title)s” is due on %(day)s, before this start."
            ) % {"title": early.title, "day": day_text(early.deadline)}
        designated = (
            pilot.designations.filter(designated_from__lt=start_date).select_related("unit").first()
        )
        if designated is not None:
            errors["start_date"] = _("%(unit)s is a pilot from %(day)s, before this start.") % {
                "unit": designated.unit.name,
                "day": day_text(designated.designated_from),
            }
    if pilot is not None and end_date is not None:
        late = pilot.milestones.filter(deadline__gt=end_date).order_by("-deadline").first()
        if late is not None:
            errors["end_date"] = _(
                "The milestone “%(title)s” is due on %(day)s, after this end."
            ) % {"title": late.title, "day": day_text(late.deadline)}
    indicators = _indicators(indicator_codes, errors)
    if errors:
        raise ValidationError(errors)
    return indicators


def do_create_pilot(
    *,
    name: str,
    description: str,
    programme: Programme | None,
    task: Task | None,
    assigning_unit: OrgUnit | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    indicator_codes: Sequence[str],
    actor: User,
) -> Pilot:
    with transaction.atomic():
        indicators = check_pilot(
            name=name,
            description=description,
            programme=programme,
            task=task,
            assigning_unit=assigning_unit,
            start_date=start_date,
            end_date=end_date,
            indicator_codes=indicator_codes,
        )
        assert assigning_unit is not None and start_date is not None
        pilot = Pilot.objects.create(
            name=name.strip(),
            description=description.strip(),
            programme=programme or (task.programme if task is not None else None),
            task=task,
            assigning_unit=assigning_unit,
            start_date=start_date,
            end_date=end_date,
            created_by=actor,
        )
        pilot.indicators.set(indicators)
        record(Action.CREATE, actor=actor, obj=pilot, after=_pilot_values(pilot))
    return pilot


def do_update_pilot(
    pilot: Pilot,
    *,
    name: str,
    description: str,
    programme: Programme | None,
    task: Task | None,
    assigning_unit: OrgUnit | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    indicator_codes: Sequence[str],
    actor: User,
) -> Pilot:
    with transaction.atomic():
        current = Pilot.objects.select_for_update(no_key=True).get(pk=pilot.pk)
        indicators = check_pilot(
            name=name,
            description=description,
            programme=programme,
            task=task,
            assigning_unit=assigning_unit,
            start_date=start_date,
            end_date=end_date,
            indicator_codes=indicator_codes,
            pilot=current,
        )
        assert assigning_unit is not None and start_date is not None
        before = _pilot_values(current)
        current.name = name.strip()
        current.description = description.strip()
        current.programme = programme or (task.programme if task is not None else None)
        current.task = task
        current.assigning_unit = assigning_unit
        current.start_date = start_date
        current.end_date = end_date
        current.save()
        current.indicators.set(indicators)
        after = _pilot_values(current)
        if after != before:
            record(Action.UPDATE, actor=actor, obj=current, before=before, after=after)
    return current


def do_designate_unit(
    pilot: Pilot, unit: OrgUnit | None, designated_from: dt.date | None, *, actor: User
) -> Designation:
    """``unit`` is a pilot of the model from ``designated_from``: it must exist that day,
    within the pilot's period, and not be a pilot of it already."""
    with transaction.atomic():
        current = Pilot.objects.select_for_update(no_key=True).get(pk=pilot.pk)
        errors: dict[str, str] = {}
        if unit is None:
            errors["unit"] = _("Choose the unit.")
        elif unit.kind == Kind.CENTRAL:
            errors["unit"] = _("The central authority cannot be a pilot unit.")
        if designated_from is None:
            errors["designated_from"] = _("Fill in the day the unit becomes a pilot.")
        elif designated_from < current.start_date:
            errors["designated_from"] = _(
                "The pilot starts on %(start)s: a unit cannot be a pilot before that."
            ) % {"start": day_text(current.start_date)}
        elif current.end_date is not None and designated_from > current.end_date:
            errors["designated_from"] = _("The pilot ends on %(end)s.") % {
                "end": day_text(current.end_date)
            }
        elif unit is not None and not unit.is_valid_on(designated_from):
            errors["unit"] = _(
                "%(unit)s did not exist on %(day)s (it existed from %(from)s to %(to)s)."
            ) % {
                "unit": unit.name,
                "day": day_text(designated_from),
                "from": day_text(unit.valid_from) if unit.valid_from else "…",
                "to": day_text(unit.valid_to) if unit.valid_to else "…",
            }
        if unit is not None and not errors:
            already = current.designations.filter(unit=unit).first()
            if already is not None:
                errors["unit"] = _("%(unit)s is already a pilot of this model, from %(day)s.") % {
                    "unit": unit.name,
                    "day": day_text(already.designated_from),
                }
        if errors:
            raise ValidationError(errors)
        assert unit is not None and designated_from is not None
        designation = Designation.objects.create(
            pilot=current, unit=unit, designated_from=designated_from, created_by=actor
        )
        record(
            Action.PILOT_DESIGNATE,
            actor=actor,
            obj=current,
            after={"unit": unit.pk, "unit_name": unit.name, "from": designated_from.isoformat()},
        )
    return designation


def do_add_milestone(
    pilot: Pilot, *, title: str, deadline: dt.date | None, actor: User
) -> Milestone:
    with transaction.atomic():
        current = Pilot.objects.select_for_update(no_key=True).get(pk=pilot.pk)
        errors: dict[str, str] = {}
        _check_text(errors, "title", title, NAME_LIMIT, required=True)
        if deadline is None:
            errors["deadline"] = _("Fill in the milestone's deadline.")
        elif deadline < current.start_date:
            errors["deadline"] = _(
                "The deadline (%(day)s) is before the pilot starts (%(start)s)."
            ) % {"day": day_text(deadline), "start": day_text(current.start_date)}
        elif current.end_date is not None and deadline > current.end_date:
            errors["deadline"] = _("The deadline (%(day)s) is after the pilot ends (%(end)s).") % {
                "day": day_text(deadline),
                "end": day_text(current.end_date),
            }
        if errors:
            raise ValidationError(errors)
        assert deadline is not None
        milestone = Milestone.objects.create(
            pilot=current,
            title=title.strip(),
            deadline=deadline,
            position=current.milestones.count(),
            created_by=actor,
        )
        record(
            Action.CREATE,
            actor=actor,
            obj=milestone,
            after={"pilot": current.pk, "title": milestone.title, "deadline": deadline.isoformat()},
        )
    return milestone


def _check_evaluation(
    errors: dict[str, str],
    *,
    day_field: str,
    day: dt.date | None,
    start: dt.date,
    text: str,
    rating: str,
    today: dt.date,
) -> None:
    if day is None:
        errors[day_field] = _("Fill in the date.")
    elif day > today:
        errors[day_field] = _(
            "%(day)s has not come yet: a milestone is evaluated once it is reached."
        ) % {"day": day_text(day)}
    elif day < start:
        errors[day_field] = _("%(day)s is before the pilot starts (%(start)s).") % {
            "day": day_text(day),
            "start": day_text(start),
        }
    _check_text(errors, "text", text, TEXT_LIMIT, required=True)
    if rating not in Rating.values:
        errors["rating"] = _("Choose a rating.")


def do_evaluate_milestone(
    milestone: Milestone,
    *,
    reached_on: dt.date | None,
    text: str,
    rating: str,
    actor: User,
) -> Milestone:
    """The assigning authority's evaluation of a milestone reached: it is then completed
    (on time or late against its deadline). Written once."""
    with transaction.atomic():
        current = (
            Milestone.objects.select_for_update(no_key=True, of=("self",))
            .select_related("pilot")
            .get(pk=milestone.pk)
        )
        errors: dict[str, str] = {}
        if current.reached_on is not None:
            raise ValidationError(
                _("“%(title)s” was already evaluated (reached on %(day)s).")
                % {"title": current.title, "day": day_text(current.reached_on)}
            )
        _check_evaluation(
            errors,
            day_field="reached_on",
            day=reached_on,
            start=current.pilot.start_date,
            text=text,
            rating=rating,
            today=timezone.localdate(),
        )
        if errors:
            raise ValidationError(errors)
        current.reached_on = reached_on
        current.evaluation = text.strip()
        current.rating = rating
        current.evaluated_by = actor
        current.save(update_fields=["reached_on", "evaluation", "rating", "evaluated_by"])
        record(
            Action.PILOT_MILESTONE_EVALUATE,
            actor=actor,
            obj=current,
            after={
                "pilot": current.pilot_id,
                "reached_on": day_text(reached_on),
                "rating": rating,
                "text": current.evaluation,
            },
        )
    return current


def do_self_evaluate(
    milestone: Milestone,
    unit: OrgUnit,
    *,
    written_on: dt.date | None,
    text: str,
    rating: str,
    actor: User,
) -> SelfEvaluation:
    """A pilot unit's own evaluation of a milestone: once per unit, on a day it was a pilot."""
    with transaction.atomic():
        current = (
            Milestone.objects.select_for_update(no_key=True, of=("self",))
            .select_related("pilot")
            .get(pk=milestone.pk)
        )
        designation = Designation.objects.filter(pilot_id=current.pilot_id, unit=unit).first()
        if designation is None:
            raise ValidationError(
                {"unit": _("%(unit)s is not a pilot unit of this model.") % {"unit": unit.name}}
            )
        if current.self_evaluations.filter(unit=unit).exists():
            raise ValidationError(
                _("%(unit)s has already evaluated “%(title)s”.")
                % {"unit": unit.name, "title": current.title}
            )
        errors: dict[str, str] = {}
        _check_evaluation(
            errors,
            day_field="written_on",
            day=written_on,
            start=designation.designated_from,
            text=text,
            rating=rating,
            today=timezone.localdate(),
        )
        if errors:
            raise ValidationError(errors)
        assert written_on is not None
        evaluation = SelfEvaluation.objects.create(
            milestone=current,
            unit=unit,
            written_on=written_on,
            text=text.strip(),
            rating=rating,
            created_by=actor,
        )
        record(
            Action.PILOT_SELF_EVALUATE,
            actor=actor,
            obj=current,
            after={
                "pilot": current.pilot_id,
                "unit": unit.pk,
                "written_on": day_text(written_on),
                "rating": rating,
                "text": evaluation.text,
            },
        )
    return evaluation


def do_evaluate_pilot(
    pilot: Pilot,
    *,
    evaluated_on: dt.date | None,
    lessons: str,
    recommendation: str,
    actor: User,
) -> Pilot:
    """The final evaluation: what was learned and whether to extend, adapt or stop the
    model. Written once; a pilot stopped early may leave milestones unreached (the page
    shows them)."""
    with transaction.atomic():
        current = Pilot.objects.select_for_update(no_key=True).get(pk=pilot.pk)
        if current.evaluated_on is not None:
            raise ValidationError(
                _("The pilot was already evaluated on %(day)s.")
                % {"day": day_text(current.evaluated_on)}
            )
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if evaluated_on is None:
            errors["evaluated_on"] = _("Fill in the date.")
        elif evaluated_on > today:
            errors["evaluated_on"] = _("%(day)s has not come yet.") % {
                "day": day_text(evaluated_on)
            }
        elif evaluated_on < current.start_date:
            errors["evaluated_on"] = _("%(day)s is before the pilot starts (%(start)s).") % {
                "day": day_text(evaluated_on),
                "start": day_text(current.start_date),
            }
        _check_text(errors, "lessons", lessons, TEXT_LIMIT, required=True)
        if recommendation not in Recommendation.values:
            errors["recommendation"] = _("Choose extend, adapt or stop.")
        if errors:
            raise ValidationError(errors)
        current.evaluated_on = evaluated_on
        current.lessons = lessons.strip()
        current.recommendation = recommendation
        current.evaluated_by = actor
        current.save(update_fields=["evaluated_on", "lessons", "recommendation", "evaluated_by"])
        record(
            Action.PILOT_EVALUATE,
            actor=actor,
            obj=current,
            after={
                "evaluated_on": day_text(evaluated_on),
                "recommendation": recommendation,
                "lessons": current.lessons,
            },
        )
    return current
