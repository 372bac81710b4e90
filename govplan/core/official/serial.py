"""The official document model as JSON data and back: what an issued document prints is kept
in this form, so that its DOCX and PDF are made again from exactly that, whatever changes in
the unit's settings or the document's entries later.

``to_data`` / ``from_data`` round-trip every field; ``from_data`` refuses (ValueError) data
it does not recognise rather than print something else."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from govplan.core.official.model import (
    ROW_KINDS,
    Appendix,
    Block,
    BlockKind,
    Decision,
    HeaderCell,
    Issuer,
    OfficialDocument,
    Paragraph,
    RowKind,
    Run,
    Section,
    Signature,
    Table,
)

FORMAT = 1  # raise when the meaning of a stored field changes
_BLOCK_KINDS = ("body", "heading3", "heading4", "bullet", "numbered")

Data = dict[str, Any]


def to_data(doc: OfficialDocument) -> Data:
    return {
        "format": FORMAT,
        "kind": doc.kind,
        "issuer": _issuer(doc.issuer),
        "subject": doc.subject,
        "number": doc.number,
        "date": _date(doc.date),
        "year": doc.year,
        "sections": [_section(s) for s in doc.sections],
        "recipients": list(doc.recipients),
        "archive": doc.archive,
        "signature": _signature(doc.signature) if doc.signature else None,
        "appendices": [
            {
                "number": a.number,
                "title": a.title,
                "tables": [_table(t) for t in a.tables],
                "landscape": a.landscape,
            }
            for a in doc.appendices
        ],
        "decision": _decision(doc.decision) if doc.decision else None,
        "draft_mark": doc.draft_mark,
    }


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _issuer(issuer: Issuer) -> Data:
    return {
        "body": issuer.body,
        "name": issuer.name,
        "parent": issuer.parent,
        "code": issuer.code,
        "place": issuer.place,
    }


def _signature(signature: Signature) -> Data:
    return {
        "title": signature.title,
        "name": signature.name,
        "authority": signature.authority,
        "on_behalf": signature.on_behalf,
    }


def _decision(decision: Decision) -> Data:
    return {
        "number": decision.number,
        "date": _date(decision.date),
        "title": decision.title,
        "legal_bases": list(decision.legal_bases),
        "articles": list(decision.articles),
        "recipients": list(decision.recipients),
        "archive": decision.archive,
        "signature": _signature(decision.signature) if decision.signature else None,
        "code": decision.code,
    }


def _section(section: Section) -> Data:
    return {
        "number": section.number,
        "title": section.title,
        "level": section.level,
        "blocks": [_block(b) for b in section.blocks],
        "children": [_section(c) for c in section.children],
    }


def _block(block: Block) -> Data:
    if isinstance(block, Paragraph):
        return {
            "t": "p",
            "kind": block.kind,
            "label": block.label,
            "runs": [[r.text, r.bold, r.italic, r.underline] for r in block.runs],
        }
    return _table(block)


def _table(table: Table) -> Data:
    return {
        "t": "table",
        "header": [[[c.text, c.span] for c in row] for row in table.header],
        "rows": [list(row) for row in table.rows],
        "widths": list(table.widths),
        "numeric": list(table.numeric),
        "total": list(table.total) if table.total is not None else None,
        "title": table.title,
        "unit_note": table.unit_note,
        **({"row_kinds": list(table.row_kinds)} if any(table.row_kinds) else {}),
    }


# -- reading back ----------------------------------------------------------------------------


def from_data(data: Data) -> OfficialDocument:
    """The model stored by ``to_data``; ValueError if ``data`` is not such a model."""
    try:
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        kind = data["kind"]
        if kind not in ("plan", "report"):
            raise ValueError(f"unknown kind {kind!r}")
        return OfficialDocument(
            kind=kind,
            issuer=_read_issuer(data["issuer"]),
            subject=_str(data["subject"]),
            number=_opt_str(data["number"]),
            date=_read_date(data["date"]),
            year=_opt_int(data["year"]),
            sections=tuple(_read_section(s) for s in data["sections"]),
            recipients=tuple(_str(r) for r in data["recipients"]),
            archive=_str(data["archive"]),
            signature=_read_signature(data["signature"]) if data["signature"] else None,
            appendices=tuple(
                Appendix(
                    number=_str(a["number"]),
                    title=_str(a["title"]),
                    tables=tuple(_read_table(t) for t in a["tables"]),
                    landscape=bool(a["landscape"]),
                )
                for a in data["appendices"]
            ),
            decision=_read_decision(data["decision"]) if data["decision"] else None,
            draft_mark=bool(data["draft_mark"]),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an official document model: {exc!r}") from exc


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, found {value!r}")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, found {value!r}")
    return value


def _read_date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(_str(value))


def _read_issuer(data: Data) -> Issuer:
    return Issuer(
        body=_str(data["body"]),
        name=_str(data["name"]),
        parent=_str(data["parent"]),
        code=_str(data["code"]),
        place=_str(data["place"]),
    )


def _read_signature(data: Data) -> Signature:
    return Signature(
        title=_str(data["title"]),
        name=_str(data["name"]),
        authority=_str(data["authority"]),
        on_behalf=_str(data["on_behalf"]),
    )


def _read_decision(data: Data) -> Decision:
    return Decision(
        number=_opt_str(data["number"]),
        date=_read_date(data["date"]),
        title=_str(data["title"]),
        legal_bases=tuple(_str(x) for x in data["legal_bases"]),
        articles=tuple(_str(x) for x in data["articles"]),
        recipients=tuple(_str(x) for x in data["recipients"]),
        archive=_str(data["archive"]),
        signature=_read_signature(data["signature"]) if data["signature"] else None,
        code=_str(data["code"]),
    )


def _read_section(data: Data) -> Section:
    level = _opt_int(data["level"])
    return Section(
        number=_str(data["number"]),
        title=_str(data["title"]),
        level=level if level is not None else 0,
        blocks=tuple(_read_block(b) for b in data["blocks"]),
        children=tuple(_read_section(c) for c in data["children"]),
    )


def _read_block(data: Data) -> Block:
    if data["t"] == "p":
        kind = data["kind"]
        if kind not in _BLOCK_KINDS:
            raise ValueError(f"unknown paragraph kind {kind!r}")
        return Paragraph(
            runs=tuple(
                Run(_str(text), bool(bold), bool(italic), bool(underline))
                for text, bold, italic, underline in data["runs"]
            ),
            kind=cast(BlockKind, kind),
            label=_str(data["label"]),
        )
    return _read_table(data)


def _read_table(data: Data) -> Table:
    if data["t"] != "table":
        raise ValueError(f"unknown block {data['t']!r}")
    total = data["total"]
    return Table(
        header=tuple(
            tuple(HeaderCell(_str(text), int(span)) for text, span in row) for row in data["header"]
        ),
        rows=tuple(tuple(_str(cell) for cell in row) for row in data["rows"]),
        widths=tuple(float(w) for w in data["widths"]),
        numeric=tuple(bool(n) for n in data["numeric"]),
        total=tuple(_str(cell) for cell in total) if total is not None else None,
        title=_str(data["title"]),
        unit_note=_str(data["unit_note"]),
        # Stored before groups were printed: every row an ordinary one.
        row_kinds=tuple(_row_kind(kind) for kind in data.get("row_kinds", ())),
    )


def _row_kind(value: Any) -> RowKind:
    if value not in ROW_KINDS:
        raise ValueError(f"unknown table row kind {value!r}")
    return cast(RowKind, value)
