"""`make run` loads the demo: users who can sign in, and documents at each stage of the cycle."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from govplan.accounts.management.commands.load_demo import DEMO_PASSWORD
from govplan.documents.models import Document
from govplan.workflow.models import Comment, Notification
from govplan.workflow.queue import waiting_for

pytestmark = pytest.mark.django_db


def test_the_demo_shows_the_cycle_and_loading_it_again_changes_nothing() -> None:
    call_command("load_demo", stdout=io.StringIO())
    states = {d.org_unit.name: d.status for d in Document.objects.select_related("org_unit")}
    call_command("load_demo", stdout=io.StringIO())
    assert {d.org_unit.name: d.status for d in Document.objects.all()} == states
    assert sorted(states.values()) == ["returned", "submitted", "submitted"]
    assert mail.outbox == []  # the demo's addresses are fictional

    client = Client()
    assert client.login(username="thamdinh", password=DEMO_PASSWORD)
    queue = client.get(reverse("appraisal_queue")).content.decode()
    assert "Thành phố Hà Nội" in queue and "Tỉnh Bắc Ninh" not in queue

    from govplan.accounts.models import User

    province_appraiser = User.objects.get(username="bacninh.thamdinh")
    [(commune_plan, revision)] = waiting_for(province_appraiser)
    assert commune_plan.org_unit.parent.name == "Tỉnh Bắc Ninh" and revision.number == 1

    returned = Document.objects.get(status="returned")
    assert Comment.objects.filter(document=returned, resolved=False).count() == 2
    editor = Client()
    assert editor.login(username="bacninh.bientap", password=DEMO_PASSWORD)
    page = editor.get(reverse("document_edit", args=[returned.pk])).content.decode()
    assert "Đề nghị làm rõ nguồn vốn" in page and "Gửi lại" in page
    assert Notification.objects.filter(user__username="bacninh.bientap").exists()


def test_the_demo_can_leave_the_documents_out() -> None:
    call_command("load_demo", "--without-documents", stdout=io.StringIO())
    assert not Document.objects.exists()
