"""The national dashboard's headline figures, defined as data (data/dashboards/headlines.yaml)
and computed live through the figures API (``govplan.national.figures``).

A headline is one of: a count of units meeting a condition, per group of kinds ("19/22 bộ,
48/63 tỉnh"), a sum with its option cells beside it (online services toàn trình / một
phần), or a ratio Σn/Σd. Each names what it counts, and links to the pivot listing every
unit behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from govplan.core.frameworks.yamlsafe import load_text
from govplan.core.national.arithmetic import Condition
from govplan.core.national.figures import Answer
from govplan.orgunits.models import Kind

FORMAT = "govplan/headlines@1"
MEASURES = ("count", "sum", "ratio")
# The groups a count is given for, as the letters write them: "x/22 bộ, y/63 tỉnh".
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ministries", (Kind.MINISTRY, Kind.MINISTRY_LEVEL)),
    ("provinces", (Kind.PROVINCE,)),
)
KINDS: tuple[str, ...] = tuple(k for _name, kinds in GROUPS for k in kinds)
TOTAL = "*"


@dataclass(frozen=True)
class Headline:
    code: str
    title: str
    title_en: str
    indicator: str
    measure: str
    condition: Condition = field(default_factory=Condition)
    cell: str = TOTAL
    cells: tuple[str, ...] = ()

    def label(self, english: bool) -> str:
        return self.title_en if english and self.title_en else self.title


def path() -> Path:
    return Path(settings.REFERENCE_DATA_DIR) / "dashboards" / "headlines.yaml"


def parse(data: Any) -> list[Headline]:
    """The headlines of a loaded file; ValueError naming the first problem."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"headlines: expected format {FORMAT}")
    result = []
    for index, item in enumerate(data.get("figures") or []):
        where = f"figures[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected a mapping")
        measure = item.get("measure")
        if measure not in MEASURES:
            raise ValueError(f"{where}.measure: one of {', '.join(MEASURES)}")
        raw = item.get("condition") or {}
        condition = Condition(
            str(raw.get("operator", "true")), Decimal(str(raw.get("threshold", 0)))
        )
        result.append(
            Headline(
                code=str(item["code"]),
                title=str(item["title"]),
                title_en=str(item.get("title_en", "")),
                indicator=str(item["indicator"]),
                measure=measure,
                condition=condition,
                cell=str(item.get("cell", TOTAL)),
                cells=tuple(str(c) for c in item.get("cells") or ()),
            )
        )
    codes = [h.code for h in result]
    if len(set(codes)) != len(codes):
        raise ValueError("headlines: a code is used twice")
    return result


@cache
def headlines() -> tuple[Headline, ...]:
    return tuple(parse(load_text(path().read_text(encoding="utf-8"), name="headlines.yaml")))


@dataclass(frozen=True)
class GroupCount:
    group: str  # ministries, provinces
    met: int
    expected: int
    reporting: int
    no_data: int


@dataclass(frozen=True)
class Part:
    cell: str
    figure: Decimal | None


@dataclass
class Shown:
    """A headline's figures for one year, as the page prints them."""

    headline: Headline
    figure: Decimal | None = None  # sum or ratio (percent)
    reporting: int = 0
    expected: int = 0
    no_data: int = 0
    approximate: bool = False
    counts: list[GroupCount] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)


def compute(headline: Headline, answer: Answer, year: int) -> Shown:
    """The headline's figures from the indicator's answer (places of every national kind)."""
    shown = Shown(headline)
    if headline.measure == "count":
        for group, kinds in GROUPS:
            counts = [answer.count(year, headline.condition, headline.cell, k) for k in kinds]
            expected = sum(c.expected for c in counts)
            if expected:
                shown.counts.append(
                    GroupCount(
                        group,
                        sum(c.met for c in counts),
                        expected,
                        sum(c.reporting for c in counts),
                        sum(c.no_data for c in counts),
                    )
                )
        return shown
    overall = answer.figure(year, headline.cell)
    shown.figure = overall.figure
    shown.reporting = overall.reporting
    shown.expected = overall.expected
    shown.no_data = overall.no_data
    shown.approximate = overall.approximate
    for cell in headline.cells:
        shown.parts.append(Part(cell, answer.figure(year, cell).figure))
    return shown
