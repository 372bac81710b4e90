"""Legal citations, dates and the repeated or empty parts of the official document, as the
DOCX and the PDF print them: laws with their number, two-digit days and months, joint
circulars as such, a single year once, the draft's year, no title twice, no empty column."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document as Docx

from govplan.core.documents.keys import EntryKey
from govplan.demo.documents import fill_for_demo
from govplan.documents.actions import do_save_entry
from govplan.documents.models import Document, Entry
from govplan.frameworks.models import LegalDocument
from tests.conftest import Cast
from tests.official.test_official import client_for, docx_text, pdf_pages

pytestmark = pytest.mark.django_db

JOINT = "19/2012/TTLT-BTC-BKH&ĐT-BTTTT"


@pytest.fixture
def plan(cast: Cast, document_a: Document) -> Document:
    fill_for_demo(document_a, actor=cast.editor_a)
    LegalDocument.objects.create(
        code="TTLT-19-2012",
        doc_type="circular",
        number=JOINT,
        date=dt.date(2012, 2, 15),
        issuer="Bộ Tài chính, Bộ Kế hoạch và Đầu tư, Bộ Thông tin và Truyền thông",
        title="Hướng dẫn quản lý và sử dụng kinh phí thực hiện Chương trình quốc gia về ứng "
        "dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước",
    )
    spec = document_a.framework_version.parsed()
    basis = next(s for s in spec.walk() if s.legal_basis is not None)
    key = str(EntryKey.legal(basis.code))
    entry = Entry.objects.get(document=document_a, key=key)
    items = [{"code": "LUAT-67-2006-QH11"}, {"code": "TTLT-19-2012"}, {"code": "ND-42-2022"}]
    do_save_entry(
        document_a, key, entry.revision, {"items": items}, actor=cast.editor_a, locale="vi"
    )
    return document_a


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _both(cast: Cast, plan: Document) -> tuple[str, str]:
    client = client_for(cast.viewer_a)
    docx = docx_text(client.get(reverse("document_docx", args=[plan.pk])).content)
    pdf = "\n".join(pdf_pages(client.get(reverse("document_pdf", args=[plan.pk])).content))
    return _flat(docx), _flat(pdf)


def test_laws_joint_circulars_and_dates_are_cited_in_their_official_form(
    cast: Cast, plan: Document
) -> None:
    for text in _both(cast, plan):
        assert "Luật Công nghệ thông tin số 67/2006/QH11 ngày 29/06/2006;" in text
        assert f"Thông tư liên tịch số {JOINT} ngày 15/02/2012 của Bộ Tài chính" in text
        assert "Nghị định số 42/2022/NĐ-CP ngày 24/6/2022" not in text
        assert re.search(r"Nghị định số 42/2022/NĐ-CP ngày \d\d/\d\d/2022", text)


def test_the_drafts_date_line_carries_the_documents_year(
    cast: Cast, plan: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 2027 plan is due on 20/12/2026: its unnumbered draft is dated 2026 whatever the
    year it is printed in (here, 2031)."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2031, 3, 1))
    for text in _both(cast, plan):
        assert "DỰ THẢO" in text
        assert re.search(r"Bắc Ninh, ngày\s+tháng\s+năm 2026", text)


def test_a_single_year_prints_once(cast: Cast, plan: Document) -> None:
    """The demo's project runs within 2027 (stored as 2027-2027)."""
    response = client_for(cast.viewer_a).get(reverse("document_docx", args=[plan.pk]))
    cells = [
        cell.text
        for table in Docx(io.BytesIO(response.content)).tables
        for row in table.rows
        for cell in row.cells
    ]
    assert "2027" in cells
    assert "2027-2027" not in cells
    for text in _both(cast, plan):
        assert "2027-2027" not in text


def test_no_title_twice_and_no_empty_previous_column(cast: Cast, plan: Document) -> None:
    """The funding appendix of section VII "KINH PHÍ THỰC HIỆN" is titled once; a first
    cycle has no previous values, so the indicator tables have no "Kỳ trước" column."""
    for text in _both(cast, plan):
        assert "KINH PHÍ THỰC HIỆN – KINH PHÍ THỰC HIỆN" not in text.upper()
        assert "Kỳ trước" not in text
    response = client_for(cast.viewer_a).get(reverse("document_docx", args=[plan.pk]))
    headers = [[c.text for c in t.rows[0].cells] for t in Docx(io.BytesIO(response.content)).tables]
    assert ["TT", "Chỉ tiêu", "Đơn vị tính", "Giá trị"] in headers


def test_an_appendix_title_is_not_repeated() -> None:
    """A funding section titled "KINH PHÍ THỰC HIỆN" gives an appendix of that title, not
    "Kinh phí thực hiện – KINH PHÍ THỰC HIỆN"; a table captioned as its appendix prints the
    caption once (as the appendix's title)."""
    from govplan.core.official.model import HeaderCell, Table
    from govplan.official.build import _Appendices, _budget_title

    assert _budget_title("KINH PHÍ THỰC HIỆN") == "KINH PHÍ THỰC HIỆN"
    assert _budget_title("Giải pháp tài chính") == "Kinh phí thực hiện – Giải pháp tài chính"
    appendices = _Appendices()
    table = Table(((HeaderCell("TT"),),), (("1",),), (1.0,), (False,), title="Danh mục dự án")
    other = Table(((HeaderCell("TT"),),), (("1",),), (1.0,), (False,), title="Theo năm")
    appendices.add("DANH MỤC DỰ ÁN", (table, other))
    printed = appendices.items[0]
    assert [t.title for t in printed.tables] == ["", "Theo năm"]


def test_the_previous_column_stays_when_a_row_has_a_previous_value() -> None:
    """The "Kỳ trước" column is dropped only when no row has a previous value."""
    from govplan.core.documents.values import cell_keys
    from govplan.core.documents.view import Cell, IndicatorView, PreviousValue
    from govplan.core.frameworks.files import read_framework
    from govplan.core.frameworks.model import IndicatorUse
    from govplan.official.printed_tables import indicator_table

    spec = read_framework(Path("data/frameworks/kh-cds-2027-mau.yaml"))
    code = next(
        c for c, i in spec.indicators.items() if i.type == "integer" and not i.disaggregation
    )
    indicator = spec.indicators[code]

    def view(previous: PreviousValue | None) -> IndicatorView:
        return IndicatorView(IndicatorUse(code), indicator, None, previous)

    first = indicator_table(spec, (view(None),))
    assert [h.text for h in first.header[0]] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Giá trị"]
    assert all(len(row) == 4 for row in first.rows)
    (key,) = cell_keys(indicator, spec.dimensions)
    earlier = indicator_table(spec, (view(PreviousValue({key: Cell.of({"v": 120})})), view(None)))
    assert [h.text for h in earlier.header[0]][-1] == "Kỳ trước"
    assert earlier.rows[0][4] == "120"
