"""Every change to programmes and tasks: one function each, writing the rows and their audit
entries in one transaction, checking the state under row locks where two people could race.

Refusals are ``ValidationError``s whose keys name the field (the forms show them there, the
import names the row and column). The lock order is always the programme, then the task,
then its reports or extension requests.

Long because: every state change of the programme's tracking is here by convention (one
``do_*`` each: programmes, tasks, progress, completion, its confirmation, extensions, the
import's preview and apply), and splitting them would scatter the one lock order."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.accounts.models import User
from govplan.audit.models import Action
from govplan.audit.recorder import record, record_many, snapshot
from govplan.core.programmes.deadlines import Deadline
from govplan.documents.actions import AttachmentQuotaExceeded, check_unit_quota, quota_refusal
from govplan.documents.models import Document
from govplan.orgunits.models import OrgUnit
from govplan.programmes.checks import TaskInput, check_task
from govplan.programmes.imports import (
    Plan,
    creation_order,
    deadline_from_json,
    plan_rows,
    programme_version,
    read_rows,
)
from govplan.programmes.models import (
    Decision,
    Programme,
    ProgressKind,
    Task,
    TaskExtension,
    TaskImport,
    TaskProgress,
)

TASK_FIELDS = [
    "programme_id",
    "parent_id",
    "code",
    "content",
    "source_document",
    "source_article",
    "assigned_on",
    "lead_unit_id",
    "deadline_kind",
    "deadline_year",
    "deadline_month",
    "deadline_quarter",
    "deadline_day",
    "due_date",
    "expected_product",
    "progress_reported_on",
    "completed_on",
]
PROGRAMME_FIELDS = [
    "code",
    "name",
    "name_en",
    "period_start",
    "period_end",
    "basis_number",
    "basis_date",
    "basis_title",
    "assigning_unit_id",
    "description",
]


def task_snapshot(task: Task) -> dict[str, Any]:
    data = snapshot(task, TASK_FIELDS)
    data["co_unit_ids"] = sorted(task.co_units.values_list("pk", flat=True)) if task.pk else []
    return data


# --- programmes ------------------------------------------------------------------------------


def do_save_programme(
    programme: Programme | None, values: dict[str, Any], *, actor: User
) -> Programme:
    """Create (``programme`` None) or change a programme. ``values``: PROGRAMME_FIELDS by
    name (``assigning_unit`` an OrgUnit)."""
    errors: dict[str, str] = {}
    if values["period_start"] > values["period_end"]:
        errors["period_end"] = _("The period ends before it starts.")
    code = values["code"].strip()
    clash = Programme.objects.filter(code=code)
    if programme is not None:
        clash = clash.exclude(pk=programme.pk)
    if clash.exists():
        errors["code"] = _("Another programme already has the code %(code)s.") % {"code": code}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if programme is None:
            programme = Programme(created_by=actor)
            before = None
        else:
            programme = Programme.objects.select_for_update(no_key=True).get(pk=programme.pk)
            before = snapshot(programme, PROGRAMME_FIELDS)
        for name, value in values.items():
            setattr(programme, name, value.strip() if isinstance(value, str) else value)
        try:
            with transaction.atomic():
                programme.save()
        except IntegrityError:
            raise ValidationError(
                {"code": _("Another programme already has the code %(code)s.") % {"code": code}}
            ) from None
        record(
            Action.CREATE if before is None else Action.UPDATE,
            actor=actor,
            obj=programme,
            before=before,
            after=snapshot(programme, PROGRAMME_FIELDS),
        )
    return programme


# --- tasks ----------------------------------------------------------------------------------


def _apply(task: Task, data: TaskInput) -> None:
    assert data.deadline is not None and data.lead_unit is not None
    task.code = data.code.strip()
    task.content = data.content.strip()
    task.source_document = data.source_document.strip()
    task.source_article = data.source_article.strip()
    task.assigned_on = data.assigned_on  # type: ignore[assignment]
    task.lead_unit = data.lead_unit
    task.parent = data.parent
    task.expected_product = data.expected_product.strip()
    task.set_deadline(data.deadline)


def do_save_task(
    programme: Programme, data: TaskInput, *, actor: User, task: Task | None = None
) -> Task:
    """Add a task (``task`` None) to the programme, or change one; ValidationError by field."""
    with transaction.atomic():
        # Under the programme's lock: two people adding the same code, one is refused.
        Programme.objects.select_for_update(no_key=True).get(pk=programme.pk)
        before = None
        if task is not None:
            task = Task.objects.select_for_update(no_key=True).get(pk=task.pk, programme=programme)
            before = task_snapshot(task)
        errors = check_task(programme, data, task=task)
        if errors:
            raise ValidationError(errors)
        if task is None:
            task = Task(programme=programme, created_by=actor)
            last = Task.objects.filter(programme=programme).order_by("-position").first()
            task.position = (last.position + 1) if last else 1
        _apply(task, data)
        task.save()
        task.co_units.set(data.co_units)
        record(
            Action.CREATE if before is None else Action.UPDATE,
            actor=actor,
            obj=task,
            before=before,
            after=task_snapshot(task),
        )
    return task


def do_delete_task(task: Task, *, actor: User) -> None:
    """Delete a task entered by mistake: refused once it has sub-tasks or reports (the
    history of a task is kept)."""
    with transaction.atomic():
        Programme.objects.select_for_update(no_key=True).get(pk=task.programme_id)
        task = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
        if task.children.exists():
            raise ValidationError(
                _("%(code)s has sub-tasks: delete or move them first.") % {"code": task.code}
            )
        if task.reports.exists() or task.extensions.exists():
            raise ValidationError(
                _("%(code)s has progress reports or extension requests; it is kept.")
                % {"code": task.code}
            )
        before = task_snapshot(task)
        record(Action.DELETE, actor=actor, obj=task, before=before)
        task.co_units.clear()
        task.delete()


# --- tracking --------------------------------------------------------------------------------


@dataclass
class Evidence:
    """What a report shows: a checked file, a document of the agency, an official number."""

    file_data: bytes | None = None
    file_name: str = ""
    file_type: str = ""
    document: Document | None = None
    official_number: str = ""

    @property
    def empty(self) -> bool:
        return not (self.file_data or self.document or self.official_number.strip())


class AlreadyDone(Exception):
    """The same step was taken a moment ago (a double click): nothing more was done."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _lock_task(task: Task) -> Task:
    return (
        Task.objects.select_for_update(no_key=True, of=("self",))
        .select_related("lead_unit")
        .get(pk=task.pk)
    )


