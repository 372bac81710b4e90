"""Default deny, proven by walking every URL pattern with the whole cast.

Adding a URL without a line in EXPECTED fails here, so every new view gets its
access decided and tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from govplan.access.policies import policy_of
from govplan.accounts.models import Membership
from govplan.audit.models import AuditEvent
from govplan.urls import urlpatterns as real_patterns
from tests.access.programme_walk import EXPECTED as PROGRAMME_EXPECTED
from tests.conftest import Cast
from tests.pilots.support import milestone_kwargs, pilot_kwargs

pytestmark = pytest.mark.django_db

ALL_USERS = (
    "central_admin",
    "appraiser",
    "editor_a",
    "approver_a",
    "editor_b",
    "commune_editor_a",
    "viewer_a",
)


def everyone(status: int, anonymous: int = 302) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(ALL_USERS, status)}


def admin_only(status: int = 200) -> dict[str, int]:
    return {**everyone(403), "central_admin": status}


def readers_of_a() -> dict[str, int]:
    return {**everyone(200), "editor_b": 404, "commune_editor_a": 404}


def post_only_for_editors() -> dict[str, int]:
    """A POST-only view behind @requires(EDIT): 405 to GET for anyone who edits somewhere
    (central administrators too: they enter the documents of units that no longer exist)."""
    return {
        **everyone(403),
        "editor_a": 405,
        "editor_b": 405,
        "commune_editor_a": 405,
        "central_admin": 405,
    }


def central_post_only() -> dict[str, int]:
    """A POST-only view behind @requires(ADMINISTER): 405 to GET for central administrators."""
    return {**everyone(403), "central_admin": 405}


def central_readers(status: int = 200) -> dict[str, int]:
    """The central authority's readers (central administrators, its appraisers) only."""
    return {**everyone(403), "central_admin": status, "appraiser": status}


def example_framework_pk() -> int:
    from tests.conftest import example_version

    return int(example_version().framework_id)


def pool_of(cast: Cast) -> tuple[int, int]:
    """A 2027 pool and a draft scenario of it (no plan proposes: it allocates nothing)."""
    from decimal import Decimal

    from govplan.allocations.actions import do_create_pool, do_save_scenario
    from govplan.allocations.models import Pool
    from tests.conftest import example_version

    pool = Pool.objects.first()
    if pool is None:
        pool = do_create_pool(
            actor=cast.central_admin,
            name="Kinh phí trung ương 2027",
            amount=Decimal(200_000_000_000),
            year=2027,
            frameworks=[example_version().framework],
        )
        do_save_scenario(pool, name="Phương án 1", rules_data={}, actor=cast.central_admin)
    return pool.pk, pool.scenarios.get().pk


def scenario_of(cast: Cast) -> dict[str, int]:
    pk, scenario_id = pool_of(cast)
    return {"pk": pk, "scenario_id": scenario_id}


def doc(cast: Cast) -> dict[str, Any]:
    from govplan.documents.actions import do_create_document
    from govplan.documents.models import Document
    from tests.conftest import example_version

    document = Document.objects.filter(org_unit=cast.province_a).first()
    if document is None:
        document = do_create_document(
            unit=cast.province_a, version=example_version(), actor=cast.editor_a
        )
    return {"pk": document.pk}


def opinion(cast: Cast) -> dict[str, Any]:
    """Province A's plan under appraisal (revision 1), province B asked for its opinion."""
    import datetime as dt

    from govplan.documents.models import Document
    from govplan.workflow.models import DocumentRevision, OpinionRequest

    pk = doc(cast)["pk"]
    request = OpinionRequest.objects.filter(document_id=pk).first()
    if request is None:
        revision = DocumentRevision.objects.create(
            document_id=pk, number=1, snapshot={}, created_by=cast.editor_a
        )
        Document.objects.filter(pk=pk).update(status="under_appraisal", revision=1)
        request = OpinionRequest.objects.create(
            document_id=pk,
            revision=revision,
            agency=cast.province_b,
            question="Đề nghị cho ý kiến.",
            deadline=dt.date.today(),
            asked_by=cast.appraiser,
        )
    return {"pk": pk, "rid": request.pk}


def saved_narrative(cast: Cast) -> str:
    from govplan.documents.actions import do_save_entry
    from govplan.documents.models import Document

    document = Document.objects.get(pk=doc(cast)["pk"])
    spec = document.framework_version.parsed()
    section = next(s for s in spec.walk() if s.narrative)
    key = f"narrative:{section.code}"
    do_save_entry(document, key, 0, {"html": "<p>x</p>"}, actor=cast.editor_a, locale="vi")
    return key


