"""History across the 2025 reorganisation (issue 11, cases 9 and 10).

- The previous cycle of a unit formed from several is all of them: additive values summed
  (ratios as sums of numerators and denominators), other values listed per predecessor, a
  partial predecessor listed and never added; the anomaly check, previous() rules and the
  carry-over use it.
- Sub-units are those of the structure on the document's date (its framework's reference
  date), not today's tree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
from govplan.documents.models import Document, Entry
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.orgunits.actions import do_create_unit
from govplan.orgunits.models import Kind, OrgUnit
from govplan.workflow.validation import validate
from tests.conftest import BEFORE_REFORM, Cast, unit
from tests.support.documents import page_grid

pytestmark = pytest.mark.django_db

TEMPLATE = """
format: govplan/framework@1
code: TEST-LS-{start}
kind: plan
title: Kế hoạch thử lịch sử {start}-{end}
period: {{from: {start}, to: {end}}}
issued_by: {{number: {start}/TEST, date: {issued}, issuer: Bộ Thông tin và Truyền thông}}
applies_to: {{kinds: [province, commune]}}
{follows}
reporting:
  recipient: Bộ Thông tin và Truyền thông
  delivery: [system]
  frequency: annual
  deadline: {deadline}
checks: {{change_threshold: 0.5}}
sections:
  - number: I
    title: HIỆN TRẠNG
    narrative: true
    indicators: [DVC.TONG_SO, HT.LAN, LGSP.TRIEN_KHAI]
  - number: II
    title: DỰ ÁN
    tables:
      - code: projects
        title: Danh mục dự án
        columns:
          - {{code: name, title: Tên dự án, type: text, role: project_name}}
          - {{code: duration, title: Thời gian thực hiện, type: year_range, role: duration}}
          - code: status
            title: Tình trạng
            type: choice
            role: project_status
            choices: [{{code: new, title: Dự án mới}}, {{code: continuing, title: Chuyển tiếp}}]
          - {{code: total, title: Tổng mức đầu tư, type: money, role: total_investment}}
rules:
  - code: R-PREV
    check: "#{{DVC.TONG_SO}} >= previous(#{{DVC.TONG_SO}})"
    message: Số dịch vụ công không giảm so với kỳ trước.
    importance: warning
  - code: R-SUB
    check: "subunits(#{{DVC.TONG_SO}}) <= #{{DVC.TONG_SO}}"
    message: Tổng số dịch vụ công của các đơn vị cấp dưới không vượt số của đơn vị.
    importance: error
"""


def publish(  # type: ignore[no-untyped-def]
    cast: Cast,
    start: int,
    end: int | None = None,
    follows: int | None = None,
    kinds: tuple[str, ...] = ("province", "commune"),
):
    """A test framework for ``start``-``end`` whose deadline is 20/12 of the year before:
    its target units are those in force then."""
    text = TEMPLATE.format(
        start=start,
        end=end or start,
        issued=f"{start - 1}-09-01",
        deadline=f"{start - 1}-12-20",
        follows=f"follows: TEST-LS-{follows}" if follows else "",
    )
    draft = do_upload_framework(text, actor=cast.central_admin)
    return do_publish(
        draft,
        actor=cast.central_admin,
        deadline=draft.deadline,
        kinds=list(kinds),
        unit_refs=[],
    )


def save(document: Document, key: str, content: dict[str, Any], actor: Any) -> None:
    entry = Entry.objects.filter(document=document, key=key).first()
    do_save_entry(document, key, entry.revision if entry else 0, content, actor=actor, locale="vi")


def fill(document: Document, actor: Any, count: str, lan: tuple[str, str], lgsp: bool) -> None:
    save(document, "narrative:I", {"html": "<p>Hiện trạng.</p>"}, actor)
    save(document, "value:DVC.TONG_SO", {"cells": {"": count}}, actor)
    save(document, "value:HT.LAN", {"cells": {"": {"n": lan[0], "d": lan[1]}}}, actor)
    save(document, "value:LGSP.TRIEN_KHAI", {"cells": {"": "1" if lgsp else "0"}}, actor)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def previous_beside(page: str, code: str) -> str:
    """The "previous cycle" note shown beside an indicator's field on the editor page."""
    row = page.split(f'data-key="value:{code}"')[1].split("</tr>")[0]
    assert '<span class="previous"' in row, row
    return row.split('<span class="previous"')[1].split(">", 1)[1].split("</span>")[0]


@pytest.fixture
def old_bac_giang() -> OrgUnit:
    return unit("gso-province", "24", BEFORE_REFORM)


