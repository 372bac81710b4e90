"""The entries of one generated document, deterministic from the seed, the framework and
the unit: indicator values (counts, money, ratios as numerator and denominator, yes/no,
choices, dates, by disaggregation option; some marked "no data", some left unanswered),
a plan's targets and projects with their phasing, a report's results against the plan's
targets. The content has the shapes the application writes (core.documents.values,
documents.content): tests/demo/test_national_data.py reads every entry back through
documents.content.read_entry and asserts it unchanged."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govplan.core.documents import keys
from govplan.core.documents.cells import canonical_decimal
from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.documents.totals import phasing_key
from govplan.core.documents.values import cell_keys
from govplan.core.frameworks.catalogue import Indicator
from govplan.core.frameworks.model import Framework
from govplan.demo.national_data.frameworks import FIELDS, GROUPS
from govplan.documents.presentation import target_words
from govplan.documents.read import target_of

NO_DATA_SHARE = 0.02
UNANSWERED_SHARE = 0.03
NO_DATA_REASON = "Chưa có số liệu thống kê (dữ liệu sinh)"
FIRST_YEAR = 2011


@dataclass(frozen=True)
class Unit:
    """What the generator needs of a unit: a stable name for its seed, and its size."""

    seed_name: str  # scheme:code:valid_from, the same in every database
    kind: str
    name: str

    @property
    def weight(self) -> int:
        """The unit's size class: figures of a province are larger than a commune's."""
        return {"commune": 1, "district": 8}.get(self.kind, 60)


@dataclass(frozen=True)
class GeneratedEntry:
    key: str
    kind: str
    section_code: str
    collection: str
    position: float
    content: dict[str, Any]


@dataclass(frozen=True)
class PlanTarget:
    """A target of a unit's plan, as a report's result quotes it."""

    document: int
    key: str
    content: dict[str, Any]


def rng_for(seed: int, *parts: str) -> random.Random:
    # A string seed is hashed with SHA-512: the same sequence in every process and version.
    return random.Random("|".join((str(seed), *parts)))  # noqa: S311 (test data, no secret)


def uid(rng: random.Random) -> str:
    return f"{rng.getrandbits(48):012x}"


def _money(value: float) -> str:
    return canonical_decimal(Decimal(str(round(value, 3))))


def _figure(rng: random.Random, unit: Unit, year: int, scale: float) -> float:
    growth = 1 + 0.06 * (year - FIRST_YEAR)
    return unit.weight * scale * growth * rng.uniform(0.5, 1.5)


def _share(rng: random.Random, year: int) -> float:
    return min(1.0, max(0.0, 0.15 + 0.05 * (year - FIRST_YEAR) + rng.uniform(-0.15, 0.15)))


def _cell(
    indicator: Indicator, rng: random.Random, unit: Unit, year: int, scale: float
) -> dict[str, Any]:
    kind = indicator.type
    if kind == "integer":
        return {"v": int(_figure(rng, unit, year, scale))}
    if kind == "money":
        return {"v": _money(_figure(rng, unit, year, scale * 37.5))}
    if kind == "decimal":
        return {"v": _money(_figure(rng, unit, year, scale / 10))}
    if kind == "ratio":
        denominator = max(1, int(_figure(rng, unit, year, scale)))
        share = _share(rng, year) * (1.3 if not indicator.share else 1.0)
        numerator = int(denominator * share)
        if indicator.share:
            numerator = min(numerator, denominator)
        return {"n": str(numerator), "d": str(denominator)}
    if kind == "boolean":
        return {"v": rng.random() < _share(rng, year) + 0.2}
    if kind == "choice":
        return {"v": rng.choice(indicator.choices).code}
    if kind == "date":
        return {"v": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
    return {"v": f"Nội dung sinh {rng.randint(1, 999)}"}


_CELLS: dict[tuple[int, str], list[str]] = {}


def _cells(spec: Framework, indicator: Indicator) -> list[str]:
    """cell_keys, once per framework and indicator (the same for thousands of documents)."""
    key = (id(spec.dimensions), indicator.code)
    found = _CELLS.get(key)
    if found is None:
        found = _CELLS[key] = cell_keys(indicator, spec.dimensions)
    return found


def value_content(
    spec: Framework, indicator: Indicator, rng: random.Random, unit: Unit, year: int
) -> dict[str, Any] | None:
    """An indicator's stored value (None: the unit left it unanswered)."""
    draw = rng.random()
    if draw < UNANSWERED_SHARE:
        return None
    if draw < UNANSWERED_SHARE + NO_DATA_SHARE:
        return {"cells": {}, "no_data": True, "no_data_reason": NO_DATA_REASON}
    scale = rng.uniform(0.2, 5.0)
    cells = {cell: _cell(indicator, rng, unit, year, scale) for cell in _cells(spec, indicator)}
    return {"cells": cells}


