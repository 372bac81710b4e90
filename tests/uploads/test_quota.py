"""Issue 16, item 10: a unit's evidence files stay within ATTACHMENT_QUOTA_MB; an upload that
would exceed it is refused with the unit's usage and the limit, and two uploads at once on
PostgreSQL cannot both pass."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govplan.accounts.models import User
from govplan.documents import actions
from govplan.documents.actions import AttachmentQuotaExceeded, do_attach, do_create_document
from govplan.documents.models import Attachment, Document
from govplan.frameworks.actions import do_publish, do_upload_framework
from tests.conftest import Cast
from tests.national.test_completeness import CYCLE
from tests.support import hostile_files as hostile

MB = 1024 * 1024


def padded_pdf(size: int, fill: bytes = b"x") -> bytes:
    """A clean PDF of exactly ``size`` bytes (padding in a comment after its end); another
    ``fill``, another file."""
    data = hostile.clean_pdf() + b"%"
    return data + fill * (size - len(data))


def attach(client: Client, document: Document, name: str, data: bytes) -> str:
    response = client.post(
        reverse("document_attach", args=[document.pk, "I"]),
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )
    return response.content.decode()


@pytest.mark.django_db
def test_an_upload_beyond_the_quota_is_refused_with_usage_and_limit(
    cast: Cast, document_a: Document, settings: Any, media_root: Path
) -> None:
    settings.ATTACHMENT_QUOTA_MB = 2
    client = Client()
    client.force_login(cast.editor_a)
    assert "message-error" not in attach(client, document_a, "mot.pdf", padded_pdf(MB + MB // 2))
    page = attach(client, document_a, "hai.pdf", padded_pdf(MB))
    assert "message-error" in page and "hai.pdf" in page
    # the unit's usage (1.5 MB), the limit (2 MB) and the file's size (1 MB), as Vietnamese reads
    assert "1,5" in page and "2,0" in page and "1,0" in page
    assert cast.province_a.name in page
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["mot.pdf"]
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 1
    # A removed file no longer counts: the same upload now passes.
    actions.do_remove_attachment(Attachment.objects.get(), actor=cast.editor_a)
    assert "message-error" not in attach(client, document_a, "hai.pdf", padded_pdf(MB))
    assert Attachment.objects.filter(removed=False).get().original_name == "hai.pdf"


@pytest.mark.django_db
def test_the_quota_counts_every_document_of_the_unit_and_no_other_unit(
    cast: Cast, document_a: Document, settings: Any
) -> None:
    settings.ATTACHMENT_QUOTA_MB = 1
    data = padded_pdf(MB // 2 + 1)
    do_attach(
        document_a,
        "I",
        data=data,
        filename="a.pdf",
        content_type="application/pdf",
        description="",
        actor=cast.editor_a,
    )
    with pytest.raises(AttachmentQuotaExceeded) as refused:
        do_attach(
            document_a,
            "I",
            data=padded_pdf(MB // 2 + 1, fill=b"y"),
            filename="b.pdf",
            content_type="application/pdf",
            description="",
            actor=cast.editor_a,
        )
    assert refused.value.used == len(data) and refused.value.quota == MB
    # Hà Nội's quota is its own.
    from tests.conftest import example_version

    other = do_create_document(unit=cast.province_b, version=example_version(), actor=cast.editor_b)
    do_attach(
        other,
        "I",
        data=data,
        filename="c.pdf",
        content_type="application/pdf",
        description="",
        actor=cast.editor_b,
    )
    assert actions.unit_attachment_bytes(cast.province_b.pk) == len(data)


@pytest.mark.django_db
def test_no_quota_when_set_to_zero(cast: Cast, document_a: Document, settings: Any) -> None:
    settings.ATTACHMENT_QUOTA_MB = 0
    for name, fill in (("a.pdf", b"a"), ("b.pdf", b"b")):
        do_attach(
            document_a,
            "I",
            data=padded_pdf(MB, fill),
            filename=name,
            content_type="application/pdf",
            description="",
            actor=cast.editor_a,
        )
    assert Attachment.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_to_two_documents_of_a_unit_cannot_both_pass(
    small_nation: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each upload is to a different document (so the document locks do not serialise them);
    the usage read is slowed down so that, without the lock on the unit, both would read the
    same usage and both pass."""
    settings.ATTACHMENT_QUOTA_MB = 1
    province, people = small_nation
    admin, editor = people["admin"], people["editor_a"]
    deadline = timezone.localdate()
    documents = []
    for code in ("TEST-QUOTA-A", "TEST-QUOTA-B"):
        text = CYCLE.replace("CODE", code).replace("DEADLINE", deadline.isoformat())
        draft = do_upload_framework(text, actor=admin)
        version = do_publish(
            draft, actor=admin, deadline=deadline, kinds=["province"], unit_refs=[]
        )
        documents.append(do_create_document(unit=province, version=version, actor=editor))
    real = actions.unit_attachment_bytes

    def slow(unit_id: int) -> int:
        used = real(unit_id)
        time.sleep(0.5)
        return used

    monkeypatch.setattr(actions, "unit_attachment_bytes", slow)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}
    data = padded_pdf(MB // 2 + 1)

    def upload(document: Document) -> None:
        try:
            actor = User.objects.get(pk=editor.pk)
            barrier.wait()
            try:
                do_attach(
                    document,
                    "I",
                    data=data,
                    filename=f"{document.pk}.pdf",
                    content_type="application/pdf",
                    description="",
                    actor=actor,
                )
                outcomes[document.pk] = "attached"
            except AttachmentQuotaExceeded:
                outcomes[document.pk] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(d,)) for d in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["attached", "refused"]
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_a_double_submit_stores_the_file_once(
    cast: Cast, document_a: Document, settings: Any, media_root: Path
) -> None:
    """The same file sent twice to the same section (a double click, a second tab): one
    attachment, one audit entry, counted once against the quota; the second is told so."""
    from govplan.audit.models import AuditEvent

    settings.ATTACHMENT_QUOTA_MB = 2
    client = Client()
    client.force_login(cast.editor_a)
    data = padded_pdf(MB + MB // 2)
    assert "message-error" not in attach(client, document_a, "mot.pdf", data)
    page = attach(client, document_a, "mot-lan-nua.pdf", data)
    assert "message-error" not in page and "mot-lan-nua.pdf" in page and "mot.pdf" in page
    assert Attachment.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="documents.attachment").count() == 1
    assert actions.unit_attachment_bytes(cast.province_a.pk) == len(data)
    # The same bytes in another section are another piece of evidence.
    do_attach(
        document_a,
        "II",
        data=data[: MB // 4],
        filename="khac.pdf",
        content_type="application/pdf",
        description="",
        actor=cast.editor_a,
    )
    assert Attachment.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_same_file_sent_twice_at_once_is_stored_once(small_nation: Any) -> None:
    province, people = small_nation
    admin, editor = people["admin"], people["editor_a"]
    deadline = timezone.localdate()
    text = CYCLE.replace("CODE", "TEST-DOUBLE").replace("DEADLINE", deadline.isoformat())
    version = do_publish(
        do_upload_framework(text, actor=admin),
        actor=admin,
        deadline=deadline,
        kinds=["province"],
        unit_refs=[],
    )
    document = do_create_document(unit=province, version=version, actor=editor)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    data = padded_pdf(64 * 1024)

    def upload() -> None:
        try:
            actor = User.objects.get(pk=editor.pk)
            barrier.wait()
            try:
                do_attach(
                    document,
                    "I",
                    data=data,
                    filename="a.pdf",
                    content_type="application/pdf",
                    description="",
                    actor=actor,
                )
                outcomes.append("attached")
            except actions.AlreadyAttached:
                outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "attached"]
    assert Attachment.objects.count() == 1
