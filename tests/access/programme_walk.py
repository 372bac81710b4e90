"""The programme and task pages in the access walk and the POST matrix (issue 17, the tasks
lane): the objects they act on, the statuses per member of the cast, the requests.

A programme of the central authority with three tasks for province A: W1 (a progress report
with a file), W2 (a completion and an extension waiting for the assigning authority), W3
(nothing yet, to delete), W4 (its completion confirmed, to reopen)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from govplan.core.programmes.deadlines import Deadline
from govplan.programmes.models import Programme, Task, TaskExtension, TaskImport, TaskProgress
from tests.conftest import Cast

TODAY = dt.date.today()
ASSIGNED = TODAY - dt.timedelta(days=20)
CAST = (
    "central_admin",
    "appraiser",
    "editor_a",
    "approver_a",
    "editor_b",
    "commune_editor_a",
    "viewer_a",
)


def walk_programme(c: Cast) -> Programme:
    from govplan.programmes.actions import do_save_programme

    found = Programme.objects.filter(code="WALK").first()
    if found is not None:
        return found
    return do_save_programme(
        None,
        {
            "code": "WALK",
            "name": "Chương trình thử",
            "name_en": "",
            "period_start": TODAY.year,
            "period_end": TODAY.year + 1,
            "basis_number": "1/QĐ-TTg",
            "basis_date": ASSIGNED,
            "basis_title": "Quyết định",
            "assigning_unit": c.central,
            "description": "",
        },
        actor=c.central_admin,
    )


def walk_task(c: Cast, code: str = "W1") -> Task:
    from govplan.programmes import actions
    from govplan.programmes.checks import TaskInput

    programme = walk_programme(c)
    found = Task.objects.filter(programme=programme, code=code).first()
    if found is not None:
        return found
    task = actions.do_save_task(
        programme,
        TaskInput(
            code=code,
            content=f"Nhiệm vụ {code}",
            source_document="1/QĐ-TTg",
            assigned_on=ASSIGNED,
            lead_unit=c.province_a,
            deadline=Deadline.on(TODAY + dt.timedelta(days=40)),
        ),
        actor=c.central_admin,
    )
    if code == "W1":
        actions.do_report_progress(
            task,
            reported_on=TODAY,
            text="Đã khảo sát",
            evidence=actions.Evidence(
                file_data=b"%PDF-1.4\n%%EOF\n", file_name="bb.pdf", file_type="application/pdf"
            ),
            actor=c.editor_a,
        )
    if code == "W4":
        completion = actions.do_declare_completion(
            task,
            completed_on=TODAY,
            product="Sản phẩm",
            text="Hoàn thành",
            evidence=actions.Evidence(official_number="10/UBND"),
            actor=c.editor_a,
        )
        actions.do_confirm_completion(completion, actor=c.central_admin)
    if code == "W2":
        actions.do_declare_completion(
            task,
            completed_on=TODAY,
            product="Sản phẩm",
            text="Hoàn thành",
            evidence=actions.Evidence(official_number="9/UBND"),
            actor=c.editor_a,
        )
        actions.do_request_extension(
            task,
            deadline=Deadline.on(TODAY + dt.timedelta(days=90)),
            reason="Chờ vốn",
            actor=c.editor_a,
        )
    return task


def task_kwargs(c: Cast, code: str = "W1") -> dict[str, Any]:
    return {"pk": walk_task(c, code).pk}


def evidence_kwargs(c: Cast) -> dict[str, Any]:
    task = walk_task(c)
    return {"pk": task.pk, "report_id": TaskProgress.objects.filter(task=task).first().pk}  # type: ignore[union-attr]


def completion_kwargs(c: Cast) -> dict[str, Any]:
    task = walk_task(c, "W2")
    report = TaskProgress.objects.get(task=task, kind="completion")
    return {"pk": task.pk, "report_id": report.pk}


def extension_kwargs(c: Cast) -> dict[str, Any]:
    task = walk_task(c, "W2")
    return {"pk": task.pk, "extension_id": TaskExtension.objects.get(task=task).pk}


def programme_kwargs(c: Cast) -> dict[str, Any]:
    return {"pk": walk_programme(c).pk}


def _everyone(status: int, anonymous: int = 302) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(CAST, status)}


def _admin_only(status: int = 200) -> dict[str, int]:
    return {**_everyone(403), "central_admin": status}


def _readers_of_a() -> dict[str, int]:
    return {**_everyone(200), "editor_b": 404, "commune_editor_a": 404}


def _managers_of_a_task() -> dict[str, int]:
    """A task of province A: the central administrator manages it; its readers are refused
    (403); the others find nothing (404)."""
    return {**_everyone(403), "central_admin": 200, "editor_b": 404, "commune_editor_a": 404}


# url name -> (kwargs builder, GET status per member of the cast), for test_url_walk.EXPECTED.
EXPECTED: dict[str, tuple[Any, dict[str, int]]] = {
    # Programmes are public decisions: everyone signed in sees the list and the page (with
    # only the tasks they may see); central administrators create and manage them.
    "programme_list": (None, _everyone(200)),
    "programme_create": (None, _admin_only()),
    "programme_detail": (programme_kwargs, _everyone(200)),
    "programme_edit": (programme_kwargs, _admin_only()),
    "task_create": (programme_kwargs, _admin_only()),
    "task_import": (programme_kwargs, _admin_only()),
    "task_import_apply": (lambda c: {**programme_kwargs(c), "batch_id": 1}, _everyone(405)),
    # A task of province A: its readers see it (and the central users); others get 404.
    "task_detail": (task_kwargs, _readers_of_a()),
    "task_edit": (task_kwargs, _managers_of_a_task()),
    "task_delete": (task_kwargs, _everyone(405)),
    "task_progress": (task_kwargs, _everyone(405)),
    "task_complete": (task_kwargs, _everyone(405)),
    "task_decide_completion": (completion_kwargs, _everyone(405)),
    "task_extension": (task_kwargs, _everyone(405)),
    "task_decide_extension": (extension_kwargs, _everyone(405)),
    "task_reopen": (lambda c: task_kwargs(c, "W4"), _everyone(405)),
    "task_evidence": (evidence_kwargs, _readers_of_a()),
    "unit_tasks": (lambda c: {"pk": c.province_a.pk}, _readers_of_a()),
}

READ_ON_POST = frozenset(
    {"programme_list", "programme_detail", "task_detail", "task_evidence", "unit_tasks"}
)


def post_expected() -> dict[str, dict[str, Any]]:
    from tests.access.policy_table import FORBIDDEN, NOT_FOUND, WRITES, admin_writes, row

    def lead_writes() -> dict[str, Any]:
        """Province A's editor reports; its other readers are refused; others find nothing."""
        return row(FORBIDDEN, editor_a=WRITES, editor_b=NOT_FOUND, commune_editor_a=NOT_FOUND)

    def manager_writes() -> dict[str, Any]:
        return row(FORBIDDEN, central_admin=WRITES, editor_b=NOT_FOUND, commune_editor_a=NOT_FOUND)

    return {
        "programme_create": admin_writes(),
        "programme_edit": admin_writes(),
        "task_create": admin_writes(),
        "task_import": admin_writes(),
        "task_import_apply": admin_writes(),
        "task_edit": manager_writes(),
        "task_delete": manager_writes(),
        "task_progress": lead_writes(),
        "task_complete": lead_writes(),
        "task_extension": lead_writes(),
        "task_decide_completion": manager_writes(),
        "task_decide_extension": manager_writes(),
        # Like the confirmation it undoes: the assigning authority's managers only.
        "task_reopen": manager_writes(),
    }


