"""Every page each role uses passes axe-core's WCAG 2.0/2.1 A and AA rules.

One test per (role, page), so a failure says where. The pages are those of the demo
(`load_demo`): Hà Nội's 2027 plan resubmitted after a return (two revisions to compare)
and under appraisal by the central appraiser, Bắc Ninh's returned to its editor with
comments, a commune's waiting for its province, Bắc Ninh's 2011-2015 plan in draft. The
world is built once for the module and served by a live server of the module's own: the
pages are only read, and rebuilding the national reference data for each of some sixty
pages would cost many minutes of a shared machine.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from django.core.management import call_command
from django.test.utils import override_settings
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import sign_in

# The mark makes pytest-django create the test database and run this module with the other
# live-server tests (after the rolled-back ones); _django_db_helper below keeps its world.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "govplan-demo"  # the demo accounts' published password
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()


@dataclass(frozen=True)
class World:
    url: str
    ids: dict[str, Any]


@pytest.fixture(scope="module")
def world(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    """The reference data, the shipped frameworks and the demo, committed, served by a live
    server of this module; emptied again at the end, like every live-server test's data."""
    from django.db import connection, connections
    from pytest_django.live_server_helper import LiveServer

    from tests.conftest import REFERENCE_DIR

    var = tmp_path_factory.mktemp("a11y-var")
    # Never flush a real database: django_db_setup has put the test database's name in place
    # (PostgreSQL's is test_<name> unless GOVPLAN_PG_TEST_NAME names it; SQLite's is its own).
    name = str(connection.settings_dict["NAME"])
    assert name.startswith("test_") or name == connection.creation._get_test_db_name(), name  # type: ignore[attr-defined]
    with (
        django_db_blocker.unblock(),
        override_settings(
            VAR_DIR=var, TRUST_ROOTS_DIR=var / "trust-roots", MEDIA_ROOT=var / "media"
        ),
    ):
        from govplan.orgunits.reference import load_reference

        call_command("flush", interactive=False, verbosity=0)
        load_reference(REFERENCE_DIR)
        call_command("load_frameworks", verbosity=0)
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
        ids = _resubmitted_hanoi_plan()
        ids |= _ids()
        ids |= _programme_ids()
        ids |= _task_report()
        server = LiveServer("127.0.0.1:0")
        server._live_server_modified_settings.enable()
        try:
            yield World(server.url, ids)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            # Left open, this fixture's connection keeps the test database (PostgreSQL) from
            # being dropped at the session's end: the teardown there does not close it.
            connections.close_all()


def _resubmitted_hanoi_plan() -> dict[str, Any]:
    """Hà Nội's plan returned once, a narrative changed, resubmitted and under appraisal
    again: the appraiser comments on it and compares its two revisions."""
    from govplan.accounts.models import User
    from govplan.documents.actions import do_save_entry
    from govplan.documents.models import Document
    from govplan.orgunits.models import OrgUnit
    from govplan.workflow import actions, opinions
    from govplan.workflow.models import OpinionRequest, OpinionStatus

    document = Document.objects.get(
        org_unit__code="01", org_unit__scheme="gso-province", framework__code="KH-CDS-2027-MAU"
    )
    appraiser = User.objects.get(username="thamdinh")
    editor = User.objects.get(username="hanoi.bientap")
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        if document.status == "submitted":  # the demo starts its appraisal (its opinion request)
            actions.do_transition(document, "start_appraisal", actor=appraiser)
        actions.do_transition(document, "return", actor=appraiser, reason="Đề nghị bổ sung.")
        document.refresh_from_db()
        spec = document.framework_version.parsed()
        section = next(s for s in spec.walk() if s.narrative)
        entry = document.entries.get(key=f"narrative:{section.code}")
        do_save_entry(
            document,
            entry.key,
            entry.revision,
            {"html": "<p>Thành phố đã bổ sung theo ý kiến thẩm định.</p>"},
            actor=editor,
            locale="vi",
        )
        actions.do_transition(document, "resubmit", actor=editor)
        # Under appraisal again: the appraiser's page has the comment forms and checklist.
        actions.do_transition(document, "start_appraisal", actor=appraiser)
        # Joint appraisal: the Ministry of Finance asked for its opinion (its list, the
        # request with the frozen revision and the answer form; the approval page).
        # The demo's request was on the first revision: the one on this revision is asked
        # here (reused if there is one already).
        document = Document.objects.get(pk=document.pk)
        agency = OrgUnit.objects.with_code("govplan", "BTC").get()
        asked = OpinionRequest.objects.filter(
            document=document,
            revision__number=document.revision,
            agency=agency,
            status=OpinionStatus.PENDING,
        ).first() or opinions.do_ask_opinion(
            document,
            actor=appraiser,
            agency=agency,
            question="Đề nghị Bộ Tài chính cho ý kiến về nguồn vốn của kế hoạch.",
            deadline=dt.date.today() + dt.timedelta(days=10),
        )
    return {"hanoi": document.pk, "hanoi_unit": document.org_unit_id, "opinion": asked.pk}