def _check_report(
    task: Task, reported_on: dt.date | None, text: str, evidence: Evidence, today: dt.date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if reported_on is None:
        errors["reported_on"] = _("Give the date of the report.")
    elif reported_on > today:
        errors["reported_on"] = _("The report date is in the future.")
    elif reported_on < task.assigned_on:
        errors["reported_on"] = _(
            "The report date is before the day the task was assigned (%(day)s)."
        ) % {"day": f"{task.assigned_on:%d/%m/%Y}"}
    if not text.strip():
        errors["text"] = _("Write what was done.")
    if evidence.document is not None and evidence.document.org_unit_id != task.lead_unit_id:
        errors["document"] = _("Only a document of the lead agency can be cited.")
    if len(evidence.official_number) > 100:
        errors["official_number"] = _("The official number is at most 100 characters.")
    if task.completed_on is not None:
        errors["__all__"] = _("The task's completion has been confirmed; nothing more is reported.")
    return errors


def _new_report(
    task: Task,
    kind: str,
    reported_on: dt.date,
    text: str,
    evidence: Evidence,
    actor: User,
) -> TaskProgress:
    report = TaskProgress(
        task=task,
        kind=kind,
        reported_on=reported_on,
        text=text.strip(),
        official_number=evidence.official_number.strip(),
        document=evidence.document,
        created_by=actor,
    )
    if evidence.file_data:
        # Under the task's lock (taken by the caller), then the unit's: as a document's files.
        try:
            check_unit_quota(task.lead_unit_id, len(evidence.file_data))
        except AttachmentQuotaExceeded as exc:
            raise ValidationError(
                {"file": quota_refusal(exc, evidence.file_name, task.lead_unit.name)}
            ) from None
        report.file_size = len(evidence.file_data)
        digest = hashlib.sha256(evidence.file_data).hexdigest()
        report.file_name = evidence.file_name.replace("/", "_").replace("\\", "_")[:255]
        report.file_type = evidence.file_type
        report.file_sha256 = digest
        report.file.save(digest, ContentFile(evidence.file_data), save=False)
    return report


def _report_snapshot(report: TaskProgress) -> dict[str, Any]:
    return snapshot(
        report,
        [
            "task_id",
            "kind",
            "reported_on",
            "text",
            "completed_on",
            "product",
            "official_number",
            "document_id",
            "file_name",
            "file_sha256",
            "decision",
            "decision_reason",
        ],
    )


def _same_as_latest(task: Task, kind: str, reported_on: dt.date, text: str) -> bool:
    latest = task.reports.order_by("-created_at", "-pk").first()
    return (
        latest is not None
        and latest.kind == kind
        and latest.reported_on == reported_on
        and latest.text == text.strip()
        and (timezone.now() - latest.created_at).total_seconds() < 600
    )


def _mark_reported(task: Task, day: dt.date) -> None:
    """Keep the task's first and latest report days (its status in SQL reads them)."""
    changed = []
    if task.progress_reported_on is None or task.progress_reported_on < day:
        task.progress_reported_on = day
        changed.append("progress_reported_on")
    if task.first_reported_on is None or task.first_reported_on > day:
        task.first_reported_on = day
        changed.append("first_reported_on")
    if changed:
        task.save(update_fields=changed)


def do_report_progress(
    task: Task,
    *,
    reported_on: dt.date | None,
    text: str,
    evidence: Evidence,
    actor: User,
    today: dt.date | None = None,
) -> TaskProgress:
    """The lead agency's progress report; sets the task's ``progress_reported_on``."""
    today = today or timezone.localdate()
    with transaction.atomic():
        task = _lock_task(task)
        errors = _check_report(task, reported_on, text, evidence, today)
        if errors:
            raise ValidationError(errors)
        assert reported_on is not None
        if _same_as_latest(task, ProgressKind.PROGRESS, reported_on, text):
            raise AlreadyDone(_("This report has just been recorded; it is not added again."))
        report = _new_report(task, ProgressKind.PROGRESS, reported_on, text, evidence, actor)
        report.save()
        _mark_reported(task, reported_on)
        record(Action.TASK_PROGRESS, actor=actor, obj=report, after=_report_snapshot(report))
    return report


def do_declare_completion(
    task: Task,
    *,
    completed_on: dt.date | None,
    product: str,
    text: str,
    evidence: Evidence,
    actor: User,
    today: dt.date | None = None,
) -> TaskProgress:
    """The lead agency declares the task completed; the assigning authority then confirms
    it or returns it. Evidence is required (a file, a document or an official number)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        task = _lock_task(task)
        errors = _check_report(task, completed_on, text, evidence, today)
        if "reported_on" in errors:
            errors["completed_on"] = errors.pop("reported_on")
        if not product.strip():
            errors["product"] = _("Name the product delivered.")
        elif len(product) > 500:
            errors["product"] = _("The product is at most 500 characters.")
        if evidence.empty:
            errors["evidence"] = _(
                "A completion needs evidence: a file, a document in GovPlan or an official number."
            )
        pending = task.reports.filter(kind=ProgressKind.COMPLETION, decision=Decision.PENDING)
        if pending.exists() and not errors:
            raise AlreadyDone(
                _("A completion is already waiting for the assigning authority's confirmation.")
            )
        if errors:
            raise ValidationError(errors)
        assert completed_on is not None
        report = _new_report(task, ProgressKind.COMPLETION, completed_on, text, evidence, actor)
        report.completed_on = completed_on
        report.product = product.strip()
        report.decision = Decision.PENDING
        report.save()
        _mark_reported(task, completed_on)
        record(
            Action.TASK_COMPLETION_DECLARE,
            actor=actor,
            obj=report,
            after=_report_snapshot(report),
        )
    return report


def _lock_pending_completion(report: TaskProgress) -> tuple[Task, TaskProgress]:
    task = _lock_task(report.task)
    locked = TaskProgress.objects.select_for_update(no_key=True).get(pk=report.pk)
    if locked.kind != ProgressKind.COMPLETION:
        raise ValidationError(_("This report does not declare a completion."))
    if locked.decision != Decision.PENDING:
        raise AlreadyDone(
            _("This completion has already been %(decision)s.")
            % {"decision": locked.get_decision_display()}
        )
    return task, locked


def do_confirm_completion(report: TaskProgress, *, actor: User) -> Task:
    """The assigning authority confirms a declared completion: the task is completed on the
    day declared (its status is then judged against the deadline in force, extensions
    granted included)."""
    with transaction.atomic():
        task, report = _lock_pending_completion(report)
        before = task_snapshot(task)
        report.decision = Decision.CONFIRMED
        report.decided_by = actor
        report.decided_at = timezone.now()
        report.save(update_fields=["decision", "decided_by", "decided_at"])
        task.completed_on = report.completed_on
        task.save(update_fields=["completed_on"])
        record(
            Action.TASK_COMPLETION_CONFIRM,
            actor=actor,
            obj=task,
            before=before,
            after=task_snapshot(task),
            message=f"report {report.pk}",
        )
    return task


def do_return_completion(report: TaskProgress, *, reason: str, actor: User) -> TaskProgress:
    """The assigning authority returns a declared completion with a reason: the task stays
    open."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the completion is returned.")})
    with transaction.atomic():
        _task, report = _lock_pending_completion(report)
        report.decision = Decision.RETURNED
        report.decision_reason = reason.strip()
        report.decided_by = actor
        report.decided_at = timezone.now()
        report.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        record(
            Action.TASK_COMPLETION_RETURN,
            actor=actor,
            obj=report,
            after=_report_snapshot(report),
        )
    return report


