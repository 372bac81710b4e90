"""A GovPlan document as the official document the agency signs: the sections as the
framework numbers them, with their texts, values and targets; project tables and budget
phasing as landscape appendices; the header and signature block from the unit's profile and
the document's issuing data."""

from __future__ import annotations

import copy
from typing import Any

from django.utils import timezone, translation

from govplan.core.official import vietnamese as vn
from govplan.core.official.model import (
    Appendix,
    Block,
    Decision,
    HeaderCell,
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
from govplan.documents.editor import entries_from_snapshot, load_entries, section_blocks
from govplan.documents.models import Document
from govplan.official.defaults import profile_values

WIDE = 7  # a table with more columns than this goes to a landscape appendix
_COLUMN_WIDTHS = {"text": 2.6, "longtext": 2.6, "year_range": 2.2}  # others 1.5


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _note(text: str) -> Paragraph:
    return Paragraph((Run(text, italic=True),))


def _value_text(ind: dict[str, Any], cell: dict[str, Any]) -> str:
    """A value as printed: 90/100 (90,0%), có/không, a choice's title."""
    if ind["type"] == "ratio":
        if not cell.get("n") or not cell.get("percent"):
            return f"{cell['n']}/{cell['d']}" if cell.get("n") else ""
        if (ind["unit"] or "%").strip() == "%":
            return f"{cell['n']}/{cell['d']} ({cell['percent']}%)"
        return f"{cell['n']}/{cell['d']} ({cell['quotient']} {ind['unit']})"
    value = cell.get("value", "")
    if ind["type"] == "boolean" and value not in ("", None):
        return "Có" if value is True or value in ("1", "true") else "Không"
    if ind["type"] == "choice":
        titles = {o.code: o.title for o in ind["choices"]}
        return str(titles.get(str(value), str(value)))
    return str(value)


def _indicator_table(indicators: list[dict[str, Any]]) -> Table:
    rows: list[tuple[str, ...]] = []
    for number, ind in enumerate(indicators, start=1):
        unit = ind["unit"] or ""
        columns = ind["columns"]
        for r_index, row in enumerate(ind["rows"]):
            for c_index, cell in enumerate(row["cells"]):
                value = _value_text(ind, cell)
                label = " – ".join(
                    t for t in (row["title"], columns[c_index] if columns else "") if t
                )
                first = r_index == 0 and c_index == 0
                name = ind["name"] if first else ""
                rows.append(
                    (
                        str(number) if first else "",
                        f"{name} ({label})" if name and label else name or f"- {label}",
                        unit if first else "",
                        value,
                        cell.get("previous", ""),
                    )
                )
    return Table(
        header=(
            (
                HeaderCell("TT"),
                HeaderCell("Chỉ tiêu"),
                HeaderCell("Đơn vị tính"),
                HeaderCell("Giá trị"),
                HeaderCell("Kỳ trước"),
            ),
        ),
        rows=tuple(rows),
        widths=(0.5, 4.5, 1.2, 1.6, 1.4),
        numeric=(False, False, False, True, True),
    )


def _targets_table(targets: dict[str, Any]) -> Table:
    rows = tuple(
        (
            str(i),
            row["indicator_name"] or row["text"],
            row["baseline"],
            row["target"],
            str(row["year"] or ""),
        )
        for i, row in enumerate(targets["rows"], start=1)
    )
    return Table(
        header=(
            (
                HeaderCell("TT"),
                HeaderCell("Mục tiêu"),
                HeaderCell("Hiện trạng"),
                HeaderCell("Chỉ tiêu"),
                HeaderCell("Năm"),
            ),
        ),
        rows=rows,
        widths=(0.5, 5.0, 1.3, 1.3, 0.9),
        numeric=(False, False, True, True, False),
    )


def _results_table(results: dict[str, Any]) -> Table:
    rows = tuple(
        (
            str(i),
            row["source"].get("indicator_name") or row["source"].get("text") or row["text"],
            row["source"].get("target", ""),
            row["achieved"],
            row["attainment"],
            row["obstacles"],
        )
        for i, row in enumerate(results["rows"], start=1)
    )
    return Table(
        header=(
            (
                HeaderCell("TT"),
                HeaderCell("Mục tiêu"),
                HeaderCell("Chỉ tiêu"),
                HeaderCell("Kết quả"),
                HeaderCell("Mức đạt"),
                HeaderCell("Khó khăn, vướng mắc"),
            ),
        ),
        rows=rows,
        widths=(0.5, 3.5, 1.1, 1.1, 1.0, 2.8),
        numeric=(False, False, True, True, True, False),
    )


def _project_table(table: dict[str, Any]) -> Table:
    columns = table["columns"]
    header = [HeaderCell("TT")] + [
        HeaderCell(f"{c['title']} ({c['unit']})" if c["unit"] else c["title"]) for c in columns
    ]
    rows = tuple(
        (str(row["number"]), *(cell["value"] for cell in row["cells"])) for row in table["rows"]
    )
    # Short columns wide enough for their bold heading words ("chuyển", "Nguồn") at 11 pt.
    widths = (0.9, *(_COLUMN_WIDTHS.get(c["type"], 1.5) for c in columns))
    numeric = (False, *(bool(c["numeric"]) for c in columns))
    total = None
    if any(table["totals"]):
        total = (
            "",
            *(table["totals"][i] or ("Tổng cộng" if i == 0 else "") for i in range(len(columns))),
        )
    return Table(
        header=(tuple(header),),
        rows=rows,
        widths=widths,
        numeric=numeric,
        total=total,
        unit_note="Đơn vị tính: triệu đồng" if any(c["type"] == "money" for c in columns) else "",
    )


def _phasing_table(
    columns: list[dict[str, Any]],
    rows: list[tuple[str, list[str], str]],
    totals: list[str],
    grand_total: str,
) -> Table:
    """Budget by year × source × type: two heading rows (year, then source and type)."""
    years: list[tuple[Any, int]] = []
    for column in columns:
        if years and years[-1][0] == column["year"]:
            years[-1] = (column["year"], years[-1][1] + 1)
        else:
            years.append((column["year"], 1))
    top = (
        HeaderCell("TT"),
        HeaderCell("Nội dung"),
        HeaderCell("Tổng số"),
        *(HeaderCell(f"Năm {year}", span) for year, span in years),
    )
    second = (
        HeaderCell(""),
        HeaderCell(""),
        HeaderCell(""),
        *(HeaderCell(f"{c['source']} ({c['type'][:1].lower()}{c['type'][1:]})") for c in columns),
    )
    body = tuple(
        (str(i), label, total, *values) for i, (label, values, total) in enumerate(rows, start=1)
    )
    # A column no row has a figure in stays blank in the total row too, as in the body.
    totals = [t if any(values[i] for _l, values, _t in rows) else "" for i, t in enumerate(totals)]
    return Table(
        header=(top, second),
        rows=body,
        widths=(0.7, 3.0, 1.2, *([1.1] * len(columns))),
        numeric=(False, False, True, *([True] * len(columns))),
        total=("", "Tổng cộng", grand_total, *totals),
        unit_note="Đơn vị tính: triệu đồng",
    )


class _Appendices:
    def __init__(self) -> None:
        self.items: list[Appendix] = []

    def add(self, title: str, tables: tuple[Table, ...]) -> str:
        number = vn.roman(len(self.items) + 1)
        wide = any(t.columns > WIDE for t in tables)
        self.items.append(Appendix(number, title, tables, landscape=wide))
        return number


def _blocks(block: dict[str, Any], appendices: _Appendices) -> tuple[Block, ...]:
    out: list[Block] = []
    if "legal" in block:
        for item in block["legal"]["items"]:
            doc = item.get("document")
            text = (
                vn.citation(doc.doc_type, doc.number, doc.date, doc.issuer, doc.title)
                if doc is not None
                else item.get("text", "")
            )
            if text:
                out.append(Paragraph((Run(f"{text.rstrip(';.')};"),), "bullet"))
    if "narrative" in block and block["narrative"]["html"]:
        out.extend(blocks_from_html(block["narrative"]["html"]))
    if block.get("indicators"):
        out.append(_indicator_table(block["indicators"]))
    if "targets" in block and block["targets"]["rows"]:
        out.append(_targets_table(block["targets"]))
    if "results" in block and block["results"]["rows"]:
        out.append(_results_table(block["results"]))
    for table in block.get("tables", []):
        if not table["rows"]:
            continue
        printed = _project_table(table)
        tables = [printed]
        if table["phasing_columns"]:
            rows = [
                (
                    next((c["value"] for c in row["cells"] if c["value"]), ""),
                    [p["value"] for p in row["phasing"]],
                    row["total"],
                )
                for row in table["rows"]
            ]
            tables.append(
                _phasing_table(
                    table["phasing_columns"], rows, table["phasing_totals"], table["grand_total"]
                )
            )
        if printed.columns > WIDE or len(tables) > 1:
            number = appendices.add(table["title"], tuple(tables))
            out.append(_note(f"(Chi tiết tại Phụ lục {number} kèm theo)"))
        else:
            out.append(printed)
    budget = block.get("budget")
    if budget and budget["rows"]:
        rows = [(r["label"], [v["value"] for v in r["values"]], r["total"]) for r in budget["rows"]]
        table = _phasing_table(budget["columns"], rows, budget["totals"], budget["grand_total"])
        number = appendices.add(f"Kinh phí thực hiện – {block['title']}", (table,))
        out.append(_note(f"(Chi tiết tại Phụ lục {number} kèm theo)"))
    return tuple(out)


def _tree(flat: list[tuple[dict[str, Any], tuple[Block, ...]]]) -> tuple[Section, ...]:
    """The sections, flat with their depth in the editor, nested again."""

    def build(start: int, depth: int) -> tuple[list[Section], int]:
        items: list[Section] = []
        i = start
        while i < len(flat) and flat[i][0]["depth"] >= depth:
            block, blocks = flat[i]
            children, i = build(i + 1, block["depth"] + 1)
            items.append(
                Section(
                    number=str(block["number"]),
                    title=block["title"],
                    level=min(block["depth"], 2),
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


def _printable_entries(loaded: dict[str, Any]) -> dict[str, Any]:
    for entry in loaded["by_key"].values():
        entry.content = printable_data(entry.content)
    return loaded


def _official(
    document: Document, snapshot: dict[str, Any] | None, overrides: dict[str, Any]
) -> OfficialDocument:
    from govplan.official.models import IssuingData

    profile = profile_values(document.org_unit, on=document.structure_date)
    data = IssuingData.objects.filter(document=document).first()
    if overrides:
        data = copy.copy(data) if data is not None else IssuingData(document=document)
        for field, value in overrides.items():
            setattr(data, field, value)
    spec = document.framework_version.parsed()
    appendices = _Appendices()
    loaded = (
        entries_from_snapshot(document, snapshot)
        if snapshot is not None
        else load_entries(document)
    )
    page = section_blocks(document, editable=False, loaded=_printable_entries(loaded))
    sections = _tree([(b, _blocks(b, appendices)) for b in page["sections"]])
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
        year=date.year if date else timezone.localdate().year,
        sections=sections,
        recipients=recipients,
        archive=profile["archive"],
        signature=signature,
        appendices=tuple(appendices.items),
        decision=decision,
    )


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
