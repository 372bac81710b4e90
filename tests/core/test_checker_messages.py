"""The framework checker's messages: each names the section it is in by its official number
and title as well as the path, a code missing from a catalogue says how to add it, and each
problem is printed once (the command line and the upload page alike)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govplan.core.frameworks import check
from govplan.core.frameworks.files import read_catalogue, read_legal
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import Collector, SpecError
from govplan.core.frameworks.yamlsafe import load_text

ROOT = Path(__file__).resolve().parents[2]
EVERY_FEATURE = ROOT / "tests" / "frameworks" / "files" / "every_feature.yaml"
UNKNOWN = "HT.KHONG_CO"


@pytest.fixture(scope="module")
def catalogues() -> tuple[Any, Any]:
    return read_catalogue(), read_legal()


def broken_text() -> str:
    """The test framework with a computer indicator that no catalogue has (used in II.1, in
    III's targets and twice in a rule), a legal code no catalogue has, and a bad number in
    II.2.a."""
    text = EVERY_FEATURE.read_text(encoding="utf-8")
    text = text.replace("HT.MAY_TINH_CBCC", UNKNOWN).replace("ND-64-2007", "ND-999-2099")
    return text.replace("          - number: a\n", "          - number: a-1\n")


def refused(text: str, catalogues: tuple[Any, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_framework(load_text(text), *catalogues)
    return [str(p) for p in caught.value.problems]


def test_messages_name_the_section_and_say_how_to_add_a_missing_code(catalogues) -> None:  # type: ignore[no-untyped-def]
    found = refused(broken_text(), catalogues)
    legal = next(p for p in found if "ND-999-2099" in p)
    assert legal.startswith('sections[0].legal_basis.suggested[1]: "ND-999-2099" is not in')
    assert "adds it on the Legal documents page (or in data/legal/catalogue.yaml)" in legal
    assert legal.endswith("— I CĂN CỨ")
    number = next(p for p in found if "a-1" in p)
    assert number.startswith("sections[1].sections[1].sections[0].number:")
    assert number.endswith("— II.2.a-1 Riêng các tỉnh")


def test_a_missing_indicator_is_reported_once_with_the_other_places(catalogues) -> None:  # type: ignore[no-untyped-def]
    found = refused(broken_text(), catalogues)
    about = [p for p in found if UNKNOWN in p]
    assert len(about) == 1, about
    (only,) = about
    assert only.startswith(
        f'sections[1].sections[0].indicators[0].indicator: "{UNKNOWN}" is not in the indicator '
        "catalogue; a central administrator adds it to the indicator catalogue"
    )
    assert "also at sections[2].targets.indicators[1], rules[" in only
    assert only.endswith("— II.1 Hạ tầng")


def test_the_same_problem_twice_is_printed_once() -> None:
    collector = Collector()
    for _ in range(2):
        collector.add("kind", "must be one of %(allowed)s", allowed="plan, report")
    with pytest.raises(SpecError) as caught:
        collector.raise_if_any()
    assert [str(p) for p in caught.value.problems] == ["kind: must be one of plan, report"]


def test_the_command_line_prints_each_problem_once_with_its_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "khung.yaml"
    path.write_text(broken_text(), encoding="utf-8")
    assert check.main([str(path)]) == 1
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    problems = [line for line in lines if line.startswith(("sections", "rules"))]
    assert len(problems) == len(set(problems))
    assert sum(UNKNOWN in line for line in problems) == 1
    assert any(line.endswith("— II.1 Hạ tầng") for line in problems)