def do_reopen_task(
    task: Task, *, reason: str, actor: User, today: dt.date | None = None
) -> TaskProgress:
    """The assigning authority reopens a task whose completion it confirmed by mistake (or
    whose product turned out not to be delivered): ``completed_on`` is cleared, so the status
    is again judged against the deadline in force. The confirmed report keeps its decision;
    a REOPENED entry beside it says what was reopened, by whom, when and why."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the task is reopened.")})
    today = today or timezone.localdate()
    with transaction.atomic():
        task = _lock_task(task)
        if task.completed_on is None:
            # A confirmation sets completed_on: an open task with a reopen entry was reopened
            # last (a double click, or a page left open); one never completed is refused.
            if task.reports.filter(kind=ProgressKind.REOPENED).exists():
                raise AlreadyDone(_("This task has already been reopened."))
            raise ValidationError(_("The task is not completed; there is nothing to reopen."))
        confirmed = (
            task.reports.filter(kind=ProgressKind.COMPLETION, decision=Decision.CONFIRMED)
            .order_by("-decided_at", "-pk")
            .first()
        )
        before = task_snapshot(task)
        entry = TaskProgress(
            task=task,
            kind=ProgressKind.REOPENED,
            reported_on=today,
            text=reason.strip(),
            completed_on=task.completed_on,
            product=confirmed.product if confirmed is not None else "",
            created_by=actor,
        )
        entry.save()
        task.completed_on = None
        task.save(update_fields=["completed_on"])
        record(
            Action.TASK_REOPEN,
            actor=actor,
            obj=task,
            before=before,
            after=task_snapshot(task),
            message=(
                f"report {confirmed.pk if confirmed is not None else '-'} reopened "
                f"(entry {entry.pk}): {entry.text}"
            ),
        )
    return entry


# --- extensions ------------------------------------------------------------------------------


def _extension_snapshot(extension: TaskExtension) -> dict[str, Any]:
    return snapshot(
        extension,
        [
            "task_id",
            "reason",
            "new_kind",
            "new_due_date",
            "old_label",
            "old_due_date",
            "decision",
            "decision_reason",
        ],
    )


def do_request_extension(
    task: Task, *, deadline: Deadline | None, reason: str, actor: User
) -> TaskExtension:
    """The lead agency asks for a later deadline, with a reason; one request waits at a
    time."""
    with transaction.atomic():
        task = _lock_task(task)
        errors: dict[str, str] = {}
        if task.completed_on is not None:
            errors["__all__"] = _(
                "The task's completion has been confirmed; it needs no extension."
            )
        if task.due_date is None:
            errors["__all__"] = _("A standing task has no deadline to extend.")
        if not reason.strip():
            errors["reason"] = _("Say why more time is needed.")
        new_due = deadline.due_date() if deadline is not None else None
        if deadline is None or new_due is None:
            errors["deadline"] = _("Give the new deadline: a day, a month or a quarter.")
        elif task.due_date is not None and new_due <= task.due_date:
            errors["deadline"] = _(
                "The new deadline (%(new)s) must be later than the current one (%(old)s)."
            ) % {"new": deadline.label_vi(), "old": task.deadline.label_vi()}
        if task.extensions.filter(decision=Decision.PENDING).exists() and not errors:
            raise AlreadyDone(_("An extension request is already waiting for a decision."))
        if errors:
            raise ValidationError(errors)
        assert deadline is not None
        extension = TaskExtension(
            task=task,
            reason=reason.strip(),
            new_kind=deadline.kind.value,
            new_year=deadline.year,
            new_month=deadline.month,
            new_quarter=deadline.quarter,
            new_day=deadline.day,
            new_due_date=new_due,
            old_label=task.deadline.label_vi(),
            old_due_date=task.due_date,
            requested_by=actor,
        )
        extension.save()
        record(
            Action.TASK_EXTENSION_REQUEST,
            actor=actor,
            obj=extension,
            after=_extension_snapshot(extension),
        )
    return extension


def do_decide_extension(
    extension: TaskExtension, *, grant: bool, reason: str, actor: User
) -> TaskExtension:
    """The assigning authority grants (the task's deadline changes; the request keeps the
    old one, who granted it and when) or refuses (with a reason) an extension request."""
    if not grant and not reason.strip():
        raise ValidationError({"reason": _("Say why the extension is refused.")})
    with transaction.atomic():
        task = _lock_task(extension.task)
        extension = TaskExtension.objects.select_for_update(no_key=True).get(pk=extension.pk)
        if extension.decision != Decision.PENDING:
            raise AlreadyDone(
                _("This request has already been %(decision)s.")
                % {"decision": extension.get_decision_display()}
            )
        if grant and task.completed_on is not None:
            raise ValidationError(
                _("The task's completion has been confirmed; its deadline no longer changes.")
            )
        extension.decision = Decision.GRANTED if grant else Decision.REFUSED
        extension.decision_reason = reason.strip()
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        if grant:
            # The deadline as it is now (another extension may have been granted meanwhile).
            extension.old_label = task.deadline.label_vi()
            extension.old_due_date = task.due_date
            before = task_snapshot(task)
            task.set_deadline(extension.new_deadline)
            task.save(
                update_fields=[
                    "deadline_kind",
                    "deadline_year",
                    "deadline_month",
                    "deadline_quarter",
                    "deadline_day",
                    "due_date",
                ]
            )
            record(
                Action.TASK_EXTENSION_GRANT,
                actor=actor,
                obj=task,
                before=before,
                after=task_snapshot(task),
                message=f"extension {extension.pk}",
            )
        else:
            record(
                Action.TASK_EXTENSION_REFUSE,
                actor=actor,
                obj=extension,
                after=_extension_snapshot(extension),
            )
        extension.save()
    return extension


# --- import ----------------------------------------------------------------------------------


def do_preview_import(
    programme: Programme, data: bytes, *, filename: str, actor: User
) -> tuple[TaskImport, Plan]:
    """Read the file and keep what it would do (every row, every problem) for the preview;
    nothing of the programme changes."""
    rows, problems = read_rows(data)
    plan = Plan(problems=problems) if problems else plan_rows(programme, rows)
    with transaction.atomic():
        batch = TaskImport.objects.create(
            programme=programme,
            filename=filename.replace("/", "_").replace("\\", "_")[:255],
            data=data,
            plan=plan.as_dict(),
            version=programme_version(programme),
            created_by=actor,
        )
        record(
            Action.CREATE,
            actor=actor,
            obj=batch,
            after={
                "programme_id": programme.pk,
                "filename": batch.filename,
                "rows": len(plan.rows),
                "problems": len(plan.problems),
            },
        )
    return batch, plan


class StaleImport(Exception):
    """The programme's tasks changed since the preview: preview again."""


