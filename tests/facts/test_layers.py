"""The frozen layers: a submission writes the submitted layer from the revision it froze, a
resubmission replaces it, an approval writes the approved layer from the approved revision;
live edits after a reopening change the live layer only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.models import Document
from govplan.workflow import actions as workflow
from tests.conftest import Cast
from tests.facts.helpers import counts, exact, small_framework, values
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

D = Decimal
COUNT = "value:DVC.TONG_SO"


@pytest.fixture
def document(cast: Cast) -> Document:
    version = publish(small_framework(), cast.central_admin)
    return do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)


def put(cast: Cast, document: Document, base: int, figure: str) -> None:
    do_save_entry(document, COUNT, base, {"cells": {"": figure}}, actor=cast.editor_a, locale="vi")


def act(document: Document, action: str, user, reason: str = "") -> None:  # type: ignore[no-untyped-def]
    workflow.do_transition(Document.objects.get(pk=document.pk), action, actor=user, reason=reason)


def count(document: Document, layer: str) -> dict[str, object]:
    return values(document, layer).get(("DVC.TONG_SO", ""), {})


def test_submit_resubmit_approve_reopen(cast: Cast, document: Document) -> None:
    put(cast, document, 0, "10")
    assert counts(document, "submitted") == (0, 0, 0, 0)
    act(document, "submit", cast.editor_a)
    assert count(document, "submitted") == {"value": D(10)}
    assert counts(document, "approved") == (0, 0, 0, 0)
    act(document, "start_appraisal", cast.appraiser)
    act(document, "return", cast.appraiser, "Sửa số liệu")
    put(cast, document, 1, "11")
    assert count(document, "live") == {"value": D(11)}
    assert count(document, "submitted") == {"value": D(10)}  # the revision, not the draft
    act(document, "resubmit", cast.editor_a)
    assert count(document, "submitted") == {"value": D(11)}  # replaced, not added
    assert counts(document, "submitted") == (1, 0, 0, 0)
    act(document, "start_appraisal", cast.appraiser)
    act(document, "approve", cast.appraiser)
    assert count(document, "approved") == {"value": D(11)}
    approved = values(document, "approved")
    act(document, "reopen", cast.central_admin, "Điều chỉnh")
    put(cast, document, 2, "12")
    assert count(document, "live") == {"value": D(12)}
    assert values(document, "approved") == approved  # still what was approved
    act(document, "submit", cast.editor_a)
    assert count(document, "submitted") == {"value": D(12)}
    assert values(document, "approved") == approved  # until the next approval
    assert exact(document)