def value_entries(
    spec: Framework, seed: int, code: str, unit: Unit, year: int
) -> list[GeneratedEntry]:
    found: list[GeneratedEntry] = []
    position = 0.0
    for section in spec.walk():
        for use in section.indicators:
            indicator = spec.indicators[use.indicator]
            rng = rng_for(seed, code, unit.seed_name, indicator.code)
            content = value_content(spec, indicator, rng, unit, year)
            position += 1
            if content is None:
                continue
            key = str(EntryKey.value(indicator.code))
            found.append(GeneratedEntry(key, keys.VALUE, section.code, "", position, content))
    return found


def _target_content(
    indicator: Indicator, rng: random.Random, unit: Unit, end: int
) -> dict[str, Any]:
    if indicator.type == "ratio":
        baseline = rng.randint(10, 60)
        return {
            "indicator": indicator.code,
            "year": end,
            "baseline": str(baseline),
            "target": str(min(100, baseline + rng.randint(10, 40))),
        }
    baseline = int(_figure(rng, unit, end - 5, 1.0))
    return {
        "indicator": indicator.code,
        "year": end,
        "baseline": str(baseline),
        "target": str(int(baseline * rng.uniform(1.2, 2.0)) + 1),
    }


def plan_entries(spec: Framework, seed: int, code: str, unit: Unit) -> list[GeneratedEntry]:
    """A plan's targets (one per indicator the framework offers) and its projects."""
    found: list[GeneratedEntry] = []
    rng = rng_for(seed, code, unit.seed_name, "plan")
    start, end = spec.period.start, spec.period.end
    for section in spec.walk():
        if section.targets is not None:
            collection = Collection(keys.TARGET, section.code)
            for i, indicator_code in enumerate(section.targets.indicators, start=1):
                content = _target_content(spec.indicators[indicator_code], rng, unit, end)
                key = str(collection.key(uid(rng)))
                found.append(
                    GeneratedEntry(key, keys.TARGET, section.code, str(collection), i, content)
                )
        for table in section.tables:
            assert table.phasing is not None
            collection = Collection.table(table.code)
            rows = rng.randint(5, 12) if unit.kind != "province" else rng.randint(10, 30)
            for i in range(1, rows + 1):
                phasing: dict[str, str] = {}
                first = rng.randint(start, end)
                last = rng.randint(first, end)
                for year in range(first, last + 1):
                    for source in rng.sample(table.phasing.sources, rng.randint(1, 2)):
                        funding_type = rng.choice(table.phasing.types)
                        amount = _money(rng.uniform(200, 20000))
                        phasing[phasing_key(year, source, funding_type)] = amount
                total = sum((Decimal(v) for v in phasing.values()), Decimal(0))
                content = {
                    "cells": {
                        "name": f"Dự án {i} giai đoạn {start}-{end} – {unit.name}",
                        "field": rng.choice(FIELDS),
                        "status": "continuing" if first == start and rng.random() < 0.3 else "new",
                        "total": canonical_decimal(total),
                    },
                    "phasing": phasing,
                    "group": rng.choice(GROUPS),
                }
                key = str(collection.key(uid(rng)))
                found.append(
                    GeneratedEntry(key, keys.ROW, section.code, str(collection), i, content)
                )
    return found


def result_entries(
    spec: Framework,
    plan_spec: Framework | None,
    seed: int,
    code: str,
    unit: Unit,
    year: int,
    targets: list[PlanTarget],
) -> list[GeneratedEntry]:
    """A report's results against its unit's plan targets, as fill_results brings them
    across (the source quoted), with the achieved value and a status."""
    section = next((s for s in spec.walk() if s.target_results), None)
    if section is None or plan_spec is None:
        return []
    rng = rng_for(seed, code, unit.seed_name, "results")
    collection = Collection(keys.RESULT, section.code)
    found: list[GeneratedEntry] = []
    for i, target in enumerate(targets, start=1):
        indicator = plan_spec.indicators[target.content["indicator"]]
        source = {
            "document": target.document,
            "key": target.key,
            "indicator": indicator.code,
            "text": indicator.name,
            "baseline": target.content["baseline"],
            "target": target.content["target"],
            "year": target.content["year"],
            "words": target_words(plan_spec, target_of(target.key, 0, target.content), "vi"),
        }
        aimed = Decimal(target.content["target"])
        progress = (year - plan_spec.period.start + 1) / len(plan_spec.period.years())
        achieved = (aimed * Decimal(str(round(progress * rng.uniform(0.6, 1.2), 3)))).quantize(
            Decimal("0.01")
        )
        if achieved >= aimed:
            status = "achieved"
        elif progress < 1 and rng.random() < 0.6:
            status = "on_track"
        else:
            status = "behind" if progress < 1 else "not_achieved"
        content = {
            "source": {k: v for k, v in source.items() if v not in (None, "")},
            "achieved": canonical_decimal(achieved),
            "status": status,
        }
        key = str(collection.key(uid(rng)))
        found.append(GeneratedEntry(key, keys.RESULT, section.code, str(collection), i, content))
    return found
