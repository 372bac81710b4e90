"""The cycle workbook: every visible document of a framework version, its tables and its
indicator values in one XLSX, through the view and directly."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from govplan.core.adapters.xlsx import (
    TOTAL_LABEL,
    SheetSpec,
    column_header,
    phasing_columns,
)
from govplan.demo.documents import fill_for_demo
from govplan.documents.actions import do_add_entry, do_create_document
from govplan.documents.models import Document
from govplan.documents.tables_xlsx import SOURCE_SHORT, TYPE_SHORT
from govplan.frameworks.models import FrameworkVersion
from govplan.official.cycle import cycle_documents
from govplan.official.cycle_workbook import (
    INDICATOR_SHEET,
    LIST_SHEET,
    TOTAL_FUNDING,
    cycle_workbook,
)
from govplan.orgunits.models import OrgUnit
from tests.conftest import Cast, example_version, unit

pytestmark = pytest.mark.django_db

PROJECTS = "Danh mục nhiệm vụ, dự án"
CODE = "KH-CDS-2027-MAU"


def url(**query: str) -> str:
    base = reverse("cycle_xlsx", kwargs={"code": CODE, "number": 1})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def get(user: Any, **query: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url(**query))


def book(content: bytes) -> CalamineWorkbook:
    return CalamineWorkbook.from_filelike(io.BytesIO(content))


def sheet(content: bytes, name: str) -> list[list[Any]]:
    return book(content).get_sheet_by_name(name).to_python(skip_empty_area=False)


def table(rows: list[list[Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The header and the rows below it (as dicts) of a sheet with title lines."""
    top = next(i for i, r in enumerate(rows) if r and r[0] in ("TT", "Đơn vị"))
    header = rows[top]
    return header, [dict(zip(header, r, strict=True)) for r in rows[top + 1 :]]


def filled(cast: Cast, province: OrgUnit, actor: Any, projects: int = 1) -> Document:
    document = do_create_document(unit=province, version=example_version(), actor=actor)
    fill_for_demo(document, actor=actor)
    for i in range(projects - 1):
        do_add_entry(
            document,
            "row:projects",
            {
                "cells": {"name": f"Dự án thêm {i}", "total": f"{i}.125"},
                "phasing": {"2027|oda|capital": "250.5"},
            },
            actor=actor,
            locale="en",  # 0.125 is a decimal point, not a thousands separator
        )
    return document


@pytest.fixture
def both(cast: Cast, document_a: Document) -> tuple[Document, Document]:
    fill_for_demo(document_a, actor=cast.editor_a)
    document_b = filled(cast, cast.province_b, cast.editor_b, projects=3)
    return document_a, document_b


