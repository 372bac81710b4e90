"""The pivot as a plain table: units (the places of the structure asked) × columns
(indicator × cell × year), built from the figures API's answers. The page, its charts and
the CSV and XLSX exports all read this one table, so they show the same numbers.

A cell holds the place's figure (a sum; a ratio as Σn/Σd in percent; yes/no as 1/0), or
nothing: "no data" (the unit said it has none) and "not reported" stay apart and are
never 0. The totals row is the figure over every place shown (never a mean of the rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from govplan.core.frameworks.catalogue import Catalogue, Indicator
from govplan.core.national.figures import Answer, PlaceFigure
from govplan.national.selection import TOTAL, Selection, cell_label, cells_of


@dataclass(frozen=True)
class Column:
    indicator: Indicator
    cell: str  # TOTAL or an option cell
    year: int
    option: str  # the cell's words ("" for the total)

    @property
    def key(self) -> str:
        return f"{self.indicator.code}:{self.cell}:{self.year}"


@dataclass(frozen=True)
class Place:
    key: str  # the unit ids joined by "+"
    ids: tuple[int, ...]
    name: str
    kind: str
    code: str
    grouped: bool = False  # a newer unit shown as the group of the units it replaced


@dataclass(frozen=True)
class Value:
    figure: Decimal | None = None
    no_data: bool = False
    approximate: bool = False
    reporting: int = 0  # for the totals row: places that gave a figure
    expected: int = 0

    @property
    def empty(self) -> bool:
        return self.figure is None


@dataclass
class PivotTable:
    columns: list[Column] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    values: dict[tuple[str, str], Value] = field(default_factory=dict)  # (place, column)
    totals: dict[str, Value] = field(default_factory=dict)  # column key → over every place

    def value(self, place: Place, column: Column) -> Value:
        return self.values.get((place.key, column.key), Value())

    def rows(self) -> list[tuple[Place, list[Value]]]:
        return [(p, [self.value(p, c) for c in self.columns]) for p in self.places]

    def total_row(self) -> list[Value]:
        return [self.totals.get(c.key, Value()) for c in self.columns]


def columns_for(selection: Selection, catalogue: Catalogue, *, english: bool) -> list[Column]:
    """Indicator × (its total, or the chosen cells that are its own) × year."""
    result = []
    for indicator in selection.indicators:
        own = set(cells_of(catalogue, indicator))
        cells = [c for c in selection.cells if c in own] or [TOTAL]
        for cell in cells:
            label = cell_label(catalogue, indicator, cell, english=english)
            for year in selection.years:
                result.append(Column(indicator, cell, year, label))
    return result


def _place(figure: PlaceFigure, answer: Answer) -> Place:
    first = answer.places.get(figure.place[0])
    return Place(
        "+".join(str(i) for i in figure.place),
        figure.place,
        " + ".join(figure.names) if figure.names else "?",
        figure.kind,
        "+".join(answer.places[i].code for i in figure.place if i in answer.places)
        if first
        else "",
        grouped=figure.grouped or len(figure.place) > 1,
    )


def build(
    selection: Selection, catalogue: Catalogue, answers: dict[str, Answer], *, english: bool
) -> PivotTable:
    """The table of ``answers`` (one per indicator, from the figures API)."""
    table = PivotTable(columns=columns_for(selection, catalogue, english=english))
    seen: dict[str, Place] = {}
    # Every place of the structure has a row, with a figure or not (missing is shown).
    for answer in answers.values():
        for pid, info in answer.places.items():
            key = str(pid)
            if key not in seen:
                seen[key] = Place(key, (pid,), info.name, info.kind, info.code)
    for column in table.columns:
        found_answer = answers.get(column.indicator.code)
        if found_answer is None:
            continue
        answer = found_answer
        for found in answer.place_figures(column.year, column.cell):
            place = _place(found, answer)
            seen.setdefault(place.key, place)
            table.values[(place.key, column.key)] = Value(
                found.figure,
                no_data=found.totals.is_no_data,
                approximate=found.approximate,
            )
        overall = answer.figure(column.year, column.cell)
        table.totals[column.key] = Value(
            overall.figure,
            no_data=overall.reporting == 0 and overall.no_data > 0,
            approximate=overall.approximate,
            reporting=overall.reporting,
            expected=overall.expected,
        )
    table.places = list(seen.values())
    return table
