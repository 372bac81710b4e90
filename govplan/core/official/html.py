"""The official document as paged HTML for WeasyPrint: the same layout as the DOCX writer
(Nghị định 30/2020/NĐ-CP), in CSS paged media. Every text is escaped; the page holds no
reference to anything outside it (no images, links or fonts to fetch)."""

from __future__ import annotations

from html import escape

from govplan.core.official import vietnamese as vn
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
)

CSS = """
@page {
  size: A4; margin: 20mm 15mm 20mm 30mm;
  @top-center { content: counter(page); font: 13pt "Times New Roman", "Liberation Serif",
    "Tinos", "DejaVu Serif", serif; vertical-align: bottom; padding-bottom: 4mm; }
}
@page :first { @top-center { content: none; } }
/* As the DOCX: a landscape page turns its top to the binding, which takes the 30 mm. */
@page wide { size: A4 landscape; margin: 30mm 20mm 15mm 20mm; }
html { font-family: "Times New Roman", "Liberation Serif", "Tinos", "DejaVu Serif", serif;
  font-size: 14pt; line-height: 1.15; color: #000; }
body { margin: 0; }
p { margin: 0 0 6pt; text-align: justify; text-indent: 1.27cm; }
.center { text-align: center; text-indent: 0; }
.draft { text-align: right; text-indent: 0; margin: 0 0 4pt; }
.draft span { border: 1pt solid #000; padding: 1pt 6pt; font-weight: bold; font-size: 13pt; }
table.header, table.closing { width: 100%; border-collapse: collapse; margin: 0 0 6pt; }
table.header td, table.closing td { vertical-align: top; padding: 0; border: none; }
table.header p, table.closing p { text-indent: 0; margin: 0; text-align: center;
  line-height: 1.2; }
.parent { font-size: 13pt; text-transform: uppercase; }
.issuer { font-size: 13pt; font-weight: bold; text-transform: uppercase; }
.nation { font-size: 13pt; font-weight: bold; }
.motto { font-size: 14pt; font-weight: bold; }
.motto span { display: inline-block; border-bottom: 0.75pt solid #000; padding-bottom: 1pt; }
.rule { border-bottom: 0.75pt solid #000; margin: 2pt auto 4pt; height: 0; }
.number { font-size: 13pt; margin-top: 4pt !important; }
.dateline { font-style: italic; margin-top: 8pt !important; }
.type { font-weight: bold; margin: 12pt 0 0; text-indent: 0; text-align: center; }
.subject { font-weight: bold; text-indent: 0; text-align: center; margin: 0; }
.issued-with { font-style: italic; text-indent: 0; text-align: center; margin: 0; }
h1, h2, h3, h4 { font-size: 14pt; margin: 6pt 0; text-indent: 1.27cm; text-align: justify; }
h1, h2 { font-weight: bold; }
h3 { font-weight: normal; }
.sub3 { font-weight: bold; text-indent: 1.27cm; }
.sub4 { font-weight: bold; font-style: italic; text-indent: 1.27cm; }
.basis { font-style: italic; }
.article-head { font-weight: bold; }
table.data { width: 100%; border-collapse: collapse; margin: 4pt 0 8pt; font-size: 12pt;
  line-height: 1.15; table-layout: fixed; }
table.data.narrow-font { font-size: 11pt; }
table.data th, table.data td { border: 0.5pt solid #000; padding: 2pt 3pt; vertical-align: top;
  text-align: left; overflow-wrap: break-word; }
table.data th { font-weight: bold; text-align: center; vertical-align: middle; }
table.data td.num { text-align: right; white-space: nowrap; }
table.data tr.total td { font-weight: bold; }
table.data thead { display: table-header-group; }
table.data tr { break-inside: avoid; }
.table-title { font-weight: bold; text-align: center; text-indent: 0; margin: 6pt 0 2pt; }
.unit-note { font-style: italic; font-size: 12pt; text-align: right; text-indent: 0;
  margin: 0; }
.recipients-title { font-weight: bold; font-style: italic; font-size: 12pt;
  text-align: left !important; }
.recipient { font-size: 11pt; text-align: left !important; }
.sign-line { font-weight: bold; font-size: 13pt; text-transform: uppercase; }
.sign-space { height: 28mm; }
.signer { font-weight: bold; }
.page-break { break-before: page; }
section.wide { page: wide; break-before: page; }
section.appendix { break-before: page; }
.appendix-no { font-weight: bold; text-align: center; text-indent: 0; margin: 0; }
.appendix-title { font-weight: bold; text-transform: uppercase; text-align: center;
  text-indent: 0; margin: 0; }
.attached { font-style: italic; text-align: center; text-indent: 0; }
"""