def attachment(cast: Cast) -> int:
    from govplan.documents.actions import do_attach
    from govplan.documents.models import Document

    document = Document.objects.get(pk=doc(cast)["pk"])
    return do_attach(
        document,
        "I",
        data=b"%PDF-1.4\n%%EOF\n",
        filename="bang-chung.pdf",
        content_type="application/pdf",
        description="",
        actor=cast.editor_a,
    ).pk


def pilot_managers() -> dict[str, int]:
    """Readers of the cast's pilot are refused (403) but its managers; others find nothing."""
    return {**everyone(403), "central_admin": 200, "editor_b": 404, "commune_editor_a": 404}


# url name -> (kwargs builder, expected status per cast member) for a GET request.
EXPECTED: dict[str, tuple[Any, dict[str, int]]] = {
    "home": (None, everyone(200)),
    "healthz": (None, everyone(200, anonymous=200)),
    "login": (None, everyone(302, anonymous=200)),
    "logout": (None, everyone(405)),  # POST only
    "set_language": (None, everyone(302, anonymous=302)),
    "profile": (None, everyone(200)),
    # The steps after the password: a verified session with nothing owed is sent on.
    "otp_verify": (None, everyone(302)),
    "otp_enrol": (None, everyone(200)),
    "otp_recovery_codes": (None, everyone(405)),  # POST only
    "otp_disable": (None, everyone(405)),  # POST only
    "password_change_required": (None, everyone(302)),
    "password_reset": (None, everyone(200, anonymous=200)),
    "password_reset_done": (None, everyone(200, anonymous=200)),
    # A made-up link: the page says it no longer works.
    "password_reset_confirm": (
        lambda c: {"uidb64": "MQ", "token": "cz1abc-0123456789abcdef"},
        everyone(200, anonymous=200),
    ),
    "password_reset_complete": (None, everyone(200, anonymous=200)),
    "session_end": (lambda c: {"pk": 1}, everyone(405)),  # POST only
    "sessions_end_others": (None, everyone(405)),  # POST only
    "unit_list": (None, everyone(200)),
    "unit_create": (None, admin_only()),
    "unit_detail": (
        lambda c: {"pk": c.province_a.pk},
        {
            **everyone(200),
            "editor_b": 404,  # another province: not even its existence is shown
            "commune_editor_a": 404,  # a commune sees itself, not its province
        },
    ),
    "unit_edit": (lambda c: {"pk": c.province_a.pk}, admin_only()),
    "user_list": (None, admin_only()),
    "user_create": (None, admin_only()),
    "user_detail": (lambda c: {"pk": c.editor_a.pk}, admin_only()),
    "user_edit": (lambda c: {"pk": c.editor_a.pk}, admin_only()),
    "user_set_password": (lambda c: {"pk": c.editor_a.pk}, admin_only()),
    "membership_add": (lambda c: {"pk": c.editor_a.pk}, admin_only(405)),
    "user_reset_second_factor": (lambda c: {"pk": c.editor_a.pk}, admin_only(405)),
    "membership_revoke": (
        lambda c: {"pk": Membership.objects.get(user=c.editor_a).pk},
        admin_only(405),
    ),
    "framework_list": (None, everyone(200)),
    "framework_upload": (None, admin_only()),
    "framework_version": (lambda c: published(c), everyone(200)),
    "framework_form": (lambda c: published(c), everyone(200)),
    "framework_source": (lambda c: published(c), everyone(200)),
    # The cycle's tables: everyone signed in gets the documents they can see (maybe none).
    "cycle_xlsx": (lambda c: published(c), everyone(200)),
    # Drafts: only a central administrator works on them.
    "framework_edit": (lambda c: draft_of(c), admin_only()),
    "framework_publish": (lambda c: draft_of(c), admin_only()),
    "framework_clone": (lambda c: published(c), admin_only()),
    "framework_new_version": (lambda c: published(c), admin_only(405)),
    "indicator_list": (None, everyone(200)),
    "catalogue_upload": (None, admin_only()),
    "legal_list": (None, everyone(200)),
    # The legal-document catalogue is kept by central administrators alone.
    "legal_add": (None, admin_only()),
    "legal_proposals": (None, admin_only()),
    "legal_edit": (lambda c: legal_entry(c), admin_only()),
    "legal_status": (lambda c: legal_entry(c), admin_only(405)),
    "legal_review": (lambda c: legal_entry(c), admin_only(405)),
    # Documents: province A's plan. Readers of province A see it; others get 404; only its
    # editor may change it (the other editors pass the coarse gate, then find nothing).
    "document_create": (None, post_only_for_editors()),
    "document_edit": (lambda c: doc(c), readers_of_a()),
    # "Update from the task list": POST only, by the document's editors.
    "document_fill_rows": (lambda c: doc(c), post_only_for_editors()),
    "document_entry_save": (lambda c: doc(c), {**post_only_for_editors(), "anonymous": 401}),
    "document_entry_add": (lambda c: doc(c), {**post_only_for_editors(), "anonymous": 401}),
    "document_entry_delete": (lambda c: doc(c), {**post_only_for_editors(), "anonymous": 401}),
    "document_entry_move": (lambda c: doc(c), {**post_only_for_editors(), "anonymous": 401}),
    "document_section_save": (lambda c: {**doc(c), "code": "I"}, post_only_for_editors()),
    "document_history": (lambda c: doc(c), readers_of_a()),
    "document_entry_history": (lambda c: (doc(c), {"key": saved_narrative(c)}), readers_of_a()),
    "document_entry_restore": (lambda c: doc(c), post_only_for_editors()),
    "document_table_history": (lambda c: {**doc(c), "code": "projects"}, readers_of_a()),
    "document_table_restore": (lambda c: {**doc(c), "code": "projects"}, post_only_for_editors()),
    "document_xlsx": (lambda c: doc(c), readers_of_a()),
    "document_xlsx_table": (lambda c: {**doc(c), "code": "projects"}, readers_of_a()),
    "document_import": (
        lambda c: doc(c),
        {**everyone(403), "editor_a": 200, "editor_b": 404, "commune_editor_a": 404},
    ),
    "document_import_apply": (lambda c: {**doc(c), "batch_id": 1}, post_only_for_editors()),
    "document_attach": (lambda c: {**doc(c), "code": "I"}, post_only_for_editors()),
    "document_attachment": (lambda c: {**doc(c), "attachment_id": attachment(c)}, readers_of_a()),
    "document_attachment_remove": (
        lambda c: {**doc(c), "attachment_id": attachment(c)},
        post_only_for_editors(),
    ),
    "document_legal_new": (lambda c: {**doc(c), "code": "I"}, post_only_for_editors()),
    "document_consolidated": (lambda c: doc(c), readers_of_a()),
    "document_take_sum": (lambda c: doc(c), post_only_for_editors()),
    # The cycle: readers of province A see its check, revisions and letter; actions are POST.
    "document_check": (lambda c: doc(c), readers_of_a()),
    # The editor's JSON endpoints answer a visitor without a session 401 in JSON, which the
    # editor shows (govplan.usersessions.middleware), not the login page's HTML.
    "document_check_data": (lambda c: doc(c), {**readers_of_a(), "anonymous": 401}),
    # Official documents: everyone who reads the plan downloads it; the agency enters its
    # issuing data and the unit's header; only the head signs.
    "document_docx": (lambda c: doc(c), readers_of_a()),
    "document_pdf": (lambda c: doc(c), readers_of_a()),
    # A file being made (or made) of the document: reached through it, scoped as it is.
    "document_file": (lambda c: rendered_file(c), readers_of_a()),
    "document_file_status": (lambda c: rendered_file(c), {**readers_of_a(), "anonymous": 401}),
    "document_file_download": (lambda c: rendered_file(c), everyone(404)),  # 404 until made
    "document_file_retry": (lambda c: rendered_file(c), everyone(405)),  # POST only
    "document_issuing": (
        lambda c: doc(c),
        {
            **readers_of_a(),
            **dict.fromkeys(ALL_USERS, 403),
            "editor_a": 200,
            "approver_a": 200,
            "editor_b": 404,
            "commune_editor_a": 404,
        },
    ),
    "unit_issuing_profile": (
        lambda c: {"pk": c.province_a.pk},
        {
            **everyone(403),
            "editor_a": 200,
            "approver_a": 200,
            "editor_b": 404,
            "commune_editor_a": 404,
        },
    ),
    "document_sign": (
        lambda c: doc(c),
        {**readers_of_a(), **dict.fromkeys(ALL_USERS, 404), "approver_a": 200},
    ),
    # The PDF to sign is made for the head only, on POST.
    "document_pdf_to_sign": (lambda c: doc(c), everyone(405)),
    # Signers' certificates: the agency sees them, a central administrator too (and registers
    # them for the approvers); withdrawing is a POST.
    "unit_signers": (
        lambda c: {"pk": c.province_a.pk},
        {
            **everyone(403),
            "central_admin": 200,
            "editor_a": 200,
            "approver_a": 200,
            "editor_b": 404,
            "commune_editor_a": 404,
        },
    ),
    "unit_signer_withdraw": (
        lambda c: {"pk": c.province_a.pk, "certificate_id": 1},
        everyone(405),
    ),
    "document_transition": (lambda c: {**doc(c), "action": "submit"}, everyone(405)),
    "document_issue": (
        lambda c: doc(c),
        {**readers_of_a(), **dict.fromkeys(ALL_USERS, 404), "approver_a": 200},
    ),
    "document_revisions": (lambda c: doc(c), readers_of_a()),
    "document_comment": (lambda c: doc(c), everyone(405)),
    "document_comment_reply": (lambda c: {**doc(c), "comment_id": 1}, everyone(405)),
    "document_comment_resolve": (lambda c: {**doc(c), "comment_id": 1}, everyone(405)),
    "document_return_letter": (lambda c: doc(c), readers_of_a()),
    "document_checklist": (lambda c: doc(c), everyone(405)),
    "appraisal_queue": (None, {**everyone(403), "appraiser": 200}),
    # Joint appraisal: the appraiser asks, withdraws, reminds and approves with the opinions
    # before them; the agency asked (province B here) reads its request, and so does the
    # appraising side; the plan's own agency and anyone else learn nothing of it.
    "opinion_ask": (lambda c: doc(c), {**everyone(403), "appraiser": 200}),
    "opinion_withdraw": (lambda c: opinion(c), {**everyone(403), "appraiser": 405}),
    "opinion_remind": (lambda c: opinion(c), {**everyone(403), "appraiser": 405}),
    "document_approve": (lambda c: doc(c), {**everyone(403), "appraiser": 200}),
    "opinion_inbox": (None, everyone(200)),
    "opinion_request": (
        lambda c: {"rid": opinion(c)["rid"]},
        {**everyone(404), "editor_b": 200, "appraiser": 200, "central_admin": 200},
    ),
    "opinion_file": (lambda c: {"rid": opinion(c)["rid"]}, everyone(404)),  # no file sent
    "notifications": (None, everyone(200)),
    "audit_list": (None, admin_only()),
    "audit_detail": (lambda c: {"pk": AuditEvent.objects.latest("id").pk}, admin_only()),
    # Batch exports: anyone signed in exports what they can see of a cycle; a job is its
    # requester's alone (here the central administrator's), not even shown to anyone else.
    "export_start": (lambda c: published(c), everyone(405)),  # POST only
    "export_list": (None, everyone(200)),
    "export_detail": (lambda c: export_job(c), {**everyone(404), "central_admin": 200}),
    "export_status": (
        lambda c: export_job(c),
        {**everyone(404), "central_admin": 200, "anonymous": 401},  # JSON: 401, not the login page
    ),
    "export_download": (lambda c: export_job(c), everyone(404)),  # 404 until the ZIP is made
    "export_resume": (lambda c: export_job(c), everyone(405)),  # POST only
    # Completeness: everyone signed in sees the expected units in their scope (maybe none).
    "national_completeness_index": (None, everyone(200)),
    "national_completeness": (lambda c: published(c), everyone(200)),
    "national_completeness_list": (lambda c: published(c), everyone(200)),
    "national_completeness_remind": (lambda c: published(c), everyone(405)),  # POST only
    # National pages: everyone signed in sees the money and targets of what they may see;
    # a unit outside their scope is a 404.
    "national_budgets": (lambda c: (None, {"unit": c.province_a.pk}), readers_of_a()),
    "national_budget_export": (lambda c: {"fmt": "csv"}, everyone(200)),
    "national_targets": (lambda c: (None, {"unit": c.province_a.pk}), readers_of_a()),
    # National figures: everyone with a role sees the figures of the units they may see.
    "national_dashboard": (None, everyone(200)),
    "national_unit": (lambda c: {"pk": c.province_a.pk}, readers_of_a()),
    "national_pivot": (None, everyone(200)),
    "national_pivot_csv": (lambda c: (None, {"i": "DVC.TRUC_TUYEN"}), everyone(200)),
    "national_pivot_xlsx": (lambda c: (None, {"i": "DVC.TRUC_TUYEN"}), everyone(200)),
    # Pilots (issue 17): the central authority assigns the cast's pilot, province A is its
    # pilot unit. Its readers see it; central administrators (and the assigning authority's
    # editors and approvers) manage it; province A's editor writes its self-evaluations.
    "pilot_list": (None, everyone(200)),
    "pilot_create": (None, admin_only()),
    "pilot_detail": (lambda c: pilot_kwargs(c), readers_of_a()),
    "pilot_comparison_xlsx": (lambda c: pilot_kwargs(c), readers_of_a()),
    "pilot_edit": (lambda c: pilot_kwargs(c), pilot_managers()),
    "pilot_designate": (lambda c: pilot_kwargs(c), pilot_managers()),
    "pilot_milestone_add": (lambda c: pilot_kwargs(c), pilot_managers()),
    "pilot_milestone_evaluate": (lambda c: milestone_kwargs(c), pilot_managers()),
    "pilot_self_evaluate": (
        lambda c: milestone_kwargs(c),
        {**pilot_managers(), "central_admin": 403, "editor_a": 200},
    ),
    "pilot_evaluate": (lambda c: pilot_kwargs(c), pilot_managers()),
    # The central budget pool (issue 17): central administrators manage; the central
    # authority reads everything and exports; agencies read their own rows.
    "allocation_pools": (None, everyone(200)),
    "allocation_pool": (lambda c: {"pk": pool_of(c)[0]}, everyone(200)),
    "allocation_mark": (lambda c: {"pk": pool_of(c)[0]}, central_post_only()),
    "allocation_scenario_new": (lambda c: {"pk": pool_of(c)[0]}, admin_only()),
    "allocation_compare": (lambda c: {"pk": pool_of(c)[0]}, everyone(200)),
    "allocation_scenario": (lambda c: scenario_of(c), everyone(200)),
    "allocation_scenario_edit": (lambda c: scenario_of(c), admin_only()),
    "allocation_scenario_approve": (lambda c: scenario_of(c), central_post_only()),
    "allocation_appendix": (lambda c: {**scenario_of(c), "fmt": "docx"}, central_readers()),
    "allocation_estimate": (None, central_readers()),
    "allocation_estimate_xlsx": (
        lambda c: (None, {"framework": example_framework_pk()}),
        central_readers(),
    ),
    # Programmes and their tasks (issue 17): tests/access/programme_walk.py
    **PROGRAMME_EXPECTED,
    # Task statistics (issue 17): everyone signed in; what is counted is scoped (an agency
    # counts its own row), so another agency's figures are an empty list, not an error.
    "national_statistics": (None, everyone(200)),
    "national_statistics_xlsx": (None, everyone(200)),
    "programme_statistics": (lambda c: stats_programme(c), everyone(200)),
    "programme_statistics_xlsx": (lambda c: stats_programme(c), everyone(200)),
    "programme_statistics_tasks": (
        lambda c: (None, {"figure": "overdue", "unit": c.province_a.pk}),
        everyone(200),
    ),
    "programme_statistics_tasks_xlsx": (
        lambda c: (None, {"figure": "total", **stats_programme(c)}),
        everyone(200),
    ),
}


