"""Joint appraisal (issue 17, item 4): asking other agencies for their opinion on the plan
under appraisal, their answer, withdrawing and reminding, and what the approval records.

Who does what:
- the appraisers of the appraising unit (the ``appraiser`` party of the document) ask,
  withdraw and remind, while the document is under appraisal;
- the asked agency's editors and approvers read the request and the frozen revision it is
  about, and one of them sends the agency's one answer (recorded with their name and role);
- the approval (``do_transition(…, "approve")``) records every request and opinion as the
  approver saw them (``record_with_approval``), never changed afterwards.

Lock order, as everywhere: the document, then the request."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from govplan.access.scoping import visible_to
from govplan.accounts.models import Membership, Role
from govplan.accounts.types import AnyUser, User
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.core import workflow as machine
from govplan.documents.models import Document
from govplan.documents.sanitize import clean_html, text_of
from govplan.orgunits.models import Kind, OrgUnit
from govplan.workflow import actions
from govplan.workflow.actions import Refused
from govplan.workflow.labels import state_phrase
from govplan.workflow.models import (
    DocumentRevision,
    OpinionKind,
    OpinionReminder,
    OpinionRequest,
    OpinionStatus,
    RecordedOpinions,
    WorkflowEvent,
)
from govplan.workflow.notify import notify
from govplan.workflow.reminders import reminder_kind

# The agencies one may ask: those that hold plans of their own at the national level.
ASKABLE_KINDS = (Kind.CENTRAL, Kind.MINISTRY, Kind.MINISTRY_LEVEL, Kind.GOV_AGENCY, Kind.PROVINCE)
ANSWERING_ROLES = (Role.EDITOR, Role.APPROVER)
MAX_QUESTION = 5000
MAX_ANSWER = 100_000  # characters of HTML
MAX_WITHDRAW_REASON = 2000
LATEST_DEADLINE_DAYS = 366


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def askable_agencies(document: Document) -> QuerySet[OrgUnit]:
    """The units in force today that may be asked about ``document``: ministries and
    agencies, provinces, the central authority; never the document's own unit."""
    return (
        OrgUnit.objects.valid_on(timezone.localdate())
        .filter(kind__in=ASKABLE_KINDS)
        .exclude(pk=document.org_unit_id)
        .order_by("kind", "name")
    )


def answerers(agency_id: int) -> list[User]:
    """The asked agency's people: its active editors and approvers."""
    return [
        m.user
        for m in Membership.objects.filter(
            org_unit_id=agency_id, role__in=ANSWERING_ROLES, user__is_active=True
        ).select_related("user")
    ]


