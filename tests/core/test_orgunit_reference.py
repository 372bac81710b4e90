"""The reference-file reader refuses bad files with file, line and cause, and resolves
codes by date (pure core: no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govplan.core.orgunit_reference import (
    RENAME_COLUMNS,
    SUCCESSION_COLUMNS,
    UNIT_COLUMNS,
    ReferenceDataError,
    read_reference,
)

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "orgunits"

SOURCES = "key,title,reference\nsrc,A source,somewhere\n"


def write_set(
    base: Path,
    units: list[str],
    successions: list[str] | None = None,
    renames: list[str] | None = None,
) -> Path:
    (base / "units").mkdir(parents=True)
    (base / "sources.csv").write_text(SOURCES, encoding="utf-8")
    (base / "units" / "10-units.csv").write_text(
        ",".join(UNIT_COLUMNS) + "\n" + "\n".join(units) + "\n", encoding="utf-8"
    )
    if successions is not None:
        (base / "successions").mkdir()
        (base / "successions" / "10-s.csv").write_text(
            ",".join(SUCCESSION_COLUMNS) + "\n" + "\n".join(successions) + "\n", encoding="utf-8"
        )
    if renames is not None:
        (base / "renames.csv").write_text(
            ",".join(RENAME_COLUMNS) + "\n" + "\n".join(renames) + "\n", encoding="utf-8"
        )
    return base


GOOD_UNITS = [
    "gso-province,24,province,Tỉnh Bắc Giang,Bắc Giang,,Tỉnh,,,,2025-06-30,src",
    "gso-province,27,province,Tỉnh Bắc Ninh,Bắc Ninh,,Tỉnh,,,,2025-06-30,src",
    "gso-province,24,province,Tỉnh Bắc Ninh,Bắc Ninh,,Tỉnh,,,2025-07-01,,src",
    "gso-district,213,district,Thành phố Bắc Giang,,,Thành phố,gso-province,24,,2025-06-30,src",
    "gso-commune,07210,commune,Phường Trần Phú,,,Phường,gso-district,213,,2025-06-30,src",
    "gso-commune,07210,commune,Phường Bắc Giang,,,Phường,gso-province,24,2025-07-01,,src",
]


def problems_of(base: Path) -> list[str]:
    with pytest.raises(ReferenceDataError) as caught:
        read_reference(base)
    return [str(p) for p in caught.value.problems]


def test_a_reused_code_resolves_by_date(tmp_path: Path) -> None:
    refset = read_reference(
        write_set(
            tmp_path,
            GOOD_UNITS,
            successions=[
                "2025-07-01,merge,gso-province,24,gso-province,24,,src",
                "2025-07-01,merge,gso-province,27,gso-province,24,,src",
                "2025-07-01,rename,gso-commune,07210,gso-commune,07210,,src",
            ],
        )
    )
    by_row = {u.location.line: u for u in refset.units}
    # The legacy district's parent is the old Bắc Giang (line 2), the new ward's the new Bắc Ninh.
    assert by_row[5].parent_index == by_row[2].index
    assert by_row[7].parent_index == by_row[4].index
    merges = {(s.from_index, s.to_index) for s in refset.successions}
    assert (by_row[2].index, by_row[4].index) in merges
    assert (by_row[3].index, by_row[4].index) in merges
    assert [len(level) for level in refset.depth_order()] == [3, 2, 1]


def test_unknown_parent_code_names_file_and_line(tmp_path: Path) -> None:
    units = [*GOOD_UNITS, "gso-commune,99999,commune,Xã Lạc,,,Xã,gso-district,999,,2025-06-30,src"]
    assert problems_of(write_set(tmp_path, units)) == [
        "units/10-units.csv:8: parent gso-district:999 is not a known unit (… – 2025-06-30)"
    ]


def test_parent_not_valid_during_the_childs_validity(tmp_path: Path) -> None:
    units = [
        *GOOD_UNITS,
        "gso-commune,07211,commune,Xã Mới,,,Xã,gso-district,213,2025-07-01,,src",
    ]
    (problem,) = problems_of(write_set(tmp_path, units))
    assert problem.startswith(
        "units/10-units.csv:8: parent gso-district:213 exists but is not valid"
    )


def test_overlapping_validity_for_the_same_code(tmp_path: Path) -> None:
    units = [*GOOD_UNITS, "gso-province,27,province,Tỉnh Trùng,,,Tỉnh,,,2025-01-01,,src"]
    (problem,) = problems_of(write_set(tmp_path, units))
    assert problem.startswith(
        "units/10-units.csv:8: gso-province:27 is valid 2025-01-01 – …, overlapping"
    )
    assert "Tỉnh Bắc Ninh" in problem


def test_cycle_in_the_tree(tmp_path: Path) -> None:
    units = [
        "govplan,A,ministry,Bộ A,,,,govplan,B,,,src",
        "govplan,B,subordinate,Cục B,,,,govplan,A,,,src",
    ]
    problems = problems_of(write_set(tmp_path, units))
    assert any(
        "cycle in the tree: govplan:A → govplan:B" in p
        or "cycle in the tree: govplan:B → govplan:A" in p
        for p in problems
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "gso-province,30,provinse,Tỉnh X,,,,,,,,src",
            "units/10-units.csv:8: kind: unknown value 'provinse'",
        ),
        (
            "gso-province,30,province,Tỉnh X,,,,,,2025-13-01,,src",
            "units/10-units.csv:8: valid_from: not a date in YYYY-MM-DD form: '2025-13-01'",
        ),
        (
            "gso-province,30,province,Tỉnh X,,,,,,2025-07-01,2025-01-01,src",
            "units/10-units.csv:8: valid_to 2025-01-01 is before valid_from 2025-07-01",
        ),
        (
            "gso-province,30,province,Tỉnh X,,,,,,,,nowhere",
            "units/10-units.csv:8: source: 'nowhere' is not listed in sources.csv",
        ),
        ("gso-province,30,province", "units/10-units.csv:8: expected 12 columns, found 3"),
        (
            "gso-province,,province,,,,,,,,,src",
            "units/10-units.csv:8: code: required",
        ),
    ],
)
def test_malformed_rows(tmp_path: Path, row: str, expected: str) -> None:
    problems = problems_of(write_set(tmp_path, [*GOOD_UNITS, row]))
    assert problems[0].startswith(expected)


def test_wrong_header(tmp_path: Path) -> None:
    base = write_set(tmp_path, GOOD_UNITS)
    (base / "units" / "20-bad.csv").write_text("scheme,code,name\nx,y,z\n", encoding="utf-8")
    (problem,) = problems_of(base)
    assert problem.startswith("units/20-bad.csv:1: header must be exactly scheme,code,kind,")


def test_not_utf8(tmp_path: Path) -> None:
    base = write_set(tmp_path, GOOD_UNITS)
    (base / "units" / "20-bad.csv").write_bytes(
        (",".join(UNIT_COLUMNS) + "\n").encode()
        + "Tỉnh".encode("cp1258", errors="replace")
        + b"\xff\n"
    )
    (problem,) = problems_of(base)
    assert problem.startswith("units/20-bad.csv:1: not UTF-8 text")


def test_succession_that_resolves_to_nothing(tmp_path: Path) -> None:
    base = write_set(
        tmp_path, GOOD_UNITS, successions=["2025-07-01,merge,gso-province,99,gso-province,24,,src"]
    )
    assert problems_of(base) == [
        "successions/10-s.csv:2: from gso-province:99: no single unit valid on 2025-06-30"
    ]


def test_merge_from_a_unit_that_goes_on_is_refused(tmp_path: Path) -> None:
    units = [*GOOD_UNITS, "gso-province,01,province,Thành phố Hà Nội,,,,,,,,src"]
    base = write_set(
        tmp_path, units, successions=["2025-07-01,merge,gso-province,01,gso-province,24,,src"]
    )
    (problem,) = problems_of(base)
    assert "ends on None" in problem or "not the day before" in problem


def test_rename_outside_the_units_life(tmp_path: Path) -> None:
    base = write_set(
        tmp_path,
        GOOD_UNITS,
        renames=["gso-province,27,2025-08-01,Tỉnh Khác,,,,src"],
    )
    assert problems_of(base) == [
        "renames.csv:2: no single unit gso-province:27 is valid on 2025-08-01"
    ]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    units = [
        *GOOD_UNITS,
        "gso-province,30,provinse,Tỉnh X,,,,,,,,src",
        "gso-commune,1,commune,Xã Y,,,,gso-district,404,,,src",
    ]
    problems = problems_of(write_set(tmp_path, units))
    assert [p.split(":")[1] for p in problems] == ["8", "9"]


@pytest.fixture(scope="module")
def refset():  # type: ignore[no-untyped-def]
    return read_reference(SHIPPED)


class TestShippedData:
    """The reference set in the repository is complete and consistent."""

    @staticmethod
    def count(refset, kinds: tuple[str, ...], day: dt.date) -> int:  # type: ignore[no-untyped-def]
        return sum(1 for u in refset.units if u.kind in kinds and u.validity.contains_date(day))

    def test_63_provinces_then_34(self, refset) -> None:  # type: ignore[no-untyped-def]
        assert self.count(refset, ("province",), dt.date(2025, 6, 30)) == 63
        assert self.count(refset, ("province",), dt.date(2025, 7, 1)) == 34

    def test_22_ministries_then_17(self, refset) -> None:  # type: ignore[no-untyped-def]
        kinds = ("ministry", "ministry_level")
        assert self.count(refset, kinds, dt.date(2025, 2, 28)) == 22
        assert self.count(refset, kinds, dt.date(2025, 3, 1)) == 17
        assert self.count(refset, ("ministry",), dt.date(2025, 3, 1)) == 14

    def test_communes_before_and_after_the_reform(self, refset) -> None:  # type: ignore[no-untyped-def]
        assert self.count(refset, ("commune",), dt.date(2025, 7, 1)) == 3321
        assert self.count(refset, ("commune",), dt.date(2025, 6, 30)) > 10000
        assert self.count(refset, ("district",), dt.date(2025, 7, 1)) == 0

    def test_every_merged_province_has_a_successor(self, refset) -> None:  # type: ignore[no-untyped-def]
        ended = {
            u.index
            for u in refset.units
            if u.kind == "province" and u.validity.end == dt.date(2025, 6, 30)
        }
        assert len(ended) == 52
        assert ended == {s.from_index for s in refset.successions if s.from_index in ended}
