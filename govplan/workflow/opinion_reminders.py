"""Reminders of the requests for an opinion (joint appraisal): by the appraiser's hand, once
a day at most, and automatically with the plans' deadline reminders (7 and 1 days before the
deadline, the day after it, then every 7 days), each once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.core import workflow as machine
from govplan.documents.models import Document
from govplan.workflow.actions import Refused
from govplan.workflow.models import OpinionReminder, OpinionRequest, OpinionStatus
from govplan.workflow.notify import notify
from govplan.workflow.opinions import (
    answerers,
    lock_request,
    request_url,
    require_appraiser,
    require_under_appraisal,
    short_date,
    short_moment,
)
from govplan.workflow.reminders import reminder_kind


def _reminder_text(request: OpinionRequest, document: Document, today: dt.date) -> str:
    with override("vi"):
        if request.deadline >= today:
            return _(
                "Reminder: the opinion of %(agency)s on “%(title)s” is due on %(deadline)s."
            ) % {
                "agency": request.agency.name,
                "title": document.title,
                "deadline": short_date(request.deadline),
            }
        return _(
            "Overdue: the opinion of %(agency)s on “%(title)s” was due on %(deadline)s, "
            "%(days)s day(s) ago."
        ) % {
            "agency": request.agency.name,
            "title": document.title,
            "deadline": short_date(request.deadline),
            "days": (today - request.deadline).days,
        }


def do_remind_opinion(request: OpinionRequest, *, actor: User) -> int:
    """The appraiser reminds the agency by hand: once a day at most. Returns how many people
    were told."""
    today = timezone.localdate()
    kind = f"manual_{today.isoformat()}"
    with transaction.atomic():
        document, locked = lock_request(request)
        require_appraiser(actor, document, _("sends reminders"))
        if locked.status != OpinionStatus.PENDING:
            raise Refused(
                _("The request is no longer waiting (%(state)s): there is nothing to remind.")
                % {"state": OpinionStatus(locked.status).label}
            )
        require_under_appraisal(document)
        sent = OpinionReminder.objects.filter(request=locked, kind=kind).first()
        if sent is not None:
            raise Refused(
                _("%(agency)s was already reminded today (at %(when)s); one reminder a day.")
                % {"agency": locked.agency.name, "when": short_moment(sent.sent_at)}
            )
        people = answerers(locked.agency_id)
        OpinionReminder.objects.create(
            request=locked, kind=kind, sent_by=actor, recipients=len(people)
        )
        record(
            Action.OPINION_REMIND,
            actor=actor,
            obj=locked,
            after={"kind": kind, "recipients": len(people)},
        )
        notify(people, None, _reminder_text(locked, document, today), url=request_url(locked))
    return len(people)


def due_opinion_reminders(today: dt.date) -> Iterator[tuple[OpinionRequest, str]]:
    """Pending requests of documents under appraisal due a reminder today: 7 and 1 days
    before the deadline, the day after it, then every 7 days (as the plans' own)."""
    window = (today - dt.timedelta(days=120), today + dt.timedelta(days=7))
    pending = OpinionRequest.objects.filter(
        status=OpinionStatus.PENDING,
        document__status=machine.UNDER_APPRAISAL,
        deadline__range=window,
    ).select_related("agency")
    for request in pending:
        kind = reminder_kind(request.deadline, today)
        if kind is not None:
            yield request, kind


def do_send_opinion_reminder(request: OpinionRequest, kind: str, today: dt.date) -> int:
    """One automatic reminder (``kind`` from ``reminders.reminder_kind``), sent once: a
    second run the same day, or another worker, finds it sent and sends nothing (0)."""
    try:
        with transaction.atomic():
            document, locked = lock_request(request)
            if locked.status != OpinionStatus.PENDING or document.status != machine.UNDER_APPRAISAL:
                return 0
            people = answerers(locked.agency_id)
            OpinionReminder.objects.create(request=locked, kind=kind, recipients=len(people))
            record(
                Action.OPINION_REMIND,
                obj=locked,
                after={"kind": kind, "recipients": len(people)},
                actor_username="system",
            )
            notify(people, None, _reminder_text(locked, document, today), url=request_url(locked))
    except IntegrityError:
        return 0  # already sent
    return 1


def send_opinion_reminders(today: dt.date) -> int:
    return sum(
        do_send_opinion_reminder(request, kind, today)
        for request, kind in due_opinion_reminders(today)
    )
