"""The demo's five-year plan (Bắc Ninh 2011-2015, letter 491): written as the plans of 2010
were, it passes the checks, its editor opens it, and its official document prints the
projects under their groups and only the years and sources the plan uses."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from govplan.core.adapters.docx import write_docx
from govplan.demo import five_year
from govplan.demo.management.commands.load_demo import DEMO_PASSWORD
from govplan.documents.models import Document
from govplan.official.build import official_document
from govplan.workflow.validation import validate
from tests.official.test_official import docx_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(settings, tmp_path: Path) -> Document:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    settings.TRUST_ROOTS_DIR = tmp_path / "trust-roots"
    call_command("load_demo", stdout=io.StringIO())
    return Document.objects.get(framework__code=five_year.FRAMEWORK)


def test_the_five_year_plan_is_bac_ninh_of_2010_and_passes_the_checks(plan: Document) -> None:
    assert plan.status == "draft"
    assert plan.org_unit.code == "27" and plan.org_unit.valid_to is not None
    result = validate(plan)
    assert [f.message for f in result.errors] == []
    editor = Client()
    assert editor.login(username="bacninh.bientap", password=DEMO_PASSWORD)
    page = editor.get(reverse("document_edit", args=[plan.pk])).content.decode()
    assert "Hạ tầng kỹ thuật" in page and "Ngân sách cấp xã" in page


def test_its_official_document_prints_the_groups_and_only_what_the_plan_uses(
    plan: Document,
) -> None:
    text = docx_text(write_docx(official_document(plan)))
    for project in five_year.PROJECTS:
        assert project[1] in text
    assert re.search(r"\bI\b\.?\s*Hạ tầng kỹ thuật", text), "the group I heads its projects"
    assert "Cộng I\n" in text  # its subtotal
    assert "Cả giai đoạn" in text  # the training project's amounts for the whole period
    assert "Ngân sách cấp huyện" in text and "Ngân sách cấp xã" in text
    assert "Vốn ODA" not in text  # a source the framework allows and the plan does not use
    assert "Năm 2011" in text
    # Every project's total as the plan states it, and the grand total of the six.
    grand = sum(sum(p[4].values()) for p in five_year.PROJECTS)
    assert f"{grand:,}".replace(",", ".") in text


def test_its_budget_by_source_follows_the_frameworks_order_of_sources(plan: Document) -> None:
    """The central budget first, then the province's, the districts', the communes': the
    order the framework lists them in, not the order the years first use them."""
    official = official_document(plan)
    by_source = next(
        t for a in official.appendices for t in a.tables if t.title.startswith("Kinh phí theo ng")
    )
    heads = [h.text for h in by_source.header[0] if h.text.startswith("Ngân sách")]
    assert heads == [
        "Ngân sách trung ương",
        "Ngân sách cấp tỉnh",
        "Ngân sách cấp huyện",
        "Ngân sách cấp xã",
    ]


def test_its_cycle_workbook_heads_each_used_amount_once(plan: Document) -> None:
    """The cycle workbook lists the plan's used phasing columns, the whole period's first,
    each once and named once."""
    from python_calamine import CalamineWorkbook

    from govplan.official.cycle_workbook import cycle_workbook

    content = cycle_workbook(plan.framework_version, [plan], title="Kế hoạch 2011-2015")
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    for name in book.sheet_names:
        headers = [
            cell
            for row in book.get_sheet_by_name(name).to_python()
            for cell in row
            if isinstance(cell, str) and cell.startswith("Kinh phí ")
        ]
        whole = [h for h in headers if "cả giai đoạn" in h]
        assert all(h.count("cả giai đoạn") == 1 for h in whole), whole
        assert len(headers) == len(set(headers)), (name, headers)
    projects = next(n for n in book.sheet_names if n.startswith("Danh mục dự án"))
    first = book.get_sheet_by_name(projects).to_python()
    heads = [c for row in first for c in row if isinstance(c, str) and c.startswith("Kinh phí ")]
    assert len(heads) == 13 and heads[0].startswith("Kinh phí cả giai đoạn - ")
