"""Batch export of a cycle: the approved plans someone may see, as one ZIP made by the job
engine, with its progress on a page; a job stopped by an error or by a dead worker carries on
where it stopped, never writing a document twice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document as Docx

from govplan.audit.models import AuditEvent
from govplan.demo.documents import fill_for_demo
from govplan.documents.actions import do_create_document
from govplan.documents.models import Document
from govplan.official import batch, export_files, export_worker
from govplan.official.models import ExportJob, ExportState
from govplan.official.render import PdfUnavailable
from govplan.official.render import render as real_render
from tests.conftest import Cast, example_version, unit

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def approved(document: Document, actor: Any) -> Document:
    fill_for_demo(document, actor=actor)
    Document.objects.filter(pk=document.pk).update(status="approved")
    return Document.objects.get(pk=document.pk)


@pytest.fixture
def cycle(cast: Cast, document_a: Document) -> list[Document]:
    """Approved plans of Bắc Ninh, Hà Nội and Hồ Chí Minh City; Đà Nẵng's is still a draft."""
    version = example_version()
    plans = [approved(document_a, cast.editor_a)]
    for code in ("01", "79"):
        other = do_create_document(
            unit=unit("gso-province", code), version=version, actor=cast.central_admin
        )
        plans.append(approved(other, cast.central_admin))
    do_create_document(unit=unit("gso-province", "48"), version=version, actor=cast.central_admin)
    return plans


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start_url() -> str:
    version = example_version()
    return reverse("export_start", args=[version.framework.code, version.number])


def start(client: Client, captured: Any, run: bool = True, **data: Any) -> ExportJob:
    """Ask for an export in the page; the job engine (immediate in tests) runs it on commit,
    unless ``run`` is false (the job stays queued, as when no worker is up)."""
    form = {"status": "final", "formats": ["docx"], **data}
    with captured(execute=run):
        response = client.post(start_url(), form)
    assert response.status_code == 302, response.content[:500]
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == reverse("export_detail", args=[job.pk])
    return job


def archive(job: ExportJob) -> zipfile.ZipFile:
    return zipfile.ZipFile(export_files.zip_path(job))


def manifest(zf: zipfile.ZipFile) -> list[list[str]]:
    text = zf.read(export_files.MANIFEST_NAME).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


class CountingRender:
    """render(), counting calls per (document, format), failing where told to."""

    def __init__(self, fail: dict[tuple[int, str], BaseException] | None = None) -> None:
        self.calls: list[tuple[int, str]] = []
        self.fail = dict(fail or {})

    def __call__(self, document: Document, kind: str, model: Any = None) -> tuple[bytes, str, str]:
        self.calls.append((document.pk, kind))
        error = self.fail.pop((document.pk, kind), None)
        if error is not None:
            raise error
        return real_render(document, kind, model=model)


def test_a_cycle_exports_as_one_zip_with_a_folder_per_unit(
    cast: Cast, cycle: list[Document], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.central_admin)
    job = start(client, django_capture_on_commit_callbacks, formats=["docx", "pdf"])
    job.refresh_from_db()
    assert job.state == ExportState.DONE, job.error
    assert job.total == 3 and sorted(job.done) == sorted(d.pk for d in cycle)
    assert job.file_name.startswith("KH-CDS-2027-MAU-v1-") and job.file_name.endswith(".zip")

    response = client.get(reverse("export_download", args=[job.pk]))
    assert response.status_code == 200
    assert job.file_name in response["Content-Disposition"]
    zf = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = zf.namelist()
    # A folder per unit, in the order of the unit tree; Đà Nẵng's draft is not among them.
    folders = {
        "24": "24-tinh-bac-ninh",
        "01": "01-thanh-pho-ha-noi",
        "79": "79-thanh-pho-ho-chi-minh",
    }
    in_tree_order = sorted(cycle, key=lambda d: (d.org_unit.path, d.pk))
    assert names == [
        *(
            f"{folders[d.org_unit.code]}/ke-hoach.{ext}"
            for d in in_tree_order
            for ext in ("docx", "pdf")
        ),
        "bang-bieu.xlsx",
        "danh-sach.csv",
    ]
    text = "\n".join(p.text for p in Docx(io.BytesIO(zf.read(names[0]))).paragraphs)
    assert "KẾ HOẠCH" in text
    assert all(zf.read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))
    workbook = zipfile.ZipFile(io.BytesIO(zf.read("bang-bieu.xlsx")))
    assert "xl/workbook.xml" in workbook.namelist()
    rows = manifest(zf)
    assert len(rows) == 1 + 3
    assert {r[1] for r in rows[1:]} == {"24", "01", "79"}
    assert all(r[-1].endswith(".pdf") for r in rows[1:])
    # The parts are gone once the ZIP is made; the request is in the audit log.
    assert not export_files.parts_dir(job).exists()
    event = AuditEvent.objects.get(action="export.start")
    assert event.actor == cast.central_admin and event.after["documents"] == job.document_ids


