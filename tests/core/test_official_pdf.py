"""The PDF writer (govplan.core.adapters.pdf + official.typ): no database. The PDF is read back
with pdfium, as a reader's viewer would show it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from govplan.core.adapters import pdf as pdf_writer
from govplan.core.adapters.pdf import PdfError, document_data, write_pdf
from govplan.core.official.layout import LANDSCAPE, PORTRAIT
from govplan.core.official.model import (
    Appendix,
    HeaderCell,
    Issuer,
    OfficialDocument,
    Paragraph,
    Run,
    Section,
    Signature,
    Table,
    heading_grid,
)

PHASING = Table(
    header=(
        (HeaderCell("TT"), HeaderCell("Nội dung"), HeaderCell("Năm 2027", 2)),
        (HeaderCell(""), HeaderCell(""), HeaderCell("NSTW"), HeaderCell("NSĐP")),
    ),
    rows=(("1", "Nền tảng tích hợp, chia sẻ dữ liệu", "100", "50"),),
    widths=(0.5, 3.0, 1.1, 1.1),
    numeric=(False, False, True, True),
    total=("", "Tổng cộng", "100", "50"),
)
ISSUER = Issuer(
    body="ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH", name="Ủy ban nhân dân tỉnh Bắc Ninh", place="Bắc Ninh"
)
MM = 72 / 25.4  # PDF points in a millimetre


def plan(**changes: object) -> OfficialDocument:
    values: dict[str, object] = {
        "kind": "plan",
        "issuer": ISSUER,
        "subject": "Chuyển đổi số năm 2027",
        "number": "5",
        "date": dt.date(2027, 1, 5),
        "sections": (
            Section(
                "I",
                "Kinh phí",
                0,
                blocks=(
                    Paragraph(
                        (
                            Run("Nội dung "),
                            Run("đậm", bold=True),
                            Run(" và thường."),
                        )
                    ),
                    Paragraph((Run("Một việc cần làm"),), kind="bullet"),
                    PHASING,
                ),
            ),
        ),
        "signature": Signature(title="Chủ tịch", name="Nguyễn Văn An"),
        "appendices": (Appendix("I", "Danh mục dự án", (PHASING,), landscape=True),),
    }
    values.update(changes)
    return OfficialDocument(**values)  # type: ignore[arg-type]


def pages(content: bytes) -> list[pdfium.PdfPage]:
    document = pdfium.PdfDocument(content)
    return [document[i] for i in range(len(document))]


def text(page: pdfium.PdfPage) -> str:
    return page.get_textpage().get_text_range()


def ink_box(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of all the characters, in points from the top left."""
    textpage = page.get_textpage()
    _width, height = page.get_size()
    boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    boxes = [b for b in boxes if b[2] > b[0]]  # spaces and line ends have no ink
    return (
        min(b[0] for b in boxes),
        height - max(b[3] for b in boxes),
        max(b[2] for b in boxes),
        height - min(b[1] for b in boxes),
    )


def test_a_heading_without_a_second_row_part_stands_over_both_rows() -> None:
    """As in the DOCX: "TT" and "Nội dung" span both heading rows, no empty cells under them."""
    table = document_data(plan())["appendices"][0]["tables"][0]
    first, second = table["head"]
    assert [(h["text"], h["span"], h["rows"]) for h in first] == [
        ("TT", 1, 2),
        ("Nội dung", 1, 2),
        ("Năm 2027", 2, 1),
    ]
    assert [h["text"] for h in second] == ["NSTW", "NSĐP"]
    assert table["numeric"] == [False, False, True, True]
    # The total's label spans "TT" and "Nội dung", as in the DOCX: never over a figure.
    assert table["total"] == [
        {"text": "Tổng cộng", "span": 2, "numeric": False},
        {"text": "100", "span": 1, "numeric": True},
        {"text": "50", "span": 1, "numeric": True},
    ]


def test_a_heading_stands_over_every_empty_cell_below_it_and_no_further() -> None:
    header = (
        (HeaderCell("TT"), HeaderCell("Kinh phí", 2)),
        (HeaderCell(""), HeaderCell("Năm 2027", 2)),
        (HeaderCell(""), HeaderCell("NSTW"), HeaderCell("")),
        (HeaderCell("X"),),
    )
    rows = heading_grid(header, 3)
    assert (rows[0][0].merge, rows[0][0].rows) == ("restart", 3)
    assert [r[0].merge for r in rows[1:3]] == ["continue", "continue"]
    assert rows[3][0].merge is None and rows[3][1].text == ""  # padded, not merged up
    assert (rows[2][2].merge, rows[1][1].rows) == (None, 1)  # different columns: no merge


def test_the_pages_are_a4_with_the_docx_margins() -> None:
    """Portrait text pages and a landscape appendix, each with Decree 30's margins as the
    DOCX sets them: no text outside them, and the text reaches the left and top margins."""
    content = write_pdf(plan())
    first, appendix = pages(content)
    assert [round(v) for v in first.get_size()] == [595, 842]
    assert [round(v) for v in appendix.get_size()] == [842, 595]
    for page, setup in ((first, PORTRAIT), (appendix, LANDSCAPE)):
        width, height = page.get_size()
        left, top, right, bottom = ink_box(page)
        margin = {k: getattr(setup, k) * 25.4 / 1440 * MM for k in ("top", "left", "right")}
        assert left == pytest.approx(margin["left"], abs=2 * MM)  # the table's edge or TT
        assert left >= margin["left"] - 0.5 and right <= width - margin["right"] + 0.5
        assert bottom <= height - setup.bottom * 25.4 / 1440 * MM + 0.5
        if page is appendix:  # page 2 carries its number in the top margin
            assert top < margin["top"]
            assert text(page).split()[0] == "2"
        else:
            assert top >= margin["top"] - 0.5