def bac_giang() -> Any:
    """The old Bắc Giang: a unit that no longer exists, which province A (the new Bắc Ninh)
    succeeded."""
    from tests.conftest import BEFORE_REFORM, unit

    return unit("gso-province", "24", BEFORE_REFORM)


def historical_doc(cast: Cast) -> dict[str, Any]:
    """The old Bắc Giang's 2011-2015 plan."""
    from govplan.documents.actions import do_create_document
    from govplan.documents.models import Document
    from govplan.frameworks.models import FrameworkVersion

    document = Document.objects.filter(org_unit=bac_giang()).first()
    if document is None:
        version = FrameworkVersion.objects.get(framework__code="KH-UDCNTT-2011-2015")
        document = do_create_document(unit=bac_giang(), version=version, actor=cast.central_admin)
    return {"pk": document.pk}


# The same walk over a document of a unit that no longer exists: its successor's editors and
# approvers (and central administrators, for editing) act on it; nobody else gains anything.
HISTORICAL: dict[str, tuple[Any, dict[str, int]]] = {
    "document_edit": (historical_doc, readers_of_a()),
    "document_import": (
        historical_doc,
        {
            **everyone(403),
            "editor_a": 200,
            "central_admin": 200,
            "editor_b": 404,
            "commune_editor_a": 404,
        },
    ),
    "document_issuing": (
        historical_doc,
        {
            **dict.fromkeys(ALL_USERS, 403),
            "anonymous": 302,
            "editor_a": 200,
            "approver_a": 200,
            "central_admin": 200,
            "editor_b": 404,
            "commune_editor_a": 404,
        },
    ),
    "unit_issuing_profile": (
        lambda c: {"pk": bac_giang().pk},
        {
            **everyone(403),
            "editor_a": 200,
            "approver_a": 200,
            "central_admin": 200,
            "editor_b": 404,
            "commune_editor_a": 404,
        },
    ),
    "document_sign": (
        historical_doc,
        {**readers_of_a(), **dict.fromkeys(ALL_USERS, 404), "approver_a": 200},
    ),
}


