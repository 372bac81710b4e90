"""Every state change is a `do_*` action that writes its audit entry in the same transaction
as the change. This walks every `do_*` function in govplan, runs it once on a prepared case
and watches the SQL it sends: at least one audit entry is inserted, and every write (the
change and its entry) happens inside one transaction the action opened itself.

A new action without a case here fails `test_every_action_has_a_case`: add one.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

import govplan
from govplan.documents.models import Attachment, Document, Entry
from tests.conftest import EVERY_FEATURE, Cast, example_version
from tests.programmes.audit_cases import programmes as programme_cases

pytestmark = pytest.mark.django_db

Act = Callable[[], Any]


def discover() -> set[str]:
    """The dotted names of every `do_*` function defined in a govplan module."""
    names = set()
    for info in pkgutil.walk_packages(govplan.__path__, "govplan."):
        if ".migrations" in info.name or info.name.endswith(("wsgi", "asgi")):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                name.startswith("do_")
                and inspect.isfunction(value)
                and value.__module__ == module.__name__
            ):
                names.add(f"{module.__name__}.{name}")
    return names


@dataclass
class World:
    cast: Cast
    tmp: Path
    settings: Any
    cache: dict[str, Any] = field(default_factory=dict)

    def document(self) -> Document:
        """Province A's 2027 plan with a narrative and a project row."""
        if "document" not in self.cache:
            from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry

            document = do_create_document(
                unit=self.cast.province_a, version=example_version(), actor=self.cast.editor_a
            )
            do_save_entry(
                document,
                self.narrative(document),
                0,
                {"html": "<p>Một</p>"},
                actor=self.cast.editor_a,
                locale="vi",
            )
            do_add_entry(
                document,
                "row:projects",
                {"cells": {"name": "Dự án A"}},
                actor=self.cast.editor_a,
                locale="vi",
            )
            do_add_entry(
                document,
                "row:projects",
                {"cells": {"name": "Dự án B"}},
                actor=self.cast.editor_a,
                locale="vi",
            )
            self.cache["document"] = document
        return self.cache["document"]

    @staticmethod
    def narrative(document: Document) -> str:
        spec = document.framework_version.parsed()
        return f"narrative:{next(s for s in spec.walk() if s.narrative).code}"

    def rows(self) -> list[Entry]:
        return list(Entry.objects.filter(document=self.document(), collection="table:projects"))

    def status(self, status: str) -> Document:
        document = self.document()
        Document.objects.filter(pk=document.pk).update(status=status)
        return Document.objects.get(pk=document.pk)

    def submitted(self, status: str = "under_appraisal") -> Document:
        """Submitted for real (a frozen revision), then moved to ``status``."""
        from govplan.workflow.models import DocumentRevision

        document = self.document()
        DocumentRevision.objects.create(
            document=document, number=1, snapshot={}, created_by=self.cast.editor_a
        )
        return self.status(status)

    def attachment(self) -> Attachment:
        from govplan.documents.actions import do_attach

        document = self.document()
        return do_attach(
            document,
            next(iter(document.framework_version.parsed().tables()))[0].code,
            data=b"%PDF-1.4\n%%EOF\n",
            filename="a.pdf",
            content_type="application/pdf",
            description="",
            actor=self.cast.editor_a,
        )

    def pki(self) -> tuple[Any, bytes]:
        from govplan.demo import pki

        ca_key, ca_cert = pki.make_ca(key_kind="ec")
        key, cert = pki.make_signer(ca_key, ca_cert, common_name="Lãnh Đạo", key_kind="ec")
        (self.tmp / "root.pem").write_bytes(pki.pem(ca_cert))
        self.settings.TRUST_ROOTS_DIR = self.tmp
        return ca_cert, pki.pkcs12(key, cert, ca_cert, b"khoa")


# --- one case per action: prepare, then return the call that is watched -----------------


