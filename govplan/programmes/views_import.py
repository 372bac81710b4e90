"""A programme's tasks from a spreadsheet: upload, preview every row and every error, apply
all or nothing (programmes/imports.py, actions.do_preview_import / do_apply_import)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated
from govplan.accounts.types import AuthenticatedRequest
from govplan.programmes import actions
from govplan.programmes.access import load_programme
from govplan.programmes.forms import ImportForm
from govplan.programmes.imports import MAX_FILE_BYTES, column_labels
from govplan.programmes.models import TaskImport


@authenticated
def task_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = load_programme(request.user, pk, manage=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    batch = None
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            form.add_error("file", _("The file is larger than 10 MB."))
        else:
            batch, _plan = actions.do_preview_import(
                programme,
                upload.read(MAX_FILE_BYTES + 1),
                filename=upload.name or "tasks.xlsx",
                actor=request.user,
            )
            plan = batch.plan
    return render(
        request,
        "programmes/task_import.html",
        {
            "programme": programme,
            "form": form,
            "batch": batch,
            "plan": plan,
            "labels": column_labels(),
        },
    )


@authenticated
@require_POST
def task_import_apply(request: AuthenticatedRequest, pk: int, batch_id: int) -> HttpResponse:
    programme = load_programme(request.user, pk, manage=True)
    batch = TaskImport.objects.filter(programme=programme, pk=batch_id).first()
    if batch is None:
        raise Http404
    try:
        created = actions.do_apply_import(batch, actor=request.user)
    except actions.StaleImport:
        messages.error(
            request,
            _(
                "The programme's tasks changed after this preview was made; nothing was "
                "imported. Upload the file again to see a fresh preview."
            ),
        )
        return redirect("task_import", programme.pk)
    except actions.AlreadyDone as exc:
        messages.info(request, exc.message)
        return redirect("programme_detail", programme.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("task_import", programme.pk)
    messages.success(request, _("%(n)s tasks imported.") % {"n": len(created)})
    return redirect("programme_detail", programme.pk)
