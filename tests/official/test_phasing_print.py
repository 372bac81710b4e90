"""The budget phasing appendix as an agency reads it (issue 13, item 1) and a table's groups
with their subtotals (item 2): a five-year plan of six projects, printed to PDF and DOCX,
read back as a reader's viewer shows it: words with their boxes (pdfium)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.utils import translation
from docx import Document as Docx
from docx.oxml.ns import qn

from govplan.core.adapters.docx import write_docx
from govplan.core.adapters.pdf import document_data, write_pdf
from govplan.core.documents.totals import WHOLE_PERIOD, phasing_key
from govplan.core.documents.view import TableRow, TableView
from govplan.core.frameworks.model import Column, Phasing, RowGroup
from govplan.core.frameworks.model import Table as FrameworkTable
from govplan.core.official.layout import READABLE_AMOUNT, TABLE_CELL_PADDING_PT, table_type_pt
from govplan.core.official.model import (
    Appendix,
    Issuer,
    OfficialDocument,
    Paragraph,
    Run,
    Section,
    Signature,
    Table,
)
from govplan.core.official.serial import from_data, to_data
from govplan.core.official.vietnamese import text_width_pt
from govplan.frameworks import labels
from govplan.official.printed_tables import (
    BY_SOURCE_TITLE,
    BY_YEAR_TITLE,
    phasing_columns,
    phasing_tables,
    project_table,
    used_phasing_columns,
)
from tests.conftest import Cast

YEARS = [2011, 2012, 2013, 2014, 2015]
SOURCES = ("central_budget", "provincial_budget", "district_budget", "other")
TYPES = ("capital", "recurrent")
NAMES = (
    "Xây dựng Cổng thông tin điện tử tỉnh giai đoạn 2",
    "Hệ thống quản lý văn bản và điều hành liên thông bốn cấp",
    "Trung tâm tích hợp dữ liệu tỉnh",
    "Mạng diện rộng (WAN) của tỉnh kết nối các sở, ban, ngành và UBND cấp huyện",
    "Đào tạo, bồi dưỡng kỹ năng ứng dụng CNTT cho cán bộ, công chức",
    "Phần mềm một cửa điện tử",
)
GROUPS = (
    RowGroup("apps", "I", "Ứng dụng CNTT"),
    RowGroup("infra", "II", "Phát triển hạ tầng"),
    RowGroup("training", "III", "Đào tạo"),
)
GROUP_OF = ("apps", "apps", "infra", "infra", "training", "apps")


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    """The official document is printed in Vietnamese whoever asks (build.py)."""
    with translation.override("vi"):
        yield


def projects_table(groups: tuple[RowGroup, ...] = ()) -> FrameworkTable:
    return FrameworkTable(
        code="projects",
        title="Danh mục dự án",
        columns=(
            Column("name", "Tên dự án", "text"),
            Column("goal", "Mục tiêu", "longtext"),
            Column("budget", "Tổng mức đầu tư", "money", unit="triệu đồng"),
        ),
        phasing=Phasing(SOURCES, TYPES),
        groups=groups,
    )


def amounts(row: int, all_columns: bool) -> dict[str, str]:
    """Row ``row``'s phasing: the central budget's investment in each year (5 columns
    used over the table), or every year × source × type (all 40)."""
    if not all_columns:
        return {phasing_key(y, "central_budget", "capital"): str(5600 + 100 * row) for y in YEARS}
    return {
        phasing_key(y, s, t): str(1000 * (row + 1) + 10 * i + j)
        for i, y in enumerate(YEARS)
        for j, (s, t) in enumerate((s, t) for s in SOURCES for t in TYPES)
    }


def view(all_columns: bool, groups: tuple[RowGroup, ...] = ()) -> TableView:
    rows = tuple(
        TableRow(
            key=f"r{i}",
            revision=1,
            cells={"name": name, "goal": "Nâng cao hiệu quả", "budget": "25000"},
            phasing=amounts(i, all_columns),
            group=GROUP_OF[i] if groups else "",
        )
        for i, name in enumerate(NAMES)
    )
    return TableView(projects_table(groups), rows)


def appendix_tables(table: TableView) -> tuple[Table, ...]:
    """As build.py prints a project table with phasing: the list, then the budget."""
    every = phasing_columns([WHOLE_PERIOD, *YEARS], SOURCES, TYPES)
    columns = used_phasing_columns(every, [r.phasing for r in table.rows])
    rows = [(str(r.cells["name"]), r.phasing, r.group) for r in table.rows]
    return (project_table(table), *phasing_tables(columns, rows, table.table.groups))


def official(tables: tuple[Table, ...]) -> OfficialDocument:
    return OfficialDocument(
        kind="plan",
        issuer=Issuer(body="ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH", name="Ủy ban nhân dân tỉnh Bắc Ninh"),
        subject="Ứng dụng công nghệ thông tin giai đoạn 2011 - 2015",
        number="5",
        date=dt.date(2010, 9, 15),
        sections=(
            Section(
                "I",
                "Danh mục dự án",
                0,
                blocks=(Paragraph((Run("(Chi tiết tại Phụ lục I kèm theo)", italic=True),)),),
            ),
        ),
        signature=Signature(title="Chủ tịch", name="Nguyễn Văn An"),
        appendices=(Appendix("I", "Danh mục dự án", tables, landscape=True),),
    )


# --- reading a PDF back -----------------------------------------------------------------------

Box = tuple[float, float, float, float]


def words(page: pdfium.PdfPage) -> list[tuple[str, Box]]:
    """The page's words with their boxes (left, bottom, right, top), as a viewer selects them:
    a word ends at a space or where the next character is not beside it on the same line."""
    textpage = page.get_textpage()
    out: list[tuple[str, Box]] = []
    text, box = "", None
    for i in range(textpage.count_chars()):
        char = textpage.get_text_range(i, 1)
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        if char.isspace() or not char or right <= left:
            if text and box is not None:
                out.append((text, box))
            text, box = "", None
            continue
        if box is not None and (abs(bottom - box[1]) > 2 or left - box[2] > 1.5 or left < box[0]):
            out.append((text, box))
            text, box = "", None
        text += char
        box = (
            (left, bottom, right, top)
            if box is None
            else (min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top))
        )
    if text and box is not None:
        out.append((text, box))
    return out


def overlapping(placed: list[tuple[str, Box]]) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap (by more than half a point each way)."""
    found = []
    for i, (a, (al, ab, ar, at)) in enumerate(placed):
        for b, (bl, bb, br, bt) in placed[i + 1 :]:
            if min(ar, br) - max(al, bl) > 0.5 and min(at, bt) - max(ab, bb) > 0.5:
                found.append((a, b))
    return found


