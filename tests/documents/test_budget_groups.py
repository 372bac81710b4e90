"""Project groups, whole-period amounts, the framework's funding sources and a budget
reconciled with the projects (issue 13, items 2-4), as an editor and an appraiser meet them:
the editor page, the save API, the history, the workbook and the checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.core.adapters.xlsx import phasing_columns, read_workbook
from govplan.documents.actions import do_add_entry, do_create_document
from govplan.documents.models import Document, Entry
from govplan.documents.tables_xlsx import export_tables, sheet_specs
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.workflow.validation import validate
from tests.conftest import EVERY_FEATURE, Cast
from tests.support.documents import every_feature_document, page_grid

pytestmark = pytest.mark.django_db

WHOLE = "0|science_fund|capital"  # year 0: the whole period


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(client: Client, document: Document, op: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = client.post(
        reverse(f"document_entry_{op}", args=[document.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )
    return response.status_code, response.json()


def editor_page(client: Client, document: Document) -> str:
    return client.get(reverse("document_edit", args=[document.pk])).content.decode()


def test_a_row_is_saved_in_its_group_and_shown_under_it_with_its_subtotal(cast: Cast) -> None:
    document = every_feature_document(cast)
    client = client_for(cast.editor_a)
    for name, group, total in (
        ("Cổng dịch vụ công", "apps", "1.000"),
        ("Hệ thống họp trực tuyến", "apps", "500,5"),
        ("Mạng WAN", "infra", "2.000"),
    ):
        status, body = api(
            client,
            document,
            "add",
            {
                "container": "row:projects",
                "content": {"cells": {"name": name, "total": total}, "group": group},
            },
        )
        assert status == 200, body
        assert body["content"]["group"] == group
        assert body["fields"]["group"] == group
    page = editor_page(client, document)
    apps = page.index('<tr class="group-head" data-group="apps">')
    infra = page.index('<tr class="group-head" data-group="infra">')
    assert apps < infra
    # Each row drawn under its group's heading, with its group chosen.
    assert [(r["under"], r["group"], r["cells"]["name"]) for r in page_grid(page, "projects")] == [
        ("apps", "apps", "Cổng dịch vụ công"),
        ("apps", "apps", "Hệ thống họp trực tuyến"),
        ("infra", "infra", "Mạng WAN"),
    ]
    assert '<option value="infra">II. Phát triển hạ tầng</option>' in page
    # Each group's subtotal of the money column, then the grand total.
    assert page.count('class="group-total"') == 2
    assert "1.500,5" in page[apps:infra] and "2.000" in page[infra:]
    assert "3.500,5" in page


def test_an_unknown_group_is_refused_and_the_rest_of_the_row_is_kept(cast: Cast) -> None:
    document = every_feature_document(cast)
    client = client_for(cast.editor_a)
    status, body = api(
        client,
        document,
        "add",
        {
            "container": "row:projects",
            "content": {"cells": {"name": "Kho dữ liệu", "total": "700"}, "group": "training"},
        },
    )
    assert status == 400
    message = body["errors"]["group"]
    assert '"training"' in message and "I. Ứng dụng CNTT; II. Phát triển hạ tầng" in message
    assert list(body["errors"]) == ["group"]  # nothing else the user typed is wrong
    assert not Entry.objects.filter(document=document, kind="row").exists()
    # The page sends the row again without the refused field: the rest is saved.
    status, body = api(
        client,
        document,
        "add",
        {
            "container": "row:projects",
            "content": {"cells": {"name": "Kho dữ liệu", "total": "700"}},
        },
    )
    assert status == 200
    key = body["key"]
    # Saving a bogus group over a saved row changes nothing of it.
    status, body = api(
        client,
        document,
        "save",
        {"key": key, "base": 1, "content": {"group": "apps; DROP", "cells": {"total": "800"}}},
    )
    assert status == 400 and list(body["errors"]) == ["group"]
    entry = Entry.objects.get(key=key)
    assert entry.revision == 1 and entry.content == {
        "cells": {"name": "Kho dữ liệu", "total": "700"},
        "phasing": {},
    }
    # The validation asks for the group of a row in none, at the row's group field.
    finding = next(f for f in validate(document).findings if f.check_id == f"group:{key}")
    assert finding.importance == "error" and finding.field == "group"
    assert "Kho dữ liệu" in finding.message and "Danh mục nhiệm vụ, dự án" in finding.message
    status, body = api(
        client, document, "save", {"key": key, "base": 1, "content": {"group": "II"}}
    )
    assert status == 200 and body["content"]["group"] == "infra"
    assert not [f for f in validate(document).findings if f.check_id == f"group:{key}"]


def test_a_table_without_groups_refuses_one(cast: Cast, document_a: Document) -> None:
    status, body = api(
        client_for(cast.editor_a),
        document_a,
        "add",
        {"container": "row:projects", "content": {"cells": {"name": "X"}, "group": "apps"}},
    )
    assert status == 400 and body["errors"] == {"group": "Bảng này không chia nhóm."}


def test_a_whole_period_amount_counts_in_the_row_total_and_not_in_a_year(cast: Cast) -> None:
    document = every_feature_document(cast)
    client = client_for(cast.editor_a)
    status, body = api(
        client,
        document,
        "add",
        {
            "container": "row:projects",
            "content": {
                "cells": {"name": "Đào tạo kỹ năng số"},
                "group": "apps",
                "phasing": {"2027|central_budget|capital": "100", WHOLE: "250,5"},
            },
        },
    )
    assert status == 200, body
    assert body["content"]["phasing"] == {"2027|central_budget|capital": "100", WHOLE: "250.5"}
    assert body["derived"]["row"]["total"] == "350,5"
    summary = {item["label"]: item["value"] for item in body["derived"]["summary"]}
    assert summary["2027"] == "100" and summary["2028"] == "0"
    assert summary["Cả giai đoạn"] == "250,5"
    # The framework's own source, by its own title.
    assert summary["Quỹ phát triển khoa học và công nghệ"] == "250,5"
    page = editor_page(client, document)
    assert f'data-phasing="{WHOLE}">Cả giai đoạn' in page
    # The budget computed from the projects: one line per group, with the whole period.
    budget = page[page.index('data-kind="budget"') :]
    assert "I. Ứng dụng CNTT" in budget and "Cả giai đoạn" in budget
    assert "Đào tạo kỹ năng số" not in budget
    # The history names the amount's period and source.
    key = body["key"]
    history = client.get(reverse("document_entry_history", args=[document.pk]), {"key": key})
    assert "Cả giai đoạn · Quỹ phát triển khoa học và công nghệ" in history.content.decode()


def test_a_whole_period_amount_is_refused_where_the_framework_asks_year_by_year(
    cast: Cast, document_a: Document
) -> None:
    status, body = api(
        client_for(cast.editor_a),
        document_a,
        "add",
        {
            "container": "row:projects",
            "content": {
                "cells": {"name": "Nền tảng"},
                "phasing": {"0|central_budget|capital": "5", "2027|central_budget|capital": "1"},
            },
        },
    )
    assert status == 400
    assert list(body["errors"]) == ["phasing.0|central_budget|capital"]
    assert "từng năm" in body["errors"]["phasing.0|central_budget|capital"]
    assert not Entry.objects.filter(document=document_a, kind="row").exists()


def test_the_workbook_carries_the_group_and_the_whole_period(cast: Cast) -> None:
    document = every_feature_document(cast)
    do_add_entry(
        document,
        "row:projects",
        {"cells": {"name": "Mạng WAN"}, "group": "infra", "phasing": {WHOLE: "42"}},
        actor=cast.editor_a,
        locale="vi",
    )
    data = export_tables(document, "projects")
    specs = sheet_specs(document.framework_version.parsed(), document, "projects")
    headers = [header for _key, header in phasing_columns(specs[0])]
    assert (
        "Kinh phí cả giai đoạn - Quỹ phát triển khoa học và công nghệ - Vốn ĐTPT (triệu đồng)"
        in headers
    )
    result = read_workbook(data, specs)
    assert not result.problems
    (row,) = result.tables["projects"]
    assert (row.group, row.phasing, row.cells["name"]) == ("infra", {WHOLE: "42"}, "Mạng WAN")


RECONCILED = (
    EVERY_FEATURE.read_text(encoding="utf-8")
    .replace("code: TEST-EVERY-FEATURE-2027", "code: TEST-RECONCILED-2027")
    .replace(
        "    budget:\n      rows: projects\n",
        "    budget:\n      rows: content\n      reconcile: warning\n      whole_period: true\n",
    )
)


def reconciled_document(cast: Cast) -> Document:
    draft = do_upload_framework(RECONCILED, actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    return do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)


def test_a_typed_budget_is_reconciled_with_the_projects_showing_both_figures(cast: Cast) -> None:
    document = reconciled_document(cast)
    add = lambda container, content: do_add_entry(  # noqa: E731
        document, container, content, actor=cast.editor_a, locale="vi"
    )
    add(
        "row:projects",
        {
            "cells": {"name": "Cổng"},
            "group": "apps",
            "phasing": {"2027|central_budget|capital": "1.000", WHOLE: "300"},
        },
    )
    add("budget:V", {"label": "Ứng dụng CNTT", "phasing": {"2027|central_budget|capital": "800"}})
    add("budget:V", {"label": "Hạ tầng", "phasing": {WHOLE: "300"}})
    found = {f.check_id: f for f in validate(document).findings if f.check_id.startswith("budget")}
    assert list(found) == ["budget:reconcile:V:2027|central_budget|capital"]
    finding = found["budget:reconcile:V:2027|central_budget|capital"]
    assert finding.importance == "warning" and finding.section == "V"
    assert "V. KINH PHÍ, 2027 · Ngân sách trung ương · Vốn đầu tư phát triển" in finding.message
    assert "800" in finding.message and "1.000" in finding.message
    # Where the budget gives a source for the whole period, the period's totals are compared.
    add("budget:V", {"label": "Đào tạo", "phasing": {"2028|science_fund|capital": "50"}})
    add("budget:V", {"label": "Bù", "phasing": {"2027|central_budget|capital": "200"}})
    found = {f.check_id: f for f in validate(document).findings if f.check_id.startswith("budget")}
    assert list(found) == [f"budget:reconcile:V:{WHOLE}"]
    assert (
        "2027-2028 · Quỹ phát triển khoa học và công nghệ"
        in found[f"budget:reconcile:V:{WHOLE}"].message
    )
    assert "350" in found[f"budget:reconcile:V:{WHOLE}"].message


def test_an_error_reconciliation_blocks_submission(cast: Cast) -> None:
    document = do_create_document(
        unit=cast.province_a,
        version=do_publish(
            (
                draft := do_upload_framework(
                    RECONCILED.replace("reconcile: warning", "reconcile: error"),
                    actor=cast.central_admin,
                )
            ),
            actor=cast.central_admin,
            deadline=draft.deadline,
            kinds=["province"],
            unit_refs=[],
        ),
        actor=cast.editor_a,
    )
    do_add_entry(
        document,
        "budget:V",
        {"label": "Hạ tầng", "phasing": {"2027|oda|recurrent": "5"}},
        actor=cast.editor_a,
        locale="vi",
    )
    finding = next(f for f in validate(document).findings if f.check_id.startswith("budget:"))
    assert finding.blocking and finding.importance == "error"
    assert "5" in finding.message and "0" in finding.message


def test_the_blank_form_of_2011_2015_shows_groups_sources_and_the_reconciliation(
    cast: Cast,
) -> None:
    from govplan.frameworks.models import FrameworkVersion

    version = FrameworkVersion.objects.get(
        framework__code="KH-UDCNTT-2011-2015", status="published"
    )
    page = (
        client_for(cast.editor_b)
        .get(reverse("framework_form", args=["KH-UDCNTT-2011-2015", version.number]))
        .content.decode()
    )
    assert "I. Hạ tầng kỹ thuật; II. Ứng dụng CNTT trong nội bộ cơ quan nhà nước" in page
    assert "Ngân sách cấp huyện" in page and "Ngân sách cấp xã" in page
    assert "chênh lệch là cảnh báo cần giải trình" in page
    assert "không chia theo năm" in page


def test_a_2011_2015_plan_budgets_by_content_for_the_whole_period(cast: Cast) -> None:
    from govplan.frameworks.models import FrameworkVersion

    version = FrameworkVersion.objects.get(
        framework__code="KH-UDCNTT-2011-2015", status="published"
    )
    hanoi = cast.province_b
    document = do_create_document(unit=hanoi, version=version, actor=cast.editor_b)
    client = client_for(cast.editor_b)
    status, body = api(
        client,
        document,
        "add",
        {
            "container": "row:projects",
            "content": {
                "cells": {"name": "Mạng WAN của tỉnh"},
                "group": "infrastructure",
                "phasing": {"0|district_budget|capital": "1.200"},
            },
        },
    )
    assert status == 200, body
    status, body = api(
        client,
        document,
        "add",
        {
            "container": "budget:VII",
            "content": {
                "label": "Hạ tầng kỹ thuật",
                "phasing": {"0|district_budget|capital": "1.500"},
            },
        },
    )
    assert status == 200, body
    (finding,) = [f for f in validate(document).findings if f.check_id.startswith("budget:")]
    assert finding.importance == "warning"
    assert "2011-2015 · Ngân sách cấp huyện · Vốn đầu tư phát triển" in finding.message
    assert "1.500" in finding.message and "1.200" in finding.message
