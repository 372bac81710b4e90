"""The framework section where each agency reports on the tasks assigned to it (issue 17,
item 1): the 2008 report's table is filled from the programme's task list, once per task,
refreshed when a task changes, flagged when a task leaves the list; the cells the list fills
cannot be changed by a save; the rows print, validate and import as any table's."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from docx import Document as Docx

from govplan.accounts.models import Role, User
from govplan.audit.models import Action, AuditEvent
from govplan.core.adapters.xlsx import RowData, write_workbook
from govplan.core.programmes.deadlines import Deadline, DeadlineKind
from govplan.documents.actions import (
    do_create_document,
    do_fill_rows,
    do_save_entry,
    rows_to_fill,
)
from govplan.documents.content import ContentError
from govplan.documents.models import Document, Entry, EntryVersion
from govplan.documents.tables_xlsx import do_preview_import, sheet_specs
from govplan.frameworks.models import FrameworkVersion
from govplan.official.build import official_document
from govplan.official.render import docx_bytes
from govplan.orgunits.models import OrgUnit
from govplan.programmes.models import Programme, Task
from govplan.workflow.validation import validate
from tests.conftest import make_user, unit

pytestmark = pytest.mark.django_db

IN_2008 = dt.date(2008, 6, 1)
PROGRAMME = "CT-CNTT-2007-2010"
COLLECTION = "table:tasks"


def version_2008() -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__code="BC-NHIEMVU-2008", status="published")


def mic() -> OrgUnit:
    return unit("govplan", "BTTTT", on=IN_2008)


def mof() -> OrgUnit:
    return unit("govplan", "BTC", on=IN_2008)


def mpi() -> OrgUnit:
    return unit("govplan", "BKHDT", on=IN_2008)


def programme() -> Programme:
    return Programme.objects.create(
        code=PROGRAMME,
        name="Chương trình ứng dụng CNTT trong hoạt động của cơ quan nhà nước giai đoạn 2007-2010",
        period_start=2007,
        period_end=2010,
        basis_number="Thông báo kết luận",
        basis_date=dt.date(2007, 12, 28),
        basis_title="Kết luận của Phó Thủ tướng ngày 28/12/2007",
        assigning_unit=unit("govplan", "CDSQG"),
    )


def task(
    prog: Programme,
    code: str,
    content: str,
    lead: OrgUnit,
    deadline: Deadline,
    *,
    co: tuple[OrgUnit, ...] = (),
    assigned_on: dt.date = dt.date(2008, 1, 8),
    position: int = 0,
) -> Task:
    item = Task(
        programme=prog,
        code=code,
        content=content,
        source_document="Thông báo kết luận ngày 28/12/2007",
        assigned_on=assigned_on,
        lead_unit=lead,
        position=position,
    )
    item.set_deadline(deadline)
    item.save()
    item.co_units.set(co)
    return item


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    prog = programme()
    tasks = {
        "2.a": task(
            prog,
            "2.a",
            "Xây dựng, trình Thủ tướng Chính phủ phê duyệt Kế hoạch 2008",
            mic(),
            Deadline(DeadlineKind.MONTH, year=2008, month=1),
            position=1,
        ),
        "2.b": task(
            prog,
            "2.b",
            "Hoàn thành cơ chế phân bổ 200 tỷ đồng",
            mic(),
            Deadline.on(dt.date(2008, 6, 30)),
            co=(mof(), mpi()),
            position=2,
        ),
        "4": task(
            prog,
            "4",
            "Bố trí kinh phí thực hiện Chương trình",
            mof(),
            Deadline.standing(),
            position=3,
        ),
        # Assigned after the report's year: not in a 2008 report.
        "5": task(
            prog,
            "5",
            "Đánh giá giữa kỳ",
            mic(),
            Deadline(DeadlineKind.QUARTER, year=2009, quarter=2),
            assigned_on=dt.date(2009, 1, 5),
            position=4,
        ),
    }
    editors = {
        "mic": make_user("mic_editor", mic(), Role.EDITOR),
        "mof": make_user("mof_editor", mof(), Role.EDITOR),
    }
    return {"programme": prog, "tasks": tasks, "editors": editors}


def report(org: OrgUnit, actor: User) -> Document:
    return do_create_document(unit=org, version=version_2008(), actor=actor)


def rows(document: Document) -> dict[str, dict[str, Any]]:
    """The table's rows by task code: their cells."""
    return {
        e.content["cells"]["task_code"]: e.content["cells"]
        for e in Entry.objects.filter(document=document, collection=COLLECTION, deleted=False)
    }


