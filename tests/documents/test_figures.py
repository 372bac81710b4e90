"""Issue 13, items 5, 6, 10 and 11: targets keep their words (and may be stated as a ratio),
"no data" is an answer, and the figures a letter sets (national figures and minimums,
targets set for named units) are shown beside the indicator and compared with the unit's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.accounts.models import Role
from govplan.audit.models import AuditEvent
from govplan.core.documents.values import sum_values
from govplan.core.official.model import Table
from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
from govplan.documents.consolidation import consolidated
from govplan.documents.models import Document, Entry, EntryVersion
from govplan.documents.read import load_document_view
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkVersion
from govplan.official.build import official_document
from govplan.workflow.validation import validate
from tests.conftest import EVERY_FEATURE, Cast, make_user, unit

pytestmark = pytest.mark.django_db

VALUE = "value:HT.MAY_TINH_CBCC"
TARGETS = "target:MUC_TIEU"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(
    client: Client, document: Document, body: dict[str, Any], op: str = "save"
) -> tuple[int, dict[str, Any]]:
    response = client.post(
        reverse(f"document_entry_{op}", args=[document.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )
    return response.status_code, response.json()


def add_target(client: Client, document: Document, content: dict[str, Any]) -> tuple[int, Any]:
    return api(client, document, {"container": TARGETS, "content": content}, "add")


def every_feature(
    cast: Cast, unit_refs: tuple[str, ...] = (), kinds: tuple[str, ...] = ("province",)
) -> FrameworkVersion:
    draft = do_upload_framework(EVERY_FEATURE.read_bytes(), actor=cast.central_admin)
    return do_publish(
        draft,
        actor=cast.central_admin,
        deadline=draft.deadline,
        kinds=list(kinds),
        unit_refs=list(unit_refs),
    )


@pytest.fixture
def plan(cast: Cast) -> Document:
    return do_create_document(
        unit=cast.province_a, version=every_feature(cast), actor=cast.editor_a
    )


def tables_of(model: Any) -> list[Table]:
    """Every table of the official document's model, in order."""
    found: list[Table] = []

    def walk(value: Any) -> None:
        if isinstance(value, Table):
            found.append(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(model)
    return found


def printed_rows(document: Document) -> list[tuple[str, ...]]:
    return [row for table in tables_of(official_document(document)) for row in table.rows]


# ------------------------------------------------------------------ 6. "No data" is an answer


def test_no_data_needs_its_reason_and_nothing_saved_changes(cast: Cast, plan: Document) -> None:
    client = client_for(cast.editor_a)
    status, _ = api(
        client, plan, {"key": VALUE, "base": 0, "content": {"cells": {"": {"n": "90", "d": "100"}}}}
    )
    assert status == 200
    status, body = api(
        client, plan, {"key": VALUE, "base": 1, "content": {"no_data": "1", "no_data_reason": " "}}
    )
    assert status == 400
    assert body["errors"] == {
        "no_data_reason": "hãy nói vì sao không có số liệu: lý do là bắt buộc"
    }
    entry = Entry.objects.get(document=plan, key=VALUE)
    assert entry.revision == 1 and entry.content == {"cells": {"": {"n": "90", "d": "100"}}}


def test_no_data_is_saved_versioned_audited_and_answers_the_requirement(
    cast: Cast, plan: Document
) -> None:
    client = client_for(cast.editor_a)
    assert any(f.check_id == f"required:{VALUE}" for f in validate(plan).findings)
    status, body = api(
        client,
        plan,
        {
            "key": VALUE,
            "base": 0,
            "content": {"no_data": "1", "no_data_reason": "Chưa thống kê máy tính cấp xã"},
        },
    )
    assert status == 200
    assert body["content"] == {
        "cells": {},
        "no_data": True,
        "no_data_reason": "Chưa thống kê máy tính cấp xã",
    }
    entry = Entry.objects.get(document=plan, key=VALUE)
    assert EntryVersion.objects.filter(entry=entry).count() == 1
    assert AuditEvent.objects.filter(
        object_type="documents.entry", object_id=str(entry.pk)
    ).exists()
    report = validate(plan)
    assert not any(f.check_id == f"required:{VALUE}" for f in report.findings)
    view = load_document_view(plan)
    item = next(
        i for s in view.sections for i in s.indicators if i.indicator.code == "HT.MAY_TINH_CBCC"
    )
    assert item.no_data and item.answered and not item.filled
    # The page (an editor's, a viewer's) shows it as such, with the reason.
    page = client_for(cast.viewer_a).get(reverse("document_edit", args=[plan.pk])).content.decode()
    assert "Không có số liệu: Chưa thống kê máy tính cấp xã" in page
    # The official document prints it, with its reason, never as 0.
    rows = printed_rows(plan)
    row = next(r for r in rows if "máy tính" in r[1].lower() and r[0])
    assert row[3] == "Không có số liệu (Chưa thống kê máy tính cấp xã)"
    # Unmarking is a save like any other: the figures come back.
    status, body = api(
        client,
        plan,
        {"key": VALUE, "base": 1, "content": {"no_data": "", "cells": {"": {"n": "5", "d": "10"}}}},
    )
    assert status == 200 and body["content"] == {"cells": {"": {"n": "5", "d": "10"}}}
    assert EntryVersion.objects.filter(entry=entry).count() >= 1


def test_no_data_counts_as_missing_in_sums_never_as_zero(cast: Cast) -> None:
    version = every_feature(cast, kinds=("province", "commune"))
    spec = version.parsed()
    indicator = spec.indicators["HT.MAY_TINH_CBCC"]
    total = sum_values(
        indicator,
        [
            {"cells": {"": {"n": "10", "d": "20"}}},
            {"cells": {}, "no_data": True, "no_data_reason": "chưa có"},
            {"cells": {"": {"n": "1", "d": "2"}}},
        ],
    )
    assert total == {"cells": {"": {"n": "11", "d": "22"}}}
    # Consolidation: the commune that has no data is counted as not reporting.
    province = do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)
    commune = do_create_document(unit=cast.commune_a, version=version, actor=cast.commune_editor_a)
    do_save_entry(
        commune,
        VALUE,
        0,
        {"no_data": True, "no_data_reason": "chưa điều tra"},
        actor=cast.commune_editor_a,
        locale="vi",
    )
    summary = consolidated(province, cast.editor_a)
    row = next(i for i in summary["indicators"] if i["code"] == "HT.MAY_TINH_CBCC")
    assert row["reported"] == 0 and row["no_data"] == 1 and row["cells"] == []


