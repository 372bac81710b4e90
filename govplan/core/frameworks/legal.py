"""The catalogue of legal documents a plan cites as its basis (căn cứ)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from govplan.core.frameworks.fields import CODE_RE, Reader
from govplan.core.frameworks.problems import Collector, join
from govplan.core.frameworks.vocab import LEGAL_FORMAT, LEGAL_TYPES
from govplan.core.i18n import gettext_noop


@dataclass(frozen=True, slots=True)
class LegalDocument:
    code: str
    type: str
    number: str
    date: dt.date | None
    issuer: str
    title: str

    def citation(self) -> str:
        """ "Nghị định số 64/2007/NĐ-CP ngày 10/04/2007 của Chính phủ về …" style."""
        date = f" ngày {self.date:%d/%m/%Y}" if self.date else ""
        return f"{self.number}{date} của {self.issuer} {self.title}".strip()


@dataclass(slots=True)
class LegalCatalogue:
    documents: dict[str, LegalDocument] = field(default_factory=dict)


def parse_legal(data: Any) -> LegalCatalogue:
    c = Collector()
    r = Reader(c)
    catalogue = LegalCatalogue()
    top = r.mapping("", data, required=("format", "documents"))
    if top is None:
        c.raise_if_any()
        return catalogue
    if top.get("format") not in (None, LEGAL_FORMAT):
        c.add("format", gettext_noop('must be "%(expected)s"'), expected=LEGAL_FORMAT)
    for i, item in enumerate(r.listing("documents", top.get("documents"), required=True)):
        p = join("documents", i)
        m = r.mapping(
            p, item, required=("code", "type", "number", "issuer", "title"), optional=("date",)
        )
        if m is None:
            continue
        code = r.code(join(p, "code"), m.get("code"), CODE_RE)
        document = LegalDocument(
            code=code,
            type=r.choice(join(p, "type"), m.get("type"), LEGAL_TYPES, what="type"),
            number=r.text(join(p, "number"), m.get("number")),
            date=r.date(join(p, "date"), m.get("date"), required=False),
            issuer=r.text(join(p, "issuer"), m.get("issuer")),
            title=r.text(join(p, "title"), m.get("title")),
        )
        if code in catalogue.documents:
            c.add(join(p, "code"), gettext_noop('duplicate code "%(code)s"'), code=code)
        elif code:
            catalogue.documents[code] = document
    c.raise_if_any()
    return catalogue
