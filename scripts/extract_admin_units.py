#!/usr/bin/env python3
"""Extract Vietnam's district- and commune-level units from the vietnamadminunits wheel.

One-off extraction script (standard library only). It reads the wheel of the PyPI package
``vietnamadminunits`` 1.0.4 (MIT licence, (c) 2025 Tran Ngoc Minh Hieu,
https://github.com/tranngocminhhieu/vietnamadminunits) and writes GovPlan's own CSV files:

* ``units/50-districts-legacy.csv``   696 districts valid until 2025-06-30
* ``units/60-communes-legacy.csv``    10,035 communes valid until 2025-06-30
* ``units/70-communes-2025.csv``      3,321 communes valid from 2025-07-01
* ``successions/30-communes-2025.csv`` old -> new commune links of 2025-07-01

The hand-maintained files (provinces, ministries, agencies, central authority, renames, their
successions, sources) are not generated; this script only cross-checks the province codes
against ``units/40-provinces.csv`` and ``successions/20-provinces-2025.csv``.

Usage::

    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau
    python scripts/extract_admin_units.py /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sqlite3
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOURCE_KEY = "vietnamadminunits-1.0.4"
LEGACY_END = "2025-06-30"
REFORM_DATE = "2025-07-01"

DB_MEMBER = "vietnamadminunits/data/dataset.db"
CONVERTER_MEMBER = "vietnamadminunits/data/converter_2025.json"

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

# Type words, longest first where one is a prefix of another's first word ("Thị trấn"/"Thị xã").
DISTRICT_LEVELS = ("Thành phố", "Thị xã", "Quận", "Huyện")
COMMUNE_LEVELS = ("Thị trấn", "Phường", "Xã", "Đặc khu")
# A short name that is only a number (Phường 1, Quận 10, Phường IV) keeps its type word.
NUMERIC_SHORT = re.compile(r"(?:\d+|[IVXLC]+)")

EXPECTED = {"districts": 696, "legacy_communes": 10_035, "communes_2025": 3_321}

Row = dict[str, str]


@dataclass
class Report:
    """Warnings and errors gathered while extracting; printed at the end."""

    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def error(self, message: str) -> None:
        self.errors.append(message)


def split_level(name: str, levels: tuple[str, ...]) -> tuple[str, str, str]:
    """Return (normalised name, level word, short name) for e.g. ``"Thị Trấn Ái Tử"``.

    The source capitalises a few type words ("Thành Phố", "Thị Xã", "Thị Trấn"); the official
    spelling has a lower-case second syllable.
    """
    for level in levels:
        if name.casefold().startswith(level.casefold() + " "):
            rest = name[len(level) + 1 :].strip()
            full = f"{level} {rest}"
            short = full if NUMERIC_SHORT.fullmatch(rest) else rest
            return full, level, short
    raise ValueError(f"no known type word at the start of {name!r}")


def read_wheel(wheel: Path) -> tuple[list[sqlite3.Row], list[sqlite3.Row], dict[str, Any]]:
    """Return (legacy rows, 2025 rows, converter data) from the wheel."""
    with zipfile.ZipFile(wheel) as zf, tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "dataset.db"
        db_path.write_bytes(zf.read(DB_MEMBER))
        converter = json.loads(zf.read(CONVERTER_MEMBER).decode("utf-8"))
        con = sqlite3.connect(db_path)
        con.row_factory = sqlite3.Row
        try:
            legacy = con.execute(
                "SELECT provinceCode, provinceKey, district, districtType, districtCode,"
                " districtKey, ward, wardType, wardCode, wardKey"
                " FROM admin_units_legacy ORDER BY districtCode, wardCode"
            ).fetchall()
            current = con.execute(
                "SELECT provinceCode, provinceKey, ward, wardType, wardCode, wardKey"
                " FROM admin_units ORDER BY wardCode"
            ).fetchall()
        finally:
            con.close()
    return legacy, current, converter


def unit(
    scheme: str,
    code: str,
    kind: str,
    name: str,
    short: str,
    level: str,
    parent: tuple[str, str],
    valid_from: str = "",
    valid_to: str = "",
) -> Row:
    return {
        "scheme": scheme,
        "code": code,
        "kind": kind,
        "name": name,
        "short_name": short,
        "name_en": "",
        "level_name": level,
        "parent_scheme": parent[0],
        "parent_code": parent[1],
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source": SOURCE_KEY,
    }


def build_legacy(legacy: list[sqlite3.Row], report: Report) -> tuple[list[Row], list[Row]]:
    """Legacy districts (parent: legacy province) and communes (parent: legacy district)."""
    districts: dict[str, Row] = {}
    communes: list[Row] = []
    for r in legacy:
        dcode = r["districtCode"]
        name, level, short = split_level(r["district"], DISTRICT_LEVELS)
        if level != r["districtType"]:
            report.warn(
                f"district {dcode} {r['district']!r}: type {r['districtType']!r} in"
                f" the source, {level!r} from the name (name used)"
            )
        row = unit(
            "gso-district",
            dcode,
            "district",
            name,
            short,
            level,
            ("gso-province", r["provinceCode"]),
            valid_to=LEGACY_END,
        )
        if districts.setdefault(dcode, row) != row:
            report.error(f"district {dcode} has conflicting rows in the source")
        if r["ward"] is None:  # island districts without a commune level
            continue
        name, level, short = split_level(r["ward"], COMMUNE_LEVELS)
        if level != r["wardType"]:
            report.warn(
                f"legacy commune {r['wardCode']} {r['ward']!r}: type {r['wardType']!r} in"
                f" the source, {level!r} from the name (name used)"
            )
        communes.append(
            unit(
                "gso-commune",
                r["wardCode"],
                "commune",
                name,
                short,
                level,
                ("gso-district", dcode),
                valid_to=LEGACY_END,
            )
        )
    return sorted(districts.values(), key=lambda d: d["code"]), communes


def build_current(current: list[sqlite3.Row], report: Report) -> list[Row]:
    """Communes from 2025-07-01 (parent: post-2025 province)."""
    rows = []
    for r in current:
        name, level, short = split_level(r["ward"], COMMUNE_LEVELS)
        if level != r["wardType"]:
            report.warn(
                f"2025 commune {r['wardCode']} {r['ward']!r}: type {r['wardType']!r} in"
                f" the source, {level!r} from the name (name used)"
            )
        rows.append(
            unit(
                "gso-commune",
                r["wardCode"],
                "commune",
                name,
                short,
                level,
                ("gso-province", r["provinceCode"]),
                valid_from=REFORM_DATE,
            )
        )
    return rows


def build_successions(
    legacy: list[sqlite3.Row], current: list[sqlite3.Row], converter: dict[str, Any], report: Report
) -> list[Row]:
    """Old commune (or island district) -> new commune links from ``converter_2025.json``.

    ``DICT_PROVINCE_WARD_NO_DIVIDED`` maps each new commune key to the old
    ``province_district_ward`` keys that went wholly into it; ``DICT_PROVINCE_WARD_DIVIDED``
    maps each old key that was divided to the list of new communes that got a part of it.
    """
    old_units: dict[str, tuple[str, str, str]] = {}  # key -> (scheme, code, old province code)
    for r in legacy:
        key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        if r["ward"] is None:
            old_units[key] = ("gso-district", r["districtCode"], r["provinceCode"])
        else:
            old_units[key] = ("gso-commune", r["wardCode"], r["provinceCode"])
    new_units = {
        (r["provinceKey"], r["wardKey"]): (r["wardCode"], r["provinceCode"]) for r in current
    }
    new_province_of_key = {r["provinceKey"]: r["provinceCode"] for r in current}
    old_province_of_key = {r["provinceKey"]: r["provinceCode"] for r in legacy}
    expected_new_province = {
        old_province_of_key[old]: new_province_of_key[new]
        for new, olds in converter["DICT_PROVINCE"].items()
        for old in olds
    }

    # old key -> list of (new code, is_default, divided)
    targets: dict[str, list[tuple[str, bool, bool]]] = defaultdict(list)
    for pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, olds in wards.items():
            new = new_units.get((pkey, wkey))
            if new is None:
                report.error(f"converter names unknown new commune {pkey}/{wkey}; dropped")
                continue
            for old in olds:
                targets[old].append((new[0], True, False))
    for pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            if old in targets:
                report.warn(f"{old} is both undivided and divided in the converter")
            for part in parts:
                new = new_units.get((pkey, part["newWardKey"]))
                if new is None:
                    report.error(
                        f"converter names unknown new commune {pkey}/{part['newWardKey']}; dropped"
                    )
                    continue
                targets[old].append((new[0], bool(part["isDefaultNewWard"]), True))

    new_province = {code: prov for code, prov in new_units.values()}
    links: dict[tuple[str, str], tuple[str, str, bool, bool]] = {}
    for old, tlist in targets.items():
        if old not in old_units:
            report.error(f"converter names unknown old unit {old!r}; dropped")
            continue
        scheme, code, old_prov = old_units[old]
        for new_code, is_default, divided in tlist:
            if (code, new_code) in links:
                report.warn(f"duplicate link {code} -> {new_code} dropped")
                continue
            if new_province[new_code] != expected_new_province[old_prov]:
                report.warn(
                    f"{scheme} {code} (province {old_prov}) -> commune {new_code} in"
                    f" province {new_province[new_code]}"
                )
            links[(code, new_code)] = (scheme, old, is_default, divided)

    unmapped = [f"{s} {c}" for k, (s, c, _) in old_units.items() if k not in targets]
    for item in unmapped:
        report.error(f"old unit {item} has no successor in the converter")
    predecessors: Counter[str] = Counter(new for (_, new) in links)
    orphans = sorted({code for code, _ in new_units.values()} - set(predecessors))
    for code in orphans:
        report.error(f"2025 commune {code} has no predecessor in the converter")
    out_degree: Counter[str] = Counter(old for (old, _) in links)

    rows = []
    for (old_code, new_code), (scheme, _, is_default, divided) in sorted(
        links.items(), key=lambda item: (item[1][0], item[0])
    ):
        note = ""
        if out_degree[old_code] > 1:
            kind = "partial_merge"
            if is_default:
                note = "converter default target"
        elif predecessors[new_code] > 1:
            kind = "merge"
        else:
            kind = "rename"
        if divided and out_degree[old_code] == 1:
            report.warn(f"{old_code} is marked divided but has one successor")
        if scheme == "gso-district":
            note = "island district became a special zone (đặc khu)"
        rows.append(
            {
                "effective_date": REFORM_DATE,
                "kind": kind,
                "from_scheme": scheme,
                "from_code": old_code,
                "to_scheme": "gso-commune",
                "to_code": new_code,
                "note": note,
                "source": SOURCE_KEY,
            }
        )
    return rows


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def valid_on(row: Row, day: str) -> bool:
    return (not row["valid_from"] or row["valid_from"] <= day) and (
        not row["valid_to"] or day <= row["valid_to"]
    )


def cross_check_provinces(
    out_dir: Path,
    legacy: list[sqlite3.Row],
    current: list[sqlite3.Row],
    converter: dict[str, Any],
    report: Report,
) -> None:
    """Province codes of the wheel against the hand-maintained provinces and successions."""
    provinces_csv = out_dir / "units" / "40-provinces.csv"
    successions_csv = out_dir / "successions" / "20-provinces-2025.csv"
    if not provinces_csv.exists():
        report.warn(f"{provinces_csv} not found; province cross-check skipped")
        return
    provinces = read_csv(provinces_csv)
    before = {p["code"]: p for p in provinces if valid_on(p, LEGACY_END)}
    after = {p["code"]: p for p in provinces if valid_on(p, REFORM_DATE)}
    wheel_before = {r["provinceCode"]: r["provinceKey"] for r in legacy}
    wheel_after = {r["provinceCode"]: r["provinceKey"] for r in current}
    if set(before) != set(wheel_before):
        report.error(
            f"province codes on {LEGACY_END} differ: csv-only"
            f" {sorted(set(before) - set(wheel_before))}, wheel-only"
            f" {sorted(set(wheel_before) - set(before))}"
        )
    if set(after) != set(wheel_after):
        report.error(
            f"province codes on {REFORM_DATE} differ: csv-only"
            f" {sorted(set(after) - set(wheel_after))}, wheel-only"
            f" {sorted(set(wheel_after) - set(after))}"
        )
    if not successions_csv.exists():
        report.warn(f"{successions_csv} not found; province succession cross-check skipped")
        return
    code_of_old = {v: k for k, v in wheel_before.items()}
    code_of_new = {v: k for k, v in wheel_after.items()}
    wheel_map = {
        code_of_old[old]: code_of_new[new]
        for new, olds in converter["DICT_PROVINCE"].items()
        for old in olds
    }
    csv_map = {s["from_code"]: s["to_code"] for s in read_csv(successions_csv)}
    for old, new in sorted(wheel_map.items()):
        if old == new and old not in csv_map:
            if before[old] is not after.get(new):
                report.error(f"province {old} continues in the wheel but has two csv rows")
            continue
        if csv_map.get(old) != new:
            report.error(f"province {old}: wheel maps to {new}, csv to {csv_map.get(old)}")


def write_csv(path: Path, columns: tuple[str, ...], rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="vietnamadminunits-1.0.4-py3-none-any.whl")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "data" / "orgunits",
        help="data/orgunits directory (default: the repository's)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only errors and counts")
    args = parser.parse_args(argv)

    report = Report()
    legacy, current, converter = read_wheel(args.wheel)
    districts, legacy_communes = build_legacy(legacy, report)
    communes_2025 = build_current(current, report)
    successions = build_successions(legacy, current, converter, report)
    cross_check_provinces(args.out, legacy, current, converter, report)

    counts = {
        "districts": len(districts),
        "legacy_communes": len(legacy_communes),
        "communes_2025": len(communes_2025),
    }
    for what, expected in EXPECTED.items():
        if counts[what] != expected:
            report.error(f"{what}: {counts[what]} rows, expected {expected}")

    write_csv(args.out / "units" / "50-districts-legacy.csv", UNIT_COLUMNS, districts)
    write_csv(args.out / "units" / "60-communes-legacy.csv", UNIT_COLUMNS, legacy_communes)
    write_csv(args.out / "units" / "70-communes-2025.csv", UNIT_COLUMNS, communes_2025)
    write_csv(args.out / "successions" / "30-communes-2025.csv", SUCCESSION_COLUMNS, successions)

    kinds = Counter(s["kind"] for s in successions)
    print(
        f"districts {counts['districts']}, legacy communes {counts['legacy_communes']},"
        f" 2025 communes {counts['communes_2025']}, successions {len(successions)}"
        f" ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})"
    )
    if not args.quiet:
        for message in report.warnings:
            print(f"warning: {message}", file=sys.stderr)
    for message in report.errors:
        print(f"error: {message}", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
