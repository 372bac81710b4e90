"""Two administrators approving at once (PostgreSQL, real transactions): one pool gets one
approved scenario; the same scenario approved twice at once is approved once, one audit
entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from govplan.allocations.actions import (
    Refused,
    do_approve_scenario,
    do_create_pool,
    do_save_scenario,
)
from govplan.allocations.models import Allocation, Scenario
from govplan.audit.models import Action, AuditEvent
from govplan.frameworks.models import FrameworkVersion
from tests.facts.helpers import small_framework
from tests.support.concurrency import at_once
from tests.support.frameworks import publish

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def two_scenarios(small_nation: Any) -> tuple[Scenario, Scenario, Any]:
    province, people = small_nation
    admin = people["admin"]
    version = FrameworkVersion.objects.filter(status="published").first() or publish(
        small_framework(), admin
    )
    pool = do_create_pool(
        actor=admin, name="Nguồn", amount=Decimal(1000), year=2027, frameworks=[version.framework]
    )
    scenarios = []
    for name in ("A", "B"):
        scenario = do_save_scenario(pool, name=name, rules_data={}, actor=admin)
        # One row each (this test is about the lock, not the proposals).
        Allocation.objects.create(
            scenario=scenario,
            entry_key="row:projects:x",
            org_unit=province,
            unit_name=province.name,
            unit_kind="province",
            asked=1000,
            amount=1000,
            group=1,
            reason="full",
            percent=Decimal(100),
        )
        scenarios.append(scenario)
    return scenarios[0], scenarios[1], admin


def test_two_scenarios_approved_at_once_one_wins(small_nation: Any) -> None:
    for _round in range(4):
        a, b, admin = two_scenarios(small_nation)
        errors = at_once(
            lambda a=a, admin=admin: do_approve_scenario(a, actor=admin),
            lambda b=b, admin=admin: do_approve_scenario(b, actor=admin),
        )
        assert len(errors) == 1 and isinstance(errors[0], Refused), errors
        assert Scenario.objects.filter(pool=a.pool, status="approved").count() == 1


def test_a_double_click_approves_once(small_nation: Any) -> None:
    a, _b, admin = two_scenarios(small_nation)
    errors = at_once(*(lambda: do_approve_scenario(a, actor=admin) for _ in range(3)))
    assert errors == []
    assert AuditEvent.objects.filter(action=Action.SCENARIO_APPROVE).count() == 1
