"""docs/security.md names only what exists: a reviewer preparing an appraisal dossier reruns
the tests it cites and opens the code it names, so a renamed test or a moved module must fail
here rather than leave the page pointing at nothing.

Checked, among the backticked names:
- `tests/…/test_x.py::test_name`: the file exists and defines that test;
- a bare `test_name`: some test module under tests/ defines it;
- `do_name`: some module of govplan defines that action;
- paths (`govplan/audit/chain.py`, `core/csvsafe.py`, `govplan/usersessions/`): as in
  tests/test_architecture.py.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from tests.test_architecture import _BACKTICKED, _FENCED, _is_path, _path_exists

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"

_TEST_REF = re.compile(r"^([\w./-]+\.py)::(test_\w+)$")
_BARE_TEST = re.compile(r"^test_\w+$")
_ACTION = re.compile(r"^do_\w+$")


@cache
def _defined(folder: str, kind: str) -> frozenset[str]:
    """Every ``def <kind>…`` name in the Python files under ``folder``."""
    pattern = re.compile(rf"^\s*(?:async\s+)?def ({kind}\w*)\b", re.M)
    names: set[str] = set()
    for path in (ROOT / folder).rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return frozenset(names)


def _problems(text: str) -> list[str]:
    missing = []
    for raw in _BACKTICKED.findall(_FENCED.sub("", text)):
        token = " ".join(raw.split())
        reference = _TEST_REF.match(token)
        if reference:
            path, name = reference.groups()
            file = ROOT / path
            if not file.is_file():
                missing.append(f"{token}: no such file")
            elif not re.search(rf"^\s*def {name}\b", file.read_text(encoding="utf-8"), re.M):
                missing.append(f"{token}: {path} defines no {name}")
        elif _BARE_TEST.match(token):
            if token not in _defined("tests", "test_"):
                missing.append(f"{token}: no test of that name under tests/")
        elif _ACTION.match(token):
            if token not in _defined("govplan", "do_"):
                missing.append(f"{token}: no action of that name in govplan/")
        elif (
            _is_path(token)
            and (token.endswith((".py", ".md")) or token.endswith("/"))
            and not _path_exists(token)
        ):
            missing.append(f"{token}: no such file or folder")
    return missing


def test_every_test_action_and_file_the_security_page_names_exists() -> None:
    missing = _problems(DOC.read_text(encoding="utf-8"))
    assert not missing, "docs/security.md names what does not exist:\n" + "\n".join(missing)


def test_the_checker_finds_what_is_missing() -> None:
    """The check above holds something: each kind of name is read, and a wrong one is caught."""
    assert (
        _problems(
            "`tests/audit/test_chain.py::test_the_command_reports_the_first_broken_link` "
            "`test_a_reset_link_expires` `do_attach` `govplan/audit/chain.py` `core/csvsafe.py`"
        )
        == []
    )
    assert _problems(
        "`tests/audit/test_chain.py::test_no_such_case` `tests/no_such.py::test_x` "
        "`test_no_such_case` `do_no_such_action` `govplan/no_such.py`"
    ) == [
        "tests/audit/test_chain.py::test_no_such_case: tests/audit/test_chain.py defines no "
        "test_no_such_case",
        "tests/no_such.py::test_x: no such file",
        "test_no_such_case: no test of that name under tests/",
        "do_no_such_action: no action of that name in govplan/",
        "govplan/no_such.py: no such file or folder",
    ]
