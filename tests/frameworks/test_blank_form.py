"""The blank form: each table column's type is printed under that column, and a choice
list whose titles hold commas ("Thể chế, kiến trúc") reads as one box per choice."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from govplan.frameworks.models import FrameworkVersion
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _heads(page: str) -> list[str]:
    return re.findall(r'<table class="data form-table">\s*<thead>(.*?)</thead>', page, re.S)


def test_each_columns_type_stands_under_its_column(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.editor_b)
    version = FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")
    page = client.get(reverse("framework_form", args=["KH-CDS-2027-MAU", version.number]))
    html = page.content.decode()
    table = version.parsed().table("projects")
    assert table is not None
    head = next(h for h in _heads(html) if "Tên nhiệm vụ, dự án" in h)
    titles, types = head.split('<tr class="types">')
    assert len(re.findall(r"<th>", titles)) == len(table.columns) + 1  # TT + each column
    cells = re.findall(r"<td[^>]*>(.*?)</td>", types, re.S)
    assert len(cells) == len(table.columns) + 1
    by_code = dict(zip([c.code for c in table.columns], cells[1:], strict=True))
    area = next(c for c in table.columns if c.title == "Lĩnh vực chuyển đổi số")
    shown = by_code[area.code]
    assert shown.startswith("lựa chọn")
    boxes = re.findall(r"<li>☐ (.*?)</li>", shown)
    assert boxes == [o.title for o in area.choices]
    assert "Thể chế, kiến trúc" in boxes and "Dịch vụ số cho người dân, doanh nghiệp" in boxes
    name = next(c for c in table.columns if c.role == "project_name")
    assert by_code[name.code] == "văn bản"
