"""The official DOCX and PDF are made once by the background worker and served from storage:
again byte for byte without rendering again, made anew when what the document prints changes,
made at issue for an issued document and never again; a failed render tells the user and
leaves no file behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govplan.audit.models import AuditEvent
from govplan.demo.documents import fill_for_demo
from govplan.documents.actions import do_save_entry
from govplan.documents.models import Document, Entry
from govplan.official import file_requests, rendering
from govplan.official.actions import do_save_profile
from govplan.official.defaults import profile_values
from govplan.official.file_requests import do_request_file
from govplan.official.models import FileState, IssuedRecord, RenderedFile
from tests.conftest import Cast
from tests.official.conftest import Pki
from tests.official.test_official import client_for, docx_text
from tests.support.around import around_the_guards
from tests.support.issuing import sign_form, signer_client

pytestmark = pytest.mark.django_db


class Counting:
    """The renderer, counting its calls by format; ``fail`` makes it raise instead."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.calls: list[str] = []
        self.fail: BaseException | None = None

    def __call__(self, document: Document, kind: str, model: Any = None) -> Any:
        self.calls.append(kind)
        if self.fail is not None:
            raise self.fail
        return self.real(document, kind, model=model)


@pytest.fixture
def plan(cast: Cast, document_a: Document) -> Document:
    fill_for_demo(document_a, actor=cast.editor_a)
    return document_a


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Counting:
    counting = Counting(rendering.render)
    monkeypatch.setattr(rendering, "render", counting)
    return counting


def edit_narrative(document: Document, cast: Cast, text: str) -> None:
    entry = Entry.objects.filter(document=document, kind="narrative").first()
    assert entry is not None
    do_save_entry(
        document,
        entry.key,
        entry.revision,
        {"html": f"<p>{text}</p>"},
        actor=cast.editor_a,
        locale="vi",
    )


def test_the_second_download_is_the_same_file_without_rendering_again(
    cast: Cast,
    plan: Document,
    renders: Counting,
) -> None:
    client = client_for(cast.viewer_a)
    url = reverse("document_docx", args=[plan.pk])
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"].startswith("application/vnd")
    assert renders.calls == ["docx"]
    other_reader = client_for(cast.editor_a)
    again = other_reader.get(url)
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert renders.calls == ["docx"]  # served from storage
    row = RenderedFile.objects.get(document=plan, format="docx")
    assert row.state == FileState.DONE and row.size == len(first.content)
    assert row.source == b""  # printed: the model is not kept
    assert AuditEvent.objects.filter(action="official.render").count() == 1


