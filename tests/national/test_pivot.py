"""The pivot: indicators × units × years × options as a table, charts and files whose
numbers are the hand-made data's (tests/national/test_dashboard.build_nation); shareable
addresses, clear messages for bad ones; scoped as documents are; a bounded query count."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from govplan.accounts.models import User
from govplan.national.exports import csv_text, number_text
from tests.conftest import Cast
from tests.national.test_dashboard import Nation, build_nation, provinces_with_reports

pytestmark = pytest.mark.django_db

SERVICES = "i=DVC.TRUC_TUYEN&o=TOAN_TRINH&o=MOT_PHAN&from=2024&to=2024&layer=live"


@pytest.fixture
def nation(cast: Cast) -> Nation:
    return build_nation(cast)


def get(user: User, name: str, query: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"{reverse(name)}?{query}")


def table_rows(html: str) -> dict[str, list[str]]:
    """Unit name → the texts of its cells, from the pivot's table."""
    rows = {}
    for place, row in re.findall(r'<tr[^>]*data-place="([^"]+)"[^>]*>(.*?)</tr>', html, re.S):
        name = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        key = "TOTAL" if place == "total" else " ".join(name.split())
        rows[key] = [
            " ".join(re.sub(r"<[^>]+>", "", c).split())
            for c in re.findall(r'<td class="num">(.*?)</td>', row, re.S)
        ]
    return rows


def test_the_table_on_the_structure_as_it_was(cast: Cast, nation: Nation) -> None:
    response = get(cast.central_admin, "national_pivot", f"{SERVICES}&structure=old")
    assert response.status_code == 200
    rows = table_rows(response.content.decode())
    assert rows["Bắc Giang"] == ["10", "20"]
    assert rows["Bắc Ninh"] == ["5", "15"]
    assert rows["Hà Nội"] == ["40", "60"]
    assert rows["Yên Bái"] == ["—", "—"]  # a province that filed nothing: missing, not 0
    assert len(rows) == 63 + 1
    assert rows["TOTAL"] == ["55", "95"]


def test_the_table_on_the_structure_as_it_is_adds_the_merged_provinces(
    cast: Cast, nation: Nation
) -> None:
    response = get(cast.central_admin, "national_pivot", f"{SERVICES}&structure=new")
    rows = table_rows(response.content.decode())
    assert len(rows) == 34 + 1
    assert rows["Bắc Ninh"] == ["15", "35"]  # Bắc Giang 10 + 5, 20 + 15
    assert "Bắc Giang" not in rows


def test_ministries_a_ratio_and_no_data(cast: Cast, nation: Nation) -> None:
    query = (
        "i=DVC.HO_SO_TRUC_TUYEN&i=QLVB.LIEN_THONG&level=ministries"
        "&from=2024&to=2024&layer=live&structure=old"
    )
    rows = table_rows(get(cast.central_admin, "national_pivot", query).content.decode())
    finance = next(v for k, v in rows.items() if "Tài chính" in k)
    assert finance[0] == "90"  # 9/10 in percent
    assert finance[1] in ("no data", "không có số liệu")
    provinces = "i=DVC.HO_SO_TRUC_TUYEN&from=2024&to=2024&layer=live&structure=old"
    rows = table_rows(get(cast.central_admin, "national_pivot", provinces).content.decode())
    assert rows["TOTAL"] == [
        "37,5"
    ]  # (30 + 70 + 50) / (100 + 100 + 200), not the mean of 30, 70, 25


@pytest.mark.parametrize("kind", ["bar", "stacked", "line", "map"])
def test_every_chart_draws_the_selection(cast: Cast, nation: Nation, kind: str) -> None:
    response = get(cast.central_admin, "national_pivot", f"{SERVICES}&structure=old&chart={kind}")
    html = response.content.decode()
    figure = re.search(r'<figure class="chart-figure" id="pivot-chart">(.*?)</figure>', html, re.S)
    assert figure and figure.group(1).startswith("<svg")
    if kind == "map":
        assert html.count('class="tile"') == 63
        assert re.search(r'data-key="24".*?<title>Bắc Giang: 10</title>', figure.group(1), re.S)
    else:
        assert "Bắc Giang" in figure.group(1)
    new = get(cast.central_admin, "national_pivot", f"{SERVICES}&structure=new&chart=map")
    assert new.content.decode().count('class="tile"') == 34


@pytest.mark.parametrize(
    "query",
    [
        "i=NO.SUCH",
        "i=HT.WAN_LOAI",  # a choice: no figure to add up
        f"{SERVICES}&level=everything",
        f"{SERVICES}&from=20x4",
        f"{SERVICES}&from=2024&to=2020",
        f"{SERVICES}&o=M9",
        f"{SERVICES}&chart=pie",
        f"{SERVICES}&layer=draft",
        f"{SERVICES}&structure=1999",
        f"{SERVICES}&level=subtree",
        f"{SERVICES}&level=subtree&unit=999999999",
        f"{SERVICES}&from=1990&to=2030",
    ],
)
def test_bad_addresses_are_told_on_the_page(cast: Cast, query: str) -> None:
    for name in ("national_pivot", "national_pivot_csv", "national_pivot_xlsx"):
        response = get(cast.central_admin, name, query)
        assert response.status_code == 400, (name, query)
        assert 'id="problems"' in response.content.decode()


