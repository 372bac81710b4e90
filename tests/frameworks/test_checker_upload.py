"""The upload page checks as the command line does, and knows the frameworks: a `follows:`
naming no framework is refused; a code missing from a catalogue is reported once, in the
section it is in, with how to add it."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from govplan.frameworks.models import Framework, FrameworkVersion
from tests.conftest import EVERY_FEATURE, Cast

pytestmark = pytest.mark.django_db


def post(cast: Cast, text: str) -> str:
    client = Client()
    client.force_login(cast.central_admin)
    return client.post(reverse("framework_upload"), {"text": text}).content.decode()


def test_following_a_framework_that_does_not_exist_is_refused(cast: Cast) -> None:
    text = EVERY_FEATURE.read_text(encoding="utf-8").replace(
        "follows: KH-UDCNTT-2018", "follows: KH-UDCNTT-2019"
    )
    before = (Framework.objects.count(), FrameworkVersion.objects.count())
    page = post(cast, text)
    assert "follows: không có khung KH-UDCNTT-2019" in page
    assert (Framework.objects.count(), FrameworkVersion.objects.count()) == before


def problems(page: str) -> list[str]:
    block = page.split('class="message message-error problems"', 1)[1].split("</div>", 1)[0]
    return [html.unescape(item) for item in re.findall(r'<li class="code">(.*?)</li>', block)]


def test_a_missing_indicator_is_reported_once_in_its_section(cast: Cast) -> None:
    text = EVERY_FEATURE.read_text(encoding="utf-8").replace("HT.MAY_TINH_CBCC", "HT.KHONG_CO")
    found = problems(post(cast, text))
    about = [p for p in found if "HT.KHONG_CO" in p]
    assert len(about) == 1, found
    assert about[0].startswith("sections[1].sections[0].indicators[0].indicator:")
    assert "Trang Chỉ tiêu" in about[0] or "danh mục chỉ tiêu" in about[0]
    assert about[0].endswith("— II.1 Hạ tầng")