def test_a_change_makes_a_new_file_and_the_old_one_goes(
    cast: Cast,
    plan: Document,
    renders: Counting,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(cast.viewer_a)
    url = reverse("document_docx", args=[plan.pk])
    before = docx_text(client.get(url).content)
    old = RenderedFile.objects.get(document=plan, format="docx")
    edit_narrative(plan, cast, "Một câu mới được viết sau lần tải trước.")
    with django_capture_on_commit_callbacks(execute=True):  # the old file is deleted on commit
        after = docx_text(client.get(url).content)
    assert "Một câu mới được viết sau lần tải trước." in after
    assert "Một câu mới được viết sau lần tải trước." not in before
    assert renders.calls == ["docx", "docx"]
    # One file of the draft is kept per format: the earlier one is deleted, row and file.
    current = RenderedFile.objects.get(document=plan, format="docx")
    assert current.pk != old.pk
    assert not old.file.storage.exists(old.file.name)
    # The PDF is a file of its own.
    assert client.get(reverse("document_pdf", args=[plan.pk]))["Content-Type"] == (
        "application/pdf"
    )
    assert renders.calls == ["docx", "docx", "pdf"]


def test_asking_twice_for_the_same_state_makes_it_once(
    cast: Cast,
    plan: Document,
    renders: Counting,
) -> None:
    first = do_request_file(plan, "pdf", actor=cast.viewer_a)
    second = do_request_file(plan, "pdf", actor=cast.editor_a)
    assert first.pk == second.pk and second.state == FileState.DONE
    assert renders.calls == ["pdf"]
    assert RenderedFile.objects.filter(document=plan).count() == 1


def test_while_the_worker_makes_it_the_page_waits_then_offers_it(
    cast: Cast,
    plan: Document,
    renders: Counting,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a worker in another process, the download shows a page that follows the file's
    state and offers it once made."""
    queued: list[int] = []
    monkeypatch.setattr(file_requests, "_enqueue", lambda row: queued.append(row.pk))
    client = client_for(cast.viewer_a)
    response = client.get(reverse("document_pdf", args=[plan.pk]))
    row = RenderedFile.objects.get(document=plan, format="pdf")
    page_url = reverse("document_file", args=[plan.pk, row.pk])
    assert response.status_code == 302 and response["Location"] == page_url
    assert queued == [row.pk] and renders.calls == []
    page = client.get(page_url).content.decode()
    assert "Đang chờ" in page or "Waiting" in page
    status_url = reverse("document_file_status", args=[plan.pk, row.pk])
    assert client.get(status_url).json()["download"] is None
    download_url = reverse("document_file_download", args=[plan.pk, row.pk])
    assert client.get(download_url).status_code == 404
    # A second reader asking meanwhile joins the same file: nothing more is queued.
    client_for(cast.editor_a).get(reverse("document_pdf", args=[plan.pk]))
    assert queued == [row.pk]

    assert rendering.make_file(row.pk) == FileState.DONE  # the worker
    status = client.get(status_url).json()
    assert status["state"] == "done" and status["download"] == download_url
    assert download_url in client.get(page_url).content.decode()
    made = client.get(download_url)
    assert made["Content-Type"] == "application/pdf" and made.content.startswith(b"%PDF")
    assert client.get(reverse("document_pdf", args=[plan.pk])).content == made.content
    assert renders.calls == ["pdf"]
    # Another unit's editor reaches neither the page nor the file.
    stranger = client_for(cast.editor_b)
    assert stranger.get(page_url).status_code == 404
    assert stranger.get(download_url).status_code == 404


def test_a_failed_render_tells_the_user_leaves_no_file_and_can_be_tried_again(
    cast: Cast,
    plan: Document,
    renders: Counting,
) -> None:
    renders.fail = RuntimeError("Typst stopped")
    client = client_for(cast.viewer_a)
    response = client.get(reverse("document_pdf", args=[plan.pk]), follow=True)
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Typst stopped" in page
    row = RenderedFile.objects.get(document=plan, format="pdf")
    assert row.state == FileState.FAILED and not row.file and row.sha256 == ""
    # Downloading again does not render again on its own: the page says why and offers a retry.
    client.get(reverse("document_pdf", args=[plan.pk]))
    assert renders.calls == ["pdf"]
    assert reverse("document_file_retry", args=[plan.pk, row.pk]) in page
    renders.fail = None
    retried = client.post(reverse("document_file_retry", args=[plan.pk, row.pk]), follow=True)
    assert reverse("document_file_download", args=[plan.pk, row.pk]) in retried.content.decode()
    row.refresh_from_db()
    assert row.state == FileState.DONE and row.attempt == 2
    assert client.get(reverse("document_pdf", args=[plan.pk])).content.startswith(b"%PDF")
    assert renders.calls == ["pdf", "pdf"]
    # A made file is not made again by a retry.
    client.post(reverse("document_file_retry", args=[plan.pk, row.pk]))
    assert renders.calls == ["pdf", "pdf"]


def test_a_file_lost_from_storage_is_made_again(
    cast: Cast,
    plan: Document,
    renders: Counting,
) -> None:
    client = client_for(cast.viewer_a)
    url = reverse("document_docx", args=[plan.pk])
    first = client.get(url).content
    row = RenderedFile.objects.get(document=plan, format="docx")
    row.file.storage.delete(row.file.name)
    assert docx_text(client.get(url).content) == docx_text(first)
    assert renders.calls == ["docx", "docx"]


def test_an_issued_document_has_its_files_made_at_issue_and_never_again(
    cast: Cast,
    approved: Document,
    authority: Pki,
    renders: Counting,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = signer_client(cast).post(
            reverse("document_sign", args=[approved.pk]), sign_form(authority.p12)
        )
    assert response.status_code == 302
    record = IssuedRecord.objects.get(document=approved)
    rows = RenderedFile.objects.filter(document=approved, record=record).order_by("format")
    assert [(r.format, r.state) for r in rows] == [("docx", "done"), ("pdf", "done")]
    assert sorted(renders.calls) == ["docx", "pdf"]

    client = client_for(cast.viewer_a)
    docx = client.get(reverse("document_docx", args=[approved.pk])).content
    pdf = client.get(reverse("document_pdf", args=[approved.pk])).content
    assert "Số: 05/KH-UBND" in docx_text(docx)
    # The live document and the unit's header change: the issued files do not, and nothing
    # is rendered again.
    issued = Document.objects.get(pk=approved.pk)
    with around_the_guards(issued):
        Entry.objects.filter(document=issued, kind="narrative").update(
            content={"html": "<p>Văn bản viết lại</p>"}
        )
    values = profile_values(cast.province_a)
    values["issuing_body"] = "ỦY BAN KHÁC"
    do_save_profile(cast.province_a, values, actor=cast.editor_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("document_docx", args=[approved.pk])).content == docx
    # Served from the record's file: nothing of the content is read to serve it.
    tables = {"documents_entry", "documents_entryversion", "workflow_documentrevision"}
    assert not [q["sql"] for q in queries if any(f'"{t}"' in q["sql"] for t in tables)]
    assert client.get(reverse("document_pdf", args=[approved.pk])).content == pdf
    assert sorted(renders.calls) == ["docx", "pdf"]
    assert RenderedFile.objects.filter(document=approved).count() == 2


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_in_production_the_worker_process_makes_the_file(
    cast: Cast,
    plan: Document,
    renders: Counting,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TASKS_BACKEND=database: the download only queues; `manage.py db_worker` renders."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    client = client_for(cast.viewer_a)
    response = client.get(reverse("document_docx", args=[plan.pk]))
    row = RenderedFile.objects.get(document=plan, format="docx")
    assert response["Location"] == reverse("document_file", args=[plan.pk, row.pk])
    assert DBTaskResult.objects.get().status == "READY" and renders.calls == []
    # The worker recycles connections between tasks; here that would end the test's
    # transaction (on PostgreSQL), so it keeps the one it has.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL" and renders.calls == ["docx"]
    made = client.get(reverse("document_docx", args=[plan.pk]))
    assert made.status_code == 200 and "Kế hoạch" in docx_text(made.content)
    assert renders.calls == ["docx"]


def test_a_deleted_document_takes_its_files_along(
    cast: Cast, plan: Document, django_capture_on_commit_callbacks: Any
) -> None:
    client_for(cast.viewer_a).get(reverse("document_docx", args=[plan.pk]))
    row = RenderedFile.objects.get(document=plan)
    assert row.file.storage.exists(row.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        Document.objects.filter(pk=plan.pk).delete()
    assert not RenderedFile.objects.exists()
    assert not row.file.storage.exists(row.file.name)


def test_the_batch_export_takes_the_file_already_made(
    cast: Cast,
    plan: Document,
    renders: Counting,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import zipfile

    from govplan.official import export_files, export_worker
    from govplan.official.models import ExportJob
    from tests.conftest import example_version

    monkeypatch.setattr(export_worker, "render", renders)  # the export's own renders count too
    downloaded = client_for(cast.central_admin).get(reverse("document_docx", args=[plan.pk]))
    assert renders.calls == ["docx"]
    version = example_version()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.central_admin).post(
            reverse("export_start", args=[version.framework.code, version.number]),
            {"status": "", "formats": ["docx"]},
        )
    job = ExportJob.objects.get()
    assert job.state == "done" and job.done == [plan.pk]
    with zipfile.ZipFile(export_files.zip_path(job)) as zf:
        docx = [n for n in zf.namelist() if n.endswith(".docx")]
        assert [zf.read(n) for n in docx] == [downloaded.content]
    assert renders.calls == ["docx"]  # not rendered again
