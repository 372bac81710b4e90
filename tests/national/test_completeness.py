"""Who has filed a cycle: exact counts on a hand-made cycle, the list behind each count, the
structure at the deadline, scoping, bounded queries and the reminders to the late ones."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govplan.accounts.models import Role, User
from govplan.audit.models import AuditEvent
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.models import Document
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkTarget, FrameworkVersion
from govplan.national import completeness as figures
from govplan.national.actions import (
    ALREADY_TODAY,
    NOBODY,
    NOT_YOURS,
    do_send_reminders,
)
from govplan.orgunits.models import OrgUnit
from govplan.workflow import actions as workflow
from govplan.workflow.models import Notification, ReminderLog
from tests.conftest import BEFORE_REFORM, TODAY, Cast, make_user, unit

pytestmark = pytest.mark.django_db

DEADLINE = TODAY - dt.timedelta(days=10)

CYCLE = """
format: govplan/framework@1
code: CODE
kind: plan
title: Kế hoạch thử đủ và đúng hạn
period: {from: 2027, to: 2027}
issued_by: {number: 3/TEST, date: 2026-01-05, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: DEADLINE
sections:
  - number: I
    title: HIỆN TRẠNG
    narrative: true
    indicators: [DVC.TONG_SO]
"""


def publish_cycle(
    admin: User,
    refs: list[str],
    *,
    code: str = "TEST-DU-2027",
    deadline: dt.date = DEADLINE,
    on: dt.date | None = None,
) -> FrameworkVersion:
    text = CYCLE.replace("CODE", code).replace("DEADLINE", deadline.isoformat())
    draft = do_upload_framework(text, actor=admin)
    return do_publish(
        draft, actor=admin, deadline=deadline, kinds=[], unit_refs=refs, resolve_on=on
    )


@contextmanager
def on_day(day: dt.date) -> Iterator[None]:
    """Submissions made on ``day`` (their revision's days late count from it)."""
    real = timezone.localdate
    timezone.localdate = lambda *args, **kwargs: day  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.localdate = real  # type: ignore[assignment]


def filled(version: FrameworkVersion, org_unit: OrgUnit) -> tuple[Document, User]:
    username = f"ed-{org_unit.code}-{org_unit.pk}"
    editor = User.objects.filter(username=username).first() or make_user(
        username, org_unit, Role.EDITOR
    )
    document = do_create_document(unit=org_unit, version=version, actor=editor)
    do_save_entry(
        document, "narrative:I", 0, {"html": "<p>Hiện trạng</p>"}, actor=editor, locale="vi"
    )
    do_save_entry(
        document, "value:DVC.TONG_SO", 0, {"cells": {"": "12"}}, actor=editor, locale="vi"
    )
    return document, editor


def submit(document: Document, editor: User, *, on_time: bool) -> Document:
    with on_day(DEADLINE - dt.timedelta(days=1) if on_time else TODAY):
        return workflow.do_transition(document, "submit", actor=editor)


@dataclass
class Cycle:
    version: FrameworkVersion
    units: dict[str, OrgUnit]  # by the status it was given


@pytest.fixture
def cycle(cast: Cast) -> Cycle:
    """Nine units expected; a deadline ten days ago. Province A (24) is under appraisal, its
    commune not started; each other status once (two submitted on time)."""
    codes = {
        "not_started": "08",
        "draft": "15",
        "on_time": "19",
        "late": "25",
        "returned": "31",
        "approved": "33",
        "issued": "01",
        "appraising": "24",
    }
    refs = [f"gso-province:{c}" for c in codes.values()]
    refs.append(f"gso-commune:{cast.commune_a.code}")
    version = publish_cycle(cast.central_admin, refs)
    units = {name: unit("gso-province", c) for name, c in codes.items()}
    units["commune"] = cast.commune_a
    appraiser = cast.appraiser
    filled(version, units["draft"])
    for name, on_time in (("on_time", True), ("late", False), ("appraising", True)):
        document, editor = filled(version, units[name])
        submit(document, editor, on_time=on_time)
    workflow.do_transition(
        Document.objects.get(org_unit=units["appraising"], framework=version.framework),
        "start_appraisal",
        actor=appraiser,
    )
    document, editor = filled(version, units["returned"])
    submit(document, editor, on_time=True)
    workflow.do_transition(document, "start_appraisal", actor=appraiser)
    workflow.do_transition(document, "return", actor=appraiser, reason="Bổ sung số liệu")
    for name, on_time in (("approved", False), ("issued", True)):
        document, editor = filled(version, units[name])
        submit(document, editor, on_time=on_time)
        workflow.do_transition(document, "start_appraisal", actor=appraiser)
        workflow.do_transition(document, "approve", actor=appraiser)
    # Issuing needs the signed PDF (tests/official); here only the state matters.
    Document.objects.filter(org_unit=units["issued"], framework=version.framework).update(
        status="issued"
    )
    return Cycle(version, units)


def test_exact_counts_and_rates_of_a_hand_made_cycle(cycle: Cycle, cast: Cast) -> None:
    summary = figures.summary(cycle.version, cast.central_admin)
    total = summary.total
    assert total.expected == 9
    assert dict(total.cells()) == {
        "not_started": 2,  # Đồng Nai… and province A's commune
        "draft": 1,
        "submitted_on_time": 2,  # one submitted, one under appraisal
        "submitted_late": 1,
        "returned": 1,
        "approved": 1,
        "issued": 1,
    }
    assert summary.deadline_passed
    assert total.overdue == 3  # the two not started and the draft
    # Filed on time: on_time, appraising, returned (first submission on time), issued.
    assert (total.on_time, total.late, total.filed) == (4, 2, 6)
    assert total.on_time_rate == pytest.approx(4 / 9)
    assert total.filed_rate == pytest.approx(6 / 9)
    assert total.done_rate == pytest.approx(2 / 9)
    levels = {line.level: line for line in summary.levels}
    assert set(levels) == {"provinces", "communes"}
    assert (levels["provinces"].expected, levels["provinces"].on_time) == (8, 4)
    assert dict(levels["communes"].cells())["not_started"] == 1
    assert levels["communes"].overdue == 1
    # Under each parent unit, its expected sub-units: province A's commune.
    assert [(p.unit_id, p.expected, p.overdue) for p in summary.parents] == [
        (cast.province_a.pk, 1, 1)
    ]


def test_an_approved_late_filing_is_approved_and_late(cycle: Cycle, cast: Cast) -> None:
    rows = figures.filtered(
        figures.expected(cycle.version, cast.central_admin),
        cycle.version,
        TODAY,
        status=figures.FILED_LATE,
    )
    late = {r.org_unit_id: figures.status_of(r) for r in rows}
    assert late == {
        cycle.units["late"].pk: figures.SUBMITTED_LATE,
        cycle.units["approved"].pk: figures.APPROVED,
    }


def test_before_the_deadline_nothing_is_overdue(cycle: Cycle, cast: Cast) -> None:
    summary = figures.summary(cycle.version, cast.central_admin, today=DEADLINE)
    assert summary.total.overdue == 0
    assert not figures.filtered(
        figures.expected(cycle.version, cast.central_admin),
        cycle.version,
        DEADLINE,
        status=figures.OVERDUE,
    ).exists()


def figure_links(html: str) -> dict[str, str]:
    """The total line's count links of the summary page: figure → href."""
    foot = html.split("<tfoot>")[1].split("</tfoot>")[0]
    return dict(
        (m.group(2), m.group(1).replace("&amp;", "&"))
        for m in re.finditer(r'<a href="([^"]+)"[^>]*>(\d+)</a>', foot)
    )


def list_units(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    table = body.split('id="completeness-list"')[1].split("</table>")[0]
    return re.findall(r'<td class="unit"><a href="[^"]+">([^<]+)</a>', table)


def test_each_count_links_to_its_list(cycle: Cycle, cast: Cast) -> None:
    client = Client()
    client.force_login(cast.central_admin)
    page = reverse("national_completeness", args=[cycle.version.framework.code, 1])
    response = client.get(page)
    assert response.status_code == 200
    body = response.content.decode()
    overdue_url = re.search(
        r'<a href="([^"]+)" data-figure="overdue">3</a>', body.split("<tfoot>")[1]
    )
    assert overdue_url is not None
    names = list_units(client, overdue_url.group(1).replace("&amp;", "&"))
    assert sorted(names) == sorted(
        [
            cycle.units["not_started"].name,
            cycle.units["draft"].name,
            cast.commune_a.name,
        ]
    )
    # The list of the approved shows the revision, the days late and the appraiser.
    url = reverse("national_completeness_list", args=[cycle.version.framework.code, 1])
    response = client.get(url + "?status=approved&level=provinces")
    row = response.content.decode().split('id="completeness-list"')[1]
    assert cycle.units["approved"].name in row
    assert ">10<" in row  # ten days late
    assert cast.appraiser.display_name in row
    document = Document.objects.get(org_unit=cycle.units["approved"])
    assert reverse("document_edit", args=[document.pk]) in row


def test_bad_filters_are_refused_with_a_message(cycle: Cycle, cast: Cast) -> None:
    client = Client()
    client.force_login(cast.central_admin)
    url = reverse("national_completeness_list", args=[cycle.version.framework.code, 1])
    response = client.get(url + "?status=lost")
    assert response.status_code == 400
    assert "status" in response.content.decode()
    assert client.get(url + "?unit=999999999").status_code == 404


def test_a_province_sees_its_own_line_and_its_sub_units_only(cycle: Cycle, cast: Cast) -> None:
    summary = figures.summary(cycle.version, cast.viewer_a)
    assert summary.total.expected == 2  # province A and its commune
    assert dict(summary.total.cells())["submitted_on_time"] == 1
    assert dict(summary.total.cells())["not_started"] == 1
    commune = figures.summary(cycle.version, cast.commune_editor_a)
    assert commune.total.expected == 1
    assert commune.parents == []  # its province is not the commune's to see
    client = Client()
    client.force_login(cast.viewer_a)
    url = reverse("national_completeness_list", args=[cycle.version.framework.code, 1])
    assert sorted(list_units(client, url)) == sorted([cast.province_a.name, cast.commune_a.name])
    # Another province's subtree is not even shown.
    assert client.get(url + f"?unit={cast.province_b.pk}").status_code == 404


def test_the_units_of_the_structure_at_the_deadline(cast: Cast) -> None:
    """A 2025 cycle resolved on 30 June 2025 expects the old Bắc Giang and the old Bắc Ninh,
    merged the next day: both still appear, under their names of the time, to the new Bắc
    Ninh and to the centre; not to Hà Nội."""
    bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    old_bac_ninh = unit("gso-province", "27", BEFORE_REFORM)
    version = publish_cycle(
        cast.central_admin,
        ["gso-province:24", "gso-province:27", "gso-province:01"],
        code="TEST-DU-2025",
        deadline=BEFORE_REFORM,
        on=BEFORE_REFORM,
    )
    assert not bac_giang.is_current
    expected = set(
        FrameworkTarget.objects.filter(version=version).values_list("org_unit", flat=True)
    )
    assert bac_giang.pk in expected and old_bac_ninh.pk in expected
    assert cast.province_a.pk not in expected  # the new Bắc Ninh did not exist yet
    assert figures.summary(version, cast.central_admin).total.expected == 3
    assert figures.summary(version, cast.editor_a).total.expected == 2
    assert figures.summary(version, cast.editor_b).total.expected == 1
    client = Client()
    client.force_login(cast.editor_a)
    url = reverse("national_completeness_list", args=["TEST-DU-2025", 1])
    names = list_units(client, url)
    assert sorted(names) == sorted(["Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"])


def test_the_queries_do_not_grow_with_the_units(cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    provinces = list(OrgUnit.objects.current().filter(kind="province").order_by("code")[:20])
    small = publish_cycle(
        cast.central_admin, [f"gso-province:{p.code}" for p in provinces[:2]], code="TEST-DU-A"
    )
    large = publish_cycle(
        cast.central_admin, [f"gso-province:{p.code}" for p in provinces], code="TEST-DU-B"
    )
    for version in (small, large):
        for p in provinces[: len(version.targets.all()) // 2]:
            filled(version, p)
    client = Client()
    client.force_login(cast.central_admin)
    counts = []
    for version in (small, large):
        code = version.framework.code
        for url in (
            reverse("national_completeness", args=[code, 1]),
            reverse("national_completeness_list", args=[code, 1]),
            reverse("national_completeness_index"),
        ):
            client.get(url)  # the session and the scope are loaded once
            with django_assert_max_num_queries(12) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
    assert counts[:3] == counts[3:]  # 2 units or 20: the same queries


def remind(client: Client, version: FrameworkVersion, **fields: str) -> list[str]:
    url = reverse("national_completeness_remind", args=[version.framework.code, 1])
    response = client.post(url, fields, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_reminders_go_to_the_late_units_once_a_day(
    cycle: Cycle, cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cast.central_admin)
    before = Notification.objects.count()
    User.objects.filter(pk=cast.commune_editor_a.pk).update(email="xa@example.gov.vn")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        said = remind(client, cycle.version)
    # The commune's editor is e-mailed too (the job engine, once the transaction committed).
    assert [m.to for m in mail.outbox] == [["xa@example.gov.vn"]]
    assert cast.commune_a.name in mail.outbox[0].body
    # Late: the draft (its editor), the returned (its editor), and the not started: 08 has
    # nobody to tell, province A's commune has its editor.
    assert Notification.objects.count() - before == 3
    assert said[0] == "3 đơn vị đã được nhắc (3 người nhận)."
    assert any(
        "không có người soạn thảo" in m and cycle.units["not_started"].name in m for m in said
    )
    logged = set(
        ReminderLog.objects.filter(kind=f"manual_{TODAY.isoformat()}").values_list(
            "target__org_unit", flat=True
        )
    )
    assert logged == {cycle.units["draft"].pk, cycle.units["returned"].pk, cast.commune_a.pk}
    draft_editor = User.objects.get(username=f"ed-15-{cycle.units['draft'].pk}")
    note = Notification.objects.get(user=draft_editor)
    assert "Quá hạn" in note.text and "10 ngày" in note.text
    assert AuditEvent.objects.filter(action="national.remind").count() == 1
    # The double click: nobody is told twice the same day, and the page says why.
    said = remind(client, cycle.version)
    assert Notification.objects.count() - before == 3
    assert said[0] == "Không đơn vị nào được nhắc."
    assert any("đã được nhắc hôm nay" in m for m in said)


def test_a_province_appraiser_reminds_its_sub_units_only(cycle: Cycle, cast: Cast) -> None:
    appraiser_a = make_user("appraiser_a", cast.province_a, Role.APPRAISER)
    make_user("commune_approver", cast.commune_a, Role.APPROVER)
    targets = figures.remindable(
        figures.filtered(figures.expected(cycle.version, appraiser_a), cycle.version, TODAY)
    )
    result = do_send_reminders(cycle.version, targets, actor=appraiser_a, today=TODAY)
    assert [(u.pk, n) for u, n in result.reminded] == [(cast.commune_a.pk, 2)]
    assert result.skipped == {}  # province A is under appraisal: not late
    # The centre's list holds the other provinces: a province's appraiser may not remind them.
    everything = figures.remindable(
        figures.filtered(figures.expected(cycle.version, cast.central_admin), cycle.version, TODAY)
    )
    result = do_send_reminders(cycle.version, everything, actor=appraiser_a, today=TODAY)
    assert {u.pk for u in result.skipped[NOT_YOURS]} == {
        cycle.units["not_started"].pk,
        cycle.units["draft"].pk,
        cycle.units["returned"].pk,
    }
    assert [u.pk for u in result.skipped[ALREADY_TODAY]] == [cast.commune_a.pk]
    assert NOBODY not in result.skipped


def test_a_viewer_cannot_send_reminders(cycle: Cycle, cast: Cast) -> None:
    url = reverse("national_completeness_remind", args=[cycle.version.framework.code, 1])
    for user in (cast.viewer_a, cast.editor_a, cast.approver_a):
        client = Client()
        client.force_login(user)
        assert client.post(url, {}).status_code == 403
        page = client.get(
            reverse("national_completeness_list", args=[cycle.version.framework.code, 1])
        )
        assert page.status_code == 200
        assert url not in page.content.decode()  # no button
    assert not ReminderLog.objects.exists()
    assert not AuditEvent.objects.filter(action="national.remind").exists()
    anonymous = Client()
    assert anonymous.post(url, {}).status_code == 302


def test_each_view_for_each_member_of_the_cast(cycle: Cycle, cast: Cast) -> None:
    """Province A's subtree: its readers 200, another province and a commune 404; sending
    reminders: central administrators and appraisers (redirected to the list), others 403."""
    code = cycle.version.framework.code
    subtree = f"?unit={cast.province_a.pk}"
    pages = {
        reverse("national_completeness", args=[code, 1]) + subtree: {
            "anonymous": 302,
            "central_admin": 200,
            "appraiser": 200,
            "editor_a": 200,
            "approver_a": 200,
            "viewer_a": 200,
            "editor_b": 404,
            "commune_editor_a": 404,
        },
        reverse("national_completeness_list", args=[code, 1]) + subtree: {
            "anonymous": 302,
            "central_admin": 200,
            "appraiser": 200,
            "editor_a": 200,
            "approver_a": 200,
            "viewer_a": 200,
            "editor_b": 404,
            "commune_editor_a": 404,
        },
        # A version nobody may file yet (an unpublished draft): not found.
        reverse("national_completeness", args=["TEST-EVERY-FEATURE-2027", 1]): dict.fromkeys(
            (
                "central_admin",
                "appraiser",
                "editor_a",
                "approver_a",
                "viewer_a",
                "editor_b",
                "commune_editor_a",
            ),
            404,
        )
        | {"anonymous": 302},
    }
    from tests.conftest import EVERY_FEATURE

    do_upload_framework(EVERY_FEATURE.read_bytes(), actor=cast.central_admin)
    for url, expected in pages.items():
        seen = {}
        for who, user in cast.users().items():
            client = Client()
            if user is not None:
                client.force_login(user)
            seen[who] = client.get(url).status_code
        assert seen == expected, url
    remind_url = reverse("national_completeness_remind", args=[code, 1])
    seen = {}
    for who, user in cast.users().items():
        client = Client()
        if user is not None:
            client.force_login(user)
        seen[who] = client.post(remind_url, {"status": "overdue"}).status_code
    assert seen == {
        "anonymous": 302,
        "central_admin": 302,
        "appraiser": 302,
        "editor_a": 403,
        "approver_a": 403,
        "viewer_a": 403,
        "editor_b": 403,
        "commune_editor_a": 403,
    }


def test_the_cycles_page_counts_what_each_user_sees(cycle: Cycle, cast: Cast) -> None:
    def line(user: User) -> tuple[int, int]:
        found = [c for c in figures.cycles(user) if c.version.pk == cycle.version.pk]
        assert len(found) == 1
        return found[0].expected, found[0].filed

    assert line(cast.central_admin) == (9, 6)
    assert line(cast.viewer_a) == (2, 1)  # province A (under appraisal) and its commune
    client = Client()
    client.force_login(cast.editor_b)
    body = client.get(reverse("national_completeness_index")).content.decode()
    assert reverse("national_completeness", args=[cycle.version.framework.code, 1]) in body