@pytest.fixture
def old_bac_ninh() -> OrgUnit:
    return unit("gso-province", "27", BEFORE_REFORM)


@pytest.fixture
def merged(cast: Cast, old_bac_giang: OrgUnit, old_bac_ninh: OrgUnit) -> Document:
    """The old Bắc Giang (100 services, LAN 30/100, LGSP yes) and the old Bắc Ninh (40,
    10/50, no LGSP) filed their 2024 plans; the new Bắc Ninh writes its 2026 plan."""
    v2024 = publish(cast, 2024)
    v2026 = publish(cast, 2026, follows=2024)
    assert v2024.targets.filter(org_unit=old_bac_giang).exists()
    assert v2026.targets.filter(org_unit=cast.province_a).exists()
    for old, count, lan, lgsp in (
        (old_bac_giang, "100", ("30", "100"), True),
        (old_bac_ninh, "40", ("10", "50"), False),
    ):
        document = do_create_document(unit=old, version=v2024, actor=cast.central_admin)
        fill(document, cast.central_admin, count, lan, lgsp)
    # Hà Nội did not change: its previous cycle is its own document, shown as before.
    own = do_create_document(unit=cast.province_b, version=v2024, actor=cast.editor_b)
    fill(own, cast.editor_b, "80", ("1", "2"), True)
    do_create_document(unit=cast.province_b, version=v2026, actor=cast.editor_b)
    return do_create_document(unit=cast.province_a, version=v2026, actor=cast.editor_a)


def test_a_merged_provinces_previous_cycle_is_the_sum_of_its_predecessors(
    cast: Cast, merged: Document
) -> None:
    page = client_for(cast.editor_a).get(reverse("document_edit", args=[merged.pk]))
    text = page.content.decode()
    assert previous_beside(text, "DVC.TONG_SO") == "140 (Bắc Giang 100 + Bắc Ninh 40)"
    # A ratio: the sum of numerators over the sum of denominators (40/150), not 30 % + 20 %.
    assert previous_beside(text, "HT.LAN").startswith("40/150 (26,7%) (Bắc Giang 30/100")
    # A yes/no does not add up: each predecessor's answer is listed.
    assert previous_beside(text, "LGSP.TRIEN_KHAI") == "Bắc Giang: có; Bắc Ninh: không"
    # Both documents of the previous cycle are named, not one of them.
    header = text.split("doc-header")[1].split("</header>")[0]
    assert "2024-2024 – Tỉnh Bắc Giang" in header and "2024-2024 – Tỉnh Bắc Ninh" in header
    hanoi = Document.objects.get(org_unit=cast.province_b, framework=merged.framework)
    page = client_for(cast.editor_b).get(reverse("document_edit", args=[hanoi.pk]))
    assert previous_beside(page.content.decode(), "DVC.TONG_SO") == "80"


def test_the_anomaly_check_and_previous_rules_compare_with_the_sum(
    cast: Cast, merged: Document
) -> None:
    fill(merged, cast.editor_a, "300", ("60", "150"), True)
    found = {f.check_id: f for f in validate(merged).findings}
    jump = found["change:value:DVC.TONG_SO:"]
    assert "140" in jump.message and "300" in jump.message
    assert "rule:R-PREV" not in found  # 300 ≥ 140

    save(merged, "value:DVC.TONG_SO", {"cells": {"": "120"}}, cast.editor_a)
    found = {f.check_id: f for f in validate(merged).findings}
    assert "change:value:DVC.TONG_SO:" not in found  # 120 is within ±50 % of 140
    # 120 is more than either predecessor alone, but less than the two together.
    assert found["rule:R-PREV"].importance == "warning"
    assert "140" in found["rule:R-PREV"].message


