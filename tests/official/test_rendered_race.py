"""Two readers downloading the same state of a plan at the same moment on PostgreSQL: one
file is made, once, and both get it (its own units, tests/support/nation)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from govplan.accounts.models import User
from govplan.audit.models import AuditEvent
from govplan.documents.actions import do_create_document
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.official import rendering
from govplan.official.file_requests import do_request_file
from govplan.official.models import FileState, RenderedFile
from tests.national.test_completeness import CYCLE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_downloads_at_once_make_the_file_once(
    small_nation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    province, people = small_nation
    admin, editor = people["admin"], people["editor_a"]
    deadline = timezone.localdate()
    text = CYCLE.replace("CODE", "TEST-DL-RACE").replace("DEADLINE", deadline.isoformat())
    draft = do_upload_framework(text, actor=admin)
    version = do_publish(draft, actor=admin, deadline=deadline, kinds=["province"], unit_refs=[])
    document = do_create_document(unit=province, version=version, actor=editor)
    calls: list[str] = []
    real = rendering.render

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "render", counting)
    barrier = threading.Barrier(2)
    rows: dict[str, RenderedFile] = {}

    def download(user: User) -> None:
        try:
            actor = User.objects.get(pk=user.pk)
            barrier.wait()
            rows[user.username] = do_request_file(document, "docx", actor=actor)
        finally:
            connection.close()

    threads = [threading.Thread(target=download, args=(u,)) for u in (admin, editor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({row.pk for row in rows.values()}) == 1
    assert calls == ["docx"]
    made = RenderedFile.objects.get()
    assert made.state == FileState.DONE and made.size > 0
    assert AuditEvent.objects.filter(action="official.render").count() == 1
