"""Documents of units that no longer exist (issue 11, case 11).

The new Bắc Ninh's editors (and the central administrators) enter the plans the old Bắc Giang
wrote: filed under the old Bắc Giang, with its name of the time and its own header, and only
for periods when it was in force.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.accounts.models import Role
from govplan.core import workflow as machine
from govplan.documents.actions import do_create_document
from govplan.documents.models import Document, Entry
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkTarget, FrameworkVersion
from govplan.official.actions import do_save_profile
from govplan.official.build import official_document
from govplan.official.defaults import suggested
from govplan.orgunits.models import OrgUnit
from govplan.workflow.actions import parties
from tests.conftest import BEFORE_REFORM, Cast, example_version, make_user, unit

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan_2011_2015() -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__code="KH-UDCNTT-2011-2015", status="published")


@pytest.fixture
def old_bac_giang() -> OrgUnit:
    return unit("gso-province", "24", BEFORE_REFORM)


def create(client: Client, unit_: OrgUnit, version: FrameworkVersion) -> Any:
    return client.post(reverse("document_create"), {"unit": unit_.pk, "version": version.pk})


def save_narrative(client: Client, document: Document, text: str) -> int:
    section = next(s for s in document.framework_version.parsed().walk() if s.narrative)
    response = client.post(
        reverse("document_entry_save", args=[document.pk]),
        data=json.dumps(
            {"key": f"narrative:{section.code}", "base": 0, "content": {"html": f"<p>{text}</p>"}}
        ),
        content_type="application/json",
    )
    return response.status_code


def after_the_merger(cast: Cast, old_bac_giang: OrgUnit) -> Document:
    """A 2026 framework (its units resolved after the merger), wrongly made to target the old
    Bắc Giang too, and a document filed under it: the period is after Bắc Giang ended."""
    text = """
