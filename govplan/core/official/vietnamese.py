"""The fixed phrases of an administrative document (Nghị định 30/2020/NĐ-CP, appendix I):
the number line, the place and date line, Roman numerals, the recipients list, the lines
that tie an appendix or an attached plan to its document; and text widths for the rules
that must be as long as a line of text."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govplan.core.official.model import OfficialDocument

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT = "DỰ THẢO"
BLANK = "\u00a0" * 6  # where a number or a day will be written by hand


def number_text(number: str | None) -> str:
    """Numbers below 10 are written with a leading zero (05); a missing one is left blank."""
    if number is None or not number.strip():
        return BLANK
    number = number.strip()
    # One ASCII digit ("²" passes isdigit() too).
    return f"0{number}" if len(number) == 1 and "0" <= number <= "9" else number


def number_line(number: str | None, type_code: str, issuer_code: str) -> str:
    return f"Số: {number_text(number)}/{type_code}-{issuer_code}"


def reference(number: str | None, type_code: str, issuer_code: str) -> str:
    """ "05/KH-UBND", as another document cites it."""
    return f"{number_text(number)}/{type_code}-{issuer_code}"


def day_text(day: int) -> str:
    return f"{day:02d}"


def month_text(month: int) -> str:
    """Months 1 and 2 are zero-padded (so "tháng 01" cannot become "tháng 11"); others not."""
    return f"{month:02d}" if month < 3 else str(month)


def date_line(place: str, date: dt.date | None, year: int | None = None) -> str:
    """ "Bắc Ninh, ngày 05 tháng 01 năm 2027"; without a date, blanks to fill by hand."""
    if date is None:
        shown_year = str(year) if year else BLANK
        return f"{place}, ngày{BLANK}tháng{BLANK}năm {shown_year}"
    return f"{place}, ngày {day_text(date.day)} tháng {month_text(date.month)} năm {date.year}"


def short_date(date: dt.date | None) -> str:
    return date.strftime("%d/%m/%Y") if date else BLANK


ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(n: int) -> str:
    if n < 1:
        raise ValueError("Roman numerals start at 1")
    out = []
    for value, letters in ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def recipient_lines(recipients: tuple[str, ...], archive: str) -> list[str]:
    """Each recipient "- …;", the archive line last "- Lưu: VT, ….", as Decree 30 writes it."""
    lines = [f"- {r.strip().rstrip(';.').strip()};" for r in recipients if r.strip()]
    last = archive.strip().rstrip(".") or "Lưu: VT"
    lines.append(f"- {last}.")
    return lines


def attached_to(
    kind_name: str,
    number: str | None,
    type_code: str,
    issuer_code: str,
    date: dt.date | None,
    issuer_name: str,
) -> str:
    """ "(Kèm theo Kế hoạch số 05/KH-UBND ngày 05/01/2027 của Ủy ban nhân dân tỉnh Bắc Ninh)"."""
    return (
        f"(Kèm theo {kind_name} số {reference(number, type_code, issuer_code)} "
        f"ngày {short_date(date)} của {issuer_name})"
    )


def issued_with(
    number: str | None, issuer_code: str, date: dt.date | None, issuer_name: str
) -> str:
    """ "(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày … của …)"."""
    return (
        f"(Ban hành kèm theo Quyết định số {reference(number, 'QĐ', issuer_code)} "
        f"ngày {short_date(date)} của {issuer_name})"
    )


def attachment_note(doc: OfficialDocument) -> str:
    """The italic line under an appendix's title, "(Kèm theo Kế hoạch số 05/KH-UBND ngày …)";
    a plan issued by a decision has no number of its own, so its appendices cite the
    decision."""
    issuer = doc.issuer
    kind = "Kế hoạch" if doc.kind == "plan" else "Báo cáo"
    if doc.decision is not None and doc.number is None:
        decision = doc.decision
        kind = f"{kind} ban hành kèm theo Quyết định"
        return attached_to(
            kind, decision.number, decision.code, issuer.code, decision.date, issuer.name
        )
    return attached_to(kind, doc.number, doc.type_code, issuer.code, doc.date, issuer.name)


_ARTICLE = re.compile(r"^(Điều\s+\d+[a-z]?\.)\s*(.*)$", re.DOTALL)


def split_article(article: str) -> tuple[str, str]:
    """("Điều 1.", "Ban hành kèm theo …") of an article of a decision, its label to print in
    bold; ("", the article) when it does not start with one."""
    match = _ARTICLE.match(article.strip())
    if match is None:
        return "", article
    return match.group(1), match.group(2)


# Advance widths of Times New Roman (and the metric-compatible Liberation Serif, Tinos) in
# thousandths of an em, from the Adobe core-font metrics; a Vietnamese letter takes the width
# of its base letter (the horn of ơ and ư adds a little).
_REGULAR = {
    " ": 250,
    "-": 333,
    ".": 250,
    ",": 250,
    ":": 278,
    "/": 278,
    "(": 333,
    ")": 333,
    "A": 722,
    "B": 667,
    "C": 667,
    "D": 722,
    "E": 611,
    "F": 556,
    "G": 722,
    "H": 722,
    "I": 333,
    "J": 389,
    "K": 722,
    "L": 611,
    "M": 889,
    "N": 722,
    "O": 722,
    "P": 556,
    "Q": 722,
    "R": 667,
    "S": 556,
    "T": 611,
    "U": 722,
    "V": 722,
    "W": 944,
    "X": 722,
    "Y": 722,
    "Z": 611,
    "a": 444,
    "b": 500,
    "c": 444,
    "d": 500,
    "e": 444,
    "f": 333,
    "g": 500,
    "h": 500,
    "i": 278,
    "j": 278,
    "k": 500,
    "l": 278,
    "m": 778,
    "n": 500,
    "o": 500,
    "p": 500,
    "q": 500,
    "r": 333,
    "s": 389,
    "t": 278,
    "u": 500,
    "v": 500,
    "w": 722,
    "x": 500,
    "y": 500,
    "z": 444,
}
_BOLD = {
    " ": 250,
    "-": 333,
    ".": 250,
    ",": 250,
    ":": 333,
    "/": 278,
    "(": 333,
    ")": 333,
    "A": 722,
    "B": 667,
    "C": 722,
    "D": 722,
    "E": 667,
    "F": 611,
    "G": 778,
    "H": 778,
    "I": 389,
    "J": 500,
    "K": 778,
    "L": 667,
    "M": 944,
    "N": 722,
    "O": 778,
    "P": 611,
    "Q": 778,
    "R": 722,
    "S": 556,
    "T": 667,
    "U": 722,
    "V": 722,
    "W": 1000,
    "X": 722,
    "Y": 722,
    "Z": 667,
    "a": 500,
    "b": 556,
    "c": 444,
    "d": 556,
    "e": 444,
    "f": 333,
    "g": 500,
    "h": 556,
    "i": 278,
    "j": 333,
    "k": 556,
    "l": 278,
    "m": 833,
    "n": 556,
    "o": 500,
    "p": 556,
    "q": 556,
    "r": 444,
    "s": 389,
    "t": 333,
    "u": 556,
    "v": 500,
    "w": 722,
    "x": 500,
    "y": 500,
    "z": 444,
}
_HORNED = set("ơờớởỡợƠỜỚỞỠỢưừứửữựƯỪỨỬỮỰ")
_BASE = str.maketrans(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ",
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    "AAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYYD",
)


def text_width_pt(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The printed width of ``text`` in points, for rules drawn as long as a line of text."""
    table = _BOLD if bold else _REGULAR
    total = 0
    for char in text:
        base = char.translate(_BASE)
        total += table.get(base, 500) + (60 if char in _HORNED else 0)
    return total * size_pt / 1000


