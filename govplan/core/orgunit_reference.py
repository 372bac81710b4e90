"""Reading and checking the org-unit reference files (data/orgunits).

The files are plain CSV so that an official can read and correct them. This
module parses them, resolves every reference (parent, renamed unit, succession
ends) by scheme, code and date, and refuses the whole set with a list of
problems naming file, line and cause. It writes nothing: the Django side
applies a checked :class:`ReferenceSet` in one transaction.

Resolution rules (codes are reused across the 2025 reform, so a code alone is
ambiguous; a code with a date is not):
- a unit's parent is the unit with ``parent_scheme``/``parent_code`` whose
  validity overlaps the child's; it must be unique and contain the child's;
- a rename names the unit with that scheme and code valid on its date;
- a succession's ``from`` is the unit valid the day before ``effective_date``,
  its ``to`` the unit valid on ``effective_date``.

Long because: the column declarations, the row types, the reader and the checks describe one
set of CSV files and are read together when a file changes; the checks resolve every
reference of the whole set at once (parents, renames, successions, cycles), which is why the
set is refused or accepted whole. The reference data itself is in data/orgunits, not here.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from govplan.core.dates import Interval, parse_iso_date

KINDS = (
    "central",
    "ministry",
    "ministry_level",
    "gov_agency",
    "province",
    "department",
    "district",
    "commune",
    "subordinate",
)
SCHEMES = ("gso-province", "gso-district", "gso-commune", "govplan")
SUCCESSION_KINDS = ("merge", "split", "partial_merge", "rename", "transfer")
WHOLE_SUCCESSIONS = ("merge", "rename")

UNIT_COLUMNS = (
    "scheme",
    "code",
    "kind",
    "name",
    "short_name",
    "name_en",
    "level_name",
    "parent_scheme",
    "parent_code",
    "valid_from",
    "valid_to",
    "source",
)
RENAME_COLUMNS = (
    "scheme",
    "code",
    "effective_date",
    "name",
    "short_name",
    "name_en",
    "level_name",
    "source",
)
SUCCESSION_COLUMNS = (
    "effective_date",
    "kind",
    "from_scheme",
    "from_code",
    "to_scheme",
    "to_code",
    "note",
    "source",
)
SOURCE_COLUMNS = ("key", "title", "reference")

MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ReferenceDataError(Exception):
    """The reference set is refused; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        text = "\n".join(str(p) for p in shown)
        if more:
            text += f"\n… and {more} more problems"
        super().__init__(text)


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    reference: str
    location: Location


@dataclass(slots=True)
class UnitRow:
    scheme: str
    code: str
    kind: str
    name: str
    short_name: str
    name_en: str
    level_name: str
    parent_scheme: str
    parent_code: str
    validity: Interval
    source: str
    location: Location
    index: int = -1  # position in ReferenceSet.units
    parent_index: int | None = None  # resolved by check()

    @property
    def key(self) -> tuple[str, str, dt.date | None]:
        """Natural key: a code is only unique within its scheme at a given start date."""
        return (self.scheme, self.code, self.validity.start)

    def label(self) -> str:
        return f"{self.scheme}:{self.code} {self.name} ({self.validity.describe()})"


@dataclass(slots=True)
class RenameRow:
    scheme: str
    code: str
    effective_date: dt.date
    name: str
    short_name: str
    name_en: str
    level_name: str
    source: str
    location: Location
    unit_index: int = -1


@dataclass(slots=True)
class SuccessionRow:
    effective_date: dt.date
    kind: str
    from_scheme: str
    from_code: str
    to_scheme: str
    to_code: str
    note: str
    source: str
    location: Location
    from_index: int = -1
    to_index: int = -1


@dataclass(slots=True)
class ReferenceSet:
    sources: dict[str, Source] = field(default_factory=dict)
    units: list[UnitRow] = field(default_factory=list)
    renames: list[RenameRow] = field(default_factory=list)
    successions: list[SuccessionRow] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def depth_order(self) -> list[list[UnitRow]]:
        """Units grouped by depth (roots first), so parents are written before children."""
        depth: dict[int, int] = {}

        def depth_of(index: int) -> int:
            chain: list[int] = []
            current: int | None = index
            while current is not None and current not in depth:
                chain.append(current)
                current = self.units[current].parent_index
            base = -1 if current is None else depth[current]
            for offset, item in enumerate(reversed(chain), start=1):
                depth[item] = base + offset
            return depth[index]

        levels: dict[int, list[UnitRow]] = defaultdict(list)
        for unit in self.units:
            levels[depth_of(unit.index)].append(unit)
        return [levels[d] for d in sorted(levels)]


