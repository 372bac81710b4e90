"""The programmes' actions for tests/audit/test_every_action.py: each prepared so that one
call changes something (and must write its audit entry in its own transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from govplan.core.programmes.deadlines import Deadline
from tests.conftest import Cast

TODAY = dt.date.today()


def programmes(cast: Cast, name: str) -> Callable[[], Any]:
    from govplan.programmes import actions
    from tests.programmes.conftest import task_input
    from tests.programmes.test_import import GOOD, workbook

    values = {
        "code": "AUDIT",
        "name": "Chương trình",
        "name_en": "",
        "period_start": TODAY.year - 1,
        "period_end": TODAY.year + 1,
        "basis_number": "1/QĐ",
        "basis_date": TODAY - dt.timedelta(days=60),
        "basis_title": "Quyết định",
        "assigning_unit": cast.central,
        "description": "",
    }
    if name == "do_save_programme":
        return lambda: actions.do_save_programme(None, values, actor=cast.central_admin)
    programme = actions.do_save_programme(None, values, actor=cast.central_admin)
    if name == "do_save_task":
        return lambda: actions.do_save_task(programme, task_input(cast), actor=cast.central_admin)
    if name == "do_preview_import":
        return lambda: actions.do_preview_import(
            programme, workbook(GOOD), filename="nv.xlsx", actor=cast.central_admin
        )
    if name == "do_apply_import":
        batch, _plan = actions.do_preview_import(
            programme, workbook(GOOD), filename="nv.xlsx", actor=cast.central_admin
        )
        return lambda: actions.do_apply_import(batch, actor=cast.central_admin)
    task = actions.do_save_task(programme, task_input(cast), actor=cast.central_admin)
    admin, editor = cast.central_admin, cast.editor_a
    if name == "do_delete_task":
        return lambda: actions.do_delete_task(task, actor=admin)
    if name == "do_report_progress":
        return lambda: actions.do_report_progress(
            task, reported_on=TODAY, text="Tiến độ", evidence=actions.Evidence(), actor=editor
        )

    def declare() -> Any:
        return actions.do_declare_completion(
            task,
            completed_on=TODAY,
            product="Sản phẩm",
            text="Xong",
            evidence=actions.Evidence(official_number="1/UBND"),
            actor=editor,
        )

    if name == "do_declare_completion":
        return declare
    if name in ("do_confirm_completion", "do_return_completion"):
        report = declare()
        if name == "do_confirm_completion":
            return lambda: actions.do_confirm_completion(report, actor=admin)
        return lambda: actions.do_return_completion(report, reason="Thiếu", actor=admin)
    if name == "do_reopen_task":
        actions.do_confirm_completion(declare(), actor=admin)
        return lambda: actions.do_reopen_task(task, reason="Chưa bàn giao", actor=admin)

    def request() -> Any:
        return actions.do_request_extension(
            task, deadline=Deadline.on(TODAY + dt.timedelta(days=400)), reason="Vốn", actor=editor
        )

    if name == "do_request_extension":
        return request
    assert name == "do_decide_extension", name
    extension = request()
    return lambda: actions.do_decide_extension(extension, grant=True, reason="", actor=admin)