def test_carry_over_brings_each_predecessors_continuing_projects_with_their_origin(
    cast: Cast, old_bac_giang: OrgUnit, old_bac_ninh: OrgUnit
) -> None:
    v2024 = publish(cast, 2024)
    v2026 = publish(cast, 2026, follows=2024)
    for old, project in ((old_bac_giang, "Trục LGSP Bắc Giang"), (old_bac_ninh, "Kho dữ liệu")):
        document = do_create_document(unit=old, version=v2024, actor=cast.central_admin)
        for cells in (
            {"name": project, "duration": "2024-2027", "status": "continuing", "total": "900"},
            {"name": f"Xong năm 2024 ({old.name})", "duration": "2024", "status": "new"},
        ):
            do_add_entry(
                document, "row:projects", {"cells": cells}, actor=cast.central_admin, locale="vi"
            )
    client = client_for(cast.editor_a)
    unit_page = client.get(reverse("unit_detail", args=[cast.province_a.pk])).content.decode()
    form = unit_page.split(f'name="version" value="{v2026.pk}"')[1].split("</form>")[0]
    # The form offers the previous cycle of both predecessors, each named.
    assert "Tỉnh Bắc Giang" in form and "Tỉnh Bắc Ninh" in form
    client.post(
        reverse("document_create"),
        {"unit": cast.province_a.pk, "version": v2026.pk, "carry_over": "1"},
    )
    new = Document.objects.get(org_unit=cast.province_a, framework=v2026.framework)
    rows = Entry.objects.filter(document=new, kind="row").select_related("origin__org_unit")
    carried = {r.content["cells"]["name"]: r.origin.org_unit for r in rows}
    assert carried == {"Trục LGSP Bắc Giang": old_bac_giang, "Kho dữ liệu": old_bac_ninh}
    page = client.get(reverse("document_edit", args=[new.pk])).content.decode()
    shown = {r["key"]: r["origin"] for r in page_grid(page, "projects")}
    for key, origin in ((r.key, r.origin) for r in rows):
        assert origin.org_unit.name in shown[key]  # the origin is shown on each carried row


def test_a_partial_predecessor_is_listed_and_never_added(cast: Cast) -> None:
    """Xã Ngọc Đường (Tuyên Quang) took the whole old Ngọc Đường and part of Yên Định: what
    share of Yên Định's figures belong to it is unknown, so nothing is summed."""
    v2024 = publish(cast, 2024)
    v2026 = publish(cast, 2026, follows=2024)
    whole = unit("gso-commune", "00700", BEFORE_REFORM)
    part = unit("gso-commune", "00988", BEFORE_REFORM)
    new = unit("gso-commune", "00700")
    for old, count in ((whole, "12"), (part, "30")):
        document = do_create_document(unit=old, version=v2024, actor=cast.central_admin)
        fill(document, cast.central_admin, count, ("1", "2"), True)
    document = do_create_document(unit=new, version=v2026, actor=cast.central_admin)
    page = client_for(cast.central_admin).get(reverse("document_edit", args=[document.pk]))
    assert previous_beside(page.content.decode(), "DVC.TONG_SO") == (
        "Ngọc Đường: 12; Yên Định (một phần): 30"
    )
    fill(document, cast.central_admin, "500", ("1", "2"), True)
    found = {f.check_id for f in validate(document).findings}
    # No single previous value stands for the new commune: neither 12 nor 42 is compared.
    assert "change:value:DVC.TONG_SO:" not in found
    assert "rule:R-PREV" not in found


# -- case 10: the structure on the document's date -------------------------------------------


def test_a_2011_2015_plans_sub_units_are_the_communes_of_2010(
    cast: Cast, old_bac_giang: OrgUnit
) -> None:
    version = publish(cast, 2011, 2015)
    assert version.units_resolved_on == dt.date(2010, 12, 20)
    communes = list(
        old_bac_giang.descendants(on=dt.date(2010, 12, 20))
        .filter(kind=Kind.COMMUNE)
        .order_by("code")[:2]
    )
    district = communes[0].parent
    # A commune formed in 2020 under the same district: not part of the 2010 structure.
    later = do_create_unit(
        actor=cast.central_admin,
        scheme="govplan",
        code="XA-2020",
        kind=Kind.COMMUNE,
        name="Xã Thành Lập 2020",
        parent=district,
        valid_from=dt.date(2020, 1, 1),
        valid_to=BEFORE_REFORM,
    )
    plan = do_create_document(unit=old_bac_giang, version=version, actor=cast.central_admin)
    fill(plan, cast.central_admin, "10", ("1", "2"), True)
    for commune, count in zip(communes, ("7", "5"), strict=True):
        document = do_create_document(unit=commune, version=version, actor=cast.central_admin)
        fill(document, cast.central_admin, count, ("1", "2"), True)
    # Filed by mistake against a framework written for a structure it was not part of.
    stray = Document.objects.create(
        org_unit=later,
        framework=version.framework,
        framework_version=version,
        kind="plan",
        title="x",
        period_start=2011,
        period_end=2015,
        created_by=cast.central_admin,
    )
    Entry.objects.create(
        document=stray, key="value:DVC.TONG_SO", kind="value", content={"cells": {"": {"v": "99"}}}
    )

    page = client_for(cast.editor_a).get(reverse("document_consolidated", args=[plan.pk]))
    text = page.content.decode()
    assert all(c.name in text for c in communes)
    assert later.name not in text
    assert "20/12/2010" in text  # which day's structure it is
    assert f"{reverse('unit_detail', args=[old_bac_giang.pk])}?as_of=2010-12-20" in text
    summed = text.split('<span class="code muted">DVC.TONG_SO</span>')[1].split("</tr>")[0]
    assert ">12<" in summed.replace("<br>", "<")  # 7 + 5, without the 2020 commune's 99

    # subunits() in a rule reads the same structure: 12 > 10 breaks the rule.
    found = {f.check_id: f for f in validate(plan).findings}
    assert found["rule:R-SUB"].importance == "error"
    assert "12" in found["rule:R-SUB"].message


