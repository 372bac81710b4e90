"""Checking a document: the framework's own rules and the checks every framework gets.

A *finding* is shown where the problem is (section, field, row) with its message. An error
blocks submission; a warning needs a written explanation to submit with it standing.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from govplan.core.documents import keys
from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.documents.totals import phasing_by, row_phasing_total
from govplan.core.documents.values import cell_keys, is_filled
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework
from govplan.core.rules import evaluate, parse
from govplan.core.rules.ast import split_indicator_ref
from govplan.documents.consolidation import counted, sub_documents
from govplan.documents.cycles import earlier_values
from govplan.documents.editor import load_entries, previous_values, visible_sections
from govplan.documents.labels import entry_label
from govplan.documents.models import Document, Entry
from govplan.documents.sanitize import text_of
from govplan.workflow.models import WarningExplanation

ERROR, WARNING = "error", "warning"
REF_MARKS = re.compile(r"[#@]\{([^}]*)\}")


def _bare(match: re.Match[str]) -> str:
    return match.group(1)


HISTORY_CYCLES = 6
Z_LIMIT = Decimal("3.5")


@dataclass
class Finding:
    check_id: str
    importance: str
    message: str
    section: str = ""
    anchor: str = ""  # an entry key, when the problem is in one
    label: str = ""  # what the anchor is, in words
    explanation: str = ""
    # Where inside the anchor: a table column, a disaggregation cell ("" is the single
    # cell of an undivided indicator), a target's field; None for the anchor as a whole.
    field: str | None = None

    @property
    def blocking(self) -> bool:
        return self.importance == ERROR or not self.explanation


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.importance == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.importance == WARNING]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class DocumentData:
    """What the rule language reads, taken from a document's saved entries."""

    def __init__(
        self,
        document: Document,
        spec: Framework,
        entries: Mapping[str, Entry],
        collections: Mapping[str, list[Entry]],
    ) -> None:
        self.document = document
        self.spec = spec
        self.values = {
            EntryKey.parse(k).code: e.content for k, e in entries.items() if e.kind == keys.VALUE
        }
        self.collections = collections
        self._previous: dict[str, dict[str, Any]] | None = None
        self._subunits: list[dict[str, dict[str, Any]]] | None = None

    # -- indicator values ---------------------------------------------------------------
    def _read(self, values: Mapping[str, dict[str, Any]], ref: str) -> Decimal | bool | str | None:
        code, options, part = split_indicator_ref(ref)
        indicator = self.spec.indicators.get(code)
        content = values.get(code)
        if indicator is None or content is None:
            return None
        cells = content.get("cells", {})
        if options:
            chosen = [cells.get("|".join(options))]
        else:
            chosen = [cells.get(k) for k in cell_keys(indicator, self.spec.dimensions)]
        chosen = [c for c in chosen if c]
        if not chosen:
            return None
        if indicator.type == "ratio":
            numerator = sum((_number(c.get("n")) or Decimal(0) for c in chosen), Decimal(0))
            denominator = sum((_number(c.get("d")) or Decimal(0) for c in chosen), Decimal(0))
            if not any("n" in c for c in chosen) or not any("d" in c for c in chosen):
                return None
            if part == "numerator":
                return numerator
            if part == "denominator":
                return denominator
            return numerator * 100 / denominator if denominator else None
        if len(chosen) == 1 and options:
            value = chosen[0].get("v")
            return _number(value) if indicator.type in ("integer", "decimal", "money") else value
        if indicator.type in ("integer", "decimal", "money"):
            return sum((_number(c.get("v")) or Decimal(0) for c in chosen), Decimal(0))
        return chosen[0].get("v")

    def indicator(self, ref: str) -> Decimal | bool | str | None:
        return self._read(self.values, ref)

    def indicator_total(self, code: str) -> Decimal | None:
        value = self._read(self.values, code)
        return value if isinstance(value, Decimal) else None

    def rows(self, table: str) -> Sequence[Mapping[str, Any]] | None:
        if self.spec.table(table) is None:
            return None
        return [
            e.content.get("cells", {})
            for e in self.collections.get(str(Collection.table(table)), [])
        ]

    def previous(self, ref: str) -> Decimal | bool | str | None:
        if self._previous is None:
            self._previous = previous_values(self.document)
        return self._read(self._previous, ref)

    def subunits(self, ref: str) -> Decimal | None:
        if self._subunits is None:
            # The structure of the day the document is written for, not today's tree.
            # A document whose unit lies under another sub-unit's document is counted there.
            subs = counted(sub_documents(self.document))
            grouped: dict[int, dict[str, Any]] = {}
            for entry in Entry.objects.filter(document__in=subs, kind=keys.VALUE, deleted=False):
                grouped.setdefault(entry.document_id, {})[EntryKey.parse(entry.key).code] = (
                    entry.content
                )
            self._subunits = list(grouped.values())
        code, _options, part = split_indicator_ref(ref)
        indicator = self.spec.indicators.get(code)
        if indicator is None or not self._subunits:
            return None
        if indicator.type == "ratio" and not part:
            numerators = [self._read(v, f"{ref}.numerator") for v in self._subunits]
            denominators = [self._read(v, f"{ref}.denominator") for v in self._subunits]
            n = sum((x for x in numerators if isinstance(x, Decimal)), Decimal(0))
            d = sum((x for x in denominators if isinstance(x, Decimal)), Decimal(0))
            return n * 100 / d if d else None
        values = [self._read(v, ref) for v in self._subunits]
        numbers = [v for v in values if isinstance(v, Decimal)]
        return sum(numbers, Decimal(0)) if numbers else None


