"""The DOCX writer of official plans and reports (govplan.core.adapters.docx); no database.

Each test opens the written file with python-docx, as a reader would, and checks what Nghị
định 30/2020/NĐ-CP asks of the layout; where python-docx has no API it reads the XML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from functools import cache

import docx
import pytest
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.section import Section as DocxSection
from docx.shared import Length, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from govplan.core.adapters.docx import write_docx
from govplan.core.official.model import (
    Appendix,
    BlockKind,
    Decision,
    HeaderCell,
    Issuer,
    OfficialDocument,
    Paragraph,
    Run,
    Section,
    Signature,
    Table,
)
from govplan.core.official.vietnamese import MOTTO, NATION, text_width_pt

NBSP6 = "\u00a0" * 6
TNR = "Times New Roman"
ISSUER = Issuer(
    body="ỦY BAN NHÂN DÂN TỈNH BẮC NINH",
    name="Ủy ban nhân dân tỉnh Bắc Ninh",
    code="UBND",
    place="Bắc Ninh",
)
SIGNATURE = Signature(
    title="Phó Chủ tịch",
    name="Nguyễn Văn An",
    authority="TM. Ủy ban nhân dân",
    on_behalf="KT. Chủ tịch",
)
DIACRITICS = (
    "Tiếng Việt có dấu: ă â đ ê ô ơ ư Ă Â Đ Ê Ô Ơ Ư; ằ ắ ẳ ẵ ặ ề ế ể ễ ệ ờ ớ ở ỡ ợ ừ ứ ử ữ ự "
    "ỳ ý ỷ ỹ ỵ Ỳ Ý Ỷ Ỹ Ỵ; Ứng dụng công nghệ thông tin, Nghị định, Hạnh phúc."
)
SPECIAL = 'Roads & <Bridges> "x"'


def body(text: str, kind: BlockKind = "body", label: str = "") -> Paragraph:
    return Paragraph((Run(text),), kind=kind, label=label)


INDICATORS = Table(
    title="Bảng 1. Các chỉ tiêu chuyển đổi số năm 2027",
    unit_note="Đơn vị tính: tỷ lệ %",
    header=(
        (
            HeaderCell("TT"),
            HeaderCell("Chỉ tiêu"),
            HeaderCell("Đơn vị"),
            HeaderCell("Mục tiêu năm 2027", span=2),
        ),
        (
            HeaderCell(""),
            HeaderCell(""),
            HeaderCell(""),
            HeaderCell("Kế hoạch"),
            HeaderCell("Ước đạt"),
        ),
    ),
    rows=(
        ("1", "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình", "%", "80", "82,5"),
        ("2", "Tỷ lệ cơ quan nhà nước kết nối Trục liên thông văn bản quốc gia", "%", "100", "100"),
        ("3", "Tỷ lệ dân số trưởng thành có tài khoản định danh điện tử", "%", "90", "87,3"),
    ),
    widths=(1, 8, 2, 2.5, 2.5),
    numeric=(False, False, False, True, True),
)

PROJECT_WIDTHS = (1.0, 6.0, 3.0, 2.5, 2.0, 2.5, 2.0, 2.0, 2.0, 2.5, 2.5, 2.0)
PROJECTS = Table(
    title="Danh mục dự án đầu tư",
    unit_note="Đơn vị tính: triệu đồng",
    header=(
        (
            HeaderCell("TT"),
            HeaderCell("Tên dự án"),
            HeaderCell("Chủ đầu tư"),
            HeaderCell("Địa điểm"),
            HeaderCell("Thời gian thực hiện"),
            HeaderCell("Tổng mức đầu tư"),
            HeaderCell("Trong đó", span=3),
            HeaderCell("Lũy kế đến hết năm 2026"),
            HeaderCell("Kế hoạch năm 2027"),
            HeaderCell("Ghi chú"),
        ),
        (
            *[HeaderCell("")] * 6,
            HeaderCell("NSTW"),
            HeaderCell("NSĐP"),
            HeaderCell("Vốn khác"),
            *[HeaderCell("")] * 3,
        ),
    ),
    rows=tuple(
        (
            str(i),
            f"Dự án xây dựng hệ thống thông tin số {i} của tỉnh",
            "Sở Khoa học và Công nghệ",
            "Bắc Ninh",
            "2026-2028",
            f"{i * 12}.500",
            "5.000",
            f"{i * 12 - 5}.500",
            "0",
            "3.200",
            "4.100",
            "",
        )
        for i in range(1, 6)
    ),
    widths=PROJECT_WIDTHS,
    numeric=(False, False, False, False, False, True, True, True, True, True, True, False),
    total=("", "", "", "", "", "225.000", "25.000", "200.000", "0", "16.000", "20.500", ""),
)

SECTIONS = (
    Section(
        "I",
        "Mục tiêu",
        0,
        children=(
            Section(
                "1",
                "Mục tiêu chung",
                1,
                blocks=(
                    Paragraph(
                        (
                            Run("Đẩy mạnh "),
                            Run("chuyển đổi số", bold=True),
                            Run(" toàn diện theo "),
                            Run("Nghị quyết số 57-NQ/TW", italic=True),
                            Run(", bảo đảm hoàn thành "),
                            Run("đúng hạn", underline=True),
                            Run(" các chỉ tiêu của tỉnh."),
                        )
                    ),
                ),
            ),
            Section(
                "2",
                "Mục tiêu cụ thể",
                1,
                blocks=(
                    body("Đến hết năm 2027, tỉnh phấn đấu đạt các chỉ tiêu sau:"),
                    body("100% cơ quan nhà nước sử dụng văn bản điện tử;", "bullet"),
                    body("80% hồ sơ được xử lý trực tuyến toàn trình;", "bullet"),
                    body("Kinh tế số chiếm 20% GRDP.", "bullet"),
                    INDICATORS,
                ),
            ),
        ),
    ),
    Section(
        "II",
        "Nhiệm vụ và giải pháp",
        0,
        children=(
            Section(
                "1",
                "Phát triển chính quyền số",
                1,
                children=(
                    Section(
                        "a",
                        "Hạ tầng số",
                        2,
                        blocks=(
                            body("Nhiệm vụ trọng tâm", "heading3"),
                            body("Nâng cấp Trung tâm dữ liệu tỉnh.", "numbered", "1."),
                            body("Mở rộng mạng truyền số liệu chuyên dùng.", "numbered", "2."),
                            body("Lưu ý khi triển khai", "heading4"),
                            body(DIACRITICS),
                        ),
                    ),
                    Section(
                        "b", "Dữ liệu số", 2, blocks=(body("Xây dựng kho dữ liệu dùng chung."),)
                    ),
                ),
            ),
        ),
    ),
    Section(
        "III", "Tổ chức thực hiện", 0, blocks=(body("Các sở, ngành triển khai Kế hoạch này."),)
    ),
)

PLAN = OfficialDocument(
    kind="plan",
    issuer=ISSUER,
    subject="Chuyển đổi số năm 2027",
    number="5",
    date=dt.date(2027, 1, 5),
    year=2027,
    sections=SECTIONS,
    recipients=(
        "Bộ Khoa học và Công nghệ",
        "TT Tỉnh ủy, TT HĐND tỉnh",
        "Chủ tịch, các PCT UBND tỉnh",
        "Các sở, ban, ngành",
        "UBND các huyện, thị xã, thành phố",
    ),
    archive="Lưu: VT, KGVX.",
    signature=SIGNATURE,
    appendices=(
        Appendix("I", "Danh mục dự án chuyển đổi số năm 2027", (PROJECTS,), landscape=True),
        Appendix("II", "Các chỉ tiêu chuyển đổi số", (INDICATORS,)),
    ),
)

DECISION = Decision(
    number="12",
    date=dt.date(2027, 1, 5),
    title="Về việc ban hành Kế hoạch chuyển đổi số năm 2027 trên địa bàn tỉnh Bắc Ninh",
    legal_bases=(
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;",
        "Căn cứ Nghị quyết số 57-NQ/TW ngày 22 tháng 12 năm 2024 của Bộ Chính trị;",
        "Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ.",
    ),
    articles=(
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số năm 2027.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc các sở chịu trách nhiệm thi hành./.",
    ),
    recipients=("Như Điều 3", "Bộ Khoa học và Công nghệ"),
    archive="Lưu: VT.",
    signature=Signature(title="Chủ tịch", name="Trần Thị Bình", authority="TM. Ủy ban nhân dân"),
)
PLAN_BY_DECISION = dataclasses.replace(PLAN, number=None, date=None, decision=DECISION)
DRAFT = dataclasses.replace(PLAN, number=None, date=None, appendices=())


@cache
def written(doc: OfficialDocument) -> bytes:
    return write_docx(doc)


def opened(doc: OfficialDocument) -> Document:
    return docx.Document(io.BytesIO(written(doc)))


def part_xml(doc: OfficialDocument, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(written(doc))) as archive:
        return archive.read(name).decode("utf-8")


# --- reading the document as it prints -------------------------------------------------------


def from_styles(paragraph: DocxParagraph, read):
    """The value ``read`` finds on the paragraph's style or the styles it is based on."""
    style = paragraph.style
    while style is not None:
        value = read(style)
        if value is not None:
            return value
        style = style.base_style
    return None