def pdf_pages(content: bytes) -> list[pdfium.PdfPage]:
    document = pdfium.PdfDocument(content)
    return [document[i] for i in range(len(document))]


def appendix_pages(pages: list[pdfium.PdfPage]) -> list[pdfium.PdfPage]:
    return [p for p in pages if p.get_width() > p.get_height()]


def figures(tables: tuple[Table, ...]) -> set[str]:
    """Every amount printed in the tables' rows and totals."""
    return {
        cell
        for t in tables
        for row in (*t.rows, *((t.total,) if t.total else ()))
        for cell, numeric in zip(row, t.numeric, strict=False)
        if numeric and cell
    }


# --- the rule ---------------------------------------------------------------------------------


def test_only_the_years_sources_and_types_holding_an_amount_are_printed() -> None:
    tables = appendix_tables(view(all_columns=False))
    assert len(tables) == 2
    phasing = tables[1]
    (top,) = phasing.header
    assert [h.text for h in top] == [
        "TT",
        "Nội dung",
        "Tổng số",
        *(f"Năm {y}" for y in YEARS),
    ]
    # The one source and type used is named once, above the table.
    assert phasing.title == "Nguồn vốn: Ngân sách trung ương (vốn đầu tư phát triển)"
    assert phasing.columns == 3 + 5
    assert phasing.rows[0][2:] == ("28.000", "5.600", "5.600", "5.600", "5.600", "5.600")


