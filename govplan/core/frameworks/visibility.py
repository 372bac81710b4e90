"""What one unit is asked: the sections that apply to it, each holding only the items
(indicator uses, tables, targets) that apply to it, numbered as the framework chooses.

A section, an indicator use, a table or a target list may carry ``applies_to`` (some unit
kinds, some named units). A unit outside it never sees the item: not on the editor page,
not in its official document, and it is never required of it. When a hidden section leaves
a gap ("b." with no "a."), ``numbering: renumber`` on the parent (or at the top of the file
for the top-level sections) numbers the visible ones in sequence in the same style
(a, b, c; 1, 2, 3; I, II, III); ``as_letter`` (the default) keeps the letter's numbers.

An indicator use may ask only some options of the indicator's dimensions (``options: [M3,
M4]``): the series stays one indicator, and the forms, checks and official tables show only
the options asked.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from govplan.core.frameworks.catalogue import Dimension, Option
from govplan.core.frameworks.model import Framework, IndicatorUse, Section
from govplan.core.official.vietnamese import roman

ROMAN_RE = re.compile(r"^[IVXLCDM]+$")


def letter(n: int, upper: bool = False) -> str:
    """1 → a, 26 → z, 27 → aa (as Vietnamese documents continue past z)."""
    text = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text.upper() if upper else text


def sequence(numbers: Sequence[str]) -> list[str]:
    """The visible siblings' numbers renumbered 1..n in the style of the first of the
    original sequence (digits, lower or upper letters, Roman numerals); a style not
    recognised (b1, b2 …) is kept as written."""
    if not numbers:
        return []
    first = numbers[0]
    count = len(numbers)
    if all(n.isdigit() for n in numbers):
        return [str(i) for i in range(1, count + 1)]
    if all(ROMAN_RE.match(n) for n in numbers):
        return [roman(i) for i in range(1, count + 1)]
    if all(len(n) == 1 and n.isalpha() for n in numbers):
        return [letter(i, upper=first.isupper()) for i in range(1, count + 1)]
    return list(numbers)


def applies(section: Section, kind: str, scheme: str, code: str) -> Section:
    """``section`` with only the items that apply to the unit (the same object when it
    holds none restricted to some units)."""
    indicators = tuple(
        _split_for(u, kind, scheme, code)
        for u in section.indicators
        if u.applies(kind, scheme, code)
    )
    tables = tuple(t for t in section.tables if t.applies(kind, scheme, code))
    targets = section.targets
    if (
        targets is not None
        and targets.applies_to is not None
        and not targets.applies_to.covers(kind, scheme, code)
    ):
        targets = None
    if (
        indicators == section.indicators
        and len(tables) == len(section.tables)
        and targets is section.targets
    ):
        return section
    return dataclasses.replace(section, indicators=indicators, tables=tables, targets=targets)


def _split_for(use: IndicatorUse, kind: str, scheme: str, code: str) -> IndicatorUse:
    """The use without its split when the split is asked only of other units."""
    split = use.split
    if split is None or split.applies_to is None or split.applies_to.covers(kind, scheme, code):
        return use
    return dataclasses.replace(use, split=None)


def split_parts(spec: Framework, use: IndicatorUse) -> tuple[Option, ...]:
    """The parts a split use asks (the options of its dimension it names, or all)."""
    if use.split is None:
        return ()
    dimension = spec.dimensions[use.split.dimension]
    return tuple(
        o for o in dimension.options if not use.split.options or o.code in use.split.options
    )


def split_cells(spec: Framework, code: str) -> tuple[str, ...]:
    """Every part cell the framework's uses of indicator ``code`` may ask (for any unit)."""
    return tuple(
        dict.fromkeys(
            o.code
            for s in spec.walk()
            for u in s.indicators
            if u.indicator == code
            for o in split_parts(spec, u)
        )
    )


def for_unit(spec: Framework, kind: str, scheme: str, code: str) -> list[Section]:
    """The sections that apply to the unit, depth first, in order: each with only the
    items that apply to it, and numbered as the framework chooses. A section whose items
    are all hidden from the unit and that has nothing else to ask is hidden as well."""
    result: list[Section] = []

    def walk(sections: tuple[Section, ...], numbering: str) -> None:
        shown = []
        for section in sections:
            if not section.applies(kind, scheme, code):
                continue
            narrowed = applies(section, kind, scheme, code)
            if narrowed is not section and not narrowed.holds() and not section.sections:
                continue  # it asked only what this unit is not asked
            shown.append(narrowed)
        numbers = [s.number for s in shown]
        if numbering == "renumber":
            numbers = sequence(numbers)
        for section, number in zip(shown, numbers, strict=True):
            if number != section.number:
                section = dataclasses.replace(section, number=number)
            result.append(section)
            walk(section.sections, section.numbering)

    walk(spec.sections, spec.numbering)
    return result


def narrowed(spec: Framework, code: str, options: Sequence[str]) -> dict[str, Dimension]:
    """The framework's dimensions, those of indicator ``code`` holding only ``options``
    where some of a dimension's options are named (all of them otherwise)."""
    dimensions = dict(spec.dimensions)
    if not options:
        return dimensions
    for dimension_code in spec.indicators[code].disaggregation:
        dimension = dimensions[dimension_code]
        kept = tuple(o for o in dimension.options if o.code in options)
        if kept:
            dimensions[dimension_code] = dataclasses.replace(dimension, options=kept)
    return dimensions


def asked_dimensions(spec: Framework, use: IndicatorUse) -> list[Dimension]:
    """The dimensions of the indicator a use asks for, with only the options it asks."""
    dimensions = narrowed(spec, use.indicator, use.options)
    return [dimensions[d] for d in spec.indicators[use.indicator].disaggregation]


def asked_options(spec: Framework, code: str) -> tuple[str, ...]:
    """The options of indicator ``code`` the framework asks, over all its uses; () when a
    use asks every option (or the indicator is not disaggregated)."""
    uses = [u for s in spec.walk() for u in s.indicators if u.indicator == code]
    if not uses or any(not u.options for u in uses):
        return ()
    return tuple(dict.fromkeys(o for u in uses for o in u.options))
