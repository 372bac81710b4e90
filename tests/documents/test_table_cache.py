"""The editor page's table blocks kept in the cache (issue 15, deadline day): a page shows a
table exactly as its rows, the framework and the reader's language say now, after every kind
of change (a row saved, moved, deleted, imported, restored, a table put back, another
framework version), and a block laid out for one reader never shows another reader what they
may not do or a language they did not ask for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from govplan.core.adapters.xlsx import RowData
from govplan.core.frameworks.files import FRAMEWORKS_DIR
from govplan.core.frameworks.yamlsafe import dump_text, load_text
from govplan.documents import presentation
from govplan.documents.actions import (
    do_add_entry,
    do_delete_entry,
    do_move_entry,
    do_restore_collection,
    do_restore_entry,
    do_save_entry,
)
from govplan.documents.models import Document, Entry
from govplan.documents.tables_xlsx import do_apply_import, do_preview_import
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkVersion
from tests.conftest import Cast
from tests.documents.test_xlsx_and_files import workbook_with
from tests.support.documents import page_grid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def page(user: Any, document: Document, language: str = "vi") -> str:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(reverse("document_edit", args=[document.pk]))
    assert response.status_code == 200
    return response.content.decode()


def names(user: Any, document: Document) -> list[str]:
    return [r["cells"]["name"] for r in page_grid(page(user, document), "projects")]


def add(cast: Cast, document: Document, name: str, amount: str = "250") -> Entry:
    result = do_add_entry(
        document,
        "row:projects",
        {
            "cells": {"name": name, "total": "1.234,5"},
            "phasing": {"2027|central_budget|capital": amount},
        },
        actor=cast.editor_a,
        locale="vi",
    )
    return Entry.objects.get(document=document, key=result.key)


def save(cast: Cast, document: Document, entry: Entry, name: str) -> None:
    entry.refresh_from_db()
    result = do_save_entry(
        document,
        entry.key,
        entry.revision,
        {"cells": {"name": name, "total": "1.234,5"}, "phasing": {}},
        actor=cast.editor_a,
        locale="vi",
    )
    assert result.status == "saved", result


def table_markup(text: str) -> str:
    """The projects table's block as sent, up to its rows' data."""
    return text.split('data-table="projects"', 1)[1].split("</script>", 1)[0]


def cached_blocks() -> int:
    """How many table blocks the cache holds (LocMemCache, the tests' cache)."""
    return sum(1 for key in cache._cache if ":govplan.table:" in key)  # type: ignore[attr-defined]


def test_a_second_view_takes_the_block_from_the_cache_and_shows_the_same(
    cast: Cast, document_a: Document
) -> None:
    add(cast, document_a, "Kho dữ liệu")
    add(cast, document_a, "Cổng dịch vụ công")
    first = page(cast.editor_a, document_a)
    assert cached_blocks() == 1
    second = page(cast.editor_a, document_a)
    assert table_markup(second) == table_markup(first)
    assert [r["cells"]["name"] for r in page_grid(second, "projects")] == [
        "Kho dữ liệu",
        "Cổng dịch vụ công",
    ]


def test_a_row_saved_shows_at_once(cast: Cast, document_a: Document) -> None:
    row = add(cast, document_a, "Tên cũ")
    assert names(cast.editor_a, document_a) == ["Tên cũ"]
    save(cast, document_a, row, "Tên mới")
    rows = page_grid(page(cast.editor_a, document_a), "projects")
    assert [r["cells"]["name"] for r in rows] == ["Tên mới"]
    assert rows[0]["revision"] == 2  # the page's revision: the next save is not a conflict


def test_a_row_added_and_a_row_deleted_show_at_once(cast: Cast, document_a: Document) -> None:
    first = add(cast, document_a, "Một")
    assert names(cast.editor_a, document_a) == ["Một"]
    add(cast, document_a, "Hai")
    assert names(cast.editor_a, document_a) == ["Một", "Hai"]
    do_delete_entry(document_a, first.key, first.revision, actor=cast.editor_a)
    assert names(cast.editor_a, document_a) == ["Hai"]


def test_a_row_moved_shows_in_its_new_place_and_number(cast: Cast, document_a: Document) -> None:
    one, two, three = (add(cast, document_a, n) for n in ("Một", "Hai", "Ba"))
    assert names(cast.editor_a, document_a) == ["Một", "Hai", "Ba"]
    do_move_entry(document_a, three.key, None, actor=cast.editor_a)  # to the top
    rows = page_grid(page(cast.editor_a, document_a), "projects")
    assert [(r["cells"]["name"], r["number"]) for r in rows] == [("Ba", 1), ("Một", 2), ("Hai", 3)]
    do_move_entry(document_a, three.key, two.key, actor=cast.editor_a)  # back to the end
    assert names(cast.editor_a, document_a) == ["Một", "Hai", "Ba"]
    assert one.key != two.key


def test_an_earlier_version_restored_shows_at_once(
    cast: Cast, document_a: Document, settings: Any
) -> None:
    settings.AUTOSAVE_COALESCE_SECONDS = 0  # each save its own version
    row = add(cast, document_a, "Bản đầu")
    save(cast, document_a, row, "Bản sửa")
    assert names(cast.editor_a, document_a) == ["Bản sửa"]
    do_restore_entry(document_a, row.key, 1, actor=cast.editor_a)
    assert names(cast.editor_a, document_a) == ["Bản đầu"]


def test_a_table_put_back_to_an_earlier_moment_shows_at_once(
    cast: Cast, document_a: Document, settings: Any
) -> None:
    settings.AUTOSAVE_COALESCE_SECONDS = 0  # every save its own version, as the moment needs
    row = add(cast, document_a, "Giữ")
    moment = timezone.now()
    save(cast, document_a, row, "Đổi")
    add(cast, document_a, "Thêm sau")
    assert names(cast.editor_a, document_a) == ["Đổi", "Thêm sau"]
    do_restore_collection(document_a, "table:projects", moment, actor=cast.editor_a)
    assert names(cast.editor_a, document_a) == ["Giữ"]


def test_an_xlsx_import_shows_at_once(cast: Cast, document_a: Document) -> None:
    old = add(cast, document_a, "Cũ")
    assert names(cast.editor_a, document_a) == ["Cũ"]
    data = workbook_with(
        document_a,
        [RowData(uid=None, cells={"name": "Nhập mới"}, phasing={"2027|oda|capital": "7"})],
    )
    preview = do_preview_import(
        document_a, data, filename="b.xlsx", actor=cast.editor_a, locale="vi"
    )
    assert preview.batch is not None, preview.problems
    do_apply_import(preview.batch, actor=cast.editor_a)
    assert Entry.objects.get(pk=old.pk).deleted
    assert names(cast.editor_a, document_a) == ["Nhập mới"]


def test_another_framework_version_lays_the_table_out_anew(
    cast: Cast, document_a: Document
) -> None:
    add(cast, document_a, "Kho dữ liệu")
    assert "Tên dự án (cột đổi tên)" not in page(cast.editor_a, document_a)
    assert cached_blocks() == 1
    data = load_text((FRAMEWORKS_DIR / "kh-cds-2027-mau.yaml").read_text(encoding="utf-8"))
    data["code"] = "KH-CDS-2027-COT-MOI"
    projects = next(
        t for s in data["sections"] for t in s.get("tables", []) if t["code"] == "projects"
    )
    name = next(c for c in projects["columns"] if c["code"] == "name")
    name["title"] = "Tên dự án (cột đổi tên)"
    draft = do_upload_framework(dump_text(data), actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    # The document read against the other version (as a data fix would move it).
    Document.objects.filter(pk=document_a.pk).update(framework_version=version)
    shown = page(cast.editor_a, Document.objects.get(pk=document_a.pk))
    assert "Tên dự án (cột đổi tên)" in shown
    assert [r["cells"]["name"] for r in page_grid(shown, "projects")] == ["Kho dữ liệu"]


def test_the_framework_part_of_the_key_names_a_published_version_for_ever(
    cast: Cast, document_a: Document
) -> None:
    version = document_a.framework_version
    key = presentation.framework_revision(version)
    assert key is not None
    republished = FrameworkVersion.objects.get(pk=version.pk)
    assert republished.published_at is not None
    republished.published_at += dt.timedelta(seconds=1)  # unpublished and published again
    assert presentation.framework_revision(republished) not in (None, key)
    draft = do_upload_framework(
        (FRAMEWORKS_DIR / "kh-cds-2027-mau.yaml").read_bytes(), actor=cast.central_admin
    )
    assert presentation.framework_revision(draft) is None  # a draft may change: not cached


def test_each_language_gets_its_own_block(cast: Cast, document_a: Document) -> None:
    add(cast, document_a, "Kho dữ liệu", amount="1234,5")
    vi = page_grid(page(cast.editor_a, document_a, "vi"), "projects")
    en = page_grid(page(cast.editor_a, document_a, "en"), "projects")
    vi_again = page_grid(page(cast.editor_a, document_a, "vi"), "projects")
    assert vi[0]["phasing"] == {"2027|central_budget|capital": "1.234,5"}
    assert en[0]["phasing"] == {"2027|central_budget|capital": "1,234.5"}
    assert vi_again == vi
    assert cached_blocks() == 2


def test_a_reader_never_gets_the_editors_controls_nor_the_editor_a_readers_page(
    cast: Cast, document_a: Document
) -> None:
    # The cached block is the same for both; what each may do is laid out around it.
    add(cast, document_a, "Kho dữ liệu")
    editor_first = page(cast.editor_a, document_a)
    reader = page(cast.appraiser, document_a)
    assert "add-row" in editor_first and "add-row" not in reader
    assert page_grid(reader, "projects") == page_grid(editor_first, "projects")
    cache.clear()
    reader_first = page(cast.appraiser, document_a)
    editor = page(cast.editor_a, document_a)
    assert "add-row" not in reader_first and "add-row" in editor
    block = editor.split('data-table="projects"', 1)[1].split('class="grid-data"', 1)[0]
    assert "delete-row" in block.split('<template class="row-template">', 1)[1]


def test_a_user_who_may_not_see_the_document_gets_nothing_from_the_cache(
    cast: Cast, document_a: Document
) -> None:
    add(cast, document_a, "Bí mật của tỉnh A")
    page(cast.editor_a, document_a)
    client = Client()
    client.force_login(cast.editor_b)
    response = client.get(reverse("document_edit", args=[document_a.pk]))
    assert response.status_code == 404
    assert "Bí mật của tỉnh A" not in response.content.decode()


def test_a_cached_view_makes_no_more_queries_than_a_first_one(
    cast: Cast, document_a: Document
) -> None:
    for i in range(5):
        add(cast, document_a, f"Dự án {i}")
    client = Client()
    client.force_login(cast.editor_a)
    url = reverse("document_edit", args=[document_a.pk])
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) <= len(cold)


def test_a_hostile_cell_is_still_escaped_when_served_from_the_cache(
    cast: Cast, document_a: Document
) -> None:
    hostile = '</script><script>alert("x")</script>&amp;'
    add(cast, document_a, hostile)
    page(cast.editor_a, document_a)
    served = page(cast.editor_a, document_a)
    assert "<script>alert" not in served
    assert [r["cells"]["name"] for r in page_grid(served, "projects")] == [hostile]


def test_a_row_saved_is_written_again_alone_and_the_totals_count_it(
    cast: Cast, document_a: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [add(cast, document_a, f"Dự án {i}", amount="100") for i in range(4)]
    page(cast.editor_a, document_a)
    written: list[Any] = []
    real = presentation.display_value

    def counting(*args: Any, **kwargs: Any) -> str:
        written.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(presentation, "display_value", counting)
    entry = rows[2]
    entry.refresh_from_db()
    result = do_save_entry(
        document_a,
        entry.key,
        entry.revision,
        {"cells": {"name": "Đã sửa"}, "phasing": {"2027|central_budget|capital": "250"}},
        actor=cast.editor_a,
        locale="vi",
    )
    assert result.status == "saved"
    shown = page(cast.editor_a, document_a)
    grid = page_grid(shown, "projects")
    assert [r["cells"]["name"] for r in grid] == ["Dự án 0", "Dự án 1", "Đã sửa", "Dự án 3"]
    columns = len(document_a.framework_version.parsed().table("projects").columns)  # type: ignore[union-attr]
    assert 0 < len(written) <= columns + 2 * 12  # one row's cells and amounts, not four rows'
    assert grid[2]["phasing"] == {"2027|central_budget|capital": "250"}
    block = shown.split('data-table="projects"', 1)[1]
    assert "550" in block.split("</tfoot>", 1)[0].rsplit("<tfoot>", 1)[1]  # 100 × 3 + 250


def test_rows_written_by_a_slower_concurrent_view_never_show_an_older_row(
    cast: Cast, document_a: Document
) -> None:
    # Two views at once: one wrote the rows it read before a save, after the save's view
    # wrote the new ones. Rows are kept by key@revision: the old row is never taken for
    # the new revision.
    rows = [add(cast, document_a, f"Dự án {i}") for i in range(3)]
    page(cast.editor_a, document_a)
    rows_key = next(k for k in cache._cache if ":govplan.table-rows:" in k)  # type: ignore[attr-defined]
    written_before = cache.get(rows_key.split(":", 2)[2])
    assert isinstance(written_before, dict) and len(written_before) == 3
    save(cast, document_a, rows[1], "Tên mới")
    assert names(cast.editor_a, document_a) == ["Dự án 0", "Tên mới", "Dự án 2"]
    cache.set(rows_key.split(":", 2)[2], written_before)  # the slower view's write lands last
    cache.delete_many([k.split(":", 2)[2] for k in cache._cache if ":govplan.table:" in k])  # type: ignore[attr-defined]
    assert names(cast.editor_a, document_a) == ["Dự án 0", "Tên mới", "Dự án 2"]
