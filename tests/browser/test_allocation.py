"""An allocation from scenario to exported decision appendix, in a real browser. On the demo
(load_demo: the 2027 plans, the Ministry of Finance's three projects asking for central
budget), the central administrator creates a pool of 100 billion đồng, computes two
scenarios from rules typed in the form, compares them, approves one (the second click on
Approve changes nothing), and downloads the appendix as DOCX and XLSX, whose totals are the
pool to the đồng."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "govplan-demo"


@pytest.fixture
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    from tests.conftest import REFERENCE_DIR

    var = tmp_path_factory.mktemp("pool-var")
    with override_settings(
        VAR_DIR=var, TRUST_ROOTS_DIR=var / "trust-roots", MEDIA_ROOT=var / "media"
    ):
        from govplan.orgunits.reference import load_reference

        call_command("flush", interactive=False, verbosity=0)
        load_reference(REFERENCE_DIR)
        call_command("load_frameworks", verbosity=0)
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
        yield


def _scenario(page: Page, url: str, name: str, fields: dict[str, str]) -> None:
    page.goto(url)
    page.get_by_role("link", name="Phương án mới").click()
    page.locator("#id_name").fill(name)
    for field, value in fields.items():
        page.locator(f"#id_{field}").fill(value)
    page.get_by_role("button", name="Tính phân bổ").click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("#scenario-total")).to_have_text("100.000.000.000")


def test_scenario_compare_approve_and_export(page: Page, live_server: Any, demo: None) -> None:
    from govplan.allocations.models import Scenario

    sign_in(page, live_server.url, "quantri", PASSWORD)

    page.goto(f"{live_server.url}/pools/")
    page.locator("#id_name").fill("Nguồn thử nghiệm 100 tỷ đồng")
    page.locator("#id_amount").fill("100.000.000.000")
    page.locator("#id_year").fill("2027")
    page.get_by_role("checkbox", name="KH-CDS-2027-MAU", exact=False).first.check()
    page.get_by_role("button", name="Tạo nguồn kinh phí").click()
    expect(page.locator("#pool-amount")).to_have_text("100.000.000.000")
    pool_url = page.url

    _scenario(page, pool_url, "Ưu tiên nền tảng", {})
    _scenario(page, pool_url, "Trần 40% mỗi dự án", {"project_cap": "40%"})
    capped = page.url

    page.goto(pool_url)
    page.get_by_role("link", name="So sánh các phương án").click()
    expect(page.locator("#compare-agencies")).to_contain_text("Bộ Tài chính")
    expect(page.locator("#compare-projects")).to_contain_text("Bằng mức tối đa cho mỗi dự án")

    page.goto(capped)
    page.locator("#id_decision_number").fill("27")
    page.locator("#id_decision_date").fill("2027-01-15")
    page.get_by_role("button", name="Phê duyệt", exact=True).click()
    expect(page.locator("#scenario-status")).to_contain_text("Đã phê duyệt")
    assert Scenario.objects.filter(name="Trần 40% mỗi dự án", status="approved").count() == 1

    with page.expect_download() as download_info:
        page.locator("#export-docx").click()
    document = docx.Document(download_info.value.path())
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Phụ lục I"
    assert any("Kèm theo Quyết định số 27/QĐ-BKHCN ngày 15/01/2027" in t for t in texts)
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "100.000.000.000" in cells

    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    content = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    total = next(r for r in rows if r and r[0] == "Tổng cộng")
    assert int(total[4]) == 100_000_000_000
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert "<f>SUM(E" in z.read("xl/worksheets/sheet1.xml").decode()