LEGAL_TYPE_NAMES = {
    "law": "Luật",
    "resolution": "Nghị quyết",
    "decree": "Nghị định",
    "decision": "Quyết định",
    "directive": "Chỉ thị",
    "circular": "Thông tư",
    "letter": "Công văn",
    "plan": "Kế hoạch",
    "other": "Văn bản",
}


def citation(doc_type: str, number: str, date: dt.date | None, issuer: str, title: str) -> str:
    """How a document cites another: "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính
    trị về đột phá …"; a law by its name, number and date: "Luật Công nghệ thông tin số
    67/2006/QH11 ngày 29/06/2006"; a joint circular (its number holds "TTLT") as one:
    "Thông tư liên tịch số 19/2012/TTLT-BTC-BKH&ĐT-BTTTT ngày 15/02/2012 của …"."""
    on = f" ngày {short_date(date)}" if date else ""
    number_part = f" số {number}" if number and number not in title else ""
    if doc_type == "law" or title.startswith("Luật "):
        name = title if title.startswith("Luật ") else f"Luật {title}".rstrip()
        return f"{name}{number_part}{on}"
    name = LEGAL_TYPE_NAMES.get(doc_type, "Văn bản")
    if doc_type == "circular" and "TTLT" in number.upper():
        name = "Thông tư liên tịch"
    by = f" của {issuer}" if issuer else ""
    about = f" {title[:1].lower()}{title[1:]}" if title else ""
    return f"{name}{number_part}{on}{by}{about}"
