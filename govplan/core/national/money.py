"""Where the money goes and how far targets were reached: the arithmetic of the national
budget and target pages (govplan.national.budgets, govplan.national.targets). Pure: the
database hands it per-unit sums and fact rows; it rolls them up to the units shown, maps old
units to their successors, and computes attainment and whether a target is on track."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)

# A result's status as the report gives it (documents.content.TARGET_STATUSES).
ACHIEVED = "achieved"
ON_TRACK = "on_track"
BEHIND = "behind"
NOT_ACHIEVED = "not_achieved"
REPORTED_OK = frozenset({ACHIEVED, ON_TRACK})


def path_ids(path: str) -> list[int]:
    """ "/1/27/301/" → [1, 27, 301]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def shown_unit(path: str, root_path: str) -> int | None:
    """The unit a fact of the unit at ``path`` is shown under when the page lists the units
    directly under ``root_path`` ("" for the whole country: the top-level units): the root
    itself for its own facts, None for a unit outside the subtree."""
    if not path.startswith(root_path):
        return None
    below = path_ids(path[len(root_path) :])
    if not below:
        return path_ids(root_path)[-1] if root_path else None
    return below[0]


def roll_up(rows: Iterable[tuple[str, Decimal]], root_path: str) -> dict[int, Decimal]:
    """Sums of ``(unit path, amount)`` per unit shown under ``root_path`` (for the current
    structure the caller gives an old unit's successor's path)."""
    totals: dict[int, Decimal] = {}
    for path, amount in rows:
        shown = shown_unit(path, root_path)
        if shown is None:
            continue
        totals[shown] = totals.get(shown, Decimal(0)) + amount
    return totals


@dataclass(frozen=True, slots=True)
class Attainment:
    """A target against what was reported: ``percent`` of the way reached (None when either
    figure is missing), and the verdict (one of the statuses above, "" when unknown)."""

    percent: Decimal | None
    status: str
    computed: bool  # the status was computed, not stated by the report


def target_value(
    target: Decimal | None, numerator: Decimal | None, denominator: Decimal | None
) -> Decimal | None:
    """A target as one figure: the plan's, or a ratio target's parts as a percentage."""
    if target is not None:
        return target
    if numerator is not None and denominator:
        return numerator * HUNDRED / denominator
    return None


def attainment_percent(
    baseline: Decimal | None,
    target: Decimal | None,
    achieved: Decimal | None,
    *,
    lower_is_better: bool = False,
) -> Decimal | None:
    """How far the target was reached, in percent: the way from the baseline to the target
    when there is a baseline (as the document page computes it), else achieved over target
    (target over achieved for an indicator where lower is better)."""
    if target is None or achieved is None:
        return None
    if baseline is not None and baseline != target:
        return (achieved - baseline) * HUNDRED / (target - baseline)
    if lower_is_better:
        return target * HUNDRED / achieved if achieved else None
    return achieved * HUNDRED / target if target else None


def elapsed_share(period_start: int, target_year: int, report_year: int) -> Decimal:
    """The share of the way to the target year that has passed by the end of the report's
    year: 1 once the target year is reached."""
    if report_year >= target_year:
        return Decimal(1)
    if report_year < period_start:
        return Decimal(0)
    return Decimal(report_year - period_start + 1) / Decimal(target_year - period_start + 1)


def judge(
    percent: Decimal | None,
    stated: str,
    *,
    period_start: int,
    target_year: int | None,
    report_year: int | None,
) -> Attainment:
    """The verdict on a target: the report's own status when it gives one; else achieved at
    100 % or more, on track at least at the elapsed share of the way (a 2027 target reported
    in 2026 of a plan from 2026 is on track at 50 %), behind below it, not achieved when the
    target year has passed."""
    if stated:
        return Attainment(percent, stated, computed=False)
    if percent is None:
        return Attainment(None, "", computed=True)
    if percent >= HUNDRED:
        return Attainment(percent, ACHIEVED, computed=True)
    year = target_year if target_year is not None else report_year
    if year is None or report_year is None:
        return Attainment(percent, BEHIND, computed=True)
    share = elapsed_share(period_start, year, report_year)
    if share >= 1:
        return Attainment(percent, NOT_ACHIEVED, computed=True)
    status = ON_TRACK if percent >= share * HUNDRED else BEHIND
    return Attainment(percent, status, computed=True)


def ratio_percent(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """A ratio as a percentage: None without a positive denominator."""
    if numerator is None or not denominator:
        return None
    return numerator * HUNDRED / denominator
