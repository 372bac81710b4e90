"""The statistics and the lists as XLSX: opened with python-calamine, the title, the reporting
date, the Government Office's columns, the figures as numbers equal to the page's, and a
hostile text kept as text."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.conftest import Cast, unit
from tests.programmes.helpers import programme, task
from tests.programmes.test_stats import MIC, MOF, N, build

pytestmark = pytest.mark.django_db

D = dt.date


def rows_of(content: bytes) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows: list[list[Any]] = book.get_sheet_by_index(0).to_python()
    return rows


def _client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.central_admin)
    return client


def test_programme_table_as_xlsx(cast: Cast) -> None:
    owner = build(cast)
    response = _client(cast).get(
        reverse("programme_statistics_xlsx", args=[owner.pk]), {"on": N.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('20080630.xlsx"')
    rows = rows_of(response.content)
    assert rows[0][0] == "Tình hình thực hiện nhiệm vụ được giao theo cơ quan chủ trì"
    labels = {row[0]: row[1] for row in rows[1:4] if row and row[0]}
    assert labels["Chương trình"] == owner.name
    assert labels["Ngày báo cáo"] == "30/06/2008"
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert rows[header][1:6] == [
        "Cơ quan chủ trì",
        "Tổng số nhiệm vụ",
        "Nhiệm vụ thường xuyên",
        "Nhiệm vụ có thời hạn",
        "Đến hạn tại ngày báo cáo",
    ]
    mic, mof, total = rows[header + 1], rows[header + 2], rows[header + 3]
    order = ["total", "standing", "dated", "due", "completed", "completed_on_time"]
    order += ["completed_late", "open", "open_in_time", "overdue"]
    assert mic[1] == "Bộ Thông tin và Truyền thông"
    assert mic[2:12] == [MIC[k] for k in order]
    assert mof[2:12] == [MOF[k] for k in order]
    assert total[1] == "Tổng cộng"
    assert total[2:12] == [MIC[k] + MOF[k] for k in order]
    assert mic[12:15] == [50.0, 33.3, 33.3]
    assert all(isinstance(v, float) for v in mic[2:15])  # numbers, not texts


def test_national_tables_as_xlsx(cast: Cast) -> None:
    build(cast)
    client = _client(cast)
    by_programme = rows_of(
        client.get(
            reverse("national_statistics_xlsx"), {"on": N.isoformat(), "by": "programme"}
        ).content
    )
    header = next(i for i, row in enumerate(by_programme) if row[0] == "STT")
    assert by_programme[header + 1][1:3] == ["Chương trình P2007", 14.0]
    by_agency = rows_of(
        client.get(reverse("national_statistics_xlsx"), {"on": N.isoformat()}).content
    )
    header = next(i for i, row in enumerate(by_agency) if row[0] == "STT")
    assert [r[1] for r in by_agency[header + 1 : header + 4]] == [
        "Bộ Thông tin và Truyền thông",
        "Bộ Tài chính",
        "Tổng cộng",
    ]


def test_task_list_as_xlsx_keeps_hostile_text_as_text(cast: Cast) -> None:
    owner = programme("HOSTILE", cast.central, on=D(2026, 1, 5))
    hostile = '=HYPERLINK("http://evil.example","bấm vào đây")'
    parent = task(owner, "1", cast.province_a, due=D(2026, 3, 31), content=hostile)
    task(owner, "1.1", cast.province_a, due=D(2026, 2, 28), parent=parent, content="+SUM(A1:A9)")
    task(owner, "2", cast.province_a, due=D(2026, 3, 31), completed=D(2026, 3, 2))
    response = _client(cast).get(
        reverse("programme_statistics_tasks_xlsx"),
        {"on": "2026-06-30", "figure": "overdue", "programme": owner.pk},
    )
    assert response.status_code == 200
    rows = rows_of(response.content)
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    first, sub = rows[header + 1], rows[header + 2]
    assert first[1:3] == ["1", hostile]
    assert first[6] == D(2026, 3, 31)
    assert first[8] == "Quá hạn"
    assert sub[1:3] == ["    1.1", "+SUM(A1:A9)"]
    assert len(rows) == header + 3  # task 2 is completed: not in the list
    # No cell of the file is a formula.
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert "HYPERLINK" not in str(book.get_sheet_by_index(0).to_python(skip_empty_area=False)[0])
    assert b"<f>" not in _sheet_xml(response.content)


def _sheet_xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_scoped_export_holds_only_the_agency_rows(cast: Cast) -> None:
    owner = programme("P2026", cast.central, on=D(2026, 1, 5))
    task(owner, "1", cast.province_a, due=D(2026, 3, 31))
    task(owner, "2", cast.province_b, due=D(2026, 3, 31))
    client = Client()
    client.force_login(cast.editor_b)
    rows = rows_of(
        client.get(
            reverse("programme_statistics_xlsx", args=[owner.pk]), {"on": "2026-06-30"}
        ).content
    )
    names = [str(r[1]) for r in rows]
    assert cast.province_b.name in names
    assert cast.province_a.name not in names
    assert unit("gso-province", "01").name == cast.province_b.name