def _task_report() -> tuple[Document, Any]:
    """The ministry's 2008 report on its tasks, with one task of the programme to bring in."""
    from govplan.accounts.models import Role
    from govplan.core.programmes.deadlines import Deadline
    from govplan.documents.actions import do_create_document
    from govplan.frameworks.models import FrameworkVersion
    from govplan.programmes.models import Programme, Task
    from tests.conftest import make_user, unit

    ministry = unit("govplan", "BTTTT", on=dt.date(2008, 6, 1))
    programme = Programme.objects.create(
        code="CT-CNTT-2007-2010",
        name="Chương trình ứng dụng CNTT 2007-2010",
        period_start=2007,
        period_end=2010,
        basis_number="Thông báo kết luận",
        basis_date=dt.date(2007, 12, 28),
        basis_title="Kết luận ngày 28/12/2007",
        assigning_unit=unit("govplan", "CDSQG"),
    )
    task = Task(
        programme=programme,
        code="2.a",
        content="Xây dựng Kế hoạch 2008",
        source_document="Thông báo kết luận",
        assigned_on=dt.date(2008, 1, 8),
        lead_unit=ministry,
    )
    task.set_deadline(Deadline.on(dt.date(2008, 6, 30)))
    task.save()
    reporter = make_user("mic_reporter", ministry, Role.EDITOR)
    version = FrameworkVersion.objects.get(framework__code="BC-NHIEMVU-2008", status="published")
    return do_create_document(unit=ministry, version=version, actor=reporter), reporter


def documents(world: World, name: str) -> Act:
    from govplan.documents import actions

    cast, editor = world.cast, world.cast.editor_a
    if name == "do_create_document":
        return lambda: actions.do_create_document(
            unit=cast.province_b, version=example_version(), actor=cast.editor_b
        )
    if name == "do_fill_rows":
        report, reporter = _task_report()
        return lambda: actions.do_fill_rows(report, actor=reporter)
    document = world.document()
    first, second = world.rows()
    key = world.narrative(document)
    attachment = world.attachment()
    return {
        "do_save_entry": lambda: actions.do_save_entry(
            document, key, 1, {"html": "<p>Hai</p>"}, actor=editor, locale="vi"
        ),
        "do_add_entry": lambda: actions.do_add_entry(
            document, "row:projects", {"cells": {"name": "C"}}, actor=editor, locale="vi"
        ),
        "do_delete_entry": lambda: actions.do_delete_entry(
            document, first.key, first.revision, actor=editor
        ),
        "do_move_entry": lambda: actions.do_move_entry(
            document, first.key, second.key, actor=editor
        ),
        "do_restore_entry": lambda: actions.do_restore_entry(document, key, 1, actor=editor),
        "do_restore_collection": lambda: actions.do_restore_collection(
            document, "table:projects", first.updated_at, actor=editor
        ),
        "do_attach": lambda: actions.do_attach(
            document,
            first.section_code,
            data=b"%PDF-1.4\n%b\n%%EOF\n",  # another file: the same one is not attached twice
            filename="b.pdf",
            content_type="application/pdf",
            description="",
            actor=editor,
        ),
        "do_remove_attachment": lambda: actions.do_remove_attachment(attachment, actor=editor),
        "do_cite_new_legal_document": lambda: actions.do_cite_new_legal_document(
            document,
            _legal_section(document),
            number="99/2026/QĐ-UBND",
            issuer="UBND tỉnh Bắc Ninh",
            title="Quy chế thử",
            doc_type="decision",
            date=dt.date(2026, 1, 5),
            actor=editor,
        ),
    }[name]


def tables_xlsx(world: World, name: str) -> Act:
    from govplan.documents import tables_xlsx

    document = world.document()
    data = tables_xlsx.export_tables(document)
    editor = world.cast.editor_a
    if name == "do_preview_import":
        return lambda: tables_xlsx.do_preview_import(
            document, data, filename="bang.xlsx", actor=editor, locale="vi"
        )
    assert name == "do_apply_import"
    preview = tables_xlsx.do_preview_import(
        document, data, filename="bang.xlsx", actor=editor, locale="vi"
    )
    assert preview.batch is not None
    return lambda: tables_xlsx.do_apply_import(preview.batch, actor=editor)


def _legal_section(document: Document) -> str:
    spec = document.framework_version.parsed()
    return next(s.code for s in spec.walk() if s.legal_basis is not None)


