"""Documents across cycles and levels: carry-over from last cycle, last cycle's values beside
the fields (through catalogue mappings), a report's results against the plan's targets, and
a parent's view of its sub-units."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.models import Document, Entry
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkVersion
from tests.conftest import Cast, example_version

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def create(client: Client, unit, version, carry: bool = False) -> Document:  # type: ignore[no-untyped-def]
    data = {"unit": unit.pk, "version": version.pk}
    if carry:
        data["carry_over"] = "1"
    client.post(reverse("document_create"), data)
    return Document.objects.get(org_unit=unit, framework=version.framework)


def test_a_new_cycle_starts_from_the_last(cast: Cast) -> None:
    client = client_for(cast.editor_b)  # Hà Nội exists in both cycles
    plan_2018 = FrameworkVersion.objects.get(framework__code="KH-UDCNTT-2018")
    old = create(client, cast.province_b, plan_2018)
    editor = cast.editor_b
    do_save_entry(old, "legal:I", 0, {"items": [{"code": "ND-64-2007"}]}, actor=editor, locale="vi")
    for cells in (
        {
            "name": "Trục liên thông LGSP",
            "duration": "2018-2028",
            "status": "continuing",
            "total": "1000",
            "amount_2018": "200",
        },
        {"name": "Mua máy tính 2018", "duration": "2018", "status": "new", "total": "50"},
    ):
        response = client.post(
            reverse("document_entry_add", args=[old.pk]),
            data=json.dumps({"container": "row:projects", "content": {"cells": cells}}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    new = create(client, cast.province_b, example_version(), carry=True)
    assert new.carried_from == old
    rows = list(Entry.objects.filter(document=new, kind="row"))
    assert len(rows) == 1  # the finished project stays behind
    cells = rows[0].content["cells"]
    assert cells["name"] == "Trục liên thông LGSP"
    assert cells["status"] == "continuing" and cells["duration"] == "2018-2028"
    assert cells["total"] == "1000"
    assert Entry.objects.get(document=new, key="legal:I").content == {
        "items": [{"code": "ND-64-2007"}]
    }


def small_framework(code: str, year: int, indicator: str, follows: str = "") -> str:
    return f"""
format: govplan/framework@1
code: {code}
kind: plan
title: Khung thử {year}
period: {{from: {year}, to: {year}}}
issued_by: {{number: 1/TEST, date: {year - 1}-09-01, issuer: Bộ Khoa học và Công nghệ}}
applies_to: {{kinds: [province]}}
{"follows: " + follows if follows else ""}
reporting:
  {{recipient: Bộ KH&CN, delivery: [system], frequency: annual, deadline: {year - 1}-12-20}}
sections:
  - number: I
    title: DỊCH VỤ CÔNG TRỰC TUYẾN
    indicators: [{indicator}]