def read_csv(content: bytes) -> tuple[dict[str, str], list[str], dict[str, list[str]]]:
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    blank = lines.index([])
    header = {row[0]: row[1] for row in lines[:blank]}
    columns = lines[blank + 1]
    rows = {row[0]: row[2:] for row in lines[blank + 2 : -1]}  # the last: the totals
    return header, columns, rows


def test_the_csv_holds_the_page_s_numbers(cast: Cast, nation: Nation) -> None:
    response = get(cast.central_admin, "national_pivot_csv", f"{SERVICES}&structure=new")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, columns, rows = read_csv(response.content)
    assert "DVC.TRUC_TUYEN" in " ".join(header.values())
    assert len(header) == 7  # indicators, units, years, options, layer, structure, moment
    assert columns[2].startswith("DVC.TRUC_TUYEN")
    assert rows["Bắc Ninh"] == ["15", "35"]
    assert rows["Hà Nội"] == ["40", "60"]
    assert rows["Lào Cai"] == ["", ""]


def test_the_xlsx_holds_numbers_as_numbers(cast: Cast, nation: Nation) -> None:
    response = get(cast.central_admin, "national_pivot_xlsx", f"{SERVICES}&structure=old")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    sheet = book.get_sheet_by_index(0).to_python()
    rows = {row[0]: row[2:4] for row in sheet if row and isinstance(row[0], str)}
    assert rows["Bắc Giang"] == [10.0, 20.0]
    assert rows["Hà Nội"] == [40.0, 60.0]
    assert any("live" in str(v) or "trực tiếp" in str(v) for row in sheet for v in row)


def test_a_text_a_spreadsheet_would_run_stays_a_text() -> None:
    assert csv_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_text("+1") == "'+1"
    assert csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert csv_text("Hà Nội") == "Hà Nội"
    assert number_text(Decimal("12.50000000")) == "12.5"
    assert number_text(Decimal("100.00000000")) == "100"
    assert number_text(None) == ""


def test_a_province_sees_only_its_units(cast: Cast, nation: Nation) -> None:
    response = get(cast.editor_b, "national_pivot", f"{SERVICES}&structure=old")
    assert response.status_code == 200
    rows = table_rows(response.content.decode())
    assert set(rows) == {"Hà Nội", "TOTAL"}
    assert "Bắc Giang" not in response.content.decode()
    _header, _columns, csv_rows = read_csv(
        get(cast.editor_b, "national_pivot_csv", f"{SERVICES}&structure=old").content
    )
    assert set(csv_rows) == {"Hà Nội"}
    # Province A's subtree is not Hà Nội's to ask for.
    refused = get(
        cast.editor_b, "national_pivot", f"{SERVICES}&level=subtree&unit={cast.province_a.pk}"
    )
    assert refused.status_code == 400
    # Province A sees the new Bắc Ninh with both its predecessors' figures.
    rows = table_rows(
        get(cast.editor_a, "national_pivot", f"{SERVICES}&structure=new").content.decode()
    )
    assert rows["Bắc Ninh"] == ["15", "35"]
    assert "Hà Nội" not in rows


def test_the_address_holds_the_whole_selection(cast: Cast, nation: Nation) -> None:
    html = get(
        cast.central_admin, "national_pivot", f"{SERVICES}&structure=old&chart=line"
    ).content.decode()
    link = re.search(r'id="export-csv" href="([^"]+)"', html)
    assert link
    shared = link.group(1).replace("&amp;", "&")
    for part in (
        "i=DVC.TRUC_TUYEN",
        "o=TOAN_TRINH",
        "o=MOT_PHAN",
        "structure=old",
        "layer=live",
        "chart=line",
    ):
        assert part in shared
    switch = re.search(r'href="\?([^"]+)"[^>]*data-structure="new"', html)
    assert switch
    rows = table_rows(
        get(
            cast.central_admin, "national_pivot", switch.group(1).replace("&amp;", "&")
        ).content.decode()
    )
    assert rows["Bắc Ninh"] == ["15", "35"]


@pytest.mark.parametrize("count", [2, 10])
def test_the_pivot_s_queries_do_not_grow_with_the_provinces(
    cast: Cast, count: int, django_assert_max_num_queries: Any
) -> None:
    provinces_with_reports(cast, count)
    client = Client()
    client.force_login(cast.central_admin)
    query = (
        "i=DVC.TRUC_TUYEN&i=DVC.HO_SO_TRUC_TUYEN&i=QLVB.LIEN_THONG"
        "&from=2024&to=2024&layer=live&structure=old"
    )
    with django_assert_max_num_queries(16):
        response = client.get(f"{reverse('national_pivot')}?{query}&chart=map")
    assert response.status_code == 200
    assert table_rows(response.content.decode())


def test_the_units_under_a_province_are_its_own(cast: Cast, nation: Nation) -> None:
    query = f"{SERVICES}&level=subtree&unit={cast.province_a.pk}&structure=new"
    response = get(cast.editor_a, "national_pivot", query)
    assert response.status_code == 200
    rows = table_rows(response.content.decode())
    assert (cast.commune_a.short_name or cast.commune_a.name) in rows
    places = re.findall(r'<tr data-place="(\d+)"', response.content.decode())
    from govplan.orgunits.models import OrgUnit

    paths = OrgUnit.objects.filter(pk__in=[int(p) for p in places]).values_list("path", flat=True)
    assert places and all(p.startswith(cast.province_a.path) for p in paths)
