"""The checks every framework gets and the framework's own rules, run on real documents:
each finding names the place (section, entry, field) where the editor page marks it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
from govplan.documents.models import Document, Entry
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.workflow import actions
from govplan.workflow.validation import Finding, validate
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

TEMPLATE = """
format: govplan/framework@1
code: TEST-KT-{year}
kind: plan
title: Kế hoạch thử kiểm tra năm {year}
period: {{from: {year}, to: {year}}}
issued_by: {{number: {year}/TEST, date: 2026-09-01, issuer: Bộ Khoa học và Công nghệ}}
applies_to: {{kinds: [province, commune]}}
{follows}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2099-12-20
checks: {{change_threshold: 0.5}}
sections:
  - number: I
    title: HIỆN TRẠNG
    narrative: true
    indicators: [DVC.TONG_SO, HT.LAN]
  - number: II
    title: MỤC TIÊU
    targets:
      indicators: [DVC.TONG_SO]
      free_text: true
  - number: III
    title: DỰ ÁN
    tables:
      - code: projects
        title: Danh mục dự án
        columns:
          - {{code: name, title: Tên dự án, type: text, role: project_name}}
          - code: status
            title: Tình trạng
            type: choice
            role: project_status
            choices: [{{code: new, title: Dự án mới}}, {{code: continuing, title: Chuyển tiếp}}]
          - {{code: total, title: Tổng mức đầu tư, type: money, role: total_investment}}
          - code: amount
            title: Kinh phí năm {year}
            type: money
            role: year_amount
            year: {year}
        phasing:
          sources: [central_budget, provincial_budget]
          types: [capital, recurrent]
rules:
  - code: R-TABLE
    check: 'count(@{{projects}}, @{{projects.status}} = "new") <= 2'
    message: Không quá 2 dự án mới trong năm.
    importance: error
  - code: R-SUM
    check: "sum(@{{projects.amount}}) <= 5000"
    message: Tổng kinh phí năm không quá 5.000 triệu đồng.
    importance: warning
  - code: R-PREV
    check: "#{{DVC.TONG_SO}} >= previous(#{{DVC.TONG_SO}})"
    message: Số dịch vụ công không giảm so với năm trước.
    importance: warning
  - code: R-SUB
    check: "subunits(#{{DVC.TONG_SO}}) <= #{{DVC.TONG_SO}}"
    message: Tổng số dịch vụ công của các xã không vượt số của tỉnh.
    importance: error
  - code: R-DIV
    check: "#{{DVC.TONG_SO}} / (#{{HT.LAN.denominator}} - 100) >= 1"
    message: Quy tắc chia cho không khi mẫu số bằng 100.
    importance: error