def _ids() -> dict[str, Any]:
    from govplan.accounts.models import User
    from govplan.audit.models import AuditEvent
    from govplan.documents.models import Document
    from govplan.frameworks.models import FrameworkVersion, LegalDocument
    from govplan.programmes.models import Programme

    bac_ninh = Document.objects.get(
        org_unit__code="24", org_unit__scheme="gso-province", framework__code="KH-CDS-2027-MAU"
    )
    commune = Document.objects.get(org_unit__kind="commune", framework__code="KH-CDS-2027-MAU")
    from govplan.frameworks.actions import do_new_version

    version = FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")
    draft = do_new_version(version, actor=User.objects.get(username="quantri"))
    narrative = bac_ninh.entries.filter(kind="narrative").order_by("pk").first()
    table = bac_ninh.entries.filter(kind="row").order_by("pk").first()
    return {
        "bacninh": bac_ninh.pk,
        "bacninh_unit": bac_ninh.org_unit_id,
        "commune": commune.pk,
        "framework": f"{version.framework.code}/v{version.number}",
        "draft": f"{draft.framework.code}/v{draft.number}",
        "narrative": narrative.key,  # type: ignore[union-attr]
        "table": table.collection.split(":")[-1],  # type: ignore[union-attr]
        "legal": LegalDocument.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "user": User.objects.get(username="bacninh.bientap").pk,
        "audit": AuditEvent.objects.order_by("-pk").first().pk,  # type: ignore[union-attr]
        **_pilot_ids(),
        **_pool_ids(),
        "programme": Programme.objects.get(code="CT-CNTT-2007-2010").pk,
    }


def _pilot_ids() -> dict[str, Any]:
    """The demo pilot (Hà Nội and the Ministry of Finance) and its milestone not yet due."""
    from govplan.demo.pilots import NAME
    from govplan.pilots.models import Pilot

    pilot = Pilot.objects.get(name=NAME)
    milestone = pilot.milestones.filter(reached_on__isnull=True).order_by("-deadline").first()
    return {"pilot": pilot.pk, "milestone": milestone.pk}  # type: ignore[union-attr]


def _task_report() -> dict[str, Any]:
    """The ministry's 2008 report on its tasks, its table filled from the 2007 programme (the
    demo's, or one task of it where the demo has none)."""
    import datetime as dt

    from govplan.accounts.models import User
    from govplan.core.programmes.deadlines import Deadline
    from govplan.demo.task_report import load_demo_task_report
    from govplan.orgunits.models import OrgUnit
    from govplan.programmes.models import Programme, Task

    ministry = OrgUnit.objects.with_code("govplan", "BTTTT", on=dt.date(2008, 6, 1)).get()
    programme, _created = Programme.objects.get_or_create(
        code="CT-CNTT-2007-2010",
        defaults={
            "name": "Chương trình ứng dụng CNTT trong hoạt động của cơ quan nhà nước 2007-2010",
            "period_start": 2007,
            "period_end": 2010,
            "basis_number": "TB-VPCP",
            "basis_date": dt.date(2007, 12, 28),
            "basis_title": "Thông báo kết luận ngày 28/12/2007",
            "assigning_unit": OrgUnit.objects.with_code("govplan", "CDSQG").get(),
        },
    )
    if not programme.tasks.exists():
        task = Task(
            programme=programme,
            code="2.b",
            content="Hoàn thành cơ chế phân bổ kinh phí 200 tỷ đồng",
            source_document="Thông báo kết luận ngày 28/12/2007",
            assigned_on=dt.date(2007, 12, 28),
            lead_unit=ministry,
        )
        task.set_deadline(Deadline.on(dt.date(2008, 6, 30)))
        task.save()
    document = load_demo_task_report(User.objects.get(username="quantri"))
    assert document is not None
    return {"task_report": document.pk}