def alignment(p: DocxParagraph) -> WD_ALIGN_PARAGRAPH | None:
    direct = p.paragraph_format.alignment
    return direct if direct is not None else from_styles(p, lambda s: s.paragraph_format.alignment)


def first_indent(p: DocxParagraph) -> Length:
    direct = p.paragraph_format.first_line_indent
    if direct is not None:
        return direct
    return from_styles(p, lambda s: s.paragraph_format.first_line_indent) or Length(0)


def space_after(p: DocxParagraph) -> Length:
    direct = p.paragraph_format.space_after
    return (
        direct if direct is not None else from_styles(p, lambda s: s.paragraph_format.space_after)
    )


def line_spacing(p: DocxParagraph) -> float:
    direct = p.paragraph_format.line_spacing
    return (
        direct if direct is not None else from_styles(p, lambda s: s.paragraph_format.line_spacing)
    )


def text_runs(p: DocxParagraph) -> list:
    return [r for r in p.runs if r.text.strip()]


def sizes(p: DocxParagraph) -> set[float]:
    style_size = from_styles(p, lambda s: s.font.size)
    return {(r.font.size or style_size).pt for r in text_runs(p)}


def is_bold(p: DocxParagraph) -> bool:
    runs = text_runs(p)
    return bool(runs) and all(r.bold or from_styles(p, lambda s: s.font.bold) for r in runs)


def is_italic(p: DocxParagraph) -> bool:
    runs = text_runs(p)
    return bool(runs) and all(r.italic or from_styles(p, lambda s: s.font.italic) for r in runs)


def is_regular(p: DocxParagraph) -> bool:
    return not any(r.bold or r.italic for r in text_runs(p))


def top_paragraphs(document: Document | DocxSection) -> list[DocxParagraph]:
    return [item for item in document.iter_inner_content() if isinstance(item, DocxParagraph)]


