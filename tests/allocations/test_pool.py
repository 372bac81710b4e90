"""The central budget pool end to end: proposals read from the submitted plans, marks,
scenarios, the approval (once, one per pool, frozen), refusals, exports and who sees what."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govplan.allocations.actions import (
    Refused,
    RulesRefused,
    do_approve_scenario,
    do_mark_proposal,
    do_save_scenario,
)
from govplan.allocations.models import Allocation, Pool, ProposalMark, Scenario
from govplan.allocations.proposals import proposals
from govplan.allocations.views_export import appendix_data
from govplan.audit.models import Action, AuditEvent
from govplan.documents.actions import do_save_entry
from govplan.workflow import actions as workflow
from tests.allocations.support import pool_2027, project, submitted_plan
from tests.conftest import PASSWORD, Cast

pytestmark = pytest.mark.django_db

RULES = {"priorities": ["shared_platform", "investment_decided"]}


@pytest.fixture
def plans(cast: Cast) -> dict[str, object]:
    doc_a, keys_a = submitted_plan(
        cast.province_a,
        cast.editor_a,
        [
            project("Nền tảng tích hợp dữ liệu tỉnh", "3.000"),
            project("Trung tâm điều hành thông minh", "1.500"),
            project("Đào tạo nhân lực số", None, provincial="500"),  # asks no central budget
        ],
    )
    doc_b, keys_b = submitted_plan(
        cast.province_b, cast.editor_b, [project("Cổng dịch vụ công thành phố", "2.000,5")]
    )
    return {"a": doc_a, "keys_a": keys_a, "b": doc_b, "keys_b": keys_b}


def login(user: object) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def test_proposals_are_the_central_budget_asks_of_submitted_plans_in_dong(
    cast: Cast, plans: dict[str, object]
) -> None:
    pool = pool_2027(cast.central_admin)
    found = {p.project_name: p.asked for p in proposals(pool)}
    assert found == {
        "Nền tảng tích hợp dữ liệu tỉnh": 3_000_000_000,
        "Trung tâm điều hành thông minh": 1_500_000_000,
        "Cổng dịch vụ công thành phố": 2_000_500_000,
    }
    # An agency sees its own proposals only.
    mine = {p.project_name for p in proposals(pool, cast.editor_b)}
    assert mine == {"Cổng dịch vụ công thành phố"}


def test_a_scenario_adds_up_to_the_pool_and_says_why(cast: Cast, plans: dict[str, object]) -> None:
    pool = pool_2027(cast.central_admin, amount="4000000000")
    key = plans["keys_b"][0]  # type: ignore[index]
    do_mark_proposal(
        pool,
        document_id=plans["b"].pk,  # type: ignore[attr-defined]
        entry_key=key,
        shared_platform=True,
        investment_decided=False,
        note="Nền tảng dùng chung",
        actor=cast.central_admin,
    )
    assert AuditEvent.objects.filter(action=Action.PROPOSAL_MARK).count() == 1
    scenario = do_save_scenario(
        pool, name="Ưu tiên nền tảng", rules_data=RULES, actor=cast.central_admin
    )
    rows = {r.project_name: r for r in scenario.rows.all()}
    assert sum(int(r.amount) for r in rows.values()) == 4_000_000_000
    assert int(scenario.total) == 4_000_000_000
    platform = rows["Cổng dịch vụ công thành phố"]
    assert (int(platform.amount), platform.reason, platform.group) == (2_000_500_000, "full", 1)
    # The rest (1.999.500.000) pro rata of 3 and 1.5 billion.
    assert int(rows["Nền tảng tích hợp dữ liệu tỉnh"].amount) == 1_333_000_000
    assert int(rows["Trung tâm điều hành thông minh"].amount) == 666_500_000
    assert rows["Trung tâm điều hành thông minh"].reason == "pro_rata"


def test_rules_with_problems_are_refused_whole(cast: Cast, plans: dict[str, object]) -> None:
    pool = pool_2027(cast.central_admin)
    with pytest.raises(RulesRefused) as refused:
        do_save_scenario(
            pool,
            name="Sai",
            rules_data={
                "agency_cap": {"kind": "amount", "value": "0"},
                "province_minimum": str(10**20),
            },
            actor=cast.central_admin,
        )
    assert [p.path for p in refused.value.problems] == ["agency_cap", "province_minimum"]
    assert not Scenario.objects.exists()


def test_infeasible_rules_are_saved_with_the_rule_named_and_cannot_be_approved(
    cast: Cast, plans: dict[str, object]
) -> None:
    pool = pool_2027(cast.central_admin, amount="1000000000")
    scenario = do_save_scenario(
        pool,
        name="Tối thiểu quá cao",
        rules_data={"province_minimum": "600000000"},
        actor=cast.central_admin,
    )
    assert scenario.infeasible_rule == "province_minimum"
    assert "1.200.000.000" in scenario.infeasible_message  # 2 provinces × 600 million
    assert not scenario.rows.exists()
    with pytest.raises(Refused):
        do_approve_scenario(scenario, actor=cast.central_admin)


def test_approval_happens_once_one_per_pool_and_freezes_the_rows(
    cast: Cast, plans: dict[str, object]
) -> None:
    pool = pool_2027(cast.central_admin, amount="4000000000")
    first = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    second = do_save_scenario(
        pool,
        name="B",
        rules_data={"project_cap": {"kind": "percent", "value": "50"}},
        actor=cast.central_admin,
    )
    do_approve_scenario(first, actor=cast.central_admin, decision_number="15")
    do_approve_scenario(first, actor=cast.central_admin, decision_number="15")  # double click
    assert AuditEvent.objects.filter(action=Action.SCENARIO_APPROVE).count() == 1
    with pytest.raises(Refused, match="mỗi nguồn kinh phí chỉ phê duyệt một phương án"):
        do_approve_scenario(second, actor=cast.central_admin)
    assert Scenario.objects.filter(pool=pool, status="approved").count() == 1
    with pytest.raises(Refused, match="không thể sửa đổi"):
        do_save_scenario(pool, name="A2", rules_data={}, actor=cast.central_admin, scenario=first)
    frozen = list(first.rows.values_list("project_name", "asked", "amount"))

    # The plan is returned, its project now asks for more, and it is submitted again.
    doc_a = plans["a"]
    workflow.do_transition(doc_a, "start_appraisal", actor=cast.appraiser)  # type: ignore[arg-type]
    doc_a.refresh_from_db()  # type: ignore[attr-defined]
    workflow.do_transition(doc_a, "return", actor=cast.appraiser, reason="Sửa")  # type: ignore[arg-type]
    doc_a.refresh_from_db()  # type: ignore[attr-defined]
    key = plans["keys_a"][0]  # type: ignore[index]
    entry = doc_a.entries.get(key=key)  # type: ignore[attr-defined]
    content = project("Nền tảng tích hợp dữ liệu tỉnh", "9.000")
    do_save_entry(doc_a, key, entry.revision, content, actor=cast.editor_a, locale="vi")  # type: ignore[arg-type]
    workflow.do_transition(doc_a, "resubmit", actor=cast.editor_a)  # type: ignore[arg-type]
    live = {p.project_name: p.asked for p in proposals(pool)}
    assert live["Nền tảng tích hợp dữ liệu tỉnh"] == 9_000_000_000  # the plans moved
    assert list(first.rows.values_list("project_name", "asked", "amount")) == frozen  # not it


def test_a_mark_on_a_row_that_is_no_proposal_is_refused(
    cast: Cast, plans: dict[str, object]
) -> None:
    pool = pool_2027(cast.central_admin)
    with pytest.raises(Refused):
        do_mark_proposal(
            pool,
            document_id=plans["a"].pk,  # type: ignore[attr-defined]
            entry_key=plans["keys_a"][2],  # type: ignore[index]  # provincial budget only
            shared_platform=True,
            investment_decided=True,
            note="",
            actor=cast.central_admin,
        )
    assert not ProposalMark.objects.exists()


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be greater than 0."),
        ("-5", "The amount must be greater than 0."),
        ("100000000000000000000", "The amount must be below 10^18 đồng."),
        ("abc", "Write a whole number of đồng, for example 200.000.000.000."),
        ("1,5", "Write a whole number of đồng, without decimals."),
    ],
)
def test_the_pool_form_refuses_bad_amounts_and_saves_nothing(
    cast: Cast, amount: str, message: str
) -> None:
    from tests.conftest import example_version

    client = login(cast.central_admin)
    response = client.post(
        reverse("allocation_pools"),
        {
            "name": "Nguồn",
            "amount": amount,
            "year": "2027",
            "frameworks": [example_version().framework.pk],
        },
    )
    assert response.status_code == 200
    with translation.override("vi"):
        assert response.context["form"].errors["amount"] == [translation.gettext(message)]
    assert not Pool.objects.exists()


def test_the_scenario_form_puts_each_problem_beside_its_field(cast: Cast) -> None:
    pool = pool_2027(cast.central_admin)
    client = login(cast.central_admin)
    response = client.post(
        reverse("allocation_scenario_new", args=[pool.pk]),
        {
            "name": "X",
            "agency_cap": "150%",
            "project_cap": "0",
            "province_minimum": "abc",
            "unit_kind_weights": "province=-1",
            "field_weights": "nonsense",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"province_minimum", "field_weights"}  # checked first
    response = client.post(
        reverse("allocation_scenario_new", args=[pool.pk]),
        {"name": "X", "agency_cap": "150%", "project_cap": "0", "unit_kind_weights": "province=-1"},
    )
    assert set(response.context["form"].errors) == {
        "agency_cap",
        "project_cap",
        "unit_kind_weights",
    }
    assert not Scenario.objects.exists()


def test_an_agency_sees_its_own_rows_and_no_export(cast: Cast, plans: dict[str, object]) -> None:
    pool = pool_2027(cast.central_admin, amount="4000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    page = login(cast.editor_b).get(reverse("allocation_scenario", args=[pool.pk, scenario.pk]))
    text = page.content.decode()
    assert "Cổng dịch vụ công thành phố" in text
    assert "Nền tảng tích hợp dữ liệu tỉnh" not in text
    export = reverse("allocation_appendix", args=[pool.pk, scenario.pk, "docx"])
    assert login(cast.editor_b).get(export).status_code == 403
    assert login(cast.appraiser).get(export).status_code == 200


def test_the_appendix_in_docx_and_xlsx(
    cast: Cast, plans: dict[str, object], tmp_path: Path
) -> None:
    import datetime as dt

    from python_calamine import CalamineWorkbook

    pool = pool_2027(cast.central_admin, amount="4000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    do_approve_scenario(
        scenario, actor=cast.central_admin, decision_number="15", decision_date=dt.date(2027, 1, 5)
    )
    client = login(cast.central_admin)
    response = client.get(reverse("allocation_appendix", args=[pool.pk, scenario.pk, "docx"]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Phụ lục I"
    assert (
        "(Kèm theo Quyết định số 15/QĐ-BKHCN ngày 05/01/2027 của Bộ Khoa học và Công nghệ)" in texts
    )
    scenario.refresh_from_db()
    assert (scenario.issuer_name, scenario.issuer_code) == ("Bộ Khoa học và Công nghệ", "BKHCN")
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "Tổng cộng" in cells and "4.000.000.000" in cells
    assert "1.846.011.845" in cells  # 4 billion × 3 / 6,5005 billion, rounded down
    response = client.get(reverse("allocation_appendix", args=[pool.pk, scenario.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    body = [r for r in rows if r and str(r[0]).isdigit()]
    assert sum(int(r[4]) for r in body) == 4_000_000_000
    total = next(r for r in rows if r and r[0] == "Tổng cộng")
    assert int(total[4]) == 4_000_000_000
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        assert "<f>SUM(E6:E8)</f>" in z.read("xl/worksheets/sheet1.xml").decode()
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "phu-luc.docx"
    path.write_bytes(
        client.get(reverse("allocation_appendix", args=[pool.pk, scenario.pk, "docx"])).content
    )
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (tmp_path / "phu-luc.pdf").stat().st_size > 1000


def test_the_estimate_covers_what_the_pool_allocated(cast: Cast, plans: dict[str, object]) -> None:
    pool = pool_2027(cast.central_admin, amount="4000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    do_approve_scenario(scenario, actor=cast.central_admin)
    client = login(cast.appraiser)
    response = client.get(
        reverse("allocation_estimate"),
        {"framework": pool.frameworks.get().pk, "year_from": 2027, "year_to": 2027},
    )
    assert response.status_code == 200
    year = response.context["result"]["years"][0]
    assert year["central"] == "6.500,5"  # million VND asked of the central budget
    assert year["covered"] == "4.000.000.000"
    assert year["left"] == "2.500.500.000"
    assert login(cast.editor_a).get(reverse("allocation_estimate")).status_code == 403
    xlsx = client.get(
        reverse("allocation_estimate_xlsx"),
        {"framework": pool.frameworks.get().pk, "year_from": 2027, "year_to": 2027},
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_spent_and_remaining_are_shown_for_an_approved_allocation(
    cast: Cast, plans: dict[str, object]
) -> None:
    pool = pool_2027(cast.central_admin, amount="4000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    do_approve_scenario(scenario, actor=cast.central_admin)
    page = login(cast.central_admin).get(
        reverse("allocation_scenario", args=[pool.pk, scenario.pk])
    )
    spent = page.context["spent"]
    assert spent["spent"] == "0"  # no report yet: nothing spent, all remains
    assert spent["remaining"] == "4.000.000.000"
    assert all(not x["s"].reported for x in spent["rows"])


def test_allocation_rows_are_decimals_in_whole_dong(cast: Cast, plans: dict[str, object]) -> None:
    pool = pool_2027(cast.central_admin, amount="4000000000")
    do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    for amount in Allocation.objects.values_list("amount", flat=True):
        assert isinstance(amount, Decimal) and amount == amount.to_integral_value()


def test_spent_is_matched_by_unit_and_name_and_the_rest_listed_unmatched(
    cast: Cast, plans: dict[str, object]
) -> None:
    """A results report's project rows (their facts written here as the store would: the
    demo has no report with central-budget projects) are matched to the allocation by unit
    and name, case and spaces aside; a project the allocation does not know is listed."""
    from govplan.documents.actions import do_create_document
    from govplan.facts.models import BudgetFact
    from govplan.frameworks.models import FrameworkVersion

    pool = pool_2027(cast.central_admin, amount="4000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    do_approve_scenario(scenario, actor=cast.central_admin)
    version = FrameworkVersion.objects.get(framework__code="BC-UDCNTT-2017", status="published")
    report = do_create_document(unit=cast.province_b, version=version, actor=cast.editor_b)
    common = {
        "document": report,
        "layer": "submitted",
        "revision": 1,
        "org_unit": cast.province_b,
        "unit_kind": cast.province_b.kind,
        "unit_path": cast.province_b.path,
        "framework_version": version,
        "document_kind": "report",
        "period_start": 2027,
        "period_end": 2027,
        "collection": "table:projects",
        "year": 2027,
        "funding_source": "central_budget",
        "funding_type": "capital",
    }
    BudgetFact.objects.create(
        **common,
        entry_key="row:projects:r1",
        project_name="  cổng DỊCH VỤ công  thành phố",
        amount=Decimal("1000.5"),
    )
    BudgetFact.objects.create(
        **common,
        entry_key="row:projects:r2",
        project_name="Dự án không có trong phân bổ",
        amount=Decimal("7"),
    )
    page = login(cast.central_admin).get(
        reverse("allocation_scenario", args=[pool.pk, scenario.pk])
    )
    spent = page.context["spent"]
    by_name = {x["s"].row.project_name: x for x in spent["rows"]}
    matched = by_name["Cổng dịch vụ công thành phố"]
    assert matched["s"].reported and matched["spent"] == "1.000.500.000"
    allocated = int(matched["s"].row.amount)
    assert matched["s"].remaining == allocated - 1_000_500_000
    assert not by_name["Nền tảng tích hợp dữ liệu tỉnh"]["s"].reported
    assert [(u["u"].project_name, u["spent"]) for u in spent["unmatched"]] == [
        ("Dự án không có trong phân bổ", "7.000.000")
    ]


def test_the_issuer_is_the_ministry_of_the_decision_day_and_stays_once_approved(
    cast: Cast, plans: dict[str, object]
) -> None:
    """Before March 2025 the central authority belonged to the Ministry of Information and
    Communications; an approved appendix keeps the issuer it was approved with."""
    import datetime as dt

    from govplan.orgunits.models import OrgUnit, OrgUnitName

    pool = pool_2027(cast.central_admin, amount="4000000000")
    draft = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    draft.decision_date = dt.date(2024, 12, 20)
    assert appendix_data(draft).issuer_name == "Bộ Thông tin và Truyền thông"
    assert appendix_data(draft).issuer_code == "BTTTT"
    do_approve_scenario(
        draft, actor=cast.central_admin, decision_number="9", decision_date=dt.date(2027, 1, 5)
    )
    draft.refresh_from_db()
    # A later renaming of the ministry does not rewrite what was approved.
    ministry = OrgUnit.objects.get(scheme="govplan", code="BKHCN")
    OrgUnitName.objects.create(
        unit=ministry, valid_from=dt.date(2026, 1, 1), name="Bộ Khoa học, Công nghệ và Số"
    )
    data = appendix_data(draft)
    assert (data.issuer_name, data.issuer_code) == ("Bộ Khoa học và Công nghệ", "BKHCN")


def test_a_scenario_whose_proposals_changed_is_not_approved_until_computed_again(
    cast: Cast, plans: dict[str, object]
) -> None:
    pool = pool_2027(cast.central_admin, amount="4000000000")
    scenario = do_save_scenario(pool, name="A", rules_data=RULES, actor=cast.central_admin)
    client = login(cast.central_admin)
    url = reverse("allocation_scenario", args=[pool.pk, scenario.pk])
    assert 'id="stale"' not in client.get(url).content.decode()
    # The central authority learns that a project is a shared platform: the rows were
    # computed without that priority.
    do_mark_proposal(
        pool,
        document_id=plans["b"].pk,  # type: ignore[attr-defined]
        entry_key=plans["keys_b"][0],  # type: ignore[index]
        shared_platform=True,
        investment_decided=False,
        note="",
        actor=cast.central_admin,
    )
    assert 'id="stale"' in client.get(url).content.decode()
    with pytest.raises(Refused) as refused:
        do_approve_scenario(scenario, actor=cast.central_admin)
    assert "tính lại" in refused.value.message
    scenario.refresh_from_db()
    assert not scenario.is_approved
    # Computed again with the same rules, it is current and can be approved.
    scenario = do_save_scenario(
        pool, name="A", rules_data=RULES, actor=cast.central_admin, scenario=scenario
    )
    assert 'id="stale"' not in client.get(url).content.decode()
    assert do_approve_scenario(scenario, actor=cast.central_admin).is_approved
