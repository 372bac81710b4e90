"""The national dashboard and a unit's dashboard: the letter's opening figures equal the
hand-made data (built through the real do_* actions), on the structure as it is and as it
was, on the approved and the live layer; a value saved is in the next page load; a province
sees only its own part; the query count does not grow with the number of provinces."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.accounts.models import Role, User
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.models import Document
from govplan.orgunits.models import OrgUnit
from govplan.workflow.actions import do_transition
from tests.conftest import BEFORE_REFORM, Cast, make_user, unit
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

YEAR = 2024
REPORT = """
format: govplan/framework@1
code: TEST-BC-NATIONAL-2024
kind: report
title: Báo cáo thử năm 2024
period: {from: 2024, to: 2024}
issued_by: {number: 9/TEST, date: 2024-09-01, issuer: Bộ Thông tin và Truyền thông}
applies_to: {kinds: [province, ministry, ministry_level]}
reporting:
  {recipient: Bộ TT&TT, delivery: [system], frequency: annual, deadline: 2024-12-20}
sections:
  - number: I
    title: KẾT QUẢ
    indicators: [QLVB.LIEN_THONG, DVC.TRUC_TUYEN, DVC.HO_SO_TRUC_TUYEN]
"""


@dataclass
class Nation:
    """The hand-made year: three old provinces and a ministry filed the 2024 report."""

    bac_giang: OrgUnit  # old 24, merged into the new Bắc Ninh
    bac_ninh_old: OrgUnit  # old 27, merged into the new Bắc Ninh
    ha_noi: OrgUnit
    ministry: OrgUnit
    documents: dict[str, Document]
    editors: dict[str, User]


def save(document: Document, key: str, content: dict[str, Any], actor: User) -> None:
    base = document.entries.filter(key=key).values_list("revision", flat=True).first() or 0
    do_save_entry(document, key, base, content, actor=actor, locale="vi")


def file_report(
    document: Document,
    actor: User,
    *,
    connected: bool | None,
    whole: str,
    part: str,
    n: str,
    d: str,
) -> None:
    if connected is None:
        save(
            document,
            "value:QLVB.LIEN_THONG",
            {"no_data": "1", "no_data_reason": "Chưa thống kê"},
            actor,
        )
    else:
        save(document, "value:QLVB.LIEN_THONG", {"cells": {"": connected}}, actor)
    save(
        document, "value:DVC.TRUC_TUYEN", {"cells": {"TOAN_TRINH": whole, "MOT_PHAN": part}}, actor
    )
    save(document, "value:DVC.HO_SO_TRUC_TUYEN", {"cells": {"": {"n": n, "d": d}}}, actor)


def approve(document: Document, editor: User, appraiser: User) -> None:
    do_transition(document, "submit", actor=editor)
    do_transition(document, "start_appraisal", actor=appraiser)
    do_transition(document, "approve", actor=appraiser)


def build_nation(cast: Cast) -> Nation:
    """Bắc Giang: connected, 10 + 20 services, 30/100 dossiers online; the old Bắc Ninh:
    not connected, 5 + 15, 70/100; Hà Nội: connected, 40 + 60, 50/200, approved; the
    Ministry of Finance: "no data" on the document system, 7 + 3, 9/10."""
    version = publish(REPORT, cast.central_admin, kinds=("province", "ministry", "ministry_level"))
    bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    bac_ninh_old = unit("gso-province", "27", BEFORE_REFORM)
    ministry = unit("govplan", "BTC")
    finance = make_user("editor_btc", ministry, Role.EDITOR)
    documents = {}
    for key, place, editor in (
        ("bac_giang", bac_giang, cast.editor_a),
        ("bac_ninh_old", bac_ninh_old, cast.editor_a),
        ("ha_noi", cast.province_b, cast.editor_b),
        ("ministry", ministry, finance),
    ):
        documents[key] = do_create_document(unit=place, version=version, actor=editor)
    file_report(
        documents["bac_giang"],
        cast.editor_a,
        connected=True,
        whole="10",
        part="20",
        n="30",
        d="100",
    )
    file_report(
        documents["bac_ninh_old"],
        cast.editor_a,
        connected=False,
        whole="5",
        part="15",
        n="70",
        d="100",
    )
    file_report(
        documents["ha_noi"], cast.editor_b, connected=True, whole="40", part="60", n="50", d="200"
    )
    file_report(documents["ministry"], finance, connected=None, whole="7", part="3", n="9", d="10")
    approve(documents["ha_noi"], cast.editor_b, cast.appraiser)
    return Nation(
        bac_giang,
        bac_ninh_old,
        cast.province_b,
        ministry,
        documents,
        {"a": cast.editor_a, "b": cast.editor_b, "ministry": finance},
    )


@pytest.fixture
def nation(cast: Cast) -> Nation:
    return build_nation(cast)


def page(user: User, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def card(html: str, code: str) -> str:
    found = re.search(rf'<section class="headline" id="headline-{code}".*?</section>', html, re.S)
    assert found, f"no headline {code}"
    return re.sub(r"\s+", " ", found.group(0))


def dashboard(user: User, **params: str) -> tuple[int, str]:
    query = "&".join(f"{k}={v}" for k, v in {"year": str(YEAR), **params}.items())
    return page(user, f"{reverse('national_dashboard')}?{query}")


def test_the_letter_s_opening_figures_live_on_the_structure_as_it_was(
    cast: Cast, nation: Nation
) -> None:
    status, html = dashboard(cast.central_admin, layer="live", structure="old")
    assert status == 200
    # "x/22 bộ, y/63 tỉnh": Bắc Giang and Hà Nội are connected; the ministry said no data.
    connected = card(html, "qlvb_lien_thong")
    assert "2/63</span> tỉnh" in connected or "2/63</span> provinces" in connected
    assert "0/22</span>" in connected
    assert "3 reported, 0 no data" in connected or "3 đã báo cáo, 0 không có số liệu" in connected
    # Online services: 10+5+40+7 whole, 20+15+60+3 partly = 160 in all.
    services = card(html, "dvc")
    assert ">160<" in services
    assert "62" in services and "98" in services
    # Dossiers online: (30+70+50+9)/(100+100+200+10) = 159/410 = 38.78 %, never a mean of %.
    assert "38,78 %" in card(html, "ho_so")


def test_the_new_structure_adds_the_merged_provinces_up(cast: Cast, nation: Nation) -> None:
    status, html = dashboard(cast.central_admin, layer="live", structure="new")
    assert status == 200
    connected = card(html, "qlvb_lien_thong")
    # The new Bắc Ninh holds a connected Bắc Giang and an unconnected Bắc Ninh: not all of
    # it is connected, so only Hà Nội counts, out of 34.
    assert "1/34</span>" in connected
    assert "0/17</span>" in connected
    assert ">160<" in card(html, "dvc")


def test_the_approved_layer_holds_only_what_was_approved(cast: Cast, nation: Nation) -> None:
    status, html = dashboard(cast.central_admin)  # approved by default
    assert status == 200
    assert ">100<" in card(html, "dvc")  # Hà Nội's 40 + 60 only
    assert "25 %" in card(html, "ho_so")  # 50/200


def test_a_value_saved_is_in_the_next_page_load(cast: Cast, nation: Nation) -> None:
    save(
        nation.documents["bac_giang"],
        "value:DVC.TRUC_TUYEN",
        {"cells": {"TOAN_TRINH": "110", "MOT_PHAN": "20"}},
        cast.editor_a,
    )
    _status, html = dashboard(cast.central_admin, layer="live")
    assert ">260<" in card(html, "dvc")


def test_a_province_sees_its_own_part_never_the_nation_s(cast: Cast, nation: Nation) -> None:
    status, html = dashboard(cast.editor_b, layer="live", structure="old")
    assert status == 200
    assert ">100<" in card(html, "dvc")  # Hà Nội's own 40 + 60
    assert "1/1</span>" in card(html, "qlvb_lien_thong")
    assert "160" not in html
    status, html = dashboard(cast.editor_a, layer="live", structure="new")
    assert status == 200
    assert ">50<" in card(html, "dvc")  # the new Bắc Ninh: Bắc Giang 30 + old Bắc Ninh 20
    assert "Hà Nội" not in html.split('<main id="main"')[1]


def test_bad_parameters_are_told_on_the_page(cast: Cast) -> None:
    for query in ("year=20x4", "layer=draft", "structure=1999", "year=1800"):
        status, html = page(cast.central_admin, f"{reverse('national_dashboard')}?{query}")
        assert status == 400
        assert 'id="problems"' in html


def test_each_figure_links_to_the_units_behind_it(cast: Cast, nation: Nation) -> None:
    _status, html = dashboard(cast.central_admin, layer="live", structure="old")
    link = re.search(r'href="(/national/pivot/\?[^"]+)"', card(html, "dvc"))
    assert link
    status, listing = page(cast.central_admin, link.group(1).replace("&amp;", "&"))
    assert status == 200
    assert "Bắc Giang" in listing and "Hà Nội" in listing


def provinces_with_reports(cast: Cast, count: int) -> None:
    version = publish(
        REPORT.replace("TEST-BC-NATIONAL-2024", f"TEST-BC-N{count}"), cast.central_admin
    )
    units = list(
        OrgUnit.objects.filter(kind="province")
        .valid_on(dt.date(2024, 12, 20))
        .order_by("code")[:count]
    )
    for place in units:
        document = do_create_document(unit=place, version=version, actor=cast.central_admin)
        save(
            document,
            "value:DVC.TRUC_TUYEN",
            {"cells": {"TOAN_TRINH": "1", "MOT_PHAN": "2"}},
            cast.central_admin,
        )


@pytest.mark.parametrize("count", [2, 10])
def test_the_dashboard_s_queries_do_not_grow_with_the_provinces(
    cast: Cast, count: int, django_assert_max_num_queries: Any
) -> None:
    provinces_with_reports(cast, count)
    client = Client()
    client.force_login(cast.central_admin)
    with django_assert_max_num_queries(20):
        response = client.get(
            f"{reverse('national_dashboard')}?year={YEAR}&layer=live&structure=old"
        )
    assert response.status_code == 200


def test_a_unit_s_dashboard_has_its_series_and_the_nation_s(cast: Cast, nation: Nation) -> None:
    url = reverse("national_unit", args=[cast.province_a.pk])
    query = "?i=DVC.TRUC_TUYEN&i=DVC.HO_SO_TRUC_TUYEN&from=2023&to=2024&layer=live"
    status, html = page(cast.central_admin, url + query)
    assert status == 200
    row = re.search(
        r'<section class="card" id="series-DVC.TRUC_TUYEN".*?data-year="2024">(.*?)</tr>',
        html,
        re.S,
    )
    assert row
    cells = re.findall(r'<td class="num (\w+)">\s*([^<]*)', row.group(1))
    assert ("own", "50") in [(k, v.strip()) for k, v in cells]  # Bắc Giang 30 + Bắc Ninh 20
    assert ("nation", "150") in [(k, v.strip()) for k, v in cells]  # provinces: 30 + 20 + 100
    # The province's own people see its series, never the nation's column.
    status, html = page(cast.editor_a, url + query)
    assert status == 200
    assert 'class="num own">50' in html.replace("\n", "")
    assert 'class="num nation"' not in html
    assert page(cast.editor_b, url + query)[0] == 404


def test_every_headline_names_a_catalogue_indicator_and_its_cells() -> None:
    from govplan.frameworks.catalogues import db_catalogue
    from govplan.national import headlines as hl
    from govplan.national.selection import cells_of

    catalogue = db_catalogue()
    for headline in hl.headlines():
        indicator = catalogue.indicators[headline.indicator]
        cells = set(cells_of(catalogue, indicator))
        for cell in (*headline.cells, headline.cell):
            assert cell == hl.TOTAL or cell in cells, (headline.code, cell)


@pytest.mark.parametrize(
    "data",
    [
        {"format": "other"},
        {"format": "govplan/headlines@1", "figures": [{"code": "x", "measure": "mean"}]},
        {"format": "govplan/headlines@1", "figures": ["x"]},
    ],
)
def test_a_malformed_headline_file_is_refused(data: Any) -> None:
    from govplan.national import headlines as hl

    with pytest.raises(ValueError):
        hl.parse(data)