def workflow(world: World, name: str) -> Act:
    from govplan.workflow import actions
    from govplan.workflow.explanations import do_explain
    from govplan.workflow.models import Comment, DocumentRevision

    cast = world.cast
    if name == "do_read_notifications":
        from govplan.workflow.models import Notification

        Notification.objects.create(user=cast.editor_a, text="Hồ sơ đã được phê duyệt.")
        return lambda: actions.do_read_notifications(cast.editor_a)
    if name == "do_explain":
        document = world.document()
        return lambda: do_explain(document, {"anomaly:X": "Đã rà soát."}, actor=cast.editor_a)
    if name == "do_transition":
        document = world.submitted("submitted")
        return lambda: actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    document = world.submitted()
    if name == "do_comment":
        return lambda: actions.do_comment(
            document,
            actor=cast.appraiser,
            section_code=world.narrative(document).split(":", 1)[1],
            anchor="",
            anchor_label="",
            text="Bổ sung số liệu.",
        )
    if name == "do_mark_checklist":
        count = len(document.framework_version.parsed().checklist)
        marks = [actions.ChecklistItem(done=True, note="đạt")] * count
        return lambda: actions.do_mark_checklist(document, marks, actor=cast.appraiser)
    comment = Comment.objects.create(
        document=document,
        revision=DocumentRevision.objects.get(document=document),
        section_code="I",
        text="Bổ sung.",
        author=cast.appraiser,
    )
    if name == "do_reply":
        return lambda: actions.do_reply(comment, actor=cast.editor_a, text="Đã bổ sung.")
    assert name == "do_resolve"
    return lambda: actions.do_resolve(comment, actor=cast.appraiser)


def opinions(world: World, name: str) -> Act:
    """Joint appraisal: the central appraiser asks province B about province A's plan."""
    from govplan.workflow import opinion_reminders
    from govplan.workflow import opinions as joint
    from govplan.workflow.models import OpinionRequest

    cast = world.cast
    document = world.submitted()
    Document.objects.filter(pk=document.pk).update(revision=1)
    document.refresh_from_db()
    deadline = dt.date.today() + dt.timedelta(days=7)
    if name == "do_ask_opinion":
        return lambda: joint.do_ask_opinion(
            document,
            actor=cast.appraiser,
            agency=cast.province_b,
            question="Đề nghị cho ý kiến.",
            deadline=deadline,
        )
    request = joint.do_ask_opinion(
        document, actor=cast.appraiser, agency=cast.province_b, question="?", deadline=deadline
    )
    if name == "do_answer_opinion":
        return lambda: joint.do_answer_opinion(
            request, actor=cast.editor_b, kind="agree", answer="<p>Đồng ý.</p>"
        )
    if name == "do_withdraw_opinion_request":
        return lambda: joint.do_withdraw_opinion_request(request, actor=cast.appraiser)
    if name == "do_remind_opinion":
        return lambda: opinion_reminders.do_remind_opinion(request, actor=cast.appraiser)
    assert name == "do_send_opinion_reminder"
    OpinionRequest.objects.filter(pk=request.pk).update(deadline=dt.date.today())
    return lambda: opinion_reminders.do_send_opinion_reminder(request, "due_1", dt.date.today())


