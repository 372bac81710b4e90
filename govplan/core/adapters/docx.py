"""The official plan or report as a DOCX file, laid out as Nghị định 30/2020/NĐ-CP, appendix I
prescribes: A4, Times New Roman, the two-column header (issuing body and number; nation,
motto, place and date), the title, the numbered sections, the recipients and the signature,
then the appendices, wide ones on landscape pages.

Two issuing modes: the plan signed directly (number "…/KH-UBND"), or a decision that issues
the plan (the decision first, then the plan on its own pages, with its page numbers from 1).

The XML pieces are in govplan.core.adapters.docx_parts; this module decides what goes where.

Long because: it is the one place that orders an official document (header, title, sections,
closing, signature, appendices, in both issuing modes); just over 500 lines, a split would
only scatter that order. The numbers it lays out with are ``core.official.layout``'s."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

import docx
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from govplan.core.adapters.docx_parts import (
    TIGHT_CENTER,
    Fmt,
    Look,
    cell,
    drop_template_leftovers,
    paragraph,
    row,
    rule,
    run,
    set_page,
    set_page_number_header,
    set_page_numbering,
    set_properties,
    set_settings,
    set_styles,
    spacer,
    table,
)
from govplan.core.official import vietnamese as vn
from govplan.core.official.layout import (
    CLOSING_LEFT,
    FIRST_LINE,
    HEADER_LEFT,
    HEADING_PT,
    LANDSCAPE,
    PORTRAIT,
    RULE_SHARE,
    SIGNING_SPACE,
    TWIPS_PER_PT,
    Page,
    balanced_lines,
    cell_text_width,
    line_count,
    table_type_pt,
    widest_line_pt,
)
from govplan.core.official.model import (
    Appendix,
    Decision,
    OfficialDocument,
    Paragraph,
    PlacedHeading,
    Section,
    Signature,
    Table,
    heading_grid,
)
from govplan.core.printable import printable_model

Elements = list[BaseOxmlElement]


def write_docx(doc: OfficialDocument) -> bytes:
    """The document as the bytes of a .docx file."""
    return _Writer(printable_model(doc)).write()


class _Writer:
    """Appends the document's paragraphs and tables section by section to a python-docx
    document made from its default template, restyled."""

    def __init__(self, doc: OfficialDocument) -> None:
        self.doc = doc
        self.document = docx.Document()
        # The body's last w:sectPr stays last: everything is inserted before it.
        self.end = self.document.element.body.get_or_add_sectPr()
        self.page = PORTRAIT

    def write(self) -> bytes:
        doc = self.doc
        set_styles(self.document)
        set_settings(self.document)
        set_properties(self.document, title=doc.subject, author=doc.issuer.name)
        drop_template_leftovers(self.document)
        first = self.document.sections[0]
        set_page(first, PORTRAIT)
        set_page_number_header(first, first_page_blank=True)
        if doc.is_draft:
            self.add([_draft_mark()])
        if doc.decision is None:
            self.add(self.direct_plan())
        else:
            self.add(self.decision(doc.decision))
            self.new_section(PORTRAIT, first_page_blank=True, restart=True)
            self.add(self.attached_plan(doc.decision))
        for appendix in doc.appendices:
            self.new_section(LANDSCAPE if appendix.landscape else PORTRAIT)
            self.add(self.appendix(appendix))
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    def add(self, elements: Sequence[BaseOxmlElement]) -> None:
        for element in elements:
            self.end.addprevious(element)

    def new_section(
        self, page: Page, *, first_page_blank: bool = False, restart: bool = False
    ) -> None:
        """A new section on a new page (``page``), with the page number in its header."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        _shrink_break_paragraph(self.end)
        set_page(section, page)
        set_page_numbering(section, restart=restart)
        set_page_number_header(section, first_page_blank=first_page_blank)
        self.page = page

    # --- the parts ---------------------------------------------------------------------------

    def direct_plan(self) -> Elements:
        doc = self.doc
        number = vn.number_line(doc.number, doc.type_code, doc.issuer.code)
        date = vn.date_line(doc.issuer.place, doc.date, doc.year)
        return [
            _header(doc, number, date),
            *_title(doc.type_title, doc.subject, self.page.text_width),
            *_sections(doc.sections, self.page.text_width),
            *_closing(doc.recipients, doc.archive, doc.signature),
        ]

    def decision(self, decision: Decision) -> Elements:
        doc = self.doc
        issuer = doc.issuer
        number = vn.number_line(decision.number, decision.code, issuer.code)
        date = vn.date_line(issuer.place, decision.date, doc.year)
        authority = " ".join(issuer.body.split()).upper()
        bold_center = Look(bold=True)
        elements = [
            _header(doc, number, date),
            *_title("QUYẾT ĐỊNH", decision.title, self.page.text_width),
            paragraph(authority, Fmt(align="center", first_line=0, before=6), bold_center),
        ]
        elements += [paragraph(basis, look=Look(italic=True)) for basis in decision.legal_bases]
        elements.append(
            paragraph("QUYẾT ĐỊNH:", Fmt(align="center", first_line=0, before=6), bold_center)
        )
        elements += [_article(article) for article in decision.articles]
        elements += _closing(decision.recipients, decision.archive, decision.signature)
        return elements

    def attached_plan(self, decision: Decision) -> Elements:
        doc = self.doc
        note = vn.issued_with(decision.number, doc.issuer.code, decision.date, doc.issuer.name)
        return [
            _header(doc, None, None),
            *_title(doc.type_title, doc.subject, self.page.text_width, note=note),
            *_sections(doc.sections, self.page.text_width),
        ]

    def appendix(self, appendix: Appendix) -> Elements:
        heading = Fmt(align="center", first_line=0, after=0, keep_next=True)
        elements = [
            paragraph(f"Phụ lục {appendix.number}", heading, Look(bold=True)),
            paragraph(appendix.title.upper(), heading, Look(bold=True)),
            paragraph(
                vn.attachment_note(self.doc),
                Fmt(align="center", first_line=0, after=12),
                Look(italic=True),
            ),
        ]
        for block in appendix.tables:
            elements += _table_block(block, self.page.text_width)
        return elements


