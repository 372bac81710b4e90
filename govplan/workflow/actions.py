"""Moving a document through its life: every transition is one transaction, with its event,
its audit entry and its notifications; the document row is locked, so of two people acting
at once one wins and the other is told what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.access.scoping import Capability, scope_for, visible_to
from govplan.accounts.models import Membership, Role
from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import record, record_many
from govplan.core import workflow as machine
from govplan.documents.access import can_on_document
from govplan.documents.models import Attachment, Document, Entry
from govplan.facts.models import Layer
from govplan.orgunits.models import OrgUnit
from govplan.workflow.labels import action_label, state_phrase
from govplan.workflow.models import (
    ChecklistMark,
    Comment,
    CommentReply,
    DocumentRevision,
    Notification,
    WorkflowEvent,
)
from govplan.workflow.notify import notify
from govplan.workflow.revisions import attachments_of, freeze, write_revision_facts
from govplan.workflow.routing import AppraisalRouter
from govplan.workflow.validation import blocking_problems


def appraising_unit(document: Document) -> OrgUnit | None:
    """The unit whose appraisers appraise this document."""
    unit_id = AppraisalRouter().unit_id(document)
    return OrgUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None


def appraisers(document: Document) -> list[Any]:
    unit = appraising_unit(document)
    if unit is None:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            org_unit=unit, role=Role.APPRAISER, user__is_active=True
        ).select_related("user")
    ]


def agency_people(document: Document) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(
            org_unit=document.org_unit, role__in=(Role.EDITOR, Role.APPROVER), user__is_active=True
        ).select_related("user")
    ]


_UNKNOWN: Any = object()


def parties(
    user: User, document: Document, *, appraising: OrgUnit | None = _UNKNOWN
) -> frozenset[str]:
    """In which capacities ``user`` may act on ``document``; ``appraising``: the document's
    ``appraising_unit``, when the caller has it already."""
    scope = scope_for(user)
    editor = can_on_document(user, Capability.EDIT, document)
    approver = can_on_document(user, Capability.APPROVE, document)
    result = set()
    if editor or approver:
        result.add(machine.AGENCY)
    if approver:
        result.add(machine.SIGNER)
    if appraising is _UNKNOWN:
        appraising = appraising_unit(document)
    if (
        appraising is not None
        and Membership.objects.filter(user=user, org_unit=appraising, role=Role.APPRAISER).exists()
    ):
        result.add(machine.APPRAISER)
    if scope.is_central_admin:
        result.add(machine.CENTRAL_ADMIN)
    return frozenset(result)


MAX_COMMENT = 5000
MAX_REASON = 2000
MAX_NOTE = 1000


def bounded_message(text: str, limit: int) -> str:
    try:
        bounded(text, limit)
    except ValidationError as exc:
        return exc.messages[0]
    return ""


def bounded(text: str, limit: int) -> str:
    """``text`` as typed, or ValidationError: what is typed is never cut short silently."""
    if len(text) > limit:
        raise ValidationError(
            _("Too long: at most %(max)s characters, this has %(n)s. Nothing was saved.")
            % {"max": f"{limit:,}".replace(",", "."), "n": f"{len(text):,}".replace(",", ".")}
        )
    return text


class Refused(Exception):
    """A transition that cannot be made; ``message`` says why, in the user's language."""

    def __init__(self, message: str, problems: list[Any] | None = None) -> None:
        self.message = message
        self.problems = problems or []
        super().__init__(message)


def _refusal(exc: machine.TransitionRefused, document: Document) -> Refused:
    params = dict(exc.params)
    if "state" in params:
        params["state"] = state_phrase(params["state"])
    if "action" in params:
        params["action"] = action_label(params["action"])
    if "party" in params:
        params["party"] = {
            machine.AGENCY: _("agency that writes it"),
            machine.APPRAISER: _("appraiser assigned to it"),
            machine.SIGNER: _("head who signs it"),
            machine.CENTRAL_ADMIN: _("central administrator"),
        }[params["party"]]
    message = _(exc.template) % params
    last = WorkflowEvent.objects.filter(document=document).select_related("actor").first()
    if last is not None and "state" in exc.params:
        message += " " + _("Last: %(action)s by %(who)s at %(when)s.") % {
            "action": action_label(last.action),
            "who": last.actor.display_name,
            "when": timezone.localtime(last.at).strftime("%H:%M %d/%m/%Y"),
        }
    return Refused(message)