def official(world: World, name: str) -> Act:
    from govplan.demo.documents import fill_for_demo
    from govplan.official import actions, batch, issuing
    from govplan.official.defaults import profile_values

    cast = world.cast
    if name == "do_save_profile":
        values = profile_values(cast.province_a)
        return lambda: actions.do_save_profile(
            cast.province_a, {**values, "signer_name": "Lãnh Đạo"}, actor=cast.approver_a
        )
    if name == "do_save_issuing_data":
        document = world.document()
        values = dict.fromkeys(actions.DATA_FIELDS, "")
        values.update(number="5", date=dt.date(2027, 1, 5), decision_date=None, mode="direct")
        return lambda: actions.do_save_issuing_data(document, values, actor=cast.editor_a)
    if name in ("do_start_export", "do_resume_export", "do_prune_exports"):
        world.settings.MEDIA_ROOT = world.tmp
        document = world.document()
        fill_for_demo(document, actor=cast.editor_a)
        world.status("approved")
        version = document.framework_version
        if name == "do_start_export":
            return lambda: batch.do_start_export(cast.central_admin, version, None, "", ["docx"])
        job = batch.do_start_export(cast.central_admin, version, None, "", ["docx"])
        job.state = "failed"
        job.finished_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        job.save()
        if name == "do_resume_export":
            return lambda: batch.do_resume_export(cast.central_admin, job)
        return lambda: batch.do_prune_exports(dt.timedelta(days=7))
    # Issuing: a plan approved through the cycle, numbered, its approver's certificate
    # registered with a trusted authority.
    from govplan.demo import pki
    from govplan.official import certificates
    from govplan.official.models import IssuingData
    from tests.support import signing as support
    from tests.support.issuing import approve, register

    ca_key, ca = pki.make_ca(key_kind="ec")
    key, cert = pki.make_signer(ca_key, ca, common_name="Lãnh Đạo", key_kind="ec")
    (world.tmp / "root.pem").write_bytes(pki.pem(ca))
    world.settings.TRUST_ROOTS_DIR = world.tmp
    if name == "do_register_certificate":
        return lambda: certificates.do_register_certificate(
            cast.province_a, cast.approver_a, pki.pem(cert), actor=cast.approver_a
        )
    registered = register(cast.approver_a, cast.province_a, cert)
    if name == "do_withdraw_certificate":
        return lambda: certificates.do_withdraw_certificate(registered, actor=cast.approver_a)
    from govplan.documents.actions import do_create_document

    document = approve(
        do_create_document(unit=cast.province_a, version=example_version(), actor=cast.editor_a),
        cast,
    )
    IssuingData.objects.create(
        document=document, number="5", date=dt.date(2027, 1, 5), signer_name="Lãnh Đạo"
    )
    if name == "do_prepare_pdf":
        return lambda: issuing.do_prepare_pdf(document, actor=cast.approver_a)
    if name == "do_sign_and_issue":
        key_file = pki.pkcs12(key, cert, ca, b"khoa")
        return lambda: issuing.do_sign_and_issue(
            document,
            number="5",
            date=dt.date(2027, 1, 5),
            key_file=key_file,
            passphrase="khoa",
            actor=cast.approver_a,
        )
    assert name == "do_issue_with_signed_copy"
    _prepared, pdf = issuing.do_prepare_pdf(document, actor=cast.approver_a)
    signed = support.sign(pdf, key, cert, ca)
    return lambda: issuing.do_issue_with_signed_copy(
        document, pdf=signed, filename="ky.pdf", actor=cast.approver_a
    )


def orgunits(world: World, name: str) -> Act:
    from govplan.orgunits import actions
    from govplan.orgunits.models import Kind

    cast = world.cast
    if name == "do_create_unit":
        return lambda: actions.do_create_unit(
            actor=cast.central_admin,
            scheme="govplan",
            code="THU-NGHIEM",
            kind=Kind.DEPARTMENT,
            name="Sở Thử nghiệm",
            parent=cast.province_a,
            valid_from=dt.date(2026, 1, 1),
        )
    assert name == "do_update_unit"
    return lambda: actions.do_update_unit(
        cast.commune_a, actor=cast.central_admin, short_name="Xã thử"
    )


def accounts(world: World, name: str) -> Act:
    from govplan.accounts import actions
    from govplan.accounts.models import Membership

    cast = world.cast
    admin = cast.central_admin
    return {
        "do_create_user": lambda: actions.do_create_user(
            actor=admin, password="a-long-password-2026", username="moi", full_name="Người Mới"
        ),
        "do_update_user": lambda: actions.do_update_user(
            cast.viewer_a, actor=admin, full_name="Người Xem"
        ),
        "do_set_password": lambda: actions.do_set_password(
            cast.viewer_a, "another-long-password-2026", actor=admin
        ),
        "do_grant_membership": lambda: actions.do_grant_membership(
            cast.viewer_a, cast.province_b, "viewer", actor=admin
        ),
        "do_revoke_membership": lambda: actions.do_revoke_membership(
            Membership.objects.get(user=cast.viewer_a), actor=admin
        ),
        "do_request_password_reset": lambda: actions.do_request_password_reset(
            "viewer@example.vn", [cast.viewer_a]
        ),
        "do_reset_password": lambda: actions.do_reset_password(
            cast.viewer_a, "another-long-password-2026"
        ),
        **_second_factor_cases(world, name),
    }[name]