# ------------------------------------------------------------------ 5. Targets keep their words


def test_a_ratio_target_stated_as_a_ratio_prints_with_its_words(cast: Cast, plan: Document) -> None:
    client = client_for(cast.editor_a)
    status, body = add_target(
        client,
        plan,
        {
            "indicator": "HT.MAY_TINH_CBCC",
            "text": "máy tính cho cán bộ cấp xã",
            "target_n": "831",
            "target_d": "1.661",
            "year": "2027",
        },
    )
    assert status == 200, body
    assert body["content"]["target"] == "50.03"
    assert body["content"]["target_n"] == "831" and body["content"]["target_d"] == "1661"
    status, body = add_target(
        client,
        plan,
        {
            "indicator": "DVC.TRUC_TUYEN",
            "option": "TOAN_TRINH",
            "baseline": "5",
            "target": "12",
            "year": "2027",
        },
    )
    assert status == 200, body
    page = client.get(reverse("document_edit", args=[plan.pk])).content.decode()
    assert "50,03 máy tính/người máy tính cho cán bộ cấp xã (831/1.661)" in page
    rows = printed_rows(plan)
    assert (
        "1",
        "50,03 máy tính/người máy tính cho cán bộ cấp xã (831/1.661)",
        "",
        "50,03 máy tính/người",
        "2027",
    ) in rows
    assert (
        "2",
        "12 dịch vụ Số dịch vụ công trực tuyến (toàn trình, một phần) – Toàn trình",
        "5 dịch vụ",
        "12 dịch vụ",
        "2027",
    ) in rows


