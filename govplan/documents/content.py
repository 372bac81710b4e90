"""What each kind of entry may contain, checked against the document's pinned framework.

``read_entry(spec, key, raw, locale)`` turns what the editor sent into canonical content,
or raises ContentError with a message per field (field paths the page can point at).

Long because: it is the one reader of every kind of entry (narrative, legal basis, value,
table row with its phasing, target with its option and ratio parts, result, budget line),
each checked field by field with the message the page shows at that field; splitting it by
kind would scatter the one table of what an entry may hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from govplan.core.documents import keys
from govplan.core.documents.cells import (
    CellError,
    CellValueError,
    canonical_decimal,
    parse_column_value,
    parse_decimal,
    parse_money,
    parse_text,
    parse_year,
)
from govplan.core.documents.keys import BadKey, EntryKey
from govplan.core.documents.totals import WHOLE_PERIOD, split_phasing_key
from govplan.core.documents.values import cell_keys, parse_indicator_value
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework, Section, Table
from govplan.core.frameworks.visibility import asked_options, narrowed, split_cells
from govplan.core.i18n import gettext_noop
from govplan.documents.sanitize import clean_html
from govplan.frameworks.models import LegalDocument, LegalStatus

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


def ensure_asked(sections: Sequence[Section], address: EntryAddress) -> None:
    """Refuse content for a part the framework does not ask of the document's unit
    (``sections``: the unit's, as ``read.visible_sections`` gives them): a section, an
    indicator, a table or a target list restricted to other units (``applies_to``). The
    page never offers it; a request made by hand is refused the same way."""
    kind, code = address.kind, address.key.code
    if kind == keys.VALUE:
        asked = any(u.indicator == code for s in sections for u in s.indicators)
    elif kind == keys.ROW:
        asked = any(t.code == code for s in sections for t in s.tables)
    elif kind == keys.TARGET:
        asked = any(s.code == code and s.targets is not None for s in sections)
    else:
        asked = any(s.code == code for s in sections)
    if not asked:
        raise ContentError({"": _("This part of the framework is not asked of your unit.")})


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
        for name in ("baseline", "target", "achieved", "target_n", "target_d"):
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


def check_new_citations(
    spec: Framework, content: dict[str, Any], before: dict[str, Any] | None
) -> None:
    """A legal document newly cited must be an entry of the catalogue issued before the
    period ends, or a proposal waiting for review (an editor proposing a document someone
    proposed already cites that proposal). What the list already cited stays, whatever
    became of it (retired, merged, rejected): saving the list never loses it."""
    kept = {i.get("code") for i in (before or {}).get("items", []) if isinstance(i, dict)}
    items = content.get("items", [])
    new = [(n, i["code"]) for n, i in enumerate(items) if "code" in i and i["code"] not in kept]
    if not new:
        return
    found = {
        d.code: d
        for d in LegalDocument.objects.filter(code__in=[c for _n, c in new]).select_related(
            "merged_into"
        )
    }
    end = spec.period.end
    errors: dict[str, str] = {}
    for index, code in new:
        document = found.get(code)
        if document is None:
            continue  # refused as unknown already
        names = {"number": document.number}
        if document.status == LegalStatus.RETIRED:
            errors[f"items.{index}"] = (
                _(
                    "%(number)s is retired from the legal-document catalogue: it can no longer "
                    "be cited."
                )
                % names
            )
        elif document.status == LegalStatus.MERGED and document.merged_into is not None:
            errors[f"items.{index}"] = _(
                "%(number)s was merged into %(into)s of the catalogue: cite that one."
            ) % {**names, "into": document.merged_into.number}
        elif document.status not in (LegalStatus.CATALOGUE, LegalStatus.PROPOSED):
            errors[f"items.{index}"] = (
                _("%(number)s is not in the legal-document catalogue.") % names
            )
        elif document.date is not None and document.date.year > end:
            errors[f"items.{index}"] = _(
                "%(number)s was issued on %(date)s, after this document's period (to %(end)s) ends."
            ) % {**names, "date": document.date.strftime("%d/%m/%Y"), "end": end}
    if errors:
        raise ContentError(errors)


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
        no_data=raw.get("no_data"),
        no_data_reason=raw.get("no_data_reason", ""),
        locale=locale,
        split_cells=split_cells(spec, indicator.code),
    )
    if not parsed.ok:
        raise ContentError(
            {
                k if k in ("comment", "no_data", "no_data_reason") else f"cells.{k}": message(e)
                for k, e in parsed.errors.items()
            }
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
        if year == WHOLE_PERIOD and not getattr(phasing_spec, "whole_period", False):
            errors[f"phasing.{key}"] = _(
                "This framework asks for the amounts year by year: an amount for the whole "
                "period is not allowed here."
            )
            continue
        if year != WHOLE_PERIOD and year not in years:
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


@dataclass(frozen=True)
class GroupProblem:
    message: str


def read_group(table: Table, raw: Any) -> str | GroupProblem:
    """The group a row of ``table`` is put in: its code, "" for none, or what is wrong."""
    if raw in (None, ""):
        return ""
    if not table.groups:
        return GroupProblem(_("This table has no groups."))
    code = str(raw).strip()
    for group in table.groups:
        # The page sends the code; a workbook may carry the number or the title.
        if code in (group.code, group.number, f"{group.number}. {group.title}", group.title):
            return group.code
    return GroupProblem(
        _('"%(group)s" is not a group of the table %(table)s: choose one of %(groups)s.')
        % {
            "group": code[:100],
            "table": table.title,
            "groups": "; ".join(f"{g.number}. {g.title}" for g in table.groups),
        }
    )


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
    group = read_group(table, raw.get("group"))
    if isinstance(group, GroupProblem):
        errors["group"] = group.message
    elif group:
        content["group"] = group
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
    indicator = spec.indicators.get(content.get("indicator", ""))
    _target_option(spec, indicator, raw, content, errors)
    _target_parts(indicator, raw, content, errors, locale)
    if indicator_code and "target" not in content and "target" not in errors:
        errors["target"] = _("A measurable target needs its target value.")
    if errors:
        raise ContentError(errors)
    return content


def _target_option(
    spec: Framework,
    indicator: Indicator | None,
    raw: dict[str, Any],
    content: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """The cell of a disaggregated indicator a target is about ("M3": level 3)."""
    option = raw.get("option")
    if option in (None, ""):
        return
    allowed = cell_keys(indicator, spec.dimensions) if indicator else []
    if not isinstance(option, str) or not indicator or not indicator.disaggregation:
        errors["option"] = _("Only an indicator divided by options takes an option.")
    elif option not in allowed:
        errors["option"] = _("%(option)s is not an option of this indicator.") % {"option": option}
    else:
        content["option"] = option


def _target_parts(
    indicator: Indicator | None,
    raw: dict[str, Any],
    content: dict[str, Any],
    errors: dict[str, str],
    locale: str,
) -> None:
    """A ratio target stated as a ratio (831 of 1.661): both parts, and the percentage
    computed from them (to two places)."""
    sent = {p: raw.get(f"target_{p}") for p in ("n", "d")}
    if all(v in (None, "") for v in sent.values()):
        return
    if indicator is None or indicator.type != "ratio":
        errors["target_n"] = _("Only a ratio's target is stated as a ratio.")
        return
    parts: dict[str, Decimal] = {}
    for part, value in sent.items():
        if value in (None, ""):
            errors[f"target_{part}"] = _(
                "A target stated as a ratio needs its numerator and its denominator."
            )
            continue
        try:
            parts[part] = Decimal(parse_decimal(value, locale=locale, minimum=0))
        except CellValueError as exc:
            errors[f"target_{part}"] = message(exc.error)
    if len(parts) < 2:
        return
    if parts["d"] == 0:
        errors["target_d"] = _("The denominator of the target must be more than 0.")
        return
    if indicator.share and parts["n"] > parts["d"]:
        errors["target_n"] = _(
            "%(numerator)s is more than %(denominator)s: the numerator is a part of the "
            "denominator."
        ) % {
            "numerator": canonical_decimal(parts["n"]),
            "denominator": canonical_decimal(parts["d"]),
        }
        return
    content["target_n"] = canonical_decimal(parts["n"])
    content["target_d"] = canonical_decimal(parts["d"])
    # The percentage is the parts': a stated one that disagrees would print two targets.
    percent = (parts["n"] * 100 / parts["d"]).quantize(Decimal("0.01"))
    content["target"] = canonical_decimal(percent)
    errors.pop("target", None)


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
    for name in (
        "document",
        "key",
        "indicator",
        "text",
        "baseline",
        "target",
        "year",
        "option",
        "target_n",
        "target_d",
        "words",
    ):
        value = source.get(name)
        if value in (None, ""):
            continue
        try:
            if name == "document":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise CellValueError(gettext_noop("must be a whole number"))
                kept[name] = value
            elif name in ("baseline", "target", "target_n", "target_d"):
                # Stored numbers, as the page sends them back: 1234.5, never 1.234,5.
                kept[name] = parse_column_value("decimal", value, locale="en")
            elif name == "year":
                kept[name] = parse_year(value)
            else:
                kept[name] = parse_text(value, limit=2000 if name in ("text", "words") else 200)
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
