"""The editor page written once and compactly (issue 15, item 4): each narrative once, the
legal catalogue once for the page, a table's rows as data the page's script draws, the same
queries whatever the number of rows, and rows that readers cannot change."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govplan.core.frameworks.files import FRAMEWORKS_DIR
from govplan.core.frameworks.yamlsafe import dump_text, load_text
from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
from govplan.documents.models import Document
from govplan.frameworks.actions import do_publish, do_upload_framework
from tests.conftest import Cast
from tests.support.documents import page_grid

pytestmark = pytest.mark.django_db

LAW = "LUAT-67-2006-QH11"  # in the catalogue, suggested by no section


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def editor_page(user: Any, document: Document) -> str:
    response = client_for(user).get(reverse("document_edit", args=[document.pk]))
    assert response.status_code == 200
    return response.content.decode()


def add_rows(cast: Cast, document: Document, count: int, cells: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    for i in range(count):
        do_add_entry(
            document,
            "row:projects",
            {
                "cells": cells or {"name": f"Dự án {i}", "total": "1.000"},
                "phasing": {"2027|central_budget|capital": "250"},
            },
            actor=cast.editor_a,
            locale="vi",
        )


def test_each_narrative_is_written_once_and_kept_as_stored(
    cast: Cast, document_a: Document
) -> None:
    # Blanks and line breaks inside the text are the user's: the page's own indentation
    # is taken out, never theirs.
    text = "<p>Nâng cấp Kho dữ liệu Kinh Bắc\n      của tỉnh  &amp; các xã</p>"
    do_save_entry(document_a, "narrative:IX", 0, {"html": text}, actor=cast.editor_a, locale="vi")
    page = editor_page(cast.editor_a, document_a)
    assert page.count("Kho dữ liệu Kinh Bắc") == 1
    area = re.search(r'<textarea id="n-IX"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert area is not None and html.unescape(area.group(1)) == text


def test_the_legal_catalogue_is_written_once_for_every_section_citing(cast: Cast) -> None:
    # The 2027 example with a second section (IX) citing legal documents.
    data = load_text((FRAMEWORKS_DIR / "kh-cds-2027-mau.yaml").read_text(encoding="utf-8"))
    data["code"] = "KH-HAI-CAN-CU"
    ix = next(s for s in data["sections"] if s["number"] == "IX")
    ix["legal_basis"] = {"suggested": ["ND-42-2022"]}
    draft = do_upload_framework(dump_text(data), actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    document = do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)
    page = editor_page(cast.editor_a, document)
    assert page.count('class="legal-select"') == 2
    assert page.count('<template id="legal-catalogue">') == 1
    assert page.count(f'<option value="{LAW}">') == 1
    # Each picker keeps the framework's suggestions first, in its own select.
    picker = page.split('id="legal-IX" class="legal-select">', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]+)">', picker) == ["ND-42-2022"]


def test_rows_are_data_that_a_hostile_cell_cannot_break_out_of(
    cast: Cast, document_a: Document
) -> None:
    hostile = '</script><script>alert("x")</script> & <b>Cổng</b>'
    add_rows(cast, document_a, 2, {"name": hostile, "total": "1.234,5"})
    page = editor_page(cast.editor_a, document_a)
    assert "<script>alert" not in page
    rows = page_grid(page, "projects")
    assert [r["cells"]["name"] for r in rows] == [hostile, hostile]
    assert [r["cells"]["total"] for r in rows] == ["1.234,5", "1.234,5"]
    assert rows[0]["phasing"] == {"2027|central_budget|capital": "250"}
    assert [r["number"] for r in rows] == [1, 2]
    # The rows are not also laid out as markup: one row, the template the script draws from.
    drawn = r'<tr class="entry row-entry grid-row" data-key="[^"]*" data-revision="\d+"'
    drawn += r' data-kind="row">'
    assert len(re.findall(drawn, page)) == 1


def test_the_page_makes_the_same_queries_for_30_rows_as_for_3(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    url = reverse("document_edit", args=[document_a.pk])

    def queries() -> int:
        client.get(url)  # sessions, caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add_rows(cast, document_a, 3)
    few = queries()
    add_rows(cast, document_a, 27)
    assert queries() == few
    assert len(page_grid(client.get(url).content.decode(), "projects")) == 30


def test_readers_see_the_rows_and_get_no_way_to_change_them(
    cast: Cast, document_a: Document
) -> None:
    add_rows(cast, document_a, 2)
    page = editor_page(cast.approver_a, document_a)
    assert [r["cells"]["name"] for r in page_grid(page, "projects")] == ["Dự án 0", "Dự án 1"]
    block = page.split('data-table="projects"', 1)[1].split('class="grid-data"', 1)[0]
    template = block.split('<template class="row-template">', 1)[1].split("</template>", 1)[0]
    inputs = re.findall(r"<input [^>]*>", template)
    assert inputs and all(" readonly" in i for i in inputs)
    assert "delete-row" not in template and "add-row" not in page
    assert '<template id="legal-catalogue">' not in page
