"""The editing workbook carries a row's group and its whole-period amounts (issue 13): what
it writes it reads back, and a group the table does not have is refused where it is."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from govplan.core.adapters.xlsx import RowData, SheetSpec, read_workbook, write_workbook
from govplan.core.frameworks.files import read_framework
from govplan.core.frameworks.model import RowGroup

EVERY_FEATURE = Path(__file__).resolve().parents[1] / "frameworks" / "files" / "every_feature.yaml"
WHOLE = "0|science_fund|capital"


def spec_for(table) -> SheetSpec:  # type: ignore[no-untyped-def]
    return SheetSpec(table, (2027, 2028, 0), {}, {})


def test_a_group_and_a_whole_period_amount_come_back_and_a_strange_group_is_refused() -> None:
    framework = read_framework(EVERY_FEATURE)
    table = framework.table("projects")
    assert table is not None
    rows = [
        RowData(None, {"name": "Cổng"}, {WHOLE: "12.5"}, "apps"),
        RowData(None, {"name": "Mạng"}, {}, "infra"),
    ]
    data = write_workbook([(spec_for(table), rows)], title="Kế hoạch", locale="vi")
    result = read_workbook(data, [spec_for(table)])
    assert not result.problems
    assert [(r.cells["name"], r.group, r.phasing) for r in result.tables["projects"]] == [
        ("Cổng", "apps", {WHOLE: "12.5"}),
        ("Mạng", "infra", {}),
    ]
    # Read against a table whose groups are others: each row's group is refused, with where.
    other = dataclasses.replace(table, groups=(RowGroup("training", "III", "Đào tạo"),))
    result = read_workbook(data, [spec_for(other)])
    messages = [str(p) for p in result.problems]
    assert len(messages) == 2
    assert messages[0].endswith(
        'row 2, column B (Nhóm): "I. Ứng dụng CNTT" is not a group of this table (III. Đào tạo)'
    ), messages