def test_the_plan_reads_as_written_with_its_vietnamese_letters() -> None:
    content = write_pdf(plan())
    # PDF/A-2b, as its XMP metadata declares it.
    assert b"<pdfaid:part>2</pdfaid:part>" in content
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in content
    metadata = pdfium.PdfDocument(content).get_metadata_dict()
    assert metadata["Title"] == "KẾ HOẠCH Chuyển đổi số năm 2027"
    assert metadata["Author"] == "Ủy ban nhân dân tỉnh Bắc Ninh"
    page = text(pages(content)[0])
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH BẮC NINH",
        "Số: 05/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bắc Ninh, ngày 05 tháng 01 năm 2027",
        "KẾ HOẠCH",
        "I. KINH PHÍ",
        "Nội dung đậm và thường.",
        "- Một việc cần làm",
        "Nơi nhận:",
        "CHỦ TỊCH",
        "Nguyễn Văn An",
    ):
        assert expected in page, expected
    assert "DỰ THẢO" not in page
    appendix = text(pages(content)[1])
    assert "Phụ lục I" in appendix and "DANH MỤC DỰ ÁN" in appendix
    assert "(Kèm theo Kế hoạch số 05/KH-UBND ngày 05/01/2027 của Ủy ban nhân dân" in appendix


def test_without_a_number_the_pdf_is_a_marked_draft() -> None:
    page = text(pages(write_pdf(plan(number=None, date=None, year=2027)))[0])
    assert "DỰ THẢO" in page
    assert "ngày" in page and "năm 2027" in page


def test_an_agencys_text_is_printed_as_typed_never_run() -> None:
    """Typst's markup and code in a text are letters like any other: shown, not evaluated."""
    tricky = (
        '#panic("x") *đậm* _nghiêng_ $x^2$ <nhãn> @tham-chiếu // chú thích #read("/etc/passwd")'
    )
    doc = plan(
        subject=tricky,
        sections=(Section("I", tricky, 0, blocks=(Paragraph((Run(tricky),)),)),),
    )
    page = " ".join(text(pages(write_pdf(doc))[0]).split())  # as read, across line ends
    assert page.count(tricky) >= 2  # the subject and the paragraph, every sign kept
    assert "root:" not in page


def test_line_breaks_in_a_cell_and_the_issuer_are_kept() -> None:
    table = Table(
        header=((HeaderCell("TT"), HeaderCell("Nội dung")),),
        rows=(("1", "Dòng thứ nhất\nDòng thứ hai"),),
        widths=(1.0, 5.0),
        numeric=(False, False),
    )
    doc = plan(sections=(Section("I", "Bảng", 0, blocks=(table,)),), appendices=())
    lines = [line.strip() for line in text(pages(write_pdf(doc))[0]).splitlines()]
    assert "1 Dòng thứ nhất" in lines and "Dòng thứ hai" in lines  # the row: TT, then the text
    assert "ỦY BAN NHÂN DÂN" in lines and "TỈNH BẮC NINH" in lines


def test_the_fonts_are_the_times_family_where_installed_else_typsts_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class NoFonts:
        def families(self) -> list[str]:
            return ["Libertinus Serif", "New Computer Modern"]

    pdf_writer.font_families.cache_clear()
    monkeypatch.setattr(pdf_writer.typst, "Fonts", NoFonts)
    try:
        assert pdf_writer.font_families() == (pdf_writer.BUILT_IN_SERIF,)
        content = write_pdf(plan())  # still a PDF, in Typst's own serif
        assert "Độc lập - Tự do - Hạnh phúc" in text(pages(content)[0])
    finally:
        pdf_writer.font_families.cache_clear()


def test_a_failure_of_typst_is_an_error_with_its_message_not_a_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.typ"
    broken.write_text('#let doc = json(bytes(sys.inputs.doc))\n#panic("mẫu hỏng")\n')
    monkeypatch.setattr(pdf_writer, "TEMPLATE", broken)
    with pytest.raises(PdfError, match="mẫu hỏng"):
        write_pdf(plan())


def test_a_pdf_that_takes_too_long_is_stopped() -> None:
    with pytest.raises(PdfError, match="did not finish"):
        write_pdf(plan(), timeout=0.001)


def test_a_long_code_wraps_inside_its_narrow_column() -> None:
    code = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH"
    url = "https://dichvucong.bacninh.gov.vn/portal/p/home/thu-tuc.html?linhvuc=chuyendoiso"
    table = Table(
        header=((HeaderCell("TT"), HeaderCell("Địa chỉ"), HeaderCell("Mã")),),
        rows=(("1", url, code),),
        widths=(1.0, 2.0, 1.0),
        numeric=(False, False, False),
    )
    doc = plan(sections=(Section("I", "Bảng", 0, blocks=(table,)),), appendices=())
    page = pages(write_pdf(doc))[0]
    _left, _top, right, _bottom = ink_box(page)
    assert right <= page.get_size()[0] - PORTRAIT.right * 25.4 / 1440 * MM + 0.5
    read = text(page).replace("\u200b", "").replace("\r\n", "")
    assert code in read and url in read  # every character kept, only wrapped