def answering_role(user: AnyUser, agency_id: int) -> str | None:
    """The role in which ``user`` answers for the agency (approver before editor), or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    roles = set(
        Membership.objects.filter(
            user_id=user.pk, org_unit_id=agency_id, role__in=ANSWERING_ROLES
        ).values_list("role", flat=True)
    )
    if Role.APPROVER in roles:
        return str(Role.APPROVER)
    return str(Role.EDITOR) if Role.EDITOR in roles else None


def request_url(request: OpinionRequest) -> str:
    return reverse("opinion_request", args=[request.pk])


@dataclass(frozen=True)
class OpinionAccess:
    """A request as one user may reach it: as the asked agency (answers it) or as the
    appraising side (sees it through the document it is about)."""

    request: OpinionRequest
    answerer: bool
    appraiser: bool


def load_opinion_request(user: AnyUser, pk: int) -> OpinionAccess:
    """The one way to load a request for a user: 404 unless they are of the asked agency
    (its editors and approvers, through the scoping layer) or on the appraising side of its
    document (its appraisers, central administrators). The plan's own agency, and anyone
    else, learns nothing of it."""
    request = (
        OpinionRequest.objects.select_related(
            "document",
            "document__org_unit",
            "document__framework_version",
            "agency",
            "revision",
            "asked_by",
            "answered_by",
            "withdrawn_by",
        )
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404
    if visible_to(OpinionRequest.objects.filter(pk=pk), user).exists():
        return OpinionAccess(request, answerer=True, appraiser=False)
    if not visible_to(Document.objects.filter(pk=request.document_id), user).exists():
        raise Http404
    parties = actions.parties(user, request.document)  # type: ignore[arg-type]
    if not parties & {machine.APPRAISER, machine.CENTRAL_ADMIN}:
        raise Http404
    return OpinionAccess(request, answerer=False, appraiser=True)


def requests_of(document: Document) -> list[OpinionRequest]:
    return list(
        OpinionRequest.objects.filter(document=document).select_related(
            "agency", "asked_by", "answered_by", "withdrawn_by", "revision"
        )
    )


def digest(requests: list[OpinionRequest]) -> str:
    """What the approver saw, in a few characters: each request and its state. The approval
    page sends it back; an approval made after a change is refused."""
    text = ";".join(f"{r.pk}:{r.status}" for r in sorted(requests, key=lambda r: r.pk))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _lock(request: OpinionRequest) -> tuple[Document, OpinionRequest]:
    document = Document.objects.select_for_update().get(pk=request.document_id)
    locked = (
        OpinionRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "answered_by", "withdrawn_by", "asked_by")
        .get(pk=request.pk)
    )
    return document, locked


def _require_appraiser(actor: User, document: Document, what: str) -> None:
    if machine.APPRAISER not in actions.parties(actor, document):
        raise Refused(_("Only the appraiser of this document %(what)s.") % {"what": what})


def _require_under_appraisal(document: Document) -> None:
    if document.status != machine.UNDER_APPRAISAL:
        raise Refused(
            _(
                "Opinions are asked and answered while the document is under appraisal; "
                "it is %(state)s."
            )
            % {"state": state_phrase(document.status)}
        )


def do_ask_opinion(
    document: Document,
    *,
    actor: User,
    agency: OrgUnit,
    question: str,
    deadline: dt.date,
) -> OpinionRequest:
    """Ask ``agency`` for its opinion on the revision under appraisal, by ``deadline``."""
    question = question.strip()
    if not question:
        raise Refused(_("Write what the agency is asked."))
    if len(question) > MAX_QUESTION:
        raise Refused(actions.bounded_message(question, MAX_QUESTION))
    today = timezone.localdate()
    if deadline < today:
        raise Refused(
            _("The deadline %(deadline)s is in the past: give a day from today (%(today)s).")
            % {"deadline": _date(deadline), "today": _date(today)}
        )
    if deadline > today + dt.timedelta(days=LATEST_DEADLINE_DAYS):
        raise Refused(
            _("The deadline %(deadline)s is more than a year away.") % {"deadline": _date(deadline)}
        )
    with transaction.atomic():
        locked = (
            Document.objects.select_for_update()
            .select_related("org_unit", "framework_version")
            .get(pk=document.pk)
        )
        _require_appraiser(actor, locked, _("asks for opinions"))
        _require_under_appraisal(locked)
        if agency.pk == locked.org_unit_id:
            raise Refused(_("The agency that wrote the plan is not asked for an opinion on it."))
        if not agency.is_valid_on(today) or agency.kind not in ASKABLE_KINDS:
            raise Refused(
                _(
                    "%(unit)s cannot be asked: it is not a ministry, agency or province "
                    "in force today."
                )
                % {"unit": agency.name}
            )
        revision = DocumentRevision.objects.filter(document=locked, number=locked.revision).first()
        if revision is None:
            raise Refused(_("The document has not been submitted."))
        waiting = (
            OpinionRequest.objects.filter(
                document=locked, revision=revision, agency=agency, status=OpinionStatus.PENDING
            )
            .select_related("asked_by")
            .first()
        )
        if waiting is not None:
            raise Refused(
                _(
                    "%(unit)s has already been asked about this revision (by %(who)s at "
                    "%(when)s) and has not answered yet; nothing was added."
                )
                % {
                    "unit": agency.name,
                    "who": waiting.asked_by.display_name,
                    "when": _when(waiting.asked_at),
                }
            )
        request = OpinionRequest.objects.create(
            document=locked,
            revision=revision,
            agency=agency,
            question=question,
            deadline=deadline,
            asked_by=actor,
        )
        record(
            Action.OPINION_ASK,
            actor=actor,
            obj=request,
            after={
                "document": locked.pk,
                "revision": revision.number,
                "agency": agency.pk,
                "agency_name": agency.name,
                "question": question,
                "deadline": deadline,
            },
        )
        with override("vi"):
            text = _("%(unit)s asks %(agency)s for its opinion on “%(title)s” by %(deadline)s.") % {
                "unit": _appraising_name(locked),
                "agency": agency.name,
                "title": locked.title,
                "deadline": _date(deadline),
            }
        notify(answerers(agency.pk), None, text, exclude=actor, url=request_url(request))
    return request


def _appraising_name(document: Document) -> str:
    unit = actions.appraising_unit(document)
    return unit.name if unit is not None else _("The appraising unit")


@dataclass(frozen=True)
class OpinionFile:
    """An attachment already checked by ``documents.uploads.check_evidence``."""

    data: bytes
    name: str
    content_type: str


def do_answer_opinion(
    request: OpinionRequest,
    *,
    actor: User,
    kind: str,
    answer: str,
    file: OpinionFile | None = None,
) -> OpinionRequest:
    """The agency's one opinion. Refused once sent (a second send, or a colleague's send
    that came first), on a withdrawn request, after the appraisal, and to anyone not of the
    agency."""
    if kind not in OpinionKind.values:
        raise Refused(_("Choose the opinion: agree, agree with conditions, or disagree."))
    cleaned = clean_html(answer)
    if not text_of(cleaned):
        raise Refused(_("Write the opinion."))
    if len(cleaned) > MAX_ANSWER:
        raise Refused(actions.bounded_message(cleaned, MAX_ANSWER))
    with transaction.atomic():
        document, locked = _lock(request)
        role = answering_role(actor, locked.agency_id)
        if role is None:
            raise Refused(
                _("Only the editors and approvers of %(agency)s answer this request.")
                % {"agency": locked.agency.name}
            )
        if locked.status == OpinionStatus.ANSWERED:
            assert locked.answered_by is not None and locked.answered_at is not None
            raise Refused(
                _(
                    "%(agency)s has already sent its opinion (%(who)s, at %(when)s); "
                    "an opinion once sent is not changed."
                )
                % {
                    "agency": locked.agency.name,
                    "who": locked.answered_by.display_name,
                    "when": _when(locked.answered_at),
                }
            )
        if locked.status == OpinionStatus.WITHDRAWN:
            assert locked.withdrawn_by is not None and locked.withdrawn_at is not None
            raise Refused(
                _("This request was withdrawn by %(who)s at %(when)s: no opinion is needed.")
                % {"who": locked.withdrawn_by.display_name, "when": _when(locked.withdrawn_at)}
            )
        if document.status != machine.UNDER_APPRAISAL:
            raise Refused(
                _(
                    "The appraisal is over (the document is %(state)s): the opinion can no "
                    "longer be sent."
                )
                % {"state": state_phrase(document.status)}
            )
        locked.status = OpinionStatus.ANSWERED
        locked.kind = kind
        locked.answer = cleaned
        locked.answered_by = actor
        locked.answered_role = role
        locked.answered_at = timezone.now()
        if file is not None:
            locked.file_sha256 = hashlib.sha256(file.data).hexdigest()
            locked.file_name = file.name[:255]
            locked.file_type = file.content_type[:100]
            locked.file_size = len(file.data)
            locked.file.save(locked.file_sha256, ContentFile(file.data), save=False)
        locked.save()
        record(
            Action.OPINION_ANSWER,
            actor=actor,
            obj=locked,
            before={"status": OpinionStatus.PENDING},
            after={
                "status": OpinionStatus.ANSWERED,
                "kind": kind,
                "role": role,
                "answer_sha256": hashlib.sha256(cleaned.encode()).hexdigest(),
                "answer_words": len(text_of(cleaned).split()),
                "file": locked.file_name,
                "file_sha256": locked.file_sha256,
                "late": locked.answered_at.date() > locked.deadline,
            },
        )
        with override("vi"):
            text = _("%(agency)s sent its opinion (%(kind)s) on “%(title)s”.") % {
                "agency": locked.agency.name,
                "kind": OpinionKind(kind).label,
                "title": document.title,
            }
        notify(
            [locked.asked_by, *actions.appraisers(document)],
            document,
            text,
            exclude=actor,
            url=reverse("document_edit", args=[document.pk]) + "#opinions",
        )
    return locked


def do_withdraw_opinion_request(
    request: OpinionRequest, *, actor: User, reason: str = ""
) -> OpinionRequest:
    """The appraiser no longer needs the opinion: only a pending request, while under
    appraisal; the agency is told."""
    reason = reason.strip()
    if len(reason) > MAX_WITHDRAW_REASON:
        raise Refused(actions.bounded_message(reason, MAX_WITHDRAW_REASON))
    with transaction.atomic():
        document, locked = _lock(request)
        _require_appraiser(actor, document, _("withdraws a request for an opinion"))
        if locked.status != OpinionStatus.PENDING:
            raise Refused(
                _("The request is no longer waiting (%(state)s): it cannot be withdrawn.")
                % {"state": OpinionStatus(locked.status).label}
            )
        _require_under_appraisal(document)
        locked.status = OpinionStatus.WITHDRAWN
        locked.withdrawn_by = actor
        locked.withdrawn_at = timezone.now()
        locked.withdraw_reason = reason
        locked.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdraw_reason"])
        record(
            Action.OPINION_WITHDRAW,
            actor=actor,
            obj=locked,
            before={"status": OpinionStatus.PENDING},
            after={"status": OpinionStatus.WITHDRAWN, "reason": reason},
            message=reason,
        )
        with override("vi"):
            text = _("The request for %(agency)s's opinion on “%(title)s” was withdrawn.") % {
                "agency": locked.agency.name,
                "title": document.title,
            }
        notify(answerers(locked.agency_id), None, text, exclude=actor, url=request_url(locked))
    return locked


def _reminder_text(request: OpinionRequest, document: Document, today: dt.date) -> str:
    with override("vi"):
        if request.deadline >= today:
            return _(
                "Reminder: the opinion of %(agency)s on “%(title)s” is due on %(deadline)s."
            ) % {
                "agency": request.agency.name,
                "title": document.title,
                "deadline": _date(request.deadline),
            }
        return _(
            "Overdue: the opinion of %(agency)s on “%(title)s” was due on %(deadline)s, "
            "%(days)s day(s) ago."
        ) % {
            "agency": request.agency.name,
            "title": document.title,
            "deadline": _date(request.deadline),
            "days": (today - request.deadline).days,
        }


def do_remind_opinion(request: OpinionRequest, *, actor: User) -> int:
    """The appraiser reminds the agency by hand: once a day at most. Returns how many people
    were told."""
    today = timezone.localdate()
    kind = f"manual_{today.isoformat()}"
    with transaction.atomic():
        document, locked = _lock(request)
        _require_appraiser(actor, document, _("sends reminders"))
        if locked.status != OpinionStatus.PENDING:
            raise Refused(
                _("The request is no longer waiting (%(state)s): there is nothing to remind.")
                % {"state": OpinionStatus(locked.status).label}
            )
        _require_under_appraisal(document)
        sent = OpinionReminder.objects.filter(request=locked, kind=kind).first()
        if sent is not None:
            raise Refused(
                _("%(agency)s was already reminded today (at %(when)s); one reminder a day.")
                % {"agency": locked.agency.name, "when": _when(sent.sent_at)}
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
            document, locked = _lock(request)
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


class OpinionsChanged(Exception):
    """An opinion arrived (or a request changed) after the approver's page was shown."""


