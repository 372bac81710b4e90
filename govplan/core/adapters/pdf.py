"""The official document as PDF, typeset by Typst: the same layout as the DOCX writer
(Nghị định 30/2020/NĐ-CP), from the same model.

The layout is the template ``official.typ`` beside this file. The document reaches it as
JSON data (``sys.inputs.doc``), never as markup: an agency's text is only ever shown, it
cannot be evaluated, and the template reads no file and fetches nothing. Every wording
(number line, date line, recipients) is made here, in Python, by the helpers the DOCX uses,
so the two files say the same thing; the template decides only where it goes.
docs/official-documents.md says why Typst and not WeasyPrint or LibreOffice."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import typst

from govplan.core.official import vietnamese as vn
from govplan.core.official.layout import (
    HEADER_LEFT,
    HEADING_PT,
    LANDSCAPE,
    PORTRAIT,
    RULE_SHARE,
    TWIPS_PER_PT,
    Page,
    balanced_lines,
    cell_text_width,
    table_type_pt,
    widest_line_pt,
)
from govplan.core.official.model import (
    Appendix,
    Block,
    Decision,
    Issuer,
    OfficialDocument,
    Paragraph,
    Section,
    Signature,
    Table,
    heading_grid,
    total_cells,
)
from govplan.core.printable import printable_model

TEMPLATE = Path(__file__).with_name("official.typ")
COMPILER = Path(__file__).with_name("typst_compile.py")
# A 180-page plan takes about a second; a document that takes minutes is not a plan.
TIMEOUT_SECONDS = 120
# Times New Roman as Decree 30 asks; the metric-compatible Liberation Serif (Debian's
# fonts-liberation2) or Tinos where it is not installed; DejaVu Serif as a last resort.
SERIF = ("Times New Roman", "Liberation Serif", "Tinos", "DejaVu Serif")
# Typst's own font, always there, with the Vietnamese letters: used only when none of the above
# is installed, so that a PDF still comes out (in another face).
BUILT_IN_SERIF = "Libertinus Serif"

Data = dict[str, Any]


class PdfError(RuntimeError):
    """Typst refused the document or did not finish in time (a defect in the template, or a
    machine out of memory: never the agency's text, which is data)."""


@functools.cache
def font_families() -> tuple[str, ...]:
    """The serif families of ``SERIF`` installed here, in order of preference."""
    installed = {name.lower() for name in typst.Fonts().families()}
    found = tuple(name for name in SERIF if name.lower() in installed)
    return found or (BUILT_IN_SERIF,)


def write_pdf(
    doc: OfficialDocument, *, created: dt.datetime | None = None, timeout: float = TIMEOUT_SECONDS
) -> bytes:
    """The PDF of ``doc``, made by Typst in a process of its own (typst_compile.py says why);
    ``created`` is its creation date in the file's metadata."""
    payload = json.dumps(document_data(doc), ensure_ascii=False).encode("utf-8")
    command = [sys.executable, "-I", str(COMPILER), str(TEMPLATE)]
    if created is not None:
        command.append(str(int(created.timestamp())))
    try:
        done = subprocess.run(  # noqa: S603 (our own script, no shell, no user input in argv)
            command, input=payload, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise PdfError(f"Typst did not finish in {timeout:.0f} s") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF-"):
        message = done.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise PdfError(f"Typst failed (exit status {done.returncode}): {message}")
    return done.stdout


# The document as the template's data ------------------------------------------------------


def document_data(doc: OfficialDocument) -> Data:
    """Everything the template prints, in reading order: ``body`` (the decision, if any, the
    plan or report with its sections and closing block) and ``appendices``. Characters no
    font can show are dropped first (printable.py)."""
    doc = printable_model(doc)
    return {
        "title": f"{doc.type_title} {doc.subject}",
        "author": doc.issuer.name,
        "fonts": list(font_families()),
        "portrait": _page(PORTRAIT),
        "landscape": _page(LANDSCAPE),
        "body": _body(doc),
        "appendices": [_appendix(doc, a) for a in doc.appendices],
    }


def _page(page: Page) -> Data:
    def mm(twips: int) -> float:
        return round(twips * 25.4 / 1440, 1)

    return {
        "top": mm(page.top),
        "right": mm(page.right),
        "bottom": mm(page.bottom),
        "left": mm(page.left),
        "flipped": page.landscape,
    }


def _body(doc: OfficialDocument) -> list[Data]:
    issuer = doc.issuer
    out: list[Data] = []
    if doc.decision is not None:
        out += _decision(doc, doc.decision)
        out.append({"t": "pagebreak"})
        out.append(_header(issuer, number_line=None, dateline=None))
        out.append({"t": "type", "text": doc.type_title})
        out.append({"t": "subject", "text": doc.subject})
        issued = vn.issued_with(doc.decision.number, issuer.code, doc.decision.date, issuer.name)
        out.append({"t": "issued", "text": issued})
        out.append(_rule(doc.subject))
    else:
        if doc.is_draft:
            out.append({"t": "draft", "text": vn.DRAFT})
        out.append(
            _header(
                issuer,
                number_line=vn.number_line(doc.number, doc.type_code, issuer.code),
                dateline=vn.date_line(issuer.place, doc.date, doc.year),
            )
        )
        out.append({"t": "type", "text": doc.type_title})
        out.append({"t": "subject", "text": doc.subject})
        out.append(_rule(doc.subject))
    for section in doc.sections:
        out += _section(section)
    if doc.decision is None:
        out.append(_closing(vn.recipient_lines(doc.recipients, doc.archive), doc.signature))
    return out


def _rule(subject: str) -> Data:
    """The short rule under a subject line, as long as the DOCX draws it: a share of the
    widest line the subject wraps to (Decree 30: 1/3 to 1/2 of it)."""
    width = PORTRAIT.text_width / TWIPS_PER_PT
    return {"t": "rule", "width": round(widest_line_pt(subject, 14, width, bold=True) * RULE_SHARE)}


def _header(issuer: Issuer, *, number_line: str | None, dateline: str | None) -> Data:
    """The two-column header, its issuing body broken into lines and ruled as in the DOCX."""
    text = cell_text_width(HEADER_LEFT)
    body = balanced_lines(issuer.body.strip().upper(), HEADING_PT, text, bold=True)
    parent = issuer.parent.strip().upper()
    return {
        "t": "header",
        "left": round(HEADER_LEFT / TWIPS_PER_PT, 1),  # the issuing body's column, in pt
        "parent": balanced_lines(parent, HEADING_PT, text) if parent else "",
        "issuer": body,
        "rule": round(widest_line_pt(body, HEADING_PT, text, bold=True) * RULE_SHARE),
        "number": number_line,
        "nation": vn.NATION,
        "motto": vn.MOTTO,
        "date": dateline,
    }


def _decision(doc: OfficialDocument, decision: Decision) -> list[Data]:
    issuer = doc.issuer
    out: list[Data] = []
    if doc.is_draft:
        out.append({"t": "draft", "text": vn.DRAFT})
    out += [
        _header(
            issuer,
            number_line=vn.number_line(decision.number, decision.code, issuer.code),
            dateline=vn.date_line(issuer.place, decision.date, doc.year),
        ),
        {"t": "type", "text": "QUYẾT ĐỊNH"},
        {"t": "subject", "text": decision.title},
        _rule(decision.title),
        {"t": "authority", "text": " ".join(issuer.body.split()).upper()},
    ]
    out += [{"t": "basis", "text": line} for line in decision.legal_bases]
    out.append({"t": "decides", "text": "QUYẾT ĐỊNH:"})
    for article in decision.articles:
        label, rest = vn.split_article(article)
        text = (f" {rest}" if rest else "") if label else article
        out.append({"t": "article", "head": label, "text": text})
    out.append(
        _closing(vn.recipient_lines(decision.recipients, decision.archive), decision.signature)
    )
    return out


def _section(section: Section) -> list[Data]:
    out: list[Data] = [{"t": "heading", "level": section.level, "text": section.heading}]
    out += [_block(b) for b in section.blocks]
    for child in section.children:
        out += _section(child)
    return out


def _block(block: Block) -> Data:
    if isinstance(block, Paragraph):
        return _paragraph(block)
    return _table(block)


def _paragraph(block: Paragraph) -> Data:
    prefix = {"bullet": "- ", "numbered": f"{block.label} "}.get(block.kind, "")
    runs = [[r.text, r.bold, r.italic, r.underline] for r in block.runs if r.text]
    if prefix:
        runs.insert(0, [prefix, False, False, False])
    kind = block.kind if block.kind in ("heading3", "heading4") else "body"
    return {"t": "par", "kind": kind, "runs": runs}


def _table(table: Table) -> Data:
    heads = [
        [{"text": h.text, "span": h.span, "rows": h.rows} for h in row if h.merge != "continue"]
        for row in heading_grid(table.header, table.columns)
    ]
    return {
        "t": "table",
        "title": table.title,
        "unit_note": table.unit_note,
        "widths": list(table.widths),
        "numeric": [
            table.numeric[i] if i < len(table.numeric) else False for i in range(table.columns)
        ],
        # More than eight columns: 11 pt, as the DOCX sets them.
        "size": table_type_pt(table.columns),
        "head": heads,
        "rows": [_row(r, table.columns) for r in table.rows],
        # A group's heading and subtotal rows are bold.
        "bold": [table.row_kind(i) != "" for i in range(len(table.rows))],
        "total": _total(table) if table.total is not None else None,
    }


def _total(table: Table) -> list[Data]:
    """The total row as (text, span) cells: its label merged from the "TT" column up to the
    first figure, as in the DOCX, so that it never runs over a figure."""
    assert table.total is not None
    numeric = tuple(
        table.numeric[i] if i < len(table.numeric) else False for i in range(table.columns)
    )
    row = tuple(_row(table.total, table.columns))
    return [
        {"text": text, "span": span, "numeric": span == 1 and numeric[at]}
        for text, span, at in _placed(total_cells(row, numeric))
    ]


def _placed(cells: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    out, at = [], 0
    for text, span in cells:
        out.append((text, span, at))
        at += span
    return out


def _row(row: tuple[str, ...], columns: int) -> list[str]:
    cells = [_breakable(c) for c in row[:columns]]
    return cells + [""] * (columns - len(cells))


# Over 20 characters with nowhere to break: a code, an identifier, a word run together.
_UNBREAKABLE = re.compile(r"[^\s/\-?&=_.,;:]{21,}")
ZERO_WIDTH_SPACE = "\u200b"


def _breakable(text: str) -> str:
    """``text`` with a break opportunity every 10 characters of a long unbreakable run, so it
    wraps inside a narrow column instead of running over the next one (what CSS calls
    overflow-wrap, which Typst does not have). Words and numbers are far shorter."""

    def split(match: re.Match[str]) -> str:
        run = match.group(0)
        return ZERO_WIDTH_SPACE.join(run[i : i + 10] for i in range(0, len(run), 10))

    return _UNBREAKABLE.sub(split, text)


def _closing(recipients: list[str], signature: Signature | None) -> Data:
    lines: list[str] = []
    name = ""
    if signature is not None:
        lines = [s for s in (signature.authority, signature.on_behalf, signature.title) if s]
        name = signature.name
    return {
        "t": "closing",
        "recipients_title": "Nơi nhận:",
        "recipients": recipients,
        "signed": signature is not None,
        "sign_lines": [line.upper() for line in lines],
        "signer": name,
    }


def _appendix(doc: OfficialDocument, appendix: Appendix) -> Data:
    return {
        "landscape": appendix.landscape,
        "number": f"Phụ lục {appendix.number}",
        "title": appendix.title.upper(),
        "attached": vn.attachment_note(doc),
        "tables": [_table(t) for t in appendix.tables],
    }
