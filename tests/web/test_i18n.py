"""Vietnamese first: every interface string has a Vietnamese translation, compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PO = Path(__file__).resolve().parents[2] / "govplan" / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_every_string_is_translated_and_none_is_fuzzy() -> None:
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in mo}
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in po}
    assert compiled == source, "run `make messages` to recompile django.mo"


def test_placeholders_survive_translation() -> None:
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]")
    for entry in polib.pofile(str(PO)):
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        assert set(pattern.findall(entry.msgid)) == set(pattern.findall(translated)), entry.msgid


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("GOVPLAN_REQUIRE_GETTEXT") != "1",
    reason="GNU gettext is not installed (apt-get install gettext)",
)
def test_every_marked_message_is_in_the_catalogue_and_none_is_unused(tmp_path: Path) -> None:
    """`make messages` run on a copy of the sources finds no message the catalogue lacks
    (a marked message would show in English) and none it holds unused. Skipped where GNU
    gettext is missing, except in CI (GOVPLAN_REQUIRE_GETTEXT=1)."""
    root = PO.parents[4]
    shutil.copytree(
        root / "govplan", tmp_path / "govplan", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(root / "manage.py", tmp_path)
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "../manage.py",
            "makemessages",
            "-l",
            "vi",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=tmp_path / "govplan",
        env=env,
        check=True,
        capture_output=True,
    )
    ours = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if not e.obsolete}
    found = polib.pofile(str(tmp_path / PO.relative_to(root)))
    marked = {(e.msgctxt, e.msgid) for e in found if not e.obsolete}
    assert sorted(marked - ours, key=str) == [], "marked but not in django.po: `make messages`"
    assert sorted(ours - marked, key=str) == [], "in django.po but used nowhere: `make messages`"
