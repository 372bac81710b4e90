"""Allocation rules as data: the dict a central administrator edits (through a form) and a
scenario stores, checked here into typed ``Rules``.

The shape (every key optional)::

    {
      "priorities": ["shared_platform", "investment_decided"],  # group 1, group 2, …
      "agency_cap": {"kind": "amount", "value": "20000000000"},   # or "percent": of the pool
      "project_cap": {"kind": "percent", "value": "5"},
      "province_minimum": "2000000000",                            # đồng
      "weights": {"unit_kind": {"province": "1.5"}, "field": {"nen_tang": "2"}},
    }

Amounts are whole đồng, written as decimal strings (never floats). Every problem names the
key it is about, so the form puts the message beside the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from govplan.core.i18n import gettext_noop as _

SHARED_PLATFORM = "shared_platform"
INVESTMENT_DECIDED = "investment_decided"
# The facts the central authority marks on a proposal, which priorities may name.
FLAGS: tuple[str, ...] = (SHARED_PLATFORM, INVESTMENT_DECIDED)
# Beyond any budget: 10^18 đồng (a million times the state budget); the fact tables refuse
# amounts from 10^18 on too.
MAX_AMOUNT = 10**18
MAX_WEIGHT = Decimal(1000)
MAX_WEIGHT_KEYS = 100
KEY_LENGTH = 64


@dataclass(frozen=True)
class Cap:
    """A ceiling: an amount in đồng, or a percentage of the pool."""

    percent: bool
    value: Decimal

    def amount(self, pool: int) -> int:
        """The ceiling in whole đồng (a percentage rounded down: never above it)."""
        if self.percent:
            return int(pool * self.value // 100)
        return int(self.value)

    def as_data(self) -> dict[str, str]:
        return {"kind": "percent" if self.percent else "amount", "value": str(self.value)}


@dataclass(frozen=True)
class Rules:
    priorities: tuple[str, ...] = ()
    agency_cap: Cap | None = None
    project_cap: Cap | None = None
    province_minimum: int = 0
    unit_kind_weights: Mapping[str, Decimal] = field(default_factory=dict)
    field_weights: Mapping[str, Decimal] = field(default_factory=dict)

    def weight(self, unit_kind: str, application_field: str) -> Decimal:
        return self.unit_kind_weights.get(unit_kind, Decimal(1)) * self.field_weights.get(
            application_field, Decimal(1)
        )

    def group(self, flags: frozenset[str]) -> int:
        """The priority group (1 first) of a proposal with ``flags``: the first priority it
        meets; the proposals meeting none come last."""
        for index, flag in enumerate(self.priorities, start=1):
            if flag in flags:
                return index
        return len(self.priorities) + 1

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"priorities": list(self.priorities)}
        if self.agency_cap is not None:
            data["agency_cap"] = self.agency_cap.as_data()
        if self.project_cap is not None:
            data["project_cap"] = self.project_cap.as_data()
        if self.province_minimum:
            data["province_minimum"] = str(self.province_minimum)
        weights = {
            "unit_kind": {k: str(v) for k, v in sorted(self.unit_kind_weights.items())},
            "field": {k: str(v) for k, v in sorted(self.field_weights.items())},
        }
        data["weights"] = {k: v for k, v in weights.items() if v}
        return data


@dataclass(frozen=True)
class Problem:
    """What is wrong with the rules: the key (``agency_cap``, ``weights.field.nen_tang``), a
    message template and its values."""

    path: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)


KEYS = ("priorities", "agency_cap", "project_cap", "province_minimum", "weights")


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool | float):
        return None  # never a float: money is exact
    if isinstance(raw, int):
        return Decimal(raw)
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_amount(raw: Any, path: str, problems: list[Problem]) -> int | None:
    """A whole number of đồng, 0 < x < 10^18."""
    value = _decimal(raw)
    if value is None or value != value.to_integral_value():
        problems.append(Problem(path, _("Write a whole number of đồng.")))
        return None
    if value <= 0:
        problems.append(Problem(path, _("The amount must be greater than 0.")))
        return None
    if value >= MAX_AMOUNT:
        problems.append(Problem(path, _("The amount must be below 10^18 đồng.")))
        return None
    return int(value)


def _cap(raw: Any, path: str, problems: list[Problem]) -> Cap | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.get("kind") not in ("amount", "percent"):
        problems.append(Problem(path, _('A cap is {"kind": "amount" or "percent", "value": …}.')))
        return None
    if raw["kind"] == "amount":
        amount = parse_amount(raw.get("value"), path, problems)
        return Cap(False, Decimal(amount)) if amount is not None else None
    value = _decimal(raw.get("value"))
    if value is None or not Decimal(0) < value <= Decimal(100):
        problems.append(Problem(path, _("A percentage of the pool is above 0 and at most 100.")))
        return None
    if value != value.quantize(Decimal("0.01")):
        problems.append(Problem(path, _("A percentage has at most two decimals.")))
        return None
    return Cap(True, value)


def _weights(raw: Any, path: str, problems: list[Problem]) -> dict[str, Decimal]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or len(raw) > MAX_WEIGHT_KEYS:
        problems.append(Problem(path, _("Weights are a list of “code: weight” pairs.")))
        return {}
    found: dict[str, Decimal] = {}
    for key, value in raw.items():
        where = f"{path}.{key}"
        if not isinstance(key, str) or not key or len(key) > KEY_LENGTH or not key.isprintable():
            problems.append(Problem(path, _("A weight's code is a short word.")))
            continue
        weight = _decimal(value)
        if weight is None or not Decimal(0) < weight <= MAX_WEIGHT:
            problems.append(
                Problem(
                    where,
                    _("The weight of “%(code)s” must be above 0 and at most 1000."),
                    {"code": key},
                )
            )
            continue
        if weight != weight.quantize(Decimal("0.001")):
            problems.append(
                Problem(
                    where, _("The weight of “%(code)s” has at most three decimals."), {"code": key}
                )
            )
            continue
        found[key] = weight
    return found


def parse_rules(data: Any) -> tuple[Rules | None, list[Problem]]:
    """The rules, or None and every problem found (all at once, each naming its key)."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return None, [Problem("", _("The rules are a set of named values."))]
    for key in data:
        if key not in KEYS:
            problems.append(
                Problem(str(key)[:KEY_LENGTH], _("Unknown rule “%(key)s”."), {"key": str(key)[:64]})
            )
    priorities_raw = data.get("priorities") or []
    priorities: list[str] = []
    if not isinstance(priorities_raw, list | tuple):
        problems.append(Problem("priorities", _("Priorities are a list.")))
    else:
        for flag in priorities_raw:
            if flag not in FLAGS:
                problems.append(
                    Problem(
                        "priorities", _("Unknown priority “%(flag)s”."), {"flag": str(flag)[:64]}
                    )
                )
            elif flag in priorities:
                problems.append(
                    Problem("priorities", _("Priority “%(flag)s” is given twice."), {"flag": flag})
                )
            else:
                priorities.append(flag)
    agency_cap = _cap(data.get("agency_cap"), "agency_cap", problems)
    project_cap = _cap(data.get("project_cap"), "project_cap", problems)
    minimum = 0
    if data.get("province_minimum") not in (None, "", 0, "0"):
        minimum = parse_amount(data.get("province_minimum"), "province_minimum", problems) or 0
    weights = data.get("weights") or {}
    unit_kind_weights: dict[str, Decimal] = {}
    field_weights: dict[str, Decimal] = {}
    if not isinstance(weights, Mapping):
        problems.append(Problem("weights", _("Weights are given by unit kind and by field.")))
    else:
        for key in weights:
            if key not in ("unit_kind", "field"):
                problems.append(
                    Problem("weights", _("Unknown rule “%(key)s”."), {"key": str(key)[:64]})
                )
        unit_kind_weights = _weights(weights.get("unit_kind"), "weights.unit_kind", problems)
        field_weights = _weights(weights.get("field"), "weights.field", problems)
    if problems:
        return None, problems
    return (
        Rules(
            tuple(priorities),
            agency_cap,
            project_cap,
            minimum,
            unit_kind_weights,
            field_weights,
        ),
        [],
    )
