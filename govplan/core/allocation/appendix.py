"""The approved allocation as the appendix table of a decision: plain data both writers
(DOCX, XLSX) lay out. Amounts are whole đồng, printed 1.234.567."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from govplan.core.official import vietnamese as vn
from govplan.core.official.model import HeaderCell, Table


def format_dong(amount: int) -> str:
    """1234567 → "1.234.567" (the Vietnamese grouping)."""
    sign = "-" if amount < 0 else ""
    return sign + f"{abs(amount):,}".replace(",", ".")


@dataclass(frozen=True)
class AppendixRow:
    unit: str
    project: str
    asked: int
    amount: int
    reason: str


@dataclass(frozen=True)
class AppendixData:
    """What the appendix prints: its title, the decision it is attached to, and the rows."""

    title: str  # "Phân bổ kinh phí ngân sách trung ương năm 2009 …"
    issuer_name: str  # "Bộ Thông tin và Truyền thông"
    issuer_code: str  # "BTTTT"
    decision_number: str  # "" : not numbered yet ("…" printed)
    decision_date: dt.date | None
    rows: tuple[AppendixRow, ...]
    number: str = "I"

    @property
    def note(self) -> str:
        """ "(Kèm theo Quyết định số 12/QĐ-BTTTT ngày 05/01/2009 của Bộ Thông tin và …)"."""
        reference = vn.reference(self.decision_number or None, "QĐ", self.issuer_code)
        return (
            f"(Kèm theo Quyết định số {reference} ngày {vn.short_date(self.decision_date)} "
            f"của {self.issuer_name})"
        )

    @property
    def total_asked(self) -> int:
        return sum(r.asked for r in self.rows)

    @property
    def total_amount(self) -> int:
        return sum(r.amount for r in self.rows)


HEADINGS = (
    "TT",
    "Cơ quan, đơn vị",
    "Tên nhiệm vụ, dự án",
    "Kinh phí đề xuất",
    "Kinh phí phân bổ",
    "Căn cứ phân bổ",
)
WIDTHS = (0.5, 2.6, 4.2, 1.9, 1.9, 2.6)
NUMERIC = (False, False, False, True, True, False)


def appendix_table(data: AppendixData) -> Table:
    rows: Sequence[tuple[str, ...]] = [
        (str(i), r.unit, r.project, format_dong(r.asked), format_dong(r.amount), r.reason)
        for i, r in enumerate(data.rows, start=1)
    ]
    return Table(
        header=(tuple(HeaderCell(h) for h in HEADINGS),),
        rows=tuple(rows),
        widths=WIDTHS,
        numeric=NUMERIC,
        total=(
            "",
            "Tổng cộng",
            "",
            format_dong(data.total_asked),
            format_dong(data.total_amount),
            "",
        ),
        unit_note="Đơn vị tính: đồng",
    )