"""


def version(cast: Cast, year: int, follows: int | None = None):  # type: ignore[no-untyped-def]
    text = TEMPLATE.format(year=year, follows=f"follows: TEST-KT-{follows}" if follows else "")
    draft = do_upload_framework(text, actor=cast.central_admin)
    return do_publish(
        draft,
        actor=cast.central_admin,
        deadline=draft.deadline,
        kinds=["province", "commune"],
        unit_refs=[],
    )


def save(document: Document, key: str, content: dict[str, Any], cast: Cast) -> None:
    do_save_entry(document, key, 0, content, actor=cast.editor_a, locale="vi")


def fill_basics(document: Document, cast: Cast, *, count: str = "100", lan: str = "90") -> None:
    editor = cast.commune_editor_a if document.org_unit == cast.commune_a else cast.editor_a
    for key, content in (
        ("narrative:I", {"html": "<p>Hiện trạng.</p>"}),
        ("value:DVC.TONG_SO", {"cells": {"": count}}),
        ("value:HT.LAN", {"cells": {"": {"n": lan, "d": "100"}}}),
    ):
        do_save_entry(document, key, 0, content, actor=editor, locale="vi")


def add_project(document: Document, cast: Cast, **cells: str) -> Entry:
    phasing = cells.pop("phasing", {})
    return do_add_entry(
        document,
        "row:projects",
        {"cells": cells, "phasing": phasing},
        actor=cast.editor_a,
        locale="vi",
    )


def add_target(document: Document, cast: Cast, **fields: str) -> Entry:
    return do_add_entry(document, "target:II", fields, actor=cast.editor_a, locale="vi")


def by_id(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check_id: f for f in findings}


def test_an_empty_document_lists_what_is_required_where_it_is(cast: Cast) -> None:
    document = do_create_document(
        unit=cast.province_a, version=version(cast, 2027), actor=cast.editor_a
    )
    found = by_id(validate(document).findings)
    assert found["required:narrative:I"].anchor == "narrative:I"
    assert found["required:value:DVC.TONG_SO"].anchor == "value:DVC.TONG_SO"
    assert found["required:table:projects"].anchor == "table:projects"
    assert found["targets:quantified:II"].section == "II"
    assert {f.importance for f in found.values() if f.check_id.startswith("required:")} == {"error"}
    # Rules whose values are missing are skipped, not failed.
    assert not [f for f in found if f.startswith("rule:")]


def test_targets_must_be_measurable_and_inside_the_period(cast: Cast) -> None:
    document = do_create_document(
        unit=cast.province_a, version=version(cast, 2027), actor=cast.editor_a
    )
    fill_basics(document, cast)
    words = add_target(document, cast, text="Nâng cao chất lượng dịch vụ")
    found = by_id(validate(document).findings)
    assert "targets:quantified:II" in found
    assert (
        found[f"targets:text:{words.key}"].importance,
        found[f"targets:text:{words.key}"].field,
    ) == (
        "warning",
        "indicator",
    )
    measured = add_target(document, cast, indicator="DVC.TONG_SO", target="150", year="2027")
    found = by_id(validate(document).findings)
    assert "targets:quantified:II" not in found
    # A year the form would refuse can still arrive with carried-over data.
    Entry.objects.filter(pk=measured.pk).update(content={**measured.content, "year": 2031})
    finding = by_id(validate(document).findings)[f"targets:year:{measured.key}"]
    assert (finding.importance, finding.anchor, finding.field) == ("error", measured.key, "year")
    assert "2031" in finding.message and "2027" in finding.message


def test_project_amounts_must_match_their_phasing_and_total(cast: Cast) -> None:
    document = do_create_document(
        unit=cast.province_a, version=version(cast, 2027), actor=cast.editor_a
    )
    fill_basics(document, cast)
    good = add_project(
        document,
        cast,
        name="Nền tảng LGSP",
        status="new",
        total="1.000",
        amount="600",
        phasing={"2027|central_budget|capital": "400", "2027|provincial_budget|recurrent": "200"},
    )
    assert not [f for f in validate(document).findings if good.key in f.check_id]
    wrong_year = add_project(
        document,
        cast,
        name="Kho dữ liệu",
        total="1.000",
        amount="700",
        phasing={"2027|central_budget|capital": "500"},
    )
    too_much = add_project(
        document,
        cast,
        name="Trung tâm điều hành",
        total="300",
        amount="400",
        phasing={"2027|central_budget|capital": "400"},
    )
    found = by_id(validate(document).findings)
    year = found[f"total:year:{wrong_year.key}:2027"]
    assert (year.importance, year.anchor, year.field, year.section) == (
        "error",
        wrong_year.key,
        "amount",
        "III",
    )
    assert "Kho dữ liệu" in year.message and "700" in year.message and "500" in year.message
    over = found[f"total:investment:{too_much.key}"]
    assert (over.anchor, over.field) == (too_much.key, "total")
    # Negative money from old data is an error at its cell.
    Entry.objects.filter(pk=good.pk).update(
        content={**good.content, "cells": {**good.content["cells"], "total": "-5"}}
    )
    negative = by_id(validate(document).findings)[f"negative:{good.key}:total"]
    assert (negative.importance, negative.field) == ("error", "total")


def exceed_the_whole(document: Document) -> None:
    """The form refuses a share above its whole; data carried from elsewhere may not."""
    Entry.objects.filter(document=document, key="value:HT.LAN").update(
        content={"cells": {"": {"n": "120", "d": "100"}}}
    )


def test_a_share_cannot_exceed_its_whole(cast: Cast) -> None:
    document = do_create_document(
        unit=cast.province_a, version=version(cast, 2027), actor=cast.editor_a
    )
    fill_basics(document, cast)
    exceed_the_whole(document)
    finding = by_id(validate(document).findings)["ratio:value:HT.LAN:"]
    assert (finding.importance, finding.anchor, finding.field) == ("error", "value:HT.LAN", "")
    assert "120" in finding.message and "100" in finding.message


def test_rules_over_tables_previous_cycle_and_sub_units(cast: Cast) -> None:
    v2026 = version(cast, 2026)
    v2027 = version(cast, 2027, follows=2026)
    before = do_create_document(unit=cast.province_a, version=v2026, actor=cast.editor_a)
    fill_basics(before, cast, count="120")
    document = do_create_document(unit=cast.province_a, version=v2027, actor=cast.editor_a)
    fill_basics(document, cast, count="100")
    for name in ("A", "B", "C"):
        add_project(
            document, cast, name=f"Dự án {name}", status="new", total="2.000", amount="2.000"
        )
    commune = do_create_document(unit=cast.commune_a, version=v2027, actor=cast.commune_editor_a)
    fill_basics(commune, cast, count="130")
    found = by_id(validate(document).findings)
    assert found["rule:R-TABLE"].importance == "error"
    assert found["rule:R-TABLE"].anchor == "table:projects"
    assert found["rule:R-SUM"].importance == "warning"
    assert "6000" in found["rule:R-SUM"].message.replace(".", "")
    previous = found["rule:R-PREV"]
    assert (previous.importance, previous.anchor) == ("warning", "value:DVC.TONG_SO")
    assert "120" in previous.message  # the values that failed it are shown
    assert found["rule:R-SUB"].importance == "error"
    # The division by zero is a rule problem, reported as a warning, not a crash.
    problem = found["rule:R-DIV"]
    assert problem.importance == "warning"
    assert "R-DIV" in problem.message


def test_a_value_that_jumps_against_the_units_history_is_questioned(cast: Cast) -> None:
    # Two cycles: the framework's threshold (±50 %) decides.
    v2026 = version(cast, 2026)
    v2027 = version(cast, 2027, follows=2026)
    before = do_create_document(unit=cast.province_a, version=v2026, actor=cast.editor_a)
    fill_basics(before, cast, count="100")
    document = do_create_document(unit=cast.province_a, version=v2027, actor=cast.editor_a)
    fill_basics(document, cast, count="140")
    assert "change:value:DVC.TONG_SO:" not in by_id(validate(document).findings)
    save_again(document, "value:DVC.TONG_SO", {"cells": {"": "160"}}, cast)
    jump = by_id(validate(document).findings)["change:value:DVC.TONG_SO:"]
    assert (jump.importance, jump.anchor, jump.field) == ("warning", "value:DVC.TONG_SO", "")
    assert "60" in jump.message


def test_with_three_earlier_cycles_a_robust_z_score_decides(cast: Cast) -> None:
    versions = [version(cast, 2024)]
    for year in (2025, 2026, 2027):
        versions.append(version(cast, year, follows=year - 1))
    for v, count in zip(versions[:3], ("100", "104", "98"), strict=True):
        earlier = do_create_document(unit=cast.province_a, version=v, actor=cast.editor_a)
        fill_basics(earlier, cast, count=count)
    document = do_create_document(unit=cast.province_a, version=versions[3], actor=cast.editor_a)
    fill_basics(document, cast, count="103")
    assert "change:value:DVC.TONG_SO:" not in by_id(validate(document).findings)
    # 140 is within ±50 % of the last value (98), but far outside a tight history.
    save_again(document, "value:DVC.TONG_SO", {"cells": {"": "140"}}, cast)
    jump = by_id(validate(document).findings)["change:value:DVC.TONG_SO:"]
    assert "100" in jump.message  # the median of the unit's history


def save_again(document: Document, key: str, content: dict[str, Any], cast: Cast) -> None:
    entry = Entry.objects.get(document=document, key=key)
    do_save_entry(document, key, entry.revision, content, actor=cast.editor_a, locale="vi")


def test_errors_block_and_the_editor_page_gets_the_findings_with_their_places(
    cast: Cast,
) -> None:
    document = do_create_document(
        unit=cast.province_a, version=version(cast, 2027), actor=cast.editor_a
    )
    fill_basics(document, cast)
    exceed_the_whole(document)
    with pytest.raises(actions.Refused):
        actions.do_transition(document, "submit", actor=cast.editor_a)
    client = Client()
    client.force_login(cast.editor_a)
    data = client.get(reverse("document_check_data", args=[document.pk])).json()
    ratio = next(f for f in data["findings"] if f["anchor"] == "value:HT.LAN")
    assert (ratio["importance"], ratio["field"], ratio["section"]) == ("error", "", "I")
    assert data["blocking"] == len([f for f in data["findings"] if not f["explained"]])
    assert data["summary"].startswith(
        f"{sum(f['importance'] == 'error' for f in data['findings'])} lỗi"
    )
    # The check page links each finding to its mark on the editor page.
    page = client.get(reverse("document_check", args=[document.pk])).content.decode()
    assert f"{reverse('document_edit', args=[document.pk])}?check=1#finding-1" in page
    # Someone without access to the document learns nothing about it.
    outsider = Client()
    outsider.force_login(cast.editor_b)
    assert outsider.get(reverse("document_check_data", args=[document.pk])).status_code == 404