def _pool_ids() -> dict[str, Any]:
    """The demo's central budget pool and its approved scenario (load_demo)."""
    from govplan.allocations.models import Scenario

    approved = Scenario.objects.get(status="approved")
    return {"pool": approved.pool_id, "scenario": approved.pk}


def _programme_ids() -> dict[str, Any]:
    """A programme of the central authority with a task for Bắc Ninh that has a progress
    report, a completion and an extension waiting for the assigning authority (so that the
    pages show every form), and a second task to report on."""
    import datetime as dt

    from govplan.accounts.models import User
    from govplan.core.programmes.deadlines import Deadline
    from govplan.orgunits.models import OrgUnit
    from govplan.programmes import actions
    from govplan.programmes.checks import TaskInput

    today = dt.date.today()
    admin = User.objects.get(username="quantri")
    editor = User.objects.get(username="bacninh.bientap")
    central = OrgUnit.objects.with_code("govplan", "CDSQG").get()
    bac_ninh = OrgUnit.objects.with_code("gso-province", "24").get()
    programme = actions.do_save_programme(
        None,
        {
            "code": "A11Y-CT",
            "name": "Chương trình thử khả năng tiếp cận",
            "name_en": "",
            "period_start": today.year,
            "period_end": today.year + 1,
            "basis_number": "1/QĐ-TTg",
            "basis_date": today - dt.timedelta(days=40),
            "basis_title": "Quyết định",
            "assigning_unit": central,
            "description": "",
        },
        actor=admin,
    )
    tasks = [
        actions.do_save_task(
            programme,
            TaskInput(
                code=code,
                content=f"Nhiệm vụ {code}",
                source_document="1/QĐ-TTg",
                assigned_on=today - dt.timedelta(days=30),
                lead_unit=bac_ninh,
                deadline=Deadline.on(today + dt.timedelta(days=30)),
                parent=None,
            ),
            actor=admin,
        )
        for code in ("1", "2")
    ]
    actions.do_report_progress(
        tasks[0], reported_on=today, text="Đã khảo sát", evidence=actions.Evidence(), actor=editor
    )
    actions.do_declare_completion(
        tasks[0],
        completed_on=today,
        product="Sản phẩm",
        text="Hoàn thành",
        evidence=actions.Evidence(official_number="1/UBND"),
        actor=editor,
    )
    actions.do_request_extension(
        tasks[0],
        deadline=Deadline.on(today + dt.timedelta(days=90)),
        reason="Chờ vốn",
        actor=editor,
    )
    return {"programme": programme.pk, "task": tasks[0].pk, "task_open": tasks[1].pk}


