"""Typed cells and indicator values: what an official types is read as they mean it, and
refused with the reason when it cannot be."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govplan.core.documents.cells import (
    CellValueError,
    canonical_decimal,
    display_value,
    format_number,
    parse_column_value,
    parse_number,
)
from govplan.core.documents.totals import column_totals, phasing_by, phasing_key, row_phasing_total
from govplan.core.documents.values import (
    cell_keys,
    parse_indicator_value,
    ratio_percent,
    sum_values,
)
from govplan.core.frameworks.catalogue import Option
from govplan.core.frameworks.files import read_catalogue


@pytest.mark.parametrize(
    ("raw", "locale", "expected"),
    [
        ("1.234,5", "vi", "1234.5"),
        ("1,234.5", "vi", "1234.5"),
        ("1,234.5", "en", "1234.5"),
        ("1.234", "vi", "1234"),
        ("1.234", "en", "1.234"),
        ("1,5", "vi", "1.5"),
        ("2.500.000", "vi", "2500000"),
        ("1 234 567", "vi", "1234567"),
        (1234.5, "vi", "1234.5"),
        (12, "vi", "12"),
        ("-3", "vi", "-3"),
    ],
)
def test_numbers_are_read_the_way_they_were_written(raw, locale, expected) -> None:  # type: ignore[no-untyped-def]
    assert parse_number(raw, locale=locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("column_type", "raw", "message"),
    [
        ("integer", "mười hai", "not a number: mười hai"),
        ("integer", "-4", "must not be negative"),
        ("integer", "2,5", "must be a whole number"),
        ("money", "-100", "must not be negative"),
        ("money", "1,23456", "at most 3 digits after the decimal mark"),
        ("percent", "120", "must be at most 100"),
        ("year", "20181", "not a year: 20181"),
        ("year_range", "2020-2018", "the years run backwards: 2020-2018"),
        ("date", "31/02/2026", "not a date (write it as 22/11/2026): 31/02/2026"),
        ("boolean", "có lẽ", "answer yes or no (có / không): có lẽ"),
        ("url", "www.example.gov.vn", "not a web address (it starts with https://)"),
        ("text", "x" * 5000, "longer than 4000 characters"),
    ],
)
def test_bad_cells_say_why(column_type: str, raw: str, message: str) -> None:
    with pytest.raises(CellValueError) as caught:
        parse_column_value(column_type, raw)
    assert caught.value.error.message.startswith(message)


def test_good_cells_become_canonical_values() -> None:
    choices = (Option("continuing", "Chuyển tiếp"), Option("new", "Mới"))
    assert parse_column_value("money", "1.500,25") == "1500.25"
    assert parse_column_value("integer", "1.200") == 1200
    assert parse_column_value("year_range", "2018 - 2020") == "2018-2020"
    assert parse_column_value("year_range", "2019") == "2019-2019"
    assert parse_column_value("date", "22/11/2026") == "2026-11-22"
    assert parse_column_value("boolean", "Có") is True
    assert parse_column_value("choice", "mới", choices=choices) == "new"
    assert parse_column_value("multichoice", "Mới; Chuyển tiếp", choices=choices) == [
        "new",
        "continuing",
    ]
    assert parse_column_value("text", "   ") is None
    with pytest.raises(CellValueError) as caught:
        parse_column_value("choice", "Tạm dừng", choices=choices)
    assert caught.value.error.message == '"Tạm dừng" is not one of: Chuyển tiếp; Mới'


def test_values_are_written_back_as_they_are_read() -> None:
    assert format_number(Decimal("1234567.5")) == "1.234.567,5"
    assert format_number(Decimal("1234567.5"), locale="en") == "1,234,567.5"
    assert display_value("money", "1500.25") == "1.500,25"
    assert parse_column_value("money", display_value("money", "1500.25")) == "1500.25"
    assert display_value("date", "2026-11-22") == "22/11/2026"


@pytest.fixture(scope="module")
def catalogue():  # type: ignore[no-untyped-def]
    return read_catalogue()


def test_a_ratio_is_two_counts_and_the_part_cannot_exceed_the_whole(catalogue) -> None:  # type: ignore[no-untyped-def]
    lan = catalogue.indicators["HT.LAN"]
    parsed = parse_indicator_value(lan, catalogue.dimensions, {"": {"n": "218", "d": "230"}})
    assert parsed.ok and parsed.content == {"cells": {"": {"n": "218", "d": "230"}}}
    assert round(ratio_percent(parsed.content["cells"][""]), 2) == Decimal("94.78")
    bad = parse_indicator_value(lan, catalogue.dimensions, {"": {"n": "240", "d": "230"}})
    assert bad.errors[".n"].message.startswith("240 is more than 230")
    # Computers per civil servant may exceed one.
    computers = catalogue.indicators["HT.MAY_TINH_CBCC"]
    assert parse_indicator_value(
        computers, catalogue.dimensions, {"": {"n": "1.250", "d": "1.100"}}
    ).ok


def test_a_disaggregated_value_has_one_cell_per_option(catalogue) -> None:  # type: ignore[no-untyped-def]
    documents = catalogue.indicators["VB.DIEN_TU"]
    keys = cell_keys(documents, catalogue.dimensions)
    assert keys == [
        "NOI_BO|HOAN_TOAN",
        "NOI_BO|SONG_SONG",
        "BEN_NGOAI|HOAN_TOAN",
        "BEN_NGOAI|SONG_SONG",
    ]
    parsed = parse_indicator_value(
        documents,
        catalogue.dimensions,
        {"NOI_BO|HOAN_TOAN": {"n": "80", "d": "100"}, "KHAC": {"n": "1", "d": "2"}},
    )
    assert list(parsed.errors) == ["KHAC"]
    online = catalogue.indicators["DVC.TRUC_TUYEN"]
    negative = parse_indicator_value(online, catalogue.dimensions, {"TOAN_TRINH": "-2"})
    assert negative.errors["TOAN_TRINH"].message == "must not be negative"


def test_consolidation_adds_numerators_and_denominators(catalogue) -> None:  # type: ignore[no-untyped-def]
    lan = catalogue.indicators["HT.LAN"]
    total = sum_values(
        lan,
        [{"cells": {"": {"n": "9", "d": "10"}}}, {"cells": {"": {"n": "1", "d": "90"}}}],
    )
    assert total == {"cells": {"": {"n": "10", "d": "100"}}}  # 10 %, not the mean 45.6 %


def test_consolidation_leaves_out_a_stored_value_that_is_no_number(catalogue) -> None:  # type: ignore[no-untyped-def]
    # Values are checked when written; one stored before those checks must not make the
    # province's total (or its check page) fail.
    lan = catalogue.indicators["HT.LAN"]
    total = sum_values(
        lan,
        [
            {"cells": {"": {"n": "9", "d": "10"}}},
            {"cells": {"": {"n": "abc", "d": "NaN"}}},
            {"cells": {"": {"n": "1", "d": "90"}}},
        ],
    )
    assert total == {"cells": {"": {"n": "10", "d": "100"}}}


def test_totals_are_computed() -> None:
    phasing = {
        phasing_key(2027, "central_budget", "capital"): "100",
        phasing_key(2027, "provincial_budget", "recurrent"): "20.5",
        phasing_key(2028, "central_budget", "capital"): "50",
    }
    assert row_phasing_total(phasing) == Decimal("170.5")
    assert phasing_by(phasing, "year") == {2027: Decimal("120.5"), 2028: Decimal("50")}
    assert phasing_by(phasing, "source")["central_budget"] == Decimal("150")
    rows = [{"total": "100", "amount": "20"}, {"total": "1500.25"}]
    assert column_totals(rows, ["total", "amount"]) == {
        "total": Decimal("1600.25"),
        "amount": Decimal("20"),
    }


# What the page shows of a stored value is read back as that value, in either language: the
# page puts a stored value into a field, and a save sends the field back as it stands.
locales = st.sampled_from(["vi", "en"])
# The largest values an input takes: 15 digits before the decimal mark, money 12.
BOUND = Decimal(10**15) - 1
MONEY_BOUND = Decimal(10**12) - Decimal("0.001")


@given(
    st.decimals(min_value=-BOUND, max_value=BOUND, places=6, allow_nan=False),
    locales,
)
def test_a_decimal_written_out_reads_back_as_itself(number: Decimal, locale: str) -> None:
    stored = canonical_decimal(number)
    shown = display_value("decimal", stored, locale=locale)
    assert parse_number(shown, locale=locale) == number
    assert parse_column_value("decimal", shown, locale=locale) == stored
    assert parse_column_value("decimal", stored, locale="en") == stored  # canonical is stable


@given(st.decimals(min_value=0, max_value=MONEY_BOUND, places=3, allow_nan=False), locales)
def test_money_written_out_reads_back_as_itself(amount: Decimal, locale: str) -> None:
    stored = parse_column_value("money", amount)
    assert stored == canonical_decimal(amount)
    assert (
        parse_column_value("money", display_value("money", stored, locale=locale), locale=locale)
        == stored
    )


@given(st.integers(min_value=0, max_value=int(BOUND)), locales)
def test_a_count_written_out_reads_back_as_itself(count: int, locale: str) -> None:
    shown = display_value("integer", count, locale=locale)
    assert parse_column_value("integer", shown, locale=locale) == count


@given(st.integers(min_value=10**15, max_value=10**40), locales)
def test_a_number_beyond_the_bounds_is_refused_however_written(count: int, locale: str) -> None:
    shown = display_value("integer", count, locale=locale)
    with pytest.raises(CellValueError):
        parse_column_value("integer", shown, locale=locale)
    with pytest.raises(CellValueError):
        parse_column_value("money", display_value("integer", count // 1000, locale=locale))
