#!/usr/bin/env python3
"""The pictures of official documents in docs/official-documents.md: the demo's 2027 plan
of Bắc Ninh as its PDF, page 1 and the first appendix page, rasterised to PNG; and the demo's
five-year plan (Bắc Ninh 2011-2015, with groups, district and commune budgets and amounts
for the whole period): its appendix pages as the PDF prints them and as LibreOffice prints
the DOCX.

    .venv/bin/python scripts/render_sample.py [--keep]

Builds a throwaway installation in a temporary directory exactly as `make setup` does
(migrate, load_reference_data, load_frameworks, load_demo), gives the plan a number, a date
and a signer as the agency would on its issuing page, renders the PDF the way the download
button does (render(document, "pdf")) and writes docs/images/08-ke-hoach-trang-1.png and
docs/images/09-phu-luc.png at 110 dpi, then docs/images/10-kh-2011-2015-pdf-N.png and
11-kh-2011-2015-docx-N.png (LibreOffice's `soffice` must be on the PATH). Needs the dev
extras (pypdfium2) and Pillow (`pip install pillow`). With --keep the
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
        pdf, docx, five_pdf, five_docx = render_demo_plans()
        (tmp / "ke-hoach.pdf").write_bytes(pdf)
        (tmp / "ke-hoach.docx").write_bytes(docx)
        rasterise(pdf)
        (tmp / "ke-hoach-2011-2015.pdf").write_bytes(five_pdf)
        (tmp / "ke-hoach-2011-2015.docx").write_bytes(five_docx)
        appendix_pages(five_pdf, "10-kh-2011-2015-pdf")
        appendix_pages(docx_as_pdf(tmp / "ke-hoach-2011-2015.docx"), "11-kh-2011-2015-docx")
    finally:
        if keep:
            print(f"kept {tmp} (ke-hoach.pdf, ke-hoach.docx, the database)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def render_demo_plans() -> tuple[bytes, bytes, bytes, bytes]:
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
    five_year = Document.objects.get(framework__code="KH-UDCNTT-2011-2015")
    five_pdf, _type, _name = render(five_year, "pdf")
    five_docx, _type, _name = render(five_year, "docx")
    return pdf, docx, five_pdf, five_docx


def docx_as_pdf(path: Path) -> bytes:
    """The DOCX as LibreOffice prints it."""
    import subprocess

    profile = path.parent / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(path.parent / "lo"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (path.parent / "lo" / path.with_suffix(".pdf").name).read_bytes()


def appendix_pages(pdf: bytes, stem: str) -> None:
    """Every landscape (appendix) page as docs/images/<stem>-N.png."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    pages = [i for i in range(len(doc)) if doc[i].get_size()[0] > doc[i].get_size()[1]]
    for old in OUT.glob(f"{stem}-*.png"):
        old.unlink()
    for n, index in enumerate(pages, start=1):
        image = doc[index].render(scale=DPI / 72).to_pil()
        image.save(OUT / f"{stem}-{n}.png", optimize=True)
        print(f"page {index + 1} of {len(doc)} → docs/images/{stem}-{n}.png")


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