def test_a_column_of_blanks_and_zeros_is_not_printed_a_typed_zero_beside_an_amount_is() -> None:
    every = phasing_columns(YEARS, ("central_budget", "other"), ("capital",))
    rows = [
        {"2011|central_budget|capital": "0", "2012|central_budget|capital": "300"},
        {"2011|central_budget|capital": "", "2011|other|capital": "0"},
    ]
    used = used_phasing_columns(every, rows)
    assert [c.key for c in used] == ["2012|central_budget|capital"]
    table = phasing_tables(used, [("A", rows[0], ""), ("B", rows[1], "")])[0]
    assert [h.text for h in table.header[0]][3:] == ["Năm 2012"]


def test_an_amount_for_the_whole_period_prints_before_the_years() -> None:
    every = phasing_columns([WHOLE_PERIOD, *YEARS], ("central_budget",), ("capital",))
    row = {"0|central_budget|capital": "1200", "2013|central_budget|capital": "50"}
    used = used_phasing_columns(every, [row])
    table = phasing_tables(used, [("Cổng thông tin", row, "")])[0]
    assert [h.text for h in table.header[0]][3:] == ["Cả giai đoạn", "Năm 2013"]
    assert table.rows[0] == ("1", "Cổng thông tin", "1.250", "1.200", "50")


def test_forty_columns_split_into_totals_by_year_and_by_source() -> None:
    tables = appendix_tables(view(all_columns=True))
    titles = [t.title for t in tables[1:]]
    assert titles == [BY_YEAR_TITLE, BY_SOURCE_TITLE]
    by_year, by_source = tables[1:]
    assert [h.text for h in by_year.header[0]] == [
        "TT",
        "Nội dung",
        "Tổng số",
        *(f"Năm {y}" for y in YEARS),
    ]
    assert [h.text for h in by_source.header[0]][3:] == [
        "Ngân sách trung ương",
        "Ngân sách cấp tỉnh",
        "Ngân sách cấp huyện",
        "Nguồn khác (xã hội hóa…)",
    ]
    assert [h.text for h in by_source.header[1]][3:] == [
        "Vốn đầu tư phát triển",
        "Vốn sự nghiệp",
    ] * 4
    # The same grand total in both, and each row's total is the sum of its figures.
    assert by_year.total is not None and by_source.total is not None
    assert by_year.total[2] == by_source.total[2]
    first = by_year.rows[0]
    assert sum(int(v.replace(".", "")) for v in first[3:]) == int(first[2].replace(".", ""))


def readable_pt(heading: str, size: float) -> float:
    words = [text_width_pt(w, size, bold=True) for w in heading.split()]
    return max([text_width_pt(READABLE_AMOUNT, size), *words]) + TABLE_CELL_PADDING_PT


@pytest.mark.parametrize("all_columns", [False, True], ids=["5 columns", "40 columns"])
def test_every_phasing_column_is_at_least_readable_on_its_page(all_columns: bool) -> None:
    for table in appendix_tables(view(all_columns))[1:]:
        size = table_type_pt(table.columns)
        assert sum(table.widths) <= 728.5  # a landscape A4 page's text, in points
        last = table.header[-1]
        for index in range(2, table.columns):
            heading = last[index].text if len(table.header) == 2 and index >= 3 else ""
            heading = heading or table.header[0][min(index, len(table.header[0]) - 1)].text
            assert table.widths[index] >= readable_pt(heading, size), (index, heading)


@pytest.mark.parametrize(
    ("all_columns", "most_pages"), [(False, 1), (True, 2)], ids=["5 columns", "40 columns"]
)
def test_the_pdf_prints_every_amount_whole_and_no_word_over_another(
    all_columns: bool, most_pages: int
) -> None:
    tables = appendix_tables(view(all_columns, GROUPS))
    pages = pdf_pages(write_pdf(official(tables)))
    appendix = appendix_pages(pages)
    # Six projects in three groups: the list and its budget on one or two landscape pages.
    assert 1 <= len(appendix) <= most_pages + 1
    printed = [w for page in appendix for w, _box in words(page)]
    for amount in figures(tables[1:]):
        assert amount in printed, amount
    assert not any(w in {"5.", "60", "0"} for w in printed if w.endswith(".") and len(w) < 3)
    for page in appendix:
        assert overlapping(words(page)) == []
    # Headings break between words only: each heading word is printed whole.
    for table in tables[1:]:
        for row in table.header:
            for heading in row:
                for word in heading.text.split():
                    assert word in printed, word


