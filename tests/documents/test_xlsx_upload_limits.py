"""An uploaded workbook that would exhaust the reader (the issue's 1.5 KB file declaring
or holding a cell at XFD1048576, a reader that does not finish) is refused with its reason,
changes nothing, and the server carries on; a table cannot grow past its row limit through
an import."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from govplan.core.adapters import xlsx_reader
from govplan.core.adapters.xlsx import RowData, sheet_names
from govplan.documents.models import Document, Entry, ImportBatch
from govplan.documents.tables_xlsx import sheet_specs
from tests.conftest import Cast
from tests.documents.test_xlsx_and_files import add_row, client_for, upload, workbook_with
from tests.support.crafted_xlsx import crafted_workbook

pytestmark = pytest.mark.django_db


def live_names(document: Document) -> list[str]:
    return [
        e.content["cells"]["name"]
        for e in Entry.objects.filter(document=document, kind="row", deleted=False)
    ]


def test_a_table_may_not_grow_past_its_row_limit_through_an_import(
    cast: Cast, document_a: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("govplan.documents.tables_xlsx.MAX_ROWS_PER_TABLE", 2)
    client = client_for(cast.editor_a)
    rows = [RowData(uid=None, cells={"name": f"Dự án {i}"}) for i in range(3)]
    page = upload(client, document_a, workbook_with(document_a, rows)).content.decode()
    assert "trang tính có hơn 2 dòng" in page
    assert not ImportBatch.objects.filter(document=document_a).exists()


def projects_sheet(document: Document) -> str:
    specs = sheet_specs(document.framework_version.parsed(), document)
    return sheet_names(specs)[[s.table.code for s in specs].index("projects")]


def test_a_workbook_declaring_a_million_rows_is_refused_naming_the_sheet_and_its_range(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    add_row(client, document_a, {"name": "Có sẵn"})
    sheet = projects_sheet(document_a)
    data = crafted_workbook(sheet, dimension="A1:XFD1048576", cells={"A1": "TT", "XFD1048576": "x"})

    page = upload(client, document_a, data).content.decode()

    assert sheet in page and "A1:XFD1048576" in page
    assert "apply" not in page.split("problems")[-1]
    assert not ImportBatch.objects.filter(document=document_a).exists()
    assert live_names(document_a) == ["Có sẵn"]


def test_a_workbook_that_crashes_the_reader_is_refused_and_the_server_carries_on(
    cast: Cast, document_a: Document, caplog: pytest.LogCaptureFixture
) -> None:
    """No declared range to refuse it by; one cell at XFD1048576. The reading process dies
    (512 GB asked); the request gets an answer, the log a line, the table nothing."""
    client = client_for(cast.editor_a)
    add_row(client, document_a, {"name": "Có sẵn"})
    data = crafted_workbook(
        projects_sheet(document_a), dimension=None, cells={"A1": "TT", "XFD1048576": "x"}
    )

    with caplog.at_level(logging.WARNING, logger="govplan.core.adapters.xlsx_reader"):
        response = upload(client, document_a, data, "tan-cong.xlsx")

    assert response.status_code == 200
    assert "quá lớn hoặc bị hỏng" in response.content.decode()
    assert any(f"document {document_a.pk}" in r.getMessage() for r in caplog.records)
    assert not ImportBatch.objects.filter(document=document_a).exists()
    good = workbook_with(document_a, [RowData(uid=None, cells={"name": "Sau đó"})])
    assert "/apply/" in upload(client, document_a, good).content.decode()


def test_the_reader_time_limit_comes_from_the_settings(
    cast: Cast,
    document_a: Document,
    settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    endless = tmp_path / "endless.py"
    endless.write_text("while True:\n    pass\n")
    monkeypatch.setattr(xlsx_reader, "CHILD", endless)
    settings.IMPORT_READ_SECONDS = 1
    data = workbook_with(document_a, [RowData(uid=None, cells={"name": "Thêm"})])
    page = upload(client_for(cast.editor_a), document_a, data).content.decode()
    assert "quá lớn hoặc bị hỏng" in page
    assert not ImportBatch.objects.filter(document=document_a).exists()