def _shrink_break_paragraph(end: BaseOxmlElement) -> None:
    """The paragraph python-docx adds to carry a section break takes a 14 pt line at the end
    of the section, which can push an empty page; make it one point high."""
    carrier = end.getprevious()
    if carrier is None:
        return
    props = carrier.find(qn("w:pPr"))
    if props is None:
        return
    small = paragraph(fmt=Fmt(first_line=0, before=0, after=0, exact=1, mark_size=1))
    small_props = small[0]
    for child in list(small_props):
        props.insert(len(props) - 1, child)  # before the w:sectPr, which must stay last


# --- header and title ------------------------------------------------------------------------


def _draft_mark() -> BaseOxmlElement:
    """ "DỰ THẢO" in a box at the top right of page 1."""
    look = Look(size=HEADING_PT, bold=True, boxed=True)
    return paragraph(vn.DRAFT, Fmt(align="right", first_line=0, before=0, after=6), look)


def _header(doc: OfficialDocument, number: str | None, date: str | None) -> BaseOxmlElement:
    """The borderless two-column header: issuing body and number line; nation, motto and the
    place and date line. ``number`` and ``date`` None: those lines are left out."""
    issuer = doc.issuer
    right_width = PORTRAIT.text_width - HEADER_LEFT
    left_text = cell_text_width(HEADER_LEFT)
    right_text = cell_text_width(right_width)
    body = balanced_lines(issuer.body.strip().upper(), HEADING_PT, left_text, bold=True)
    left: Elements = []
    if issuer.parent.strip():
        parent = balanced_lines(issuer.parent.strip().upper(), HEADING_PT, left_text)
        left.append(paragraph(parent, TIGHT_CENTER, Look(size=HEADING_PT)))
    left.append(paragraph(body, TIGHT_CENTER, Look(size=HEADING_PT, bold=True)))
    body_width = widest_line_pt(body, HEADING_PT, left_text, bold=True)
    left.append(rule(body_width * RULE_SHARE, left_text))
    if number is not None:
        left.append(
            paragraph(
                number,
                Fmt(align="center", first_line=0, before=6, after=0, line=1.0),
                Look(size=HEADING_PT),
            )
        )
    right = [
        paragraph(vn.NATION, TIGHT_CENTER, Look(size=HEADING_PT, bold=True)),
        paragraph(vn.MOTTO, TIGHT_CENTER, Look(size=14, bold=True)),
        rule(vn.text_width_pt(vn.MOTTO, 14, bold=True), right_text),
    ]
    if date is not None:
        right.append(
            paragraph(
                date,
                Fmt(align="center", first_line=0, before=6, after=0, line=1.0),
                Look(size=14, italic=True),
            )
        )
    grid = table([HEADER_LEFT, right_width], borders=False)
    grid.append(row([cell(HEADER_LEFT, left), cell(right_width, right)]))
    return grid


