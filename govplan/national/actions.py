"""Reminding the units that are late with a cycle (docs/workflow.md, *Completeness*).

Who may remind a unit: a central administrator (every unit), an appraiser over the units
they appraise (the central authority's appraisers: every unit; a province's: its
departments and communes). The reminder is the deadline reminders' own: a ``ReminderLog``
per unit (here of kind ``manual_<day>``, so that a unit is reminded at most once a day
however often the button is pressed) and a notification to its editors and approvers,
e-mailed by the job engine once the transaction has committed (workflow.notify).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from govplan.access.scoping import Capability, scope_for
from govplan.accounts.models import Membership, Role
from govplan.accounts.types import AnyUser, User
from govplan.audit.recorder import record
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkTarget, FrameworkVersion
from govplan.national.completeness import REMINDABLE, RETURNED, status_of
from govplan.orgunits.models import OrgUnit
from govplan.workflow.models import ReminderLog
from govplan.workflow.notify import notify

# Why a unit was not reminded.
SUBMITTED = "submitted"
NOT_YOURS = "not_yours"
ALREADY_TODAY = "already_today"
NOBODY = "nobody"
SKIP_REASONS = (ALREADY_TODAY, NOBODY, NOT_YOURS, SUBMITTED)


def may_remind(user: AnyUser, unit: OrgUnit | None = None) -> bool:
    """Whether ``user`` may remind ``unit`` (None: any unit at all)."""
    scope = scope_for(user)
    return scope.can(Capability.ADMINISTER, unit) or scope.can(Capability.APPRAISE, unit)


def reminder_kind(today: dt.date) -> str:
    return f"manual_{today.isoformat()}"


@dataclass
class Reminded:
    reminded: list[tuple[OrgUnit, int]] = field(default_factory=list)  # unit, people told
    skipped: dict[str, list[OrgUnit]] = field(default_factory=dict)  # reason → units

    @property
    def people(self) -> int:
        return sum(n for _u, n in self.reminded)


def _text(version: FrameworkVersion, unit_name: str, status: str, today: dt.date) -> str:
    deadline = version.deadline
    with override("vi"):
        values = {"title": version.title, "unit": unit_name}
        if status == RETURNED:
            return (
                _(
                    "Reminder: “%(title)s” for %(unit)s was returned for changes and waits to be "
                    "resubmitted."
                )
                % values
            )
        if deadline is None:
            return _("Reminder: “%(title)s” for %(unit)s has not been submitted yet.") % values
        values["deadline"] = deadline.strftime("%d/%m/%Y")
        if today <= deadline:
            return _(
                "Reminder: “%(title)s” for %(unit)s is due on %(deadline)s, in %(days)s day(s)."
            ) % {**values, "days": (deadline - today).days}
        return _(
            "Overdue: “%(title)s” for %(unit)s was due on %(deadline)s, %(days)s day(s) ago."
        ) % {**values, "days": (today - deadline).days}


def _log(target: FrameworkTarget, kind: str, recipients: int) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(target=target, kind=kind, recipients=recipients)
    except IntegrityError:
        return False
    return True


def do_send_reminders(
    version: FrameworkVersion,
    targets: QuerySet[Any],
    *,
    actor: User,
    today: dt.date,
) -> Reminded:
    """Remind each unit of ``targets`` (rows of completeness.with_status) that is late
    (not started, draft, returned) and that ``actor`` may remind, unless it was reminded of
    this version today or has nobody to tell; say who was skipped and why."""
    kind = reminder_kind(today)
    result = Reminded()
    with transaction.atomic():
        # One reminder run per version at a time: a double click waits, then finds the logs.
        FrameworkVersion.objects.select_for_update(no_key=True).filter(pk=version.pk).first()
        rows = list(targets.select_related("org_unit").prefetch_related("org_unit__names"))
        ids = [row.pk for row in rows]
        already = set(
            ReminderLog.objects.filter(target_id__in=ids, kind=kind).values_list(
                "target_id", flat=True
            )
        )
        people: dict[int, list[User]] = {}
        for membership in Membership.objects.filter(
            org_unit_id__in=[row.org_unit_id for row in rows],
            role__in=(Role.EDITOR, Role.APPROVER),
            user__is_active=True,
        ).select_related("user"):
            people.setdefault(membership.org_unit_id, []).append(membership.user)
        documents = Document.objects.only("pk").in_bulk(
            [row.doc_id for row in rows if getattr(row, "doc_id", None)]
        )
        day = version.structure_date
        for row in rows:
            status = status_of(row)
            told = people.get(row.org_unit_id, [])
            if status not in REMINDABLE:
                reason = SUBMITTED
            elif not may_remind(actor, row.org_unit):
                reason = NOT_YOURS
            elif row.pk in already:
                reason = ALREADY_TODAY
            elif not told:
                reason = NOBODY
            elif not _log(row, kind, len(told)):
                reason = ALREADY_TODAY  # sent meanwhile (without the row lock: SQLite)
            else:
                name = row.org_unit.name_on(day)
                document = documents.get(row.doc_id)
                notify(told, document, _text(version, name, status, today))
                result.reminded.append((row.org_unit, len(told)))
                continue
            result.skipped.setdefault(reason, []).append(row.org_unit)
        record(
            "national.remind",
            actor=actor,
            obj=version,
            after={
                "kind": kind,
                "reminded": [unit.pk for unit, _n in result.reminded],
                "people": result.people,
                "skipped": {k: [u.pk for u in v] for k, v in result.skipped.items()},
            },
        )
    return result
