"""Entry keys are built and read in one place (govplan.core.documents.keys); the kinds the
database stores are that module's."""

from __future__ import annotations

import re
from pathlib import Path

from govplan.core.documents import keys
from govplan.documents.models import EntryKind


def test_the_stored_kinds_are_the_keys_kinds() -> None:
    assert set(EntryKind.values) == set(keys.KINDS)


# A key or a collection written by hand: "value:" + code, f"table:{code}", key.split(":") …
HAND_MADE = re.compile(
    r"""f["'](narrative|legal|value|row|target|result|budget|table):\{"""
    r"""|removeprefix\(["'](narrative|legal|value|row|target|result|budget|table):"""
    r"""|key\.(r?split|r?partition)\(["']:["']"""
    r"""|["'](narrative|legal|value|row|target|result|budget|table):\{\{"""
)
ROOT = Path(__file__).resolve().parents[2] / "govplan"


def test_no_module_builds_or_reads_keys_by_hand() -> None:
    """Everything goes through core.documents.keys: a change of the key format is one change."""
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html", ".js") or "migrations" in path.parts:
            continue
        if path.name == "keys.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HAND_MADE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
