"""An official plan or report as plain data: what the writers lay out.

Everything is already in words: numbers are formatted the Vietnamese way (1.234,5), dates
are dates, texts are the agency's. The writers decide only the layout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["body", "heading3", "heading4", "bullet", "numbered"]
# A table's body row: an ordinary row (""), a group's heading row ("I. Ứng dụng CNTT") or a
# group's subtotal row; the writers print the last two bold.
RowKind = Literal["", "group", "subtotal"]
ROW_KINDS: tuple[RowKind, ...] = ("", "group", "subtotal")


@dataclass(frozen=True)
class Run:
    """A piece of text with one set of emphasis."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text. ``label`` is the number of a numbered list item ("1.")."""

    runs: tuple[Run, ...]
    kind: BlockKind = "body"
    label: str = ""

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class HeaderCell:
    text: str
    span: int = 1  # columns this heading covers


@dataclass(frozen=True)
class Table:
    """A table as printed: heading rows (cells may span columns), body rows of text, and
    an optional total row. ``numeric`` columns are right-aligned; ``widths`` are relative."""

    header: tuple[tuple[HeaderCell, ...], ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    numeric: tuple[bool, ...]
    total: tuple[str, ...] | None = None
    title: str = ""  # a caption printed above the table, bold
    unit_note: str = ""  # e.g. "Đơn vị tính: triệu đồng", printed right-aligned above it
    # The kind of each body row, in order; empty (or short): the rows are ordinary rows.
    row_kinds: tuple[RowKind, ...] = ()

    @property
    def columns(self) -> int:
        return len(self.widths)

    def row_kind(self, index: int) -> RowKind:
        """The kind of body row ``index``: "" unless ``row_kinds`` says otherwise."""
        return self.row_kinds[index] if index < len(self.row_kinds) else ""


def total_cells(values: tuple[str, ...], numeric: tuple[bool, ...]) -> list[tuple[str, int]]:
    """The total row as printed, (text, columns spanned): its label fills one cell merged
    from the "TT" column up to the next value, so that it is neither broken in the narrow
    "TT" column nor printed over a figure. The label is the first cell's text, else that of
    the first filled cell when it is a text column, else "Tổng cộng"."""
    padded = list(values)
    numbers = [*numeric, *[False] * len(padded)]
    at = 0
    if padded and not padded[0].strip():
        filled = next((i for i, text in enumerate(padded) if text.strip()), None)
        if filled is not None and not numbers[filled]:
            at = filled
    span = at + 1
    while span < len(padded) and not padded[span].strip():
        span += 1
    label = (padded[at].strip() if padded else "") or "Tổng cộng"
    return [(label, span), *((text, 1) for text in padded[span:])]


Block = Paragraph | Table


@dataclass
class PlacedHeading:
    """A heading cell placed on the table's grid. ``merge`` "restart" starts a vertical merge
    over ``rows`` heading rows; "continue" marks the empty cells below it that it covers."""

    text: str
    start: int
    span: int
    merge: Literal["restart", "continue"] | None = None
    rows: int = 1


def heading_grid(
    header: tuple[tuple[HeaderCell, ...], ...], columns: int
) -> list[list[PlacedHeading]]:
    """The heading rows on the grid, as both writers print them. A short row is padded with
    an empty cell. An empty cell under a heading of the same columns continues it downwards,
    so "TT" or "Tên dự án" stands over both heading rows beside "Trong đó" / "NSTW"."""
    rows: list[list[PlacedHeading]] = []
    owners: dict[tuple[int, int], PlacedHeading] = {}  # (start, span) → the heading merged down
    for cells in header:
        covered = sum(max(1, c.span) for c in cells)
        if covered > columns:
            raise ValueError(f"a heading row covers {covered} columns, the table has {columns}")
        padded = [*cells, HeaderCell("", columns - covered)] if covered < columns else cells
        placed, start = [], 0
        for head in padded:
            placed.append(PlacedHeading(head.text, start, max(1, head.span)))
            start += max(1, head.span)
        if rows:
            above = {(h.start, h.span): h for h in rows[-1]}
            for h in placed:
                up = above.get((h.start, h.span))
                if h.text.strip() or up is None or not (up.text.strip() or up.merge):
                    continue
                owner = owners[(h.start, h.span)] if up.merge == "continue" else up
                up.merge = up.merge or "restart"
                owner.rows += 1
                owners[(h.start, h.span)] = owner
                h.merge = "continue"
        rows.append(placed)
    return rows


@dataclass(frozen=True)
class Section:
    """A numbered part of the document. ``level`` 0 prints "I. TITLE" (bold, upper case),
    1 prints "1. Title" (bold), 2 and deeper "a) Title" (regular)."""

    number: str
    title: str
    level: int
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = ()

    @property
    def heading(self) -> str:
        if self.level == 0:
            return f"{self.number}. {self.title.upper()}"
        if self.level == 1:
            return f"{self.number}. {self.title}"
        return f"{self.number}) {self.title}"


@dataclass(frozen=True)
class Appendix:
    """An appendix: "Phụ lục I", its upper-case title, then its tables; wide ones landscape."""

    number: str  # a Roman numeral
    title: str
    tables: tuple[Table, ...]
    landscape: bool = False


@dataclass(frozen=True)
class Issuer:
    """Who issues: printed in the left column of the header and in the number line."""

    body: str  # "ỦY BAN NHÂN DÂN TỈNH BẮC NINH", may hold a line break
    name: str  # in a sentence: "Ủy ban nhân dân tỉnh Bắc Ninh"
    parent: str = ""  # the body above it, e.g. "UBND TỈNH BẮC NINH" for a department
    code: str = "UBND"  # the issuer's abbreviation in the number: 2668/KH-UBND
    place: str = "Hà Nội"  # the place name of the date line


@dataclass(frozen=True)
class Signature:
    """The signature block: "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / name."""

    title: str
    name: str = ""
    authority: str = ""  # "TM. ỦY BAN NHÂN DÂN"; empty when the head signs in own name
    on_behalf: str = ""  # "KT. CHỦ TỊCH" when a deputy signs


@dataclass(frozen=True)
class Decision:
    """The approving decision the plan is attached to (the second issuing mode)."""

    number: str | None  # None: not numbered yet (a draft)
    date: dt.date | None
    title: str  # "Về việc ban hành Kế hoạch chuyển đổi số năm 2027"
    legal_bases: tuple[str, ...] = ()  # each "Căn cứ …" line
    articles: tuple[str, ...] = ()  # "Điều 1. Ban hành kèm theo …", …
    recipients: tuple[str, ...] = ()
    archive: str = "Lưu: VT."
    signature: Signature | None = None
    code: str = "QĐ"


@dataclass(frozen=True)
class OfficialDocument:
    kind: Literal["plan", "report"]
    issuer: Issuer
    subject: str  # the subject line under "KẾ HOẠCH": "Chuyển đổi số năm 2027"
    number: str | None = None  # None: not numbered yet, the document is a draft
    date: dt.date | None = None
    year: int | None = None  # printed in a blank date line ("ngày … tháng … năm 2027")
    sections: tuple[Section, ...] = ()
    recipients: tuple[str, ...] = ()  # each line without its "- " and ";"
    archive: str = "Lưu: VT."  # the last line of the recipients
    signature: Signature | None = None
    appendices: tuple[Appendix, ...] = ()
    decision: Decision | None = None  # set: the plan is issued with this decision
    draft_mark: bool = field(default=False)  # force the "DỰ THẢO" mark even when numbered

    @property
    def type_title(self) -> str:
        return "KẾ HOẠCH" if self.kind == "plan" else "BÁO CÁO"

    @property
    def type_code(self) -> str:
        return "KH" if self.kind == "plan" else "BC"

    @property
    def is_draft(self) -> bool:
        """Without its number (or, issued with a decision, the decision's) it is a draft."""
        if self.draft_mark:
            return True
        if self.decision is not None:
            return self.decision.number is None or self.decision.date is None
        return self.number is None or self.date is None
