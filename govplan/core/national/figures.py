"""An indicator's per-unit sums read into national answers: per place × year × cell on
one structure, then totals, counts of units meeting a condition, distributions, breakdowns
by kind and by option, and series. Pure: ``govplan.national.figures`` queries the database
and hands the rows in as plain data (docs/national-figures.md defines every figure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from govplan.core.documents.series import lineage, read_cell
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.national.arithmetic import (
    Condition,
    Count,
    Distribution,
    Totals,
    count_meeting,
    distribution,
    measure,
    total,
)
from govplan.core.national.structure import (
    History,
    Place,
    Placed,
    Placement,
    placements,
    regroup,
)

TOTAL = "*"  # the cell that adds up an indicator's option cells (its own breakdown)
REPORT, PLAN = "report", "plan"


@dataclass(frozen=True, slots=True)
class Row:
    """One group of the database's answer: a unit's sums for one indicator, period start
    and cell (``no_data`` rows have the cell "")."""

    unit: int
    indicator: str
    year: int
    cell: str
    totals: Totals
    document_kind: str = REPORT  # plan or report


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    """A unit of the structure asked (or, for a group, its first member's kind)."""

    id: int
    name: str
    kind: str
    code: str = ""


@dataclass(frozen=True, slots=True)
class PlaceFigure:
    place: Place
    names: tuple[str, ...]
    kind: str
    totals: Totals
    figure: Decimal | None  # the value, a ratio's percentage, yes/no as 1/0
    sources: tuple[int, ...] = ()
    own: bool = True
    approximate: bool = False
    grouped: bool = False
    codes: tuple[str, ...] = ()  # the places' codes (a tile map's province codes)


@dataclass(frozen=True, slots=True)
class Figure:
    """One national (or subtree) figure: the totals over the places, how many places gave
    a figure, said "no data" or gave nothing, out of how many the structure has."""

    totals: Totals
    figure: Decimal | None  # Σ values; for a ratio Σn/Σd in percent; for yes/no the count
    reporting: int
    no_data: int
    expected: int
    distribution: Distribution
    approximate: bool = False  # holds a unit attributed whole after a split

    @property
    def missing(self) -> int:
        return max(self.expected - self.reporting - self.no_data, 0)


NO_DATA = None  # the cell of a "no data" row once read: it counts for every cell

ReadRow = tuple[int, int, str | None, Totals]  # unit, year, cell as the indicator's, totals


def readable(rows: Iterable[Row], indicators: Mapping[str, Indicator], code: str) -> list[ReadRow]:
    """The rows of ``code`` and of the indicators it continues, their cells read as
    ``code``'s through ``maps_from`` (level 4 → toàn trình); cells the mapping drops are
    left out, "no data" rows kept with the cell :data:`NO_DATA`.

    A unit that filed both a report and a plan for the same year is read from its report
    (what happened, rather than the state a plan described), never from both added."""
    steps = dict(lineage(indicators, code))
    rows = [row for row in rows if row.indicator in steps]
    reported = {(row.unit, row.year) for row in rows if row.document_kind == REPORT}
    found: list[ReadRow] = []
    for row in rows:
        if row.document_kind != REPORT and (row.unit, row.year) in reported:
            continue
        if row.totals.no_data and not row.totals.figures:
            found.append((row.unit, row.year, NO_DATA, row.totals))
            continue
        read = read_cell(steps[row.indicator], row.cell)
        if read is not None:
            found.append((row.unit, row.year, read, row.totals))
    return found


def select_cell(
    read: Iterable[ReadRow], cell: str, option_cells: Sequence[str] = ()
) -> list[tuple[int, int, Totals]]:
    """(unit, year, totals) for one cell; :data:`TOTAL` adds up the ``option_cells`` (the
    indicator's own breakdown; the undivided cell "" when it has none)."""
    wanted = (
        set(option_cells) if cell == TOTAL and option_cells else {"" if cell == TOTAL else cell}
    )
    found: dict[tuple[int, int], list[Totals]] = defaultdict(list)
    for unit, year, read_cell_, totals in read:
        if read_cell_ is NO_DATA or read_cell_ in wanted:
            found[(unit, year)].append(totals)
    return [(unit, year, total(parts)) for (unit, year), parts in found.items()]


def read_rows(
    rows: Iterable[Row],
    indicators: Mapping[str, Indicator],
    code: str,
    cell: str,
    option_cells: Sequence[str] = (),
) -> list[tuple[int, int, Totals]]:
    """(unit, year, totals) for one cell of ``code`` (:func:`readable`, then
    :func:`select_cell`): a "no data" row counts for every cell of its unit and year."""
    return select_cell(readable(rows, indicators, code), cell, option_cells)


@dataclass
class Answer:
    """An indicator's figures on one structure: what :func:`answer` builds. Every method
    reads the same rows (one database query serves them all); each cell is placed on the
    structure once, when first asked."""

    indicator: Indicator
    places: dict[int, PlaceInfo]
    years: tuple[int, ...]
    option_cells: tuple[str, ...]
    read: list[ReadRow]
    placed: dict[int, Placement]
    expected_by_kind: dict[str, int] = field(default_factory=dict)
    _by_cell: dict[str, dict[int, dict[Place, Placed]]] = field(default_factory=dict)

    @property
    def value_type(self) -> str:
        return self.indicator.type

    def _in_year(self, cell: str, year: int) -> dict[Place, Placed]:
        if cell not in self._by_cell:
            by_year: dict[int, dict[Place, Placed]] = defaultdict(dict)
            chosen = select_cell(self.read, cell, self.option_cells)
            regrouped = regroup(chosen, self.placed, self.value_type, self.indicator.merge_method)
            for (place, y), placed in regrouped.items():
                by_year[y][place] = placed
            self._by_cell[cell] = dict(by_year)
        return self._by_cell[cell].get(year, {})

    def place_figures(self, year: int, cell: str = TOTAL) -> list[PlaceFigure]:
        """Each place's figure for ``year``, places without one left out, in place order."""
        result = []
        for place, placed in self._in_year(cell, year).items():
            first = self.places.get(place[0])
            result.append(
                PlaceFigure(
                    place,
                    tuple(self.places[p].name for p in place if p in self.places),
                    first.kind if first else "",
                    placed.totals,
                    measure(placed.totals, self.value_type),
                    placed.sources,
                    placed.own,
                    placed.approximate,
                    placed.grouped,
                    tuple(self.places[p].code for p in place if p in self.places),
                )
            )
        order = {pid: i for i, pid in enumerate(self.places)}
        result.sort(key=lambda f: [order.get(p, len(order)) for p in f.place])
        return result

    def figure(self, year: int, cell: str = TOTAL, kind: str = "") -> Figure:
        """The figure over every place (of ``kind`` if given): sums, Σn/Σd, yes counts."""
        figures = [f for f in self.place_figures(year, cell) if not kind or f.kind == kind]
        totals = total(f.totals for f in figures)
        reporting = [f for f in figures if f.totals.has_figure]
        # A group place (a newer unit on the old structure) stands for each of its members.
        no_data = sum(len(f.place) for f in figures if f.totals.is_no_data)
        if self.value_type == "boolean":
            value: Decimal | None = Decimal(
                sum(len(f.place) for f in reporting if f.totals.boolean)
            )
        elif self.indicator.merge_method == "mean":
            # An index: the mean over places, as its method computes a merged unit's.
            measured = [f.figure for f in reporting if f.figure is not None]
            value = sum(measured, Decimal(0)) / len(measured) if measured else None
        else:
            value = measure(totals, self.value_type)
        expected = (
            self.expected_by_kind.get(kind, 0) if kind else sum(self.expected_by_kind.values())
        )
        return Figure(
            totals,
            value if reporting else None,
            sum(len(f.place) for f in reporting),
            no_data,
            expected,
            distribution([f.figure for f in reporting if f.figure is not None]),
            any(f.approximate for f in figures),
        )

    def by_kind(self, year: int, cell: str = TOTAL) -> dict[str, Figure]:
        """The figure of each kind of unit (ministries, provinces …) that has places."""
        return {kind: self.figure(year, cell, kind) for kind in self.expected_by_kind}

    def by_option(self, year: int) -> dict[str, Figure]:
        """The figure of each option cell (toàn trình, một phần …)."""
        return {cell: self.figure(year, cell) for cell in self.option_cells}

    def count(self, year: int, condition: Condition, cell: str = TOTAL, kind: str = "") -> Count:
        """How many places meet ``condition`` ("19/22 bộ"), out of the places of the
        structure (``expected``) and of those that gave a figure (``reporting``).
        A group place (a newer unit on the old structure) counts once per member."""
        by_unit: dict[int, Totals] = {}
        for f in self.place_figures(year, cell):
            for member in f.place:
                by_unit[member] = f.totals
        expected = [p for p, info in self.places.items() if not kind or info.kind == kind]
        return count_meeting(by_unit, expected, condition, self.value_type)

    def series(self, cell: str = TOTAL) -> dict[Place, dict[int, PlaceFigure]]:
        """Place → year → figure over the years asked (a province formed in 2025 has its
        predecessors' figures from 2011 on the new structure)."""
        result: dict[Place, dict[int, PlaceFigure]] = defaultdict(dict)
        for year in self.years:
            for f in self.place_figures(year, cell):
                result[f.place][year] = f
        return dict(result)


def answer(
    indicators: Mapping[str, Indicator],
    code: str,
    rows: Sequence[Row],
    places: Mapping[int, PlaceInfo],
    history: History,
    years: Sequence[int],
    option_cells: Sequence[str] = (),
) -> Answer:
    """Build the :class:`Answer` for ``code`` from the database's rows (every indicator of
    its lineage), the places of the structure and the successions."""
    read = readable(rows, indicators, code)
    expected: dict[str, int] = {}
    for info in places.values():
        expected[info.kind] = expected.get(info.kind, 0) + 1
    return Answer(
        indicators[code],
        dict(places),
        tuple(years),
        tuple(option_cells),
        read,
        placements({unit for unit, *_ in read}, frozenset(places), history),
        expected,
    )