format: govplan/framework@1
code: TEST-SAU-2026
kind: plan
title: Kế hoạch thử năm 2026
period: {from: 2026, to: 2026}
issued_by: {number: 1/TEST, date: 2025-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting: {recipient: Bộ KH&CN, delivery: [system], frequency: annual, deadline: 2025-12-20}
sections:
  - {number: I, title: HIỆN TRẠNG, narrative: true}
"""
    draft = do_upload_framework(text, actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    FrameworkTarget.objects.create(version=version, org_unit=old_bac_giang)
    return Document.objects.create(
        org_unit=old_bac_giang,
        framework=version.framework,
        framework_version=version,
        kind="plan",
        title="Kế hoạch thử năm 2026 – Tỉnh Bắc Giang",
        period_start=2026,
        period_end=2026,
        created_by=cast.central_admin,
    )


def test_a_successors_editor_enters_the_predecessors_2011_2015_plan(
    cast: Cast, old_bac_giang: OrgUnit
) -> None:
    client = client_for(cast.editor_a)
    # The new Bắc Ninh's page offers it: the units it succeeded, and what each may still file.
    page = client.get(reverse("unit_detail", args=[cast.province_a.pk])).content.decode()
    history = page.split('id="succeeded"')[1].split("</section>")[0]
    assert "Tỉnh Bắc Giang" in history and "Tỉnh Bắc Ninh" in history
    assert f'name="version" value="{plan_2011_2015().pk}"' in history

    response = create(client, old_bac_giang, plan_2011_2015())
    document = Document.objects.get(org_unit=old_bac_giang, framework__code="KH-UDCNTT-2011-2015")
    assert response.status_code == 302
    assert response["Location"] == reverse("document_edit", args=[document.pk])
    assert document.title.endswith("– Tỉnh Bắc Giang")
    editor = client.get(reverse("document_edit", args=[document.pk])).content.decode()
    assert 'data-editable="1"' in editor
    assert save_narrative(client, document, "Kế hoạch 2011-2015 của tỉnh Bắc Giang") == 200
    page = client.get(reverse("unit_detail", args=[cast.province_a.pk])).content.decode()
    assert reverse("document_edit", args=[document.pk]) in page.split('id="succeeded"')[1]

    # Nobody else gains anything: another province's editor does not even see it, a commune's
    # editor of the new Bắc Ninh neither, and a viewer of the new Bắc Ninh may only read it.
    for user, status in ((cast.editor_b, 404), (cast.commune_editor_a, 404)):
        assert save_narrative(client_for(user), document, "x") == status
        assert client_for(user).get(reverse("document_edit", args=[document.pk])).status_code == 404
    assert save_narrative(client_for(cast.viewer_a), document, "x") == 403
    viewer_page = client_for(cast.viewer_a).get(reverse("document_edit", args=[document.pk]))
    assert 'data-editable="0"' in viewer_page.content.decode()
    assert create(client_for(cast.editor_b), old_bac_giang, plan_2011_2015()).status_code == 404

    # The home page does not start asking for 15-year-old plans.
    home = client.get(reverse("home")).content.decode()
    assert "KH-UDCNTT-2011-2015" not in home and "2011-2015" not in home


def test_only_for_periods_when_the_predecessor_was_in_force(
    cast: Cast, old_bac_giang: OrgUnit
) -> None:
    client = client_for(cast.editor_a)
    create(client, old_bac_giang, plan_2011_2015())
    in_force = Document.objects.get(org_unit=old_bac_giang, framework__code="KH-UDCNTT-2011-2015")
    assert save_narrative(client, in_force, "2011-2015") == 200

    later = after_the_merger(cast, old_bac_giang)
    assert save_narrative(client, later, "2026") == 403
    page = client.get(reverse("document_edit", args=[later.pk])).content.decode()
    assert 'data-editable="0"' in page
    assert not Entry.objects.filter(document=later).exists()
    # Nor can one be created: the unit was not in force on the day the framework is written for.
    later.delete()
    response = client.post(
        reverse("document_create"),
        {"unit": old_bac_giang.pk, "version": later.framework_version.pk},
        follow=True,
    )
    assert not Document.objects.filter(org_unit=old_bac_giang, framework=later.framework).exists()
    assert "20/12/2025" in response.content.decode()  # the message says which day


def test_approvers_of_the_successor_approve_and_issue_the_predecessors_documents(
    cast: Cast, old_bac_giang: OrgUnit
) -> None:
    document = do_create_document(unit=old_bac_giang, version=plan_2011_2015(), actor=cast.editor_a)
    assert parties(cast.approver_a, document) == {machine.AGENCY, machine.SIGNER}
    assert parties(cast.editor_a, document) == {machine.AGENCY}
    assert parties(cast.editor_b, document) == set()
    assert parties(cast.viewer_a, document) == set()
    later = after_the_merger(cast, old_bac_giang)
    assert parties(cast.approver_a, later) == set()
    assert parties(cast.editor_a, later) == set()


def test_central_administrators_enter_documents_of_units_that_no_longer_exist(
    cast: Cast, old_bac_giang: OrgUnit, document_a: Document
) -> None:
    client = client_for(cast.central_admin)
    assert create(client, old_bac_giang, plan_2011_2015()).status_code == 302
    document = Document.objects.get(org_unit=old_bac_giang, framework__code="KH-UDCNTT-2011-2015")
    assert save_narrative(client, document, "Nhập từ hồ sơ lưu trữ") == 200
    # Not the documents of units in force: those are their agencies' to write.
    assert save_narrative(client, document_a, "x") == 403
    later = after_the_merger(cast, old_bac_giang)
    assert save_narrative(client, later, "x") == 403
    assert parties(cast.central_admin, document) == {machine.AGENCY, machine.CENTRAL_ADMIN}


def test_the_header_is_the_historical_units_not_the_successors(
    cast: Cast, old_bac_giang: OrgUnit
) -> None:
    # The new Bắc Ninh has its own header.
    do_save_profile(
        cast.province_a,
        {**suggested(cast.province_a), "signer_name": "Người ký Bắc Ninh"},
        actor=cast.editor_a,
    )
    client = client_for(cast.editor_a)
    create(client, old_bac_giang, plan_2011_2015())
    document = Document.objects.get(org_unit=old_bac_giang, framework__code="KH-UDCNTT-2011-2015")
    official = official_document(document)
    assert official.issuer.body == "ỦY BAN NHÂN DÂN\nTỈNH BẮC GIANG"
    assert official.issuer.place == "Bắc Giang"
    assert official.signature.name == ""  # not the new Bắc Ninh's signer
    # The successor's editor sets the old Bắc Giang's header, without touching Bắc Ninh's.
    url = reverse("unit_issuing_profile", args=[old_bac_giang.pk])
    assert client.get(url).status_code == 200
    form = {**suggested(old_bac_giang), "signer_name": "Người ký Bắc Giang 2010"}
    assert client.post(url, form).status_code == 302
    assert official_document(document).signature.name == "Người ký Bắc Giang 2010"
    bac_ninh = do_create_document(
        unit=cast.province_a, version=example_version(), actor=cast.editor_a
    )
    assert official_document(bac_ninh).signature.name == "Người ký Bắc Ninh"
    # A viewer of the new Bắc Ninh may not.
    assert client_for(cast.viewer_a).get(url).status_code == 403


def test_a_renamed_units_document_carries_its_name_of_the_time(cast: Cast) -> None:
    hue = unit("gso-province", "46")  # Tỉnh Thừa Thiên Huế until 31/12/2024, then Thành phố Huế
    assert hue.name == "Thành phố Huế"
    editor = make_user("hue_editor", hue, Role.EDITOR)
    do_save_profile(hue, suggested(hue), actor=editor)  # today's header: Thành phố Huế
    create(client_for(editor), hue, plan_2011_2015())
    document = Document.objects.get(org_unit=hue, framework__code="KH-UDCNTT-2011-2015")
    assert document.title.endswith("– Tỉnh Thừa Thiên Huế")
    official = official_document(document)
    assert official.issuer.body == "ỦY BAN NHÂN DÂN\nTỈNH THỪA THIÊN HUẾ"
    assert official.issuer.name == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
