"""The demo's 200 billion VND pool: loaded by load_demo, twice changing nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from govplan.allocations.models import Pool, Scenario

pytestmark = pytest.mark.django_db


def test_load_demo_loads_the_pool_once_with_two_scenarios_one_approved() -> None:
    call_command("load_demo", stdout=io.StringIO())
    pool = Pool.objects.get()
    assert int(pool.amount) == 200_000_000_000
    scenarios = list(Scenario.objects.filter(pool=pool).order_by("pk"))
    assert len(scenarios) == 2
    assert [s.status for s in scenarios] == ["approved", "draft"]
    for scenario in scenarios:
        assert scenario.infeasible_rule == ""
        rows = list(scenario.rows.all())
        assert sum(int(r.amount) for r in rows) == 200_000_000_000
        assert {r.unit_name for r in rows} >= {"Bộ Tài chính", "Thành phố Hà Nội"}
    call_command("load_demo", stdout=io.StringIO())
    assert Pool.objects.count() == 1 and Scenario.objects.count() == 2
