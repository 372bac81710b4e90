"""Sanitised narrative HTML (see documents/sanitize.py) as the document's blocks: paragraphs
with their emphasis, sub-headings, list items and simple tables. Both writers print these."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from govplan.core.inputs import parse_id
from govplan.core.official.model import (
    Block,
    BlockKind,
    HeaderCell,
    Paragraph,
    Run,
    Table,
)

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^[-+]?[\d.,\s]+%?$")
_EMPHASIS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline"}
_PARAGRAPHS: dict[str, BlockKind] = {"p": "body", "h3": "heading3", "h4": "heading4"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.runs: list[Run] = []
        self.kind: BlockKind = "body"
        self.label = ""
        self.emphasis = {"bold": 0, "italic": 0, "underline": 0}
        self.lists: list[list[int | str]] = []  # [tag, counter] per open list
        self.table: list[list[tuple[str, int, bool]]] | None = None  # rows of (text, span, th)
        self.cell: list[str] | None = None
        self.cell_span = 1
        self.cell_head = False
        self.in_thead = False

    # -- paragraphs -----------------------------------------------------------------
    def flush(self) -> None:
        runs = _tidy(self.runs)
        if runs:
            self.blocks.append(Paragraph(tuple(runs), self.kind, self.label))
        self.runs = []
        self.kind, self.label = "body", ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.table is not None:
            self._table_start(tag, attrs)
            return
        if tag in _EMPHASIS:
            self.emphasis[_EMPHASIS[tag]] += 1
        elif tag in _PARAGRAPHS or tag == "h5":
            self.flush()
            self.kind = _PARAGRAPHS.get(tag, "heading4")
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            self.flush()
            if self.lists and self.lists[-1][0] == "ol":
                counter = int(self.lists[-1][1]) + 1
                self.lists[-1][1] = counter
                self.kind, self.label = "numbered", f"{counter}."
            else:
                self.kind = "bullet"
        elif tag == "br":  # a line break starts a new paragraph of the same kind
            kind = self.kind
            self.flush()
            self.kind = "body" if kind in ("bullet", "numbered") else kind
        elif tag == "table":
            self.flush()
            self.table = []
        elif tag == "blockquote":
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if self.table is not None:
            self._table_end(tag)
            return
        if tag in _EMPHASIS:
            self.emphasis[_EMPHASIS[tag]] = max(0, self.emphasis[_EMPHASIS[tag]] - 1)
        elif tag in ("p", "h3", "h4", "h5", "li", "blockquote"):
            self.flush()
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()

    def handle_data(self, data: str) -> None:
        if self.table is not None:
            if self.cell is not None:
                self.cell.append(data)
            return
        if not data:
            return
        self.runs.append(
            Run(
                data,
                bold=self.emphasis["bold"] > 0,
                italic=self.emphasis["italic"] > 0,
                underline=self.emphasis["underline"] > 0,
            )
        )

    # -- tables ---------------------------------------------------------------------
    def _table_start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert self.table is not None
        if tag == "thead":
            self.in_thead = True
        elif tag == "tr":
            self.table.append([])
        elif tag in ("td", "th"):
            span = next((v for k, v in attrs if k == "colspan"), None)
            self.cell = []
            # isdigit() holds for "²", which int() refuses: ASCII digits only.
            number = parse_id(span.strip()) if span else None
            self.cell_span = number if number is not None and 0 < number < 50 else 1
            self.cell_head = tag == "th" or self.in_thead
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def _table_end(self, tag: str) -> None:
        assert self.table is not None
        if tag in ("td", "th") and self.cell is not None:
            if not self.table:
                self.table.append([])
            text = _SPACE.sub(" ", "".join(self.cell)).strip()
            self.table[-1].append((text, self.cell_span, self.cell_head))
            self.cell = None
        elif tag == "thead":
            self.in_thead = False
        elif tag == "table":
            rows, self.table = self.table, None
            table = _table(rows)
            if table is not None:
                self.blocks.append(table)


def _tidy(runs: list[Run]) -> list[Run]:
    """Whitespace as a browser shows it: runs of spaces become one, none at either end."""
    tidied: list[Run] = []
    for run in runs:
        text = _SPACE.sub(" ", run.text)
        if tidied and tidied[-1].text.endswith(" ") and text.startswith(" "):
            text = text[1:]
        if not tidied:
            text = text.lstrip()
        if text:
            tidied.append(Run(text, run.bold, run.italic, run.underline))
    while tidied and not tidied[-1].text.strip():
        tidied.pop()
    if tidied:
        last = tidied[-1]
        tidied[-1] = Run(last.text.rstrip(), last.bold, last.italic, last.underline)
    return tidied


def _table(rows: list[list[tuple[str, int, bool]]]) -> Table | None:
    rows = [r for r in rows if r]
    if not rows:
        return None
    width = max(sum(span for _, span, _ in row) for row in rows)
    header: list[tuple[HeaderCell, ...]] = []
    body: list[tuple[str, ...]] = []
    for row in rows:
        if not body and all(head for _, _, head in row):
            cells = [HeaderCell(text, span) for text, span, _ in row]
            missing = width - sum(c.span for c in cells)
            header.append(tuple(cells + [HeaderCell("")] * missing))
            continue
        flat: list[str] = []
        for text, span, _ in row:
            flat.extend([text] + [""] * (span - 1))
        body.append(tuple(flat + [""] * (width - len(flat))))
    numeric = tuple(
        bool(body) and all(not row[i] or _NUMBER.match(row[i]) for row in body)
        for i in range(width)
    )
    return Table(tuple(header), tuple(body), tuple([1.0] * width), numeric)


def blocks_from_html(html: str) -> tuple[Block, ...]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.flush()
    return tuple(reader.blocks)