def test_the_central_admin_gets_every_document_with_typed_cells_and_totals(
    cast: Cast, both: tuple[Document, Document]
) -> None:
    response = get(cast.central_admin)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (f'attachment; filename="{CODE}-v1-bang-bieu.xlsx"')
    names = book(response.content).sheet_names
    assert names[0] == LIST_SHEET
    assert PROJECTS in names
    assert names[-1] == INDICATOR_SHEET

    rows = sheet(response.content, LIST_SHEET)
    assert "Cả nước" in rows[0][0]
    header, listed = table(rows)
    assert header == [
        "TT",
        "Mã đơn vị",
        "Đơn vị",
        "Cấp",
        "Loại",
        "Trạng thái",
        "Số ký hiệu",
        "Ngày ban hành",
        "Cập nhật lần cuối",
    ]
    in_tree_order = sorted([cast.province_a, cast.province_b], key=lambda u: u.path)
    assert [r["Đơn vị"] for r in listed] == [u.name for u in in_tree_order]
    assert [r["Mã đơn vị"] for r in listed] == [u.code for u in in_tree_order]
    assert [r["TT"] for r in listed] == [1, 2]
    assert {r["Cấp"] for r in listed} == {"Tỉnh, thành phố trực thuộc TW"}  # in Vietnamese
    assert {r["Loại"] for r in listed} == {"Kế hoạch"}
    assert {r["Trạng thái"] for r in listed} == {"Bản nháp"}
    assert all(isinstance(r["Cập nhật lần cuối"], dt.datetime) for r in listed)

    spec = example_version().parsed()
    projects = spec.table("projects")
    assert projects is not None
    header, data = table(sheet(response.content, PROJECTS))
    sheet_spec = SheetSpec(projects, tuple(spec.period.years()), SOURCE_SHORT, TYPE_SHORT)
    every = [h for _, h in phasing_columns(sheet_spec)]
    *body, totals = data
    # Only the phasing columns holding an amount in some unit's row, in the workbook's order.
    phasing = [h for h in every if any(r.get(h) not in ("", None, 0) for r in body)]
    assert phasing and len(phasing) < len(every)
    assert header == [
        "Đơn vị",
        "Mã đơn vị",
        *[column_header(c) for c in projects.columns],
        *phasing,
        TOTAL_FUNDING,
    ]
    assert len(body) == 1 + 3  # one project of A, three of B
    assert [r["Đơn vị"] for r in body].count(cast.province_b.name) == 3
    total = column_header(projects.column("total"))  # type: ignore[arg-type]
    assert all(isinstance(r[total], float) for r in body)
    assert totals["Đơn vị"] == TOTAL_LABEL
    assert totals[total] == pytest.approx(sum(r[total] for r in body))
    assert totals[total] == float(Decimal("3000") * 2 + Decimal("0.125") + Decimal("1.125"))
    for column in [*phasing, TOTAL_FUNDING]:
        values = [r[column] for r in body if r[column] != ""]
        assert totals[column] == pytest.approx(sum(values)), column
    assert totals[TOTAL_FUNDING] == 1000 * 2 + 250.5 * 2
    assert all(r[TOTAL_FUNDING] == sum(r[h] or 0 for h in phasing) for r in body)
    field = column_header(projects.column("field"))  # type: ignore[arg-type]
    assert body[0][field] == projects.column("field").choices[0].title  # type: ignore[union-attr]

    header, values = table(sheet(response.content, INDICATOR_SHEET))
    assert header[:4] == ["Đơn vị", "Mã đơn vị", "Mã chỉ tiêu", "Chỉ tiêu"]
    a_values = [r for r in values if r["Mã đơn vị"] == cast.province_a.code]
    by_code = {r["Mã chỉ tiêu"]: r for r in a_values if not r["Phân tổ"]}
    assert by_code["ATTT.SU_CO"]["Giá trị"] == 1000.0
    assert by_code["ATTT.GIAM_SAT"]["Giá trị"] == "có"
    assert by_code["HT.HOP_TRUC_TUYEN"]["Tử số"] == 90.0
    assert by_code["HT.HOP_TRUC_TUYEN"]["Mẫu số"] == 100.0
    assert by_code["HT.HOP_TRUC_TUYEN"]["Giá trị"] == 90.0
    assert by_code["HT.MAY_TINH_CBCC"]["Đơn vị tính"] == "máy tính/người"
    assert by_code["HT.MAY_TINH_CBCC"]["Giá trị"] == 0.9  # a quotient, not a percentage
    broken_down = [r for r in a_values if r["Mã chỉ tiêu"] == "DVC.TRUC_TUYEN"]
    assert len(broken_down) > 1 and all(r["Phân tổ"] for r in broken_down)

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(r"<f[ >]", archive.read(name).decode()), name


def test_an_editor_sees_only_the_documents_of_their_unit(
    cast: Cast, both: tuple[Document, Document]
) -> None:
    response = get(cast.editor_b)
    assert response.status_code == 200
    _, listed = table(sheet(response.content, LIST_SHEET))
    assert [r["Đơn vị"] for r in listed] == [cast.province_b.name]
    _, data = table(sheet(response.content, PROJECTS))
    assert {r["Đơn vị"] for r in data} == {cast.province_b.name, TOTAL_LABEL}
    assert "Cả nước" not in sheet(response.content, LIST_SHEET)[0][0]

    response = get(cast.editor_a)
    _, listed = table(sheet(response.content, LIST_SHEET))
    assert [r["Đơn vị"] for r in listed] == [cast.province_a.name]


def test_nothing_visible_is_an_empty_workbook_not_an_error(cast: Cast) -> None:
    response = get(cast.commune_editor_a)
    assert response.status_code == 200
    _, listed = table(sheet(response.content, LIST_SHEET))
    assert listed == []
    assert sheet(response.content, PROJECTS)[-1][0] == "Đơn vị"  # the header, no totals


def test_the_status_and_unit_filters(cast: Cast, both: tuple[Document, Document]) -> None:
    document_a, _ = both
    Document.objects.filter(pk=document_a.pk).update(status="approved")
    response = get(cast.central_admin, status="approved")
    assert response.status_code == 200
    _, listed = table(sheet(response.content, LIST_SHEET))
    assert [r["Đơn vị"] for r in listed] == [cast.province_a.name]
    _, data = table(sheet(response.content, PROJECTS))
    assert {r["Đơn vị"] for r in data} == {cast.province_a.name, TOTAL_LABEL}

    response = get(cast.central_admin, unit=str(cast.province_b.pk))
    _, listed = table(sheet(response.content, LIST_SHEET))
    assert [r["Đơn vị"] for r in listed] == [cast.province_b.name]
    assert cast.province_b.name in sheet(response.content, LIST_SHEET)[0][0]

    response = get(cast.central_admin, unit=str(cast.province_b.pk), status="approved")
    _, listed = table(sheet(response.content, LIST_SHEET))
    assert listed == []


