"""Low-level pieces of the DOCX writer (govplan.core.adapters.docx): WordprocessingML elements
built directly, page setup, styles and the page-number header.

Paragraphs and tables are built as XML elements rather than through python-docx's object API:
it is several times faster on large tables, and it lets every paragraph carry exactly the
direct formatting a reader checks (size, alignment, indent) without relying on a template's
styles. Elements are created in the order the schema requires, so Word opens the file without
a repair prompt.

The layout decisions (page sizes, margins, where text wraps) are the domain's
(``core.official.layout``), shared with the PDF writer; this module only writes them as XML."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Cm, Pt, Twips

from govplan.core.official.layout import (
    BODY_PT,
    HEADER_DISTANCE,
    TWIPS_PER_PT,
    Page,
)

FONT = "Times New Roman"
LANG = "vi-VN"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Characters XML 1.0 cannot hold; lxml refuses them, so they are dropped from the text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAKS = re.compile("(\r\n|\n|\r|\t)")


# --- elements --------------------------------------------------------------------------------


def el(
    tag: str,
    attrs: dict[str, str | int] | None = None,
    children: Iterable[BaseOxmlElement] = (),
) -> BaseOxmlElement:
    """An element ``tag`` ("w:p") with ``attrs`` ("w:val": …) and ``children``."""
    element: BaseOxmlElement = OxmlElement(tag)
    if attrs:
        for name, value in attrs.items():
            element.set(qn(name), str(value))
    for child in children:
        element.append(child)
    return element


@dataclass(frozen=True)
class Look:
    """How a run of text looks. ``size`` None: the paragraph style's (14 pt)."""

    size: float | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False
    boxed: bool = False  # a border around the characters ("DỰ THẢO")


def run_properties(look: Look) -> BaseOxmlElement | None:
    props: list[BaseOxmlElement] = []
    if look.bold:
        props.append(el("w:b"))
    if look.italic:
        props.append(el("w:i"))
    if look.size is not None:
        half_points = round(look.size * 2)
        props += [el("w:sz", {"w:val": half_points}), el("w:szCs", {"w:val": half_points})]
    if look.underline:
        props.append(el("w:u", {"w:val": "single"}))
    if look.boxed:
        props.append(border("w:bdr", size=8, space=1))
    return el("w:rPr", children=props) if props else None


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def run(text: str, look: Look = Look()) -> BaseOxmlElement:
    """A run; a line break in ``text`` becomes w:br and a tab w:tab, as Word writes them."""
    r = el("w:r")
    props = run_properties(look)
    if props is not None:
        r.append(props)
    for piece in _BREAKS.split(clean(text)):
        if piece in ("\r\n", "\n", "\r"):
            r.append(el("w:br"))
        elif piece == "\t":
            r.append(el("w:tab"))
        elif piece:
            t = el("w:t")
            t.text = piece
            t.set(XML_SPACE, "preserve")
            r.append(t)
    return r


def border(tag: str, *, size: int = 4, space: int = 0, val: str = "single") -> BaseOxmlElement:
    """A border line; ``size`` in eighths of a point (4 = 0.5 pt)."""
    if val in ("nil", "none"):
        return el(tag, {"w:val": "nil"})
    return el(tag, {"w:val": val, "w:sz": size, "w:space": space, "w:color": "auto"})


@dataclass(frozen=True)
class Fmt:
    """Direct paragraph formatting; None leaves the Normal style's value (justified, first
    line 1.27 cm, 6 pt after, line spacing 1.15). Indents are in twips, spacing in points."""

    align: str | None = None  # "center", "right", "left", "both"
    first_line: int | None = None  # 0 cancels Normal's first-line indent
    left: int = 0
    right: int = 0
    before: float | None = None
    after: float | None = None
    line: float | None = None  # a multiple of single spacing
    exact: float | None = None  # an exact line height in points
    keep_next: bool = False
    outline: int | None = None  # outline level: shows in Word's navigation pane
    bottom_border: bool = False
    mark_size: float | None = None  # font size of the paragraph mark (an empty line's height)