def frozen_entry(request: OpinionRequest) -> dict[str, Any]:
    """One request as the approval records it: names and texts as they are now."""
    return {
        "id": request.pk,
        "agency": request.agency.name,
        "agency_id": request.agency_id,
        "revision": request.revision.number,
        "question": request.question,
        "deadline": request.deadline.isoformat(),
        "asked_by": request.asked_by.display_name,
        "asked_at": request.asked_at.isoformat(),
        "state": request.state,
        "kind": request.kind,
        "answer": request.answer,
        "answered_by": request.answered_by.display_name if request.answered_by else "",
        "answered_role": request.answered_role,
        "answered_at": request.answered_at.isoformat() if request.answered_at else "",
        "late": bool(request.answered_at and request.answered_at.date() > request.deadline),
        "file_name": request.file_name,
        "file_sha256": request.file_sha256,
    }


def record_with_approval(
    document: Document,
    revision: DocumentRevision | None,
    event: WorkflowEvent,
    *,
    actor: User,
    seen: str | None,
) -> RecordedOpinions | None:
    """Inside the approval's transaction, the document locked: every request of the document
    and its opinion, frozen. ``seen``: the digest the approval page showed (None: approved
    without that page, e.g. by a script); refused with OpinionsChanged if it differs."""
    requests = [
        r
        for r in requests_of(document)
        if r.status != OpinionStatus.WITHDRAWN  # withdrawn: not part of what was decided
    ]
    everything = requests_of(document)
    if seen is not None and seen != digest(everything):
        raise OpinionsChanged
    if not requests:
        return None
    recorded = RecordedOpinions.objects.create(
        event=event,
        document=document,
        revision=revision,
        opinions=[frozen_entry(r) for r in requests],
    )
    record(
        Action.OPINION_RECORD,
        actor=actor,
        obj=recorded,
        after={
            "document": document.pk,
            "opinions": [{"request": r.pk, "state": r.state, "kind": r.kind} for r in requests],
        },
    )
    return recorded


def panel_context(document: Document) -> dict[str, Any]:
    """What the appraisal panel shows of the opinions (to the appraising side only)."""
    requests = requests_of(document)
    return {
        "requests": requests,
        "pending": sum(1 for r in requests if r.state == "pending"),
        "overdue": sum(1 for r in requests if r.state == "overdue"),
        "answered": sum(1 for r in requests if r.state == "answered"),
        "can_ask": document.status == machine.UNDER_APPRAISAL,
    }