def snapshot(document: Document) -> dict[str, Any]:
    """The document's live content in the shape of revisions.revision_content (a revision
    references its versions instead of holding this copy)."""
    return {
        "entries": {
            e.key: {"content": e.content, "position": e.position, "kind": e.kind}
            for e in Entry.objects.filter(document=document, deleted=False)
        },
        "attachments": [
            a.snapshot() for a in Attachment.objects.filter(document=document, removed=False)
        ],
    }


def days_late(deadline: dt.date | None, day: dt.date) -> int:
    return max((day - deadline).days, 0) if deadline else 0


@dataclass
class IssueData:
    number: str
    date: dt.date | None
    signed_copy: Attachment | None
    # Records what the issued document prints (govplan.official.issuing), in the transaction
    # of the issue: a document is never issued without it.
    freeze: Callable[[Document], None] | None = None


def do_transition(
    document: Document,
    action: str,
    *,
    actor: User,
    reason: str = "",
    issue: IssueData | None = None,
    opinions_seen: str | None = None,
) -> Document:
    """``opinions_seen``: for an approval, the digest of the opinion requests the approval
    page showed (workflow.opinions); an approval after one of them changed is refused."""
    with transaction.atomic():
        locked = (
            # The document's row only: locking the joined unit, framework and version would
            # hold off every insert referring to them (facts, revisions) until this commits.
            Document.objects.select_for_update(no_key=True, of=("self",))
            .select_related("org_unit", "framework_version", "framework")
            .get(pk=document.pk)
        )
        try:
            step = machine.check(action, locked.status, parties(actor, locked))
        except machine.TransitionRefused as exc:
            raise _refusal(exc, locked) from None
        reason = reason.strip()
        if len(reason) > MAX_REASON:
            raise Refused(bounded_message(reason, MAX_REASON))
        if step.needs_reason and not reason:
            raise Refused(_("Say why: the reason is required."))
        if step.validates:
            problems = blocking_problems(locked, actor=actor)
            if problems:
                raise Refused(
                    _("Not submitted: %(n)s problem(s) must be corrected or explained first.")
                    % {"n": len(problems)},
                    problems,
                )
        revision = None
        if step.freezes_revision:
            locked.revision += 1
            today = timezone.localdate()
            revision = DocumentRevision.objects.create(
                document=locked,
                number=locked.revision,
                snapshot=None,  # the content is referenced, not copied: revisions.freeze
                attachments=attachments_of(locked),
                created_by=actor,
                deadline=locked.framework_version.deadline,
                days_late=days_late(locked.framework_version.deadline, today),
            )
            freeze(locked, revision)
            write_revision_facts(locked, revision, Layer.SUBMITTED)
        if action == "approve":
            # The approved layer is the revision under appraisal, as it was submitted.
            approved = DocumentRevision.objects.filter(
                document=locked, number=locked.revision
            ).first()
            if approved is not None:  # none only for data set up without a submission
                write_revision_facts(locked, approved, Layer.APPROVED)
        if action == "start_appraisal":
            locked.appraiser = actor
        if action == "issue":
            if issue is None or not issue.number.strip() or issue.date is None:
                raise Refused(_("Give the official number and the date of issue."))
            if issue.signed_copy is None:
                raise Refused(_("Attach the signed copy (PDF)."))
            if issue.freeze is None:
                raise Refused(_("What the document prints must be recorded when it is issued."))
            locked.issued_number = issue.number.strip()
            locked.issued_date = issue.date
            locked.signed_copy = issue.signed_copy
        if action == "reopen":
            locked.appraiser = None
            locked.issued_number, locked.issued_date, locked.signed_copy = "", None, None
        previous = locked.status
        locked.status = step.target
        locked.save()
        if action == "issue" and issue is not None and issue.freeze is not None:
            issue.freeze(locked)
        event = WorkflowEvent.objects.create(
            document=locked,
            action=action,
            from_state=previous,
            to_state=step.target,
            actor=actor,
            reason=reason,
            revision=revision,
        )
        if action == "approve":
            _record_opinions(locked, event, actor, opinions_seen)
        record(
            f"workflow.{action}",
            actor=actor,
            obj=locked,
            before={"status": previous},
            after={
                "status": step.target,
                "revision": revision.number if revision else locked.revision,
                "reason": reason,
                **({"days_late": revision.days_late} if revision else {}),
                **(
                    {"number": locked.issued_number, "date": locked.issued_date}
                    if action == "issue"
                    else {}
                ),
            },
            message=reason,
        )
        _notify_transition(locked, action, actor, reason, revision)
    return locked


