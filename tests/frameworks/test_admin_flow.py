"""A central administrator absorbs a new framework as data: upload, preview, edit, publish,
clone; bad files and bad publications are refused with the reason and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from govplan.audit.models import AuditEvent
from govplan.documents.models import Document
from govplan.frameworks.models import (
    Framework,
    FrameworkTarget,
    FrameworkVersion,
    ImmutableError,
    Indicator,
    Status,
)
from govplan.orgunits.models import Kind, OrgUnit
from tests.conftest import EVERY_FEATURE, Cast

pytestmark = pytest.mark.django_db


def admin_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.central_admin)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_upload_preview_and_publish_a_new_framework_without_code(cast: Cast) -> None:
    client = admin_client(cast)
    upload = SimpleUploadedFile("khung.yaml", EVERY_FEATURE.read_bytes(), "application/yaml")
    response = client.post(reverse("framework_upload"), {"file": upload})
    version = FrameworkVersion.objects.get(framework__code="TEST-EVERY-FEATURE-2027")
    assert response["Location"] == reverse("framework_version", args=["TEST-EVERY-FEATURE-2027", 1])
    assert version.status == Status.DRAFT

    # The blank form shows what an agency will be asked.
    form = text(client.get(reverse("framework_form", args=[version.framework.code, 1])))
    for expected in (
        "Kế hoạch thử nghiệm năm 2027",
        "II. HIỆN TRẠNG",
        "a) Riêng các tỉnh",
        "Chỉ áp dụng cho: Văn phòng Chính phủ",
        "Số máy tính",  # the ratio's numerator label from the catalogue
        "Toàn trình",  # a disaggregation option
        "Tổng mức đầu tư",
        "Luật",  # the legal-basis suggestions are cited
    ):
        assert expected in form, expected

    # Publish with the defaults the file gives.
    page = text(client.get(reverse("framework_publish", args=[version.framework.code, 1])))
    assert 'value="2026-12-20"' in page
    response = client.post(
        reverse("framework_publish", args=[version.framework.code, 1]),
        {"deadline": "2026-12-20", "kinds": ["province", "ministry"], "units": "govplan:VPCP"},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    targets = FrameworkTarget.objects.filter(version=version)
    day = dt.date(2026, 12, 20)
    provinces = OrgUnit.objects.valid_on(day).filter(kind=Kind.PROVINCE).count()
    ministries = OrgUnit.objects.valid_on(day).filter(kind=Kind.MINISTRY).count()
    assert provinces == 34 and ministries == 14
    assert targets.count() == provinces + ministries + 1
    assert targets.filter(org_unit__code="VPCP").exists()
    entry = AuditEvent.objects.filter(object_type="frameworks.frameworkversion").latest("id")
    assert entry.message == "published" and entry.after["targets"] == 49


def test_a_published_version_never_changes(cast: Cast, published_2018) -> None:  # type: ignore[no-untyped-def]
    published_2018.title = "Đổi tên"
    with pytest.raises(ImmutableError):
        published_2018.save()
    with pytest.raises(ImmutableError):
        FrameworkVersion.objects.filter(pk=published_2018.pk).update(title="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE frameworks_frameworkversion SET title = 'x' WHERE id = %s", [published_2018.pk]
        )
    client = admin_client(cast)
    assert client.get(reverse("framework_edit", args=["KH-UDCNTT-2018", 1])).status_code == 403
    assert client.get(reverse("framework_publish", args=["KH-UDCNTT-2018", 1])).status_code == 403


def test_a_bad_file_is_refused_with_its_places_and_nothing_is_saved(cast: Cast) -> None:
    bad = EVERY_FEATURE.read_text(encoding="utf-8").replace(
        "type: money, role: total_investment", "type: moneyy, role: total_investment"
    )
    before = (Framework.objects.count(), FrameworkVersion.objects.count())
    page = text(admin_client(cast).post(reverse("framework_upload"), {"text": bad}))
    assert "sections[3].tables[0].columns[9].type" in page
    assert "moneyy" in page
    assert "Tệp chưa được lưu" in page or "not saved" in page
    assert (Framework.objects.count(), FrameworkVersion.objects.count()) == before


def test_a_wrong_kind_of_file_is_refused(cast: Cast) -> None:
    upload = SimpleUploadedFile("khung.xlsm", b"PK\x03\x04", "application/octet-stream")
    page = text(admin_client(cast).post(reverse("framework_upload"), {"file": upload}))
    assert ".yaml" in page and "errorlist" in page


def test_publishing_is_refused_when_the_deadline_is_before_the_cutoff(cast: Cast, draft) -> None:  # type: ignore[no-untyped-def]
    client = admin_client(cast)
    page = text(
        client.post(
            reverse("framework_publish", args=[draft.framework.code, draft.number]),
            {"deadline": "2026-12-01", "kinds": ["province"]},
        )
    )
    assert "14/12/2026" in page  # the cut-off end it collides with
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.targets.exists()


def test_publishing_for_nobody_is_refused(cast: Cast, draft) -> None:  # type: ignore[no-untyped-def]
    client = admin_client(cast)
    page = text(
        client.post(
            reverse("framework_publish", args=[draft.framework.code, draft.number]),
            {"deadline": "2026-12-20", "kinds": [], "units": "govplan:KHONG_CO"},
        )
    )
    assert "govplan:KHONG_CO" in page
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.targets.exists()


def test_editing_a_draft_checks_it_and_keeps_the_last_good_text(cast: Cast, draft) -> None:  # type: ignore[no-untyped-def]
    client = admin_client(cast)
    url = reverse("framework_edit", args=[draft.framework.code, draft.number])
    good = draft.source_text
    broken = good.replace("frequency: multi_year", "frequency: sometimes")
    page = text(client.post(url, {"text": broken}))
    assert "reporting.frequency" in page and "sometimes" in page  # the user's text is kept
    draft.refresh_from_db()
    assert draft.source_text == good
    renamed = good.replace("Khung kế hoạch thử nghiệm", "Khung kế hoạch thử nghiệm (sửa)")
    assert client.post(url, {"text": renamed}).status_code == 302
    draft.refresh_from_db()
    assert draft.title.startswith("Khung kế hoạch thử nghiệm (sửa)")


def test_cloning_last_cycles_framework_into_a_draft(cast: Cast, published_2018) -> None:  # type: ignore[no-untyped-def]
    client = admin_client(cast)
    page = text(client.get(reverse("framework_clone", args=["KH-UDCNTT-2018", 1])))
    assert 'value="KH-UDCNTT-2019"' in page
    response = client.post(
        reverse("framework_clone", args=["KH-UDCNTT-2018", 1]),
        {"new_code": "KH-UDCNTT-2019", "delta": 1},
    )
    clone = FrameworkVersion.objects.get(framework__code="KH-UDCNTT-2019")
    assert response["Location"] == reverse("framework_version", args=["KH-UDCNTT-2019", 1])
    spec = clone.parsed()
    assert (spec.follows, spec.period.start, str(spec.reporting.deadline)) == (
        "KH-UDCNTT-2018",
        2019,
        "2018-11-30",
    )
    assert spec.table("projects").by_role("year_amount", 2019).code == "amount_2019"
    assert "@{projects.amount_2019}" in spec.rules[0].check  # rules follow the renamed column
    assert clone.status == Status.DRAFT
    # The same code again is refused at the field.
    again = text(
        client.post(
            reverse("framework_clone", args=["KH-UDCNTT-2018", 1]),
            {"new_code": "KH-UDCNTT-2019", "delta": 1},
        )
    )
    assert "errorlist" in again


def test_a_new_version_keeps_the_code_and_one_draft_at_a_time(cast: Cast, published_2018) -> None:  # type: ignore[no-untyped-def]
    client = admin_client(cast)
    url = reverse("framework_new_version", args=["KH-UDCNTT-2018", 1])
    assert client.post(url)["Location"] == reverse("framework_version", args=["KH-UDCNTT-2018", 2])
    page = text(client.post(url, follow=True))
    assert "đã có bản nháp" in page or "already has a draft" in page
    assert FrameworkVersion.objects.filter(framework__code="KH-UDCNTT-2018").count() == 2


def test_the_catalogue_grows_but_a_code_never_changes_meaning(cast: Cast) -> None:
    client = admin_client(cast)
    addition = """