def _e(text: str) -> str:
    return escape(text, quote=True)


def _lines(text: str) -> str:
    return "<br>".join(_e(line) for line in text.split("\n"))


def _rule(text: str, size: float, bold: bool, share: float = 0.4) -> str:
    """A centred rule a share of the line above it (Decree 30: 1/3 to 1/2 of its length)."""
    longest = max((vn.text_width_pt(t, size, bold=bold) for t in text.split("\n")), default=0)
    return f'<div class="rule" style="width: {max(40.0, longest * share):.0f}pt"></div>'


def _header(issuer: Issuer, *, number_line: str | None, dateline: str | None, draft: bool) -> str:
    left = []
    if issuer.parent:
        left.append(f'<p class="parent">{_lines(issuer.parent)}</p>')
    left.append(f'<p class="issuer">{_lines(issuer.body)}</p>')
    left.append(_rule(issuer.body.upper(), 13, True))
    if number_line is not None:
        left.append(f'<p class="number">{_e(number_line)}</p>')
    right = [
        f'<p class="nation">{_e(vn.NATION)}</p>',
        f'<p class="motto"><span>{_e(vn.MOTTO)}</span></p>',
    ]
    if dateline is not None:
        right.append(f'<p class="dateline">{_e(dateline)}</p>')
    mark = f'<p class="draft"><span>{vn.DRAFT}</span></p>' if draft else ""
    return (
        f'{mark}<table class="header"><colgroup><col style="width: 36%">'
        f'<col style="width: 64%"></colgroup><tr><td>{"".join(left)}</td>'
        f"<td>{''.join(right)}</td></tr></table>"
    )


def _paragraph(block: Paragraph) -> str:
    parts = []
    for run in block.runs:
        text = _e(run.text)
        if run.underline:
            text = f"<u>{text}</u>"
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        parts.append(text)
    body = "".join(parts)
    if block.kind == "heading3":
        return f'<p class="sub3">{body}</p>'
    if block.kind == "heading4":
        return f'<p class="sub4">{body}</p>'
    if block.kind == "bullet":
        return f"<p>- {body}</p>"
    if block.kind == "numbered":
        return f"<p>{_e(block.label)} {body}</p>"
    return f"<p>{body}</p>"