def _title(kind: str, subject: str, width: int, *, note: str = "") -> Elements:
    """ "KẾ HOẠCH", the subject line, an optional italic note, a short rule under them.
    (A long subject is left to wrap: where to break it depends on the words' meaning.)"""
    text_width = width / TWIPS_PER_PT
    keep = Fmt(align="center", first_line=0, after=0, keep_next=True)
    elements = [
        paragraph(
            kind,
            Fmt(align="center", first_line=0, before=12, after=0, keep_next=True),
            Look(size=14, bold=True),
        ),
        paragraph(subject, keep, Look(size=14, bold=True)),
    ]
    if note:
        elements.append(paragraph(note, keep, Look(size=14, italic=True)))
    subject_width = widest_line_pt(subject, 14, text_width, bold=True)
    elements += [rule(subject_width * RULE_SHARE, text_width), spacer(12)]
    return elements


# --- body ------------------------------------------------------------------------------------


def _sections(sections: Sequence[Section], width: int) -> Elements:
    return [element for section in sections for element in _section(section, width)]


def _section(section: Section, width: int) -> Iterator[BaseOxmlElement]:
    """The heading ("I. TITLE" bold, "1. Title" bold, "a) Title" regular), the blocks, the
    subsections."""
    fmt = Fmt(
        first_line=FIRST_LINE,
        before=6 if section.level == 0 else None,
        keep_next=True,
        outline=min(section.level, 8),
    )
    yield paragraph(section.heading, fmt, Look(bold=section.level < 2))
    for block in section.blocks:
        if isinstance(block, Paragraph):
            yield _paragraph_block(block)
        else:
            yield from _table_block(block, width)
    for child in section.children:
        yield from _section(child, width)


def _paragraph_block(block: Paragraph) -> BaseOxmlElement:
    """A paragraph in the Normal style; bullets are written as "- " (not Word list
    numbering, which LibreOffice renders differently), numbered items with their label."""
    forced = Look(bold=block.kind in ("heading3", "heading4"), italic=block.kind == "heading4")
    runs = [
        run(
            r.text,
            Look(
                bold=r.bold or forced.bold, italic=r.italic or forced.italic, underline=r.underline
            ),
        )
        for r in block.runs
    ]
    if block.kind == "bullet":
        runs.insert(0, run("- "))
    elif block.kind == "numbered" and block.label:
        runs.insert(0, run(f"{block.label} ", forced))
    fmt = Fmt(keep_next=True) if block.kind in ("heading3", "heading4") else Fmt()
    return paragraph(runs, fmt)


