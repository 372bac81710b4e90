"""The official document's layout decisions, as numbers: page sizes and margins, the columns
of the header and the closing, type sizes, and where text wraps (measured with the
Times New Roman widths of ``vietnamese.text_width_pt``). No file format here: the DOCX
writer (``core.adapters.docx``) and the PDF writer (``core.adapters.pdf``) both lay the
document out from these, so the two agree. Lengths are in twips (1/20 pt) unless named
``_pt``."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from govplan.core.official.vietnamese import text_width_pt

BODY_PT = 14.0
FIRST_LINE = 720  # 1.27 cm in twips (1 cm = 567 twips; 1 pt = 20 twips)
TWIPS_PER_PT = 20


def cm(value: float) -> int:
    """Centimetres in twips."""
    return round(value * 1440 / 2.54)


def mm(value: float) -> int:
    """Millimetres in twips."""
    return round(value * 1440 / 25.4)


HEADER_LEFT = cm(6.0)  # the issuing body's column; the nation's takes the rest (10.5 cm)
CLOSING_LEFT = cm(7.5)  # the recipients' column; the signature takes the rest
HEADING_PT = 13.0  # the header lines and the signature's titles
RULE_SHARE = 0.4  # short rules: between 1/3 and 1/2 of the line above them
SIGNING_SPACE = 4  # empty lines for the hand signature and the seal


# --- text measure ----------------------------------------------------------------------------


def _greedy(widths: Sequence[float], space: float, width_pt: float) -> list[float]:
    """The widths of the lines of words ``widths`` wrapped greedily at ``width_pt``."""
    lines: list[float] = []
    line = 0.0
    for word in widths:
        if line and line + space + word > width_pt:
            lines.append(line)
            line = word
        else:
            line = line + space + word if line else word
    lines.append(line)
    return lines


def _hard_lines(text: str) -> list[str]:
    """The lines of ``text`` between its line breaks (str.splitlines would also split at
    control characters that are dropped from the printed text)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def widest_line_pt(text: str, size_pt: float, width_pt: float, *, bold: bool = False) -> float:
    """The width of the widest printed line of ``text`` wrapped at ``width_pt``, wrapping
    greedily at spaces as Word does; a rule "1/3 of the line" follows the line as printed."""
    space = text_width_pt(" ", size_pt, bold=bold)
    widest = 0.0
    for hard_line in _hard_lines(text):
        words = [text_width_pt(word, size_pt, bold=bold) for word in hard_line.split()]
        widest = max(widest, *_greedy(words, space, width_pt))
    return min(widest, width_pt)