def _record_opinions(
    document: Document, event: WorkflowEvent, actor: User, seen: str | None
) -> None:
    """The other agencies' opinions, frozen with the approval (joint appraisal, issue 17)."""
    from govplan.workflow import opinion_record  # it builds on this module

    approved = DocumentRevision.objects.filter(document=document, number=document.revision).first()
    try:
        opinion_record.record_with_approval(document, approved, event, actor=actor, seen=seen)
    except opinion_record.OpinionsChanged:
        raise Refused(
            _(
                "Not approved: an opinion arrived or a request changed since the page was "
                "shown. Read the opinions again, then approve."
            )
        ) from None


def _notify_transition(
    document: Document, action: str, actor: User, reason: str, revision: DocumentRevision | None
) -> None:
    who = actor.display_name
    title = document.title
    texts = {
        "submit": _("%(who)s submitted “%(title)s” for appraisal."),
        "resubmit": _("%(who)s resubmitted “%(title)s” after changes."),
        "withdraw": _("%(who)s withdrew “%(title)s” before its appraisal."),
        "start_appraisal": _("%(who)s started the appraisal of “%(title)s”."),
        "return": _("%(who)s returned “%(title)s” for changes: %(reason)s"),
        "approve": _("%(who)s approved “%(title)s”."),
        "issue": _("%(who)s recorded “%(title)s” as issued."),
        "reopen": _("%(who)s reopened “%(title)s”: %(reason)s"),
    }
    text = texts[action] % {"who": who, "title": title, "reason": reason}
    if action in ("submit", "resubmit", "withdraw"):
        recipients = appraisers(document) + agency_people(document)
    elif action == "issue":
        recipients = agency_people(document) + ([document.appraiser] if document.appraiser else [])
    elif action == "reopen":
        recipients = agency_people(document) + appraisers(document)
    else:
        recipients = agency_people(document)
    notify(recipients, document, text, exclude=actor)


def do_comment(
    document: Document, *, actor: User, section_code: str, anchor: str, anchor_label: str, text: str
) -> Comment:
    text = bounded(text.strip(), MAX_COMMENT)
    if not text:
        raise ValidationError(_("Write the comment."))
    if machine.APPRAISER not in parties(actor, document):
        raise Refused(_("Only the appraiser assigned to this document comments on it."))
    with transaction.atomic():
        document = Document.objects.select_for_update(no_key=True).get(
            pk=document.pk
        )  # as it is now
        if document.status != machine.UNDER_APPRAISAL:
            raise Refused(_("Comments are made while the document is under appraisal."))
        revision = DocumentRevision.objects.filter(document=document).only("pk", "number").first()
        if revision is None:
            raise Refused(_("The document has not been submitted."))
        comment = Comment.objects.create(
            document=document,
            revision=revision,
            section_code=section_code,
            anchor=anchor,
            anchor_label=anchor_label[:500],
            text=text,
            author=actor,
        )
        record(
            "comment.create",
            actor=actor,
            obj=comment,
            after={"section": section_code, "anchor": anchor, "text": text},
        )
        notify(
            agency_people(document),
            document,
            _("%(who)s commented on section %(section)s of “%(title)s”.")
            % {"who": actor.display_name, "section": section_code, "title": document.title},
            exclude=actor,
        )
    return comment


