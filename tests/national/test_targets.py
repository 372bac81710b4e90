"""Targets against results (issue 14, item 4): exact figures on the hand-made set of
tests/national/money_set.py, read through the page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import Cast
from tests.national.money_set import MoneySet, build, target

pytestmark = pytest.mark.django_db

FRAMEWORK = "TEST-MONEY-2024"


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def page(user, **params: object) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(reverse("national_targets"), {"framework": FRAMEWORK, **params})
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def cells(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"')[1].split("</table>")[0].split("</thead>")[1]
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in body.split("</tr>")[:-1]
    ]


@pytest.fixture
def money(cast: Cast) -> MoneySet:
    return build(cast)


def test_each_target_with_the_reported_value_attainment_and_verdict(
    cast: Cast, money: MoneySet
) -> None:
    html = page(cast.central_admin)
    rows = {(r[0], r[1]): r[2:] for r in cells(html, "targets")}
    services = "Số dịch vụ công trực tuyến (toàn trình, một phần) – Toàn trình"
    dossiers = next(k[1] for k in rows if k[1] != services)
    # year, baseline, target, reported, attainment, status
    assert rows[("Tỉnh Bắc Giang", services)] == [
        "2026",
        "10",
        "40",
        "25",
        "50,0%",
        "Đúng tiến độ (tự tính)",
    ]
    # A ratio target (60/100) reached at 45 % in its own year: 75 %, not achieved.
    assert rows[("Tỉnh Bắc Giang", dossiers)] == [
        "2024",
        "",
        "60 (60/100)",
        "45",
        "75,0%",
        "Không đạt (tự tính)",
    ]
    # No result figure: the report's value (marked *) 9 of 45 by 2026, a third of the
    # way gone: behind.
    assert rows[("Thành phố Hà Nội", services)] == [
        "2026",
        "",
        "45",
        "9 *",
        "20,0%",
        "Chậm tiến độ (tự tính)",
    ]
    # The report says "no data": shown as such, no verdict.
    assert rows[("Thành phố Hà Nội", dossiers)] == ["2024", "", "80", "không có số liệu", "", ""]
    counts = re.sub(r"<[^>]+>", "", html.split('id="target-counts">')[1].split("</p>")[0])
    expected = "Đạt: 0 · Đúng tiến độ: 1 · Chậm tiến độ: 1 · Không đạt: 1 · Chưa có kết quả: 1"
    assert " ".join(counts.split()) == expected


def test_national_minimum_and_unit_targets_against_plans_and_results(
    cast: Cast, money: MoneySet
) -> None:
    html = page(cast.central_admin)
    minimum, stated = cells(html, "national-figures")
    # indicator, stated, minimum, values filed, units, plans' targets, planned below,
    # reported below. The 2026 minimum: no value filed for 2026 yet; the plans' 2026
    # targets 40 + 45; Hà Nội reported 9 against it.
    assert minimum[1:] == ["", "10", "", "0", "85", "—", "Thành phố Hà Nội (9)"]
    # The 2024 figure the letter states (30) against the values the reports filed: 25 + 9.
    assert stated[1:5] == ["30", "", "34", "2"]
    (goal,) = cells(html, "unit-targets")
    assert goal == ["Thành phố Hà Nội", "DVC.TRUC_TUYEN:TOAN_TRINH", "40", "45", "9 dưới mức"]


def test_targets_across_the_merger_and_no_other_provinces_targets(
    cast: Cast, money: MoneySet
) -> None:
    filed = cells(page(cast.editor_a), "targets")
    assert {r[0] for r in filed} == {"Tỉnh Bắc Giang"} and len(filed) == 2
    current = cells(page(cast.editor_a, structure="current", unit=cast.province_a.pk), "targets")
    assert {r[0] for r in current} == {cast.province_a.name} and len(current) == 2
    own = page(cast.editor_b)
    assert {r[0] for r in cells(own, "targets")} == {"Thành phố Hà Nội"}
    assert "Bắc Giang" not in own
    client = client_for(cast.editor_b)
    assert client.get(reverse("national_targets"), {"unit": money.bac_giang.pk}).status_code == 404
    assert client.get(reverse("national_targets"), {"layer": "x"}).status_code == 400


def test_the_number_of_queries_does_not_grow_with_targets(cast: Cast, money: MoneySet) -> None:
    from govplan.workflow.actions import do_transition

    client = client_for(cast.central_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                reverse("national_targets"),
                {"framework": FRAMEWORK, "layer": "live", "structure": "current"},
            )
        assert response.status_code == 200
        return len(queries)

    before = count()
    do_transition(money.plan_hn, "reopen", actor=cast.central_admin, reason="Thêm mục tiêu")
    for year in (2024, 2025, 2026):
        for code in ("DVC.TRUC_TUYEN", "DVC.HO_SO_TRUC_TUYEN"):
            target(money.plan_hn, cast.editor_b, {"indicator": code, "target": "90", "year": year})
    assert count() == before
