"""A pilot's indicators against comparable units, checked against figures computed by hand.

2026 reports, submitted           HT.LAN (ratio)     DVC.TRUC_TUYEN (toàn trình + một phần)
  Bắc Ninh (24)   pilot           95/100 = 95 %      60 + 15 = 75
  Hà Nội (01)     pilot           80/100 = 80 %      200 + 20 = 220
  Hưng Yên (33)                   50/100 = 50 %      40 + 10 = 50
  Đà Nẵng (48)                    60/100 = 60 %      30 + 10 = 40
  TP Hồ Chí Minh (79)             90/100 = 90 %      100 + 0 = 100
  Hải Phòng (31)  (draft only: not among the submitted figures)

Comparable provinces (not pilots, submitted): HT.LAN 50, 60, 90 → median 60, mean 66.67;
DVC.TRUC_TUYEN 50, 40, 100 → median 50, mean 63.33.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govplan.accounts.models import Role
from govplan.core.programmes.pilots import comparable_kinds, compare, kinds_of
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.frameworks.models import Indicator
from govplan.orgunits.models import OrgUnit
from govplan.pilots.comparison import compare_pilot
from govplan.workflow.actions import do_transition
from tests.conftest import Cast, make_user, unit
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

REPORT = """
format: govplan/framework@1
code: TEST-PILOT-2026
kind: report
title: Báo cáo thử năm 2026
period: {from: 2026, to: 2026}
issued_by: {number: 2026/TEST, date: 2026-03-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2026-12-20
sections:
  - number: I
    title: KẾT QUẢ
    indicators: [DVC.TRUC_TUYEN, HT.LAN]
"""


def test_the_arithmetic_by_hand() -> None:
    found = compare(Decimal(95), [Decimal(50), Decimal(60), Decimal(90)])
    assert (found.count, found.median, found.above_median) == (3, Decimal(60), Decimal(35))
    assert found.mean is not None and round(found.mean, 4) == Decimal("66.6667")
    assert found.above_mean is not None and round(found.above_mean, 4) == Decimal("28.3333")
    # An even number of comparable units: the median is the middle two's mean.
    assert compare(Decimal(1), [Decimal(4), Decimal(1), Decimal(3), Decimal(2)]).median == Decimal(
        "2.5"
    )
    # No figure of the pilot, or no comparable unit: no difference, never a zero.
    assert compare(None, [Decimal(5)]).above_median is None
    nobody = compare(Decimal(5), [])
    assert (nobody.count, nobody.median, nobody.mean, nobody.above_median) == (0, None, None, None)


def test_comparable_kinds() -> None:
    assert comparable_kinds("province") == ("province",)
    assert comparable_kinds("ministry_level") == ("ministry", "ministry_level", "gov_agency")
    assert kinds_of(["province", "ministry"]) == (
        "gov_agency",
        "ministry",
        "ministry_level",
        "province",
    )


class Reports:
    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.version = publish(REPORT, cast.central_admin)

    def file(
        self, code: str, lan: tuple[str, str], dvc: tuple[str, str], submit: bool = True
    ) -> OrgUnit:
        province = unit("gso-province", code)
        editor = make_user(f"editor_{code}", province, Role.EDITOR)
        document = do_create_document(unit=province, version=self.version, actor=editor)
        entries: dict[str, Any] = {
            "HT.LAN": {"cells": {"": {"n": lan[0], "d": lan[1]}}},
            "DVC.TRUC_TUYEN": {"cells": {"TOAN_TRINH": dvc[0], "MOT_PHAN": dvc[1]}},
        }
        for code_, content in entries.items():
            do_save_entry(document, f"value:{code_}", 0, content, actor=editor, locale="vi")
        if submit:
            do_transition(document, "submit", actor=editor)
        return province


@pytest.fixture
def reports(cast: Cast) -> Reports:
    reports = Reports(cast)
    reports.file("24", ("95", "100"), ("60", "15"))
    reports.file("01", ("80", "100"), ("200", "20"))
    reports.file("33", ("50", "100"), ("40", "10"))
    reports.file("48", ("60", "100"), ("30", "10"))
    reports.file("79", ("90", "100"), ("100", "0"))
    reports.file("31", ("10", "100"), ("1", "1"), submit=False)
    return reports


def indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(code__in=["HT.LAN", "DVC.TRUC_TUYEN"]).order_by("code"))


def lines(table: Any) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {
        (line.indicator.code, line.unit.code): (
            line.comparison.value,
            line.comparison.count,
            line.comparison.median,
            None if line.comparison.mean is None else round(line.comparison.mean, 2),
            line.comparison.above_median,
        )
        for line in table.lines
    }


def test_each_pilot_unit_against_the_provinces_that_are_not_pilots(
    cast: Cast, reports: Reports
) -> None:
    pilots = [cast.province_a, cast.province_b]
    table = compare_pilot(cast.central_admin, pilots, indicators(), year=2026, layer="submitted")
    assert table.year == 2026
    assert lines(table) == {
        ("HT.LAN", "24"): (Decimal(95), 3, Decimal(60), Decimal("66.67"), Decimal(35)),
        ("HT.LAN", "01"): (Decimal(80), 3, Decimal(60), Decimal("66.67"), Decimal(20)),
        ("DVC.TRUC_TUYEN", "24"): (Decimal(75), 3, Decimal(50), Decimal("63.33"), Decimal(25)),
        ("DVC.TRUC_TUYEN", "01"): (Decimal(220), 3, Decimal(50), Decimal("63.33"), Decimal(170)),
    }
    # Nothing approved yet: no figure, no comparison.
    approved = compare_pilot(cast.central_admin, pilots, indicators(), year=2026)
    assert all(line.comparison.value is None for line in approved.lines)
    # Without a year: the latest with figures.
    assert (
        compare_pilot(cast.central_admin, pilots, indicators(), year=None, layer="submitted").year
        == 2026
    )


def test_a_single_pilot_is_compared_with_every_other_province(cast: Cast, reports: Reports) -> None:
    table = compare_pilot(
        cast.central_admin, [cast.province_a], indicators(), year=2026, layer="submitted"
    )
    # Hà Nội is now a comparable unit: 50, 60, 80, 90 → median 70, mean 70.
    assert lines(table)[("HT.LAN", "24")] == (Decimal(95), 4, Decimal(70), Decimal(70), Decimal(25))


def test_a_province_compares_with_what_it_may_see(cast: Cast, reports: Reports) -> None:
    table = compare_pilot(
        cast.editor_a, [cast.province_a], indicators(), year=2026, layer="submitted"
    )
    assert lines(table)[("HT.LAN", "24")] == (Decimal(95), 0, None, None, None)


def test_the_queries_do_not_grow_with_the_units(cast: Cast, reports: Reports) -> None:
    pilots = [cast.province_a, cast.province_b]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            compare_pilot(cast.central_admin, pilots, indicators(), year=2026, layer="submitted")
        return len(queries)

    count()  # the user's scope is read once per request (and here once per user object)
    before = count()
    reports.file("92", ("70", "100"), ("5", "5"))
    reports.file("46", ("75", "100"), ("6", "6"))
    reports.file("22", ("85", "100"), ("7", "7"))
    table = compare_pilot(cast.central_admin, pilots, indicators(), year=2026, layer="submitted")
    assert lines(table)[("HT.LAN", "24")][1] == 6  # three more comparable provinces
    assert count() == before <= 10


def test_no_indicator_or_no_unit_asks_nothing(cast: Cast) -> None:
    chosen = indicators()
    with CaptureQueriesContext(connection) as queries:
        assert compare_pilot(cast.central_admin, [], chosen, year=2026).lines == []
        assert compare_pilot(cast.central_admin, [cast.province_a], [], year=None).lines == []
    assert len(queries) == 0


def test_the_comparison_downloads_as_xlsx_with_numbers(cast: Cast, reports: Reports) -> None:
    import datetime as dt
    import io

    from django.test import Client
    from django.urls import reverse
    from python_calamine import CalamineWorkbook

    from govplan.pilots.actions import do_create_pilot, do_designate_unit

    start = dt.date(2025, 9, 1)
    pilot = do_create_pilot(
        name="Thí điểm so sánh",
        description="",
        programme=None,
        task=None,
        assigning_unit=cast.central,
        start_date=start,
        end_date=None,
        indicator_codes=["HT.LAN", "DVC.TRUC_TUYEN"],
        actor=cast.central_admin,
    )
    do_designate_unit(pilot, cast.province_a, start, actor=cast.central_admin)
    client = Client()
    client.force_login(cast.central_admin)
    url = reverse("pilot_comparison_xlsx", args=[pilot.pk]) + "?year=2026&layer=submitted"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('2026.xlsx"')
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    found = {r[0][:6]: r for r in rows.to_python() if r and str(r[0]).startswith("HT.LAN")}
    lan = found["HT.LAN"]
    # Hà Nội, Bắc Ninh's neighbours as comparable: 50, 60, 80, 90 → median 70, mean 70.
    assert lan[1] == cast.province_a.name
    assert (lan[2], lan[3], lan[4], lan[5], lan[6]) == (95, 70, 70, 4, 25)
    # The page links to it with the same selection.
    page = client.get(reverse("pilot_detail", args=[pilot.pk]) + "?year=2026&layer=submitted")
    assert "comparison.xlsx?year=2026&amp;layer=submitted" in page.content.decode()
    # A unit that sees neither the authority nor a pilot unit: 404, as the page.
    outsider = Client()
    outsider.force_login(cast.editor_b)
    assert outsider.get(url).status_code == 404


def test_a_pilot_unit_that_has_ended_is_compared_on_the_structure_of_its_time(cast: Cast) -> None:
    from govplan.pilots.comparison import structure_for
    from tests.conftest import BEFORE_REFORM

    old_bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    assert old_bac_giang.valid_to is not None
    assert structure_for([cast.province_a, cast.province_b]) is None  # today's units
    # The old Bắc Giang: the 63 provinces of its last day, where its own figures are its own.
    assert structure_for([cast.province_b, old_bac_giang]) == old_bac_giang.valid_to