def legal_entry(cast: Cast) -> dict[str, Any]:
    from govplan.frameworks.models import LegalDocument

    return {"pk": LegalDocument.objects.get(code="LUAT-67-2006-QH11").pk}


def published(cast: Cast) -> dict[str, Any]:
    return {"code": "KH-UDCNTT-2018", "number": 1}


def export_job(cast: Cast) -> dict[str, Any]:
    """A batch export requested by the central administrator, still waiting for a worker."""
    from govplan.official.models import ExportJob
    from tests.conftest import example_version

    job = ExportJob.objects.filter(created_by=cast.central_admin).first()
    if job is None:
        job = ExportJob.objects.create(created_by=cast.central_admin, version=example_version())
    return {"pk": job.pk}


def rendered_file(cast: Cast) -> dict[str, Any]:
    """The DOCX of doc(cast), asked for and still waiting for a worker."""
    from govplan.official.models import RenderedFile

    pk = doc(cast)["pk"]
    row, _created = RenderedFile.objects.get_or_create(document_id=pk, format="docx", key="k")
    return {"pk": pk, "file_id": row.pk}


def draft_of(cast: Cast) -> dict[str, Any]:
    from govplan.frameworks.actions import do_upload_framework
    from tests.conftest import EVERY_FEATURE

    version = do_upload_framework(EVERY_FEATURE.read_bytes(), actor=cast.central_admin)
    return {"code": version.framework.code, "number": version.number}