CENTER = Fmt(align="center", first_line=0)
TIGHT = Fmt(first_line=0, before=0, after=0, line=1.0)  # lines in the header and closing
TIGHT_CENTER = Fmt(align="center", first_line=0, before=0, after=0, line=1.0)


def _spacing(fmt: Fmt) -> BaseOxmlElement | None:
    attrs: dict[str, str | int] = {}
    if fmt.before is not None:
        attrs["w:before"] = round(fmt.before * TWIPS_PER_PT)
    if fmt.after is not None:
        attrs["w:after"] = round(fmt.after * TWIPS_PER_PT)
    if fmt.exact is not None:
        attrs["w:line"] = round(fmt.exact * TWIPS_PER_PT)
        attrs["w:lineRule"] = "exact"
    elif fmt.line is not None:
        attrs["w:line"] = round(fmt.line * 240)
        attrs["w:lineRule"] = "auto"
    return el("w:spacing", attrs) if attrs else None


def _indent(fmt: Fmt) -> BaseOxmlElement | None:
    if fmt.first_line is None and not fmt.left and not fmt.right:
        return None
    attrs: dict[str, str | int] = {"w:left": fmt.left, "w:right": fmt.right}
    if fmt.first_line is not None:
        attrs["w:firstLine"] = fmt.first_line
    return el("w:ind", attrs)


def paragraph_properties(fmt: Fmt) -> BaseOxmlElement | None:
    """w:pPr with its children in schema order."""
    props: list[BaseOxmlElement | None] = [
        el("w:keepNext") if fmt.keep_next else None,
        el("w:pBdr", children=[border("w:bottom", size=6, space=1)]) if fmt.bottom_border else None,
        _spacing(fmt),
        _indent(fmt),
        el("w:jc", {"w:val": fmt.align}) if fmt.align else None,
        el("w:outlineLvl", {"w:val": fmt.outline}) if fmt.outline is not None else None,
        run_properties(Look(size=fmt.mark_size)) if fmt.mark_size is not None else None,
    ]
    present = [p for p in props if p is not None]
    return el("w:pPr", children=present) if present else None


def paragraph(
    runs: Iterable[BaseOxmlElement] | str = (), fmt: Fmt = Fmt(), look: Look = Look()
) -> BaseOxmlElement:
    """A paragraph of ``runs``, or of one run of text ``runs`` in ``look``."""
    p = el("w:p")
    props = paragraph_properties(fmt)
    if props is not None:
        p.append(props)
    if isinstance(runs, str):
        if runs:
            p.append(run(runs, look))
    else:
        for r in runs:
            p.append(r)
    return p


def spacer(height_pt: float) -> BaseOxmlElement:
    """An empty paragraph exactly ``height_pt`` high: vertical space that does not depend on
    the next paragraph's own spacing."""
    return paragraph(fmt=Fmt(first_line=0, before=0, after=0, exact=height_pt, mark_size=1))


def rule(length_pt: float, container_pt: float) -> BaseOxmlElement:
    """A centred horizontal rule ``length_pt`` long in a space ``container_pt`` wide.

    Decree 30 wants rules of a given length under the issuing body, the motto and the
    subject. A drawn line shape would float and move when the text reflows (and renders
    differently in LibreOffice); an empty paragraph with a bottom border, indented so that
    the border is as long as wanted, stays in the flow and prints the same everywhere."""
    length = max(0.0, min(length_pt, container_pt))
    side = round((container_pt - length) / 2 * TWIPS_PER_PT)
    fmt = Fmt(
        align="center",
        first_line=0,
        left=side,
        right=side,
        before=0,
        after=0,
        line=1.0,
        bottom_border=True,
        mark_size=2,
    )
    return paragraph(fmt=fmt)


def page_break() -> BaseOxmlElement:
    return paragraph([el("w:r", children=[el("w:br", {"w:type": "page"})])], TIGHT)


# --- tables ----------------------------------------------------------------------------------


def _table_borders(visible: bool) -> BaseOxmlElement:
    sides = ("w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV")
    val = "single" if visible else "nil"
    return el("w:tblBorders", children=[border(side, size=4, val=val) for side in sides])