def top_tables(document: Document | DocxSection) -> list[DocxTable]:
    return [item for item in document.iter_inner_content() if isinstance(item, DocxTable)]


def find(paragraphs: Iterable[DocxParagraph], text: str) -> DocxParagraph:
    matches = [p for p in paragraphs if p.text == text]
    assert len(matches) == 1, f"{text!r} found {len(matches)} times"
    return matches[0]


def cells(table: DocxTable, row: int = 0) -> list[_Cell]:
    """The cells of a row as printed: a cell spanning columns counts once."""
    return [_Cell(tc, table) for tc in table.rows[row]._tr.tc_lst]


def bottom_border(p: DocxParagraph) -> bool:
    ppr = p._p.pPr
    found = None if ppr is None else ppr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    return found is not None and found.get(qn("w:val")) == "single"


def rule_length_pt(p: DocxParagraph, container_pt: float) -> float:
    """The printed length of a rule: its container less the paragraph's side indents."""
    assert p.text == "" and bottom_border(p)
    fmt = p.paragraph_format
    left, right = (fmt.left_indent or Length(0)).pt, (fmt.right_indent or Length(0)).pt
    assert left == pytest.approx(right, abs=0.1), "the rule is centred"
    return container_pt - left - right


def cell_text_width_pt(c: _Cell, table: DocxTable) -> float:
    """A cell's width less the table's cell margins: the width its paragraphs have."""
    width = int(c._tc.tcPr.find(qn("w:tcW")).get(qn("w:w")))
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    left = int(margins.find(qn("w:left")).get(qn("w:w")))
    right = int(margins.find(qn("w:right")).get(qn("w:w")))
    return (width - left - right) / 20


def text_width(section: DocxSection) -> Length:
    return Length(section.page_width - section.left_margin - section.right_margin)


def table_borders(table: DocxTable) -> dict[str, str]:
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    return {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}


def grid_widths(table: DocxTable) -> list[int]:
    return [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def has_page_field(element) -> bool:
    instructions = [t.text or "" for t in element.iter(qn("w:instrText"))]
    simple = [f.get(qn("w:instr")) or "" for f in element.iter(qn("w:fldSimple"))]
    return any(i.split()[:1] == ["PAGE"] for i in instructions + simple)


def header_table(document: Document | DocxSection) -> DocxTable:
    return top_tables(document)[0]


def closing_tables(document: Document) -> list[DocxTable]:
    return [t for t in top_tables(document) if t.cell(0, 0).paragraphs[0].text == "Nơi nhận:"]


# --- page, fonts, metadata -------------------------------------------------------------------


def test_pages_are_a4_with_the_decree_margins() -> None:
    sections = opened(PLAN).sections
    assert len(sections) == 3  # the plan, appendix I (landscape), appendix II
    for section in sections[0], sections[2]:
        assert section.orientation == WD_ORIENT.PORTRAIT
        assert section.page_width.mm == pytest.approx(210, abs=0.1)
        assert section.page_height.mm == pytest.approx(297, abs=0.1)
        assert section.top_margin.mm == pytest.approx(20, abs=0.1)
        assert section.bottom_margin.mm == pytest.approx(20, abs=0.1)
        assert section.left_margin.mm == pytest.approx(30, abs=0.1)
        assert section.right_margin.mm == pytest.approx(15, abs=0.1)
        assert 5 <= section.header_distance.mm <= 12
        assert text_width(section).cm == pytest.approx(16.5, abs=0.01)


def test_normal_style_and_defaults_are_times_new_roman_14_for_every_script() -> None:
    document = opened(PLAN)
    styles = document.styles.element
    default_fonts = styles.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}"
    )
    normal = document.styles["Normal"]
    normal_fonts = normal.element.rPr.find(qn("w:rFonts"))
    for fonts in default_fonts, normal_fonts:
        for script in "ascii", "hAnsi", "cs", "eastAsia":
            assert fonts.get(qn(f"w:{script}")) == TNR
        # A theme font would win over the named one.
        assert not [name for name in fonts.attrib if name.lower().endswith("theme")]
    assert normal.font.size == Pt(14)
    fmt = normal.paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert fmt.first_line_indent.cm == pytest.approx(1.27, abs=0.01)
    assert fmt.space_after == Pt(6)
    assert fmt.line_spacing == pytest.approx(1.15)
    # No style, run or paragraph names another font, and every paragraph is in Normal.
    named = [*styles.iter(qn("w:rFonts")), *document.element.body.iter(qn("w:rFonts"))]
    for fonts in named:
        assert {fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "cs", "eastAsia")} == {TNR}
        assert not [name for name in fonts.attrib if name.lower().endswith("theme")]
    assert {p.style.name for p in document.paragraphs} == {"Normal"}


def test_language_and_file_properties() -> None:
    document = opened(PLAN)
    styles = document.styles.element
    langs = [lang.get(qn("w:val")) for lang in styles.iter(qn("w:lang"))]
    assert langs and set(langs) == {"vi-VN"}
    assert document.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    props = document.core_properties
    assert props.title == "Chuyển đổi số năm 2027"
    assert props.author == "Ủy ban nhân dân tỉnh Bắc Ninh"
    assert props.language == "vi-VN"
    assert "python-docx" not in (props.comments + props.author + props.last_modified_by)
    # Nothing left of python-docx's template that contradicts the document: its preview
    # thumbnail, and the copy of its Calibri styles Word 2010 may read (stylesWithEffects).
    with zipfile.ZipFile(io.BytesIO(written(PLAN))) as archive:
        names = archive.namelist()
    assert not [n for n in names if "thumbnail" in n or "stylesWithEffects" in n]