def test_the_page_and_its_status_show_the_progress(
    cast: Cast, cycle: list[Document], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.central_admin)
    job = start(client, django_capture_on_commit_callbacks)
    status = client.get(reverse("export_status", args=[job.pk])).json()
    assert status == {
        "state": "done",
        "state_label": "Đã xong",
        "done": 3,
        "skipped": 0,
        "failed": 0,
        "total": 3,
        "percent": 100,
        "text": "3/3 văn bản",
        "error": "",
        "stale": False,
        "resumable": False,
        "pdf_missing": False,
        "download": reverse("export_download", args=[job.pk]),
    }
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert "<progress" in page and 'value="3"' in page
    assert reverse("export_download", args=[job.pk]) in page
    assert "official/export.js" in page
    listing = client.get(reverse("export_list")).content.decode()
    assert reverse("export_detail", args=[job.pk]) in listing

    # Half way, the page says so and keeps a way to refresh without JavaScript.
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.RUNNING, done=job.done[:1], heartbeat=timezone.now()
    )
    status = client.get(reverse("export_status", args=[job.pk])).json()
    assert (status["state"], status["percent"], status["download"]) == ("running", 33, None)
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert "<noscript>" in page and 'value="1"' in page and "1/3 văn bản" in page
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404


def test_the_version_page_offers_the_export(cast: Cast) -> None:
    version = example_version()
    page = client_for(cast.viewer_a).get(
        reverse("framework_version", args=[version.framework.code, version.number])
    )
    assert start_url() in page.content.decode()


