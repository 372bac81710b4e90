"""What no input may hold is refused where it is read, with what is wrong and where
(issue 11, case 7): the cell parser, the strict JSON reader, the framework and catalogue
loader; and the few core helpers that trusted str.isdigit()."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from govplan.core.documents.cells import CellValueError, parse_column_value, parse_number
from govplan.core.documents.values import parse_indicator_value
from govplan.core.frameworks.files import read_catalogue, read_legal
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text
from govplan.core.inputs import character_problem, parse_id
from govplan.core.jsonsafe import JsonProblem, loads
from govplan.core.official.richtext import blocks_from_html
from govplan.core.official.vietnamese import number_text
from tests.support.hostile import HOSTILE_DATES, HOSTILE_NUMBERS, HOSTILE_TEXTS

EVERY_FEATURE = (
    Path(__file__).resolve().parent.parent / "frameworks" / "files" / "every_feature.yaml"
)


def refusal(column_type: str, raw: Any) -> str:
    with pytest.raises(CellValueError) as caught:
        parse_column_value(column_type, raw)
    return caught.value.error.message


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("column_type", ["integer", "decimal", "money", "percent", "year"])
@pytest.mark.parametrize("name", sorted(HOSTILE_NUMBERS))
def test_no_number_column_takes_a_hostile_number(column_type: str, name: str) -> None:
    message = refusal(column_type, HOSTILE_NUMBERS[name])
    assert message.startswith(("not a number", "too large", "not a year", "must be at most"))


def test_nan_and_infinity_are_not_numbers_whatever_their_type() -> None:
    for raw in (float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity"), Decimal("sNaN")):
        with pytest.raises(CellValueError) as caught:
            parse_number(raw)
        assert caught.value.error.message.startswith("not a number")


def test_numbers_are_bounded_so_a_spreadsheet_keeps_every_digit() -> None:
    # Money in million VND: 12 digits before the mark, 3 after (15 significant digits).
    assert parse_column_value("money", "999.999.999.999,999") == "999999999999.999"
    assert refusal("money", "1.000.000.000.000") == (
        "too large: at most 12 digits before the decimal mark"
    )
    assert (
        refusal("money", "1" + "0" * 400) == "too large: at most 12 digits before the decimal mark"
    )
    # Other numbers: 15 digits before the mark.
    assert parse_column_value("integer", 999_999_999_999_999) == 999_999_999_999_999
    assert refusal("integer", 10**15) == "too large: at most 15 digits before the decimal mark"
    assert refusal("decimal", "-1" + "0" * 15) == (
        "too large: at most 15 digits before the decimal mark"
    )
    assert refusal("integer", 10**5000) == "too large: at most 15 digits before the decimal mark"


def test_digits_are_ascii_digits() -> None:
    # "٣" is a digit to Python's \d and int(), not to the editor's script: one meaning only.
    assert refusal("integer", "٣") == "not a number: ٣"
    assert refusal("year_range", "٢٠١٨-٢٠٢٠").startswith("not a year")
    assert refusal("date", "٢٢/١١/٢٠٢٦").startswith("not a date")


def test_a_ratio_part_is_bounded_too() -> None:
    lan = read_catalogue().indicators["HT.LAN"]
    parsed = parse_indicator_value(lan, {}, {"": {"n": "NaN", "d": "1" + "0" * 400}})
    assert parsed.errors[".n"].message == "not a number: NaN"
    assert parsed.errors[".d"].message == "too large: at most 15 digits before the decimal mark"


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE_DATES))
def test_no_date_column_takes_an_impossible_date(name: str) -> None:
    message = refusal("date", HOSTILE_DATES[name])
    assert message.startswith(("not a date", f"{HOSTILE_DATES[name]} is outside the years"))


def test_dates_stay_within_the_calendar_a_spreadsheet_knows() -> None:
    assert parse_column_value("date", "01/01/1900") == "1900-01-01"
    assert refusal("date", dt.date(1899, 12, 31)) == "1899-12-31 is outside the years 1900-2100"
    assert refusal("date", "31/12/9999") == "31/12/9999 is outside the years 1900-2100"


# --- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("column_type", ["text", "longtext", "url"])
@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_no_text_column_takes_a_control_character_or_half_a_character(
    column_type: str, name: str
) -> None:
    message = refusal(column_type, HOSTILE_TEXTS[name])
    assert "at position" in message


def test_the_refusal_says_which_character_and_where() -> None:
    assert refusal("text", "Dự án\x07 số 1") == "holds a control character (U+0007) at position 6"
    assert refusal("text", "\x1b[31m") == "holds a control character (U+001B) at position 1"
    assert refusal("longtext", "Dự án \ud800") == (
        "holds half of a character (U+D800, an unpaired surrogate) at position 7"
    )
    assert refusal("text", {"a": 1}) == "must be text"
    assert refusal("text", [1]) == "must be text"


def test_tabs_and_line_breaks_are_text() -> None:
    assert parse_column_value("longtext", "Dòng 1\r\nDòng 2\tcột") == "Dòng 1\nDòng 2\tcột"
    assert character_problem("a\tb", multiline=False) is not None
    assert character_problem("a\tb") is None


def test_a_refused_value_is_repeated_short() -> None:
    message = refusal("integer", "x" * 100_000)
    assert len(message) < 80 and message.endswith("…")


# --- the strict JSON reader -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ('{"a": NaN}', "a", "not a finite number: NaN"),
        ('{"a": [1, -Infinity]}', "a.1", "not a finite number: -Infinity"),
        ('{"a": 1e400}', "a", "not a finite number: 1e400"),
        ('{"a": ' + "9" * 4301 + "}", "a", "too large: at most 15 digits before the decimal mark"),
        ('{"a": 1e15}', "a", "too large: at most 15 digits before the decimal mark"),
        (
            '{"a": {"b": "x\\ud800"}}',
            "a.b",
            "holds half of a character (U+D800, an unpaired surrogate) at position 2",
        ),
        ('{"k\\u0000": 1}', "k", "holds a control character (U+0000) at position 2"),
        ("[" * 100_000 + "]" * 100_000, "", "nested deeper than 8 levels"),
        ("[[[[[[[[[[1]]]]]]]]]]", "", "nested deeper than 8 levels"),
        ("{key: 1", "", "not valid JSON (line 1, column 2)"),
    ],
)
def test_json_is_read_strictly(text: str, path: str, message: str) -> None:
    with pytest.raises(JsonProblem) as caught:
        loads(text, max_depth=8)
    problem = caught.value
    assert problem.path == path
    assert problem.template % problem.params == message


def test_json_bytes_must_be_utf8() -> None:
    with pytest.raises(JsonProblem) as caught:
        loads(b'{"a": "\xff"}', max_depth=8)
    assert caught.value.template % caught.value.params == "not UTF-8 text (byte 8)"


def test_the_json_reader_leaves_other_control_characters_to_the_field() -> None:
    # A bell in the editor's text is the text reader's to refuse (with its position); with
    # ``controls`` (uploaded files) the reader refuses it itself.
    assert loads('{"a": "\\u0007"}', max_depth=8) == {"a": "\x07"}
    with pytest.raises(JsonProblem):
        loads('{"a": "\\u0007"}', max_depth=8, controls=True)


# --- framework and catalogue files ------------------------------------------------------------

# The six malformed uploads that reached the server as a 500, and their neighbours.
HOSTILE_FILES: list[tuple[str, bytes, str]] = [
    ("deep_json", b"[" * 100_000 + b"]" * 100_000, "nested deeper than 40 levels"),
    ("deep_yaml", b"a: " + b"[" * 500 + b"]" * 500, "nested deeper than 40 levels"),
    # PyYAML's scanner takes time in the square of the open brackets: refused before it.
    ("bracket_flood", b"a: " + b"[" * 20_000, "nested deeper than 40 levels"),
    ("digits_json", b'{"code": ' + b"9" * 4301 + b"}", "too large: at most 15 digits"),
    ("digits_yaml", b"code: " + b"9" * 4301, "not valid YAML (a number of more than 15 digits)"),
    ("list_key", b"? [a]\n: b", "not valid YAML (a list or a mapping cannot be a key)"),
    ("nan_json", b'{"period": {"from": NaN}}', "period.from: not a finite number: NaN"),
    ("inf_yaml", b"period: {from: .inf}", "period.from: not a finite number: inf"),
    ("overflow_yaml", b"period: {from: 1.0e+400}", "period.from: not a finite number: inf"),
    ("surrogate", b'title: "\\ud800"', "title: holds half of a character (U+D800"),
    ("bel", b'title: "K\\x07"', "title: holds a control character (U+0007) at position 2"),
    ("esc_in_list", b'a: [x, "\\e"]', "a[1]: holds a control character (U+001B)"),
    ("nul_json", b'{"a": "\\u0000"}', "a: holds a control character (U+0000)"),
]


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE_FILES)
def test_a_hostile_file_is_refused_with_where_and_why(
    name: str, content: bytes, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        load_text(content)
    assert message in str(caught.value)


def test_a_superscript_two_is_not_a_year_in_a_framework() -> None:
    document = load_text(EVERY_FEATURE.read_bytes())
    document["period"]["from"] = "²"
    with pytest.raises(SpecError) as caught:
        parse_framework(document, read_catalogue(), read_legal())
    assert "period.from: must be a whole number" in str(caught.value)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _leaves(child, (*path, index))
    return found


# Every value meets a list and "²" (an unhashable key, isdigit() without int()); the others
# take turns.
ALWAYS: list[Any] = [["a", "b"], "²"]
REPLACEMENTS: list[Any] = [
    {"x": 1},
    float("nan"),
    10**40,
    "2025-02-30",
    "9999-12-31",
    None,
    True,
    "\x07",
]


def test_any_value_anywhere_in_a_framework_is_a_problem_or_fine_never_a_crash() -> None:
    """Each value of the file that has every feature replaced in turn: the checker answers
    with problems, never with an exception of its own."""
    catalogue, legal = read_catalogue(), read_legal()
    document = load_text(EVERY_FEATURE.read_bytes())
    for index, path in enumerate(_leaves(document)):
        target = document
        for part in path[:-1]:
            target = target[part]
        original = copy.deepcopy(target[path[-1]])
        for replacement in [*ALWAYS, REPLACEMENTS[index % len(REPLACEMENTS)]]:
            target[path[-1]] = replacement
            with contextlib.suppress(SpecError):
                parse_framework(document, catalogue, legal)
        target[path[-1]] = original


# --- helpers that trusted str.isdigit() -------------------------------------------------------


def test_ids_are_ascii_digits_of_a_sane_length() -> None:
    assert parse_id("42") == 42
    for text in ("²", "٣", "-1", "1.0", "", " 1", "9" * 19, "9" * 4301, None):
        assert parse_id(text) is None


def test_an_official_number_in_other_digits_is_printed_as_it_is() -> None:
    assert number_text("5") == "05"
    assert number_text("²") == "²"


def test_a_table_cell_span_in_other_digits_is_one_cell() -> None:
    blocks = blocks_from_html('<table><tr><td colspan="²">a</td><td>b</td></tr></table>')
    assert blocks  # read, not refused with a ValueError
