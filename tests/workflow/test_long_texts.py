"""What an appraiser or an agency types is kept whole or refused with the reason: never cut
short and saved (a 6,000-character comment used to be stored as its first 5,000)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from govplan.workflow import actions
from govplan.workflow.explanations import do_explain
from govplan.workflow.models import ChecklistMark, Comment, WarningExplanation, WorkflowEvent
from govplan.workflow.validation import validate
from tests.conftest import Cast
from tests.workflow.test_checklist import under_appraisal
from tests.workflow.test_cycle import filled_document

pytestmark = pytest.mark.django_db

LONG = "Nhận xét " * 700  # 6,300 characters


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_comment_too_long_is_refused_whole(cast: Cast) -> None:
    document = under_appraisal(cast)
    page = client_for(cast.appraiser).post(
        reverse("document_comment", args=[document.pk]),
        {"section": "I", "text": LONG},
        follow=True,
    )
    assert not Comment.objects.filter(document=document).exists()
    assert "Quá dài: tối đa 5.000 ký tự" in page.content.decode()
    comment = actions.do_comment(
        document,
        actor=cast.appraiser,
        section_code="I",
        anchor="",
        anchor_label="",
        text=LONG[:4999],
    )
    with pytest.raises(ValidationError):
        actions.do_reply(comment, actor=cast.editor_a, text=LONG)
    assert not comment.replies.exists()


def test_a_checklist_note_or_a_reason_too_long_is_refused(cast: Cast) -> None:
    document = under_appraisal(cast)
    count = len(document.framework_version.parsed().checklist)
    marks = [actions.ChecklistItem(done=True, note="x" * 1001)] * count
    with pytest.raises(actions.Refused):
        actions.do_mark_checklist(document, marks, actor=cast.appraiser)
    assert not ChecklistMark.objects.filter(document=document).exists()
    with pytest.raises(actions.Refused) as refused:
        actions.do_transition(document, "return", actor=cast.appraiser, reason="x" * 2001)
    assert "2.000" in refused.value.message
    assert not WorkflowEvent.objects.filter(document=document, action="return").exists()


def test_explanations_are_saved_all_or_none(cast: Cast) -> None:
    document = filled_document(cast, lan="40")  # the LAN share draws a warning
    warnings = [f.check_id for f in validate(document).warnings]
    assert warnings
    texts = {warnings[0]: "Đã rà soát.", "other": "x" * 4001}
    with pytest.raises(ValidationError):
        do_explain(document, texts, actor=cast.editor_a)
    assert not WarningExplanation.objects.filter(document=document).exists()
    assert do_explain(document, {warnings[0]: "Đã rà soát."}, actor=cast.editor_a) == 1
    assert do_explain(document, {warnings[0]: "Đã rà soát."}, actor=cast.editor_a) == 0