"""


def test_last_cycles_values_show_beside_the_fields_through_mappings(cast: Cast) -> None:
    admin = cast.central_admin

    def publish(text: str) -> FrameworkVersion:
        draft = do_upload_framework(text, actor=admin)
        return do_publish(
            draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
        )

    old_version = publish(small_framework("TEST-DVC-2021", 2021, "DVC.TRUC_TUYEN_2011"))
    new_version = publish(small_framework("TEST-DVC-2023", 2023, "DVC.TRUC_TUYEN", "TEST-DVC-2021"))
    editor = cast.editor_b
    old = do_create_document(unit=cast.province_b, version=old_version, actor=editor)
    do_save_entry(
        old,
        "value:DVC.TRUC_TUYEN_2011",
        0,
        {"cells": {"M4": "12", "M3": "40", "M2": "7"}},
        actor=editor,
        locale="vi",
    )
    new = do_create_document(unit=cast.province_b, version=new_version, actor=editor)
    page = client_for(editor).get(reverse("document_edit", args=[new.pk])).content.decode()
    row = page.split('data-key="value:DVC.TRUC_TUYEN"')[1].split("</tr>\n          \n")[0]
    toan_trinh = row.split('data-cell="TOAN_TRINH"')[1].split("</td>")[0]
    mot_phan = row.split('data-cell="MOT_PHAN"')[1].split("</td>")[0]
    # Level 4 continues as "toàn trình", level 3 as "một phần"; level 2 has no successor.
    assert '<span class="previous"' in toan_trinh and ">12<" in toan_trinh
    assert ">40<" in mot_phan
    assert "DVC.TRUC_TUYEN_2011" in row


REPORT_2027 = """
format: govplan/framework@1
code: BC-THU-2027
kind: report
title: Đề cương báo cáo thử năm 2027
period: {from: 2027, to: 2027}
issued_by: {number: 1/TEST, date: 2027-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  cutoff: {from: 2026-12-15, to: 2027-12-14}
  deadline: 2027-12-20
sections:
  - number: I
    title: KẾT QUẢ THỰC HIỆN MỤC TIÊU
    target_results: true
    narrative: true
"""


def test_a_report_takes_the_plans_targets_and_computes_attainment(cast: Cast) -> None:
    plan = do_create_document(unit=cast.province_a, version=example_version(), actor=cast.editor_a)
    spec = plan.framework_version.parsed()
    section = next(s for s in spec.walk() if s.targets is not None)
    indicator = section.targets.indicators[0]
    client = client_for(cast.editor_a)
    response = client.post(
        reverse("document_entry_add", args=[plan.pk]),
        data=json.dumps(
            {
                "container": f"target:{section.code}",
                "content": {"indicator": indicator, "baseline": "40", "target": "80", "year": 2027},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    draft = do_upload_framework(REPORT_2027, actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    report = create(client, cast.province_a, version)
    results = list(Entry.objects.filter(document=report, kind="result"))
    assert len(results) == 1
    source = results[0].content["source"]
    assert (source["indicator"], source["baseline"], source["target"]) == (indicator, "40", "80")
    response = client.post(
        reverse("document_entry_save", args=[report.pk]),
        data=json.dumps(
            {
                "key": results[0].key,
                "base": 1,
                "content": {
                    "source": source,
                    "achieved": "70",
                    "status": "behind",
                    "obstacles": "Thiếu kinh phí",
                },
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    page = client.get(reverse("document_edit", args=[report.pk])).content.decode()
    assert "75,0%" in page  # from 40 to 80, 70 reached: three quarters of the way
    # The page sends the fields it shows, not the plan's target it came from: that stays.
    response = client.post(
        reverse("document_entry_save", args=[report.pk]),
        data=json.dumps(
            {
                "key": results[0].key,
                "base": 2,
                "content": {"text": "", "achieved": "60", "status": "behind", "obstacles": ""},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Entry.objects.get(key=results[0].key).content == {
        "source": source,
        "achieved": "60",
        "status": "behind",
    }


def test_a_parent_sums_its_sub_units_and_takes_the_sum(cast: Cast) -> None:
    version = example_version()
    assert version.targets.filter(org_unit=cast.commune_a).exists()
    province_doc = do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)
    commune_doc = do_create_document(
        unit=cast.commune_a, version=version, actor=cast.commune_editor_a
    )
    spec = version.parsed()
    ratio = next(
        u.indicator
        for s in spec.walk()
        for u in s.indicators
        if spec.indicators[u.indicator].type == "ratio"
        and spec.indicators[u.indicator].share
        and not spec.indicators[u.indicator].disaggregation
    )
    do_save_entry(
        commune_doc,
        f"value:{ratio}",
        0,
        {"cells": {"": {"n": "9", "d": "10"}}},
        actor=cast.commune_editor_a,
        locale="vi",
    )
    other = (
        cast.province_a.descendants()
        .filter(kind="commune", valid_to__isnull=True)
        .exclude(pk=cast.commune_a.pk)
        .first()
    )
    other_doc = do_create_document(unit=other, version=version, actor=cast.central_admin)
    do_save_entry(
        other_doc,
        f"value:{ratio}",
        0,
        {"cells": {"": {"n": "1", "d": "90"}}},
        actor=cast.central_admin,
        locale="vi",
    )
    client = client_for(cast.editor_a)
    page = client.get(reverse("document_consolidated", args=[province_doc.pk])).content.decode()
    assert cast.commune_a.name in page and other.name in page
    assert "10/100 (10,0%)" in page  # sums over sums, not the mean of 90 % and 1.1 %
    client.post(
        reverse("document_take_sum", args=[province_doc.pk]), {"indicator": ratio, "base": "0"}
    )
    assert Entry.objects.get(document=province_doc, key=f"value:{ratio}").content["cells"] == {
        "": {"n": "10", "d": "100"}
    }
    # Counts add up too; the province's own comment on the value stays.
    for doc, count in ((commune_doc, "1.200"), (other_doc, "34")):
        do_save_entry(
            doc,
            "value:DVC.TONG_SO",
            0,
            {"cells": {"": count}},
            actor=cast.central_admin,
            locale="vi",
        )
    do_save_entry(
        province_doc,
        "value:DVC.TONG_SO",
        0,
        {"cells": {"": "5"}, "comment": "theo báo cáo của các xã"},
        actor=cast.editor_a,
        locale="vi",
    )
    client.post(
        reverse("document_take_sum", args=[province_doc.pk]),
        {"indicator": "DVC.TONG_SO", "base": "1"},
    )
    assert Entry.objects.get(document=province_doc, key="value:DVC.TONG_SO").content == {
        "cells": {"": {"v": 1234}},
        "comment": "theo báo cáo của các xã",
    }
    # A commune's editor does not see its neighbour's document.
    assert (
        client_for(cast.commune_editor_a)
        .get(reverse("document_edit", args=[other_doc.pk]))
        .status_code
        == 404
    )


def test_a_result_keeps_the_words_and_parts_of_the_plans_target(cast: Cast) -> None:
    """Issue 13, item 5: the report's result on "50,03 % … (831/1.661)" and on "12 dịch vụ
    … – Toàn trình" carries the plan's option and ratio parts, keeps them when the page saves
    the result, and prints them."""
    from govplan.official.build import official_document

    plan = do_create_document(unit=cast.province_a, version=example_version(), actor=cast.editor_a)
    section = next(s for s in plan.framework_version.parsed().walk() if s.targets is not None)
    client = client_for(cast.editor_a)
    for content in (
        {"indicator": "DVC.HO_SO_TRUC_TUYEN", "target_n": "831", "target_d": "1.661"},
        {"indicator": "DVC.TRUC_TUYEN", "option": "TOAN_TRINH", "target": "12"},
    ):
        response = client.post(
            reverse("document_entry_add", args=[plan.pk]),
            data=json.dumps(
                {"container": f"target:{section.code}", "content": {**content, "year": 2027}}
            ),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
    draft = do_upload_framework(REPORT_2027, actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    report = create(client, cast.province_a, version)
    results = {
        e.content["source"]["indicator"]: e
        for e in Entry.objects.filter(document=report, kind="result")
    }
    ratio = results["DVC.HO_SO_TRUC_TUYEN"].content["source"]
    assert (ratio["target_n"], ratio["target_d"], ratio["target"]) == ("831", "1661", "50.03")
    assert results["DVC.TRUC_TUYEN"].content["source"]["option"] == "TOAN_TRINH"
    response = client.post(
        reverse("document_entry_save", args=[report.pk]),
        data=json.dumps(
            {
                "key": results["DVC.HO_SO_TRUC_TUYEN"].key,
                "base": 1,
                "content": {"source": ratio, "achieved": "45", "status": "behind"},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    kept = Entry.objects.get(key=results["DVC.HO_SO_TRUC_TUYEN"].key).content["source"]
    assert kept == ratio
    printed = [
        row[1]
        for s in official_document(report).sections
        for block in s.blocks
        if hasattr(block, "rows")
        for row in block.rows
    ]
    assert any("(831/1.661)" in text for text in printed), printed
    assert any("Toàn trình" in text for text in printed), printed
    page = client.get(reverse("document_edit", args=[report.pk])).content.decode()
    assert "(831/1.661)" in page