def table(
    widths: Sequence[int],
    *,
    borders: bool,
    cell_margin: int = 108,
    vertical_margin: int = 0,
) -> BaseOxmlElement:
    """An empty fixed-layout table with ``widths`` (twips); rows are appended to it."""
    margins = [
        el("w:top", {"w:w": vertical_margin, "w:type": "dxa"}),
        el("w:left", {"w:w": cell_margin, "w:type": "dxa"}),
        el("w:bottom", {"w:w": vertical_margin, "w:type": "dxa"}),
        el("w:right", {"w:w": cell_margin, "w:type": "dxa"}),
    ]
    props = el(
        "w:tblPr",
        children=[
            el("w:tblW", {"w:w": sum(widths), "w:type": "dxa"}),
            el("w:tblInd", {"w:w": 0, "w:type": "dxa"}),
            _table_borders(borders),
            el("w:tblLayout", {"w:type": "fixed"}),
            el("w:tblCellMar", children=margins),
            el("w:tblLook", {"w:val": "0000", "w:firstRow": 0, "w:lastRow": 0}),
        ],
    )
    grid = el("w:tblGrid", children=[el("w:gridCol", {"w:w": w}) for w in widths])
    return el("w:tbl", children=[props, grid])


def cell(
    width: int,
    paragraphs: Sequence[BaseOxmlElement],
    *,
    span: int = 1,
    merge: str | None = None,
    center_vertically: bool = False,
) -> BaseOxmlElement:
    """A table cell ``width`` twips wide over ``span`` grid columns; ``merge`` "restart" or
    "continue" merges it with the cells in the rows below or above."""
    props = [el("w:tcW", {"w:w": width, "w:type": "dxa"})]
    if span > 1:
        props.append(el("w:gridSpan", {"w:val": span}))
    if merge == "restart":
        props.append(el("w:vMerge", {"w:val": "restart"}))
    elif merge == "continue":
        props.append(el("w:vMerge"))
    if center_vertically:
        props.append(el("w:vAlign", {"w:val": "center"}))
    # A cell must hold at least one paragraph.
    content = list(paragraphs) or [paragraph(fmt=TIGHT)]
    return el("w:tc", children=[el("w:tcPr", children=props), *content])


def row(
    cells: Iterable[BaseOxmlElement], *, heading: bool = False, min_height_pt: float = 0
) -> BaseOxmlElement:
    """A table row, never split across pages (a signature stays under its titles, a project
    on one page); a heading row is repeated at the top of each page."""
    props = [el("w:cantSplit")]
    if min_height_pt:
        height: dict[str, str | int] = {
            "w:val": round(min_height_pt * TWIPS_PER_PT),
            "w:hRule": "atLeast",
        }
        props.append(el("w:trHeight", height))
    if heading:
        props.append(el("w:tblHeader"))
    tr = el("w:tr", children=[el("w:trPr", children=props)])
    for c in cells:
        tr.append(c)
    return tr


# --- pages -----------------------------------------------------------------------------------


def set_page(section: Section, page: Page) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if page.landscape else WD_ORIENT.PORTRAIT
    section.page_width = Twips(page.width)
    section.page_height = Twips(page.height)
    section.top_margin = Twips(page.top)
    section.bottom_margin = Twips(page.bottom)
    section.left_margin = Twips(page.left)
    section.right_margin = Twips(page.right)
    section.gutter = Twips(0)
    section.header_distance = Twips(HEADER_DISTANCE)
    section.footer_distance = Twips(HEADER_DISTANCE)


_AFTER_PG_NUM_TYPE = (
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
)


def set_page_numbering(section: Section, *, restart: bool) -> None:
    """Restart the page numbers at 1 in ``section`` (an attached plan is its own document),
    or continue them (an appendix); w:pgNumType goes before w:cols in w:sectPr."""
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:pgNumType")):
        sect_pr.remove(old)
    if not restart:
        return
    numbering = el("w:pgNumType", {"w:start": 1})
    for tag in _AFTER_PG_NUM_TYPE:
        found = sect_pr.find(qn(tag))
        if found is not None:
            found.addprevious(numbering)
            return
    sect_pr.append(numbering)