def _article(article: str) -> BaseOxmlElement:
    """ "Điều 1. …" with "Điều 1." in bold."""
    label, rest = vn.split_article(article)
    if not label:
        return paragraph(article)
    return paragraph([run(label, Look(bold=True)), run(f" {rest}" if rest else "")])


# --- tables ----------------------------------------------------------------------------------


def _column_widths(relative: Sequence[float], total: int) -> list[int]:
    """``relative`` widths scaled to ``total`` twips; rounding is absorbed by the last."""
    weights = [max(0.0, w) for w in relative]
    if not any(weights):
        weights = [1.0] * len(relative)
    scale = total / sum(weights)
    widths = [int(w * scale) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


def _table_block(block: Table, width: int) -> Elements:
    """Caption, unit note, then the bordered table over the full text ``width``."""
    elements: Elements = []
    if block.title:
        fmt = Fmt(align="center", first_line=0, before=6, after=3, keep_next=True)
        elements.append(paragraph(block.title, fmt, Look(bold=True)))
    if block.unit_note:
        fmt = Fmt(align="right", first_line=0, after=3, keep_next=True)
        elements.append(paragraph(block.unit_note, fmt, Look(size=12, italic=True)))
    elements += [_grid(block, width), spacer(6)]
    return elements


_CELL_LEFT = Fmt(align="left", first_line=0, before=0, after=0, line=1.0)
_CELL_RIGHT = Fmt(align="right", first_line=0, before=0, after=0, line=1.0)
_CELL_CENTER = Fmt(align="center", first_line=0, before=0, after=0, line=1.0)
_CELL_MARGIN = 57  # 0.1 cm: narrow columns of numbers need the room
_CELL_PADDING = 28  # above and below the text of a cell, in twips


def _grid(block: Table, width: int) -> BaseOxmlElement:
    columns = block.columns
    widths = _column_widths(block.widths, width)
    size = table_type_pt(columns)
    numeric = [*block.numeric, *[False] * columns][:columns]
    grid = table(widths, borders=True, cell_margin=_CELL_MARGIN, vertical_margin=_CELL_PADDING)
    headings = heading_grid(block.header, columns)
    heights = _heading_heights(headings, widths, size)
    for heading, height in zip(headings, heights, strict=True):
        cells = [
            cell(
                sum(widths[h.start : h.start + h.span]),
                [paragraph(h.text, _CELL_CENTER, Look(size=size, bold=True))],
                span=h.span,
                merge=h.merge,
                center_vertically=True,
            )
            for h in heading
        ]
        grid.append(row(cells, heading=True, min_height_pt=height))
    for index, values in enumerate(block.rows):
        # A group's heading ("I", "Ứng dụng CNTT") and its subtotal are bold.
        bold = block.row_kind(index) != ""
        grid.append(_body_row(values, widths, numeric, Look(size=size, bold=bold)))
    if block.total is not None:
        grid.append(_total_row(block.total, widths, numeric, Look(size=size, bold=True)))
    return grid


def _heading_heights(
    rows: list[list[PlacedHeading]], widths: Sequence[int], size: float
) -> list[float]:
    """The least heights of the heading rows (0: as tall as their text) so that a heading
    merged down over several rows fits in them. Word grows the last row by itself, but
    LibreOffice clips such a heading where it repeats on later pages and may add a blank
    page after the table; a row height set in the file avoids both."""
    line = size * 1.15  # Times New Roman's line height at single spacing
    padding = 2 * _CELL_PADDING / TWIPS_PER_PT

    def needed(h: PlacedHeading) -> float:
        text_width = cell_text_width(sum(widths[h.start : h.start + h.span]), _CELL_MARGIN)
        return line_count(h.text, size, text_width, bold=True) * line + padding

    natural = [max([needed(h) for h in hs if h.merge is None] or [padding]) for hs in rows]
    heights = [0.0] * len(rows)
    for top, headings in enumerate(rows):
        for h in headings:
            if h.merge != "restart":
                continue
            bottom = top
            while bottom + 1 < len(rows) and any(
                below.merge == "continue" and (below.start, below.span) == (h.start, h.span)
                for below in rows[bottom + 1]
            ):
                bottom += 1
            above_last = sum(max(natural[r], heights[r]) for r in range(top, bottom))
            last = needed(h) - above_last
            if last > max(natural[bottom], heights[bottom]):
                heights[bottom] = last
    return heights


def _padded(values: Sequence[str], columns: int) -> list[str]:
    if len(values) > columns:
        raise ValueError(f"a row has {len(values)} cells, the table has {columns} columns")
    return [*values, *[""] * (columns - len(values))]


def _body_row(
    values: Sequence[str], widths: Sequence[int], numeric: Sequence[bool], look: Look
) -> BaseOxmlElement:
    return row(
        cell(w, [paragraph(text, _CELL_RIGHT if is_number else _CELL_LEFT, look)])
        for text, w, is_number in zip(_padded(values, len(widths)), widths, numeric, strict=True)
    )


def _total_row(
    values: Sequence[str], widths: Sequence[int], numeric: Sequence[bool], look: Look
) -> BaseOxmlElement:
    """The bold total row; its label fills one cell merged from the "TT" column up to the
    next value, so it is neither broken in the narrow "TT" column nor printed twice. The
    label is the first cell's text, else that of the first filled cell when it is a text
    column ("", "Tổng cộng", "", "3.000"), else "Tổng cộng"."""
    padded = _padded(values, len(widths))
    at = 0
    if not padded[0].strip():
        filled = next((i for i, text in enumerate(padded) if text.strip()), None)
        if filled is not None and not numeric[filled]:
            at = filled
    span = at + 1
    while span < len(padded) and not padded[span].strip():
        span += 1
    label = paragraph(padded[at].strip() or "Tổng cộng", _CELL_LEFT, look)
    first = cell(sum(widths[:span]), [label], span=span)
    rest = [
        cell(w, [paragraph(text, _CELL_RIGHT if is_number else _CELL_LEFT, look)])
        for text, w, is_number in zip(padded[span:], widths[span:], numeric[span:], strict=True)
    ]
    return row([first, *rest])


# --- closing ---------------------------------------------------------------------------------


def _closing(recipients: tuple[str, ...], archive: str, signature: Signature | None) -> Elements:
    """The recipients (left) and the signature (right) in a borderless table."""
    right_width = PORTRAIT.text_width - CLOSING_LEFT
    left = [
        paragraph(
            "Nơi nhận:",
            Fmt(align="left", first_line=0, before=0, after=0, line=1.0),
            Look(size=12, bold=True, italic=True),
        )
    ]
    left += [
        paragraph(
            line,
            Fmt(align="left", first_line=0, left=0, before=0, after=0, line=1.0),
            Look(size=11),
        )
        for line in vn.recipient_lines(recipients, archive)
    ]
    grid = table([CLOSING_LEFT, right_width], borders=False)
    grid.append(row([cell(CLOSING_LEFT, left), cell(right_width, _signature(signature))]))
    return [spacer(12), grid]


def _signature(signature: Signature | None) -> Elements:
    """ "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH", room to sign, the name."""
    space = [paragraph(fmt=TIGHT_CENTER) for _ in range(SIGNING_SPACE)]
    if signature is None:
        return [*space, paragraph(fmt=TIGHT_CENTER)]
    titles = [
        t.strip().upper()
        for t in (signature.authority, signature.on_behalf, signature.title)
        if t.strip()
    ]
    look = Look(size=HEADING_PT, bold=True)
    return [
        *[paragraph(title, TIGHT_CENTER, look) for title in titles],
        *space,
        paragraph(signature.name.strip(), TIGHT_CENTER, Look(size=14, bold=True)),
    ]