def _rule_findings(spec: Framework, data: DocumentData) -> list[Finding]:
    findings = []
    for rule in spec.rules:
        # Shown at the first indicator (or else table) the rule reads that the form has.
        section = anchor = ""
        for ref in rule.indicator_refs:
            code = split_indicator_ref(ref)[0]
            section = next(
                (s.code for s in spec.walk() if any(u.indicator == code for u in s.indicators)), ""
            )
            if section:
                anchor = str(EntryKey.value(code))
                break
        if not section and rule.table_refs:
            table_code = rule.table_refs[0].split(".")[0]
            section = next((s.code for s, t in spec.tables() if t.code == table_code), "")
            anchor = str(Collection.table(table_code)) if section else ""
        try:
            outcome = evaluate(parse(rule.check), data, missing=rule.missing)
        except Exception as exc:
            findings.append(
                Finding(
                    f"rule:{rule.code}",
                    WARNING,
                    _("Rule %(code)s could not be checked: %(reason)s")
                    % {"code": rule.code, "reason": exc},
                    section,
                    anchor,
                )
            )
            continue
        if outcome.status == "fail":
            # "HT.LAN = 30" reads better for an official than the rule's "#{HT.LAN}".
            values = ", ".join(
                f"{REF_MARKS.sub(_bare, k)} = {v}" for k, v in outcome.values.items()
            )
            findings.append(
                Finding(
                    f"rule:{rule.code}",
                    rule.importance,
                    f"{rule.message}" + (f" ({values})" if values else ""),
                    section,
                    anchor,
                    label=rule.code,
                )
            )
        elif outcome.status == "problem":
            reason = _(outcome.template) % outcome.params if outcome.params else _(outcome.template)
            findings.append(
                Finding(
                    f"rule:{rule.code}",
                    WARNING,
                    _("Rule %(code)s could not be checked: %(reason)s")
                    % {"code": rule.code, "reason": reason},
                    section,
                    anchor,
                    label=rule.code,
                )
            )
    return findings