def test_page_numbers_in_every_section_but_not_on_page_1() -> None:
    sections = opened(PLAN).sections
    first = sections[0]
    assert first.different_first_page_header_footer
    assert not first.first_page_header.is_linked_to_previous
    assert not has_page_field(first.first_page_header._element)
    assert not "".join(p.text for p in first.first_page_header.paragraphs).strip()
    for section in sections:
        header = section.header
        assert not header.is_linked_to_previous
        assert has_page_field(header._element)
        (number,) = [p for p in header.paragraphs if has_page_field(p._p)]
        assert alignment(number) == WD_ALIGN_PARAGRAPH.CENTER
        assert first_indent(number) == 0
    # An appendix is not page 1: its first page shows its number too.
    assert not sections[1].different_first_page_header_footer
    assert not sections[2].different_first_page_header_footer


# --- the header ------------------------------------------------------------------------------


def test_header_is_a_borderless_two_column_table_of_fixed_widths() -> None:
    document = opened(PLAN)
    first = next(document.iter_inner_content())
    assert isinstance(first, DocxTable), "numbered: no draft mark, the header comes first"
    table = header_table(document)
    assert len(table.columns) == 2 and len(table.rows) == 1
    assert set(table_borders(table)) == {"top", "left", "bottom", "right", "insideH", "insideV"}
    assert set(table_borders(table).values()) <= {"nil", "none"}
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    left, right = grid_widths(table)
    assert Length(left * 635).cm == pytest.approx(6.0, abs=0.05)
    assert Length(right * 635).cm == pytest.approx(10.5, abs=0.05)


def test_header_left_column_issuing_body_rule_and_number() -> None:
    table = header_table(opened(PLAN))
    cell = table.cell(0, 0)
    body, rule, number = cell.paragraphs
    # Too long for the 6 cm column, the body is broken as clerks break it, in even lines.
    assert body.text == "ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH"
    assert is_bold(body) and sizes(body) == {13}
    assert alignment(body) == WD_ALIGN_PARAGRAPH.CENTER and first_indent(body) == 0
    printed = text_width_pt("ỦY BAN NHÂN DÂN", 13, bold=True)
    length = rule_length_pt(rule, cell_text_width_pt(cell, table))
    assert printed / 3 <= length <= printed / 2
    assert number.text == "Số: 05/KH-UBND"
    assert is_regular(number) and sizes(number) == {13}
    assert alignment(number) == WD_ALIGN_PARAGRAPH.CENTER and first_indent(number) == 0


def test_header_right_column_nation_motto_rule_and_date() -> None:
    table = header_table(opened(PLAN))
    cell = table.cell(0, 1)
    nation, motto, rule, date = cell.paragraphs
    assert nation.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" == NATION
    assert is_bold(nation) and sizes(nation) == {13}
    assert motto.text == "Độc lập - Tự do - Hạnh phúc"
    assert is_bold(motto) and sizes(motto) == {14}
    # The rule under the motto is exactly as long as the motto.
    length = rule_length_pt(rule, cell_text_width_pt(cell, table))
    assert length == pytest.approx(text_width_pt(MOTTO, 14, bold=True), abs=0.5)
    assert date.text == "Bắc Ninh, ngày 05 tháng 01 năm 2027"
    assert is_italic(date) and not any(r.bold for r in date.runs) and sizes(date) == {14}
    for p in cell.paragraphs:
        assert alignment(p) == WD_ALIGN_PARAGRAPH.CENTER and first_indent(p) == 0


def test_parent_body_and_a_line_break_in_the_issuing_body() -> None:
    department = Issuer(
        body="SỞ KHOA HỌC\nVÀ CÔNG NGHỆ",
        name="Sở Khoa học và Công nghệ tỉnh Bắc Ninh",
        parent="Ủy ban nhân dân tỉnh Bắc Ninh",
        code="SKHCN",
        place="Bắc Ninh",
    )
    doc = OfficialDocument(
        kind="report",
        issuer=department,
        subject="Kết quả chuyển đổi số",
        number="117",
        date=dt.date(2027, 12, 1),
    )
    table = header_table(opened(doc))
    cell = table.cell(0, 0)
    parent, body, rule, number = cell.paragraphs
    assert parent.text == "ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH"
    assert is_regular(parent) and sizes(parent) == {13}
    assert body.text == "SỞ KHOA HỌC\nVÀ CÔNG NGHỆ"
    assert body._p.find(f".//{qn('w:br')}") is not None
    assert is_bold(body) and sizes(body) == {13}
    printed = max(text_width_pt(line, 13, bold=True) for line in ("SỞ KHOA HỌC", "VÀ CÔNG NGHỆ"))
    assert printed / 3 <= rule_length_pt(rule, cell_text_width_pt(cell, table)) <= printed / 2
    assert number.text == "Số: 117/BC-SKHCN"
    assert "BÁO CÁO" in [p.text for p in top_paragraphs(opened(doc))]


# --- title, sections, blocks -----------------------------------------------------------------


def test_title_subject_and_rule() -> None:
    document = opened(PLAN)
    paragraphs = top_paragraphs(document)
    kind = find(paragraphs, "KẾ HOẠCH")
    index = paragraphs.index(kind)
    subject, rule = paragraphs[index + 1], paragraphs[index + 2]
    assert is_bold(kind) and sizes(kind) == {14}
    assert alignment(kind) == WD_ALIGN_PARAGRAPH.CENTER and first_indent(kind) == 0
    assert kind.paragraph_format.space_before >= Pt(10)
    assert subject.text == "Chuyển đổi số năm 2027"
    assert is_bold(subject) and sizes(subject) == {14}
    assert alignment(subject) == WD_ALIGN_PARAGRAPH.CENTER and first_indent(subject) == 0
    printed = text_width_pt("Chuyển đổi số năm 2027", 14, bold=True)
    length = rule_length_pt(rule, text_width(document.sections[0]).pt)
    assert printed / 3 <= length <= printed / 2


