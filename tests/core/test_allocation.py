"""The allocation arithmetic (govplan.core.allocation): exact sums to the đồng, caps,
minimums, priorities, infeasible rules named, determinism; properties over random cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govplan.core.allocation.appendix import format_dong
from govplan.core.allocation.compute import (
    AGENCY_CAP,
    FULL,
    MINIMUM,
    NOT_REACHED,
    PRO_RATA,
    PROJECT_CAP,
    AllocationError,
    Proposal,
    allocate,
)
from govplan.core.allocation.rules import Cap, Rules, parse_rules

BILLION = 1_000_000_000


def p(key: str, agency: str, ask: int, **kw: object) -> Proposal:
    return Proposal(key, agency, ask, **kw)  # type: ignore[arg-type]


def amounts(outcome: object) -> dict[str, int]:
    return {line.key: line.amount for line in outcome.lines}  # type: ignore[attr-defined]


def test_a_pool_larger_than_the_asks_funds_every_project_fully() -> None:
    outcome = allocate(200 * BILLION, [p("a", "1", 3 * BILLION), p("b", "2", 5)], Rules())
    assert amounts(outcome) == {"a": 3 * BILLION, "b": 5}
    assert outcome.total == outcome.asked == 3 * BILLION + 5
    assert {line.reason for line in outcome.lines} == {FULL}


def test_pro_rata_adds_up_to_the_pool_to_the_dong() -> None:
    # 100 đồng among three equal asks of 100: 33.33… each; largest remainder, ties by key.
    outcome = allocate(100, [p("c", "3", 100), p("a", "1", 100), p("b", "2", 100)], Rules())
    assert amounts(outcome) == {"a": 34, "b": 33, "c": 33}
    assert outcome.total == 100
    assert all(line.reason == PRO_RATA for line in outcome.lines)
    assert [str(line.percent) for line in outcome.lines] == ["34.0", "33.0", "33.0"]


def test_priority_group_one_is_funded_before_group_two() -> None:
    rules = Rules(priorities=("shared_platform", "investment_decided"))
    proposals = [
        p("platform", "1", 60, flags=frozenset({"shared_platform"})),
        p("decided", "2", 60, flags=frozenset({"investment_decided"})),
        p("other", "3", 60),
    ]
    outcome = allocate(100, proposals, rules)
    assert amounts(outcome) == {"platform": 60, "decided": 40, "other": 0}
    reasons = {line.key: (line.reason, line.group) for line in outcome.lines}
    assert reasons == {
        "platform": (FULL, 1),
        "decided": (PRO_RATA, 2),
        "other": (NOT_REACHED, 3),
    }


def test_the_per_project_cap_holds_and_its_excess_goes_to_the_others() -> None:
    rules = Rules(project_cap=Cap(True, Decimal(40)))  # 40 % of 100 = 40
    outcome = allocate(
        100, [p("big", "1", 1000), p("small1", "2", 50), p("small2", "3", 50)], rules
    )
    assert amounts(outcome) == {"big": 40, "small1": 30, "small2": 30}
    assert {line.key: line.reason for line in outcome.lines}["big"] == PROJECT_CAP


def test_the_per_agency_cap_holds_over_its_projects() -> None:
    rules = Rules(agency_cap=Cap(False, Decimal(40)))
    outcome = allocate(
        100, [p("a1", "A", 100), p("a2", "A", 100), p("b", "B", 100), p("c", "C", 100)], rules
    )
    got = amounts(outcome)
    assert got["a1"] + got["a2"] == 40
    assert got["b"] == got["c"] == 30
    assert outcome.total == 100
    assert {line.key: line.reason for line in outcome.lines}["a1"] == AGENCY_CAP


def test_the_minimum_per_province_is_set_aside_first() -> None:
    rules = Rules(province_minimum=10)
    proposals = [
        p("big", "M", 1000, unit_kind="ministry"),
        p("prov", "P", 1000, unit_kind="province", is_province=True),
    ]
    outcome = allocate(50, proposals, rules)
    got = amounts(outcome)
    assert got["prov"] >= 10
    assert got == {"big": 20, "prov": 30}  # 10 set aside, then 40 shared equally
    # A province that asks less than the minimum gets what it asks, no more.
    small = allocate(50, [p("b", "M", 1000), p("q", "Q", 4, is_province=True)], rules)
    assert amounts(small)["q"] == 4


def test_minimum_reason_when_the_province_is_in_a_group_the_pool_does_not_reach() -> None:
    rules = Rules(priorities=("shared_platform",), province_minimum=10)
    proposals = [
        p("platform", "M", 1000, flags=frozenset({"shared_platform"})),
        p("prov", "P", 1000, is_province=True),
    ]
    outcome = allocate(50, proposals, rules)
    assert amounts(outcome) == {"platform": 40, "prov": 10}
    assert {line.key: line.reason for line in outcome.lines}["prov"] == MINIMUM


def test_minimums_beyond_the_pool_are_reported_with_the_rule_named() -> None:
    rules = Rules(province_minimum=40)
    proposals = [p(f"p{i}", f"P{i}", 100, is_province=True) for i in range(3)]
    outcome = allocate(100, proposals, rules)
    assert outcome.infeasible is not None
    assert outcome.infeasible.rule == "province_minimum"
    assert outcome.infeasible.params == {"count": "3", "needed": "120", "pool": "100"}
    assert outcome.lines == ()


def test_a_minimum_above_the_agency_cap_is_reported() -> None:
    rules = Rules(province_minimum=50, agency_cap=Cap(False, Decimal(40)))
    outcome = allocate(50, [p("a", "P", 100, is_province=True), p("b", "Q", 2000)], rules)
    assert outcome.infeasible is not None and outcome.infeasible.rule == "province_minimum"


def test_caps_that_cannot_absorb_the_pool_are_reported_not_bent() -> None:
    by_project = allocate(
        100, [p("a", "1", 100), p("b", "2", 100)], Rules(project_cap=Cap(False, Decimal(30)))
    )
    assert by_project.infeasible is not None and by_project.infeasible.rule == "project_cap"
    assert by_project.infeasible.params == {"room": "60", "target": "100"}
    by_agency = allocate(
        100, [p("a", "1", 100), p("b", "1", 100)], Rules(agency_cap=Cap(False, Decimal(70)))
    )
    assert by_agency.infeasible is not None and by_agency.infeasible.rule == "agency_cap"


def test_weights_favour_a_kind_of_unit() -> None:
    rules = Rules(unit_kind_weights={"province": Decimal(3)})
    outcome = allocate(
        100,
        [p("m", "M", 100, unit_kind="ministry"), p("q", "Q", 100, unit_kind="province")],
        rules,
    )
    assert amounts(outcome) == {"m": 25, "q": 75}


def test_the_200_billion_pool_of_2007_adds_up_exactly() -> None:
    asks = [7_345_678_901, 123_456_789_012, 98_765_432_109, 55_555_555_555, 1_000_001]
    proposals = [p(f"k{i}", str(i % 3), a, is_province=i % 2 == 0) for i, a in enumerate(asks)]
    rules = Rules(province_minimum=5 * BILLION, project_cap=Cap(True, Decimal("40")))
    outcome = allocate(200 * BILLION, proposals, rules)
    assert outcome.infeasible is None
    assert outcome.total == 200_000_000_000
    assert format_dong(outcome.total) == "200.000.000.000"


def test_bad_input_is_refused() -> None:
    with pytest.raises(AllocationError):
        allocate(0, [p("a", "1", 1)], Rules())
    with pytest.raises(AllocationError):
        allocate(10, [p("a", "1", 0)], Rules())
    with pytest.raises(AllocationError):
        allocate(10, [p("a", "1", 1), p("a", "2", 1)], Rules())


# --- the rules as data ------------------------------------------------------------------------


def test_rules_round_trip_as_data() -> None:
    data = {
        "priorities": ["shared_platform", "investment_decided"],
        "agency_cap": {"kind": "percent", "value": "10"},
        "project_cap": {"kind": "amount", "value": "5000000000"},
        "province_minimum": "2000000000",
        "weights": {"unit_kind": {"province": "1.5"}, "field": {"nen_tang": "2"}},
    }
    rules, problems = parse_rules(data)
    assert problems == [] and rules is not None
    assert parse_rules(rules.as_data())[0] == rules
    assert rules.agency_cap is not None and rules.agency_cap.amount(200 * BILLION) == 20 * BILLION


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"agency_cap": {"kind": "amount", "value": "0"}}, "agency_cap"),
        ({"agency_cap": {"kind": "amount", "value": "-5"}}, "agency_cap"),
        ({"project_cap": {"kind": "amount", "value": str(10**20)}}, "project_cap"),
        ({"project_cap": {"kind": "percent", "value": "150"}}, "project_cap"),
        ({"project_cap": {"kind": "amount", "value": 1.5}}, "project_cap"),  # a float: never
        ({"province_minimum": "abc"}, "province_minimum"),
        ({"province_minimum": "1.5"}, "province_minimum"),
        ({"priorities": ["richest_first"]}, "priorities"),
        ({"priorities": ["shared_platform", "shared_platform"]}, "priorities"),
        ({"weights": {"unit_kind": {"province": "0"}}}, "weights.unit_kind.province"),
        ({"weights": {"field": {"x": "NaN"}}}, "weights.field.x"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_every_problem_names_its_rule(data: dict[str, object], path: str) -> None:
    rules, problems = parse_rules(data)
    assert rules is None
    assert [pr.path for pr in problems] == [path]


# --- properties -----------------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[int, list[Proposal], Rules]:
    count = draw(st.integers(1, 12))
    agencies = draw(st.integers(1, 5))
    proposals = []
    for i in range(count):
        agency = draw(st.integers(0, agencies - 1))
        proposals.append(
            Proposal(
                key=f"k{i:02d}",
                agency=f"a{agency}",
                ask=draw(st.integers(1, 10**12)),
                unit_kind="province" if agency % 2 == 0 else "ministry",
                application_field=draw(st.sampled_from(["nen_tang", "du_lieu", ""])),
                is_province=agency % 2 == 0,
                flags=frozenset(
                    draw(st.sets(st.sampled_from(["shared_platform", "investment_decided"])))
                ),
            )
        )
    pool = draw(st.integers(1, 2 * 10**12))
    cap = st.one_of(
        st.none(),
        st.builds(lambda v: Cap(True, Decimal(v)), st.integers(1, 100)),
        st.builds(lambda v: Cap(False, Decimal(v)), st.integers(1, 10**12)),
    )
    rules = Rules(
        priorities=tuple(
            draw(
                st.sampled_from(
                    [(), ("shared_platform",), ("shared_platform", "investment_decided")]
                )
            )
        ),
        agency_cap=draw(cap),
        project_cap=draw(cap),
        province_minimum=draw(st.sampled_from([0, 1, 10**6, 10**9, 10**11])),
        unit_kind_weights={"province": Decimal(draw(st.sampled_from(["1", "1.5", "3"])))},
        field_weights={"nen_tang": Decimal(draw(st.sampled_from(["1", "2", "0.5"])))},
    )
    return pool, proposals, rules


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_properties_of_every_allocation(case: tuple[int, list[Proposal], Rules]) -> None:
    pool, proposals, rules = case
    outcome = allocate(pool, proposals, rules)
    asked = sum(x.ask for x in proposals)
    project_cap = rules.project_cap.amount(pool) if rules.project_cap else None
    agency_cap = rules.agency_cap.amount(pool) if rules.agency_cap else None
    if outcome.infeasible is not None:
        assert outcome.infeasible.rule in ("project_cap", "agency_cap", "province_minimum")
        assert outcome.lines == ()
        return
    # The sum is exactly min(pool, asked), to the đồng.
    assert outcome.total == min(pool, asked)
    by_agency: dict[str, int] = {}
    for line in outcome.lines:
        assert 0 <= line.amount <= line.ask
        if project_cap is not None:
            assert line.amount <= project_cap
        by_agency[line.agency] = by_agency.get(line.agency, 0) + line.amount
    if agency_cap is not None:
        assert all(v <= agency_cap for v in by_agency.values())
    # Every province with a proposal receives at least its minimum (or all it can take).
    if rules.province_minimum:
        for agency in {x.agency for x in proposals if x.is_province}:
            own = [x for x in proposals if x.agency == agency]
            room = sum(min(x.ask, project_cap or x.ask) for x in own)
            if agency_cap is not None:
                room = min(room, agency_cap)
            assert by_agency[agency] >= min(rules.province_minimum, room)
    # Deterministic, whatever the order the proposals come in.
    again = allocate(pool, list(reversed(proposals)), rules)
    assert again == outcome