def _required(
    spec: Framework,
    document: Document,
    entries: Mapping[str, Entry],
    collections: Mapping[str, list[Entry]],
) -> list[Finding]:
    findings = []
    for section in visible_sections(spec, document):
        if not section.required:
            continue
        where = f"{section.number}. {section.title}"
        if section.narrative:
            entry = entries.get(str(EntryKey.narrative(section.code)))
            if not (entry and text_of(entry.content.get("html", ""))):
                findings.append(
                    Finding(
                        f"required:narrative:{section.code}",
                        ERROR,
                        _("Section %(section)s has no text yet.") % {"section": where},
                        section.code,
                        str(EntryKey.narrative(section.code)),
                    )
                )
        if section.legal_basis is not None:
            entry = entries.get(str(EntryKey.legal(section.code)))
            if not (entry and entry.content.get("items")):
                findings.append(
                    Finding(
                        f"required:legal:{section.code}",
                        ERROR,
                        _("Section %(section)s cites no legal basis.") % {"section": where},
                        section.code,
                        str(EntryKey.legal(section.code)),
                    )
                )
        for use in section.indicators:
            if not use.required:
                continue
            entry = entries.get(str(EntryKey.value(use.indicator)))
            indicator = spec.indicators[use.indicator]
            if not (entry and is_filled(indicator, entry.content)):
                findings.append(
                    Finding(
                        f"required:value:{use.indicator}",
                        ERROR,
                        _("“%(name)s” has no value.") % {"name": use.label or indicator.name},
                        section.code,
                        str(EntryKey.value(use.indicator)),
                    )
                )
        for table in section.tables:
            if not collections.get(str(Collection.table(table.code))):
                findings.append(
                    Finding(
                        f"required:table:{table.code}",
                        ERROR,
                        _("The table “%(table)s” has no row.") % {"table": table.title},
                        section.code,
                        str(Collection.table(table.code)),
                    )
                )
        if section.targets is not None:
            rows = collections.get(str(Collection(keys.TARGET, section.code)), [])
            measurable = [r for r in rows if r.content.get("indicator")]
            if not measurable:
                findings.append(
                    Finding(
                        f"targets:quantified:{section.code}",
                        ERROR,
                        _(
                            "Section %(section)s has no quantified target: "
                            "targets must be clear and measurable."
                        )
                        % {"section": where},
                        section.code,
                    )
                )
    return findings


def _targets(spec: Framework, collections: Mapping[str, list[Entry]]) -> list[Finding]:
    findings = []
    years = spec.period.years()
    for section in spec.walk():
        if section.targets is None:
            continue
        for row in collections.get(str(Collection(keys.TARGET, section.code)), []):
            label = entry_label(spec, row.key, row.content)
            if not row.content.get("indicator"):
                findings.append(
                    Finding(
                        f"targets:text:{row.key}",
                        WARNING,
                        _("%(target)s is written in words only: it cannot be measured.")
                        % {"target": label},
                        section.code,
                        row.key,
                        label,
                        field="indicator",
                    )
                )
            year = row.content.get("year")
            if year is not None and year not in years:
                findings.append(
                    Finding(
                        f"targets:year:{row.key}",
                        ERROR,
                        _("%(target)s: %(year)s is outside the period %(period)s.")
                        % {"target": label, "year": year, "period": spec.period.label()},
                        section.code,
                        row.key,
                        label,
                        field="year",
                    )
                )
    return findings