def line_count(text: str, size_pt: float, width_pt: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes wrapped at ``width_pt``."""
    space = text_width_pt(" ", size_pt, bold=bold)
    count = 0
    for hard_line in _hard_lines(text):
        words = [text_width_pt(word, size_pt, bold=bold) for word in hard_line.split()]
        count += len(_greedy(words, space, width_pt))
    return count


def balanced_lines(text: str, size_pt: float, width_pt: float, *, bold: bool = False) -> str:
    """``text`` with line breaks where it must wrap, in as few lines as greedy wrapping
    takes but of even lengths: "ỦY BAN NHÂN DÂN / TỈNH BẮC NINH", as clerks break the
    issuing body, not "ỦY BAN NHÂN DÂN TỈNH / BẮC NINH". Breaks already in ``text`` stay."""
    space = text_width_pt(" ", size_pt, bold=bold)
    out: list[str] = []
    for hard_line in _hard_lines(text):
        words = hard_line.split()
        widths = [text_width_pt(word, size_pt, bold=bold) for word in words]
        count = len(_greedy(widths, space, width_pt))
        if count <= 1:
            out.append(" ".join(words))
            continue
        out += [" ".join(words[i:j]) for i, j in _even_split(widths, space, count)]
    return "\n".join(out)


def _even_split(widths: Sequence[float], space: float, count: int) -> list[tuple[int, int]]:
    """The split of words ``widths`` into ``count`` lines whose longest line is shortest."""
    n = len(widths)
    starts = [0.0]
    for w in widths:
        starts.append(starts[-1] + w)

    def span(i: int, j: int) -> float:
        return starts[j] - starts[i] + space * (j - i - 1)

    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        for j in range(k, n + 1):
            for i in range(k - 1, j):
                candidate = max(best[k - 1][i], span(i, j))
                if candidate < best[k][j]:
                    best[k][j], cut[k][j] = candidate, i
    bounds: list[tuple[int, int]] = []
    j = n
    for k in range(count, 0, -1):
        bounds.append((cut[k][j], j))
        j = cut[k][j]
    return bounds[::-1]


def cell_text_width(width: int, cell_margin: int = 108) -> float:
    """The width in points that text has in a cell ``width`` twips wide."""
    return (width - 2 * cell_margin) / TWIPS_PER_PT


# --- pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page size and its margins, in twips."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    right: int
    landscape: bool = False

    @property
    def text_width(self) -> int:
        return self.width - self.left - self.right


A4_WIDTH, A4_HEIGHT = 11906, 16838  # Word's A4: 210 × 297 mm
PORTRAIT = Page(A4_WIDTH, A4_HEIGHT, top=mm(20), bottom=mm(20), left=mm(30), right=mm(15))
# A landscape page is turned with its top towards the binding (the portrait left edge), so
# the binding margin of 30 mm moves to the top and the outer 15 mm to the bottom.
LANDSCAPE = Page(
    A4_HEIGHT, A4_WIDTH, top=mm(30), bottom=mm(15), left=mm(20), right=mm(20), landscape=True
)
HEADER_DISTANCE = mm(10)


# --- tables ----------------------------------------------------------------------------------

# Both writers leave this much room beside the text of a table cell, in points: the DOCX
# 57 twips on each side (docx.py), Typst an inset of 3 pt on each side (official.typ).
TABLE_CELL_PADDING_PT = 6.0
# The widest amount a readable column of money must hold on one line, in million VND.
READABLE_AMOUNT = "1.000.000"


def table_type_pt(columns: int) -> float:
    """The type size of a table's text: 11 pt beyond eight columns, else 12 pt."""
    return 11.0 if columns > 8 else 12.0


@functools.lru_cache(maxsize=8192)
def _word_pt(word: str, size_pt: float, bold: bool) -> float:
    """A word's printed width; table cells repeat the same words and figures a great deal."""
    return text_width_pt(word, size_pt, bold=bold)


def unbroken_width_pt(texts: Sequence[str], size_pt: float, *, bold: bool = False) -> float:
    """The width a column needs so that none of ``texts`` breaks inside a word: its widest
    word, plus the room beside a cell's text."""
    words = {word for text in texts for word in text.split()}
    widest = max((_word_pt(word, size_pt, bold) for word in words), default=0.0)
    return widest + TABLE_CELL_PADDING_PT


def amount_width_pt(
    heading: str, values: Sequence[str], size_pt: float, *, slack_pt: float = 2.0
) -> float:
    """The narrowest readable column of amounts: it holds "1.000.000" and every one of
    ``values`` on one line, and its bold ``heading`` wraps between words only. ``slack_pt``
    covers the small differences between Word's, LibreOffice's and Typst's metrics."""
    need = max(
        unbroken_width_pt([READABLE_AMOUNT, *values], size_pt),
        unbroken_width_pt([heading], size_pt, bold=True),
    )
    return need + slack_pt


def label_width_pt(
    labels: Sequence[str], size_pt: float, *, lines: int = 3, least: float = 110.0
) -> tuple[float, float]:
    """A column of names (projects, contents): (the width at which the longest takes about
    ``lines`` lines, the least width), never less than ``least`` points nor than its widest
    word, and no wider than needed for the longest on one line."""
    space = _word_pt(" ", size_pt, False)
    longest, widest = 0.0, 0.0
    for text in labels:
        words = [_word_pt(word, size_pt, False) for word in text.split()]
        if words:
            longest = max(longest, sum(words) + space * (len(words) - 1))
            widest = max(widest, *words)
    floor = max(least, widest + TABLE_CELL_PADDING_PT)
    target = max(floor, longest / lines + TABLE_CELL_PADDING_PT)
    return min(target, max(floor, longest + TABLE_CELL_PADDING_PT + 2)), floor