def _second_factor_cases(world: World, name: str) -> dict[str, Act]:
    from govplan.accounts import actions, second_factor
    from tests.support.otp import TEST_SECRET, authenticator_for

    appraiser = world.cast.appraiser
    if name == "do_enrol_second_factor":
        return {
            name: lambda: actions.do_enrol_second_factor(
                appraiser, TEST_SECRET, second_factor.current_code(TEST_SECRET)
            )
        }
    wrong = next(
        f"{n:06d}" for n in range(10**6) if not second_factor.totp_matches(TEST_SECRET, f"{n:06d}")
    )
    if name != "do_request_password_reset":
        authenticator_for(appraiser)
        actions.do_regenerate_recovery_codes(appraiser)
    return {
        # A wrong code: the refusal is what is recorded.
        "do_verify_second_factor": lambda: actions.do_verify_second_factor(appraiser, wrong),
        "do_regenerate_recovery_codes": lambda: actions.do_regenerate_recovery_codes(appraiser),
        "do_reset_second_factor": lambda: actions.do_reset_second_factor(
            appraiser, actor=world.cast.central_admin
        ),
    }


def usersessions(world: World, name: str) -> Act:
    from django.utils import timezone

    from govplan.usersessions import actions
    from govplan.usersessions.models import UserSession
    from govplan.usersessions.tracking import session_store

    user = world.cast.editor_a
    store = session_store()
    store["x"] = 1
    store.create()
    now = timezone.now()
    row = UserSession.objects.create(
        session_key=store.session_key, user=user, started_at=now, last_activity=now
    )
    return {
        "do_end_session": lambda: actions.do_end_session(user, row.pk, current_key=None),
        "do_end_other_sessions": lambda: actions.do_end_other_sessions(user, current_key=None),
        "do_record_idle_logout": lambda: actions.do_record_idle_logout(user, row.session_key, 3600),
    }[name]


def frameworks(world: World, name: str) -> Act:
    from govplan.frameworks import actions

    admin = world.cast.central_admin
    if name == "do_upload_framework":
        return lambda: actions.do_upload_framework(EVERY_FEATURE.read_bytes(), actor=admin)
    if name == "do_add_legal_document":
        return lambda: actions.do_add_legal_document(
            number="98/2026/QĐ-UBND",
            issuer="UBND tỉnh Bắc Ninh",
            title="Quy chế",
            doc_type="decision",
            date=None,
            actor=admin,
        )
    published = example_version()
    if name == "do_clone":
        return lambda: actions.do_clone(published, actor=admin, new_code="KH-CDS-2028-MAU")
    if name == "do_new_version":
        return lambda: actions.do_new_version(published, actor=admin)
    draft = actions.do_upload_framework(EVERY_FEATURE.read_bytes(), actor=admin)
    if name == "do_update_draft":
        text = draft.source_text.replace("title:", "title: ", 1)
        return lambda: actions.do_update_draft(draft, text, actor=admin)
    assert name == "do_publish"
    return lambda: actions.do_publish(
        draft, actor=admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )


def legal(world: World, name: str) -> Act:
    from govplan.frameworks import legal_actions as actions
    from govplan.frameworks.actions import do_add_legal_document
    from govplan.frameworks.models import LegalDocument

    admin = world.cast.central_admin
    entry = LegalDocument.objects.get(code="LUAT-67-2006-QH11")
    fields = {
        "doc_type": "decision",
        "number": "97/2026/QĐ-UBND",
        "date": dt.date(2026, 3, 2),
        "issuer": "UBND tỉnh Bắc Ninh",
        "title": "Quy chế",
    }
    if name == "do_add_legal_entry":
        return lambda: actions.do_add_legal_entry(code="QD-97-2026-UBND", **fields, actor=admin)
    if name == "do_correct_legal_document":
        return lambda: actions.do_correct_legal_document(entry, **fields, actor=admin)
    if name == "do_retire_legal_document":
        return lambda: actions.do_retire_legal_document(entry, actor=admin)
    if name == "do_reinstate_legal_document":
        retired = actions.do_retire_legal_document(entry, actor=admin)
        return lambda: actions.do_reinstate_legal_document(retired, actor=admin)
    proposal = do_add_legal_document(**fields, actor=world.cast.editor_a)
    if name == "do_accept_legal_proposal":
        return lambda: actions.do_accept_legal_proposal(proposal, actor=admin)
    if name == "do_merge_legal_proposal":
        return lambda: actions.do_merge_legal_proposal(proposal, entry, actor=admin)
    assert name == "do_reject_legal_proposal"
    return lambda: actions.do_reject_legal_proposal(proposal, reason="Trùng", actor=admin)


