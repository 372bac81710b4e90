"""What the framework's rule language reads (``core.rules.evaluate``), taken from a
document's read model: indicator values, table rows, the previous cycle's values and the
sub-units' values summed (``core.documents.values.sum_values``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from govplan.core.documents.values import cell_keys, sum_values
from govplan.core.documents.view import DocumentView
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.figures import national_value
from govplan.core.frameworks.model import Framework
from govplan.core.rules.ast import split_indicator_ref
from govplan.documents.consolidation import counted, sub_documents
from govplan.documents.cycles import previous_values
from govplan.documents.models import Document
from govplan.facts.models import Layer, ValueFact

Contents = Mapping[str, Mapping[str, Any]]  # indicator code → stored content


def number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _chosen(
    spec: Framework, indicator: Indicator, content: Mapping[str, Any], options: Sequence[str]
) -> list[Mapping[str, Any]]:
    """The cells of ``content`` a reference names (one cell, or every cell), those stored."""
    cells = content.get("cells", {})
    if options:
        found = [cells.get("|".join(options))]
    else:
        found = [cells.get(k) for k in cell_keys(indicator, spec.dimensions)]
    return [c for c in found if c]


def _counts(indicator: Indicator, chosen: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the cells hold a value to read (a ratio needs a numerator and a denominator)."""
    if not chosen:
        return False
    if indicator.type == "ratio":
        return any("n" in c for c in chosen) and any("d" in c for c in chosen)
    return True


class DocumentData:
    """The rule language's view of one document."""

    def __init__(self, document: Document, view: DocumentView) -> None:
        self.document = document
        self.spec = view.spec
        self.view = view
        self.values: dict[str, dict[str, Any]] = {
            code: value.content() for code, value in view.values.items()
        }
        self._previous: dict[str, dict[str, Any]] | None = None
        self._subs: list[Document] | None = None
        # Per indicator: each reporting sub-unit document's value, rebuilt from its facts.
        self._subunits: dict[str, list[dict[str, Any]]] = {}

    # -- indicator values ---------------------------------------------------------------
    def _read(self, values: Contents, ref: str) -> Decimal | bool | str | None:
        code, options, part = split_indicator_ref(ref)
        indicator = self.spec.indicators.get(code)
        content = values.get(code)
        if indicator is None or content is None:
            return None
        chosen = _chosen(self.spec, indicator, content, options)
        if not _counts(indicator, chosen):
            return None
        if indicator.type == "ratio":
            numerator = sum((number(c.get("n")) or Decimal(0) for c in chosen), Decimal(0))
            denominator = sum((number(c.get("d")) or Decimal(0) for c in chosen), Decimal(0))
            if part == "numerator":
                return numerator
            if part == "denominator":
                return denominator
            return numerator * 100 / denominator if denominator else None
        if len(chosen) == 1 and options:
            value = chosen[0].get("v")
            return number(value) if indicator.type in ("integer", "decimal", "money") else value
        if indicator.type in ("integer", "decimal", "money"):
            return sum((number(c.get("v")) or Decimal(0) for c in chosen), Decimal(0))
        return chosen[0].get("v")

    def indicator(self, ref: str) -> Decimal | bool | str | None:
        return self._read(self.values, ref)

    def indicator_total(self, code: str) -> Decimal | None:
        value = self._read(self.values, code)
        return value if isinstance(value, Decimal) else None

    def rows(self, table: str) -> Sequence[Mapping[str, Any]] | None:
        if self.spec.table(table) is None:
            return None
        return [row.cells for row in self.view.table_rows.get(table, ())]

    def previous(self, ref: str) -> Decimal | bool | str | None:
        if self._previous is None:
            self._previous = previous_values(self.document)
        return self._read(self._previous, ref)

    def national(self, ref: str, what: str) -> Decimal | None:
        """The framework's national figure or minimum for ``ref`` (core.frameworks.figures)."""
        return national_value(self.spec, ref, what)

    def subunits(self, ref: str) -> Decimal | None:
        """The sub-units' value of ``ref`` together: their cells summed as consolidation sums
        them (sum_values), the sub-units without a value to read left out."""
        if self._subs is None:
            # The structure of the day the document is written for, not today's tree.
            # A document whose unit lies under another sub-unit's document is counted there.
            self._subs = counted(sub_documents(self.document))
        code, options, _part = split_indicator_ref(ref)
        indicator = self.spec.indicators.get(code)
        if indicator is None or not self._subs:
            return None
        if code not in self._subunits:
            self._subunits[code] = _fact_contents(self._subs, code)
        reporting = [
            content
            for content in self._subunits[code]
            if _counts(indicator, _chosen(self.spec, indicator, content, options))
        ]
        if not reporting:
            return None
        total = sum_values(indicator, reporting)
        value = self._read({code: total}, ref)
        return value if isinstance(value, Decimal) else None


def _fact_contents(documents: Sequence[Document], code: str) -> list[dict[str, Any]]:
    """Each document's live value of ``code`` as stored content ({"cells": {key: {"v": …}}}),
    from its typed facts (one indexed query; no entry JSON read). A value marked "no data"
    has no cell, so it is left out as the sums leave it out."""
    found: dict[int, dict[str, Any]] = {}
    rows = ValueFact.objects.filter(
        document__in=list(documents), layer=Layer.LIVE, indicator_code=code, no_data=False
    ).values_list("document_id", "cell", "value", "numerator", "denominator", "boolean", "text")
    for document_id, cell, value, numerator, denominator, boolean, text in rows:
        parts: dict[str, Any] = {
            part: figure
            for part, figure in (("v", value), ("n", numerator), ("d", denominator))
            if figure is not None
        }
        if not parts:
            parts = {"v": boolean if boolean is not None else text}
        found.setdefault(document_id, {"cells": {}})["cells"][cell] = parts
    return list(found.values())