def entry_of(document: Document, code: str) -> Entry:
    return next(
        e
        for e in Entry.objects.filter(document=document, collection=COLLECTION)
        if e.content["cells"]["task_code"] == code
    )


def filled(world: dict[str, Any]) -> tuple[User, Document]:
    """The ministry's editor and their 2008 report, its task rows filled."""
    editor = world["editors"]["mic"]
    document = report(mic(), editor)
    do_fill_rows(document, actor=editor)
    return editor, document


def save_cells(document: Document, code: str, cells: dict[str, Any], editor: User) -> Any:
    """The editor's save of some cells of the task's row, on its latest revision."""
    entry = entry_of(document, code)
    return do_save_entry(
        document, entry.key, entry.revision, {"cells": cells}, actor=editor, locale="vi"
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def save(client: Client, document: Document, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post(
        reverse("document_entry_save", args=[document.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )
    return response.status_code, response.json()


# --------------------------------------------------------------------------------- the fill


def test_a_sub_task_comes_right_after_its_parent(world: dict[str, Any]) -> None:
    """Entered last (its position after every task), a sub-task of 2.a is listed under 2.a,
    before 2.b, as the assigning document lists it."""
    sub = task(
        world["programme"],
        "2.a.1",
        "Lấy ý kiến các bộ, ngành về dự thảo Kế hoạch 2008",
        mic(),
        Deadline(DeadlineKind.MONTH, year=2008, month=1),
        position=9,
    )
    sub.parent = world["tasks"]["2.a"]
    sub.save(update_fields=["parent"])
    editor = world["editors"]["mic"]
    document = report(mic(), editor)
    do_fill_rows(document, actor=editor)
    ordered = Entry.objects.filter(document=document, collection=COLLECTION).order_by("position")
    assert [e.content["cells"]["task_code"] for e in ordered] == ["2.a", "2.a.1", "2.b"]


def test_opening_the_report_brings_in_the_units_tasks_lead_and_co(world: dict[str, Any]) -> None:
    editor = world["editors"]["mic"]
    document = report(mic(), editor)
    assert rows(document) == {}
    page = client_for(editor).get(reverse("document_edit", args=[document.pk]))
    assert page.status_code == 200
    found = rows(document)
    assert set(found) == {"2.a", "2.b"}  # 4 is the Finance's, 5 was assigned in 2009
    assert found["2.a"] == {
        "task_code": "2.a",
        "content": "Xây dựng, trình Thủ tướng Chính phủ phê duyệt Kế hoạch 2008",
        "deadline": "Tháng 01/2008",
        "role": "lead",
    }
    assert found["2.b"]["deadline"] == "30/06/2008"
    # In the task list's order.
    ordered = Entry.objects.filter(document=document, collection=COLLECTION).order_by("position")
    assert [e.content["cells"]["task_code"] for e in ordered] == ["2.a", "2.b"]
    # The Finance co-operates in 2.b and leads 4.
    finance = report(mof(), world["editors"]["mof"])
    do_fill_rows(finance, actor=world["editors"]["mof"])
    assert {code: cells["role"] for code, cells in rows(finance).items()} == {
        "2.b": "co",
        "4": "lead",
    }
    assert rows(finance)["4"]["deadline"] == "Thường xuyên"
    # Each row through the normal path: a version and an audit entry, and one for the fill.
    entry = entry_of(document, "2.a")
    assert EntryVersion.objects.get(entry=entry).reason == "task list"
    fills = AuditEvent.objects.filter(action=Action.FILL_ROWS, object_id=str(document.pk))
    assert [e.after["added"] for e in fills] == [2]


def test_opening_again_or_a_double_click_adds_nothing(world: dict[str, Any]) -> None:
    editor = world["editors"]["mic"]
    document = report(mic(), editor)
    client = client_for(editor)
    client.get(reverse("document_edit", args=[document.pk]))
    state = sorted(Entry.objects.filter(document=document).values_list("key", "revision"))
    client.get(reverse("document_edit", args=[document.pk]))
    for _ in range(2):  # the button, pressed twice
        response = client.post(reverse("document_fill_rows", args=[document.pk]))
        assert response.status_code == 302
    assert sorted(Entry.objects.filter(document=document).values_list("key", "revision")) == state
    assert AuditEvent.objects.filter(action=Action.FILL_ROWS).count() == 1
    assert not do_fill_rows(document, actor=editor).changed


def test_a_task_written_loosely_is_stored_once_not_refreshed_on_every_opening(
    world: dict[str, Any],
) -> None:
    """Content with stray blanks is stored as a save stores it; opening again finds nothing
    to change (no new revision on every opening)."""
    editor = world["editors"]["mic"]
    item = world["tasks"]["2.a"]
    item.content = "  Xây dựng Kế hoạch 2008\r\n(gọi tắt là Kế hoạch 2008)   "
    item.save()
    document = report(mic(), editor)
    assert do_fill_rows(document, actor=editor).added == 2
    assert not rows_to_fill(document)
    assert not do_fill_rows(document, actor=editor).changed
    assert entry_of(document, "2.a").revision == 1


def test_a_changed_task_refreshes_its_cells_and_keeps_the_agencys(world: dict[str, Any]) -> None:
    editor, document = filled(world)
    entry = entry_of(document, "2.b")
    save_cells(
        document,
        "2.b",
        {"status": "in_progress", "results": "Đã trình dự thảo", "evidence": "12/TTr"},
        editor,
    )
    # The assigning authority extends the deadline and rewords the task.
    item = world["tasks"]["2.b"]
    item.content = "Hoàn thành cơ chế phân bổ 200 tỷ đồng vốn ngân sách trung ương"
    item.set_deadline(Deadline(DeadlineKind.QUARTER, year=2008, quarter=3))
    item.save()
    result = do_fill_rows(document, actor=editor)
    assert (result.added, result.refreshed, result.flagged) == (0, 1, 0)
    cells = rows(document)["2.b"]
    assert cells["content"] == "Hoàn thành cơ chế phân bổ 200 tỷ đồng vốn ngân sách trung ương"
    assert cells["deadline"] == "Quý III/2008"
    assert (cells["status"], cells["results"], cells["evidence"]) == (
        "in_progress",
        "Đã trình dự thảo",
        "12/TTr",
    )
    refreshed = entry_of(document, "2.b")
    assert refreshed.revision == entry.revision + 2
    assert EntryVersion.objects.filter(entry=refreshed, reason="task list").count() == 2


def test_a_task_that_leaves_the_list_is_flagged_never_deleted(world: dict[str, Any]) -> None:
    editor, document = filled(world)
    save_cells(
        document, "2.a", {"status": "completed", "results": "Kế hoạch 2008 đã trình"}, editor
    )
    # Reassigned to the Finance: no longer the ministry's.
    item = world["tasks"]["2.a"]
    item.lead_unit = mof()
    item.save()
    result = do_fill_rows(document, actor=editor)
    assert (result.added, result.refreshed, result.flagged) == (0, 0, 1)
    cells = rows(document)["2.a"]
    assert cells["role"] == "removed"
    assert cells["results"] == "Kế hoạch 2008 đã trình"
    assert not do_fill_rows(document, actor=editor).changed  # flagged once
    # Assigned back: the row is the ministry's again.
    item.lead_unit = mic()
    item.save()
    do_fill_rows(document, actor=editor)
    assert rows(document)["2.a"]["role"] == "lead"


def test_another_units_tasks_never_appear_nor_its_report(world: dict[str, Any]) -> None:
    mic_editor, mof_editor = world["editors"]["mic"], world["editors"]["mof"]
    ministry = report(mic(), mic_editor)
    finance = report(mof(), mof_editor)
    do_fill_rows(ministry, actor=mic_editor)
    do_fill_rows(finance, actor=mof_editor)
    assert "4" not in rows(ministry)
    assert "2.a" not in rows(finance)
    client = client_for(mof_editor)
    assert client.get(reverse("document_edit", args=[ministry.pk])).status_code == 404
    assert client.post(reverse("document_fill_rows", args=[ministry.pk])).status_code == 404


def test_a_document_that_is_not_a_draft_is_not_filled(world: dict[str, Any]) -> None:
    editor = world["editors"]["mic"]
    document = report(mic(), editor)
    Document.objects.filter(pk=document.pk).update(status="submitted")
    client_for(editor).get(reverse("document_edit", args=[document.pk]))
    assert rows(document) == {}


# ---------------------------------------------------------------------- read-only cells


def test_a_save_cannot_change_the_cells_the_list_fills(world: dict[str, Any]) -> None:
    editor, document = filled(world)
    entry = entry_of(document, "2.a")
    client = client_for(editor)
    before = sorted(Entry.objects.filter(document=document).values_list("key", "revision"))
    for column, value in (("content", "Nhiệm vụ khác"), ("deadline", "31/12/2009"), ("role", "")):
        status, body = save(
            client,
            document,
            {"key": entry.key, "base": entry.revision, "content": {"cells": {column: value}}},
        )
        assert status == 400, body
        assert "lấy từ danh mục nhiệm vụ, không được sửa" in body["errors"][f"cells.{column}"]
    # Adding or deleting a row by hand is refused too.
    response = client.post(
        reverse("document_entry_add", args=[document.pk]),
        data=json.dumps({"container": "row:tasks", "content": {"cells": {"status": "completed"}}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(
        reverse("document_entry_delete", args=[document.pk]),
        data=json.dumps({"key": entry.key, "base": entry.revision}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert sorted(Entry.objects.filter(document=document).values_list("key", "revision")) == before
    # The agency's own columns save as in any table (the read-only cells sent as they are).
    status, body = save(
        client,
        document,
        {
            "key": entry.key,
            "base": entry.revision,
            "content": {"cells": {"task_code": "2.a", "status": "Đã hoàn thành"}},
        },
    )
    assert status == 200, body
    assert rows(document)["2.a"]["status"] == "completed"


def test_an_editors_older_copy_merges_with_a_refresh(world: dict[str, Any]) -> None:
    """The editor's page still shows the old deadline when the list changes it: their save
    of the results is merged, and the list's deadline stays."""
    editor, document = filled(world)
    entry = entry_of(document, "2.b")
    item = world["tasks"]["2.b"]
    item.set_deadline(Deadline.on(dt.date(2008, 9, 30)))
    item.save()
    do_fill_rows(document, actor=editor)
    result = do_save_entry(
        document,
        entry.key,
        entry.revision,
        {"cells": {"deadline": "30/06/2008", "results": "Đang hoàn thiện"}},
        actor=editor,
        locale="vi",
    )
    assert result.status == "merged"
    cells = rows(document)["2.b"]
    assert (cells["deadline"], cells["results"]) == ("30/09/2008", "Đang hoàn thiện")
    # A value neither the list nor the editor's copy had is refused.
    with pytest.raises(ContentError):
        do_save_entry(
            document,
            entry.key,
            entry.revision,
            {"cells": {"deadline": "01/01/2010"}},
            actor=editor,
            locale="vi",
        )


# --------------------------------------------------------------- as any table: print, check


def test_the_official_docx_prints_the_tasks(world: dict[str, Any]) -> None:
    editor, document = filled(world)
    save_cells(document, "2.a", {"status": "completed", "evidence": "Quyết định 43/QĐ-TTg"}, editor)
    printed = Docx(io.BytesIO(docx_bytes(official_document(document))))
    lines = [[cell.text for cell in row.cells] for table in printed.tables for row in table.rows]
    task_2a = next(line for line in lines if "2.a" in line)
    assert "Xây dựng, trình Thủ tướng Chính phủ phê duyệt Kế hoạch 2008" in task_2a
    assert "Tháng 01/2008" in task_2a
    assert "Chủ trì" in task_2a
    assert "Đã hoàn thành" in task_2a
    assert "Quyết định 43/QĐ-TTg" in task_2a
    assert any("2.b" in line and "Chủ trì" in line for line in lines)


def test_an_overdue_task_needs_its_results(world: dict[str, Any]) -> None:
    editor, document = filled(world)
    save_cells(document, "2.a", {"status": "overdue"}, editor)
    failing = [f for f in validate(document).errors if f.check_id.endswith("R1")]
    assert failing and "quá hạn" in failing[0].message
    save_cells(document, "2.a", {"results": "Chậm do chờ ý kiến các Bộ"}, editor)
    assert not [f for f in validate(document).errors if f.check_id.endswith("R1")]


def test_an_import_ignores_the_read_only_columns_and_adds_no_row(world: dict[str, Any]) -> None:
    editor, document = filled(world)
    for code in ("2.a", "2.b"):
        save_cells(document, code, {"status": "in_progress"}, editor)
    uid_2a = entry_of(document, "2.a").key.rsplit(":", 1)[1]
    specs = sheet_specs(document.framework_version.parsed(), document)
    # The task's content rewritten in the file and the results filled: only the status and
    # the results are taken; the row of 2.b left out of the file stays (removed: 0).
    edited = write_workbook(
        [
            (
                s,
                [
                    RowData(
                        uid=uid_2a,
                        cells={
                            "task_code": "2.a",
                            "content": "Nội dung đã sửa trong tệp",
                            "deadline": "31/12/2010",
                            "role": "Phối hợp",
                            "status": "Đã hoàn thành",
                            "results": "Kế hoạch 2008 đã được phê duyệt",
                        },
                    )
                ],
            )
            for s in specs
            if s.table.code == "tasks"
        ],
        title="t",
    )
    preview = do_preview_import(document, edited, filename="bang.xlsx", actor=editor, locale="vi")
    assert preview.ok, preview.problems
    assert preview.counts == {"added": 0, "changed": 1, "removed": 0, "unchanged": 0}
    (changed,) = preview.plan["tables"][0]["changed"]
    assert changed["columns"] == [
        "Tình hình thực hiện (tự đánh giá)",
        "Kết quả thực hiện",
    ]
    assert changed["content"]["cells"]["content"] == (
        "Xây dựng, trình Thủ tướng Chính phủ phê duyệt Kế hoạch 2008"
    )
    # A row the list does not have: refused, naming the row; nothing stored.
    added = write_workbook(
        [
            (s, [RowData(uid=None, cells={"task_code": "9", "status": "Đã hoàn thành"})])
            for s in specs
            if s.table.code == "tasks"
        ],
        title="t",
    )
    refused = do_preview_import(document, added, filename="them.xlsx", actor=editor, locale="vi")
    assert not refused.ok
    assert refused.batch is None
    assert any(p.row == 2 and "task list" in p.template for p in refused.problems)


# ----------------------------------------------------------------------------- the page


def test_the_editor_shows_the_task_table_with_its_read_only_columns(
    world: dict[str, Any],
) -> None:
    editor = world["editors"]["mic"]
    document = report(mic(), editor)
    page = client_for(editor).get(reverse("document_edit", args=[document.pk])).content.decode()
    assert "Nhiệm vụ được giao theo Kết luận ngày 28/12/2007" in page
    assert reverse("document_fill_rows", args=[document.pk]) in page
    assert 'class="from-source"' in page
    assert "Xây dựng, trình Thủ tướng Chính phủ phê duyệt Kế hoạch 2008" in page  # grid data
    assert "add-row" not in page.split('data-table="tasks"')[1].split("</table>")[0]


# -------------------------------------------------------------------- two people at once


RACE = """
format: govplan/framework@1
code: TEST-NHIEMVU-2027
kind: report
title: Báo cáo thử thực hiện nhiệm vụ năm 2027
period: {from: 2027, to: 2027}
issued_by: {number: 4/TEST, date: 2026-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2026-12-20
sections:
  - number: I
    title: NHIỆM VỤ ĐƯỢC GIAO
    tables:
      - code: tasks
        title: Nhiệm vụ được giao
        rows_from: {source: programme_tasks, programme: CT-THU-2027}
        columns:
          - {code: task_code, title: Mã, type: text, role: task_code}
          - code: role
            title: Vai trò
            type: choice
            role: task_lead
            choices:
              - {code: lead, title: Chủ trì}
              - {code: co, title: Phối hợp}
              - {code: removed, title: Không còn được giao}
          - {code: results, title: Kết quả, type: longtext}
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_editors_filling_at_once_add_each_task_once(small_nation) -> None:  # type: ignore[no-untyped-def]
    from tests.support.frameworks import publish

    province, people = small_nation
    admin = people["admin"]
    version = publish(RACE, admin)
    prog = Programme.objects.create(
        code="CT-THU-2027",
        name="Chương trình thử",
        period_start=2026,
        period_end=2027,
        basis_number="1/TEST",
        basis_date=dt.date(2026, 1, 5),
        basis_title="Quyết định thử",
        assigning_unit=admin.memberships.get().org_unit,
    )
    for i in range(1, 6):
        task(
            prog,
            f"T{i}",
            f"Nhiệm vụ {i}",
            province,
            Deadline.standing(),
            assigned_on=dt.date(2026, 2, 1),
            position=i,
        )
    editors = [people["editor_a"], make_user("editor_a2", province, Role.EDITOR)]
    document = do_create_document(unit=province, version=version, actor=editors[0])
    for _round in range(5):
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def fill(who: User) -> None:
            try:
                barrier.wait()
                do_fill_rows(Document.objects.get(pk=document.pk), actor=who)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=fill, args=(e,)) for e in editors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        assert Entry.objects.filter(document=document, collection=COLLECTION).count() == 5
        assert len(rows(document)) == 5
        Entry.objects.filter(document=document).delete()  # the next round starts empty
    assert AuditEvent.objects.filter(action=Action.FILL_ROWS).count() == 5


def test_the_demo_report_of_the_ministry_is_filled_from_the_programme(
    world: dict[str, Any],
) -> None:
    from govplan.demo.task_report import load_demo_task_report

    admin = make_user("quantri", unit("govplan", "CDSQG"), Role.CENTRAL_ADMIN)
    document = load_demo_task_report(admin)
    assert document is not None
    assert document.org_unit == mic()
    assert set(rows(document)) == {"2.a", "2.b"}
    again = load_demo_task_report(admin)  # loading the demo again changes nothing
    assert again == document
    assert Entry.objects.filter(document=document).count() == 2
