"""The figures a guidance letter states (docs/frameworks.md, "Figures the letter sets"):
national reference figures and national minimum targets (``national:``), and numeric
targets set for named units (``unit_targets:``), read from a framework file and looked up
by indicator.

Pure: no Django; the checker (parse.py) calls ``read_national`` and ``read_unit_targets``
once the sections have said which indicators the framework asks for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from govplan.core.frameworks.catalogue import Catalogue, Indicator
from govplan.core.frameworks.fields import Reader
from govplan.core.frameworks.model import Framework, NationalFigure, Period, Rule, UnitTarget
from govplan.core.frameworks.problems import join
from govplan.core.frameworks.vocab import ORG_SCHEMES
from govplan.core.i18n import gettext_noop

NATIONAL_KEYS = ("indicator", "option", "value", "of", "minimum", "year", "label")
UNIT_TARGET_KEYS = ("units", "indicator", "option", "value", "year", "label")
NUMERIC_TYPES = ("integer", "decimal", "money", "ratio")


def _canonical(number: float) -> str:
    text = format(Decimal(str(number)).normalize(), "f")
    return "0" if text == "-0" else text


def _indicator(
    r: Reader,
    path: str,
    m: Mapping[str, Any],
    used: Mapping[str, Indicator],
    catalogue: Catalogue,
    *,
    yes_no: bool = False,
) -> tuple[Indicator | None, str]:
    """The indicator a figure is about (one the framework asks for, and a number; with
    ``yes_no`` also a yes/no one, whose national figure counts the units: "19/22 bộ") and
    the cell it names ("" for the whole value)."""
    code = m.get("indicator")
    indicator = used.get(code) if isinstance(code, str) else None
    if indicator is None:
        template = (
            gettext_noop("%(code)s is not an indicator of this framework: ask for it in a section")
            if isinstance(code, str) and code in catalogue.indicators
            else gettext_noop('"%(code)s" is not in the indicator catalogue')
        )
        if code is not None:
            r.c.add(join(path, "indicator"), template, code=code)
        return None, ""
    if indicator.type not in NUMERIC_TYPES and not (yes_no and indicator.type == "boolean"):
        r.c.add(
            join(path, "indicator"),
            gettext_noop("%(code)s is not a number: a figure needs a numeric indicator"),
            code=indicator.code,
        )
        return None, ""
    option = r.text(join(path, "option"), m.get("option"), required=False, max_length=200)
    if option:
        options = option.split("|")
        dimensions = indicator.disaggregation
        valid = len(options) == len(dimensions) and all(
            o in catalogue.dimensions[d].option_codes()
            for o, d in zip(options, dimensions, strict=True)
        )
        if not valid:
            r.c.add(
                join(path, "option"),
                gettext_noop('"%(option)s" is not a cell of %(code)s'),
                option=option,
                code=indicator.code,
            )
            return None, ""
    return indicator, option


def _number(r: Reader, path: str, value: Any) -> str | None:
    if value is None:
        return None
    number = r.number(path, value)
    if number is None:
        return None
    if number < 0:
        r.c.add(path, gettext_noop("must not be negative"))
        return None
    return _canonical(number)


def _year(r: Reader, path: str, value: Any, period: Period | None) -> int | None:
    if value is None:
        return None
    year = r.integer(path, value, minimum=1900, maximum=2100)
    if year is not None and period is not None and year not in period.years():
        r.c.add(
            path,
            gettext_noop("%(year)s is outside the period %(period)s"),
            year=year,
            period=period.label(),
        )
        return None
    return year


def read_national(
    r: Reader,
    value: Any,
    used: Mapping[str, Indicator],
    catalogue: Catalogue,
    period: Period | None,
) -> list[NationalFigure]:
    figures: list[NationalFigure] = []
    for i, item in enumerate(r.listing("national", value)):
        p = join("national", i)
        m = r.mapping(p, item, required=("indicator",), optional=NATIONAL_KEYS[1:])
        if m is None:
            continue
        reference_only = m.get("minimum") is None
        indicator, option = _indicator(r, p, m, used, catalogue, yes_no=reference_only)
        figure_value = _number(r, join(p, "value"), m.get("value"))
        of = _number(r, join(p, "of"), m.get("of"))
        minimum = _number(r, join(p, "minimum"), m.get("minimum"))
        year = _year(r, join(p, "year"), m.get("year"), period)
        label = r.text(join(p, "label"), m.get("label"), required=False, max_length=500)
        if m.get("value") is None and m.get("minimum") is None:
            r.c.add(p, gettext_noop("states no figure: give a value, a minimum or both"))
        if m.get("of") is not None and m.get("value") is None:
            r.c.add(join(p, "of"), gettext_noop("needs a value (value of of: 19 of 22)"))
        if figure_value is not None and of is not None and Decimal(figure_value) > Decimal(of):
            r.c.add(join(p, "value"), gettext_noop("is more than its whole (of)"))
        if indicator is not None and indicator.type == "boolean" and of is None:
            r.c.add(
                join(p, "of"),
                gettext_noop("a yes/no indicator's figure counts units: give of (19 of 22)"),
            )
            continue
        if indicator is None:
            continue
        figures.append(
            NationalFigure(indicator.code, option, figure_value, of, minimum, year, label)
        )
    return figures


def read_unit_targets(
    r: Reader,
    value: Any,
    used: Mapping[str, Indicator],
    catalogue: Catalogue,
    period: Period | None,
) -> list[UnitTarget]:
    targets: list[UnitTarget] = []
    for i, item in enumerate(r.listing("unit_targets", value)):
        p = join("unit_targets", i)
        m = r.mapping(
            p, item, required=("units", "indicator", "value"), optional=("option", "year", "label")
        )
        if m is None:
            continue
        units: list[str] = []
        for j, unit in enumerate(r.listing(join(p, "units"), m.get("units"), required=True)):
            text = r.text(join(join(p, "units"), j), unit, max_length=100)
            scheme, _sep, code = text.partition(":")
            if text and (scheme not in ORG_SCHEMES or not code):
                r.c.add(
                    join(join(p, "units"), j),
                    gettext_noop(
                        '"%(value)s" is not a unit reference: write scheme:code, e.g. %(example)s'
                    ),
                    value=text,
                    example="govplan:BTC",
                )
            elif text and text not in units:
                units.append(text)
        indicator, option = _indicator(r, p, m, used, catalogue)
        target = _number(r, join(p, "value"), m.get("value"))
        year = _year(r, join(p, "year"), m.get("year"), period)
        label = r.text(join(p, "label"), m.get("label"), required=False, max_length=500)
        if indicator is None or target is None or not units:
            continue
        targets.append(UnitTarget(tuple(units), indicator.code, target, option, year, label))
    return targets


def figures_for(spec: Framework, code: str) -> list[NationalFigure]:
    return [f for f in spec.national if f.indicator == code]


def unit_targets_for(spec: Framework, scheme: str, code: str) -> list[UnitTarget]:
    """The targets the framework sets for one unit."""
    return [t for t in spec.unit_targets if t.covers(scheme, code)]


def national_value(spec: Framework, ref: str, what: str) -> Decimal | None:
    """The national figure of an indicator reference ("CODE" or "CODE:OPT"), for rules:
    ``what`` is "national" (the reference value; a ratio's as a percentage when it has
    ``of``) or "minimum"."""
    code, _sep, option = ref.partition(":")
    option = option.replace(":", "|")
    for figure in spec.national:
        if figure.indicator != code or figure.option != option:
            continue
        if what == "minimum" and figure.minimum is not None:
            return Decimal(figure.minimum)
        if what == "national" and figure.value is not None:
            indicator = spec.indicators.get(code)
            counted = indicator is not None and indicator.type in ("ratio", "boolean")
            if figure.of is not None and counted:
                whole = Decimal(figure.of)
                return Decimal(figure.value) * 100 / whole if whole else None
            return Decimal(figure.value)
    return None


FIGURE_CALL_RE = re.compile(r"\b(national|minimum)\s*\(\s*#\{([^{}]*)\}")


def check_rule_figures(
    r: Reader, rules: Sequence[Rule], national: Sequence[NationalFigure]
) -> None:
    """A rule's national(#{…}) or minimum(#{…}) must name a figure the framework states."""
    for i, rule in enumerate(rules):
        for what, ref in FIGURE_CALL_RE.findall(rule.check):
            code, _sep, option = ref.strip().partition(":")
            option = option.replace(":", "|")
            stated = any(
                f.indicator == code
                and f.option == option
                and (f.minimum if what == "minimum" else f.value) is not None
                for f in national
            )
            if not stated:
                r.c.add(
                    join(join("rules", i), "check"),
                    gettext_noop(
                        "%(function)s(#{%(ref)s}): the framework states no such figure "
                        "(add it under national:)"
                    ),
                    function=what,
                    ref=ref,
                )
