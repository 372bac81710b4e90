"""The pilots' pages as their users meet them (in Vietnamese): a central administrator creates a
pilot, designates units and is told why a unit cannot be one; the pilot unit's editor writes
its self-evaluation; a viewer reads but cannot write; another province sees nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from govplan.accounts.models import User
from govplan.pilots.models import Designation, Pilot, SelfEvaluation
from tests.conftest import BEFORE_REFORM, Cast, unit
from tests.pilots.support import cast_pilot, milestone_kwargs

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_central_administrator_creates_a_pilot_and_designates_its_units(cast: Cast) -> None:
    admin = client_for(cast.central_admin)
    # An empty form: a message at each field, nothing saved.
    page = admin.post(reverse("pilot_create"), {})
    assert page.status_code == 200
    assert "Trường này là bắt buộc." in page.content.decode()
    assert not Pilot.objects.exists()
    response = admin.post(
        reverse("pilot_create"),
        {
            "name": "Hệ thống một cửa điện tử dùng chung",
            "assigning_unit": cast.central.pk,
            "start_date": "01/01/2026",
            "indicators": ["HT.LAN", "DVC.TRUC_TUYEN"],
        },
    )
    pilot = Pilot.objects.get()
    assert response["Location"] == reverse("pilot_detail", args=[pilot.pk])
    # A province that no longer exists: refused at the field, in Vietnamese, nothing saved.
    old_bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    page = admin.post(
        reverse("pilot_designate", args=[pilot.pk]),
        {"unit": old_bac_giang.pk, "designated_from": "2026-01-01"},
    )
    assert (
        "Tỉnh Bắc Giang không tồn tại vào ngày 01/01/2026 "
        "(đơn vị tồn tại từ … đến 30/06/2025)." in page.content.decode()
    )
    assert not Designation.objects.exists()
    admin.post(
        reverse("pilot_designate", args=[pilot.pk]),
        {"unit": cast.province_a.pk, "designated_from": "2026-01-01"},
    )
    # The same unit again (a double click): told it is a pilot already.
    page = admin.post(
        reverse("pilot_designate", args=[pilot.pk]),
        {"unit": cast.province_a.pk, "designated_from": "2026-02-01"},
    )
    assert "đã là đơn vị thí điểm của mô hình này từ ngày 01/01/2026" in page.content.decode()
    assert Designation.objects.filter(pilot=pilot).count() == 1
    page = admin.post(
        reverse("pilot_milestone_add", args=[pilot.pk]),
        {"title": "Khảo sát hiện trạng", "deadline": "2025-12-01"},
    )
    assert "Thời hạn (01/12/2025) trước ngày bắt đầu thí điểm (01/01/2026)." in (
        page.content.decode()
    )
    admin.post(
        reverse("pilot_milestone_add", args=[pilot.pk]),
        {"title": "Khảo sát hiện trạng", "deadline": "2026-03-31"},
    )
    detail = admin.get(reverse("pilot_detail", args=[pilot.pk])).content.decode()
    assert "Khảo sát hiện trạng" in detail
    assert "31/03/2026" in detail
    assert "Quá hạn" in detail  # due 31/03/2026, not reached


def test_the_pilot_units_editor_writes_its_self_evaluation(cast: Cast) -> None:
    kwargs = milestone_kwargs(cast)
    url = reverse("pilot_self_evaluate", kwargs=kwargs)
    detail = reverse("pilot_detail", kwargs={"pk": kwargs["pk"]})
    editor = client_for(cast.editor_a)
    assert url in editor.get(detail).content.decode()  # the link is offered
    response = editor.post(
        url,
        {
            "unit": cast.province_a.pk,
            "written_on": "2026-05-10",
            "text": "Đã triển khai tại 18/20 sở.",
            "rating": "satisfactory",
        },
    )
    assert response.status_code == 302
    page = editor.get(detail).content.decode()
    assert "Tự đánh giá của Tỉnh Bắc Ninh (10/05/2026): Đạt: đạt một phần mục tiêu" in page
    assert url not in page  # written once: no longer offered
    # A viewer of province A reads the page, is not offered the form and is refused it.
    viewer = client_for(cast.viewer_a)
    assert url not in viewer.get(detail).content.decode()
    assert viewer.post(url, {"unit": cast.province_a.pk}).status_code == 403
    # Another province does not learn the pilot exists.
    assert client_for(cast.editor_b).get(detail).status_code == 404
    assert SelfEvaluation.objects.count() == 1


def test_the_list_shows_each_user_the_pilots_they_may_see(cast: Cast) -> None:
    pilot = cast_pilot(cast)
    for user, sees in (
        (cast.central_admin, True),
        (cast.appraiser, True),
        (cast.viewer_a, True),
        (cast.editor_b, False),
        (cast.commune_editor_a, False),
    ):
        page = client_for(user).get(reverse("pilot_list")).content.decode()
        assert (pilot.name in page) is sees, user.username
    assert (
        "Thêm mô hình thí điểm"
        in client_for(cast.central_admin).get(reverse("pilot_list")).content.decode()
    )
    assert dt.date(2025, 9, 1) == pilot.start_date