def official_files(world: World, name: str) -> Act:
    """Asking for an official file, retrying one that failed, forgetting one lost from
    storage. The worker is a dummy: the action's own writes are what is watched, not the
    rendering the queue does afterwards."""
    from govplan.demo.documents import fill_for_demo
    from govplan.official import file_requests
    from govplan.official.models import FileState

    cast = world.cast
    world.settings.MEDIA_ROOT = world.tmp
    world.settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    document = world.document()
    fill_for_demo(document, actor=cast.editor_a)
    if name == "do_request_file":
        return lambda: file_requests.do_request_file(document, "docx", actor=cast.editor_a)
    row = file_requests.do_request_file(document, "docx", actor=cast.editor_a)
    if name == "do_retry_file":
        row.state = FileState.FAILED
        row.error = "Typst stopped"
        row.save()
        return lambda: file_requests.do_retry_file(row, actor=cast.editor_a)
    assert name == "do_forget_lost"
    row.state = FileState.DONE
    row.file.name = "official/lost.docx"
    row.save()
    return lambda: file_requests.do_forget_lost(row, actor=cast.editor_a)


def national(world: World, name: str) -> Act:
    from django.utils import timezone

    from govplan.national import actions, completeness

    cast = world.cast
    version = example_version()
    today = timezone.localdate()
    rows = completeness.remindable(  # province A and its units, none started
        completeness.filtered(
            completeness.expected(version, cast.central_admin, cast.province_a), version, today
        )
    )
    assert name == "do_send_reminders"
    return lambda: actions.do_send_reminders(version, rows, actor=cast.central_admin, today=today)


