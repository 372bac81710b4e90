#!/usr/bin/env python3
"""Compile govplan/locale/*/LC_MESSAGES/django.po to .mo with polib (no GNU gettext needed).

The .mo files are committed so that `make run` works on a machine without gettext.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "govplan" / "locale"


def main() -> int:
    status = 0
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
        fuzzy = [e.msgid for e in po.fuzzy_entries()]
        if missing or fuzzy:
            print(f"{po_path}: {len(missing)} untranslated, {len(fuzzy)} fuzzy")
            for msgid in (missing + fuzzy)[:20]:
                print(f"  - {msgid!r}")
            status = 1
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.with_suffix('.mo')}: {po.percent_translated()}% translated")
    return status


if __name__ == "__main__":
    sys.exit(main())
