"""The pure arithmetic of the target page: attainment and whether a target is on track."""

from __future__ import annotations

from decimal import Decimal as D

from govplan.core.national.money import (
    ACHIEVED,
    BEHIND,
    NOT_ACHIEVED,
    ON_TRACK,
    attainment_percent,
    elapsed_share,
    judge,
    target_value,
)


def test_attainment_is_the_way_from_the_baseline_to_the_target() -> None:
    assert attainment_percent(D(40), D(80), D(70)) == D(75)
    assert attainment_percent(None, D(80), D(60)) == D(75)
    assert attainment_percent(D(80), D(80), D(40)) == D(50)  # baseline = target: plain ratio
    assert attainment_percent(None, D(80), None) is None
    assert attainment_percent(None, D(0), D(3)) is None
    # Lower is better (no catalogue indicator says so yet): 8 days reached for 10 aimed.
    assert attainment_percent(None, D(10), D(8), lower_is_better=True) == D(125)


def test_a_ratio_target_is_its_parts_as_a_percentage() -> None:
    assert target_value(None, D(831), D(1661)) == D(831) * 100 / D(1661)
    assert target_value(D(50), D(1), D(3)) == D(50)
    assert target_value(None, D(1), D(0)) is None


def test_the_verdict_against_the_elapsed_share_of_the_period() -> None:
    assert elapsed_share(2026, 2030, 2027) == D(2) / D(5)
    assert elapsed_share(2026, 2030, 2031) == 1
    on_time = {"period_start": 2026, "target_year": 2030}
    assert judge(D(100), "", **on_time, report_year=2027).status == ACHIEVED
    assert judge(D(40), "", **on_time, report_year=2027).status == ON_TRACK
    assert judge(D("39.9"), "", **on_time, report_year=2027).status == BEHIND
    assert judge(D(99), "", **on_time, report_year=2030).status == NOT_ACHIEVED
    # The report's own status wins; with no figure and no status there is no verdict.
    stated = judge(D(10), "on_track", **on_time, report_year=2027)
    assert (stated.status, stated.computed) == ("on_track", False)
    assert judge(None, "", **on_time, report_year=2027).status == ""