def test_groups_print_their_headings_subtotals_and_a_grand_total() -> None:
    projects, phasing = appendix_tables(view(all_columns=False, groups=GROUPS))
    kinds = [(projects.row_kind(i), row[0], row[1]) for i, row in enumerate(projects.rows)]
    assert kinds == [
        ("group", "I", "Ứng dụng CNTT"),
        ("", "1", NAMES[0]),
        ("", "2", NAMES[1]),
        ("", "3", NAMES[5]),
        ("subtotal", "", "Cộng I"),
        ("group", "II", "Phát triển hạ tầng"),
        ("", "1", NAMES[2]),
        ("", "2", NAMES[3]),
        ("subtotal", "", "Cộng II"),
        ("group", "III", "Đào tạo"),
        ("", "1", NAMES[4]),
        ("subtotal", "", "Cộng III"),
    ]
    assert projects.rows[4][3] == "75.000" and projects.rows[11][3] == "25.000"
    assert projects.total is not None and projects.total[3] == "150.000"
    labels = [(phasing.row_kind(i), row[0], row[1], row[2]) for i, row in enumerate(phasing.rows)]
    assert labels[0] == ("group", "I", "Ứng dụng CNTT", "")
    # Group I: rows 0, 1 and 5, each 5 × (5.600 + 100 × row).
    assert labels[4] == ("subtotal", "", "Cộng I", "87.000")
    assert phasing.total is not None and phasing.total[1] == "Tổng cộng"
    assert phasing.total[2] == "175.500"  # the rows once, not the subtotals again


def test_the_groups_are_bold_in_the_docx_and_the_pdf() -> None:
    tables = appendix_tables(view(all_columns=False, groups=GROUPS))
    docx = Docx(io.BytesIO(write_docx(official(tables))))
    projects = next(t for t in docx.tables if t.rows[0].cells[0].text == "TT")
    group = next(r for r in projects.rows if r.cells[0].text == "I")
    body = next(r for r in projects.rows if r.cells[1].text == NAMES[0])
    assert all(run.bold for p in group.cells[1].paragraphs for run in p.runs)
    assert not any(run.bold for p in body.cells[1].paragraphs for run in p.runs)
    data = document_data(official(tables))
    printed = data["appendices"][0]["tables"][0]
    assert printed["bold"][:2] == [True, False]


def test_a_stored_table_without_row_kinds_reads_as_ordinary_rows() -> None:
    tables = appendix_tables(view(all_columns=False, groups=GROUPS))
    stored = to_data(official(tables))
    back = from_data(stored)
    assert back.appendices[0].tables[0].row_kinds == tables[0].row_kinds
    for table in stored["appendices"][0]["tables"]:
        table.pop("row_kinds", None)
    old = from_data(stored).appendices[0].tables[0]
    assert old.row_kinds == () and old.row_kind(0) == ""


def grid_widths_pt(table: object) -> list[float]:
    grid = table._tbl.find(qn("w:tblGrid"))  # type: ignore[attr-defined]
    return [int(col.get(qn("w:w"))) / 20 for col in grid.findall(qn("w:gridCol"))]


