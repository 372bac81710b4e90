"""The UI shell as a user meets it: Vietnamese first, the unit browser with history,
user and role administration with clear messages on bad input."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from govplan.accounts.models import Membership, User
from govplan.audit.models import Action, AuditEvent
from govplan.orgunits.models import OrgUnit
from tests.conftest import BEFORE_REFORM, PASSWORD, Cast, unit

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_login_page_is_vietnamese_first_and_switches_to_english() -> None:
    client = Client()
    page = text(client.get(reverse("login")))
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = text(client.get(reverse("login")))
    assert '<html lang="en">' in page
    assert "Log in to GovPlan" in page


def test_a_user_logs_in_and_sees_their_units(cast: Cast) -> None:
    client = Client()
    response = client.post(
        reverse("login"), {"username": "editor_a", "password": PASSWORD}, follow=True
    )
    page = text(response)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Tỉnh Bắc Ninh" in page
    assert "Cán bộ soạn thảo" in page


def test_wrong_password_says_so_and_logs_nobody_in(cast: Cast) -> None:
    client = Client()
    page = text(client.post(reverse("login"), {"username": "editor_a", "password": "x"}))
    assert "errorlist" in page or "message-error" in page
    assert client.get(reverse("home")).status_code == 302


def test_unit_browser_shows_the_structure_as_of_a_date(cast: Cast) -> None:
    client = logged_in(cast.appraiser)
    before = text(client.get(reverse("unit_list"), {"as_of": "2025-06-30"}))
    after = text(client.get(reverse("unit_list"), {"as_of": "2025-07-01"}))
    assert "Tỉnh Bắc Giang" in before and "Tỉnh Bắc Giang" not in after
    assert "Tỉnh Hà Giang" in before and "Tỉnh Hà Giang" not in after
    assert "Tỉnh Bắc Ninh" in before and "Tỉnh Bắc Ninh" in after
    search = text(client.get(reverse("unit_list"), {"q": "Bắc Giang", "as_of": "2025-06-30"}))
    assert "Thành phố Bắc Giang" in search  # the old provincial city, a district then


def test_a_bad_date_is_reported_not_crashed(cast: Cast) -> None:
    response = logged_in(cast.appraiser).get(reverse("unit_list"), {"as_of": "31/02/2025"})
    assert response.status_code == 200
    assert "message-error" in text(response)


def test_merged_province_shows_its_successor_and_the_new_one_its_predecessors(
    cast: Cast,
) -> None:
    client = logged_in(cast.editor_a)
    bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    page = text(client.get(reverse("unit_detail", args=[bac_giang.pk])))
    assert "hết hiệu lực" in page
    assert reverse("unit_detail", args=[cast.province_a.pk]) in page
    # An ended unit is shown as it stood on its last day: its districts are listed.
    assert "Thành phố Bắc Giang" in page
    page = text(client.get(reverse("unit_detail", args=[cast.province_a.pk])))
    assert "Tỉnh Bắc Giang" in page
    assert reverse("unit_detail", args=[bac_giang.pk]) in page


def test_central_admin_creates_a_user_and_grants_a_role(cast: Cast) -> None:
    client = logged_in(cast.central_admin)
    response = client.post(
        reverse("user_create"),
        {
            "username": "nguyenvana",
            "full_name": "Nguyễn Văn A",
            "email": "a@example.vn",
            "password": "một-mật-khẩu-dài-2026",
            "is_active": "on",
        },
    )
    new = User.objects.get(username="nguyenvana")
    assert response["Location"] == reverse("user_detail", args=[new.pk])
    assert new.check_password("một-mật-khẩu-dài-2026")
    page = text(client.get(reverse("user_detail", args=[new.pk]), {"unit_q": "Bắc Ninh"}))
    assert f'value="{cast.province_a.pk}"' in page
    client.post(
        reverse("membership_add", args=[new.pk]),
        {"org_unit": cast.province_a.pk, "role": "editor"},
    )
    assert Membership.objects.filter(user=new, org_unit=cast.province_a, role="editor").exists()
    grant = AuditEvent.objects.filter(action=Action.MEMBERSHIP_GRANT).latest("id")
    assert grant.actor == cast.central_admin
    assert grant.after == {"user": new.pk, "org_unit": cast.province_a.pk, "role": "editor"}


def test_duplicate_user_name_is_refused_with_a_message(cast: Cast) -> None:
    client = logged_in(cast.central_admin)
    count = User.objects.count()
    page = text(client.post(reverse("user_create"), {"username": "editor_a", "is_active": "on"}))
    assert "errorlist" in page
    assert User.objects.count() == count


def test_central_role_outside_the_central_authority_is_refused(cast: Cast) -> None:
    client = logged_in(cast.central_admin)
    response = client.post(
        reverse("membership_add", args=[cast.editor_b.pk]),
        {"org_unit": cast.province_b.pk, "role": "central_admin"},
        follow=True,
    )
    assert "chỉ được giao trong cơ quan quản lý trung ương" in text(response)
    assert not Membership.objects.filter(user=cast.editor_b, role="central_admin").exists()


def test_revoking_a_role_removes_access(cast: Cast) -> None:
    client = logged_in(cast.central_admin)
    membership = Membership.objects.get(user=cast.viewer_a)
    client.post(reverse("membership_revoke", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    viewer = logged_in(cast.viewer_a)
    assert viewer.get(reverse("unit_detail", args=[cast.province_a.pk])).status_code == 404


def test_creating_a_department_checks_code_and_validity(cast: Cast) -> None:
    client = logged_in(cast.central_admin)
    data = {
        "kind": "department",
        "scheme": "govplan",
        "code": "T24-SKHCN",
        "name": "Sở Khoa học và Công nghệ tỉnh Bắc Ninh",
        "parent_id": cast.province_a.pk,
        "valid_from": "2025-07-01",
    }
    response = client.post(reverse("unit_create"), data)
    created = OrgUnit.objects.get(code="T24-SKHCN")
    assert response["Location"] == reverse("unit_detail", args=[created.pk])
    assert created.parent == cast.province_a and created.path.startswith(cast.province_a.path)
    # Same code again while the first is in force: refused at the code field.
    count = OrgUnit.objects.count()
    page = text(client.post(reverse("unit_create"), {**data, "valid_from": "2026-01-01"}))
    assert "T24-SKHCN" in page and "errorlist" in page
    # Starting before its parent existed: refused at the parent field.
    page = text(
        client.post(reverse("unit_create"), {**data, "code": "X", "valid_from": "2020-01-01"})
    )
    assert "errorlist" in page
    assert OrgUnit.objects.count() == count


def test_renaming_a_unit_keeps_the_old_name_in_its_history(cast: Cast) -> None:
    client = logged_in(cast.central_admin)
    commune = cast.commune_a
    old_name = commune.name
    client.post(
        reverse("unit_edit", args=[commune.pk]),
        {
            "kind": "commune",
            "name": "Phường Mới",
            "short_name": "",
            "name_en": "",
            "level_name": "Phường",
            "valid_to": "",
            "rename_from": "2026-09-01",
        },
    )
    commune.refresh_from_db()
    assert commune.name == "Phường Mới"
    import datetime as dt

    assert commune.name_on(dt.date(2026, 8, 31)) == old_name
    page = text(client.get(reverse("unit_detail", args=[commune.pk])))
    assert old_name in page and "Phường Mới" in page


def test_an_english_browser_still_gets_vietnamese_until_the_user_switches() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = text(client.get(reverse("login")))
    assert '<html lang="vi">' in page and "Đăng nhập" in page