def test_section_headings_in_order_with_their_levels() -> None:
    paragraphs = top_paragraphs(opened(PLAN))
    texts = [p.text for p in paragraphs if p.text]
    headings = [
        "I. MỤC TIÊU",
        "1. Mục tiêu chung",
        "2. Mục tiêu cụ thể",
        "II. NHIỆM VỤ VÀ GIẢI PHÁP",
        "1. Phát triển chính quyền số",
        "a) Hạ tầng số",
        "b) Dữ liệu số",
        "III. TỔ CHỨC THỰC HIỆN",
    ]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    # Blocks follow their own heading, before the next one.
    assert texts.index("Đến hết năm 2027, tỉnh phấn đấu đạt các chỉ tiêu sau:") == positions[2] + 1
    assert texts.index("Xây dựng kho dữ liệu dùng chung.") == positions[6] + 1
    for text in headings:
        p = find(paragraphs, text)
        assert sizes(p) == {14}
        assert first_indent(p).cm == pytest.approx(1.27, abs=0.01)
        if text.startswith(("a)", "b)")):
            assert is_regular(p)
        else:
            assert is_bold(p)
    assert find(paragraphs, "I. MỤC TIÊU").text.isupper()


def test_body_paragraph_layout_and_run_emphasis() -> None:
    paragraphs = top_paragraphs(opened(PLAN))
    text = (
        "Đẩy mạnh chuyển đổi số toàn diện theo Nghị quyết số 57-NQ/TW, "
        "bảo đảm hoàn thành đúng hạn các chỉ tiêu của tỉnh."
    )
    p = find(paragraphs, text)
    assert alignment(p) == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert first_indent(p).cm == pytest.approx(1.27, abs=0.01)
    assert sizes(p) == {14}
    assert space_after(p) == Pt(6)
    assert 1.0 < line_spacing(p) < 1.5
    emphasis = {r.text: (bool(r.bold), bool(r.italic), bool(r.underline)) for r in p.runs}
    assert emphasis["chuyển đổi số"] == (True, False, False)
    assert emphasis["Nghị quyết số 57-NQ/TW"] == (False, True, False)
    assert emphasis["đúng hạn"] == (False, False, True)
    assert emphasis["Đẩy mạnh "] == (False, False, False)


def test_bullets_numbered_items_and_block_headings() -> None:
    paragraphs = top_paragraphs(opened(PLAN))
    bullets = [p for p in paragraphs if p.text.startswith("- ")]
    assert [p.text for p in bullets] == [
        "- 100% cơ quan nhà nước sử dụng văn bản điện tử;",
        "- 80% hồ sơ được xử lý trực tuyến toàn trình;",
        "- Kinh tế số chiếm 20% GRDP.",
    ]
    for p in bullets:
        assert first_indent(p).cm == pytest.approx(1.27, abs=0.01)
        assert alignment(p) == WD_ALIGN_PARAGRAPH.JUSTIFY
    # Bullets and numbers are text, not Word list numbering.
    assert "w:numPr" not in part_xml(PLAN, "word/document.xml")
    find(paragraphs, "1. Nâng cấp Trung tâm dữ liệu tỉnh.")
    find(paragraphs, "2. Mở rộng mạng truyền số liệu chuyên dùng.")
    heading3 = find(paragraphs, "Nhiệm vụ trọng tâm")
    assert is_bold(heading3) and not is_italic(heading3)
    heading4 = find(paragraphs, "Lưu ý khi triển khai")
    assert is_bold(heading4) and is_italic(heading4)


# --- tables ----------------------------------------------------------------------------------


def indicator_tables(document: Document) -> list[DocxTable]:
    return [t for t in top_tables(document) if t.cell(0, 1).text == "Chỉ tiêu"]


def test_indicator_table_caption_borders_and_fonts() -> None:
    document = opened(PLAN)
    paragraphs = top_paragraphs(document.sections[0])
    caption = find(paragraphs, "Bảng 1. Các chỉ tiêu chuyển đổi số năm 2027")
    assert is_bold(caption) and alignment(caption) == WD_ALIGN_PARAGRAPH.CENTER
    note = find(paragraphs, "Đơn vị tính: tỷ lệ %")
    assert is_italic(note) and sizes(note) == {12}
    assert alignment(note) == WD_ALIGN_PARAGRAPH.RIGHT
    table = indicator_tables(document)[0]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {child.tag.split("}")[1] for child in borders} == {
        "top",
        "left",
        "bottom",
        "right",
        "insideH",
        "insideV",
    }
    for side in borders:
        assert side.get(qn("w:val")) == "single" and side.get(qn("w:sz")) == "4"  # 0.5 pt
    for index in range(len(table.rows)):
        for c in cells(table, index):
            for p in c.paragraphs:
                assert first_indent(p) == 0
                if p.text:
                    assert sizes(p) == {12}


