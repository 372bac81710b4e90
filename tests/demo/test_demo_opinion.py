"""The demo's joint appraisal: load_demo puts Hà Nội's 2027 plan under appraisal with one
pending request for the Ministry of Finance's opinion; loading it again adds nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from govplan.demo.management.commands.load_demo import DEMO_PASSWORD
from govplan.documents.models import Document
from govplan.workflow.models import Notification, OpinionRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The demo writes its signing key and trust root here, not into the checkout's var/."""
    settings.VAR_DIR = tmp_path
    settings.TRUST_ROOTS_DIR = tmp_path / "trust-roots"
    return tmp_path


def _state() -> list[tuple[object, ...]]:
    return list(
        OpinionRequest.objects.order_by("pk").values_list(
            "pk", "document_id", "revision_id", "agency_id", "status", "deadline", "question"
        )
    )


def test_load_demo_asks_the_ministry_of_finance_once_on_ha_nois_plan() -> None:
    call_command("load_demo", stdout=io.StringIO())
    [request] = OpinionRequest.objects.select_related("document", "agency", "asked_by")
    plan = request.document
    assert plan.org_unit.scheme == "gso-province" and plan.org_unit.code == "01"
    assert plan.framework.code == "KH-CDS-2027-MAU"
    assert plan.status == "under_appraisal"
    assert request.status == "pending"
    assert (request.agency.scheme, request.agency.code) == ("govplan", "BTC")
    assert request.agency.name == "Bộ Tài chính"
    assert request.asked_by.username == "thamdinh"
    assert request.revision.number == plan.revision
    assert mail.outbox == []  # the demo's addresses are fictional
    assert Notification.objects.filter(user__username="taichinh.bientap").exists()

    # The ministry's editor finds it waiting.
    client = Client()
    assert client.login(username="taichinh.bientap", password=DEMO_PASSWORD)
    page = client.get(reverse("opinion_request", args=[request.pk]))
    assert page.status_code == 200

    before = _state()
    statuses = dict(Document.objects.values_list("pk", "status"))
    events = plan.workflow_events.count()
    call_command("load_demo", stdout=io.StringIO())
    assert _state() == before
    assert dict(Document.objects.values_list("pk", "status")) == statuses
    assert plan.workflow_events.count() == events
