"""Allocating a pool among proposals by the rules, exact to the đồng.

The order of the rules:

1. Each project may receive at most what it asks, and at most the per-project cap; each
   agency at most the per-agency cap. The amount to divide is the pool, or what all ask if
   that is less. Caps that cannot take that amount are reported (the rule named), not bent.
2. The minimum per province is set aside first: each province with a proposal receives
   min(minimum, what its caps let it receive), shared among its own projects by the same
   order as below. Minimums that add up beyond the pool, or a minimum above the per-agency
   cap, are reported.
3. The rest goes group by group (priority group 1 first, then 2 …, the proposals meeting no
   priority last): a group whose projects can take all that is left of their asks and caps
   is fully funded; the first group that cannot is funded pro rata of ask × weight (the
   same share for all, but for those held by a cap, whose excess goes to the others), and
   the later groups receive nothing.
4. Amounts are computed exactly (fractions), then rounded to whole đồng by the largest
   remainder, first each agency's total, then each project within its agency; ties go by
   the agency's and the project's key. The amounts add up to the amount divided exactly,
   and rounding never lifts a project above its ask or cap, nor an agency above its cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from govplan.core.allocation.rules import Rules
from govplan.core.i18n import gettext_noop as _

# Why a project received what it did.
FULL = "full"  # all it asked
PROJECT_CAP = "project_cap"  # held at the per-project cap
AGENCY_CAP = "agency_cap"  # its agency reached the per-agency cap
MINIMUM = "minimum"  # only the minimum set aside for its province
PRO_RATA = "pro_rata"  # a share of its ask in the group the pool ran out in
NOT_REACHED = "not_reached"  # the pool ran out before its group

REASONS: dict[str, str] = {
    FULL: _("Fully funded (priority group %(group)s)"),
    PROJECT_CAP: _("Capped at the per-project cap"),
    AGENCY_CAP: _("Limited by the per-agency cap"),
    MINIMUM: _("Minimum for the province"),
    PRO_RATA: _("Pro rata %(percent)s %% in group %(group)s"),
    NOT_REACHED: _("Pool exhausted before group %(group)s"),
}


@dataclass(frozen=True)
class Proposal:
    """A project asking for central budget: ``key`` identifies it (unique, and orders ties),
    ``agency`` the agency whose plan holds it, ``ask`` whole đồng (> 0)."""

    key: str
    agency: str
    ask: int
    unit_kind: str = ""
    application_field: str = ""
    is_province: bool = False
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Line:
    key: str
    agency: str
    ask: int
    amount: int
    group: int
    reason: str
    percent: Decimal  # amount / ask, in %, one decimal


@dataclass(frozen=True)
class Infeasible:
    """Rules that cannot hold together: the rule named, a message template and its values."""

    rule: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    lines: tuple[Line, ...]
    target: int  # what is divided: min(pool, asked)
    asked: int
    infeasible: Infeasible | None = None

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


class AllocationError(ValueError):
    """Input the allocation cannot take (a duplicate key, an ask ≤ 0, a pool ≤ 0)."""


@dataclass
class _Item:
    key: str
    agency: str
    cap: int  # what it may still receive
    weight: Fraction  # ask × weight: its pro rata basis
    group: int


def _lambda(items: Sequence[_Item], budget: Fraction) -> Fraction:
    """λ with Σ min(cap, λ·weight) = budget (budget ≤ Σ cap)."""
    if budget <= 0:
        return Fraction(0)
    ordered = sorted(items, key=lambda i: (Fraction(i.cap) / i.weight, i.key))
    saturated = Fraction(0)
    rest = sum((i.weight for i in ordered), Fraction(0))
    for item in ordered:
        candidate = (budget - saturated) / rest
        if candidate <= Fraction(item.cap) / item.weight:
            return candidate
        saturated += item.cap
        rest -= item.weight
    return max(Fraction(i.cap) / i.weight for i in ordered)


def _fill_at(items: Iterable[_Item], lam: Fraction) -> dict[str, Fraction]:
    return {i.key: min(Fraction(i.cap), lam * i.weight) for i in items}


def _water_fill(
    items: Sequence[_Item], budget: Fraction, agency_left: Mapping[str, Fraction | None]
) -> dict[str, Fraction]:
    """``budget`` shared pro rata of weight, each item held at its cap and each agency at
    what it may still receive. An agency that would exceed it is held there and shares it
    among its own projects; the others share the rest (their λ only rises, so an agency
    held stays held)."""
    by_agency: dict[str, list[_Item]] = defaultdict(list)
    for item in items:
        by_agency[item.agency].append(item)
    held: set[str] = set()
    while True:
        free = [i for i in items if i.agency not in held]
        left = budget - sum((agency_left[a] or Fraction(0) for a in held), Fraction(0))
        given = _fill_at(free, _lambda(free, left)) if free else {}
        over = set()
        for agency, members in by_agency.items():
            limit = agency_left[agency]
            if agency in held or limit is None:
                continue
            if sum((given[i.key] for i in members), Fraction(0)) > limit:
                over.add(agency)
        if not over:
            break
        held |= over
    for agency in held:
        limit = agency_left[agency]
        assert limit is not None
        members = by_agency[agency]
        given.update(_fill_at(members, _lambda(members, limit)))
    return given


def _fill(
    items: Sequence[_Item], budget: Fraction, agency_left: dict[str, Fraction | None]
) -> tuple[dict[str, Fraction], int | None]:
    """Group by group: (each item's exact amount, the group the budget ran out in)."""
    given: dict[str, Fraction] = {i.key: Fraction(0) for i in items}
    left = budget
    short_group: int | None = None
    for group in sorted({i.group for i in items}):
        members = [i for i in items if i.group == group and i.cap > 0]
        if left <= 0:
            short_group = short_group or group
            continue
        agencies = sorted({i.agency for i in members})
        capacity = Fraction(0)
        for agency in agencies:
            own = sum((Fraction(i.cap) for i in members if i.agency == agency), Fraction(0))
            limit = agency_left[agency]
            capacity += own if limit is None else min(own, limit)
        amounts = _water_fill(members, min(left, capacity), agency_left)
        if capacity > left:
            short_group = group
        for agency in agencies:
            spent = sum((amounts[i.key] for i in members if i.agency == agency), Fraction(0))
            limit = agency_left[agency]
            if limit is not None:
                agency_left[agency] = limit - spent
        given.update(amounts)
        left -= sum(amounts.values(), Fraction(0))
    return given, short_group


def _largest_remainder(exact: Mapping[str, Fraction], total: int) -> dict[str, int]:
    """Whole amounts adding up to ``total`` (= Σ exact): floors, then one more to the largest
    remainders, ties by key."""
    floors = {k: v.numerator // v.denominator for k, v in exact.items()}
    short = total - sum(floors.values())
    ranked = sorted(exact, key=lambda k: (-(exact[k] - floors[k]), k))
    for key in ranked[:short]:
        floors[key] += 1
    return floors


def _round(exact: Mapping[str, Fraction], agency_of: Mapping[str, str]) -> dict[str, int]:
    """Each agency's total to whole đồng, then its projects within it (module docstring)."""
    total = sum(exact.values(), Fraction(0))
    if total.denominator != 1:
        raise AllocationError("the exact amounts do not add up to whole đồng")
    by_agency: dict[str, dict[str, Fraction]] = defaultdict(dict)
    for key, value in exact.items():
        by_agency[agency_of[key]][key] = value
    agency_totals = _largest_remainder(
        {a: sum(v.values(), Fraction(0)) for a, v in by_agency.items()}, int(total)
    )
    rounded: dict[str, int] = {}
    for agency, members in by_agency.items():
        rounded.update(_largest_remainder(members, agency_totals[agency]))
    return rounded


def _percent(amount: int, ask: int) -> Decimal:
    return (Decimal(amount) * 100 / Decimal(ask)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _infeasible(rule: str, message: str, **params: object) -> Outcome:
    return Outcome((), 0, 0, Infeasible(rule, message, {k: str(v) for k, v in params.items()}))


def allocate(pool: int, proposals: Sequence[Proposal], rules: Rules) -> Outcome:
    """The pool divided among the proposals by the rules (module docstring), or the rule
    that makes it impossible."""
    if pool <= 0:
        raise AllocationError("the pool must be greater than 0")
    keys = [p.key for p in proposals]
    if len(set(keys)) != len(keys):
        raise AllocationError("two proposals have the same key")
    if any(p.ask <= 0 for p in proposals):
        raise AllocationError("every proposal asks for more than 0")
    ordered = sorted(proposals, key=lambda p: p.key)
    asked = sum(p.ask for p in ordered)
    target = min(pool, asked)
    project_cap = rules.project_cap.amount(pool) if rules.project_cap else None
    agency_cap = rules.agency_cap.amount(pool) if rules.agency_cap else None
    caps = {p.key: p.ask if project_cap is None else min(p.ask, project_cap) for p in ordered}
    agencies: dict[str, list[Proposal]] = defaultdict(list)
    for p in ordered:
        agencies[p.agency].append(p)
    room = {
        a: sum(caps[p.key] for p in ps)
        if agency_cap is None
        else min(agency_cap, sum(caps[p.key] for p in ps))
        for a, ps in agencies.items()
    }
    if sum(room.values()) < target:
        by_projects = sum(caps.values())
        rule = "project_cap" if by_projects < target else "agency_cap"
        return _infeasible(
            rule,
            _(
                "The caps let at most %(room)s đồng be allocated, less than the %(target)s "
                "đồng to divide."
            ),
            room=sum(room.values()),
            target=target,
        )
    minimum = rules.province_minimum
    provinces = sorted(a for a, ps in agencies.items() if any(p.is_province for p in ps))
    if minimum and agency_cap is not None and minimum > agency_cap:
        return _infeasible(
            "province_minimum",
            _(
                "The minimum per province (%(minimum)s đồng) is above the per-agency cap "
                "(%(cap)s đồng)."
            ),
            minimum=minimum,
            cap=agency_cap,
        )
    floors = {a: min(minimum, room[a]) for a in provinces} if minimum else {}
    if sum(floors.values()) > pool:
        return _infeasible(
            "province_minimum",
            _(
                "The minimums of the %(count)s provinces with a proposal add up to %(needed)s "
                "đồng, more than the pool (%(pool)s đồng)."
            ),
            count=len(floors),
            needed=sum(floors.values()),
            pool=pool,
        )

    def items(cap_of: Mapping[str, int], among: Iterable[Proposal]) -> list[_Item]:
        return [
            _Item(
                p.key,
                p.agency,
                cap_of[p.key],
                Fraction(p.ask) * Fraction(rules.weight(p.unit_kind, p.application_field)),
                rules.group(p.flags),
            )
            for p in among
        ]

    agency_of = {p.key: p.agency for p in ordered}
    base: dict[str, int] = dict.fromkeys(caps, 0)
    for agency, floor in floors.items():
        own = items(caps, agencies[agency])
        exact, _short = _fill(own, Fraction(floor), {agency: Fraction(floor)})
        base.update(_round(exact, agency_of))
    left_caps = {k: caps[k] - base[k] for k in caps}
    agency_left: dict[str, Fraction | None] = {
        a: None if agency_cap is None else Fraction(agency_cap - sum(base[p.key] for p in ps))
        for a, ps in agencies.items()
    }
    exact, short_group = _fill(
        items(left_caps, ordered), Fraction(target - sum(base.values())), agency_left
    )
    extra = _round(exact, agency_of)
    amounts = {k: base[k] + extra[k] for k in caps}
    agency_totals: dict[str, int] = defaultdict(int)
    for p in ordered:
        agency_totals[p.agency] += amounts[p.key]
    lines = []
    for p in ordered:
        amount, group = amounts[p.key], rules.group(p.flags)
        if amount == p.ask:
            reason = FULL
        elif project_cap is not None and amount == project_cap:
            reason = PROJECT_CAP
        elif agency_cap is not None and agency_totals[p.agency] == agency_cap:
            reason = AGENCY_CAP
        elif base[p.key] and amount == base[p.key]:
            reason = MINIMUM
        elif amount == 0 or (short_group is not None and group > short_group):
            reason = NOT_REACHED
        else:
            reason = PRO_RATA
        lines.append(Line(p.key, p.agency, p.ask, amount, group, reason, _percent(amount, p.ask)))
    outcome = Outcome(tuple(lines), target, asked)
    _check(outcome, caps, agency_cap)
    return outcome


def _check(outcome: Outcome, caps: Mapping[str, int], agency_cap: int | None) -> None:
    """The promises, verified on every result (a broken one is a bug, never a result)."""
    if outcome.total != outcome.target:
        raise AllocationError(f"allocated {outcome.total}, not {outcome.target}")
    per_agency: dict[str, int] = defaultdict(int)
    for line in outcome.lines:
        if not 0 <= line.amount <= caps[line.key]:
            raise AllocationError(f"{line.key} received {line.amount} beyond its cap")
        per_agency[line.agency] += line.amount
    if agency_cap is not None and any(v > agency_cap for v in per_agency.values()):
        raise AllocationError("an agency received more than the per-agency cap")
