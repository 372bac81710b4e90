"""Programmes and their tasks: the list, a programme's task tree, a task's page with its
history, and each step of the tracking (docs/programme.md). Access: programmes/access.py.

Long because: the task page carries every tracking step (progress, completion, its
confirmation or return, extension request and decision), each a small view of its own that
re-renders the same page with its form's errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability, get_for, scope_for
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.programmes.deadlines import STATUS_LABELS, Status
from govplan.documents.uploads import UploadRefused, check_evidence
from govplan.orgunits.models import OrgUnit
from govplan.programmes import actions
from govplan.programmes.access import (
    can_manage,
    can_report,
    load_programme,
    load_task,
    visible_tasks,
)
from govplan.programmes.checks import TaskInput
from govplan.programmes.forms import (
    CompletionForm,
    DecisionForm,
    ExtensionForm,
    ProgrammeForm,
    ProgressForm,
    ReopenForm,
    TaskFilterForm,
    TaskForm,
)
from govplan.programmes.models import (
    Decision,
    Programme,
    ProgressKind,
    Task,
    TaskExtension,
    TaskProgress,
)
from govplan.programmes.queries import STATUS, with_status
from govplan.webutils.forms import attach_errors, form_action

MAX_LISTED = 2000


def status_label(value: str) -> str:
    return _(STATUS_LABELS[Status(value)])


def _rows(tasks: list[Task]) -> list[dict[str, Any]]:
    """The tasks as a tree (parents first, sub-tasks indented under them); a sub-task whose
    parent is not in the list stands at the top."""
    by_parent: dict[int | None, list[Task]] = {}
    present = {t.pk for t in tasks}
    for task in tasks:
        parent = task.parent_id if task.parent_id in present else None
        by_parent.setdefault(parent, []).append(task)
    rows: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for task in by_parent.get(parent, []):
            status = getattr(task, "status", Status.NOT_STARTED.value)
            rows.append(
                {
                    "task": task,
                    "depth": depth,
                    "indent": range(depth),
                    "status": status,
                    "label": status_label(status),
                }
            )
            if depth < 20:
                walk(task.pk, depth + 1)

    walk(None, 0)
    return rows


def _filtered(
    request: HttpRequest, tasks: Any, units: Any, today: dt.date
) -> tuple[TaskFilterForm, list[dict[str, Any]], bool]:
    form = TaskFilterForm(request.GET or None, units=units)
    qs = with_status(today, tasks)
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(**{STATUS: form.cleaned_data["status"]})
        unit = form.cleaned_data["unit"]
        if unit is not None:
            qs = qs.filter(
                Q(lead_unit=unit) | Q(pk__in=Task.objects.filter(co_units=unit).values("pk"))
            )
    listed = list(qs.select_related("lead_unit").order_by("position", "code")[: MAX_LISTED + 1])
    return form, _rows(listed[:MAX_LISTED]), len(listed) > MAX_LISTED


# --- programmes ------------------------------------------------------------------------------


@authenticated
def programme_list(request: AuthenticatedRequest) -> HttpResponse:
    visible = visible_tasks(request.user)
    programmes = Programme.objects.select_related("assigning_unit").annotate(
        n_tasks=Count("tasks", filter=Q(tasks__in=visible.values("pk")))
    )
    return render(
        request,
        "programmes/programme_list.html",
        {"programmes": programmes, "may_create": scope_for(request.user).is_central_admin},
    )


@requires(Capability.ADMINISTER)
def programme_create(request: AuthenticatedRequest) -> HttpResponse:
    return _programme_form(request, None)


@authenticated
def programme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _programme_form(request, load_programme(request.user, pk, manage=True))


def _programme_form(request: AuthenticatedRequest, programme: Programme | None) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        done = form_action(
            request,
            form,
            lambda: actions.do_save_programme(programme, values, actor=request.user),
            success=_("Programme saved."),
            then=lambda saved: redirect("programme_detail", saved.pk),
        )
        if done is not None:
            return done
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@authenticated
def programme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = load_programme(request.user, pk)
    today = timezone.localdate()
    tasks = visible_tasks(request.user, Task.objects.filter(programme=programme))
    units = OrgUnit.objects.filter(
        Q(pk__in=tasks.values("lead_unit")) | Q(pk__in=tasks.values("co_units"))
    ).order_by("name")
    form, rows, truncated = _filtered(request, tasks, units, today)
    counts = dict(
        with_status(today, tasks)
        .values_list(STATUS)
        .annotate(n=Count("pk"))
        .values_list(STATUS, "n")
    )
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "form": form,
            "rows": rows,
            "truncated": truncated,
            "counts": [(status_label(s.value), counts.get(s.value, 0)) for s in Status],
            "manage": can_manage(request.user, programme),
            "today": today,
        },
    )


# --- tasks -----------------------------------------------------------------------------------


def _task_input(form: TaskForm) -> TaskInput:
    data = form.cleaned_data
    return TaskInput(
        code=data["code"],
        content=data["content"],
        source_document=data["source_document"],
        source_article=data["source_article"],
        assigned_on=data["assigned_on"],
        lead_unit=data["lead_unit"],
        co_units=list(data["co_units"]),
        deadline=data["deadline"],
        expected_product=data["expected_product"],
        parent=data["parent"],
    )


@authenticated
def task_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = load_programme(request.user, pk, manage=True)
    form = TaskForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        done = form_action(
            request,
            form,
            lambda: actions.do_save_task(programme, _task_input(form), actor=request.user),
            success=lambda task: _("Task %(code)s added.") % {"code": task.code},
            then=lambda task: redirect("task_detail", task.pk),
        )
        if done is not None:
            return done
    return render(
        request, "programmes/task_form.html", {"form": form, "programme": programme, "task": None}
    )


@authenticated
def task_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = load_task(request.user, pk, manage=True)
    initial = {
        "code": task.code,
        "parent": task.parent_id,
        "content": task.content,
        "source_document": task.source_document,
        "source_article": task.source_article,
        "assigned_on": task.assigned_on,
        "lead_unit": task.lead_unit_id,
        "co_units": list(task.co_units.values_list("pk", flat=True)),
        "deadline": task.deadline.label_vi(),
        "expected_product": task.expected_product,
    }
    form = TaskForm(request.POST or None, initial=initial, programme=task.programme, task=task)
    if request.method == "POST" and form.is_valid():
        done = form_action(
            request,
            form,
            lambda: actions.do_save_task(
                task.programme, _task_input(form), actor=request.user, task=task
            ),
            success=_("Task %(code)s saved.") % {"code": form.cleaned_data["code"].strip()},
            then=redirect("task_detail", task.pk),
        )
        if done is not None:
            return done
    return render(
        request,
        "programmes/task_form.html",
        {"form": form, "programme": task.programme, "task": task},
    )


@authenticated
@require_POST
def task_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = load_task(request.user, pk, manage=True)
    try:
        actions.do_delete_task(task, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("task_detail", task.pk)
    messages.success(request, _("Task %(code)s deleted.") % {"code": task.code})
    return redirect("programme_detail", task.programme_id)


@authenticated
def task_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = load_task(request.user, pk)
    return _task_page(request, task)


def _task_page(
    request: AuthenticatedRequest,
    task: Task,
    *,
    progress_form: ProgressForm | None = None,
    completion_form: CompletionForm | None = None,
    extension_form: ExtensionForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    annotated = with_status(today, Task.objects.filter(pk=task.pk)).get()
    reporter = can_report(request.user, task)
    manager = can_manage(request.user, task.programme)
    open_task = task.completed_on is None
    reports = list(
        task.reports.select_related("created_by", "decided_by", "document").order_by(
            "-created_at", "-pk"
        )
    )
    pending = next(
        (
            r
            for r in reports
            if r.kind == ProgressKind.COMPLETION and r.decision == Decision.PENDING
        ),
        None,
    )
    extensions = list(task.extensions.select_related("requested_by", "decided_by"))
    pending_extension = next((e for e in extensions if e.decision == Decision.PENDING), None)
    children = visible_tasks(request.user, task.children.all())
    context = {
        "task": task,
        "status": annotated.status,  # type: ignore[attr-defined]
        "status_label": status_label(annotated.status),  # type: ignore[attr-defined]
        "co_units": task.co_units.order_by("name"),
        "children": with_status(today, children).select_related("lead_unit"),
        "reports": reports,
        "extensions": extensions,
        "pending": pending,
        "pending_extension": pending_extension,
        "may_report": reporter and open_task,
        "manage": manager,
        "progress_form": progress_form
        or ProgressForm(task=task, initial={"reported_on": today}, prefix="p"),
        "completion_form": completion_form
        or CompletionForm(task=task, initial={"completed_on": today}, prefix="c"),
        "extension_form": extension_form or ExtensionForm(prefix="e"),
        "decision_form": DecisionForm(),
        # The assigning authority may undo a confirmed completion (with a reason).
        "may_reopen": manager and not open_task,
        "reopen_form": reopen_form or ReopenForm(prefix="r"),
    }
    return render(request, "programmes/task_detail.html", context, status=status)


def _evidence(
    request: AuthenticatedRequest, form: ProgressForm | CompletionForm
) -> actions.Evidence | None:
    """The evidence the form carries, the file checked as every evidence file is; None (the
    reason added to the form) if the file is refused."""
    upload = form.cleaned_data.get("file")
    evidence = actions.Evidence(
        document=form.cleaned_data.get("document"),
        official_number=form.cleaned_data.get("official_number", ""),
    )
    if upload is None:
        return evidence
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        form.add_error(
            "file",
            _("%(name)s is too large: at most %(max)s MB per file.")
            % {"name": upload.name, "max": limit // (1024 * 1024)},
        )
        return None
    data = upload.read(limit + 1)
    try:
        checked = check_evidence(data, upload.name or "")
    except UploadRefused as exc:
        form.add_error("file", f"{upload.name}: {exc.message}")
        return None
    evidence.file_data = data
    evidence.file_name = upload.name or "file"
    evidence.file_type = checked.content_type
    return evidence


@authenticated
@require_POST
def task_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = load_task(request.user, pk, report=True)
    form = ProgressForm(request.POST, request.FILES, task=task, prefix="p")
    if form.is_valid() and (evidence := _evidence(request, form)) is not None:
        done = form_action(
            request,
            form,
            lambda: actions.do_report_progress(
                task,
                reported_on=form.cleaned_data["reported_on"],
                text=form.cleaned_data["text"],
                evidence=evidence,
                actor=request.user,
            ),
            success=_("Progress reported."),
            then=redirect("task_detail", task.pk),
            already_done=actions.AlreadyDone,
        )
        if done is not None:
            return done
    return _task_page(request, task, progress_form=form)


@authenticated
@require_POST
def task_complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = load_task(request.user, pk, report=True)
    form = CompletionForm(request.POST, request.FILES, task=task, prefix="c")
    if form.is_valid() and (evidence := _evidence(request, form)) is not None:
        done = form_action(
            request,
            form,
            lambda: actions.do_declare_completion(
                task,
                completed_on=form.cleaned_data["completed_on"],
                product=form.cleaned_data["product"],
                text=form.cleaned_data["text"],
                evidence=evidence,
                actor=request.user,
            ),
            success=_("Completion declared; the assigning authority will confirm it."),
            then=redirect("task_detail", task.pk),
            already_done=actions.AlreadyDone,
            renamed={"evidence": "file"},
        )
        if done is not None:
            return done
    return _task_page(request, task, completion_form=form)


@authenticated
@require_POST
def task_decide_completion(request: AuthenticatedRequest, pk: int, report_id: int) -> HttpResponse:
    task = load_task(request.user, pk, manage=True)
    report = TaskProgress.objects.filter(task=task, pk=report_id).first()
    if report is None:
        raise Http404
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if request.POST.get("decision") == "confirm":
            actions.do_confirm_completion(report, actor=request.user)
            messages.success(request, _("Completion confirmed."))
        elif request.POST.get("decision") == "return":
            actions.do_return_completion(report, reason=reason, actor=request.user)
            messages.success(request, _("Completion returned to the lead agency."))
        else:
            messages.error(request, _("Choose to confirm or to return the completion."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except actions.AlreadyDone as exc:
        messages.info(request, exc.message)
    return redirect("task_detail", task.pk)


@authenticated
@require_POST
def task_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = load_task(request.user, pk, manage=True)
    form = ReopenForm(request.POST, prefix="r")
    if form.is_valid():
        try:
            actions.do_reopen_task(task, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the task is not completed: nothing to reopen
                messages.error(request, " ".join(exc.messages))
                return redirect("task_detail", task.pk)
            attach_errors(form, exc)
        except actions.AlreadyDone as exc:
            messages.info(request, exc.message)
            return redirect("task_detail", task.pk)
        else:
            messages.success(request, _("Task reopened: the lead agency can report on it again."))
            return redirect("task_detail", task.pk)
    return _task_page(request, task, reopen_form=form)


@authenticated
@require_POST
def task_extension(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = load_task(request.user, pk, report=True)
    form = ExtensionForm(request.POST, prefix="e")
    if form.is_valid():
        done = form_action(
            request,
            form,
            lambda: actions.do_request_extension(
                task,
                deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            ),
            success=_("Extension requested."),
            then=redirect("task_detail", task.pk),
            already_done=actions.AlreadyDone,
        )
        if done is not None:
            return done
    return _task_page(request, task, extension_form=form)


@authenticated
@require_POST
def task_decide_extension(
    request: AuthenticatedRequest, pk: int, extension_id: int
) -> HttpResponse:
    task = load_task(request.user, pk, manage=True)
    extension = TaskExtension.objects.filter(task=task, pk=extension_id).first()
    if extension is None:
        raise Http404
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    decision = request.POST.get("decision")
    try:
        if decision in ("grant", "refuse"):
            actions.do_decide_extension(
                extension, grant=decision == "grant", reason=reason, actor=request.user
            )
            messages.success(
                request,
                _("Extension granted: the deadline is now %(deadline)s.")
                % {"deadline": extension.new_deadline.label_vi()}
                if decision == "grant"
                else _("Extension refused."),
            )
        else:
            messages.error(request, _("Choose to grant or to refuse the extension."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except actions.AlreadyDone as exc:
        messages.info(request, exc.message)
    return redirect("task_detail", task.pk)


@authenticated
def task_evidence(request: AuthenticatedRequest, pk: int, report_id: int) -> FileResponse:
    task = load_task(request.user, pk)
    report = TaskProgress.objects.filter(task=task, pk=report_id).exclude(file="").first()
    if report is None:
        raise Http404
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.file_name,
        content_type=report.file_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@authenticated
def unit_tasks(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The tasks of one agency (lead or co-operating), across programmes."""
    unit = get_for(request.user, OrgUnit, Capability.VIEW, pk=pk)
    today = timezone.localdate()
    tasks = visible_tasks(
        request.user,
        Task.objects.filter(
            Q(lead_unit=unit) | Q(pk__in=Task.objects.filter(co_units=unit).values("pk"))
        ),
    )
    form, rows, truncated = _filtered(request, tasks, OrgUnit.objects.none(), today)
    return render(
        request,
        "programmes/unit_tasks.html",
        {"unit": unit, "form": form, "rows": rows, "truncated": truncated, "today": today},
    )


def evidence_url(report: TaskProgress) -> str:
    return reverse("task_evidence", args=[report.task_id, report.pk])