def _table(table: Table) -> str:
    out = []
    if table.title:
        out.append(f'<p class="table-title">{_e(table.title)}</p>')
    if table.unit_note:
        out.append(f'<p class="unit-note">{_e(table.unit_note)}</p>')
    total = sum(table.widths) or 1.0
    cols = "".join(f'<col style="width: {w / total * 100:.2f}%">' for w in table.widths)
    font = " narrow-font" if table.columns > 8 else ""
    out.append(f'<table class="data{font}"><colgroup>{cols}</colgroup><thead>')
    for row in heading_grid(table.header, table.columns):
        cells = "".join(
            "<th"
            + (f' colspan="{h.span}"' if h.span > 1 else "")
            + (f' rowspan="{h.rows}"' if h.rows > 1 else "")
            + f">{_e(h.text)}</th>"
            for h in row
            if h.merge != "continue"
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</thead><tbody>")
    for body_row in table.rows:
        out.append("<tr>" + _cells(body_row, table.numeric) + "</tr>")
    if table.total is not None:
        out.append('<tr class="total">' + _cells(table.total, table.numeric) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _cells(row: tuple[str, ...], numeric: tuple[bool, ...]) -> str:
    return "".join(
        f'<td class="num">{_e(v)}</td>' if i < len(numeric) and numeric[i] else f"<td>{_e(v)}</td>"
        for i, v in enumerate(row)
    )


def _block(block: Block) -> str:
    return _paragraph(block) if isinstance(block, Paragraph) else _table(block)


def _section(section: Section) -> str:
    tag = "h1" if section.level == 0 else "h2" if section.level == 1 else "h3"
    inner = "".join(_block(b) for b in section.blocks)
    children = "".join(_section(c) for c in section.children)
    return f"<{tag}>{_e(section.heading)}</{tag}>{inner}{children}"


def _closing(recipients: list[str], signature: Signature | None) -> str:
    left = ['<p class="recipients-title">Nơi nhận:</p>']
    left += [f'<p class="recipient">{_e(line)}</p>' for line in recipients]
    right = []
    if signature is not None:
        for line in (signature.authority, signature.on_behalf, signature.title):
            if line:
                right.append(f'<p class="sign-line">{_e(line)}</p>')
        right.append('<div class="sign-space"></div>')
        if signature.name:
            right.append(f'<p class="signer">{_e(signature.name)}</p>')
    return (
        '<table class="closing"><colgroup><col style="width: 45%"><col style="width: 55%">'
        f"</colgroup><tr><td>{''.join(left)}</td><td>{''.join(right)}</td></tr></table>"
    )


def _decision(doc: OfficialDocument, decision: Decision) -> str:
    issuer = doc.issuer
    out = [
        _header(
            issuer,
            number_line=vn.number_line(decision.number, decision.code, issuer.code),
            dateline=vn.date_line(issuer.place, decision.date, doc.year),
            draft=doc.is_draft,
        ),
        '<p class="type">QUYẾT ĐỊNH</p>',
        f'<p class="subject">{_e(decision.title)}</p>',
        _rule(decision.title, 14, True),
        f'<p class="center sign-line">{_e(issuer.body.replace(chr(10), " "))}</p>',
    ]
    out += [f'<p class="basis">{_e(line)}</p>' for line in decision.legal_bases]
    out.append('<p class="center"><b>QUYẾT ĐỊNH:</b></p>')
    for article in decision.articles:
        head, dot, rest = article.partition(".")
        if head.startswith("Điều") and dot:
            out.append(f'<p><span class="article-head">{_e(head)}.</span>{_e(rest)}</p>')
        else:
            out.append(f"<p>{_e(article)}</p>")
    out.append(
        _closing(vn.recipient_lines(decision.recipients, decision.archive), decision.signature)
    )
    return "".join(out)


def _appendix(doc: OfficialDocument, appendix: Appendix) -> str:
    kind_name = "Kế hoạch" if doc.kind == "plan" else "Báo cáo"
    number, date = doc.number, doc.date
    if doc.decision is not None:  # the plan has no number of its own: cite the decision
        attached = vn.issued_with(
            doc.decision.number, doc.issuer.code, doc.decision.date, doc.issuer.name
        ).replace("(Ban hành kèm theo", f"(Kèm theo {kind_name} ban hành kèm theo", 1)
    else:
        attached = vn.attached_to(
            kind_name, number, doc.type_code, doc.issuer.code, date, doc.issuer.name
        )
    css = "appendix wide" if appendix.landscape else "appendix"
    tables = "".join(_table(t) for t in appendix.tables)
    return (
        f'<section class="{css}"><p class="appendix-no">Phụ lục {_e(appendix.number)}</p>'
        f'<p class="appendix-title">{_e(appendix.title)}</p>'
        f'<p class="attached">{_e(attached)}</p>{tables}</section>'
    )


def write_html(doc: OfficialDocument) -> str:
    """A complete HTML page; WeasyPrint turns it into the PDF."""
    parts = []
    issuer = doc.issuer
    if doc.decision is not None:
        parts.append(_decision(doc, doc.decision))
        parts.append('<div class="page-break"></div>')
        parts.append(
            _header(issuer, number_line=None, dateline=None, draft=False)
            + f'<p class="type">{doc.type_title}</p>'
            + f'<p class="subject">{_e(doc.subject)}</p>'
            + '<p class="issued-with">'
            + _e(vn.issued_with(doc.decision.number, issuer.code, doc.decision.date, issuer.name))
            + "</p>"
            + _rule(doc.subject, 14, True)
        )
    else:
        parts.append(
            _header(
                issuer,
                number_line=vn.number_line(doc.number, doc.type_code, issuer.code),
                dateline=vn.date_line(issuer.place, doc.date, doc.year),
                draft=doc.is_draft,
            )
            + f'<p class="type">{doc.type_title}</p>'
            + f'<p class="subject">{_e(doc.subject)}</p>'
            + _rule(doc.subject, 14, True)
        )
    parts += [_section(s) for s in doc.sections]
    if doc.decision is None:
        parts.append(_closing(vn.recipient_lines(doc.recipients, doc.archive), doc.signature))
    parts += [_appendix(doc, a) for a in doc.appendices]
    title = f"{doc.type_title} {doc.subject}"
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )
