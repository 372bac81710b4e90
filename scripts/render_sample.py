#!/usr/bin/env python3
"""The pictures of an official document in docs/official-documents.md: the demo's 2027 plan
of Bắc Ninh as its PDF, page 1 and the first appendix page, rasterised to PNG.

    .venv/bin/python scripts/render_sample.py [--keep]

Builds a throwaway installation in a temporary directory exactly as `make setup` does
(migrate, load_reference_data, load_frameworks, load_demo), gives the plan a number, a date
and a signer as the agency would on its issuing page, renders the PDF the way the download
button does (render(document, "pdf")) and writes docs/images/08-ke-hoach-trang-1.png and
docs/images/09-phu-luc.png at 110 dpi. Needs the dev extras (pypdfium2). With --keep the
temporary directory, holding the PDF and the DOCX, is left in place and named.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"
DPI = 110
FIRST_PAGE = "08-ke-hoach-trang-1.png"
APPENDIX_PAGE = "09-phu-luc.png"


def main(argv: list[str]) -> None:
    keep = "--keep" in argv
    tmp = Path(tempfile.mkdtemp(prefix="govplan-sample-"))
    os.environ["GOVPLAN_VAR_DIR"] = str(tmp)
    os.environ["DEBUG"] = "1"
    os.environ.pop("DATABASE_URL", None)  # the temporary SQLite file, never a real database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    sys.path.insert(0, str(ROOT))
    try:
        pdf, docx = render_demo_plan()
        (tmp / "ke-hoach.pdf").write_bytes(pdf)
        (tmp / "ke-hoach.docx").write_bytes(docx)
        rasterise(pdf)
    finally:
        if keep:
            print(f"kept {tmp} (ke-hoach.pdf, ke-hoach.docx, the database)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def render_demo_plan() -> tuple[bytes, bytes]:
    import django

    django.setup()
    from django.core.management import call_command

    from govplan.accounts.models import User
    from govplan.documents.models import Document
    from govplan.official.actions import DATA_FIELDS, do_save_issuing_data
    from govplan.official.render import render
    from govplan.orgunits.models import OrgUnit

    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    print("setting up a temporary installation (under a minute)", flush=True)
    call_command("migrate", "--noinput", **quiet)
    call_command("load_reference_data", **quiet)
    call_command("load_frameworks", **quiet)
    call_command("load_demo", **quiet)

    bac_ninh = OrgUnit.objects.with_code("gso-province", "24").get()
    document = Document.objects.get(org_unit=bac_ninh, framework__code="KH-CDS-2027-MAU")
    # What the editor enters on the issuing page: the number, the date, who signs.
    values: dict[str, object] = dict.fromkeys(DATA_FIELDS, "")
    values.update(
        number="15",
        date=dt.date(2027, 1, 15),
        decision_date=None,
        signer_name="Phạm Minh Lãnh",
    )
    do_save_issuing_data(document, values, actor=User.objects.get(username="bacninh.bientap"))
    pdf, _type, _name = render(document, "pdf")
    docx, _type, _name = render(document, "docx")
    return pdf, docx


def rasterise(pdf: bytes) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    sizes = [doc[i].get_size() for i in range(len(doc))]
    appendix = next((i for i, (w, h) in enumerate(sizes) if w > h), None)
    if appendix is None:
        sys.exit("the PDF has no landscape (appendix) page")
    OUT.mkdir(parents=True, exist_ok=True)
    for index, name in ((0, FIRST_PAGE), (appendix, APPENDIX_PAGE)):
        image = doc[index].render(scale=DPI / 72).to_pil()
        image.save(OUT / name, optimize=True)
        print(f"page {index + 1} of {len(doc)} → docs/images/{name} ({image.width}×{image.height})")


if __name__ == "__main__":
    main(sys.argv[1:])