def test_each_exports_what_they_see_and_only_they_see_their_export(
    cast: Cast, cycle: list[Document], django_capture_on_commit_callbacks: Any
) -> None:
    job = start(client_for(cast.editor_a), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.document_ids == [cycle[0].pk]
    assert [n for n in archive(job).namelist() if "/" in n] == ["24-tinh-bac-ninh/ke-hoach.docx"]
    urls = [
        reverse(name, args=[job.pk])
        for name in ("export_detail", "export_status", "export_download")
    ]
    for other in (cast.central_admin, cast.viewer_a, cast.editor_b):
        client = client_for(other)
        for url in urls:
            assert client.get(url).status_code == 404, (other, url)
        assert client.post(reverse("export_resume", args=[job.pk])).status_code == 404
        listing = client.get(reverse("export_list")).content.decode()
        assert urls[0] not in listing and "Chưa có lần xuất nào." in listing
    assert Client().get(urls[0]).status_code == 302  # anonymous: to the login page


def test_nothing_to_export_or_no_format_is_explained(
    cast: Cast, cycle: list[Document], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.editor_b)
    with django_capture_on_commit_callbacks(execute=True):
        nothing = client.post(start_url(), {"status": "issued", "formats": ["docx"]}, follow=True)
        no_format = client.post(start_url(), {"status": "final"}, follow=True)
    assert "Trong kỳ này không có văn bản nào" in nothing.content.decode()
    assert "Hãy chọn ít nhất một định dạng" in no_format.content.decode()
    assert not ExportJob.objects.exists()


def test_a_job_stopped_by_an_error_resumes_where_it_stopped(
    cast: Cast,
    cycle: list[Document],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_for(cast.central_admin)
    job = start(client, django_capture_on_commit_callbacks, run=False)
    first, second = job.document_ids[0], job.document_ids[1]
    # A file the server cannot write stops the job (a document that cannot be made does not:
    # tests/official/test_stored_data.py).
    render = CountingRender(fail={(second, "docx"): OSError("the disk hiccuped")})
    monkeypatch.setattr(export_worker, "render", render)

    with pytest.raises(export_files.DocumentFailed):
        export_worker.run_export(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and job.done == [first]
    second_unit = Document.objects.get(pk=second).org_unit.name
    assert second_unit in job.error and "the disk hiccuped" in job.error
    assert sorted(p.name for p in export_files.parts_dir(job).iterdir()) == [f"{first}.docx"]
    assert not export_files.zip_path(job).exists()
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert "the disk hiccuped" in page and reverse("export_resume", args=[job.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("export_resume", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.attempt == 2 and job.error == ""
    assert job.done == job.document_ids
    # The first document was made once, before the error; the second failed once, then made.
    assert render.calls.count((first, "docx")) == 1
    assert render.calls.count((second, "docx")) == 2
    names = archive(job).namelist()
    documents = [n for n in names if n.endswith(".docx")]
    assert len(documents) == len(set(documents)) == 3
    assert AuditEvent.objects.filter(action="export.resume", actor=cast.central_admin).exists()

    # Running it again changes nothing: the job is done.
    before = export_files.zip_path(job).read_bytes()
    assert export_worker.run_export(job.pk) == ExportState.DONE
    assert export_files.zip_path(job).read_bytes() == before
    assert len(render.calls) == 4


def test_a_silent_worker_makes_the_job_resumable_and_the_command_requeues_it(
    cast: Cast,
    cycle: list[Document],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django_tasks_db.models import DBTaskResult

    client = client_for(cast.central_admin)
    job = start(client, django_capture_on_commit_callbacks, run=False)
    # A worker took it up, wrote one document, then died (its part went with its disk).
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.RUNNING, attempt=1, done=job.document_ids[:1], heartbeat=timezone.now()
    )
    job.refresh_from_db()
    assert not job.resumable
    with pytest.raises(export_files.NotResumable):
        batch.do_resume_export(cast.central_admin, job)
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert reverse("export_resume", args=[job.pk]) not in page

    ExportJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - dt.timedelta(minutes=3))
    job.refresh_from_db()
    assert job.stale and job.resumable
    assert client.get(reverse("export_status", args=[job.pk])).json()["resumable"] is True
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert reverse("export_resume", args=[job.pk]) in page

    # After a restart the operator queues every such job again, for the workers to take up.
    settings.TASKS = DATABASE_TASKS
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resume_exports", stdout=out)
    assert "1 export(s) queued again" in out.getvalue()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "govplan.official.tasks.export_cycle"
    assert queued.args_kwargs["args"] == [job.pk]
    job.refresh_from_db()
    assert job.state == ExportState.QUEUED and not job.stale
    assert AuditEvent.objects.get(action="export.resume").channel == "command:resume_exports"

    # Nothing stale is left: a second run of the command queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resume_exports", stdout=io.StringIO())
    assert DBTaskResult.objects.count() == 1

    # The worker carries on from the second document (and makes the lost part again). It
    # recycles connections between tasks; here that would end the test's transaction.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == ExportState.DONE
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.attempt == 2
    assert len([n for n in archive(job).namelist() if n.endswith(".docx")]) == 3


def test_a_worker_thought_dead_stops_without_touching_the_job(
    cast: Cast,
    cycle: list[Document],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = start(client_for(cast.central_admin), django_capture_on_commit_callbacks, run=False)

    def slow_render(document: Document, kind: str, model: Any = None) -> tuple[bytes, str, str]:
        # Meanwhile the job was resumed and another worker took it up.
        ExportJob.objects.filter(pk=job.pk).update(attempt=5)
        return real_render(document, kind, model=model)

    monkeypatch.setattr(export_worker, "render", slow_render)
    assert export_worker.run_export(job.pk) == "superseded"
    job.refresh_from_db()
    assert job.attempt == 5 and job.done == [] and job.state == ExportState.RUNNING
    assert not export_files.zip_path(job).exists()


def test_documents_deleted_meanwhile_are_left_out_and_said_so(
    cast: Cast,
    cycle: list[Document],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = start(client_for(cast.central_admin), django_capture_on_commit_callbacks, run=False)
    written, gone, last = job.document_ids
    Document.objects.filter(pk=gone).delete()  # before its turn
    monkeypatch.setattr(export_worker, "render", CountingRender(fail={(last, "docx"): OSError()}))
    with pytest.raises(export_files.DocumentFailed):
        export_worker.run_export(job.pk)
    job.refresh_from_db()
    assert (job.done, job.skipped) == ([written], [gone])

    Document.objects.filter(pk=written).delete()  # after it was written
    batch.do_resume_export(cast.central_admin, job)
    assert export_worker.run_export(job.pk) == ExportState.DONE
    job.refresh_from_db()
    assert (job.done, job.skipped, job.percent) == ([last], [gone, written], 100)
    zf = archive(job)
    assert len([n for n in zf.namelist() if n.endswith(".docx")]) == 1
    assert len(manifest(zf)) == 1 + 1
    assert "2 văn bản được chọn" in zf.read(export_files.NOTE_NAME).decode()
    page = client_for(cast.central_admin).get(reverse("export_detail", args=[job.pk]))
    assert "2 văn bản đã bị xóa hoặc bạn không còn được xem" in page.content.decode()


def test_without_pdf_libraries_the_zip_has_the_docx_and_says_why(
    cast: Cast,
    cycle: list[Document],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class NoPdf(CountingRender):
        def __call__(
            self, document: Document, kind: str, model: Any = None
        ) -> tuple[bytes, str, str]:
            if kind == "pdf":
                self.calls.append((document.pk, kind))
                raise PdfUnavailable("libpango missing")
            return super().__call__(document, kind, model)

    render = NoPdf()
    monkeypatch.setattr(export_worker, "render", render)
    client = client_for(cast.central_admin)
    job = start(client, django_capture_on_commit_callbacks, formats=["docx", "pdf"])
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.pdf_missing
    assert [c for c in render.calls if c[1] == "pdf"] == [(job.document_ids[0], "pdf")]
    zf = archive(job)
    assert not [n for n in zf.namelist() if n.endswith(".pdf")]
    assert len([n for n in zf.namelist() if n.endswith(".docx")]) == 3
    assert "PDF" in zf.read(export_files.NOTE_NAME).decode()
    assert (
        "Máy chủ không tạo được tệp PDF"
        in client.get(reverse("export_detail", args=[job.pk])).content.decode()
    )


def test_an_issued_plan_comes_as_its_signed_copy(
    cast: Cast,
    cycle: list[Document],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from govplan.documents.actions import do_attach

    issued = cycle[0]
    signed = b"%PDF-1.7\n% the signed copy of record\n%%EOF\n"
    copy = do_attach(
        issued,
        "__signed__",
        data=signed,
        filename="ke-hoach-da-ky.pdf",
        content_type="application/pdf",
        description="",
        actor=cast.approver_a,
        signed_copy=True,
    )
    Document.objects.filter(pk=issued.pk).update(
        status="issued", signed_copy=copy, issued_number="12/KH-UBND"
    )
    render = CountingRender()
    monkeypatch.setattr(export_worker, "render", render)
    job = start(
        client_for(cast.central_admin),
        django_capture_on_commit_callbacks,
        status="issued",
        formats=["pdf"],
    )
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.document_ids == [issued.pk]
    zf = archive(job)
    assert zf.read("24-tinh-bac-ninh/ke-hoach.pdf") == signed
    assert render.calls == []  # nothing made: the file of record is taken as it is
    assert manifest(zf)[1][5] == "12/KH-UBND"


def test_old_finished_exports_are_deleted_with_their_files(
    cast: Cast, cycle: list[Document], django_capture_on_commit_callbacks: Any, media: Path
) -> None:
    client = client_for(cast.central_admin)
    old = start(client, django_capture_on_commit_callbacks)
    recent = start(client, django_capture_on_commit_callbacks)
    waiting = start(client, django_capture_on_commit_callbacks, run=False)
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    ExportJob.objects.filter(pk=old.pk).update(finished_at=ten_days_ago)
    ExportJob.objects.filter(pk=waiting.pk).update(created_at=ten_days_ago)
    stray = media / "exports" / "999999"  # left by a job deleted some other way
    stray.mkdir(parents=True)
    (stray / "x.zip").write_bytes(b"x")
    os.utime(stray, (ten_days_ago.timestamp(), ten_days_ago.timestamp()))
    old.refresh_from_db()
    recent.refresh_from_db()
    assert export_files.zip_path(old).exists() and export_files.zip_path(recent).exists()

    out = io.StringIO()
    call_command("prune_exports", stdout=out)
    assert "1 export(s) older than 7 day(s) deleted, 2 folder(s) removed." in out.getvalue()
    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert not export_files.job_dir(old).exists() and not stray.exists()
    deleted = AuditEvent.objects.get(action="export.delete")
    assert deleted.object_id == str(old.pk) and deleted.before["state"] == "done"
    assert client.get(reverse("export_detail", args=[old.pk])).status_code == 404
    # A ready export of today and one still waiting (however old) are kept.
    assert export_files.zip_path(recent).exists()
    assert ExportJob.objects.filter(pk__in=[recent.pk, waiting.pk]).count() == 2
    assert client.get(reverse("export_download", args=[recent.pk])).status_code == 200
