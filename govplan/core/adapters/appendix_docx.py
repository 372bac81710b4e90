"""A decision's appendix table as a DOCX file (the allocation of the central budget pool):
A4 landscape, Times New Roman, "Phụ lục I", the title in capitals, the italic line
"(Kèm theo Quyết định số …/QĐ-… ngày … của …)", then the bordered table with its totals row,
laid out by the same parts as the official plans (govplan.core.adapters.docx)."""

from __future__ import annotations

import io

import docx

from govplan.core.adapters.docx import _table_block
from govplan.core.adapters.docx_parts import (
    Fmt,
    Look,
    drop_template_leftovers,
    paragraph,
    set_page,
    set_properties,
    set_settings,
    set_styles,
)
from govplan.core.allocation.appendix import AppendixData, appendix_table
from govplan.core.official.layout import LANDSCAPE
from govplan.core.printable import printable_model


def write_appendix_docx(data: AppendixData) -> bytes:
    data = printable_model(data)
    document = docx.Document()
    set_styles(document)
    set_settings(document)
    set_properties(document, title=data.title, author=data.issuer_name)
    drop_template_leftovers(document)
    set_page(document.sections[0], LANDSCAPE)
    end = document.element.body.get_or_add_sectPr()
    heading = Fmt(align="center", first_line=0, after=0, keep_next=True)
    elements = [
        paragraph(f"Phụ lục {data.number}", heading, Look(bold=True)),
        paragraph(data.title.upper(), heading, Look(bold=True)),
        paragraph(data.note, Fmt(align="center", first_line=0, after=12), Look(italic=True)),
        *_table_block(appendix_table(data), LANDSCAPE.text_width),
    ]
    for element in elements:
        end.addprevious(element)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