def test_a_ratio_target_and_an_option_are_refused_with_the_reason(
    cast: Cast, plan: Document
) -> None:
    client = client_for(cast.editor_a)
    cases = [
        ({"indicator": "HT.MAY_TINH_CBCC", "target_n": "831"}, "target_d"),
        ({"indicator": "HT.MAY_TINH_CBCC", "target_n": "8", "target_d": "0"}, "target_d"),
        (
            {"indicator": "DVC.TRUC_TUYEN", "target": "3", "target_n": "1", "target_d": "2"},
            "target_n",
        ),
        ({"indicator": "DVC.TRUC_TUYEN", "target": "3", "option": "M9"}, "option"),
        ({"indicator": "HT.MAY_TINH_CBCC", "target": "3", "option": "TOAN_TRINH"}, "option"),
    ]
    for content, field in cases:
        status, body = add_target(client, plan, content)
        assert status == 400 and field in body["errors"], (content, body)
        assert body["errors"][field]
    assert not Entry.objects.filter(document=plan, kind="target").exists()


def test_a_target_stored_before_the_change_still_reads(cast: Cast, plan: Document) -> None:
    do_add_entry(
        plan,
        TARGETS,
        {"indicator": "DVC.TRUC_TUYEN", "target": "12"},
        actor=cast.editor_a,
        locale="vi",
    )
    entry = Entry.objects.get(document=plan, kind="target")
    Entry.objects.filter(pk=entry.pk).update(
        content={"indicator": "DVC.TRUC_TUYEN", "target": "12"}
    )
    row = load_document_view(plan).target_rows["MUC_TIEU"][0]
    assert row.option == "" and row.target_n is None and row.target == "12"
    assert (
        "1",
        "12 dịch vụ Số dịch vụ công trực tuyến (toàn trình, một phần)",
        "",
        "12 dịch vụ",
        "",
    ) in printed_rows(plan)


# ------------------------------------------------- 10. National figures, 11. targets set for units


def test_national_figures_are_shown_beside_the_indicator_and_on_the_blank_form(
    cast: Cast, plan: Document
) -> None:
    page = client_for(cast.editor_a).get(reverse("document_edit", args=[plan.pk])).content.decode()
    assert "Số liệu toàn quốc: 19/22 (0,86 máy tính/người) – Cả nước năm 2026" in page
    assert (
        "Mức tối thiểu toàn quốc: 10 dịch vụ (Toàn trình, 2027) – Mức tối thiểu thử nghiệm" in page
    )
    form = (
        client_for(cast.central_admin)
        .get(
            reverse(
                "framework_form",
                args=[plan.framework_version.framework.code, plan.framework_version.number],
            )
        )
        .content.decode()
    )
    assert "Số liệu toàn quốc: 19/22 (0,86 máy tính/người)" in form
    assert "Chỉ tiêu giao cho Văn phòng Chính phủ: 100 dịch vụ (2028) – Giao riêng" in form


def test_a_plan_target_below_the_national_minimum_is_a_warning_with_both_figures(
    cast: Cast, plan: Document
) -> None:
    for target in ("5", "15"):
        do_add_entry(
            plan,
            TARGETS,
            {
                "indicator": "DVC.TRUC_TUYEN",
                "option": "TOAN_TRINH",
                "target": target,
                "year": "2027",
            },
            actor=cast.editor_a,
            locale="vi",
        )
    warnings = [f for f in validate(plan).warnings if f.check_id.startswith("national:")]
    assert len(warnings) == 1
    assert warnings[0].message == (
        "“Số dịch vụ công trực tuyến (toàn trình, một phần) – Toàn trình”: chỉ tiêu của kế "
        "hoạch 5 dịch vụ thấp hơn mức tối thiểu toàn quốc (Mức tối thiểu thử nghiệm), 10 dịch vụ."
    )
    assert warnings[0].field == "target"


def test_the_rule_language_reads_the_national_minimum(cast: Cast, plan: Document) -> None:
    do_save_entry(
        plan,
        "value:DVC.TRUC_TUYEN",
        0,
        {"cells": {"TOAN_TRINH": "4", "MOT_PHAN": "20"}},
        actor=cast.editor_a,
        locale="vi",
    )
    finding = next(f for f in validate(plan).findings if f.check_id == "rule:R-NATIONAL")
    assert finding.message.startswith("Số DVC toàn trình không thấp hơn mức tối thiểu toàn quốc.")
    assert "minimum(DVC.TRUC_TUYEN:TOAN_TRINH) = 10" in finding.message