class _Reader:
    """Collects problems while reading; never stops at the first one."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.problems: list[Problem] = []

    def problem(self, location: Location, message: str) -> None:
        self.problems.append(Problem(location, message))

    def rows(
        self, path: Path, columns: tuple[str, ...]
    ) -> Iterator[tuple[Location, dict[str, str]]]:
        name = path.relative_to(self.base).as_posix()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(Location(name, 1), f"not UTF-8 text ({exc.reason})")
            return
        reader = csv.reader(text.splitlines())
        try:
            header = next(reader)
        except StopIteration:
            self.problem(Location(name, 1), "empty file: expected a header row")
            return
        header = [h.strip() for h in header]
        if tuple(header) != columns:
            self.problem(
                Location(name, 1),
                f"header must be exactly {','.join(columns)}; found {','.join(header)}",
            )
            return
        try:
            for row in reader:
                location = Location(name, reader.line_num)
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    self.problem(location, f"expected {len(columns)} columns, found {len(row)}")
                    continue
                yield location, {c: v.strip() for c, v in zip(columns, row, strict=True)}
        except csv.Error as exc:
            self.problem(Location(name, reader.line_num), f"malformed CSV: {exc}")

    def date(self, location: Location, column: str, text: str) -> tuple[bool, dt.date | None]:
        try:
            return True, parse_iso_date(text)
        except ValueError as exc:
            self.problem(location, f"{column}: {exc}")
            return False, None

    def choice(self, location: Location, column: str, value: str, allowed: Iterable[str]) -> bool:
        allowed = tuple(allowed)
        if value not in allowed:
            self.problem(
                location, f"{column}: unknown value {value!r} (allowed: {', '.join(allowed)})"
            )
            return False
        return True

    def required(self, location: Location, row: dict[str, str], *columns: str) -> bool:
        ok = True
        for column in columns:
            if not row[column]:
                self.problem(location, f"{column}: required")
                ok = False
        return ok


def _csv_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.csv") if p.is_file()) if directory.is_dir() else []


def read_reference(base: Path) -> ReferenceSet:
    """Read and check every file under ``base``; raise ReferenceDataError listing all problems."""
    reader = _Reader(base)
    result = ReferenceSet()
    sources_path = base / "sources.csv"
    if not sources_path.is_file():
        raise ReferenceDataError([Problem(Location("sources.csv", 0), "file is missing")])

    for location, row in reader.rows(sources_path, SOURCE_COLUMNS):
        if not reader.required(location, row, "key", "title"):
            continue
        if row["key"] in result.sources:
            reader.problem(location, f"key: duplicate source {row['key']!r}")
            continue
        result.sources[row["key"]] = Source(row["key"], row["title"], row["reference"], location)
    result.files.append("sources.csv")

    unit_files = _csv_files(base / "units")
    if not unit_files:
        reader.problem(Location("units/", 0), "no unit files (units/*.csv)")
    for path in unit_files:
        result.files.append(path.relative_to(base).as_posix())
        for location, row in reader.rows(path, UNIT_COLUMNS):
            unit = _parse_unit(reader, location, row, result.sources)
            if unit is not None:
                unit.index = len(result.units)
                result.units.append(unit)

    renames_path = base / "renames.csv"
    if renames_path.is_file():
        result.files.append("renames.csv")
        for location, row in reader.rows(renames_path, RENAME_COLUMNS):
            rename = _parse_rename(reader, location, row, result.sources)
            if rename is not None:
                result.renames.append(rename)

    for path in _csv_files(base / "successions"):
        result.files.append(path.relative_to(base).as_posix())
        for location, row in reader.rows(path, SUCCESSION_COLUMNS):
            succession = _parse_succession(reader, location, row, result.sources)
            if succession is not None:
                result.successions.append(succession)

    _check(reader, result)
    if reader.problems:
        raise ReferenceDataError(reader.problems)
    return result


def _check_source(
    reader: _Reader, location: Location, key: str, sources: dict[str, Source]
) -> bool:
    if key not in sources:
        reader.problem(location, f"source: {key!r} is not listed in sources.csv")
        return False
    return True


def _parse_unit(
    reader: _Reader, location: Location, row: dict[str, str], sources: dict[str, Source]
) -> UnitRow | None:
    ok = reader.required(location, row, "scheme", "code", "kind", "name", "source")
    ok = reader.choice(location, "scheme", row["scheme"], SCHEMES) and ok
    ok = reader.choice(location, "kind", row["kind"], KINDS) and ok
    if row["parent_scheme"] or row["parent_code"]:
        if not (row["parent_scheme"] and row["parent_code"]):
            reader.problem(location, "parent_scheme and parent_code must be given together")
            ok = False
        else:
            ok = reader.choice(location, "parent_scheme", row["parent_scheme"], SCHEMES) and ok
    ok_from, start = reader.date(location, "valid_from", row["valid_from"])
    ok_to, end = reader.date(location, "valid_to", row["valid_to"])
    ok = ok and ok_from and ok_to
    if start and end and end < start:
        reader.problem(location, f"valid_to {end} is before valid_from {start}")
        ok = False
    if row["source"]:
        ok = _check_source(reader, location, row["source"], sources) and ok
    if not ok:
        return None
    return UnitRow(
        scheme=row["scheme"],
        code=row["code"],
        kind=row["kind"],
        name=row["name"],
        short_name=row["short_name"],
        name_en=row["name_en"],
        level_name=row["level_name"],
        parent_scheme=row["parent_scheme"],
        parent_code=row["parent_code"],
        validity=Interval(start, end),
        source=row["source"],
        location=location,
    )


def _parse_rename(
    reader: _Reader, location: Location, row: dict[str, str], sources: dict[str, Source]
) -> RenameRow | None:
    ok = reader.required(location, row, "scheme", "code", "effective_date", "name", "source")
    ok = reader.choice(location, "scheme", row["scheme"], SCHEMES) and ok
    ok_date, effective = reader.date(location, "effective_date", row["effective_date"])
    if row["source"]:
        ok = _check_source(reader, location, row["source"], sources) and ok
    if not (ok and ok_date and effective):
        return None
    return RenameRow(
        scheme=row["scheme"],
        code=row["code"],
        effective_date=effective,
        name=row["name"],
        short_name=row["short_name"],
        name_en=row["name_en"],
        level_name=row["level_name"],
        source=row["source"],
        location=location,
    )


def _parse_succession(
    reader: _Reader, location: Location, row: dict[str, str], sources: dict[str, Source]
) -> SuccessionRow | None:
    ok = reader.required(
        location,
        row,
        "effective_date",
        "kind",
        "from_scheme",
        "from_code",
        "to_scheme",
        "to_code",
        "source",
    )
    ok = reader.choice(location, "kind", row["kind"], SUCCESSION_KINDS) and ok
    ok = reader.choice(location, "from_scheme", row["from_scheme"], SCHEMES) and ok
    ok = reader.choice(location, "to_scheme", row["to_scheme"], SCHEMES) and ok
    ok_date, effective = reader.date(location, "effective_date", row["effective_date"])
    if row["source"]:
        ok = _check_source(reader, location, row["source"], sources) and ok
    if not (ok and ok_date and effective):
        return None
    return SuccessionRow(
        effective_date=effective,
        kind=row["kind"],
        from_scheme=row["from_scheme"],
        from_code=row["from_code"],
        to_scheme=row["to_scheme"],
        to_code=row["to_code"],
        note=row["note"],
        source=row["source"],
        location=location,
    )


class UnitIndex:
    """Look up units by scheme and code, disambiguated by date or interval."""

    def __init__(self, units: list[UnitRow]) -> None:
        self.units = units
        self.by_code: dict[tuple[str, str], list[UnitRow]] = defaultdict(list)
        for unit in units:
            self.by_code[(unit.scheme, unit.code)].append(unit)

    def on(self, scheme: str, code: str, day: dt.date) -> UnitRow | None:
        matches = [u for u in self.by_code.get((scheme, code), []) if u.validity.contains_date(day)]
        return matches[0] if len(matches) == 1 else None

    def overlapping(self, scheme: str, code: str, interval: Interval) -> list[UnitRow]:
        return [u for u in self.by_code.get((scheme, code), []) if u.validity.overlaps(interval)]


def _check(reader: _Reader, result: ReferenceSet) -> None:
    index = UnitIndex(result.units)

    # Same scheme and code must not be valid twice at once: that is what makes
    # "code 24 on 2025-06-30" mean exactly one province.
    for (scheme, code), units in index.by_code.items():
        ordered = sorted(units, key=lambda u: u.validity.start or dt.date.min)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                if first.validity.overlaps(second.validity):
                    reader.problem(
                        second.location,
                        f"{scheme}:{code} is valid {second.validity.describe()}, overlapping "
                        f"{first.label()} at {first.location}",
                    )

    for unit in result.units:
        if not unit.parent_code:
            continue
        candidates = index.overlapping(unit.parent_scheme, unit.parent_code, unit.validity)
        if not candidates:
            known = index.by_code.get((unit.parent_scheme, unit.parent_code))
            reason = (
                "exists but is not valid during the unit's validity"
                if known
                else "is not a known unit"
            )
            reader.problem(
                unit.location,
                f"parent {unit.parent_scheme}:{unit.parent_code} {reason} "
                f"({unit.validity.describe()})",
            )
            continue
        if len(candidates) > 1:
            reader.problem(
                unit.location,
                f"parent {unit.parent_scheme}:{unit.parent_code} is ambiguous for "
                f"{unit.validity.describe()}: " + "; ".join(c.label() for c in candidates),
            )
            continue
        parent = candidates[0]
        if not parent.validity.contains(unit.validity):
            reader.problem(
                unit.location,
                f"validity {unit.validity.describe()} is not within its parent's {parent.label()}",
            )
            continue
        unit.parent_index = parent.index

    _check_cycles(reader, result.units)

    for rename in result.renames:
        target = index.on(rename.scheme, rename.code, rename.effective_date)
        if target is None:
            reader.problem(
                rename.location,
                f"no single unit {rename.scheme}:{rename.code} is valid on {rename.effective_date}",
            )
            continue
        if target.validity.start is not None and target.validity.start >= rename.effective_date:
            reader.problem(
                rename.location,
                f"the rename date {rename.effective_date} must be after the unit's start "
                f"{target.validity.start}",
            )
            continue
        rename.unit_index = target.index

    seen_pairs: dict[tuple[int, int], Location] = {}
    for succession in result.successions:
        before = succession.effective_date - dt.timedelta(days=1)
        source = index.on(succession.from_scheme, succession.from_code, before)
        target = index.on(succession.to_scheme, succession.to_code, succession.effective_date)
        if source is None:
            reader.problem(
                succession.location,
                f"from {succession.from_scheme}:{succession.from_code}: no single unit valid on "
                f"{before}",
            )
        if target is None:
            reader.problem(
                succession.location,
                f"to {succession.to_scheme}:{succession.to_code}: no single unit valid on "
                f"{succession.effective_date}",
            )
        if source is None or target is None:
            continue
        if source.index == target.index:
            reader.problem(succession.location, "a unit cannot succeed itself")
            continue
        # A whole unit that merged or was renamed ends the day before; a unit that
        # only gave away a part (split, partial merge, transfer of a part) may go on.
        if succession.kind in WHOLE_SUCCESSIONS and source.validity.end != before:
            reader.problem(
                succession.location,
                f"from {source.label()} ends on {source.validity.end}, not the day before "
                f"{succession.effective_date}",
            )
            continue
        pair = (source.index, target.index)
        if pair in seen_pairs:
            reader.problem(
                succession.location, f"duplicate succession (first at {seen_pairs[pair]})"
            )
            continue
        seen_pairs[pair] = succession.location
        succession.from_index, succession.to_index = pair


def _check_cycles(reader: _Reader, units: list[UnitRow]) -> None:
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for start in units:
        path: list[int] = []
        current: int | None = start.index
        while current is not None and state.get(current) != 2:
            if state.get(current) == 1:
                cycle = path[path.index(current) :]
                names = " → ".join(f"{units[i].scheme}:{units[i].code}" for i in cycle)
                reader.problem(units[current].location, f"cycle in the tree: {names}")
                # Break the cycle so the rest of the check can go on.
                units[current].parent_index = None
                break
            state[current] = 1
            path.append(current)
            current = units[current].parent_index
        for item in path:
            state[item] = 2
