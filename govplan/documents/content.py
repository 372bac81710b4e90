"""What each kind of entry may contain, checked against the document's pinned framework.

``read_entry(spec, key, raw, locale)`` turns what the editor sent into canonical content,
or raises ContentError with a message per field (field paths the page can point at).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from govplan.core.documents import keys
from govplan.core.documents.cells import (
    CellError,
    CellValueError,
    parse_column_value,
    parse_money,
    parse_text,
    parse_year,
)
from govplan.core.documents.keys import BadKey, EntryKey
from govplan.core.documents.totals import split_phasing_key
from govplan.core.documents.values import parse_indicator_value
from govplan.core.frameworks.model import Framework, Section, Table
from govplan.core.frameworks.visibility import asked_options, narrowed, split_cells
from govplan.core.i18n import gettext_noop
from govplan.documents.sanitize import clean_html
from govplan.frameworks.models import LegalDocument

MAX_ROWS_PER_TABLE = 5000
TARGET_STATUSES = ("achieved", "on_track", "behind", "not_achieved")


class ContentError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def message(error: CellError) -> str:
    return _(error.template) % error.params if error.params else _(error.template)


@dataclass(frozen=True)
class EntryAddress:
    """An entry's key and the section of the framework it belongs to."""

    key: EntryKey
    section: str  # the section code, where there is one

    @property
    def kind(self) -> str:
        return self.key.kind

    @property
    def collection(self) -> str:
        """ "table:projects", "target:III.2" …, or "" for a single entry."""
        return str(self.key.collection) if self.key.collection is not None else ""

    @property
    def name(self) -> str:
        """The indicator (values), the section (texts) or the row's uid."""
        return self.key.uid or self.key.code


def parse_key(spec: Framework, key: str) -> EntryAddress:
    """Where a key points in the framework; KeyError for a key the framework does not have."""
    try:
        address = EntryKey.parse(key)
    except BadKey:
        raise KeyError(key) from None
    kind, code = address.kind, address.code
    if kind in (keys.NARRATIVE, keys.LEGAL):
        section = spec.section(code)
        if section is None or (kind == keys.NARRATIVE and not section.narrative):
            raise KeyError(key)
        if kind == keys.LEGAL and section.legal_basis is None:
            raise KeyError(key)
        return EntryAddress(address, code)
    if kind == keys.VALUE:
        asking = _asking_section(spec, code)
        if code not in spec.indicators or not asking:
            raise KeyError(key)
        return EntryAddress(address, asking)
    if kind == keys.ROW:
        table_section = next((s for s, t in spec.tables() if t.code == code), None)
        if table_section is None:
            raise KeyError(key)
        return EntryAddress(address, table_section.code)
    section = spec.section(code)
    wanted = {keys.TARGET: "targets", keys.RESULT: "target_results", keys.BUDGET: "budget"}[kind]
    if section is None or not _holds(section, wanted):
        raise KeyError(key)
    return EntryAddress(address, code)


def _holds(section: Section, what: str) -> bool:
    if what == "targets":
        return section.targets is not None
    if what == "target_results":
        return section.target_results
    return section.budget is not None and section.budget.rows == "content"


def _asking_section(spec: Framework, code: str) -> str:
    for section in spec.walk():
        if any(u.indicator == code for u in section.indicators):
            return section.code
    return ""


def read_entry(spec: Framework, key: str, raw: Any, *, locale: str) -> dict[str, Any]:
    address = parse_key(spec, key)
    if not isinstance(raw, dict):
        raise ContentError({"": _("The content must be an object.")})
    reader = {
        keys.NARRATIVE: _narrative,
        keys.LEGAL: _legal,
        keys.VALUE: _value,
        keys.ROW: _row,
        keys.TARGET: _target,
        keys.RESULT: _result,
        keys.BUDGET: _budget,
    }[address.kind]
    return reader(spec, address, raw, locale)


NUMBER_TYPES = ("integer", "decimal", "money", "percent", "ratio")


def _number(value: Any) -> Any:
    # An int stays an int; a stored decimal string becomes a Decimal, which the cell parser
    # takes as it is: "1.234" would be 1234 to a Vietnamese reader.
    return value if isinstance(value, int) else Decimal(str(value))


def as_sent(spec: Framework, key: str, content: dict[str, Any]) -> dict[str, Any]:
    """Stored content in the shape an editor sends it, so that ``read_entry`` reads it back
    unchanged in any locale: what a save leaves out is filled from here."""
    address = parse_key(spec, key)
    raw = dict(content)
    if address.kind == "value":
        indicator = spec.indicators[address.name]
        cells: dict[str, Any] = {}
        for cell_key, cell in content.get("cells", {}).items():
            if indicator.type == "ratio":
                cells[cell_key] = {part: _number(v) for part, v in cell.items()}
            elif "v" in cell:
                numeric = indicator.type in NUMBER_TYPES
                cells[cell_key] = _number(cell["v"]) if numeric else cell["v"]
        raw["cells"] = cells
    elif address.kind == "row":
        table = spec.table(address.key.code)
        assert table is not None
        raw["cells"] = {
            code: _number(value)
            if (column := table.column(code)) is not None and column.type in NUMBER_TYPES
            else value
            for code, value in content.get("cells", {}).items()
        }
    elif address.kind in ("target", "result"):
        for name in ("baseline", "target", "achieved"):
            if name in content:
                raw[name] = _number(content[name])
    if "phasing" in content and address.kind in ("row", "budget"):
        raw["phasing"] = {k: _number(v) for k, v in content["phasing"].items()}
    return raw


