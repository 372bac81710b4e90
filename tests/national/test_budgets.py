"""Where the money goes (issue 14, item 5): exact figures on the hand-made set of
tests/national/money_set.py, read through the page as a user reads them."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.conftest import BEFORE_REFORM, Cast, unit
from tests.national.money_set import MoneySet, build, project

C, CAP = "central_budget", "capital"

pytestmark = pytest.mark.django_db

FRAMEWORK = "TEST-MONEY-2024"
ROW = re.compile(
    r'<tr data-(?:code|unit|key)="([^"]*)"[^>]*>\s*<td>(.*?)</td>.*?<td class="num">([^<]*)</td>',
    re.S,
)


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def page(user, **params: object) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(reverse("national_budgets"), {"framework": FRAMEWORK, **params})
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def table(html: str, table_id: str) -> dict[str, str]:
    """label → amount of a table of the page (labels without their markup)."""
    body = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return {
        re.sub(r"<[^>]+>", "", label).strip(): amount for _c, label, amount in ROW.findall(body)
    }


def total(html: str) -> str:
    return html.split('id="budget-total">')[1].split("<")[0]


@pytest.fixture
def money(cast: Cast) -> MoneySet:
    return build(cast)


def test_the_national_total_by_every_dimension_on_the_approved_plans(
    cast: Cast, money: MoneySet
) -> None:
    admin = cast.central_admin
    html = page(admin)
    # Approved by default: the draft row added after the approval (1,000,000) is not there.
    assert total(html) == "2.415,5"
    assert table(html, "budget-breakdown") == {
        "2024": "1.140,5",
        "2025": "75",
        "2026": "300",
        "Cả giai đoạn": "900",
    }
    assert table(html, "budget-units") == {"Tỉnh Bắc Giang": "415,5", "Thành phố Hà Nội": "2.000"}
    assert table(html, "budget-status") == {"Chuyển tiếp": "375", "Mới": "2.040,5"}
    assert table(page(admin, by="source"), "budget-breakdown") == {
        "Ngân sách trung ương": "1.850",
        "Ngân sách địa phương": "565,5",
    }
    by_type = table(page(admin, by="type"), "budget-breakdown")
    assert list(by_type.values()) == ["2.390,5", "25"]  # capital, recurrent
    assert table(page(admin, by="group"), "budget-breakdown") == {
        "I. Ứng dụng CNTT": "2.375",
        "II. Hạ tầng": "40,5",
    }
    assert table(page(admin, by="field"), "budget-breakdown") == {
        "Dữ liệu": "375",
        "Hạ tầng": "40,5",
        "Đô thị thông minh": "2.000",
    }
    # The live layer has the draft row; the submitted one has what was last sent.
    assert total(page(admin, layer="live")) == "1.002.415,5"
    assert total(page(admin, layer="submitted")) == "2.415,5"


def test_drill_down_from_the_total_to_a_units_projects_and_the_document(
    cast: Cast, money: MoneySet
) -> None:
    html = page(cast.central_admin)
    units = html.split('id="budget-units"')[1].split("</table>")[0]
    link = re.search(rf'<a href="\?([^"]*unit={money.bac_giang.pk}[^"]*)">Tỉnh Bắc Giang', units)
    assert link is not None
    unit_page = client_for(cast.central_admin).get(
        reverse("national_budgets") + "?" + html_lib.unescape(link[1])
    )
    drilled = unit_page.content.decode()
    assert total(drilled) == "415,5"
    projects = drilled.split('id="budget-projects"')[1].split("</table>")[0]
    head = projects.split("</thead>")[0]
    # Years in order, the whole period last; sources in the framework's order.
    assert re.findall(r'<th class="num">([^<]*)<br><span class="muted">([^<]*)', head) == [
        ("2024", "Ngân sách trung ương"),
        ("2024", "Ngân sách địa phương"),
        ("2025", "Ngân sách trung ương"),
        ("2025", "Ngân sách địa phương"),
        ("Cả giai đoạn", "Ngân sách địa phương"),
    ]
    rows = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in projects.split("</thead>")[1].split("</tr>")[:-1]
    ]
    assert rows == [
        [
            "Cổng dữ liệu",
            "I. Ứng dụng CNTT",
            "Dữ liệu",
            "Chuyển tiếp",
            "100",
            "",
            "50",
            "25",
            "200",
            "375",
        ],
        ["Mạng WAN", "II. Hạ tầng", "Hạ tầng", "Mới", "", "40,5", "", "", "", "40,5"],
    ]
    assert f'href="{reverse("document_edit", args=[money.plan_bg.pk])}"' in projects


def test_a_merged_province_under_its_successor_and_no_other_provinces_money(
    cast: Cast, money: MoneySet
) -> None:
    # The new Bắc Ninh sees what the old Bắc Giang filed: as filed, and under itself.
    filed = page(cast.editor_a)
    assert total(filed) == "415,5"
    assert table(filed, "budget-units") == {"Tỉnh Bắc Giang": "415,5"}
    current = page(cast.editor_a, structure="current")
    assert table(current, "budget-units") == {cast.province_a.name: "415,5"}
    as_now = page(cast.editor_a, structure="current", unit=cast.province_a.pk)
    assert total(as_now) == "415,5"
    assert "Cổng dữ liệu" in as_now and "Trung tâm điều hành" not in as_now
    # Without the current structure, the new province's own subtree holds nothing.
    assert total(page(cast.editor_a, unit=cast.province_a.pk)) == "0"
    # The central authority sees the country on the structure of today: 2 units.
    national = table(page(cast.central_admin, structure="current"), "budget-units")
    assert national == {cast.province_a.name: "415,5", "Thành phố Hà Nội": "2.000"}
    # Hà Nội sees only its own money, and not even the existence of Bắc Giang's.
    own = page(cast.editor_b)
    assert total(own) == "2.000" and "Bắc Giang" not in own and "415,5" not in own
    client = client_for(cast.editor_b)
    url = reverse("national_budgets")
    assert client.get(url, {"unit": money.bac_giang.pk}).status_code == 404
    assert client.get(url, {"unit": cast.province_a.pk}).status_code == 404
    # A commune of the new Bắc Ninh sees no plan at all.
    assert total(page(cast.commune_editor_a)) == "0"


def test_exports_give_the_breakdown_shown_with_numbers_as_numbers(
    cast: Cast, money: MoneySet
) -> None:
    client = client_for(cast.central_admin)
    params = {"framework": FRAMEWORK, "by": "source"}
    response = client.get(reverse("national_budget_export", args=["csv"]), params)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [
        ["central_budget", "Ngân sách trung ương", "1850"],
        ["provincial_budget", "Ngân sách địa phương", "565.5"],
    ]
    response = client.get(
        reverse("national_budget_export", args=["xlsx"]), {**params, "by": "year"}
    )
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    assert sheet.to_python()[1:] == [
        ["2024", "2024", 1140.5],
        ["2025", "2025", 75.0],
        ["2026", "2026", 300.0],
        ["0", "Cả giai đoạn", 900.0],
    ]
    # Hà Nội's export holds Hà Nội's money only.
    mine = client_for(cast.editor_b).get(reverse("national_budget_export", args=["csv"]), params)
    assert [r[2] for r in csv.reader(io.StringIO(mine.content.decode("utf-8-sig")))][1:] == [
        "1700",
        "300",
    ]


def test_bad_parameters_are_refused_with_a_message(cast: Cast, money: MoneySet) -> None:
    client = client_for(cast.central_admin)
    url = reverse("national_budgets")
    for params, named in (
        ({"layer": "everything"}, "layer"),
        ({"by": "colour"}, "by"),
        ({"structure": "1990"}, "structure"),
        ({"framework": "NO-SUCH"}, "NO-SUCH"),
        ({"unit": "abc"}, "unit"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert named in response.content.decode()
    assert client.get(reverse("national_budget_export", args=["pdf"])).status_code == 400


def test_the_number_of_queries_does_not_grow_with_units_or_projects(
    cast: Cast,
    money: MoneySet,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    from govplan.documents.actions import do_create_document

    client = client_for(cast.central_admin)
    pages = [
        {"by": "unit", "structure": "current"},
        {"by": "year", "unit": money.bac_giang.pk},
        {"by": "source", "unit": money.bac_giang.pk, "structure": "current"},
    ]

    def counts() -> list[int]:
        found = []
        for params in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(
                    reverse("national_budgets"), {"framework": FRAMEWORK, "layer": "live", **params}
                )
            assert response.status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    # Thirty more projects and five more provinces' plans: the same number of queries.
    for i in range(30):
        project(
            money.plan_bg, cast.central_admin, f"Thêm {i}", "apps", "", "new", {(2026, C, CAP): "1"}
        )
    version = money.plan_bg.framework_version
    for code in ("26", "27", "30", "34", "35"):
        other = do_create_document(
            unit=unit("gso-province", code, on=BEFORE_REFORM),
            version=version,
            actor=cast.central_admin,
        )
        project(other, cast.central_admin, "Dự án", "apps", "", "new", {(2024, C, CAP): "7"})
    assert counts() == before
    with django_assert_max_num_queries(20):
        client.get(reverse("national_budgets"), {"framework": FRAMEWORK, "by": "unit"})