def do_apply_import(batch: TaskImport, *, actor: User) -> list[Task]:
    """Write the preview's rows, all or nothing: refused if it had problems, was applied
    already (a double click), or the programme changed since (stale)."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update(no_key=True).get(pk=batch.programme_id)
        batch = TaskImport.objects.select_for_update(no_key=True).get(pk=batch.pk)
        if batch.applied_at is not None:
            raise AlreadyDone(_("This import has already been applied."))
        if batch.plan.get("problems") or not batch.plan.get("rows"):
            raise ValidationError(_("The file has errors: correct them and upload it again."))
        if batch.version != programme_version(programme):
            raise StaleImport
        rows = creation_order(batch.plan["rows"])
        units = OrgUnit.objects.in_bulk(
            {r["lead_unit_id"] for r in rows} | {u for r in rows for u in r["co_unit_ids"]}
        )
        by_code = {t.code: t for t in Task.objects.filter(programme=programme)}
        position = max((t.position for t in by_code.values()), default=0)
        created: list[Task] = []
        for row in rows:
            data = TaskInput(
                code=row["code"],
                content=row["content"],
                source_document=row["source_document"],
                source_article=row["source_article"],
                assigned_on=dt.date.fromisoformat(row["assigned_on"]),
                lead_unit=units[row["lead_unit_id"]],
                co_units=[units[u] for u in row["co_unit_ids"]],
                deadline=deadline_from_json(row["deadline"]),
                expected_product=row["expected_product"],
                parent=by_code.get(row["parent_code"]) if row["parent_code"] else None,
            )
            errors = check_task(programme, data, codes_taken=set(by_code))
            if errors:  # the units' validity changed since the preview: nothing is written
                raise ValidationError(
                    _("Row %(row)s: %(errors)s")
                    % {"row": row["row"], "errors": "; ".join(errors.values())}
                )
            position += 1
            task = Task(programme=programme, created_by=actor, position=position)
            _apply(task, data)
            task.save()
            task.co_units.set(data.co_units)
            by_code[task.code] = task
            created.append(task)
        record_many(
            Action.CREATE,
            [(task, None, task_snapshot(task)) for task in created],
            actor=actor,
            message=f"import {batch.pk}: {batch.filename}",
        )
        batch.applied_at = timezone.now()
        batch.save(update_fields=["applied_at"])
    return created