def purge(world: World, name: str) -> Act:
    """Purging an expired import preview (issue 16, item 10): one summary entry."""
    from govplan.documents.models import ImportBatch
    from govplan.official.purge import do_purge_expired_files

    document = world.document()
    batch = ImportBatch.objects.create(
        document=document, filename="a.xlsx", data=b"PK", plan={}, created_by=world.cast.editor_a
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    assert name == "do_purge_expired_files"
    return do_purge_expired_files


def allocations(world: World, name: str) -> Act:
    """The central budget pool (issue 17): province A's submitted plan asks central budget."""
    from govplan.allocations import actions
    from tests.allocations.support import pool_2027, project, submitted_plan

    cast = world.cast
    if name == "do_create_pool":
        return lambda: pool_2027(cast.central_admin)
    document, keys_ = submitted_plan(
        cast.province_a, cast.editor_a, [project("Nền tảng dữ liệu tỉnh", "1.000")]
    )
    pool = pool_2027(cast.central_admin)
    if name == "do_mark_proposal":
        return lambda: actions.do_mark_proposal(
            pool,
            document_id=document.pk,
            entry_key=keys_[0],
            shared_platform=True,
            investment_decided=False,
            note="Nền tảng dùng chung",
            actor=cast.central_admin,
        )
    rules: dict[str, Any] = {}
    if name == "do_save_scenario":
        return lambda: actions.do_save_scenario(
            pool, name="Theo tỷ lệ", rules_data=rules, actor=cast.central_admin
        )
    assert name == "do_approve_scenario"
    scenario = actions.do_save_scenario(
        pool, name="Theo tỷ lệ", rules_data=rules, actor=cast.central_admin
    )
    return lambda: actions.do_approve_scenario(scenario, actor=cast.central_admin)


def pilots(world: World, name: str) -> Act:
    """The cast's pilot (tests/pilots/support.py): province A designated, one milestone."""
    from govplan.pilots import actions
    from govplan.pilots.models import Milestone
    from tests.pilots.support import cast_pilot

    cast = world.cast
    admin = cast.central_admin
    pilot = cast_pilot(cast)
    milestone = Milestone.objects.filter(pilot=pilot).first()
    assert milestone is not None
    fields: dict[str, Any] = {
        "description": "",
        "programme": None,
        "task": None,
        "assigning_unit": cast.central,
        "start_date": pilot.start_date,
        "end_date": None,
        "indicator_codes": ["HT.LAN"],
        "actor": admin,
    }
    day = dt.date(2026, 6, 1)
    return {
        "do_create_pilot": lambda: actions.do_create_pilot(name="Mô hình khác", **fields),
        "do_update_pilot": lambda: actions.do_update_pilot(pilot, name="Tên mới", **fields),
        "do_designate_unit": lambda: actions.do_designate_unit(
            pilot, cast.province_b, day, actor=admin
        ),
        "do_add_milestone": lambda: actions.do_add_milestone(
            pilot, title="Sơ kết", deadline=day, actor=admin
        ),
        "do_evaluate_milestone": lambda: actions.do_evaluate_milestone(
            milestone, reached_on=day, text="Đạt.", rating="good", actor=admin
        ),
        "do_self_evaluate": lambda: actions.do_self_evaluate(
            milestone,
            cast.province_a,
            written_on=day,
            text="Đạt.",
            rating="good",
            actor=cast.editor_a,
        ),
        "do_evaluate_pilot": lambda: actions.do_evaluate_pilot(
            pilot, evaluated_on=day, lessons="Nhân rộng.", recommendation="extend", actor=admin
        ),
    }[name]


CASES: dict[str, Callable[[World, str], Act]] = {
    "govplan.documents.actions": documents,
    "govplan.documents.tables_xlsx": tables_xlsx,
    "govplan.workflow.actions": workflow,
    "govplan.workflow.explanations": workflow,
    "govplan.workflow.opinions": opinions,
    "govplan.workflow.opinion_reminders": opinions,
    "govplan.official.actions": official,
    "govplan.official.issuing": official,
    "govplan.official.batch": official,
    "govplan.official.certificates": official,
    "govplan.official.file_requests": official_files,
    "govplan.official.purge": purge,
    "govplan.orgunits.actions": orgunits,
    "govplan.accounts.actions": accounts,
    "govplan.usersessions.actions": usersessions,
    "govplan.frameworks.actions": frameworks,
    "govplan.frameworks.legal_actions": legal,
    "govplan.national.actions": national,
    "govplan.pilots.actions": pilots,
    "govplan.allocations.actions": allocations,
    # Issue 17's programmes (the tasks lane): tests/programmes/audit_cases.py
    "govplan.programmes.actions": lambda world, name: programme_cases(world.cast, name),
}

ACTIONS = sorted(discover())


def test_every_action_has_a_case() -> None:
    assert len(ACTIONS) > 30
    missing = [name for name in ACTIONS if name.rsplit(".", 1)[0] not in CASES]
    assert not missing, f"add a case for {missing} in {__file__}"


class Writes:
    """The INSERT/UPDATE/DELETE statements sent while watching, each with the transaction
    (the outermost savepoint opened since watching began) it ran in."""

    def __init__(self) -> None:
        self.base = len(connection.savepoint_ids)
        self.seen: list[tuple[str, str | None]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            ids = connection.savepoint_ids
            self.seen.append((sql, ids[self.base] if len(ids) > self.base else None))
        return execute(sql, params, many, context)


@pytest.mark.parametrize("name", ACTIONS)
def test_the_action_writes_its_audit_entry_in_its_own_transaction(
    name: str, cast: Cast, tmp_path: Path, settings: Any
) -> None:
    module, function = name.rsplit(".", 1)
    case = CASES.get(module)
    if case is None:
        pytest.fail(f"no case for {name}")
    act = case(World(cast, tmp_path, settings), function)
    writes = Writes()
    with connection.execute_wrapper(writes):
        act()
    audit = [txn for sql, txn in writes.seen if "audit_auditevent" in sql and "INSERT" in sql]
    assert audit, f"{name} wrote no audit entry"
    transactions = {txn for _sql, txn in writes.seen}
    outside = [sql[:80] for sql, txn in writes.seen if txn is None]
    assert not outside, f"{name} wrote outside a transaction of its own: {outside}"
    assert len(transactions) == 1, f"{name} wrote in {len(transactions)} transactions"
