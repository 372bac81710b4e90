"""The demo's central budget pool: the 200 billion VND the conclusions of 28/12/2007 ask to
divide among the agencies' proposals, here for the 2027 plans. The Ministry of Finance's
2027 plan, written and submitted through the normal save path by its editor, asks for
central budget for three projects; with the demo plans of Hà Nội and Bắc Ninh they are the
proposals. Two scenarios are computed and the first approved. Created once; running again
changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings

from govplan.accounts.models import User
from govplan.allocations.actions import (
    do_approve_scenario,
    do_create_pool,
    do_mark_proposal,
    do_save_scenario,
)
from govplan.allocations.models import Pool
from govplan.allocations.proposals import proposals
from govplan.core.documents.cells import format_number, parse_number
from govplan.core.documents.keys import Collection
from govplan.demo.documents import _row, fill_for_demo
from govplan.documents.actions import do_add_entry, do_create_document
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import OrgUnit
from govplan.programmes.models import Programme
from govplan.workflow import actions
from govplan.workflow.explanations import do_explain
from govplan.workflow.validation import validate

FRAMEWORK = "KH-CDS-2027-MAU"
YEAR = 2027
POOL_NAME = "Kinh phí ngân sách trung ương hỗ trợ ứng dụng CNTT, chuyển đổi số"
AMOUNT = Decimal(200_000_000_000)  # 200 tỷ đồng
# The Ministry of Finance's projects: name, application field, central budget (million VND).
PROJECTS = (
    ("Nền tảng tích hợp, chia sẻ dữ liệu tài chính dùng chung", "Nền tảng số", "120.000"),
    ("Cơ sở dữ liệu quốc gia về tài chính công", "Dữ liệu số", "80.000"),
    (
        "Hệ thống dịch vụ công trực tuyến ngành tài chính",
        "Dịch vụ số cho người dân, doanh nghiệp",
        "50.000",
    ),
)
SHARED = PROJECTS[0][0]
DECIDED = PROJECTS[1][0]
SCENARIOS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "Phương án 1: ưu tiên nền tảng dùng chung, tối thiểu 500 triệu đồng mỗi tỉnh",
        {
            "priorities": ["shared_platform", "investment_decided"],
            "province_minimum": "500000000",
        },
    ),
    (
        "Phương án 2: trần 45% nguồn kinh phí cho mỗi dự án, chia theo tỷ lệ đề xuất",
        {"project_cap": {"kind": "percent", "value": "45"}},
    ),
)


def _project(spec: Any, table: Any, name: str, field: str, central: str) -> dict[str, Any]:
    row = _row(table, spec, name)
    shown = format_number(parse_number(central), locale="vi")
    cells = {**row["cells"], "field": field, "total": shown, "amount_2027": shown}
    return {**row, "cells": cells, "phasing": {f"{YEAR}|central_budget|capital": central}}


def _ministry_plan(version: FrameworkVersion, unit: OrgUnit, editor: User) -> Document:
    document = Document.objects.filter(org_unit=unit, framework=version.framework).first()
    if document is not None:
        return document
    document = do_create_document(unit=unit, version=version, actor=editor)
    spec = version.parsed()
    table = next(t for _s, t in spec.tables() if t.code == "projects")
    fill_for_demo(document, actor=editor, except_tables=("projects",))
    for name, field, central in PROJECTS:
        do_add_entry(
            document,
            Collection.table("projects").container,
            _project(spec, table, name, field, central),
            actor=editor,
            locale="vi",
        )
    for finding in validate(document).warnings:
        do_explain(document, {finding.check_id: "Đơn vị đã rà soát số liệu."}, actor=editor)
    actions.do_transition(document, "submit", actor=editor)
    return document


def create_demo_pool(user: Callable[[str], User], unit: Callable[[str], OrgUnit]) -> Pool | None:
    if Pool.objects.filter(name=POOL_NAME, year=YEAR).exists():
        return None
    version = FrameworkVersion.objects.filter(framework__code=FRAMEWORK, status="published").first()
    if version is None:
        return None
    admin = user("quantri")
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        _ministry_plan(version, unit("govplan:BTC"), user("taichinh.bientap"))
    programme = Programme.objects.filter(basis_date=dt.date(2007, 12, 28)).first()
    pool = do_create_pool(
        actor=admin,
        name=POOL_NAME,
        amount=AMOUNT,
        year=YEAR,
        frameworks=[version.framework],
        programme=programme,
    )
    for proposal in proposals(pool):
        if proposal.project_name in (SHARED, DECIDED):
            do_mark_proposal(
                pool,
                document_id=proposal.document_id,
                entry_key=proposal.entry_key,
                shared_platform=proposal.project_name == SHARED,
                investment_decided=proposal.project_name == DECIDED,
                note="Theo hồ sơ đề xuất của Bộ Tài chính",
                actor=admin,
            )
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        scenarios = [
            do_save_scenario(pool, name=name, rules_data=rules, actor=admin)
            for name, rules in SCENARIOS
        ]
        do_approve_scenario(scenarios[0], actor=admin)
    return pool
