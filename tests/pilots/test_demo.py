"""`make run`'s pilot: load_demo loads it once (again: nothing changes), and on the national
slice `make run` generates (generate_national --scale tiny) its comparison shows real
figures."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from govplan.accounts.models import User
from govplan.audit.models import AuditEvent
from govplan.core.programmes.deadlines import Status
from govplan.demo.national_data.generate import generate
from govplan.demo.national_data.scales import SCALES
from govplan.demo.pilots import NAME
from govplan.pilots.comparison import compare_pilot
from govplan.pilots.models import Pilot, SelfEvaluation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    settings.TRUST_ROOTS_DIR = tmp_path / "trust-roots"
    return tmp_path


def test_the_demo_pilot_loads_once_and_compares_with_the_national_slice() -> None:
    call_command("load_demo", stdout=io.StringIO())
    entries = AuditEvent.objects.filter(object_type__startswith="pilots.").count()
    call_command("load_demo", stdout=io.StringIO())
    assert AuditEvent.objects.filter(object_type__startswith="pilots.").count() == entries
    pilot = Pilot.objects.get(name=NAME)
    assert sorted(d.unit.name for d in pilot.designations.select_related("unit")) == [
        "Bộ Tài chính",
        "Thành phố Hà Nội",
    ]
    milestones = list(pilot.milestones.all())
    assert len(milestones) == 3
    assert [m.rating for m in milestones] == ["good", "", ""]
    assert milestones[0].status(milestones[0].deadline, reported=False) is (
        Status.COMPLETED_ON_TIME
    )
    assert SelfEvaluation.objects.filter(milestone=milestones[1]).count() == 1

    generate(SCALES["tiny"], 1)
    admin = User.objects.get(username="quantri")
    units = [d.unit for d in pilot.designations.select_related("unit")]
    table = compare_pilot(admin, units, list(pilot.indicators.order_by("code")), year=None)
    # 2024: the latest year with approved figures of the pilots and of comparable units
    # (2025's provinces have not been approved yet).
    assert table.year == 2024
    compared = {
        (line.indicator.code, line.unit.name): line.comparison
        for line in table.lines
        if line.comparison.value is not None and line.comparison.count
    }
    # Hà Nội against Bắc Ninh (Bắc Giang's and Bắc Ninh's 2024 figures, merged), the
    # Ministry of Finance against the Ministry of Science and Technology.
    assert ("VB.DIEN_TU", "Thành phố Hà Nội") in compared
    assert ("VB.DIEN_TU", "Bộ Tài chính") in compared
    assert all(c.count == 1 and c.median == c.mean for c in compared.values())
