"""The demo's 200 billion VND pool: loaded by load_demo, twice changing nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from govplan.accounts.models import User
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


def test_the_demo_pool_shows_what_the_ministry_of_finance_reported_it_spent() -> None:
    """The Ministry of Finance's submitted 2027 results report (the shipped BC-CDS-2027-MAU)
    gives two of its projects' spending; its third project is not in the report; the other
    agencies have not reported."""
    from django.test import Client
    from django.urls import reverse

    from govplan.demo.allocations import PROJECTS
    from govplan.documents.models import Document

    call_command("load_demo", stdout=io.StringIO())
    [report] = Document.objects.filter(framework__code="BC-CDS-2027-MAU")
    assert (report.org_unit.name, report.status) == ("Bộ Tài chính", "submitted")
    pool = Pool.objects.get()
    approved = Scenario.objects.get(pool=pool, status="approved")
    client = Client()
    client.force_login(User.objects.get(username="quantri"))
    page = client.get(reverse("allocation_scenario", args=[pool.pk, approved.pk]))
    rows = {x["s"].row.project_name: x["s"] for x in page.context["spent"]["rows"]}
    shared, decided = rows[PROJECTS[0][0]], rows[PROJECTS[1][0]]
    assert (shared.reported, shared.spent) == (True, 46_250_500_000)  # 45.000,5 + 1.250
    assert (decided.reported, decided.spent) == (True, 20_000_000_000)
    if PROJECTS[2][0] in rows:  # a row even if this scenario gave it nothing
        assert (rows[PROJECTS[2][0]].reported, rows[PROJECTS[2][0]].agency_reported) == (
            False,
            True,
        )
    assert shared.remaining == int(shared.row.amount) - 46_250_500_000
    summary = client.get(reverse("allocation_pool", args=[pool.pk])).context["spent"]
    assert summary["spent"] == "66.250.500.000"
    assert summary["remaining"] == format(200_000_000_000 - 66_250_500_000, ",").replace(",", ".")
    assert summary["agencies_reported"] == 1 and summary["agencies"] > 1
    call_command("load_demo", stdout=io.StringIO())
    assert Document.objects.filter(framework__code="BC-CDS-2027-MAU").count() == 1