format: govplan/indicators@1
indicators:
  - code: DL.DU_LIEU_MO
    name: Số bộ dữ liệu mở đã công bố
    name_en: Open datasets published
    type: integer
    unit: bộ dữ liệu
"""
    client.post(reverse("catalogue_upload"), {"text": addition})
    assert Indicator.objects.filter(code="DL.DU_LIEU_MO", value_type="integer").exists()
    redefinition = addition.replace("type: integer", "type: decimal").replace(
        "Số bộ dữ liệu mở đã công bố", "Số bộ dữ liệu mở"
    )
    page = text(client.post(reverse("catalogue_upload"), {"text": redefinition}))
    assert "DL.DU_LIEU_MO" in page and "maps_from" in page
    indicator = Indicator.objects.get(code="DL.DU_LIEU_MO")
    assert (indicator.value_type, indicator.name) == ("integer", "Số bộ dữ liệu mở đã công bố")


@pytest.mark.parametrize(
    "code",
    [
        "KH-UDCNTT-2011-2015",
        "BC-UDCNTT-2017",
        "KH-UDCNTT-2018",
        "KH-CDS-2027-MAU",
        "BC-CDS-2027-MAU",
    ],
)
def test_the_blank_form_renders_for_each_shipped_framework(cast: Cast, code: str) -> None:
    client = Client()
    client.force_login(cast.editor_b)  # any official with a role may read a published framework
    version = FrameworkVersion.objects.get(framework__code=code, status=Status.PUBLISHED)
    page = text(client.get(reverse("framework_form", args=[code, version.number])))
    for section in version.parsed().walk():
        assert section.title.split(",")[0][:30] in page, section.title


def test_drafts_are_invisible_to_agencies(cast: Cast, draft) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cast.editor_a)
    assert (
        client.get(
            reverse("framework_version", args=[draft.framework.code, draft.number])
        ).status_code
        == 404
    )
    assert draft.framework.code not in text(client.get(reverse("framework_list")))


def test_what_is_due_for_a_units_officials(cast: Cast) -> None:
    from govplan.documents.due import due_items

    def due(user, day):  # type: ignore[no-untyped-def]
        return [
            (i.version.framework.code, i.unit, i.state, i.days_left) for i in due_items(user, day)
        ]

    # The 2027 examples apply to provinces: the plan with a deadline of 20/12/2026, the
    # results report with one of 20/12/2027.
    assert due(cast.editor_a, dt.date(2026, 11, 1)) == [
        ("KH-CDS-2027-MAU", cast.province_a, "later", 49),
        ("BC-CDS-2027-MAU", cast.province_a, "later", 414),
    ]
    assert due(cast.approver_a, dt.date(2026, 12, 10))[0][2:] == ("soon", 10)
    assert due(cast.viewer_a, dt.date(2026, 12, 25))[0][2:] == ("overdue", -5)
    # Long past deadlines are history, and a unit only sees its own.
    assert due(cast.editor_a, dt.date(2027, 6, 1)) == [
        ("BC-CDS-2027-MAU", cast.province_a, "later", 202)
    ]
    assert due(cast.editor_a, dt.date(2028, 3, 1)) == []
    assert [d[0] for d in due(cast.editor_b, dt.date(2026, 11, 1))] == [
        "KH-CDS-2027-MAU",
        "BC-CDS-2027-MAU",
    ]
    assert due(cast.central_admin, dt.date(2026, 11, 1)) == []


def test_what_is_due_links_the_document_and_drops_the_countdown_once_sent(
    cast: Cast, document_a
) -> None:  # type: ignore[no-untyped-def]
    from govplan.documents.due import due_items

    def plan_item(user, day):  # type: ignore[no-untyped-def]
        # The 2027 results report (BC-CDS-2027-MAU) is due a year later.
        return next(
            i for i in due_items(user, day) if i.version.framework.code != "BC-CDS-2027-MAU"
        )

    item = plan_item(cast.editor_a, dt.date(2026, 12, 25))
    assert (item.document, item.state) == (document_a, "overdue")
    client = Client()
    client.force_login(cast.editor_a)
    home = client.get(reverse("home")).content.decode()
    assert reverse("document_edit", args=[document_a.pk]) in home
    Document.objects.filter(pk=document_a.pk).update(status="submitted")
    item = plan_item(cast.editor_a, dt.date(2026, 12, 25))
    assert item.state == "sent"
    # Province B has not started: its item still points at the framework.
    other = plan_item(cast.editor_b, dt.date(2026, 12, 25))
    assert (other.document, other.state) == (None, "overdue")