# (role, page name, path with {placeholders} filled from World.ids). The demo account of
# each role is in ROLES.
ROLES = {
    "editor": "bacninh.bientap",
    "approver": "bacninh.lanhdao",
    "appraiser": "thamdinh",
    "central_admin": "quantri",
    "agency": "taichinh.bientap",  # the Ministry of Finance, asked for an opinion
}
NATIONAL = [
    ("national", "/national/"),
    ("national-pivot", "/national/pivot/"),
    ("national-completeness", "/national/completeness/"),
    ("national-completeness-cycle", "/national/completeness/{framework}/"),
    ("national-completeness-units", "/national/completeness/{framework}/units/"),
    ("national-budgets", "/national/budgets/"),
    ("national-targets", "/national/targets/"),
]
PAGES: list[tuple[str, str, str]] = [
    ("anonymous", "login", "/login/"),
    ("anonymous", "password-reset", "/password-reset/"),
    ("editor", "home", "/"),
    ("editor", "unit", "/units/{bacninh_unit}/"),
    ("editor", "document", "/documents/{bacninh}/"),
    ("editor", "check", "/documents/{bacninh}/check/"),
    ("editor", "history", "/documents/{bacninh}/history/"),
    ("editor", "revisions", "/documents/{bacninh}/revisions/"),
    ("editor", "entry-history", "/documents/{bacninh}/history/entry/?key={narrative}"),
    ("editor", "table-history", "/documents/{bacninh}/history/tables/{table}/"),
    ("editor", "return-letter", "/documents/{bacninh}/return-letter/"),
    ("editor", "import", "/documents/{bacninh}/import/"),
    ("editor", "sub-units", "/documents/{bacninh}/sub-units/"),
    ("editor", "official", "/documents/{bacninh}/issuing/"),
    ("editor", "notifications", "/notifications/"),
    ("editor", "account", "/account/"),
    ("editor", "two-factor", "/account/two-factor/"),
    ("editor", "frameworks", "/frameworks/"),
    ("editor", "national", "/national/"),
    ("editor", "pools", "/pools/"),
    ("editor", "pool", "/pools/{pool}/"),
    ("editor", "pool-scenario", "/pools/{pool}/scenarios/{scenario}/"),
    ("approver", "home", "/"),
    ("approver", "document", "/documents/{bacninh}/"),
    ("approver", "official", "/documents/{bacninh}/issuing/"),
    ("approver", "issuing-profile", "/units/{bacninh_unit}/issuing/"),
    ("approver", "signers", "/units/{bacninh_unit}/signers/"),
    ("appraiser", "home", "/"),
    ("appraiser", "account", "/account/"),
    ("appraiser", "queue", "/appraisal/"),
    ("appraiser", "document", "/documents/{hanoi}/"),
    ("appraiser", "check", "/documents/{hanoi}/check/"),
    ("appraiser", "revisions", "/documents/{hanoi}/revisions/"),
    ("appraiser", "compare", "/documents/{hanoi}/revisions/?a=1&b=2"),
    ("appraiser", "commune-document", "/documents/{commune}/"),
    ("appraiser", "opinion-ask", "/documents/{hanoi}/opinions/ask/"),
    ("appraiser", "approve", "/documents/{hanoi}/approve/"),
    ("appraiser", "opinion", "/opinions/{opinion}/"),
    ("agency", "opinion-inbox", "/opinions/"),
    ("agency", "opinion-request", "/opinions/{opinion}/"),
    *(("appraiser", name, path) for name, path in NATIONAL[:1]),
    ("central_admin", "home", "/"),
    ("central_admin", "task-report", "/documents/{task_report}/"),
    ("central_admin", "units", "/units/"),
    ("central_admin", "unit", "/units/{hanoi_unit}/"),
    ("central_admin", "unit-new", "/units/new/"),
    ("central_admin", "unit-edit", "/units/{hanoi_unit}/edit/"),
    ("central_admin", "frameworks", "/frameworks/"),
    ("central_admin", "framework-upload", "/frameworks/upload/"),
    ("central_admin", "framework", "/frameworks/{framework}/"),
    ("central_admin", "framework-form", "/frameworks/{framework}/form/"),
    ("central_admin", "framework-clone", "/frameworks/{framework}/clone/"),
    ("central_admin", "framework-draft", "/frameworks/{draft}/"),
    ("central_admin", "framework-edit", "/frameworks/{draft}/edit/"),
    ("central_admin", "framework-publish", "/frameworks/{draft}/publish/"),
    ("central_admin", "indicators", "/indicators/"),
    ("central_admin", "indicators-upload", "/indicators/upload/"),
    ("central_admin", "legal", "/legal/"),
    ("central_admin", "legal-new", "/legal/new/"),
    ("central_admin", "legal-edit", "/legal/{legal}/edit/"),
    ("central_admin", "legal-proposals", "/legal/proposals/"),
    ("central_admin", "users", "/manage/users/"),
    ("central_admin", "user", "/manage/users/{user}/"),
    ("central_admin", "user-new", "/manage/users/new/"),
    ("central_admin", "user-edit", "/manage/users/{user}/edit/"),
    ("central_admin", "user-password", "/manage/users/{user}/password/"),
    ("central_admin", "audit", "/manage/audit/"),
    ("central_admin", "audit-event", "/manage/audit/{audit}/"),
    ("central_admin", "exports", "/exports/"),
    ("central_admin", "national-unit", "/national/units/{hanoi_unit}/"),
    # Pilots (issue 17): the demo pilot, its comparison with the 2027 plans as submitted
    # (Hà Nội against Bắc Ninh), and its forms.
    ("appraiser", "pilot", "/pilots/{pilot}/"),
    ("central_admin", "pilots", "/pilots/"),
    ("central_admin", "pilot", "/pilots/{pilot}/?year=2027&layer=submitted"),
    ("central_admin", "pilot-new", "/pilots/new/"),
    ("central_admin", "pilot-edit", "/pilots/{pilot}/edit/"),
    ("central_admin", "pilot-designate", "/pilots/{pilot}/units/"),
    ("central_admin", "pilot-milestone-new", "/pilots/{pilot}/milestones/new/"),
    ("central_admin", "pilot-milestone", "/pilots/{pilot}/milestones/{milestone}/evaluate/"),
    ("central_admin", "pilot-evaluation", "/pilots/{pilot}/evaluation/"),
    ("central_admin", "pools", "/pools/"),
    ("central_admin", "pool", "/pools/{pool}/"),
    ("central_admin", "pool-scenario-new", "/pools/{pool}/scenarios/new/"),
    ("central_admin", "pool-scenario", "/pools/{pool}/scenarios/{scenario}/"),
    ("central_admin", "pool-compare", "/pools/{pool}/compare/"),
    ("central_admin", "investment-estimate", "/pools/estimate/"),
    ("editor", "programmes", "/programmes/"),
    ("editor", "programme", "/programmes/{programme}/"),
    ("editor", "task", "/programmes/tasks/{task}/"),
    ("editor", "task-open", "/programmes/tasks/{task_open}/"),
    ("editor", "unit-tasks", "/programmes/units/{bacninh_unit}/tasks/"),
    ("central_admin", "programme-new", "/programmes/new/"),
    ("central_admin", "programme", "/programmes/{programme}/"),
    ("central_admin", "programme-edit", "/programmes/{programme}/edit/"),
    ("central_admin", "task", "/programmes/tasks/{task}/"),
    ("central_admin", "task-new", "/programmes/{programme}/tasks/new/"),
    ("central_admin", "task-edit", "/programmes/tasks/{task}/edit/"),
    ("central_admin", "task-import", "/programmes/{programme}/import/"),
    *(("central_admin", name, path) for name, path in NATIONAL),
    # Task statistics (the 2007 demo programme on a day that shows every status)
    ("central_admin", "task-statistics", "/programmes/statistics/?on=2008-03-31&sub=1"),
    (
        "central_admin",
        "programme-statistics",
        "/programmes/{programme}/statistics/?on=2008-03-31&sub=1",
    ),
    (
        "central_admin",
        "task-statistics-list",
        "/programmes/statistics/tasks/?on=2008-03-31&figure=total&programme={programme}",
    ),
    ("editor", "task-statistics", "/programmes/statistics/"),
]