@pytest.mark.parametrize("status", ["bogus", "<script>", "DRAFT"])
def test_a_bad_status_is_refused_with_a_message(
    cast: Cast, document_a: Document, status: str
) -> None:
    response = get(cast.central_admin, status=status)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "trạng thái" in text.lower()
    assert "approved" in text  # the statuses that would do


def test_a_unit_outside_the_scope_is_refused_like_one_that_does_not_exist(
    cast: Cast, both: tuple[Document, Document]
) -> None:
    outside = get(cast.editor_a, unit=str(cast.province_b.pk))
    missing = get(cast.editor_a, unit="999999999")
    garbage = get(cast.editor_a, unit="abc")
    assert outside.status_code == missing.status_code == garbage.status_code == 400
    assert outside.content.replace(str(cast.province_b.pk).encode(), b"X") == (
        missing.content.replace(b"999999999", b"X")
    )
    assert cast.province_b.name.encode() not in outside.content
    inside = get(cast.editor_a, unit=str(cast.province_a.pk))
    assert inside.status_code == 200


def test_a_version_the_user_cannot_see_is_not_found(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.editor_a)
    response = client.get(reverse("cycle_xlsx", kwargs={"code": CODE, "number": 99}))
    assert response.status_code == 404
    anonymous = Client().get(url())
    assert anonymous.status_code == 302


def _queries(user: Any, version: FrameworkVersion) -> int:
    documents = list(cycle_documents(user, version))
    with CaptureQueriesContext(connection) as captured:
        cycle_workbook(version, documents, title="t")
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_documents(
    cast: Cast, document_a: Document
) -> None:
    version = example_version()
    fill_for_demo(document_a, actor=cast.editor_a)
    one = _queries(cast.central_admin, version)
    filled(cast, cast.province_b, cast.editor_b, projects=5)
    filled(cast, unit("gso-province", "48"), cast.central_admin, projects=2)
    three = _queries(cast.central_admin, version)
    assert one == three <= 3  # the entries, the legal catalogue, the last changes

    client = Client()
    client.force_login(cast.central_admin)
    with CaptureQueriesContext(connection) as view_three:
        assert client.get(url()).status_code == 200
    Document.objects.exclude(pk=document_a.pk).delete()
    with CaptureQueriesContext(connection) as view_one:
        assert client.get(url()).status_code == 200
    assert len(view_one.captured_queries) == len(view_three.captured_queries)


def test_documents_without_their_unit_loaded_cost_one_more_query(
    cast: Cast, both: tuple[Document, Document]
) -> None:
    version = example_version()
    documents = list(Document.objects.filter(framework_version=version).order_by("pk"))
    with CaptureQueriesContext(connection) as captured:
        content = cycle_workbook(version, documents, title="t")
    assert len(captured.captured_queries) == 4  # and the units
    _, listed = table(sheet(content, LIST_SHEET))
    assert len(listed) == 2


def test_a_value_without_data_is_missing_with_its_reason_never_zero(
    cast: Cast, both: tuple[Document, Document]
) -> None:
    """Issue 13, item 6: "không có số liệu" is listed with its reason, no figure."""
    from govplan.documents.actions import do_save_entry

    document_a, _ = both
    entry = document_a.entries.get(key="value:ATTT.SU_CO")
    do_save_entry(
        document_a,
        entry.key,
        entry.revision,
        {"no_data": "1", "no_data_reason": "Chưa có hệ thống giám sát"},
        actor=cast.editor_a,
        locale="vi",
    )
    _, values = table(sheet(get(cast.central_admin).content, INDICATOR_SHEET))
    row = next(
        r
        for r in values
        if r["Mã đơn vị"] == cast.province_a.code and r["Mã chỉ tiêu"] == "ATTT.SU_CO"
    )
    assert row["Giá trị"] == "" and row["Không có số liệu"] == "Chưa có hệ thống giám sát"
    other = next(
        r
        for r in values
        if r["Mã đơn vị"] == cast.province_b.code and r["Mã chỉ tiêu"] == "ATTT.SU_CO"
    )
    assert other["Giá trị"] == 1000.0 and other["Không có số liệu"] == ""
