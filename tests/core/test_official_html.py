"""The HTML the PDF is made from (govplan.core.official.html); no database, no WeasyPrint."""

from __future__ import annotations

import re

from govplan.core.official.html import CSS, write_html
from govplan.core.official.model import HeaderCell, Issuer, OfficialDocument, Section, Table

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


def test_a_heading_without_a_second_row_part_stands_over_both_rows() -> None:
    """As in the DOCX: "TT" and "Nội dung" span both heading rows, no empty cells under them."""
    doc = OfficialDocument(
        kind="plan",
        issuer=Issuer(body="ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH", name="Ủy ban nhân dân tỉnh Bắc Ninh"),
        subject="Chuyển đổi số năm 2027",
        sections=(Section("I", "Kinh phí", 0, blocks=(PHASING,)),),
    )
    html = write_html(doc)
    thead = re.search(r"<thead>(.*?)</thead>", html)
    assert thead is not None
    first, second = re.findall(r"<tr>(.*?)</tr>", thead.group(1))
    assert first == (
        '<th rowspan="2">TT</th><th rowspan="2">Nội dung</th><th colspan="2">Năm 2027</th>'
    )
    assert second == "<th>NSTW</th><th>NSĐP</th>"


def test_the_pdf_pages_have_the_docx_margins() -> None:
    """Decree 30's margins, the same in both files: portrait 20/15/20/30 mm (top, right,
    bottom, left), landscape with the binding's 30 mm at the top."""
    from govplan.core.official.docx_parts import LANDSCAPE, PORTRAIT

    def margins(rule: str) -> tuple[float, ...]:
        found = re.search(
            rule + r" \{[^@}]*?margin: ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm", CSS
        )
        assert found is not None, rule
        return tuple(float(v) for v in found.groups())

    for rule, page in ((r"@page", PORTRAIT), (r"@page wide", LANDSCAPE)):
        in_mm = tuple(
            round(t * 25.4 / 1440, 1) for t in (page.top, page.right, page.bottom, page.left)
        )
        assert margins(rule) == in_mm, rule


def test_a_heading_stands_over_every_empty_cell_below_it_and_no_further() -> None:
    from govplan.core.official.model import HeaderCell, heading_grid

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
