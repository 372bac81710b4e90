"""The pilots' rules as a user meets them: what is refused (naming the field and the rule,
saving nothing), what a double click does, and the statuses of a roadmap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from govplan.audit.models import AuditEvent
from govplan.core.programmes.deadlines import Status
from govplan.pilots import actions
from govplan.pilots.models import Designation, Milestone, Pilot, SelfEvaluation
from tests.conftest import BEFORE_REFORM, Cast, unit
from tests.pilots.support import START, cast_pilot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The messages as written (the pages show them in Vietnamese: test_pages.py)."""
    with translation.override("en"):
        yield


@pytest.fixture
def pilot(cast: Cast) -> Pilot:
    """The cast's pilot (tests/pilots/support.py): from 01/09/2025 to 31/12/2027, province A
    its unit from the start, one milestone due 30/06/2026."""
    return cast_pilot(cast)


@pytest.fixture
def milestone(pilot: Pilot) -> Milestone:
    return pilot.milestones.get()


def fields(cast: Cast, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Mô hình một cửa dùng chung cấp xã",
        "description": "",
        "programme": None,
        "task": None,
        "assigning_unit": cast.central,
        "start_date": dt.date(2026, 1, 1),
        "end_date": None,
        "indicator_codes": ["HT.LAN", "DVC.TRUC_TUYEN"],
        "actor": cast.central_admin,
    }
    values.update(changes)
    return values


def refused(call: object, *args: object, **kwargs: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"": error.messages}


def test_a_pilot_is_created_with_its_indicators_and_audited(cast: Cast) -> None:
    pilot = actions.do_create_pilot(**fields(cast))  # type: ignore[arg-type]
    assert sorted(pilot.indicators.values_list("code", flat=True)) == [
        "DVC.TRUC_TUYEN",
        "HT.LAN",
    ]
    entry = AuditEvent.objects.get(object_type="pilots.pilot", object_id=str(pilot.pk))
    assert entry.after["indicators"] == ["DVC.TRUC_TUYEN", "HT.LAN"]


def test_a_pilot_without_a_name_an_unknown_indicator_or_ending_before_it_starts_is_refused(
    cast: Cast,
) -> None:
    errors = refused(
        actions.do_create_pilot,
        **fields(
            cast,
            name="  ",
            end_date=dt.date(2025, 12, 31),
            indicator_codes=["HT.LAN", "KHONG.CO"],
        ),
    )
    assert errors["name"] == ["Fill in this field."]
    assert "before it starts" in errors["end_date"][0]
    assert "KHONG.CO" in errors["indicators"][0]
    assert not Pilot.objects.exists()


def test_an_indicator_without_a_figure_to_compare_is_refused(cast: Cast) -> None:
    errors = refused(
        actions.do_create_pilot, **fields(cast, indicator_codes=["KTCPDT.NGAY_BAN_HANH"])
    )
    assert "KTCPDT.NGAY_BAN_HANH" in errors["indicators"][0]


def test_an_assigning_authority_that_did_not_exist_on_the_start_is_refused(cast: Cast) -> None:
    old_bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    errors = refused(actions.do_create_pilot, **fields(cast, assigning_unit=old_bac_giang))
    assert errors["assigning_unit"] == ["Tỉnh Bắc Giang did not exist on 01/01/2026."]


def test_a_unit_that_did_not_exist_on_the_designation_day_is_refused_and_nothing_saved(
    cast: Cast,
    pilot: Pilot,
) -> None:
    old_bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    before = AuditEvent.objects.count()
    errors = refused(
        actions.do_designate_unit,
        pilot,
        old_bac_giang,
        dt.date(2025, 9, 1),
        actor=cast.central_admin,
    )
    assert errors["unit"] == [
        "Tỉnh Bắc Giang did not exist on 01/09/2025 (it existed from … to 30/06/2025)."
    ]
    # The new Bắc Ninh is formed on 1 July 2025: not a pilot "from" the day before.
    pilot.start_date = dt.date(2025, 6, 1)
    Pilot.objects.filter(pk=pilot.pk).update(start_date=dt.date(2025, 6, 1))
    province_c = unit("gso-province", "33")  # the new Hưng Yên, also formed on 1 July 2025
    errors = refused(
        actions.do_designate_unit, pilot, province_c, dt.date(2025, 6, 30), actor=cast.central_admin
    )
    assert "did not exist on 30/06/2025" in errors["unit"][0]
    assert Designation.objects.filter(pilot=pilot).count() == 1
    assert AuditEvent.objects.count() == before


def test_a_designation_before_the_pilot_starts_or_twice_is_refused(
    cast: Cast, pilot: Pilot
) -> None:
    errors = refused(
        actions.do_designate_unit,
        pilot,
        cast.province_b,
        dt.date(2025, 8, 31),
        actor=cast.central_admin,
    )
    assert errors["designated_from"] == [
        "The pilot starts on 01/09/2025: a unit cannot be a pilot before that."
    ]
    # The double click: the second designation of province A is refused, naming the first.
    errors = refused(
        actions.do_designate_unit,
        pilot,
        cast.province_a,
        dt.date(2026, 1, 1),
        actor=cast.central_admin,
    )
    assert errors["unit"] == ["Tỉnh Bắc Ninh is already a pilot of this model, from 01/09/2025."]


def test_a_milestone_due_before_the_pilot_starts_or_after_it_ends_is_refused(
    cast: Cast, pilot: Pilot
) -> None:
    errors = refused(
        actions.do_add_milestone,
        pilot,
        title="Khảo sát",
        deadline=dt.date(2025, 8, 1),
        actor=cast.central_admin,
    )
    assert errors["deadline"] == [
        "The deadline (01/08/2025) is before the pilot starts (01/09/2025)."
    ]
    errors = refused(
        actions.do_add_milestone,
        pilot,
        title="",
        deadline=dt.date(2028, 1, 1),
        actor=cast.central_admin,
    )
    assert errors["title"] == ["Fill in this field."]
    assert errors["deadline"] == ["The deadline (01/01/2028) is after the pilot ends (31/12/2027)."]
    assert pilot.milestones.count() == 1


