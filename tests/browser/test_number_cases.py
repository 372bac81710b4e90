"""The editor's number parser (documents/static/documents/cells.js, loaded as the editor page
loads it) in Chromium, against the table the server's parser is held to
(tests/support/number_cases.py; the server's half is tests/core/test_number_cases.py), and
against numbers the server writes out."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page

from govplan.core.documents.cells import canonical_decimal, format_number
from tests.support.number_cases import CASES, REFUSED

pytestmark = pytest.mark.browser

READ = """cases => cases.map(([text, locale, kind]) => {
    const result = kind === "number" ? GovPlanCells.parse(text, locale)
        : kind === "ratio" ? GovPlanCells.check("decimal", text, locale, {min: 0})
        : GovPlanCells.check(kind, text, locale);
    return result.error ? "refused" : result.value;
})"""


@pytest.fixture
def cells(page: Page, live_server: Any) -> Page:
    page.goto(f"{live_server.url}/static/documents/cells.js")
    page.add_script_tag(url=f"{live_server.url}/static/documents/cells.js")
    page.wait_for_function("() => window.GovPlanCells !== undefined")
    return page


def test_the_editor_reads_each_number_as_the_table_says(cells: Page) -> None:
    read = cells.evaluate(READ, [list(case[:3]) for case in CASES])
    wrong = [(case, got) for case, got in zip(CASES, read, strict=True) if got != case[3]]
    assert wrong == [], "\n".join(f"{case!r}: the editor reads {got!r}" for case, got in wrong)
    assert REFUSED in read  # the table is not all accepted values


def test_the_editor_reads_and_writes_numbers_as_the_server_does(cells: Page) -> None:
    """Numbers the server writes out (what a page shows of a stored value) are read back as
    the stored value, and the editor writes a stored value out as the server does."""
    rng = random.Random(11)
    # Up to the bound: 15 digits before the decimal mark.
    numbers = [Decimal(0), Decimal("0.001"), Decimal("-1234.5"), Decimal(10**15 - 1)]
    for _ in range(400):
        places = rng.randint(0, 6)
        digits = rng.randint(1, 15) + places
        sign = -1 if rng.random() < 0.2 else 1
        numbers.append(Decimal(sign * rng.randrange(10**digits)).scaleb(-places))
    cases = [
        [format_number(n, locale=locale), locale, canonical_decimal(n)]
        for n in numbers
        for locale in ("vi", "en")
    ]
    answers = cells.evaluate(
        """cases => cases.map(([shown, locale, stored]) =>
            [GovPlanCells.parse(shown, locale).value, GovPlanCells.format(stored, locale)])""",
        cases,
    )
    wrong = [
        (shown, locale, stored, answer)
        for (shown, locale, stored), answer in zip(cases, answers, strict=True)
        if answer != [stored, shown]
    ]
    assert wrong == []


def test_beyond_the_bound_both_refuse(cells: Page) -> None:
    """A number with more than 15 digits before the decimal mark is refused by the page as
    the server refuses it: a float would not hold it, nor would a spreadsheet."""
    shown = [format_number(Decimal(10**15) * n, locale="vi") for n in (1, 7, 10**10)]
    answers = cells.evaluate(
        "texts => texts.map(t => GovPlanCells.parse(t, 'vi').error || 'accepted')", shown
    )
    assert answers == ["tooLarge"] * len(shown)