def _narrative(
    spec: Framework, address: EntryAddress, raw: dict[str, Any], locale: str
) -> dict[str, Any]:
    html = raw.get("html") or ""
    if not isinstance(html, str):
        raise ContentError({"html": _("The text must be text.")})
    if len(html) > 2_000_000:
        raise ContentError({"html": _("The text is longer than 2 million characters.")})
    return {"html": clean_html(html)}


def _legal(
    spec: Framework, address: EntryAddress, raw: dict[str, Any], locale: str
) -> dict[str, Any]:
    items = raw.get("items") or []
    if not isinstance(items, list):
        raise ContentError({"items": _("The list must be a list.")})
    known = set(
        LegalDocument.objects.filter(
            code__in=[i["code"] for i in items if isinstance(i, dict) and _is_text(i.get("code"))]
        ).values_list("code", flat=True)
    )
    result: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not _is_text(item.get("code", "")):
            errors[f"items.{index}"] = _("Each item names a document or is a citation text.")
            continue
        if item.get("code"):
            if item["code"] not in known:
                errors[f"items.{index}"] = _("Unknown legal document %(code)s.") % {
                    "code": item["code"]
                }
            elif {"code": item["code"]} not in result:
                result.append({"code": str(item["code"])})
        elif item.get("text"):
            try:
                result.append({"text": parse_text(item["text"], limit=1000)})
            except CellValueError as exc:
                errors[f"items.{index}"] = message(exc.error)
    if errors:
        raise ContentError(errors)
    return {"items": result}


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _value(
    spec: Framework, address: EntryAddress, raw: dict[str, Any], locale: str
) -> dict[str, Any]:
    indicator = spec.indicators[address.name]
    cells = raw.get("cells") or {}
    if not isinstance(cells, dict):
        raise ContentError({"cells": _("The values must be an object.")})
    # A cell of an option the framework does not ask is refused like an unknown cell.
    dimensions = narrowed(spec, indicator.code, asked_options(spec, indicator.code))
    parsed = parse_indicator_value(
        indicator,
        dimensions,
        cells,
        comment=raw.get("comment", ""),
        locale=locale,
        split_cells=split_cells(spec, indicator.code),
    )
    if not parsed.ok:
        raise ContentError(
            {f"cells.{k}" if k != "comment" else k: message(e) for k, e in parsed.errors.items()}
        )
    return parsed.content


def read_phasing(
    raw: Any, phasing_spec: Any, years: list[int], *, locale: str
) -> tuple[dict[str, str], dict[str, str]]:
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if raw in (None, ""):
        return values, errors
    if not isinstance(raw, dict):
        return values, {"phasing": _("The phasing must be an object.")}
    for key, value in raw.items():
        try:
            year, source, funding_type = split_phasing_key(str(key))
        except ValueError:
            errors[f"phasing.{key}"] = _("Unknown phasing cell %(key)s.") % {"key": key}
            continue
        if year not in years:
            errors[f"phasing.{key}"] = _("%(year)s is outside the period %(first)s-%(last)s.") % {
                "year": year,
                "first": years[0],
                "last": years[-1],
            }
            continue
        if source not in phasing_spec.sources or funding_type not in phasing_spec.types:
            errors[f"phasing.{key}"] = _("Unknown phasing cell %(key)s.") % {"key": key}
            continue
        if value in (None, ""):
            continue
        try:
            values[str(key)] = parse_money(value, locale=locale)
        except CellValueError as exc:
            errors[f"phasing.{key}"] = message(exc.error)
    return values, errors


def read_row_cells(table: Table, raw: Any, *, locale: str) -> tuple[dict[str, Any], dict[str, str]]:
    cells: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if not isinstance(raw, dict):
        return cells, {"cells": _("The cells must be an object.")}
    for code, value in raw.items():
        column = table.column(str(code))
        if column is None:
            errors[f"cells.{code}"] = _("The table has no column %(column)s.") % {"column": code}
            continue
        try:
            parsed = parse_column_value(column.type, value, choices=column.choices, locale=locale)
        except CellValueError as exc:
            errors[f"cells.{code}"] = message(exc.error)
            continue
        if parsed is not None:
            cells[column.code] = parsed
    return cells, errors


