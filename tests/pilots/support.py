"""A pilot for the cast: the central authority assigns it, province A (the new Bắc Ninh) is
its pilot unit, with one milestone not yet reached."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govplan.pilots.actions import do_add_milestone, do_create_pilot, do_designate_unit
from govplan.pilots.models import Milestone, Pilot
from tests.conftest import Cast

START = dt.date(2025, 9, 1)
NAME = "Nền tảng quản lý văn bản dùng chung (thử)"


def cast_pilot(cast: Cast) -> Pilot:
    pilot = Pilot.objects.filter(name=NAME).first()
    if pilot is not None:
        return pilot
    pilot = do_create_pilot(
        name=NAME,
        description="Thí điểm tại tỉnh Bắc Ninh.",
        programme=None,
        task=None,
        assigning_unit=cast.central,
        start_date=START,
        end_date=dt.date(2027, 12, 31),
        indicator_codes=["HT.LAN"],
        actor=cast.central_admin,
    )
    do_designate_unit(pilot, cast.province_a, START, actor=cast.central_admin)
    do_add_milestone(
        pilot,
        title="Triển khai tại văn phòng UBND tỉnh",
        deadline=dt.date(2026, 6, 30),
        actor=cast.central_admin,
    )
    return pilot


def pilot_kwargs(cast: Cast) -> dict[str, Any]:
    return {"pk": cast_pilot(cast).pk}


def milestone_kwargs(cast: Cast) -> dict[str, Any]:
    pilot = cast_pilot(cast)
    milestone = Milestone.objects.filter(pilot=pilot).order_by("pk").first()
    assert milestone is not None
    return {"pk": pilot.pk, "milestone": milestone.pk}