@pytest.fixture(scope="module")
def sessions(
    world: World, browser: Browser, browser_context_args: dict[str, Any]
) -> Iterator[Callable[[str], Page]]:
    """One signed-in browser page per role, opened on first use and kept for the module."""
    contexts: dict[str, BrowserContext] = {}
    pages: dict[str, Page] = {}

    def page_of(role: str) -> Page:
        if role not in pages:
            context = browser.new_context(**browser_context_args)
            contexts[role] = context
            page = context.new_page()
            if role != "anonymous":
                sign_in(page, world.url, ROLES[role], PASSWORD)
            pages[role] = page
        return pages[role]

    yield page_of
    for context in contexts.values():
        context.close()


@pytest.fixture
def _django_db_helper(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Replaces pytest-django's per-test helper for this module: a transactional test's
    flush would erase the module's world after the first page. The pages are only read;
    the world is emptied once, at the module's end."""
    with django_db_blocker.unblock():
        yield


@pytest.mark.parametrize(
    ("role", "name", "path"), PAGES, ids=[f"{role}-{name}" for role, name, _ in PAGES]
)
def test_page_passes_wcag_a_and_aa(
    world: World, sessions: Callable[[str], Page], role: str, name: str, path: str
) -> None:
    page = sessions(role)
    response = page.goto(world.url + path.format(**world.ids))
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    page.wait_for_load_state("networkidle")
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:8])
        + (f" (+{len(v['nodes']) - 8} more)" if len(v["nodes"]) > 8 else "")
        for v in violations
    ]
    assert not violations, f"{role} {path}:\n" + "\n".join(lines)


def test_the_checked_pages_cover_every_role() -> None:
    assert {role for role, _, _ in PAGES} == {"anonymous", *ROLES}
    assert len({(role, name) for role, name, _ in PAGES}) == len(PAGES)
