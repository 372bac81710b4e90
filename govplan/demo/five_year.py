"""A five-year plan as provinces wrote them in 2010 (`load_demo`): Bắc Ninh's plan for IT
application 2011-2015 under letter 491/BTTTT-ƯDCNTT, its projects under the numbered groups
of the plan, funded by the province, its districts and communes, year by year or for the
whole period, and the budget by content that the projects add up to. The province of that
time (gso-province 27) ended in 2025; its successor's editors write its history.

It shows what the official document makes of a real budget: the phasing appendix prints the
handful of years and sources used out of the 72 the framework allows."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from govplan.accounts.types import User
from govplan.core.documents import keys
from govplan.core.documents.cells import format_number
from govplan.core.documents.keys import Collection
from govplan.core.documents.totals import WHOLE_PERIOD, phasing_key
from govplan.core.frameworks.model import Framework, Table
from govplan.demo.documents import demo_cell, fill_for_demo
from govplan.documents.actions import do_add_entry
from govplan.documents.models import Document

FRAMEWORK = "KH-UDCNTT-2011-2015"
UNIT = ("gso-province", "27")  # Bắc Ninh until 30/06/2025

# (group, name, objective, duration, {(year, source, type): million VND}); year 0 is the
# whole period, as plans state what they cannot yet split by year.
Amounts = dict[tuple[int, str, str], int]
PROJECTS: tuple[tuple[str, str, str, str, Amounts], ...] = (
    (
        "infrastructure",
        "Nâng cấp mạng diện rộng (WAN) của tỉnh kết nối tới các huyện, thành phố",
        "Kết nối 100% sở, ban, ngành và UBND cấp huyện vào mạng diện rộng của tỉnh.",
        "2011-2012",
        {
            (2011, "provincial_budget", "capital"): 4200,
            (2012, "provincial_budget", "capital"): 3800,
        },
    ),
    (
        "infrastructure",
        "Trung tâm tích hợp dữ liệu của tỉnh",
        "Tập trung máy chủ, cơ sở dữ liệu dùng chung của các cơ quan nhà nước tỉnh.",
        "2012-2014",
        {
            (2012, "central_budget", "capital"): 6000,
            (2013, "provincial_budget", "capital"): 5500,
            (2014, "provincial_budget", "capital"): 2500,
        },
    ),
    (
        "internal",
        "Hệ thống quản lý văn bản và điều hành dùng chung của các cơ quan nhà nước tỉnh",
        "Văn bản đi, đến được quản lý và luân chuyển trên mạng tới cấp huyện.",
        "2011-2013",
        {
            (2011, "provincial_budget", "capital"): 2100,
            (2012, "district_budget", "capital"): 1400,
            (2013, "provincial_budget", "recurrent"): 600,
        },
    ),
    (
        "citizens",
        "Cổng thông tin điện tử tỉnh và dịch vụ công trực tuyến mức độ 3",
        "Cung cấp trực tuyến mức độ 3 các dịch vụ công có nhiều hồ sơ.",
        "2011-2015",
        {
            (2011, "provincial_budget", "capital"): 1500,
            (2013, "provincial_budget", "capital"): 2000,
            (2015, "provincial_budget", "recurrent"): 800,
        },
    ),
    (
        "citizens",
        "Phần mềm một cửa điện tử liên thông cấp huyện, cấp xã",
        "Tiếp nhận, trả kết quả hồ sơ qua phần mềm một cửa tại các huyện và xã.",
        "2013-2015",
        {
            (2013, "district_budget", "capital"): 1800,
            (2014, "district_budget", "capital"): 1200,
            (2015, "commune_budget", "recurrent"): 900,
        },
    ),
    (
        "human_resources",
        "Đào tạo, bồi dưỡng kỹ năng ứng dụng CNTT cho cán bộ, công chức cấp xã",
        "Cán bộ, công chức cấp xã sử dụng thành thạo thư điện tử và phần mềm dùng chung.",
        "2011-2015",
        {
            (WHOLE_PERIOD, "commune_budget", "recurrent"): 1250,
            (WHOLE_PERIOD, "provincial_budget", "recurrent"): 750,
        },
    ),
)


def _money(value: int | Decimal) -> str:
    return format_number(Decimal(value), locale="vi")


def _phasing(amounts: Amounts) -> dict[str, str]:
    return {phasing_key(y, s, t): _money(v) for (y, s, t), v in amounts.items()}


def _row(table: Table, spec: Framework, project: tuple[str, str, str, str, Amounts]) -> Any:
    group, name, objective, duration, amounts = project
    by_role = {
        "project_name": name,
        "objective": objective,
        "duration": duration,
        "total_investment": _money(sum(amounts.values())),
        "lead_unit": "Sở Thông tin và Truyền thông",
    }
    cells = {
        c.code: by_role[c.role] if c.role in by_role else demo_cell(c, spec, name)
        for c in table.columns
    }
    return {"group": group, "cells": cells, "phasing": _phasing(amounts)}


def fill_five_year_plan(document: Document, *, actor: User) -> None:
    """The texts and values as the other demo plans have them, then the plan's projects and
    its budget by content (one line per group of projects, so that the two reconcile)."""
    spec = document.framework_version.parsed()
    grouped = {t.code for s in spec.walk() for t in s.tables if t.groups}
    fill_for_demo(document, actor=actor, except_tables=grouped)
    save: dict[str, Any] = {"actor": actor, "locale": "vi"}
    by_group: dict[str, Amounts] = defaultdict(dict)
    for section in spec.walk():
        for table in section.tables:
            if not table.groups:
                continue
            for project in PROJECTS:
                row = _row(table, spec, project)
                do_add_entry(document, Collection.table(table.code).container, row, **save)
                for key, value in project[4].items():
                    by_group[project[0]][key] = by_group[project[0]].get(key, 0) + value
            titles = {g.code: g.title for g in table.groups}
            for budget in spec.walk():
                if budget.budget is None or budget.budget.rows != "content":
                    continue
                for group, amounts in by_group.items():
                    line = {"label": titles[group], "phasing": _phasing(amounts)}
                    do_add_entry(
                        document, Collection(keys.BUDGET, budget.code).container, line, **save
                    )
