"""Deadlines as letters and spreadsheets write them, read into the core's Deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from govplan.core.programmes.deadline_text import parse_deadline
from govplan.core.programmes.deadlines import Deadline, DeadlineError, DeadlineKind


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("30/6/2008", dt.date(2008, 6, 30)),
        ("30/06/2008", dt.date(2008, 6, 30)),
        ("trước ngày 30/6/2008", dt.date(2008, 6, 30)),
        ("ngày 30 tháng 6 năm 2008", dt.date(2008, 6, 30)),
        ("Trước ngày 30 tháng 6 năm 2008", dt.date(2008, 6, 30)),
        ("2008-06-30", dt.date(2008, 6, 30)),
        ("tháng 01 năm 2008", dt.date(2008, 1, 31)),
        ("trong tháng 01 năm 2008", dt.date(2008, 1, 31)),
        ("01/2008", dt.date(2008, 1, 31)),
        ("Tháng 02/2008", dt.date(2008, 2, 29)),
        ("Quý II/2026", dt.date(2026, 6, 30)),
        ("quý IV năm 2026", dt.date(2026, 12, 31)),
        ("Q1/2027", dt.date(2027, 3, 31)),
        ("quy 3/2026", dt.date(2026, 9, 30)),
    ],
)
def test_each_written_form_is_read_with_its_due_date(text: str, due: dt.date) -> None:
    assert parse_deadline(text).due_date() == due


def test_the_kind_is_kept() -> None:
    assert parse_deadline("01/2008").kind is DeadlineKind.MONTH
    assert parse_deadline("Quý II/2026") == Deadline(DeadlineKind.QUARTER, year=2026, quarter=2)
    assert parse_deadline("30/6/2008") == Deadline.on(dt.date(2008, 6, 30))


@pytest.mark.parametrize("text", ["thường xuyên", "Thường xuyên", "THUONG XUYEN", " hằng năm "])
def test_standing(text: str) -> None:
    assert parse_deadline(text) == Deadline.standing()
    assert parse_deadline(text).due_date() is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sớm",
        "30/2/2008",  # no such day
        "13/2008",  # no 13th month
        "Quý V/2026",
        "32/1/2008",
        "1/1/99999",
        '=HYPERLINK("x")',
        "1" * 500,
        "tháng 01 năm 1800",  # out of range
    ],
)
def test_anything_else_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(DeadlineError) as refused:
        parse_deadline(text)
    assert str(refused.value)