def _tables(spec: Framework, collections: Mapping[str, list[Entry]]) -> list[Finding]:
    """Totals consistent with their parts; money and counts not negative."""
    findings = []
    for section, table in spec.tables():
        total_column = table.by_role("total_investment")
        for row in collections.get(str(Collection.table(table.code)), []):
            cells = row.content.get("cells", {})
            phasing = row.content.get("phasing", {})
            label = entry_label(spec, row.key, row.content)
            for column in table.columns:
                value = (
                    _number(cells.get(column.code))
                    if column.type in ("integer", "money", "decimal")
                    else None
                )
                if value is not None and value < 0 and column.type in ("integer", "money"):
                    findings.append(
                        Finding(
                            f"negative:{row.key}:{column.code}",
                            ERROR,
                            _("%(row)s, %(column)s: must not be negative.")
                            % {"row": label, "column": column.title},
                            section.code,
                            row.key,
                            label,
                            field=column.code,
                        )
                    )
            if table.phasing is None or not phasing:
                continue
            by_year = phasing_by(phasing, "year")
            for year, amount in by_year.items():
                column = table.by_role("year_amount", year)
                stated = _number(cells.get(column.code)) if column else None
                if stated is not None and stated != amount:
                    findings.append(
                        Finding(
                            f"total:year:{row.key}:{year}",
                            ERROR,
                            _(
                                "%(row)s: %(column)s is %(stated)s "
                                "but its phasing for %(year)s adds up to %(sum)s."
                            )
                            % {
                                "row": label,
                                "column": column.title,
                                "stated": stated,
                                "year": year,
                                "sum": amount,
                            },
                            section.code,
                            row.key,
                            label,
                            field=column.code,
                        )
                    )
            total = _number(cells.get(total_column.code)) if total_column else None
            phased = row_phasing_total(phasing)
            if total is not None and phased > total:
                findings.append(
                    Finding(
                        f"total:investment:{row.key}",
                        ERROR,
                        _(
                            "%(row)s: the phased budget (%(phased)s) "
                            "is more than the total investment (%(total)s)."
                        )
                        % {"row": label, "phased": phased, "total": total},
                        section.code,
                        row.key,
                        label,
                        field=total_column.code if total_column else None,
                    )
                )
    return findings


def _values(spec: Framework, document: Document, entries: Mapping[str, Entry]) -> list[Finding]:
    """Ratios whose part exceeds the whole, negative counts and money."""
    findings = []
    for key, entry in entries.items():
        if entry.kind != keys.VALUE:
            continue
        indicator = spec.indicators.get(EntryKey.parse(key).code)
        if indicator is None:
            continue
        for cell_key, cell in entry.content.get("cells", {}).items():
            n, d, v = _number(cell.get("n")), _number(cell.get("d")), _number(cell.get("v"))
            if (
                indicator.type == "ratio"
                and indicator.share
                and n is not None
                and d is not None
                and n > d
            ):
                findings.append(
                    Finding(
                        f"ratio:{key}:{cell_key}",
                        ERROR,
                        _("“%(name)s”: the numerator %(n)s is more than the denominator %(d)s.")
                        % {"name": indicator.name, "n": n, "d": d},
                        entry.section_code,
                        key,
                        indicator.name,
                        field=cell_key,
                    )
                )
            if indicator.type in ("integer", "money") and v is not None and v < 0:
                findings.append(
                    Finding(
                        f"negative:{key}:{cell_key}",
                        ERROR,
                        _("“%(name)s” must not be negative.") % {"name": indicator.name},
                        entry.section_code,
                        key,
                        indicator.name,
                        field=cell_key,
                    )
                )
    return findings