def test_the_start_cannot_move_past_a_milestone_or_a_designation(cast: Cast, pilot: Pilot) -> None:
    errors = refused(
        actions.do_update_pilot,
        pilot,
        **fields(cast, start_date=dt.date(2026, 7, 1), end_date=dt.date(2027, 12, 31)),
    )
    assert "Tỉnh Bắc Ninh is a pilot from 01/09/2025" in errors["start_date"][0]
    pilot.refresh_from_db()
    assert pilot.start_date == START
    # Nor its end before a milestone's deadline (due 30/06/2026).
    errors = refused(
        actions.do_update_pilot,
        pilot,
        **fields(cast, start_date=START, end_date=dt.date(2026, 3, 31)),
    )
    assert errors["end_date"] == [
        "The milestone “Triển khai tại văn phòng UBND tỉnh” is due on 30/06/2026, after this end."
    ]


def test_a_milestone_is_evaluated_once_when_reached_and_its_status_follows(
    cast: Cast, milestone: Milestone
) -> None:
    today = timezone.localdate()
    assert milestone.status(dt.date(2026, 5, 1), reported=False) is Status.NOT_STARTED
    assert milestone.status(dt.date(2026, 5, 1), reported=True) is Status.IN_PROGRESS
    assert milestone.status(dt.date(2026, 7, 1), reported=True) is Status.OVERDUE
    # Not reached yet: a day to come is refused.
    errors = refused(
        actions.do_evaluate_milestone,
        milestone,
        reached_on=today + dt.timedelta(days=1),
        text="Sẽ xong.",
        rating="good",
        actor=cast.central_admin,
    )
    assert "has not come yet" in errors["reached_on"][0]
    errors = refused(
        actions.do_evaluate_milestone,
        milestone,
        reached_on=dt.date(2025, 8, 1),
        text="",
        rating="excellent",
        actor=cast.central_admin,
    )
    assert errors["reached_on"] == ["01/08/2025 is before the pilot starts (01/09/2025)."]
    assert errors["text"] == ["Fill in this field."]
    assert errors["rating"] == ["Choose a rating."]
    actions.do_evaluate_milestone(
        milestone,
        reached_on=dt.date(2026, 7, 10),
        text="Triển khai xong, chậm 10 ngày.",
        rating="satisfactory",
        actor=cast.central_admin,
    )
    milestone.refresh_from_db()
    assert milestone.status(today, reported=False) is Status.COMPLETED_LATE
    # The second click (or a colleague at the same time) is told it is done.
    errors = refused(
        actions.do_evaluate_milestone,
        milestone,
        reached_on=dt.date(2026, 7, 1),
        text="Khác.",
        rating="good",
        actor=cast.central_admin,
    )
    assert errors[""] == [
        "“Triển khai tại văn phòng UBND tỉnh” was already evaluated (reached on 10/07/2026)."
    ]
    milestone.refresh_from_db()
    assert milestone.rating == "satisfactory"


def test_a_self_evaluation_is_a_pilot_units_once(cast: Cast, milestone: Milestone) -> None:
    errors = refused(
        actions.do_self_evaluate,
        milestone,
        cast.province_b,
        written_on=dt.date(2026, 5, 1),
        text="Hà Nội",
        rating="good",
        actor=cast.editor_b,
    )
    assert errors["unit"] == ["Thành phố Hà Nội is not a pilot unit of this model."]
    actions.do_self_evaluate(
        milestone,
        cast.province_a,
        written_on=dt.date(2026, 5, 1),
        text="Đã triển khai 80%.",
        rating="satisfactory",
        actor=cast.editor_a,
    )
    errors = refused(
        actions.do_self_evaluate,
        milestone,
        cast.province_a,
        written_on=dt.date(2026, 5, 2),
        text="Lần hai",
        rating="good",
        actor=cast.editor_a,
    )
    assert errors[""] == [
        "Tỉnh Bắc Ninh has already evaluated “Triển khai tại văn phòng UBND tỉnh”."
    ]
    assert SelfEvaluation.objects.filter(milestone=milestone).count() == 1


def test_the_final_evaluation_is_written_once_with_a_recommendation(
    cast: Cast, pilot: Pilot
) -> None:
    errors = refused(
        actions.do_evaluate_pilot,
        pilot,
        evaluated_on=dt.date(2026, 11, 1),
        lessons=" ",
        recommendation="maybe",
        actor=cast.central_admin,
    )
    assert errors == {
        "lessons": ["Fill in this field."],
        "recommendation": ["Choose extend, adapt or stop."],
    }
    actions.do_evaluate_pilot(
        pilot,
        evaluated_on=dt.date(2026, 11, 1),
        lessons="Nên nhân rộng sau khi chuẩn hóa danh mục hồ sơ.",
        recommendation="adapt",
        actor=cast.central_admin,
    )
    errors = refused(
        actions.do_evaluate_pilot,
        pilot,
        evaluated_on=dt.date(2026, 11, 2),
        lessons="Lần hai",
        recommendation="stop",
        actor=cast.central_admin,
    )
    assert errors[""] == ["The pilot was already evaluated on 01/11/2026."]
    pilot.refresh_from_db()
    assert (pilot.recommendation, pilot.evaluated_on) == ("adapt", dt.date(2026, 11, 1))
    assert Milestone.objects.filter(pilot=pilot, reached_on__isnull=True).count() == 1