@pytest.mark.parametrize("all_columns", [False, True], ids=["5 columns", "40 columns"])
def test_the_docx_prints_only_the_used_columns_each_readable(all_columns: bool) -> None:
    tables = appendix_tables(view(all_columns))
    docx = Docx(io.BytesIO(write_docx(official(tables))))
    phasing = [t for t in docx.tables if t.rows[0].cells[1].text == "Nội dung"]
    assert len(phasing) == len(tables) - 1
    for printed, made in zip(phasing, tables[1:], strict=True):
        headings = [c.text for c in printed.rows[0].cells]
        if not all_columns:
            assert headings[3:] == [f"Năm {y}" for y in YEARS]
            assert len(printed.columns) == 8
        widths = grid_widths_pt(printed)
        size = table_type_pt(made.columns)
        for width in widths[2:]:
            assert width >= text_width_pt(READABLE_AMOUNT, size) + TABLE_CELL_PADDING_PT
        # The project names are not squeezed to a word per line.
        assert widths[1] >= 110


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None and os.environ.get("GOVPLAN_REQUIRE_OFFICE") != "1",
    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)",
)
def test_libreoffice_prints_the_wide_docx_with_whole_amounts(tmp_path: Path) -> None:
    assert SOFFICE is not None, "GOVPLAN_REQUIRE_OFFICE=1 but no soffice on PATH"
    tables = appendix_tables(view(all_columns=True, groups=GROUPS))
    (tmp_path / "ke-hoach.docx").write_bytes(write_docx(official(tables)))
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "ke-hoach.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pages = pdf_pages((tmp_path / "ke-hoach.pdf").read_bytes())
    appendix = appendix_pages(pages)
    assert 1 <= len(appendix) <= 3
    printed = [w for page in appendix for w, _box in words(page)]
    for amount in figures(tables[1:]):
        assert amount in printed, amount
    for page in appendix:
        assert overlapping(words(page)) == []


def test_the_cycle_workbook_lists_the_used_columns_and_each_rows_group() -> None:
    """The spreadsheet follows the same rule: the whole period first, then only the years,
    sources and types holding an amount; a table with groups says each row's group, rows in
    the groups' order."""
    from types import SimpleNamespace

    from govplan.core.adapters.report_xlsx import sheet_totals
    from govplan.core.frameworks.model import Period
    from govplan.official.cycle_workbook import GROUP, _group_sheet, _table_sheet

    table = projects_table(GROUPS)
    rows = list(view(all_columns=False, groups=GROUPS).rows)
    rows[0] = TableRow("r0", 1, rows[0].cells, {"0|central_budget|capital": "900"}, group="apps")
    unit = SimpleNamespace(name="Tỉnh Bắc Ninh", code="27")
    document = SimpleNamespace(pk=1, org_unit=unit)
    views = {1: SimpleNamespace(sections=[SimpleNamespace(tables=[TableView(table, tuple(rows))])])}
    spec = SimpleNamespace(period=Period(2011, 2015), funding_sources=())
    sheet = _table_sheet(spec, table, [document], views, "Kế hoạch")  # type: ignore[arg-type]
    headers = [c.header for c in sheet.columns]
    phasing = [h for h in headers if h.startswith("Kinh phí ")]
    assert phasing[0].startswith("Kinh phí cả giai đoạn - ")
    assert [h.split(" - ")[0] for h in phasing[1:]] == [f"Kinh phí {y}" for y in YEARS]
    assert len(phasing) == 6
    at = headers.index(GROUP)
    assert [r[at] for r in sheet.rows] == [
        "I. Ứng dụng CNTT",
        "I. Ứng dụng CNTT",
        "I. Ứng dụng CNTT",
        "II. Phát triển hạ tầng",
        "II. Phát triển hạ tầng",
        "III. Đào tạo",
    ]
    totals = sheet_totals(sheet)
    assert totals is not None and totals[len(headers) - 1] == Decimal("900") + 5 * (
        5700 + 5800 + 5900 + 6000 + 6100
    )
    # The groups' subtotals on a sheet of their own, so that this one adds each row once.
    groups = _group_sheet(table, sheet, "Kế hoạch")
    assert [c.header for c in groups.columns][:2] == [GROUP, "Tổng mức đầu tư (triệu đồng)"]
    assert [row[:2] for row in groups.rows] == [
        ["I. Ứng dụng CNTT", Decimal(75000)],
        ["II. Phát triển hạ tầng", Decimal(50000)],
        ["III. Đào tạo", Decimal(25000)],
    ]
    assert groups.rows[0][-1] == Decimal(900) + 5 * (5700 + 6100)
    assert groups.totals
    from python_calamine import CalamineWorkbook

    from govplan.core.adapters.report_xlsx import write_report

    book = CalamineWorkbook.from_filelike(io.BytesIO(write_report([sheet, groups], title="KH")))
    assert book.sheet_names == ["Danh mục dự án", "Danh mục dự án - nhóm"]