def history(document: Document, spec: Framework) -> dict[str, list[dict[str, Any]]]:
    """The unit's earlier values of each indicator, oldest first, following the frameworks'
    `follows` chain (and catalogue mappings at each step) and, across mergers, the units it
    came from: a merged unit's earlier value is its predecessors' together (cycles)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for values in earlier_values(document, HISTORY_CYCLES):
        for code, content in values.items():
            result.setdefault(code, []).append(content)
    return result


def _single_value(indicator: Indicator, cell: Mapping[str, Any]) -> Decimal | None:
    if indicator.type == "ratio":
        n, d = _number(cell.get("n")), _number(cell.get("d"))
        return n * 100 / d if n is not None and d else None
    return _number(cell.get("v")) if indicator.type in ("integer", "decimal", "money") else None


def _movement(spec: Framework, document: Document, entries: Mapping[str, Entry]) -> list[Finding]:
    """A value far from the unit's own history is questioned: a modified z-score above 3.5
    when there are three earlier values or more, else a change beyond the framework's
    threshold (±100 % unless it says otherwise)."""
    findings = []
    past = history(document, spec)
    threshold = Decimal(str(spec.change_threshold))
    for key, entry in entries.items():
        if entry.kind != keys.VALUE:
            continue
        code = EntryKey.parse(key).code
        indicator = spec.indicators.get(code)
        if indicator is None or code not in past:
            continue
        for cell_key, cell in entry.content.get("cells", {}).items():
            now = _single_value(indicator, cell)
            earlier = [
                _single_value(indicator, c.get("cells", {}).get(cell_key, {})) for c in past[code]
            ]
            series = [x for x in earlier if x is not None]
            if now is None or not series:
                continue
            where = indicator.name + (f" ({cell_key.replace('|', ' × ')})" if cell_key else "")
            if len(series) >= 3:
                median = Decimal(str(statistics.median(series)))
                mad = Decimal(str(statistics.median([abs(x - median) for x in series])))
                if mad == 0:
                    continue
                score = Decimal("0.6745") * (now - median) / mad
                if abs(score) > Z_LIMIT:
                    findings.append(
                        Finding(
                            f"change:{key}:{cell_key}",
                            WARNING,
                            _(
                                "%(name)s = %(now)s is far from this unit's earlier values "
                                "(median %(median)s): please check or explain."
                            )
                            % {"name": where, "now": now, "median": median},
                            entry.section_code,
                            key,
                            indicator.name,
                            field=cell_key,
                        )
                    )
                continue
            last = series[-1]
            if last == 0:
                continue
            change = (now - last) / abs(last)
            if abs(change) > threshold:
                findings.append(
                    Finding(
                        f"change:{key}:{cell_key}",
                        WARNING,
                        _(
                            "%(name)s moved from %(last)s to %(now)s (%(change)s %%) "
                            "since the previous cycle: please check or explain."
                        )
                        % {"name": where, "last": last, "now": now, "change": round(change * 100)},
                        entry.section_code,
                        key,
                        indicator.name,
                        field=cell_key,
                    )
                )
    return findings


def validate(document: Document) -> Report:
    spec = document.framework_version.parsed()
    loaded = load_entries(document)
    entries, collections = loaded["by_key"], loaded["collections"]
    data = DocumentData(document, spec, entries, collections)
    findings = (
        _required(spec, document, entries, collections)
        + _targets(spec, collections)
        + _tables(spec, collections)
        + _values(spec, document, entries)
        + _movement(spec, document, entries)
        + _rule_findings(spec, data)
    )
    explained = {e.check_id: e.text for e in WarningExplanation.objects.filter(document=document)}
    for finding in findings:
        if finding.importance == WARNING:
            finding.explanation = explained.get(finding.check_id, "")
    order = {s.code: i for i, s in enumerate(spec.walk())}
    findings.sort(key=lambda f: (order.get(f.section, 10_000), f.importance != ERROR))
    return Report(findings)


def blocking_problems(document: Document, *, actor: Any = None) -> list[Finding]:
    return validate(document).blocking


MAX_EXPLANATION = 4000


def do_explain(document: Document, explanations: dict[str, str], *, actor: Any) -> int:
    """Save why each warning (by its check id) is not a mistake; an empty text withdraws the
    explanation. All or nothing: one text too long and none is saved. Returns how many
    changed."""
    from govplan.audit.recorder import record
    from govplan.documents.actions import lock_for_edit
    from govplan.workflow.actions import bounded

    wanted = {check: bounded(text.strip(), MAX_EXPLANATION) for check, text in explanations.items()}
    changed = 0
    with transaction.atomic():
        # Explanations are part of what was submitted; they change only with the document.
        lock_for_edit(document)
        current = {
            e.check_id: e
            for e in WarningExplanation.objects.select_for_update().filter(
                document=document, check_id__in=list(wanted)
            )
        }
        for check_id, text in wanted.items():
            old = current.get(check_id)
            if (old.text if old else "") == text:
                continue
            if text:
                WarningExplanation.objects.update_or_create(
                    document=document, check_id=check_id, defaults={"text": text, "by": actor}
                )
            else:
                WarningExplanation.objects.filter(document=document, check_id=check_id).delete()
            record(
                "validation.explain",
                actor=actor,
                obj=document,
                before={"check": check_id, "explanation": old.text if old else ""},
                after={"check": check_id, "explanation": text},
            )
            changed += 1
    return changed