def do_reply(comment: Comment, *, actor: User, text: str) -> CommentReply:
    text = bounded(text.strip(), MAX_COMMENT)
    if not text:
        raise ValidationError(_("Write the answer."))
    document = comment.document
    if not parties(actor, document) & {machine.AGENCY, machine.APPRAISER}:
        raise Refused(_("Only the agency and its appraiser take part in this discussion."))
    with transaction.atomic():
        reply = CommentReply.objects.create(comment=comment, text=text, author=actor)
        record("comment.reply", actor=actor, obj=comment, after={"reply": text})
        notify(
            [comment.author, *agency_people(document)],
            document,
            _("%(who)s answered a comment on “%(title)s”.")
            % {"who": actor.display_name, "title": document.title},
            exclude=actor,
        )
    return reply


@dataclass(frozen=True)
class ChecklistItem:
    done: bool
    note: str


def do_mark_checklist(document: Document, marks: list[ChecklistItem], *, actor: User) -> None:
    """The appraiser's ticks and notes against the framework's checklist, for the revision
    under appraisal. Only while it is under appraisal: once approved or returned, the marks
    are part of what was decided."""
    items = document.framework_version.parsed().checklist
    if len(marks) != len(items):
        raise Refused(_("The checklist has changed; reload the page."))
    with transaction.atomic():
        locked = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
        if machine.APPRAISER not in parties(actor, locked):
            raise Refused(_("Only the appraiser assigned to this document keeps its checklist."))
        if locked.status != machine.UNDER_APPRAISAL:
            raise Refused(
                _("The checklist is kept while the document is under appraisal; it is %(state)s.")
                % {"state": state_phrase(locked.status)}
            )
        revision = DocumentRevision.objects.filter(document=locked).only("pk", "number").first()
        if revision is None:
            raise Refused(_("The document has not been submitted."))
        current = {m.item: m for m in ChecklistMark.objects.filter(revision=revision)}
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for wanted in marks:
            if len(wanted.note.strip()) > MAX_NOTE:
                raise Refused(bounded_message(wanted.note.strip(), MAX_NOTE))
        for index, wanted in enumerate(marks):
            note = wanted.note.strip()
            mark = current.get(index)
            if mark is not None and (mark.done, mark.note) == (wanted.done, note):
                continue
            if mark is not None:
                before[str(index)] = {"done": mark.done, "note": mark.note}
            after[str(index)] = {"done": wanted.done, "note": note}
            ChecklistMark.objects.update_or_create(
                revision=revision,
                item=index,
                defaults={"document": locked, "done": wanted.done, "note": note, "by": actor},
            )
        if after:
            record(
                "checklist.mark",
                actor=actor,
                obj=locked,
                before=before,
                after={"revision": revision.number, "items": after},
            )


def do_resolve(comment: Comment, *, actor: User, resolved: bool = True) -> Comment:
    if machine.APPRAISER not in parties(actor, comment.document):
        raise Refused(_("Only the appraiser resolves a comment."))
    with transaction.atomic():
        comment.resolved = resolved
        comment.resolved_by = actor if resolved else None
        comment.resolved_at = timezone.now() if resolved else None
        comment.save(update_fields=["resolved", "resolved_by", "resolved_at"])
        record("comment.resolve" if resolved else "comment.reopen", actor=actor, obj=comment)
    return comment


def do_read_notifications(user: User) -> int:
    """Mark the user's unread notifications read, each with its audit entry. Returns how
    many were read (0 on a second click)."""
    with transaction.atomic():
        unread = list(
            visible_to(Notification.objects.all(), user)
            .filter(read_at__isnull=True)
            .select_for_update(no_key=True, of=("self",))
        )
        if not unread:
            return 0
        now = timezone.now()
        Notification.objects.filter(pk__in=[n.pk for n in unread]).update(read_at=now)
        record_many(
            Action.NOTIFICATION_READ,
            ((n, {"read_at": None}, {"read_at": now}) for n in unread),
            actor=user,
        )
        return len(unread)
