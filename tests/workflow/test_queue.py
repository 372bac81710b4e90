"""The appraisal queue and the home page's waiting list, routed, filtered, counted and paged
by the database: the same documents as routing each one in Python, for every kind of
appraiser; a constant number of queries however many wait; revisions never loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from govplan.access.scoping import Capability, visible_to
from govplan.accounts.models import Membership, Role, User
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import Kind, OrgUnit
from govplan.workflow.models import DocumentRevision
from govplan.workflow.queue import WAITING, QueueFilter, routed_queue, waiting_for
from govplan.workflow.routing import AppraisalRouter
from tests.conftest import Cast, make_user
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

FRAMEWORK = """
format: govplan/framework@1
code: CODE
kind: plan
title: Kế hoạch thử hàng đợi TITLE
period: {from: 2027, to: 2027}
issued_by: {number: 3/TEST, date: 2026-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2026-12-20
sections:
  - number: I
    title: HIỆN TRẠNG
    narrative: true
APPRAISAL
"""


def version(cast: Cast, code: str, appraisal: str = "") -> FrameworkVersion:
    text = FRAMEWORK.replace("CODE", code).replace("TITLE", code).replace("APPRAISAL", appraisal)
    return publish(text, cast.central_admin)


def document(unit: OrgUnit, version: FrameworkVersion, status: str = "submitted") -> Document:
    """A unit's document in ``status``, written directly: the queue reads states, however
    they were reached."""
    return Document.objects.create(
        org_unit=unit,
        framework=version.framework,
        framework_version=version,
        kind="plan",
        title=f"{version.title} – {unit.name}",
        period_start=2027,
        period_end=2027,
        status=status,
        created_by=User.objects.get(username="admin"),
    )


def child(parent: OrgUnit, kind: str, code: str, valid_to: dt.date | None = None) -> OrgUnit:
    unit = OrgUnit.objects.create(
        scheme="govplan",
        code=code,
        kind=kind,
        name=f"Đơn vị thử {code}",
        parent=parent,
        depth=parent.depth + 1,
        valid_to=valid_to,
        path="",
    )
    unit.path = f"{parent.path}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


def routed_in_python(user: User) -> set[int]:
    """The rule as it was applied before the queue went to SQL: every candidate loaded and
    routed one by one (``AppraisalRouter.unit_id``, the rule ``parties`` uses too)."""
    own = set(
        Membership.objects.filter(user=user, role=Role.APPRAISER).values_list(
            "org_unit_id", flat=True
        )
    )
    candidates = visible_to(Document.objects.all(), user, Capability.APPRAISE).filter(
        status__in=WAITING
    )
    router = AppraisalRouter()
    return {d.pk for d in candidates.select_related("org_unit") if router.unit_id(d) in own}


def test_the_sql_queue_holds_exactly_what_routing_each_document_gives(cast: Cast) -> None:
    today = timezone.localdate()
    ministry = OrgUnit.objects.filter(kind=Kind.MINISTRY).order_by("code").first()
    assert ministry is not None
    old_province = (
        OrgUnit.objects.filter(kind=Kind.PROVINCE, valid_to__lt=today).order_by("code").first()
    )
    assert old_province is not None
    old_communes = list(
        OrgUnit.objects.filter(path__startswith=old_province.path, kind=Kind.COMMUNE)[:3]
    )
    old_district = OrgUnit.objects.filter(
        path__startswith=old_province.path, kind=Kind.DISTRICT
    ).first()
    assert old_communes and old_district is not None
    communes_b = list(cast.province_b.descendants(on=today).filter(kind=Kind.COMMUNE)[:2])
    department = child(cast.province_a, Kind.DEPARTMENT, "SO-THU")
    subordinate = child(ministry, Kind.SUBORDINATE, "TT-THU")
    below_department = child(department, Kind.SUBORDINATE, "TT-SO-THU")
    # A province inside a province (hostile data, not the reference's shape): the nearest
    # province above a unit appraises it.
    nested = child(cast.province_a, Kind.PROVINCE, "TINH-LONG")
    in_nested = child(nested, Kind.COMMUNE, "XA-LONG")

    default = version(cast, "TEST-Q-MACDINH")
    other = version(
        cast,
        "TEST-Q-KHAC",
        "appraisal:\n  - {kinds: [commune], by: central}\n"
        "  - {kinds: [department, district, ministry], by: parent}\n"
        "  - {kinds: [province], by: province}",
    )
    units = [
        cast.province_a,
        cast.province_b,
        cast.commune_a,
        ministry,
        old_province,
        old_district,
        *old_communes,
        *communes_b,
        department,
        subordinate,
        below_department,
        nested,
        in_nested,
    ]
    for v in (default, other):
        for i, unit in enumerate(units):
            document(unit, v, ("submitted", "under_appraisal")[i % 2])
    # Not waiting: never in a queue.
    document(cast.province_a, version(cast, "TEST-Q-NHAP"), "draft")
    document(cast.province_b, version(cast, "TEST-Q-DUYET"), "approved")

    people = {
        "central": cast.appraiser,
        "province a": make_user("tham_a", cast.province_a, Role.APPRAISER),
        "province b": make_user("tham_b", cast.province_b, Role.APPRAISER),
        "old province": make_user("tham_cu", old_province, Role.APPRAISER),
        "ministry": make_user("tham_bo", ministry, Role.APPRAISER),
        "department": make_user("tham_so", department, Role.APPRAISER),
        "nested province": make_user("tham_long", nested, Role.APPRAISER),
        "editor": cast.editor_a,
    }
    both = make_user("tham_hai", cast.province_b, Role.APPRAISER)
    Membership.objects.create(user=both, org_unit=ministry, role=Role.APPRAISER)
    Membership.objects.create(user=both, org_unit=nested, role=Role.APPRAISER)
    people["province b, ministry and nested province"] = both

    sizes = {}
    for who, user in people.items():
        expected = routed_in_python(user)
        assert {d.pk for d in waiting_for(user)} == expected, who
        sizes[who] = len(expected)
    # The fixture exercises every route: each appraiser but the editor has something.
    assert sizes["editor"] == 0
    assert all(n > 0 for who, n in sizes.items() if who != "editor"), sizes


def _waiting(cast: Cast, units: list[OrgUnit], late_every: int = 3) -> list[Document]:
    """Documents submitted by ``units``, each with two revisions whose (legacy) snapshots
    are large: the queue shows the second's number, date and lateness."""
    v = FrameworkVersion.objects.get(framework__code="TEST-Q-DEM")
    big = {"entries": {f"narrative:{i}": {"content": {"html": "x" * 2000}} for i in range(20)}}
    documents = [document(unit, v) for unit in units]
    # As do_transition leaves them: the document names its latest revision.
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(revision=2)
    DocumentRevision.objects.bulk_create(
        DocumentRevision(
            document=d,
            number=n,
            snapshot=big,
            created_by=cast.central_admin,
            days_late=(i % late_every == 0) * n,  # late documents: 2 days at the latest
        )
        for i, d in enumerate(documents)
        for n in (1, 2)
    )
    return documents


def _no_revision_content(queries: list[dict[str, Any]]) -> None:
    for query in queries:
        if "workflow_documentrevision" in query["sql"]:
            assert '"snapshot"' not in query["sql"] and '"attachments"' not in query["sql"]


def _pages(user: User, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    client.get(url)  # the session and anything per process settled
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    _no_revision_content(context.captured_queries)
    return len(context.captured_queries), response.content.decode()


def test_queue_and_home_make_the_same_queries_for_5_or_50_waiting(cast: Cast) -> None:
    version(cast, "TEST-Q-DEM")
    province_appraiser = make_user("tham_a", cast.province_a, Role.APPRAISER)
    central_units = list(
        OrgUnit.objects.filter(kind__in=(Kind.PROVINCE, Kind.MINISTRY)).order_by("code")[:50]
    )
    communes = list(cast.province_a.descendants().filter(kind=Kind.COMMUNE).order_by("code")[:50])
    assert len(central_units) == len(communes) == 50
    _waiting(cast, central_units[:5])
    _waiting(cast, communes[:5])
    few = {
        (who.username, url): _pages(who, url)[0]
        for who in (cast.appraiser, province_appraiser)
        for url in (reverse("appraisal_queue"), reverse("home"))
    }
    _waiting(cast, central_units[5:])
    _waiting(cast, communes[5:])
    for who in (cast.appraiser, province_appraiser):
        count, page = _pages(who, reverse("appraisal_queue"))
        assert count == few[(who.username, reverse("appraisal_queue"))]
        assert "50 văn bản:" in page and "(r2)" in page and "Trang 1 / 1" not in page
        count, home = _pages(who, reverse("home"))
        assert count == few[(who.username, reverse("home"))]
        assert "50 kế hoạch, báo cáo đang chờ thẩm định" in home


def test_the_queue_is_filtered_counted_and_paged_keeping_the_filters(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govplan.workflow import views

    dem = version(cast, "TEST-Q-DEM")
    other = version(cast, "TEST-Q-KHAC")
    provinces = list(
        OrgUnit.objects.filter(kind=Kind.PROVINCE).valid_on(timezone.localdate()).order_by("code")
    )
    ministries = list(OrgUnit.objects.filter(kind=Kind.MINISTRY).order_by("code")[:3])
    late = _waiting(cast, provinces[:6], late_every=2)  # 3 of 6 late
    Document.objects.filter(pk=late[0].pk).update(status="under_appraisal")
    for unit in ministries:
        document(unit, other)
    queue = routed_queue(cast.appraiser)
    assert queue.versions and {pk for pk, _ in queue.versions} >= {dem.pk, other.pk}
    counts = queue.counts()
    assert (counts.total, counts.submitted, counts.under_appraisal, counts.late) == (9, 8, 1, 3)
    assert queue.narrowed(QueueFilter(kind=Kind.MINISTRY)).counts().total == 3
    assert queue.narrowed(QueueFilter(version=dem.pk, late=True)).counts().total == 3
    assert queue.narrowed(QueueFilter(status="under_appraisal")).counts().total == 1

    monkeypatch.setattr(views, "QUEUE_PER_PAGE", 2)
    client = Client()
    client.force_login(cast.appraiser)
    url = reverse("appraisal_queue")
    page = client.get(url, {"version": dem.pk, "late": "on"}).content.decode()
    assert "3 văn bản: 2 đã gửi, 1 đang thẩm định, 3 gửi muộn." in page and "Trang 1 / 2" in page
    assert f"?version={dem.pk}&amp;late=on&amp;page=2" in page  # the next page keeps them
    second = client.get(url, {"version": dem.pk, "late": "on", "page": 2}).content.decode()
    assert "Trang 2 / 2" in second and "trễ hạn 2 ngày" in second
    shown = [u.name for u in provinces[:6] if u.name in page + second]
    assert len(shown) == 3  # the late ones, each once
    assert ministries[0].name not in page + second
    kinds = client.get(url, {"kind": Kind.MINISTRY}).content.decode()
    assert "3 văn bản: 3 đã gửi" in kinds and ministries[0].name in kinds
    assert not any(u.name in kinds for u in provinces[:6])
    nothing = client.get(url, {"kind": Kind.COMMUNE}).content.decode()
    assert "Không có văn bản chờ thẩm định nào khớp với bộ lọc này." in nothing


@pytest.mark.parametrize(
    "query",
    [
        {"version": "abc"},
        {"version": "99999999999999999999999"},
        {"kind": "<script>"},
        {"status": "approved"},
        {"page": "-1"},
    ],
)
def test_a_bad_filter_is_named_and_the_whole_queue_shown(cast: Cast, query: dict[str, str]) -> None:
    version(cast, "TEST-Q-DEM")
    _waiting(cast, [cast.province_a, cast.province_b])
    client = Client()
    client.force_login(cast.appraiser)
    response = client.get(reverse("appraisal_queue"), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert cast.province_a.name in page and cast.province_b.name in page
    assert ('role="alert"' in page) == ("page" not in query)