def test_a_district_and_its_communes_are_not_counted_twice(
    cast: Cast, old_bac_giang: OrgUnit
) -> None:
    """Before 2025 a province had districts and communes under them: the district's plan
    already covers its communes, so the province's sum takes the district's figure, not the
    district's and its communes' together."""
    version = publish(cast, 2011, 2015, kinds=("province", "district", "commune"))
    day = dt.date(2010, 12, 20)
    communes = list(old_bac_giang.descendants(on=day).filter(kind=Kind.COMMUNE).order_by("code"))
    first = communes[0]
    district = first.parent
    elsewhere = next(c for c in communes if c.parent_id != district.pk)
    plan = do_create_document(unit=old_bac_giang, version=version, actor=cast.central_admin)
    fill(plan, cast.central_admin, "40", ("1", "2"), True)
    for unit_, count in ((district, "10"), (first, "4"), (elsewhere, "3")):
        document = do_create_document(unit=unit_, version=version, actor=cast.central_admin)
        fill(document, cast.central_admin, count, ("1", "2"), True)

    page = client_for(cast.editor_a).get(reverse("document_consolidated", args=[plan.pk]))
    text = page.content.decode()
    summed = text.split('<span class="code muted">DVC.TONG_SO</span>')[1].split("</tr>")[0]
    assert ">13<" in summed.replace("<br>", "<")  # the district's 10 + the other commune's 3
    assert (
        "counted in its parent unit" in text or "đã tính trong văn bản của đơn vị cấp trên" in text
    )
    # The rule reads the same: 13 <= 40 holds.
    found = {f.check_id for f in validate(plan).findings}
    assert "rule:R-SUB" not in found


PLAN_2021_2025 = """
format: govplan/framework@1
code: TEST-MT-2021
kind: plan
title: Kế hoạch thử mục tiêu 2021-2025
period: {from: 2021, to: 2025}
issued_by: {number: 21/TEST, date: 2020-09-01, issuer: Bộ Thông tin và Truyền thông}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Thông tin và Truyền thông
  delivery: [system]
  frequency: multi_year
  deadline: 2020-12-20
sections:
  - number: I
    title: MỤC TIÊU
    targets:
      indicators: [DVC.TONG_SO]
"""

REPORT_2025 = """
format: govplan/framework@1
code: TEST-BC-2025
kind: report
title: Báo cáo thử năm 2025
period: {from: 2025, to: 2025}
issued_by: {number: 25/TEST, date: 2025-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2025-12-20
sections:
  - number: I
    title: KẾT QUẢ THỰC HIỆN MỤC TIÊU
    target_results: true
"""


def test_a_merged_provinces_report_answers_its_predecessors_plans_targets(
    cast: Cast, old_bac_giang: OrgUnit, old_bac_ninh: OrgUnit
) -> None:
    admin = cast.central_admin
    published = []
    for text in (PLAN_2021_2025, REPORT_2025):
        draft = do_upload_framework(text, actor=admin)
        published.append(
            do_publish(
                draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
            )
        )
    plan_version, report_version = published
    for old, target in ((old_bac_giang, "80"), (old_bac_ninh, "60")):
        plan = do_create_document(unit=old, version=plan_version, actor=admin)
        do_add_entry(
            plan,
            "target:I",
            {"indicator": "DVC.TONG_SO", "baseline": "40", "target": target, "year": 2025},
            actor=admin,
            locale="vi",
        )
    report = do_create_document(unit=cast.province_a, version=report_version, actor=cast.editor_a)
    results = Entry.objects.filter(document=report, kind="result").select_related("origin")
    assert sorted((r.content["source"]["target"], r.origin.org_unit_id) for r in results) == sorted(
        [("80", old_bac_giang.pk), ("60", old_bac_ninh.pk)]
    )
    page = client_for(cast.editor_a).get(reverse("document_edit", args=[report.pk]))
    text = page.content.decode()
    assert "Tỉnh Bắc Giang (2021-2025)" in text and "Tỉnh Bắc Ninh (2021-2025)" in text
