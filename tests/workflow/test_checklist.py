"""The appraiser's checklist: kept while the document is under appraisal, by its appraiser,
each change with its audit entry; once decided, it stays as it was decided."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from govplan.audit.models import AuditEvent
from govplan.workflow import actions
from govplan.workflow.models import ChecklistMark
from tests.conftest import Cast
from tests.workflow.test_cycle import filled_document

pytestmark = pytest.mark.django_db


def appraiser_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.appraiser)
    return client


def under_appraisal(cast: Cast):  # type: ignore[no-untyped-def]
    document = filled_document(cast)
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    return document


def post(client: Client, document, **ticks: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("document_checklist", args=[document.pk]), ticks)


def test_the_appraiser_ticks_items_and_each_change_is_audited(cast: Cast) -> None:
    document = under_appraisal(cast)
    client = appraiser_client(cast)
    response = post(client, document, **{"item-0": "on", "note-0": "Đủ căn cứ"})
    assert response.status_code == 302
    marks = {m.item: (m.done, m.note) for m in ChecklistMark.objects.filter(document=document)}
    assert marks[0] == (True, "Đủ căn cứ")
    event = AuditEvent.objects.filter(action="checklist.mark").get()
    assert event.after["items"]["0"] == {"done": True, "note": "Đủ căn cứ"}
    # The same marks again change nothing and write nothing.
    post(client, document, **{"item-0": "on", "note-0": "Đủ căn cứ"})
    assert AuditEvent.objects.filter(action="checklist.mark").count() == 1


def test_after_approval_the_checklist_cannot_change(cast: Cast) -> None:
    document = under_appraisal(cast)
    client = appraiser_client(cast)
    post(client, document, **{"item-0": "on"})
    actions.do_transition(document, "approve", actor=cast.appraiser)
    response = post(client, document, **{"note-0": "sửa sau khi duyệt"})
    assert response.status_code == 302
    mark = ChecklistMark.objects.get(document=document, item=0)
    assert (mark.done, mark.note) == (True, "")
    page = client.get(response["Location"]).content.decode()
    assert "chỉ được cập nhật khi văn bản đang thẩm định; văn bản hiện đã được phê duyệt" in page
    assert AuditEvent.objects.filter(action="checklist.mark").count() == 1


def test_only_the_appraiser_keeps_it(cast: Cast) -> None:
    document = under_appraisal(cast)
    for user in (cast.editor_a, cast.approver_a, cast.viewer_a):
        client = Client()
        client.force_login(user)
        assert post(client, document, **{"item-0": "on"}).status_code == 404
    assert not ChecklistMark.objects.filter(document=document).exists()