def test_a_target_set_for_a_unit_reaches_that_units_plan_only(cast: Cast) -> None:
    version = every_feature(cast, ("govplan:VPCP",))
    vpcp = unit("govplan", "VPCP")
    office = do_create_document(unit=vpcp, version=version, actor=cast.central_admin)
    province = do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)
    missing = [f for f in validate(office).warnings if f.check_id.startswith("unit:")]
    assert [f.message for f in missing] == [
        "Khung giao cho đơn vị của bạn chỉ tiêu “Số dịch vụ công trực tuyến (toàn trình, một "
        "phần)”: 100 dịch vụ (2028); "
        "văn bản chưa đề cập đến chỉ tiêu này."
    ]
    assert not [f for f in validate(province).warnings if f.check_id.startswith("unit:")]
    office_editor = make_user("editor_vpcp", vpcp, Role.EDITOR)
    page = (
        client_for(office_editor).get(reverse("document_edit", args=[office.pk])).content.decode()
    )
    assert "Chỉ tiêu giao cho đơn vị của bạn: 100 dịch vụ (2028) – Giao riêng" in page
    page = (
        client_for(cast.editor_a).get(reverse("document_edit", args=[province.pk])).content.decode()
    )
    assert "Chỉ tiêu giao cho đơn vị" not in page


def test_the_2017_outline_compares_the_ministry_of_finance_with_its_targets(cast: Cast) -> None:
    version = FrameworkVersion.objects.get(framework__code="BC-UDCNTT-2017", status="published")
    btc = unit("govplan", "BTC", on=dt.date(2017, 12, 1))
    report = do_create_document(unit=btc, version=version, actor=cast.central_admin)
    do_save_entry(
        report,
        "value:THUE.KHAI_THUE_QUA_MANG",
        0,
        {"cells": {"": {"n": "80", "d": "100"}}},
        actor=cast.central_admin,
        locale="vi",
    )
    do_save_entry(
        report,
        "value:THUE.NOP_THUE_QUA_MANG",
        0,
        {"cells": {"": {"n": "95", "d": "100"}}},
        actor=cast.central_admin,
        locale="vi",
    )
    warnings = {
        f.check_id: f.message for f in validate(report).warnings if f.check_id.startswith("unit:")
    }
    assert warnings == {
        "unit:THUE.KHAI_THUE_QUA_MANG:": (
            "“Tỷ lệ hồ sơ khai thuế của doanh nghiệp được nộp qua mạng”: giá trị của đơn vị "
            "80 % thấp hơn chỉ tiêu giao cho đơn vị của bạn, 95 %."
        ),
        "unit:THUE.HO_CA_NHAN_QUA_MANG::missing": (
            "Khung giao cho đơn vị của bạn chỉ tiêu “Tỷ lệ hộ, cá nhân kinh doanh kê khai nghĩa "
            "vụ thuế phát sinh qua mạng từ việc cho thuê tài sản và lệ phí trước bạ khi đăng ký "
            "ô tô, xe máy”: 50 %; văn bản chưa đề cập đến chỉ tiêu này."
        ),
    }


def test_results_print_the_plans_target_with_its_words_and_units(cast: Cast) -> None:
    from govplan.core.documents.view import ResultRow, TargetSource
    from govplan.official.printed_tables import results_table

    spec = every_feature(cast).parsed()
    row = ResultRow(
        "result:MUC_TIEU:a",
        1,
        TargetSource(1, "target:MUC_TIEU:x", "DVC.TRUC_TUYEN", "dịch vụ công toàn trình", 0, "12"),
        "",
        "9",
        "behind",
        "Thiếu kinh phí",
    )
    printed = results_table((row,), spec)
    assert printed.rows == (
        (
            "1",
            "12 dịch vụ công toàn trình",
            "12 dịch vụ",
            "9 dịch vụ",
            "75,0%",
            "Thiếu kinh phí",
        ),
    )
