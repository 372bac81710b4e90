"""A programme of the central authority and a task it assigns to province A."""

from __future__ import annotations

import datetime as dt

import pytest

from govplan.core.programmes.deadlines import Deadline
from govplan.programmes.actions import do_save_programme, do_save_task
from govplan.programmes.checks import TaskInput
from govplan.programmes.models import Programme, Task
from tests.conftest import Cast

TODAY = dt.date.today()
ASSIGNED = TODAY - dt.timedelta(days=30)
DUE = TODAY + dt.timedelta(days=60)


@pytest.fixture
def programme(cast: Cast) -> Programme:
    return do_save_programme(
        None,
        {
            "code": "CT-CDS",
            "name": "Chương trình chuyển đổi số quốc gia",
            "name_en": "",
            "period_start": TODAY.year - 1,
            "period_end": TODAY.year + 2,
            "basis_number": "749/QĐ-TTg",
            "basis_date": ASSIGNED - dt.timedelta(days=10),
            "basis_title": "Quyết định phê duyệt Chương trình",
            "assigning_unit": cast.central,
            "description": "",
        },
        actor=cast.central_admin,
    )


def task_input(cast: Cast, **changes: object) -> TaskInput:
    values: dict[str, object] = {
        "code": "1",
        "content": "Xây dựng nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh",
        "source_document": "749/QĐ-TTg",
        "source_article": "Mục IV.1",
        "assigned_on": ASSIGNED,
        "lead_unit": cast.province_a,
        "co_units": [],
        "deadline": Deadline.on(DUE),
        "expected_product": "Nền tảng LGSP vận hành",
    }
    values.update(changes)
    return TaskInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def task(cast: Cast, programme: Programme) -> Task:
    return do_save_task(programme, task_input(cast), actor=cast.central_admin)
