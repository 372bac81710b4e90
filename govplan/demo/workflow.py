"""Demonstration documents at each stage of the cycle, so a fresh `make run` shows it:
Hà Nội's 2027 plan waiting for the central appraiser (then put under appraisal, an opinion
asked of the Ministry of Finance, by demo/opinions.py), Bắc Ninh's returned with two comments,
a Bắc Ninh commune's waiting for its province. Created once; running again changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.test.utils import override_settings

from govplan.accounts.models import User
from govplan.demo import five_year
from govplan.demo.documents import fill_for_demo
from govplan.demo.five_year import fill_five_year_plan
from govplan.documents.actions import do_create_document
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import OrgUnit
from govplan.workflow import actions
from govplan.workflow.explanations import do_explain
from govplan.workflow.validation import validate

FRAMEWORK = "KH-CDS-2027-MAU"


def _submitted(unit: OrgUnit, version: FrameworkVersion, editor: User) -> Document | None:
    if Document.objects.filter(org_unit=unit, framework=version.framework).exists():
        return None
    document = do_create_document(unit=unit, version=version, actor=editor)
    fill_for_demo(document, actor=editor)
    for finding in validate(document).warnings:
        do_explain(document, {finding.check_id: "Đơn vị đã rà soát số liệu."}, actor=editor)
    actions.do_transition(document, "submit", actor=editor)
    return document


def _returned(document: Document, appraiser: User) -> None:
    actions.do_transition(document, "start_appraisal", actor=appraiser)
    spec = document.framework_version.parsed()
    sections = [s.code for s in spec.walk() if s.targets is not None or s.tables][:2]
    for section, text in zip(
        sections,
        (
            "Đề nghị bổ sung mục tiêu về tỷ lệ hồ sơ trực tuyến toàn trình.",
            "Đề nghị làm rõ nguồn vốn và phân kỳ đầu tư của dự án.",
        ),
        strict=False,
    ):
        actions.do_comment(
            document, actor=appraiser, section_code=section, anchor="", anchor_label="", text=text
        )
    actions.do_transition(
        document, "return", actor=appraiser, reason="Đề nghị chỉnh sửa theo các ý kiến kèm theo."
    )


def _five_year_plan(editor: User) -> Document | None:
    """Bắc Ninh's 2011-2015 plan, written by its successor's editor, left as a draft."""
    version = FrameworkVersion.objects.filter(
        framework__code=five_year.FRAMEWORK, status="published"
    ).first()
    if version is None:
        return None
    scheme, code = five_year.UNIT
    unit = OrgUnit.objects.with_code(scheme, code, on=version.structure_date).first()
    if unit is None or Document.objects.filter(org_unit=unit, framework=version.framework).exists():
        return None
    document = do_create_document(unit=unit, version=version, actor=editor)
    fill_five_year_plan(document, actor=editor)
    return document


def create_demo_documents(user: Callable[[str], User], unit: Callable[[str], OrgUnit]) -> int:
    """Returns how many documents were created. The demo's e-mail addresses are fictional:
    the cycle's notifications stay in the application."""
    version = FrameworkVersion.objects.filter(framework__code=FRAMEWORK, status="published").first()
    if version is None:
        return 0
    created = 0
    # The atomic block commits (and its e-mail callbacks run) inside the override.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        if _submitted(unit("gso-province:01"), version, user("hanoi.bientap")):
            created += 1
        returned = _submitted(unit("gso-province:24"), version, user("bacninh.bientap"))
        if returned:
            _returned(returned, user("thamdinh"))
            created += 1
        if _submitted(unit("commune-of:24"), version, user("bacninh.xa")):
            created += 1
        if _five_year_plan(user("bacninh.bientap")):
            created += 1
    return created
