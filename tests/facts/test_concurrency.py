"""Two people at once (PostgreSQL, real transactions, units of their own): whatever order
the database lets concurrent saves and a submission through in, the facts equal the
entries and the revisions afterwards, and no lock order deadlocks (every path locks the
document, then the entry, then writes the facts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from govplan.accounts.models import Membership, User
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.models import Document, Entry
from govplan.facts.models import ValueFact
from govplan.national import rebuild
from govplan.workflow import actions as workflow
from tests.facts.helpers import small_framework
from tests.support.concurrency import at_once
from tests.support.frameworks import publish

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 8


@pytest.fixture
def setting(small_nation):  # type: ignore[no-untyped-def]
    province, people = small_nation
    second = User.objects.create_user("editor_b", full_name="Editor B")
    Membership.objects.create(user=second, org_unit=province, role="editor")
    version = publish(small_framework(), people["admin"])
    document = do_create_document(unit=province, version=version, actor=people["editor_a"])
    return document, people["editor_a"], second, people


def saver(document: Document, user: User, key: str, figure: str) -> Callable[[], Any]:
    def save() -> Any:
        entry = Entry.objects.filter(document_id=document.pk, key=key).first()
        base = entry.revision if entry else 0
        return do_save_entry(
            Document.objects.get(pk=document.pk),
            key,
            base,
            {"cells": {"": figure}}
            if key.endswith("TONG_SO")
            else {"cells": {"TOAN_TRINH": figure}},
            actor=User.objects.get(pk=user.pk),
            locale="vi",
        )

    return save


def test_two_editors_on_two_entries_and_on_one_entry(setting) -> None:  # type: ignore[no-untyped-def]
    document, first, second, _people = setting
    for n in range(ROUNDS):
        errors = at_once(
            saver(document, first, "value:DVC.TONG_SO", str(n)),
            saver(document, second, "value:DVC.TRUC_TUYEN", str(100 + n)),
        )
        assert errors == []
        errors = at_once(
            saver(document, first, "value:DVC.TONG_SO", str(1000 + n)),
            saver(document, second, "value:DVC.TONG_SO", str(2000 + n)),
        )
        assert errors == []  # one saved, the other merged, saved over or told of a conflict
    assert rebuild.check([document.pk]).differences == []
    stored = Entry.objects.get(document=document, key="value:DVC.TONG_SO").content
    fact = ValueFact.objects.get(document=document, layer="live", indicator_code="DVC.TONG_SO")
    assert str(fact.value.normalize()) == str(stored["cells"][""]["v"])


def test_saves_racing_a_submission_never_deadlock(setting) -> None:  # type: ignore[no-untyped-def]
    document, first, second, people = setting
    editor = people["editor_a"]
    saver(document, first, "value:DVC.TONG_SO", "1")()  # every submission freezes a figure
    for n in range(ROUNDS):

        def submit() -> None:
            workflow.do_transition(Document.objects.get(pk=document.pk), "submit", actor=editor)

        errors = at_once(
            saver(document, first, "value:DVC.TONG_SO", str(n)),
            saver(document, second, "value:DVC.TRUC_TUYEN", str(n)),
            submit,
        )
        # A save that comes after the submission is refused (the document is no longer a
        # draft): that is the only error there may be; a deadlock would be another.
        assert all(type(e).__name__ == "PermissionDenied" for e in errors), errors
        assert rebuild.check([document.pk]).differences == []
        workflow.do_transition(Document.objects.get(pk=document.pk), "withdraw", actor=editor)
    submitted = ValueFact.objects.filter(document=document, layer="submitted")
    assert submitted.exists()
