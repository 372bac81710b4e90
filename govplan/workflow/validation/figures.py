"""The figures the letter sets, compared with the document (docs/frameworks.md, "Figures
the letter sets"): a national minimum target (``national:`` … ``minimum``) and a target set
for the document's unit (``unit_targets:``). A plan is compared by its targets for the
indicator (and the cell, and the year where both say one), a report by its values; below
the figure is a warning showing both figures. A target set for the unit that the document
does not address at all is a warning too."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from govplan.core.documents.keys import EntryKey
from govplan.core.documents.view import DocumentView, TargetRow
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.figures import unit_targets_for
from govplan.documents.presentation import input_locale
from govplan.frameworks.presentation import option_title, with_unit
from govplan.workflow.validation.data import DocumentData
from govplan.workflow.validation.findings import WARNING, Finding


@dataclass(frozen=True)
class _Set:
    """One figure to reach: the national minimum, or the target set for the unit."""

    check: str  # "national" or "unit"
    indicator: str
    option: str
    year: int | None
    value: Decimal
    label: str


def _wanted(view: DocumentView, scheme: str, code: str) -> list[_Set]:
    spec = view.spec
    wanted = [
        _Set("national", f.indicator, f.option, f.year, Decimal(f.minimum), f.label)
        for f in spec.national
        if f.minimum is not None
    ]
    wanted += [
        _Set("unit", t.indicator, t.option, t.year, Decimal(t.value), t.label)
        for t in unit_targets_for(spec, scheme, code)
    ]
    return wanted


def _matches(row: TargetRow, figure: _Set) -> bool:
    return (
        row.indicator == figure.indicator
        and row.option == figure.option
        and row.target is not None
        and (figure.year is None or row.year in (None, figure.year))
    )


def _name(view: DocumentView, indicator: Indicator, option: str) -> str:
    cell = option_title(view.spec, indicator, option)
    return f"{indicator.name} – {cell}" if cell else indicator.name


def figure_findings(
    view: DocumentView, data: DocumentData, scheme: str, code: str
) -> list[Finding]:
    spec = view.spec
    locale = input_locale()
    findings: list[Finding] = []
    targets = {
        item.code: item.targets for item in view.sections if item.section.targets is not None
    }
    values = {use.indicator.code: item.code for item in view.sections for use in item.indicators}
    for figure in _wanted(view, scheme, code):
        indicator = spec.indicators.get(figure.indicator)
        if indicator is None:
            continue
        name = _name(view, indicator, figure.option)
        wanted = with_unit(figure.value, indicator, locale)
        what = (
            _("the national minimum target")
            if figure.check == "national"
            else _("the target set for your unit")
        )
        if figure.label:
            what += f" ({figure.label})"
        addressed = False
        if spec.kind == "plan":
            for section_code, rows in targets.items():
                for row in rows:
                    if not _matches(row, figure):
                        continue
                    addressed = True
                    assert row.target is not None
                    if Decimal(row.target) < figure.value:
                        findings.append(
                            Finding(
                                f"{figure.check}:{figure.indicator}:{figure.option}:{row.key}",
                                WARNING,
                                _(
                                    "“%(name)s”: the plan's target %(value)s is below "
                                    "%(what)s, %(wanted)s."
                                )
                                % {
                                    "name": name,
                                    "value": with_unit(row.target, indicator, locale),
                                    "what": what,
                                    "wanted": wanted,
                                },
                                section_code,
                                row.key,
                                name,
                                field="target",
                            )
                        )
        elif figure.indicator in values:
            ref = ":".join((figure.indicator, *figure.option.split("|"))).rstrip(":")
            value = data.indicator(ref)
            if isinstance(value, Decimal):
                addressed = True
                if value < figure.value:
                    findings.append(
                        Finding(
                            f"{figure.check}:{figure.indicator}:{figure.option}",
                            WARNING,
                            _(
                                "“%(name)s”: the unit's value %(value)s is below "
                                "%(what)s, %(wanted)s."
                            )
                            % {
                                "name": name,
                                "value": with_unit(
                                    value.quantize(Decimal("0.1")), indicator, locale
                                )
                                if indicator.type == "ratio"
                                else with_unit(value, indicator, locale),
                                "what": what,
                                "wanted": wanted,
                            },
                            values[figure.indicator],
                            str(EntryKey.value(figure.indicator)),
                            name,
                            field=figure.option,
                        )
                    )
        if figure.check == "unit" and not addressed:
            section = next(iter(targets), "") or values.get(figure.indicator, "")
            findings.append(
                Finding(
                    f"unit:{figure.indicator}:{figure.option}:missing",
                    WARNING,
                    _(
                        "The framework sets your unit a target for “%(name)s”: %(wanted)s"
                        "%(year)s; the document does not address it."
                    )
                    % {
                        "name": name,
                        "wanted": wanted,
                        "year": f" ({figure.year})" if figure.year else "",
                    },
                    section,
                )
            )
    return findings
