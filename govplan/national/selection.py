"""What a dashboard or pivot shows, read from the address (GET parameters hold the whole
selection, so every view is a URL that can be shared and reopened).

Parameters: ``i`` (indicator codes, repeated), ``level`` (provinces, ministries, or subtree
with ``unit``: the units directly under it), ``from`` and ``to`` (years), ``o`` (cells:
option codes, "A|B" for two dimensions; none: each indicator's total), ``layer``
(approved by default, submitted, live), ``structure`` (new: 34 provinces, 17 ministries, as
it is; old: 63 and 22, as it was on 30 June 2025), ``chart`` (bar, line, stacked, map).

Anything malformed or unknown is a problem with a message for the page; the parse never
raises, and a page with problems shows them and no figures (nothing else changes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.core.frameworks.catalogue import Catalogue, Indicator
from govplan.core.inputs import parse_id
from govplan.national.figures import OLD_STRUCTURE
from govplan.webutils.inputs import shown

LAYERS = ("approved", "submitted", "live")
STRUCTURES = ("new", "old")
LEVELS = ("provinces", "ministries", "subtree")
CHARTS = ("bar", "line", "stacked", "map")
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_INDICATORS = 60
MAX_YEARS = 20
MAX_CELLS = 40
# Types that give a number per unit (yes/no: counted as 1/0).
FIGURE_TYPES = ("integer", "decimal", "money", "ratio", "boolean")
TOTAL = "*"  # an indicator's total cell (its option cells added up)


@dataclass(frozen=True)
class Selection:
    indicators: tuple[Indicator, ...] = ()
    level: str = "provinces"
    unit: int | None = None
    first_year: int = 0
    last_year: int = 0
    cells: tuple[str, ...] = ()
    layer: str = "approved"
    structure: str = "new"
    chart: str = "bar"
    problems: tuple[str, ...] = field(default=())

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))

    @property
    def day(self) -> dt.date:
        """The day whose units make up the structure."""
        return OLD_STRUCTURE if self.structure == "old" else timezone.localdate()

    @property
    def structure_day(self) -> dt.date | None:
        """What the figures API asks: the old structure's day, or None for today's."""
        return OLD_STRUCTURE if self.structure == "old" else None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    def query(self, **changes: object) -> str:
        """This selection as an address's query, with ``changes`` (None drops a key)."""
        values: dict[str, object] = {
            "i": list(self.codes),
            "level": self.level,
            "unit": self.unit,
            "from": self.first_year or None,
            "to": self.last_year or None,
            "o": list(self.cells),
            "layer": self.layer,
            "structure": self.structure,
            "chart": self.chart,
        }
        values.update(changes)
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            if value is None or value == "" or value == []:
                continue
            if isinstance(value, list | tuple):
                pairs += [(key, str(v)) for v in value]
            else:
                pairs.append((key, str(value)))
        return urlencode(pairs)


def default_year() -> int:
    """Last year: the latest whose reports are in."""
    return timezone.localdate().year - 1


def _choice(data: Mapping[str, str], name: str, allowed: Sequence[str], problems: list[str]) -> str:
    raw = data.get(name) or allowed[0]
    if raw not in allowed:
        problems.append(
            _("“%(field)s” must be one of %(allowed)s, not “%(value)s”.")
            % {"field": name, "allowed": ", ".join(allowed), "value": shown(raw)}
        )
        return allowed[0]
    return raw


def _year(data: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    raw = data.get(name)
    if raw is None or raw == "":
        return default
    number = parse_id(str(raw))
    if number is None or not FIRST_YEAR <= number <= LAST_YEAR:
        problems.append(
            _("“%(field)s” must be a year between %(first)s and %(last)s, not “%(value)s”.")
            % {"field": name, "first": FIRST_YEAR, "last": LAST_YEAR, "value": shown(raw)}
        )
        return default
    return number


def cells_of(catalogue: Catalogue, indicator: Indicator) -> list[str]:
    """The option cells of ``indicator`` ("M3", "NOI_BO|HOAN_TOAN"), none if undivided."""
    if not indicator.disaggregation:
        return []
    return ["|".join(combo) for combo in catalogue.cells(indicator)]


def cell_label(catalogue: Catalogue, indicator: Indicator, cell: str, *, english: bool) -> str:
    """An option cell's words ("Mức độ 3"; "Nội bộ · Hoàn toàn điện tử")."""
    if cell in ("", TOTAL):
        return ""
    words = []
    for code, dimension in zip(cell.split("|"), indicator.disaggregation, strict=False):
        found = catalogue.dimensions.get(dimension)
        option = next((o for o in found.options if o.code == code), None) if found else None
        words.append(
            (option.title_en or option.title)
            if option and english
            else (option.title if option else code)
        )
    return " · ".join(words)


def parse(
    data: Mapping[str, str],
    lists: Mapping[str, list[str]],
    catalogue: Catalogue,
    *,
    max_indicators: int = MAX_INDICATORS,
) -> Selection:
    """The selection in ``data`` (single values) and ``lists`` (repeated ones: i, o)."""
    problems: list[str] = []
    indicators: list[Indicator] = []
    codes = [c for c in lists.get("i", []) if c != ""]
    for code in dict.fromkeys(codes):
        indicator = catalogue.indicators.get(code)
        if indicator is None:
            problems.append(
                _("“%(value)s” is not an indicator of the national catalogue.")
                % {"value": shown(code)}
            )
        elif indicator.type not in FIGURE_TYPES:
            problems.append(
                _("%(code)s is not a number or a yes/no: it has no figure to add up.")
                % {"code": indicator.code}
            )
        else:
            indicators.append(indicator)
    if len(indicators) > max_indicators:
        problems.append(_("Choose at most %(n)s indicators at once.") % {"n": max_indicators})
        indicators = indicators[:max_indicators]
    level = _choice(data, "level", LEVELS, problems)
    unit: int | None = None
    if level == "subtree":
        raw = data.get("unit", "")
        unit = parse_id(str(raw)) if raw else None
        if unit is None:
            problems.append(
                _("Name the unit whose sub-units to show (“unit”: its number), not “%(value)s”.")
                % {"value": shown(raw)}
            )
    year = default_year()
    first = _year(data, "from", year, problems)
    last = _year(data, "to", first, problems)
    if last < first:
        problems.append(_("The last year comes before the first."))
        last = first
    if last - first + 1 > MAX_YEARS:
        problems.append(_("Choose at most %(n)s years at once.") % {"n": MAX_YEARS})
        last = first + MAX_YEARS - 1
    known = {c for i in indicators for c in cells_of(catalogue, i)}
    cells: list[str] = []
    for cell in dict.fromkeys(c for c in lists.get("o", []) if c != ""):
        if cell not in known:
            problems.append(
                _("“%(value)s” is not an option of the indicators chosen.") % {"value": shown(cell)}
            )
        else:
            cells.append(cell)
    if len(cells) > MAX_CELLS:
        problems.append(_("Choose at most %(n)s options at once.") % {"n": MAX_CELLS})
        cells = cells[:MAX_CELLS]
    return Selection(
        indicators=tuple(indicators),
        level=level,
        unit=unit,
        first_year=first,
        last_year=last,
        cells=tuple(cells),
        layer=_choice(data, "layer", LAYERS, problems),
        structure=_choice(data, "structure", STRUCTURES, problems),
        chart=_choice(data, "chart", CHARTS, problems),
        problems=tuple(problems),
    )