def page_field() -> list[BaseOxmlElement]:
    """The runs of a PAGE field (begin, instruction, separate, a shown value, end): the form
    Word itself writes, which LibreOffice and other readers also update."""
    return [
        el("w:r", children=[el("w:fldChar", {"w:fldCharType": "begin"})]),
        _instruction(" PAGE "),
        el("w:r", children=[el("w:fldChar", {"w:fldCharType": "separate"})]),
        run("1"),
        el("w:r", children=[el("w:fldChar", {"w:fldCharType": "end"})]),
    ]


def _instruction(text: str) -> BaseOxmlElement:
    instr = el("w:instrText", {})
    instr.text = text
    instr.set(XML_SPACE, "preserve")
    return el("w:r", children=[instr])


def _replace_content(container: BaseOxmlElement, content: BaseOxmlElement) -> None:
    for child in list(container):
        container.remove(child)
    container.append(content)


def set_page_number_header(section: Section, *, first_page_blank: bool) -> None:
    """The page number centred at the top of each page of ``section``; with
    ``first_page_blank`` the section's first page (page 1 of a document) shows none."""
    section.header.is_linked_to_previous = False
    number = paragraph(page_field(), TIGHT_CENTER)
    _replace_content(section.header._element, number)
    section.different_first_page_header_footer = first_page_blank
    if first_page_blank:
        first = section.first_page_header
        first.is_linked_to_previous = False
        _replace_content(first._element, paragraph(fmt=TIGHT))


# --- document-wide settings ------------------------------------------------------------------


def _fonts_everywhere(styles: BaseOxmlElement) -> None:
    """Times New Roman for every script in every style that names a font: theme fonts
    (asciiTheme…) win over named ones, so they are removed."""
    for fonts in styles.iter(qn("w:rFonts")):
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(script), FONT)


def _set_language(rpr: BaseOxmlElement) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = el("w:lang")
        rpr.append(lang)  # w:lang follows w:rFonts, w:sz and w:szCs, all the Normal style has
    lang.set(qn("w:val"), LANG)
    lang.set(qn("w:eastAsia"), LANG)


def set_styles(document: Document) -> None:
    """The Normal style and the document defaults: Times New Roman 14 pt, Vietnamese,
    justified, first line indented 1.27 cm, 6 pt after, line spacing 1.15."""
    normal = document.styles["Normal"]
    font = normal.font
    font.name = FONT
    font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(1.27)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    fmt.widow_control = True
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    default_rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    default_rpr.find(qn("w:sz")).set(qn("w:val"), str(round(BODY_PT * 2)))
    default_rpr.find(qn("w:szCs")).set(qn("w:val"), str(round(BODY_PT * 2)))
    _fonts_everywhere(styles)
    _set_language(default_rpr)
    _set_language(normal.element.get_or_add_rPr())


def set_settings(document: Document) -> None:
    """Vietnamese as the theme language, and Word 2013+ layout (compatibilityMode 15), in
    which a table's edge sits on the margin rather than a cell padding outside it."""
    settings = document.settings.element
    for lang in settings.iter(qn("w:themeFontLang")):
        lang.set(qn("w:val"), LANG)
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


def set_properties(document: Document, *, title: str, author: str) -> None:
    """The file's properties, without python-docx's description."""
    props = document.core_properties
    props.title = clean(title)
    props.author = clean(author)
    props.last_modified_by = clean(author)
    props.language = LANG
    props.comments = ""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.created = now
    props.modified = now
    props.revision = 1


def drop_template_leftovers(document: Document) -> None:
    """Drop the parts of python-docx's template that would contradict the document: its
    thumbnail (a preview of another page) and stylesWithEffects.xml, a copy of the original
    Calibri styles that Word 2010 may read instead of the restyled styles.xml."""
    leftovers = (RT.THUMBNAIL, STYLES_WITH_EFFECTS)
    for rels in document.part.package.rels, document.part.rels:
        for r_id in [r_id for r_id, rel in rels.items() if rel.reltype in leftovers]:
            del rels[r_id]
