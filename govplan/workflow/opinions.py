"""Joint appraisal (issue 17, item 4): asking other agencies for their opinion on the plan
under appraisal, their answer, withdrawing and reminding, and what the approval records.

Who does what:
- the appraisers of the appraising unit (the ``appraiser`` party of the document) ask,
  withdraw and remind, while the document is under appraisal;
- the asked agency's editors and approvers read the request and the frozen revision it is
  about, and one of them sends the agency's one answer (recorded with their name and role);
- the approval (``do_transition(…, "approve")``) records every request and opinion as the
  approver saw them (``opinion_record``), never changed afterwards; reminders are in
  ``opinion_reminders``.

Lock order, as everywhere: the document, then the request."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
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
    OpinionRequest,
    OpinionStatus,
)
from govplan.workflow.notify import notify
from govplan.workflow.routing import AppraisalRouter

# The agencies one may ask: those that hold plans of their own at the national level.
ASKABLE_KINDS = (Kind.CENTRAL, Kind.MINISTRY, Kind.MINISTRY_LEVEL, Kind.GOV_AGENCY, Kind.PROVINCE)
ANSWERING_ROLES = (Role.EDITOR, Role.APPROVER)
MAX_QUESTION = 5000
MAX_ANSWER = 100_000  # characters of HTML
MAX_WITHDRAW_REASON = 2000
LATEST_DEADLINE_DAYS = 366


def short_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def short_moment(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def askable_agencies(document: Document) -> QuerySet[OrgUnit]:
    """The units in force today that may be asked about ``document``: ministries and
    agencies, provinces, the central authority, and the departments of the appraising unit
    (a province appraising a commune's plan asks its Department of Finance); never the
    document's own unit."""
    askable = Q(kind__in=ASKABLE_KINDS)
    appraiser_id = AppraisalRouter().unit_id(document)
    if appraiser_id is not None:
        askable |= Q(kind=Kind.DEPARTMENT, parent_id=appraiser_id)
    return (
        OrgUnit.objects.valid_on(timezone.localdate())
        .filter(askable)
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


def lock_request(request: OpinionRequest) -> tuple[Document, OpinionRequest]:
    document = Document.objects.select_for_update(no_key=True).get(pk=request.document_id)
    locked = (
        OpinionRequest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("agency", "answered_by", "withdrawn_by", "asked_by")
        .get(pk=request.pk)
    )
    return document, locked


def require_appraiser(actor: User, document: Document, what: str) -> None:
    if machine.APPRAISER not in actions.parties(actor, document):
        raise Refused(_("Only the appraiser of this document %(what)s.") % {"what": what})


def require_under_appraisal(document: Document) -> None:
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
            % {"deadline": short_date(deadline), "today": short_date(today)}
        )
    if deadline > today + dt.timedelta(days=LATEST_DEADLINE_DAYS):
        raise Refused(
            _("The deadline %(deadline)s is more than a year away.")
            % {"deadline": short_date(deadline)}
        )
    with transaction.atomic():
        locked = (
            Document.objects.select_for_update(no_key=True, of=("self",))
            .select_related("org_unit", "framework_version")
            .get(pk=document.pk)
        )
        require_appraiser(actor, locked, _("asks for opinions"))
        require_under_appraisal(locked)
        if agency.pk == locked.org_unit_id:
            raise Refused(_("The agency that wrote the plan is not asked for an opinion on it."))
        if not askable_agencies(locked).filter(pk=agency.pk).exists():
            raise Refused(
                _(
                    "%(unit)s cannot be asked: it is not a ministry, agency, province or "
                    "department of the appraising unit in force today."
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
                    "when": short_moment(waiting.asked_at),
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
                "deadline": short_date(deadline),
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
        document, locked = lock_request(request)
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
                    "when": short_moment(locked.answered_at),
                }
            )
        if locked.status == OpinionStatus.WITHDRAWN:
            assert locked.withdrawn_by is not None and locked.withdrawn_at is not None
            raise Refused(
                _("This request was withdrawn by %(who)s at %(when)s: no opinion is needed.")
                % {
                    "who": locked.withdrawn_by.display_name,
                    "when": short_moment(locked.withdrawn_at),
                }
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
        document, locked = lock_request(request)
        require_appraiser(actor, document, _("withdraws a request for an opinion"))
        if locked.status != OpinionStatus.PENDING:
            raise Refused(
                _("The request is no longer waiting (%(state)s): it cannot be withdrawn.")
                % {"state": OpinionStatus(locked.status).label}
            )
        require_under_appraisal(document)
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


def waiting_for(user: AnyUser) -> int:
    """How many requests wait for an opinion from the user's agencies (the home page)."""
    return (
        visible_to(OpinionRequest.objects.all(), user)
        .filter(status=OpinionStatus.PENDING, document__status=machine.UNDER_APPRAISAL)
        .count()
    )
