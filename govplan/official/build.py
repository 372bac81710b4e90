"""A GovPlan document as the official document the agency signs: the sections as the
framework numbers them, with their texts, values and targets; project tables and budget
phasing as landscape appendices; the header and signature block from the unit's profile and
the document's issuing data."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from django.utils import translation

from govplan.core.documents.totals import WHOLE_PERIOD
from govplan.core.documents.view import (
    SectionView,
)
from govplan.core.frameworks.model import Framework
from govplan.core.official import vietnamese as vn
from govplan.core.official.model import (
    Appendix,
    Block,
    Decision,
    Issuer,
    OfficialDocument,
    Paragraph,
    Run,
    Section,
    Signature,
    Table,
)
from govplan.core.official.richtext import blocks_from_html
from govplan.core.printable import printable_data, printable_model
from govplan.documents.models import Document
from govplan.documents.read import load_document_view
from govplan.official.defaults import profile_values
from govplan.official.models import IssuingData
from govplan.official.printed_tables import (
    PORTRAIT_PT,
    column_values,
    indicator_table,
    phasing_columns,
    phasing_tables,
    project_table,
    results_table,
    targets_table,
    used_phasing_columns,
)

WIDE = 7  # a table with more columns than this goes to a landscape appendix


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _note(text: str) -> Paragraph:
    return Paragraph((Run(text, italic=True),))


class _Appendices:
    def __init__(self) -> None:
        self.items: list[Appendix] = []

    def add(self, title: str, tables: tuple[Table, ...], *, wide: bool = False) -> str:
        """The next appendix; a table whose caption repeats the appendix's title prints it
        once (as the appendix's title). ``wide``: a table (of widths in points) too wide for
        a portrait page."""
        number = vn.roman(len(self.items) + 1)
        tables = tuple(
            replace(t, title="") if t.title.strip().casefold() == title.strip().casefold() else t
            for t in tables
        )
        wide = wide or any(t.columns > WIDE for t in tables)
        self.items.append(Appendix(number, title, tables, landscape=wide))
        return number


def _blocks(spec: Framework, view: SectionView, appendices: _Appendices) -> tuple[Block, ...]:
    out: list[Block] = []
    section = view.section
    if section.legal_basis is not None and view.legal is not None:
        for item in view.legal.items:
            doc = item.document
            text = (
                vn.citation(doc.doc_type, doc.number, doc.date, doc.issuer, doc.title)
                if doc is not None
                else item.text
            )
            if text:
                out.append(Paragraph((Run(f"{text.rstrip(';.')};"),), "bullet"))
    if section.narrative and view.narrative is not None and view.narrative.html:
        out.extend(blocks_from_html(view.narrative.html))
    if view.indicators:
        out.append(indicator_table(spec, view.indicators))
    if section.targets is not None and view.targets:
        out.append(targets_table(spec, view.targets))
    if section.target_results and view.results:
        out.append(results_table(view.results, spec))
    years = spec.period.years()
    for table in view.tables:
        if not table.rows:
            continue
        printed = project_table(table)
        tables = [printed]
        phasing = table.table.phasing
        columns = _used_columns(spec, years, phasing, [row.phasing for row in table.rows])
        budgets: tuple[Table, ...] = ()
        if columns:
            rows = [
                (
                    next((v for v in column_values(table.table, row) if v), ""),
                    row.phasing,
                    row.group,
                )
                for row in table.rows
            ]
            budgets = phasing_tables(
                columns, rows, table.table.groups, landscape=printed.columns > WIDE
            )
            tables += budgets
        if printed.columns > WIDE or len(tables) > 1:
            number = appendices.add(table.table.title, tuple(tables), wide=_wide(budgets))
            out.append(_note(f"(Chi tiết tại Phụ lục {number} kèm theo)"))
        else:
            out.append(printed)
    budget = view.budget
    if budget is not None and budget.rows and section.budget is not None:
        columns = _used_columns(spec, years, section.budget, [r.phasing for r in budget.rows])
        budgets = phasing_tables(columns, [(r.label, r.phasing, "") for r in budget.rows])
        number = appendices.add(_budget_title(section.title), budgets, wide=_wide(budgets))
        out.append(_note(f"(Chi tiết tại Phụ lục {number} kèm theo)"))
    return tuple(out)


def _budget_title(section_title: str) -> str:
    """ "Kinh phí thực hiện – Giải pháp tài chính"; a section already titled so ("KINH PHÍ
    THỰC HIỆN") is not named twice."""
    prefix = "Kinh phí thực hiện"
    if section_title.strip().casefold().startswith(prefix.casefold()):
        return section_title.strip()
    return f"{prefix} – {section_title}"


def _used_columns(spec: Framework, years: list[int], phasing: Any, rows: list[Any]) -> list[Any]:
    """The phasing columns printed: the amounts for the whole period ("Cả giai đoạn"), then
    each year's, of the sources and types that hold an amount (``used_phasing_columns``)."""
    if phasing is None:
        return []
    every = phasing_columns([WHOLE_PERIOD, *years], phasing.sources, phasing.types, spec)
    return used_phasing_columns(every, rows)


def _wide(budgets: tuple[Table, ...]) -> bool:
    """Phasing tables (widths in points) too wide for a portrait page's text."""
    return any(sum(t.widths) > PORTRAIT_PT + 0.5 for t in budgets)


def _tree(flat: list[tuple[SectionView, tuple[Block, ...]]]) -> tuple[Section, ...]:
    """The sections, flat with their depth in the read model, nested again."""

    def build(start: int, depth: int) -> tuple[list[Section], int]:
        items: list[Section] = []
        i = start
        while i < len(flat) and flat[i][0].section.depth >= depth:
            view, blocks = flat[i]
            children, i = build(i + 1, view.section.depth + 1)
            items.append(
                Section(
                    number=str(view.section.number),
                    title=view.section.title,
                    level=min(view.section.depth, 2),
                    blocks=blocks,
                    children=tuple(children),
                )
            )
        return items, i

    sections, _end = build(0, 0)
    return tuple(sections)


def official_document(
    document: Document,
    *,
    snapshot: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
) -> OfficialDocument:
    """Everything the writers need, in Vietnamese whatever the reader's language: the
    header and signature block as the unit's profile and the document's issuing data say
    now, and the content of ``snapshot`` (a frozen revision's) or, without one, of the saved
    entries. Characters no document can hold are dropped (stored before the input checks
    refused them), so that a bad character never stops a file. ``overrides``: issuing data to
    print in place of the saved (the number and date typed when signing)."""
    with translation.override("vi"):
        return printable_model(_official(document, snapshot, overrides or {}))


def _official(
    document: Document, snapshot: dict[str, Any] | None, overrides: dict[str, Any]
) -> OfficialDocument:
    profile = profile_values(document.org_unit, on=document.structure_date)
    data = IssuingData.objects.filter(document=document).first()
    if overrides:
        data = copy.copy(data) if data is not None else IssuingData(document=document)
        for field, value in overrides.items():
            setattr(data, field, value)
    spec = document.framework_version.parsed()
    appendices = _Appendices()
    view = load_document_view(document, snapshot=snapshot, clean=printable_data)
    sections = _tree([(s, _blocks(spec, s, appendices)) for s in view.sections])
    number, date = _number_and_date(document, data)
    issuer = Issuer(
        body=profile["issuing_body"],
        name=profile["issuer_name"],
        parent=profile["parent_body"],
        code=profile["issuer_code"],
        place=profile["place"],
    )
    signature = Signature(
        title=(data.signer_title if data and data.signer_title else profile["signer_title"]),
        name=(data.signer_name if data and data.signer_name else profile["signer_name"]),
        authority=profile["signer_authority"],
        on_behalf=(
            data.signer_on_behalf if data and data.signer_on_behalf else profile["signer_on_behalf"]
        ),
    )
    recipients = _lines(data.recipients if data and data.recipients else profile["recipients"])
    subject = (data.subject if data and data.subject else "") or _subject(document, spec)
    mode = (data.mode if data and data.mode else "") or profile["mode"]
    decision = None
    if mode == "decision":
        decision = _decision(document, data, issuer, subject, signature, recipients, profile)
    return OfficialDocument(
        kind="plan" if document.kind == "plan" else "report",
        issuer=issuer,
        subject=subject,
        number=number,
        date=date,
        year=date.year if date else _document_year(document, spec),
        sections=sections,
        recipients=recipients,
        archive=profile["archive"],
        signature=signature,
        appendices=tuple(appendices.items),
        decision=decision,
    )


def _document_year(document: Document, spec: Any) -> int:
    """The year a draft's date line prints: the year the document is due (the letter's
    deadline), else the year its letter was issued, else its period's first year; never
    the year it happens to be printed in (a 2011-2015 plan due by 01/05/2010 is dated 2010)."""
    deadline = spec.reporting.deadline
    if deadline is not None:
        return int(deadline.year)
    issued = spec.issued_by.date
    if issued is not None:
        return int(issued.year)
    return int(document.period_start)


def _subject(document: Document, spec: Any) -> str:
    """ "Kế hoạch chuyển đổi số năm 2027" → "Chuyển đổi số năm 2027": the type is printed
    above the subject line."""
    title: str = spec.document_title or spec.title
    for prefix in ("Kế hoạch ", "Báo cáo ", "KẾ HOẠCH ", "BÁO CÁO "):
        if title.startswith(prefix):
            title = title[len(prefix) :]
            break
    return title[:1].upper() + title[1:]


def _number_and_date(document: Document, data: Any) -> tuple[str | None, Any]:
    """What the agency has prepared (an issued document prints its frozen record instead)."""
    if data is None:
        return None, None
    return (data.number.strip() or None), data.date


def _decision(
    document: Document,
    data: Any,
    issuer: Issuer,
    subject: str,
    signature: Signature,
    recipients: tuple[str, ...],
    profile: dict[str, Any],
) -> Decision:
    kind_name = "Kế hoạch" if document.kind == "plan" else "Báo cáo"
    what = f"{kind_name} {subject[:1].lower()}{subject[1:]}"
    bases = _lines(data.legal_bases) if data and data.legal_bases else ()
    if not bases:
        bases = (
            "Căn cứ Luật Tổ chức chính quyền địa phương;",
            f"Theo đề nghị của cơ quan chuyên môn về chuyển đổi số của {issuer.name}.",
        )
    return Decision(
        number=(data.decision_number.strip() or None) if data else None,
        date=data.decision_date if data else None,
        title=f"Về việc ban hành {what}",
        legal_bases=bases,
        articles=(
            f"Điều 1. Ban hành kèm theo Quyết định này {what}.",
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
            "Điều 3. Thủ trưởng các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành "
            "Quyết định này.",
        ),
        recipients=("Như Điều 3", *recipients),
        archive=profile["archive"],
        signature=signature,
    )


def issue_reference(doc: OfficialDocument) -> tuple[str, Any]:
    """The number of record and the date of issue of ``doc``: "05/KH-UBND" for a plan
    issued directly, the decision's "12/QĐ-UBND" for one issued with a decision."""
    if doc.decision is not None:
        number = vn.reference(doc.decision.number, doc.decision.code, doc.issuer.code)
        return number, doc.decision.date
    return vn.reference(doc.number, doc.type_code, doc.issuer.code), doc.date


def missing_for_issue(doc: OfficialDocument) -> list[str]:
    """What must be filled in before ``doc`` can be signed and issued, each said in the
    user's language; empty when nothing is missing."""
    from django.utils.translation import gettext as _

    missing = []
    if doc.is_draft:
        if doc.decision is not None:
            missing.append(_("the number and the date of the approving decision (Issuing data)"))
        else:
            missing.append(_("the official number and the date of issue (Issuing data)"))
    blocks = [doc.signature] + ([doc.decision.signature] if doc.decision else [])
    if any(block is None or not block.name.strip() for block in blocks):
        missing.append(
            _(
                "the signer's name in the signature block (the unit's header and signature "
                "block, or this document's issuing data)"
            )
        )
    return missing