def post_requests(c: Cast, request_type: Any) -> dict[str, Any]:
    """The body each state-changing view is sent in the POST matrix."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govplan.programmes import actions
    from tests.programmes.test_import import GOOD, workbook

    programme = walk_programme(c)
    w1 = walk_task(c)
    w2 = walk_task(c, "W2")
    w3 = walk_task(c, "W3")
    w4 = walk_task(c, "W4")
    batch, _plan = actions.do_preview_import(
        programme, workbook(GOOD), filename="nv.xlsx", actor=c.central_admin
    )
    assert isinstance(batch, TaskImport)
    day = TODAY.strftime("%d/%m/%Y")
    programme_fields = [
        ("code", "WALK"),
        ("name", "Chương trình thử (sửa)"),
        ("period_start", str(TODAY.year)),
        ("period_end", str(TODAY.year + 1)),
        ("basis_number", "1/QĐ-TTg"),
        ("basis_date", ASSIGNED.strftime("%d/%m/%Y")),
        ("basis_title", "Quyết định"),
        ("assigning_unit", str(c.central.pk)),
    ]
    task_fields = [
        ("code", "W9"),
        ("content", "Nhiệm vụ mới"),
        ("source_document", "1/QĐ-TTg"),
        ("assigned_on", ASSIGNED.strftime("%d/%m/%Y")),
        ("lead_unit", str(c.province_a.pk)),
        ("deadline", f"Quý IV/{TODAY.year + 1}"),
    ]
    return {
        "programme_create": request_type(
            reverse("programme_create"),
            [
                ("code" if k == "code" else k, "NEW" if k == "code" else v)
                for k, v in programme_fields
            ],
        ),
        "programme_edit": request_type(
            reverse("programme_edit", args=[programme.pk]), programme_fields
        ),
        "task_create": request_type(reverse("task_create", args=[programme.pk]), task_fields),
        "task_edit": request_type(
            reverse("task_edit", args=[w3.pk]),
            [(k, "W3" if k == "code" else v) for k, v in task_fields]
            + [("expected_product", "Mới")],
        ),
        "task_delete": request_type(reverse("task_delete", args=[w3.pk])),
        "task_import": request_type(
            reverse("task_import", args=[programme.pk]),
            files={"file": SimpleUploadedFile("nv.xlsx", workbook(GOOD))},
        ),
        "task_import_apply": request_type(
            reverse("task_import_apply", args=[programme.pk, batch.pk])
        ),
        "task_progress": request_type(
            reverse("task_progress", args=[w1.pk]),
            [("p-reported_on", day), ("p-text", "Báo cáo mới")],
        ),
        "task_complete": request_type(
            reverse("task_complete", args=[w1.pk]),
            [
                ("c-completed_on", day),
                ("c-product", "Sản phẩm"),
                ("c-text", "Hoàn thành"),
                ("c-official_number", "1/UBND"),
            ],
        ),
        "task_extension": request_type(
            reverse("task_extension", args=[w1.pk]),
            [("e-deadline", f"Quý IV/{TODAY.year + 2}"), ("e-reason", "Chờ vốn")],
        ),
        "task_decide_completion": request_type(
            reverse("task_decide_completion", args=[w2.pk, completion_kwargs(c)["report_id"]]),
            [("decision", "confirm")],
        ),
        "task_decide_extension": request_type(
            reverse("task_decide_extension", args=[w2.pk, extension_kwargs(c)["extension_id"]]),
            [("decision", "grant")],
        ),
        "task_reopen": request_type(
            reverse("task_reopen", args=[w4.pk]),
            [("r-reason", "Sản phẩm chưa được bàn giao")],
        ),
    }


# For the input fuzz (tests/access/test_fuzz_inputs.py): the pages only a central
# administrator sees, the forms the fuzz reaches, the query parameters the pages read.
FUZZ_ADMIN_PAGES = frozenset(
    {"programme_create", "programme_edit", "task_create", "task_import", "task_edit"}
)
FUZZ_FORM_VIEWS = frozenset(
    {
        "programme_create",
        "programme_edit",
        "task_create",
        "task_import",
        "task_edit",
        "task_progress",
        "task_complete",
        "task_extension",
    }
)
FUZZ_QUERY: dict[str, dict[str, str]] = {
    "programme_detail": {"status": "text", "unit": "number"},
    "unit_tasks": {"status": "text"},
}

# Buttons (no form fields to fuzz one by one): sent hostile bodies by
# tests/hostile/test_stored_payloads.py.
FUZZ_BUTTONS = frozenset(
    {
        "task_delete",
        "task_decide_completion",
        "task_decide_extension",
        "task_import_apply",
        "task_reopen",
    }
)


def button_urls(c: Cast) -> dict[str, tuple[Any, str]]:
    """The button views, each with who presses it and where."""
    programme = walk_programme(c)
    return {
        "task_delete": (c.central_admin, reverse("task_delete", args=[walk_task(c, "W3").pk])),
        "task_decide_completion": (
            c.central_admin,
            reverse("task_decide_completion", kwargs=completion_kwargs(c)),
        ),
        "task_decide_extension": (
            c.central_admin,
            reverse("task_decide_extension", kwargs=extension_kwargs(c)),
        ),
        "task_import_apply": (
            c.central_admin,
            reverse("task_import_apply", args=[programme.pk, 999_999]),
        ),
        "task_reopen": (c.central_admin, reverse("task_reopen", args=[walk_task(c, "W4").pk])),
    }
