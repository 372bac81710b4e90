"""The demo's joint appraisal: the central appraiser has started appraising Hà Nội's 2027
plan and asked the Ministry of Finance for its opinion on the plan's funding, so
`taichinh.bientap` finds a request waiting (/opinions/) and `thamdinh` sees it pending on the
plan's page. Created once; running again changes nothing (nothing is added once the plan has
any request, or when the plan is no longer waiting for or under appraisal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from govplan.accounts.models import User
from govplan.documents.models import Document, DocumentStatus
from govplan.orgunits.models import OrgUnit
from govplan.workflow import actions, opinions
from govplan.workflow.models import OpinionRequest

FRAMEWORK = "KH-CDS-2027-MAU"
PLAN_UNIT = "gso-province:01"  # Hà Nội
AGENCY = "govplan:BTC"  # the Ministry of Finance
APPRAISER = "thamdinh"
QUESTION = (
    "Đề nghị Bộ Tài chính cho ý kiến về nguồn vốn ngân sách trung ương và phân kỳ đầu tư "
    "của các dự án trong Kế hoạch."
)
DAYS_TO_ANSWER = 14


def create_demo_opinion_request(
    user: Callable[[str], User], unit: Callable[[str], OrgUnit]
) -> OpinionRequest | None:
    """The request, or None when there was nothing to add."""
    document = (
        Document.objects.filter(org_unit=unit(PLAN_UNIT), framework__code=FRAMEWORK)
        .order_by("pk")
        .first()
    )
    if document is None or OpinionRequest.objects.filter(document=document).exists():
        return None
    if document.status not in (DocumentStatus.SUBMITTED, DocumentStatus.UNDER_APPRAISAL):
        return None  # returned or approved meanwhile: the demo leaves it as it is
    appraiser = user(APPRAISER)
    # The atomic block commits (and its e-mail callbacks run) inside the override: the
    # demo's addresses are fictional, the notifications stay in the application.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        if document.status == DocumentStatus.SUBMITTED:
            actions.do_transition(document, "start_appraisal", actor=appraiser)
        return opinions.do_ask_opinion(
            Document.objects.get(pk=document.pk),
            actor=appraiser,
            agency=unit(AGENCY),
            question=QUESTION,
            deadline=timezone.localdate() + dt.timedelta(days=DAYS_TO_ANSWER),
        )
