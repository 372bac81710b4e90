"""The national pages in a real browser: a central administrator opens the national
dashboard and the pivot, changes the selection, switches between the structure as it was
(the old Bắc Giang and Bắc Ninh) and as it is (the new Bắc Ninh), and exports a CSV whose
numbers are those of the facts in the database, added up by a query of the test's own."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from playwright.sync_api import Page, expect

from govplan.accounts.models import Membership, Role, User
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.facts.models import ValueFact
from govplan.orgunits.actions import do_create_unit
from govplan.orgunits.models import Kind, Succession
from tests.browser.conftest import PASSWORD, sign_in
from tests.support.frameworks import publish
from tests.support.nation import emptied_slice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFORM = dt.date(2025, 7, 1)
REPORT = """
format: govplan/framework@1
code: TEST-BC-TRINH-DUYET-2024
kind: report
title: Báo cáo thử năm 2024
period: {from: 2024, to: 2024}
issued_by: {number: 9/TEST, date: 2024-09-01, issuer: Bộ Thông tin và Truyền thông}
applies_to: {kinds: [province]}
reporting:
  {recipient: Bộ TT&TT, delivery: [system], frequency: annual, deadline: 2024-12-20}
sections:
  - number: I
    title: KẾT QUẢ
    indicators: [DVC.TRUC_TUYEN]
"""


@pytest.fixture
def merged_nation() -> None:
    """The old Bắc Giang (10 wholly + 20 partly online services in 2024) and the old Bắc
    Ninh (5 + 15), merged into the new Bắc Ninh on 1 July 2025."""
    nation = emptied_slice(province_code="01", province_name="Thành phố Hà Nội")
    old = {}
    for code, name in (("24", "Tỉnh Bắc Giang"), ("27", "Tỉnh Bắc Ninh")):
        old[code] = do_create_unit(
            actor=None,
            scheme="gso-province",
            code=code,
            kind=Kind.PROVINCE,
            name=name,
            parent=None,
            valid_from=None,
            valid_to=dt.date(2025, 6, 30),
        )
    new = do_create_unit(
        actor=None,
        scheme="gso-province",
        code="24",
        kind=Kind.PROVINCE,
        name="Tỉnh Bắc Ninh",
        parent=None,
        valid_from=REFORM,
    )
    for unit in old.values():
        Succession.objects.create(
            predecessor=unit, successor=new, kind="merge", effective_date=REFORM
        )
    admin = User.objects.create_user("quantri", password=PASSWORD, full_name="Nguyễn Văn Quản")
    Membership.objects.create(user=admin, org_unit=nation.central, role=Role.CENTRAL_ADMIN)
    version = publish(REPORT, admin)
    for code, whole, part in (("24", "10", "20"), ("27", "5", "15")):
        document = do_create_document(unit=old[code], version=version, actor=admin)
        do_save_entry(
            document,
            "value:DVC.TRUC_TUYEN",
            0,
            {"cells": {"TOAN_TRINH": whole, "MOT_PHAN": part}},
            actor=admin,
            locale="vi",
        )


def database_figures(cell: str) -> dict[str, Decimal]:
    """The live facts of one cell, added up per unit name by the test's own query."""
    rows = (
        ValueFact.objects.filter(indicator_code="DVC.TRUC_TUYEN", layer="live", cell=cell)
        .values("org_unit__name")
        .annotate(total=Sum("value"))
    )
    return {r["org_unit__name"]: r["total"] for r in rows}


def test_dashboard_pivot_structures_and_csv(page: Page, live_server, merged_nation: None) -> None:
    # A central administrator sets up the second factor at the first login.
    sign_in(page, live_server.url, "quantri")

    # The national dashboard, on the live layer for 2024.
    page.get_by_role("link", name="Số liệu toàn quốc").click()
    expect(page.get_by_role("heading", name="Tổng quan số liệu toàn quốc")).to_be_visible()
    form = page.locator("#dashboard-form")
    form.get_by_label("Năm").fill("2024")
    form.get_by_label("Lớp số liệu").select_option("live")
    form.get_by_role("button", name="Xem").click()
    services = page.locator("#headline-dvc")
    expect(services.locator(".big")).to_have_text("50")  # 10 + 20 + 5 + 15
    expect(services).to_contain_text("Toàn trình: 15")
    page.screenshot(path="test-results/national-dashboard.png", full_page=True)

    # The list behind the figure: the pivot, on the structure as it is.
    services.locator(".big a").click()
    table = page.locator("#pivot-table")
    expect(table.locator("tbody tr")).to_have_count(2)  # the new Bắc Ninh, Hà Nội
    bac_ninh = table.locator("tbody tr", has_text="Tỉnh Bắc Ninh")
    expect(bac_ninh.locator("td")).to_have_text(["15", "35"])
    expect(page.locator("#pivot-chart svg g.tile")).to_have_count(34)
    page.screenshot(path="test-results/national-pivot-map.png", full_page=True)

    # Change the selection: only the partly-online services, as bars.
    pivot = page.locator("#pivot-form")
    pivot.get_by_label("Toàn trình", exact=False).uncheck()
    pivot.get_by_label("Biểu đồ").select_option("bar")
    pivot.get_by_role("button", name="Xem").click()
    expect(table.locator("thead th")).to_have_count(2)
    expect(table.locator("tbody tr", has_text="Tỉnh Bắc Ninh").locator("td")).to_have_text(["35"])

    # The structure as it was: the two old provinces apart.
    page.get_by_role("link", name="trước sắp xếp (63 tỉnh)").first.click()
    expect(
        page.locator("#pivot-table tbody tr", has_text="Tỉnh Bắc Giang").locator("td")
    ).to_have_text(["20"])
    expect(
        page.locator("#pivot-table tbody tr", has_text="Tỉnh Bắc Ninh").locator("td")
    ).to_have_text(["15"])
    assert "structure=old" in page.url
    page.screenshot(path="test-results/national-pivot-old.png", full_page=True)

    # Export the CSV and check its numbers against the facts in the database.
    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    rows = {row[0]: row[2] for row in lines[lines.index([]) + 2 : -1]}
    expected = database_figures("MOT_PHAN")
    assert {name: Decimal(value) for name, value in rows.items() if value} == expected
    assert Decimal(lines[-1][2]) == sum(expected.values())

    # And back to the structure as it is: the merged province adds them up.
    page.get_by_role("link", name="hiện nay (34 tỉnh)").first.click()
    expect(
        page.locator("#pivot-table tbody tr", has_text="Tỉnh Bắc Ninh").locator("td")
    ).to_have_text(["35"])