def stats_programme(cast: Cast) -> dict[str, Any]:
    """A programme with a task of province A and one of province B (the statistics pages)."""
    import datetime as dt

    from govplan.programmes.models import Programme
    from tests.programmes.helpers import programme, task

    found = Programme.objects.filter(code="URLWALK").first()
    if found is None:
        found = programme("URLWALK", cast.central, on=dt.date(2026, 1, 5))
        task(found, "1", cast.province_a, due=dt.date(2026, 3, 31))
        task(found, "2", cast.province_b, due=None)
    return {"pk": found.pk}


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_every_url_declares_its_access_and_is_in_the_walk() -> None:
    names = set()
    for route, pattern in walk(get_resolver().url_patterns):
        assert policy_of(pattern.callback) is not None, f"{route} declares no access policy"
        assert pattern.name, f"{route} has no name"
        names.add(pattern.name)
    assert names == set(EXPECTED), "EXPECTED must list exactly the project's URLs"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_url_for_each_member_of_the_cast(name: str, cast: Cast) -> None:
    kwargs_for, expected = EXPECTED[name]
    built = kwargs_for(cast) if kwargs_for else None
    kwargs, query = built if isinstance(built, tuple) else (built, None)
    url = reverse(name, kwargs=kwargs)
    if query:
        url += "?" + urlencode(query)
    seen = {}
    for who, user in cast.users().items():
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        seen[who] = response.status_code
        if who == "anonymous" and response.status_code == 302 and name != "set_language":
            assert response["Location"].startswith(reverse("login")), url
    assert seen == expected, url


@pytest.mark.parametrize("name", sorted(HISTORICAL))
def test_each_url_over_a_historical_document_for_each_member_of_the_cast(
    name: str, cast: Cast
) -> None:
    kwargs_for, expected = HISTORICAL[name]
    url = reverse(name, kwargs=kwargs_for(cast))
    seen = {}
    for who, user in cast.users().items():
        client = Client()
        if user is not None:
            client.force_login(user)
        seen[who] = client.get(url).status_code
    assert seen == expected, url


def undeclared_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("secret")


urlpatterns = [*real_patterns, path("undeclared/", undeclared_view, name="undeclared")]


@pytest.mark.urls("tests.access.test_url_walk")
def test_a_view_without_a_declaration_is_refused_to_everyone(cast: Cast) -> None:
    for user in cast.users().values():
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get("/undeclared/")
        assert response.status_code == 403
        assert b"secret" not in response.content