@pytest.mark.django_db
def test_a_2011_2015_plan_prints_its_used_columns_on_a_landscape_appendix(cast: Cast) -> None:
    """Through the document: six projects of the 2011-2015 framework, the central budget's
    capital in each year and one amount for the whole period."""
    from govplan.documents.actions import do_add_entry
    from govplan.documents.models import Document, Entry
    from govplan.frameworks.models import FrameworkVersion
    from govplan.official.build import official_document

    version = FrameworkVersion.objects.get(
        framework__code="KH-UDCNTT-2011-2015", status="published"
    )
    # Filed directly: the test's province did not exist on the framework's structure date.
    document = Document.objects.create(
        org_unit=cast.province_a,
        framework=version.framework,
        framework_version=version,
        kind="plan",
        title="Kế hoạch ứng dụng CNTT giai đoạn 2011 - 2015",
        period_start=2011,
        period_end=2015,
        created_by=cast.editor_a,
    )
    for i, name in enumerate(NAMES):
        phasing = {f"{y}|central_budget|capital": str(5600 + 100 * i) for y in YEARS}
        do_add_entry(
            document,
            "row:projects",
            {"cells": {"name": name, "total": "25000"}, "phasing": phasing, "group": "internal"},
            actor=cast.editor_a,
            locale="en",
        )
    # An amount for the whole period, as stored by its input (issue 13, item 4).
    first = Entry.objects.get(document=document, collection="table:projects", position=1)
    first.content = {
        **first.content,
        "phasing": {**first.content["phasing"], "0|oda|capital": "1200"},
    }
    first.save(update_fields=["content"])
    official = official_document(document)
    appendix = next(a for a in official.appendices if a.title == "Danh mục dự án")
    assert appendix.landscape
    _projects, phasing = appendix.tables
    assert [h.text for h in phasing.header[0]] == [
        "TT",
        "Nội dung",
        "Tổng số",
        "Cả giai đoạn",
        *(f"Năm {y}" for y in YEARS),
    ]
    spec = version.parsed()
    oda, central = (labels.funding_source_title(spec, s) for s in ("oda", "central_budget"))
    capital = labels.funding_type_title(spec, "capital")
    capital = capital[:1].lower() + capital[1:]
    assert [h.text for h in phasing.header[1]][3:] == [
        f"{oda} ({capital})",
        *[f"{central} ({capital})"] * 5,
    ]
    assert phasing.rows[0][:2] == ("II", "Ứng dụng CNTT trong nội bộ cơ quan nhà nước")
    assert phasing.rows[1][:4] == ("1", NAMES[0], "29.200", "1.200")
    pages = appendix_pages(pdf_pages(write_pdf(official)))
    assert len(pages) <= 2
    printed = [w for page in pages for w, _box in words(page)]
    for amount in figures((phasing,)):
        assert amount in printed, amount
    for page in pages:
        assert overlapping(words(page)) == []


def test_a_wide_project_table_keeps_its_amounts_and_heading_words_whole() -> None:
    """Thirteen columns on a landscape page: each money column still holds "1.000.000" and
    each heading's longest word; the text columns give up the room."""
    columns = (
        Column("name", "Tên nhiệm vụ, dự án", "text"),
        *(Column(f"t{i}", f"Nội dung thứ {i}", "longtext") for i in range(8)),
        Column("total", "Tổng mức đầu tư dự kiến", "money", unit="triệu đồng"),
        Column("source", "Nguồn vốn", "text"),
        Column("amount", "Kinh phí đầu tư năm 2027", "money", unit="triệu đồng"),
    )
    table = FrameworkTable(code="projects", title="Danh mục", columns=columns)
    row = TableRow("r", 1, {"name": "Dự án", "total": "1250000", "amount": "1000"}, {})
    printed = project_table(TableView(table, (row,)))
    size = table_type_pt(printed.columns)
    assert sum(printed.widths) == pytest.approx(728.5, abs=0.5)
    for index in (10, 12):
        heading = printed.header[0][index].text
        assert printed.widths[index] >= readable_pt(heading, size), heading
        assert printed.widths[index] >= text_width_pt("1.250.000", size) + TABLE_CELL_PADDING_PT
