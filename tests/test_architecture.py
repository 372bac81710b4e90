"""The written architecture holds the code: every module the docs name exists, and no module
grows past 500 lines without saying why.

Named in docs/architecture.md and docs/decisions/*.md:
- backticked paths (`govplan/documents/read.py`, `documents/cycles.py`, `tests/...`,
  `data/...`): a file, or a folder when the path ends in "/"; looked up from the repository
  and, for app-relative ones, from govplan/;
- backticked dotted names (`govplan.core.workflow`, `core.documents.values.combine_sources`,
  `audit.recorder.record()`): the longest prefix that is a module or package, then each
  remaining part an attribute of it;
- the layout tree at the top of architecture.md: each entry and each file its description
  names (`docx.py + docx_parts.py` under `official/`).

A path still to come is written without backticks.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOVPLAN = ROOT / "govplan"
DOCS = [ROOT / "docs" / "architecture.md", *sorted((ROOT / "docs" / "decisions").glob("*.md"))]
TOP_PACKAGES = {p.name for p in GOVPLAN.iterdir() if (p / "__init__.py").exists()} | {
    p.stem for p in GOVPLAN.glob("*.py")
}

MAX_LINES = 500
REASON = "Long because:"

_FENCED = re.compile(r"^```.*?^```", re.S | re.M)
_BACKTICKED = re.compile(r"`([^`]+)`")
_PATH = re.compile(r"^[\w.-]+(/[\w.-]+)*/?$")
_FILE_SUFFIXES = (".py", ".md", ".typ", ".js", ".css", ".html", ".yaml", ".csv", ".json", ".toml")
_DOTTED = re.compile(r"^[a-z_]\w*(\.[A-Za-z_]\w*)+$")
_TREE_ENTRY = re.compile(r"^( *)([\w.|/-]+)(?: {2,}|$)")
_TREE_MENTION = re.compile(r"(?<![\w/.])((?:[\w-]+/)*[\w-]+\.(?:py|typ|js)|[\w-]+/)(?![\w/])")


def _is_path(token: str) -> bool:
    return "/" in token and bool(_PATH.match(token)) and not token.startswith("../")


def _path_exists(token: str) -> bool:
    want_dir = token.endswith("/")
    for base in (ROOT, GOVPLAN):
        target = base / token.rstrip("/")
        if target.is_dir() if want_dir else target.exists():
            return True
    return False


def _module_file(parts: list[str]) -> Path | None:
    """The file of the module or package ``govplan.<parts>``, if there is one."""
    base = GOVPLAN.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    module = base.with_suffix(".py")
    return module if module.is_file() else None


def _dotted_problem(token: str) -> str | None:
    """Why ``token`` names nothing, or None if it does."""
    name = token.split("(", 1)[0]
    parts = name.split(".")
    if parts[0] == "govplan":
        parts = parts[1:]
    if not parts or parts[0] not in TOP_PACKAGES:
        return None  # not a govplan name (`OrgUnit.objects.valid_on`, `manage.py`)
    for cut in range(len(parts), 0, -1):
        if _module_file(parts[:cut]) is not None:
            break
    else:
        return f"no module {'.'.join(['govplan', *parts[:1]])}"
    module_name = ".".join(["govplan", *parts[:cut]])
    obj: object = importlib.import_module(module_name)
    for attribute in parts[cut:]:
        if not hasattr(obj, attribute):
            return f"{module_name} has no {'.'.join(parts[cut:])}"
        obj = getattr(obj, attribute)
    return None


def _tree_names(text: str) -> list[str]:
    """The paths the layout tree names: entries, and files named in their descriptions,
    relative to the repository."""
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    names: list[str] = []
    stack: list[tuple[int, str]] = []  # (indent, folder) of the open folders
    here = ""  # the folder a description's mentions are relative to
    for line in block.splitlines()[1:]:
        entry = _TREE_ENTRY.match(line)
        description = line
        if entry and len(entry.group(1)) < 24:
            indent, name = len(entry.group(1)), entry.group(2)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1] if stack else ""
            if "|" in name:  # formats/vi|en/: one entry for each
                choices = [segment.split("|") for segment in name.split("/")]
                names += [parent + "/".join(picked) for picked in itertools.product(*choices)]
                here = parent
                continue
            names.append(parent + name)
            here = parent + name if name.endswith("/") else parent
            if name.endswith("/"):
                stack.append((indent, parent + name))
            description = line[entry.end() :]
        for mention in _TREE_MENTION.findall(description):
            names.append(here + mention)
    return names


def _doc_ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("doc", DOCS, ids=_doc_ids)
def test_every_name_the_docs_give_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = []
    for raw in _BACKTICKED.findall(_FENCED.sub("", text)):
        token = " ".join(raw.split())
        if _is_path(token):
            named = token.endswith(_FILE_SUFFIXES) or token.endswith("/")
            if named and not _path_exists(token):
                missing.append(f"{token}: no such file or folder")
        elif _DOTTED.match(token.split("(", 1)[0]) and not token.endswith(_FILE_SUFFIXES):
            problem = _dotted_problem(token)
            if problem:
                missing.append(f"{token}: {problem}")
    if doc.name == "architecture.md":
        for name in _tree_names(text):
            if not (ROOT / name).exists():
                missing.append(f"{name} (layout tree): no such file or folder")
    assert not missing, f"{_doc_ids(doc)} names what does not exist:\n" + "\n".join(missing)


def test_the_layout_tree_is_read() -> None:
    """The tree reader finds the entries it is meant to check (else the test above holds
    nothing)."""
    names = _tree_names((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    assert "govplan/core/frameworks/parse.py" in names
    assert "govplan/documents/actions.py" in names
    assert "govplan/formats/vi/" in names
    assert "govplan/core/adapters/docx_parts.py" in names


def test_the_checker_tells_module_package_and_attribute_apart() -> None:
    assert _dotted_problem("govplan.core.workflow") is None  # a module
    assert _dotted_problem("core.documents") is None  # a package
    assert _dotted_problem("documents.actions.lock_for_edit(document)") is None  # a function
    assert _dotted_problem("access.scoping.Scope.can") is None  # a method of a class
    assert _dotted_problem("documents.actions.no_such_action") == (
        "govplan.documents.actions has no no_such_action"
    )
    assert _dotted_problem("core.no_such_module") == "govplan.core has no no_such_module"
    assert _dotted_problem("OrgUnit.objects.valid_on") is None  # not a module path
    assert _path_exists("govplan/core/") and _path_exists("documents/cycles.py")
    assert not _path_exists("govplan/core/workflow.py/")  # a file is not a folder
    assert not _path_exists("documents/no_such.py")


def test_decision_records_have_an_index() -> None:
    folder = ROOT / "docs" / "decisions"
    index = (folder / "README.md").read_text(encoding="utf-8")
    records = sorted(p.name for p in folder.glob("*.md") if p.name != "README.md")
    assert records, "no decision record"
    unlisted = [name for name in records if f"({name})" not in index]
    assert not unlisted, f"docs/decisions/README.md does not list: {', '.join(unlisted)}"


def _long_without_reason() -> list[str]:
    found = []
    for path in sorted(GOVPLAN.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n") + (not source.endswith("\n"))
        if lines <= MAX_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(source)) or ""
        paragraphs = [p.strip() for p in docstring.split("\n\n")]
        if not any(p.startswith(REASON) for p in paragraphs):
            found.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    return found


def test_no_module_is_long_without_saying_why() -> None:
    """Over 500 lines a module is split at a natural seam, or its docstring has a paragraph
    starting "Long because:" that says why it is one piece."""
    long = _long_without_reason()
    assert not long, (
        f"over {MAX_LINES} lines with no '{REASON}' paragraph in the module docstring:\n"
        + "\n".join(long)
    )


# The row locks that delete what they lock (FOR UPDATE is right there).
DELETING_LOCKS = {"govplan/official/purge.py"}


def test_row_locks_do_not_hold_off_foreign_key_checks() -> None:
    """Every select_for_update() is FOR NO KEY UPDATE (docs/architecture.md, "Row locks"), so
    inserts referring to a locked row never wait for it; only the purge deletes what it
    locks."""
    offenders = []
    for path in sorted((ROOT / "govplan").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in DELETING_LOCKS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "select_for_update(" in line and "no_key=True" not in line:
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, offenders