def test_indicator_table_headings_numbers_and_widths() -> None:
    document = opened(PLAN)
    table = indicator_tables(document)[0]
    heading = cells(table, 0)
    assert [c.text for c in heading] == ["TT", "Chỉ tiêu", "Đơn vị", "Mục tiêu năm 2027"]
    assert [c.grid_span for c in heading] == [1, 1, 1, 2]
    assert [c.text for c in cells(table, 1)] == ["", "", "", "Kế hoạch", "Ước đạt"]
    # "TT", "Chỉ tiêu", "Đơn vị" are merged down over the second heading row.
    assert [table.cell(1, i)._tc is table.cell(0, i)._tc for i in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    for index in 0, 1:
        tr = table.rows[index]._tr
        assert tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None
        for c in cells(table, index):
            p = c.paragraphs[0]
            assert alignment(p) == WD_ALIGN_PARAGRAPH.CENTER
            if p.text:
                assert is_bold(p)
    assert table.rows[2]._tr.trPr is None or table.rows[2]._tr.trPr.find(qn("w:tblHeader")) is None
    first = cells(table, 2)
    assert [c.text for c in first] == list(INDICATORS.rows[0])
    for c, numeric in zip(first, INDICATORS.numeric, strict=True):
        p = c.paragraphs[0]
        assert alignment(p) == (WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)
        assert is_regular(p)
    widths = grid_widths(table)
    assert sum(widths) == pytest.approx(text_width(document.sections[0]).twips, abs=2)
    for width, relative in zip(widths, INDICATORS.widths, strict=True):
        assert width / sum(widths) == pytest.approx(relative / sum(INDICATORS.widths), abs=0.002)


# --- closing ---------------------------------------------------------------------------------


def test_closing_block_recipients_and_signature() -> None:
    document = opened(PLAN)
    (table,) = closing_tables(document)
    assert set(table_borders(table).values()) <= {"nil", "none"}
    assert len(table.columns) == 2
    # After the last section, before the appendices (in the plan's own section).
    first_section = top_tables(document.sections[0])
    assert table._tbl in [t._tbl for t in first_section]
    left = table.cell(0, 0).paragraphs
    heading = left[0]
    assert heading.text == "Nơi nhận:"
    assert is_bold(heading) and is_italic(heading) and sizes(heading) == {12}
    assert alignment(heading) == WD_ALIGN_PARAGRAPH.LEFT
    assert [p.text for p in left[1:]] == [
        "- Bộ Khoa học và Công nghệ;",
        "- TT Tỉnh ủy, TT HĐND tỉnh;",
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- Các sở, ban, ngành;",
        "- UBND các huyện, thị xã, thành phố;",
        "- Lưu: VT, KGVX.",
    ]
    for p in left[1:]:
        assert sizes(p) == {11} and is_regular(p)
        assert alignment(p) == WD_ALIGN_PARAGRAPH.LEFT
        assert first_indent(p) == 0 and not p.paragraph_format.left_indent
        assert line_spacing(p) == pytest.approx(1.0) and space_after(p) == 0
    right = table.cell(0, 1).paragraphs
    texts = [p.text for p in right]
    assert texts[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert texts[-1] == "Nguyễn Văn An"
    assert all(not t for t in texts[3:-1]) and len(texts[3:-1]) >= 3, "room for the signature"
    for p in right[:3]:
        assert is_bold(p) and sizes(p) == {13}
    assert is_bold(right[-1]) and sizes(right[-1]) == {14}
    for p in right:
        assert alignment(p) == WD_ALIGN_PARAGRAPH.CENTER and first_indent(p) == 0
    # The signature is never parted from its titles by a page break.
    assert table.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None


def test_without_signature_the_right_column_is_empty_space() -> None:
    doc = dataclasses.replace(PLAN, signature=None, appendices=())
    (table,) = closing_tables(opened(doc))
    right = table.cell(0, 1).paragraphs
    assert len(right) >= 4 and not "".join(p.text for p in right)


# --- appendices ------------------------------------------------------------------------------


def test_landscape_appendix_in_its_own_section() -> None:
    document = opened(PLAN)
    section = document.sections[1]
    assert section.start_type == WD_SECTION.NEW_PAGE
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width.mm == pytest.approx(297, abs=0.1)
    assert section.page_height.mm == pytest.approx(210, abs=0.1)
    # The portrait margins turned: the 30 mm binding margin at the top.
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [30, 15, 20, 20]
    number, title, attached, *_ = [p for p in top_paragraphs(section) if p.text]
    assert number.text == "Phụ lục I"
    assert is_bold(number) and sizes(number) == {14}
    assert title.text == "DANH MỤC DỰ ÁN CHUYỂN ĐỔI SỐ NĂM 2027"
    assert is_bold(title)
    assert (
        attached.text
        == "(Kèm theo Kế hoạch số 05/KH-UBND ngày 05/01/2027 của Ủy ban nhân dân tỉnh Bắc Ninh)"
    )
    assert is_italic(attached)
    for p in number, title, attached:
        assert alignment(p) == WD_ALIGN_PARAGRAPH.CENTER and first_indent(p) == 0
    (table,) = top_tables(section)
    assert sum(grid_widths(table)) == pytest.approx(text_width(section).twips, abs=2)


def test_wide_project_table_spans_total_and_small_font() -> None:
    section = opened(PLAN).sections[1]
    (table,) = top_tables(section)
    assert len(grid_widths(table)) == 12
    heading = cells(table, 0)
    assert [c.grid_span for c in heading] == [1, 1, 1, 1, 1, 1, 3, 1, 1, 1]
    assert heading[6].text == "Trong đó"
    assert [c.text for c in cells(table, 1)][6:9] == ["NSTW", "NSĐP", "Vốn khác"]
    for tc in table._tbl.iter(qn("w:tc")):
        for p in _Cell(tc, table).paragraphs:
            if p.text:
                assert sizes(p) == {11}, "more than 8 columns: 11 pt"
    # Headings without a second-row part stand over both heading rows.
    for column in range(12):
        merged = table.cell(1, column)._tc is table.cell(0, column)._tc
        assert merged == (column not in (6, 7, 8)), column
    # The total's label spans the empty cells after it, not broken in the narrow "TT".
    total = table.rows[len(table.rows) - 1]
    assert [c.text for c in total.cells] == [*["Tổng cộng"] * 5, *PROJECTS.total[5:]]
    assert cells(table, len(table.rows) - 1)[0].grid_span == 5
    for c in total.cells:
        if c.text:
            assert is_bold(c.paragraphs[0])
    assert alignment(total.cells[5].paragraphs[0]) == WD_ALIGN_PARAGRAPH.RIGHT
    assert len(table.rows) == 2 + 5 + 1
    # "Thời gian thực hiện" takes 4 lines of its narrow column, "Trong đó" above "NSTW" one:
    # the second heading row is made tall enough for the merged headings (LibreOffice would
    # otherwise clip them where the heading repeats on the next pages).
    height = table.rows[1]._tr.trPr.find(qn("w:trHeight"))
    assert height.get(qn("w:hRule")) == "atLeast"
    assert int(height.get(qn("w:val"))) / 20 >= 2.5 * 11
    # Body rows are not split across pages.
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)


def test_portrait_appendix_and_its_table() -> None:
    document = opened(PLAN)
    section = document.sections[2]
    assert section.start_type == WD_SECTION.NEW_PAGE
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert [p.text for p in top_paragraphs(section) if p.text][:2] == [
        "Phụ lục II",
        "CÁC CHỈ TIÊU CHUYỂN ĐỔI SỐ",
    ]
    (table,) = top_tables(section)
    assert sum(grid_widths(table)) == pytest.approx(text_width(section).twips, abs=2)


def test_total_row_keeps_its_own_label() -> None:
    table = dataclasses.replace(INDICATORS, total=("Cộng", "", "", "270", "269,8"))
    doc = dataclasses.replace(
        PLAN, sections=(Section("I", "Chỉ tiêu", 0, blocks=(table,)),), appendices=()
    )
    (grid,) = indicator_tables(opened(doc))
    total = grid.rows[len(grid.rows) - 1].cells
    assert [c.text for c in total] == ["Cộng", "Cộng", "Cộng", "270", "269,8"]
    assert is_bold(total[0].paragraphs[0]) and is_bold(total[3].paragraphs[0])


def test_total_row_label_in_the_name_column_is_printed_once() -> None:
    """The application puts "Tổng cộng" under the name, after an empty "TT": printed once,
    across both columns and the empty ones after them, never letter by letter in "TT"."""
    table = dataclasses.replace(INDICATORS, total=("", "Tổng cộng", "", "270", "269,8"))
    doc = dataclasses.replace(
        PLAN, sections=(Section("I", "Chỉ tiêu", 0, blocks=(table,)),), appendices=()
    )
    (grid,) = indicator_tables(opened(doc))
    total = grid.rows[len(grid.rows) - 1].cells
    assert [c.text for c in total] == ["Tổng cộng", "Tổng cộng", "Tổng cộng", "270", "269,8"]
    assert cells(grid, len(grid.rows) - 1)[0].grid_span == 3


# --- draft, decision mode, text --------------------------------------------------------------


def test_unnumbered_document_is_a_marked_draft_with_blanks() -> None:
    document = opened(DRAFT)
    first, second = list(document.iter_inner_content())[:2]
    assert isinstance(first, DocxParagraph) and first.text == "DỰ THẢO"
    assert is_bold(first) and sizes(first) == {13}
    assert alignment(first) in (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.CENTER)
    boxed = (
        first.runs[0]._r.rPr.find(qn("w:bdr")) is not None
        or first._p.pPr.find(qn("w:pBdr")) is not None
    )
    assert boxed
    assert isinstance(second, DocxTable)
    left, right = second.cell(0, 0), second.cell(0, 1)
    assert left.paragraphs[-1].text == f"Số: {NBSP6}/KH-UBND"
    assert right.paragraphs[-1].text == f"Bắc Ninh, ngày{NBSP6}tháng{NBSP6}năm 2027"
    # Numbered, the same plan has no mark.
    assert "DỰ THẢO" not in [p.text for p in top_paragraphs(opened(PLAN))]


def test_decision_comes_first_with_its_own_number_and_articles() -> None:
    document = opened(PLAN_BY_DECISION)
    decision = document.sections[0]
    header = header_table(decision)
    assert header.cell(0, 0).paragraphs[-1].text == "Số: 12/QĐ-UBND"
    assert header.cell(0, 1).paragraphs[-1].text == "Bắc Ninh, ngày 05 tháng 01 năm 2027"
    paragraphs = top_paragraphs(decision)
    texts = [p.text for p in paragraphs if p.text]
    assert texts == [
        "QUYẾT ĐỊNH",
        DECISION.title,
        "ỦY BAN NHÂN DÂN TỈNH BẮC NINH",
        *DECISION.legal_bases,
        "QUYẾT ĐỊNH:",
        *DECISION.articles,
    ]
    kind, title, authority, colon = (
        find(paragraphs, t)
        for t in ("QUYẾT ĐỊNH", DECISION.title, "ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "QUYẾT ĐỊNH:")
    )
    for p in kind, title, authority, colon:
        assert is_bold(p) and alignment(p) == WD_ALIGN_PARAGRAPH.CENTER
    rule = paragraphs[paragraphs.index(title) + 1]
    printed = min(text_width_pt(DECISION.title, 14, bold=True), text_width(decision).pt)
    assert printed / 3 <= rule_length_pt(rule, text_width(decision).pt) <= printed / 2
    for basis in DECISION.legal_bases:
        assert is_italic(find(paragraphs, basis))
    for article in DECISION.articles:
        p = find(paragraphs, article)
        label, rest = p.runs[0], p.runs[1:]
        assert label.text == article[: len("Điều 1.")] and label.bold
        assert not any(r.bold for r in rest)
        assert alignment(p) == WD_ALIGN_PARAGRAPH.JUSTIFY
    (closing,) = top_tables(decision)[1:]
    assert closing.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert [p.text for p in closing.cell(0, 0).paragraphs[1:]] == [
        "- Như Điều 3;",
        "- Bộ Khoa học và Công nghệ;",
        "- Lưu: VT.",
    ]
    right = [p.text for p in closing.cell(0, 1).paragraphs if p.text]
    assert right == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Thị Bình"]
    assert "DỰ THẢO" not in texts


def test_plan_issued_by_the_decision_follows_on_its_own_pages() -> None:
    document = opened(PLAN_BY_DECISION)
    assert len(document.sections) == 4  # decision, plan, two appendices
    plan = document.sections[1]
    assert plan.start_type == WD_SECTION.NEW_PAGE
    assert plan.orientation == WD_ORIENT.PORTRAIT
    # The plan's pages are numbered from 1 and its first page shows no number.
    numbering = plan._sectPr.find(qn("w:pgNumType"))
    assert numbering is not None and numbering.get(qn("w:start")) == "1"
    assert plan.different_first_page_header_footer and has_page_field(plan.header._element)
    assert not has_page_field(plan.first_page_header._element)
    header = header_table(plan)
    left = [p.text for p in header.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in header.cell(0, 1).paragraphs if p.text]
    assert left == ["ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH"]
    assert right == [NATION, MOTTO]
    paragraphs = top_paragraphs(plan)
    texts = [p.text for p in paragraphs if p.text]
    issued = (
        "(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2027 "
        "của Ủy ban nhân dân tỉnh Bắc Ninh)"
    )
    assert texts[:4] == ["KẾ HOẠCH", "Chuyển đổi số năm 2027", issued, "I. MỤC TIÊU"]
    note = find(paragraphs, issued)
    assert is_italic(note) and alignment(note) == WD_ALIGN_PARAGRAPH.CENTER
    assert bottom_border(paragraphs[paragraphs.index(note) + 1]), "the rule under the title"
    # No closing block after the plan: recipients and signature are the decision's.
    assert len(closing_tables(document)) == 1
    assert not [t for t in top_tables(plan) if t.cell(0, 0).text == "Nơi nhận:"]
    assert texts[-1] == "Các sở, ngành triển khai Kế hoạch này."
    # Its appendices cite the decision, the plan having no number of its own.
    appendix = [p.text for p in top_paragraphs(document.sections[2]) if p.text]
    assert appendix[2] == (
        "(Kèm theo Kế hoạch ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2027 "
        "của Ủy ban nhân dân tỉnh Bắc Ninh)"
    )
    for section in document.sections:
        assert has_page_field(section.header._element)


def test_unnumbered_decision_is_a_draft() -> None:
    decision = dataclasses.replace(DECISION, number=None, date=None)
    document = opened(dataclasses.replace(PLAN_BY_DECISION, decision=decision, appendices=()))
    first = next(document.iter_inner_content())
    assert isinstance(first, DocxParagraph) and first.text == "DỰ THẢO"
    assert header_table(document).cell(0, 0).paragraphs[-1].text == f"Số: {NBSP6}/QĐ-UBND"


def test_xml_special_characters_survive() -> None:
    table = dataclasses.replace(INDICATORS, rows=(("1", SPECIAL, "%", "1", "2"),), title=SPECIAL)
    doc = dataclasses.replace(
        PLAN,
        subject=SPECIAL,
        sections=(Section("I", SPECIAL, 0, blocks=(body(SPECIAL), table)),),
        recipients=(SPECIAL,),
        appendices=(),
    )
    document = opened(doc)
    texts = [p.text for p in top_paragraphs(document)]
    assert texts.count(SPECIAL) == 3  # the subject, the paragraph, the table's caption
    assert f"I. {SPECIAL.upper()}" in texts
    assert indicator_tables(document)[0].cell(2, 1).text == SPECIAL
    assert closing_tables(document)[0].cell(0, 0).paragraphs[1].text == f"- {SPECIAL};"
    assert document.core_properties.title == SPECIAL
    assert "Roads &amp; &lt;Bridges&gt;" in part_xml(doc, "word/document.xml")


def test_vietnamese_diacritics_survive() -> None:
    document = opened(PLAN)
    find(top_paragraphs(document), DIACRITICS)
    assert DIACRITICS in part_xml(PLAN, "word/document.xml")  # as UTF-8, not mangled


def test_control_characters_are_dropped_not_fatal() -> None:
    doc = dataclasses.replace(
        DRAFT,
        subject="Chuyển đổi\x0b số\x00",
        sections=(Section("I", "Mục\x1f tiêu", 0, blocks=(body("Dòng một\ttab"),)),),
    )
    texts = [p.text for p in top_paragraphs(opened(doc))]
    assert "Chuyển đổi số" in texts
    assert "I. MỤC TIÊU" in texts
    assert "Dòng một\ttab" in texts


def test_minimal_document_without_sections_or_recipients() -> None:
    doc = OfficialDocument(kind="report", issuer=ISSUER, subject="Báo cáo nhanh")
    document = opened(doc)
    texts = [p.text for p in top_paragraphs(document)]
    assert texts[0] == "DỰ THẢO" and "BÁO CÁO" in texts
    (closing,) = closing_tables(document)
    assert [p.text for p in closing.cell(0, 0).paragraphs] == ["Nơi nhận:", "- Lưu: VT."]