def _row(
    spec: Framework, address: EntryAddress, raw: dict[str, Any], locale: str
) -> dict[str, Any]:
    table = spec.table(address.key.code)
    assert table is not None
    cells, errors = read_row_cells(table, raw.get("cells") or {}, locale=locale)
    content: dict[str, Any] = {"cells": cells}
    if table.phasing is not None:
        phasing, phasing_errors = read_phasing(
            raw.get("phasing"), table.phasing, spec.period.years(), locale=locale
        )
        errors.update(phasing_errors)
        content["phasing"] = phasing
    elif raw.get("phasing"):
        errors["phasing"] = _("This table has no budget phasing.")
    if errors:
        raise ContentError(errors)
    return content


def _target(
    spec: Framework, address: EntryAddress, raw: dict[str, Any], locale: str
) -> dict[str, Any]:
    section = spec.section(address.section)
    assert section is not None and section.targets is not None
    errors: dict[str, str] = {}
    content: dict[str, Any] = {}
    indicator_code = raw.get("indicator") or ""
    if not _is_text(indicator_code):
        errors["indicator"] = _("Choose an indicator this framework asks for.")
        indicator_code = ""
    if indicator_code:
        if (
            indicator_code not in spec.indicators
            and indicator_code not in section.targets.indicators
        ):
            errors["indicator"] = _("Choose an indicator this framework asks for.")
        else:
            content["indicator"] = indicator_code
    text = raw.get("text") or ""
    if text:
        try:
            content["text"] = parse_text(text, limit=2000)
        except CellValueError as exc:
            errors["text"] = message(exc.error)
    if not indicator_code and not text:
        errors["text"] = _("Name the indicator, or write the objective.")
    if not indicator_code and text and not section.targets.free_text:
        errors["indicator"] = _("This framework asks for measurable targets: choose an indicator.")
    for field in ("baseline", "target"):
        value = raw.get(field)
        if value in (None, ""):
            continue
        try:
            content[field] = parse_column_value("decimal", value, locale=locale)
        except CellValueError as exc:
            errors[field] = message(exc.error)
    if raw.get("year") not in (None, ""):
        try:
            content["year"] = parse_year(raw["year"], years=spec.period.years())
        except CellValueError as exc:
            errors["year"] = message(exc.error)
    if indicator_code and "target" not in content and "target" not in errors:
        errors["target"] = _("A measurable target needs its target value.")
    if errors:
        raise ContentError(errors)
    return content


def _result(
    spec: Framework, address: EntryAddress, raw: dict[str, Any], locale: str
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    content: dict[str, Any] = {}
    source = raw.get("source")
    if isinstance(source, dict):
        content["source"] = _result_source(source, errors)
    elif source not in (None, ""):
        errors["source"] = _("The target must be an object.")
    if not content.get("source") and not raw.get("text"):
        errors["text"] = _("Name the target this result is about.")
    if raw.get("text"):
        try:
            content["text"] = parse_text(raw["text"], limit=2000)
        except CellValueError as exc:
            errors["text"] = message(exc.error)
    if raw.get("achieved") not in (None, ""):
        try:
            content["achieved"] = parse_column_value("decimal", raw["achieved"], locale=locale)
        except CellValueError as exc:
            errors["achieved"] = message(exc.error)
    status = raw.get("status") or ""
    if status:
        if status not in TARGET_STATUSES:
            errors["status"] = _("Unknown status.")
        else:
            content["status"] = status
    if raw.get("obstacles"):
        try:
            content["obstacles"] = parse_text(raw["obstacles"], limit=4000)
        except CellValueError as exc:
            errors["obstacles"] = message(exc.error)
    if errors:
        raise ContentError(errors)
    return content


def _result_source(source: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The plan target a result reports on, as the report keeps a copy of it (written by
    carryover.fill_results, sent back by the page): each part checked as what it is, since
    the page and the official document read its numbers back."""
    kept: dict[str, Any] = {}
    for name in ("document", "key", "indicator", "text", "baseline", "target", "year"):
        value = source.get(name)
        if value in (None, ""):
            continue
        try:
            if name == "document":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise CellValueError(gettext_noop("must be a whole number"))
                kept[name] = value
            elif name in ("baseline", "target"):
                # Stored numbers, as the page sends them back: 1234.5, never 1.234,5.
                kept[name] = parse_column_value("decimal", value, locale="en")
            elif name == "year":
                kept[name] = parse_year(value)
            else:
                kept[name] = parse_text(value, limit=2000 if name == "text" else 200)
        except CellValueError as exc:
            errors[f"source.{name}"] = message(exc.error)
    return kept


def _budget(
    spec: Framework, address: EntryAddress, raw: dict[str, Any], locale: str
) -> dict[str, Any]:
    section = spec.section(address.section)
    assert section is not None and section.budget is not None
    errors: dict[str, str] = {}
    content: dict[str, Any] = {}
    try:
        label = parse_text(raw.get("label") or "", limit=1000)
    except CellValueError as exc:
        errors["label"] = message(exc.error)
        label = ""
    if not label:
        errors["label"] = _("Say what this budget line is for.")
    content["label"] = label
    phasing, phasing_errors = read_phasing(
        raw.get("phasing"), section.budget, spec.period.years(), locale=locale
    )
    errors.update(phasing_errors)
    content["phasing"] = phasing
    if errors:
        raise ContentError(errors)
    return content
