"""Several application servers share their files through an S3-compatible bucket
(STORAGE_S3_*, django-storages): an evidence file uploaded, a plan signed and issued, its
signed copy downloaded, a batch export made and downloaded, old exports pruned and a backup
made, all against a local S3-compatible server (moto) started by the test, with nothing
written to the node's own media folder."""

from __future__ import annotations

import io
import json
import socket
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from govplan.documents.models import Attachment, Document
from govplan.official import export_files
from govplan.official.models import ExportJob, ExportState
from govplan.ops import backup
from govplan.ops.backup import applied_migrations, referenced_files
from tests.conftest import Cast
from tests.official.conftest import Pki, approved, authority, trusted  # noqa: F401 (fixtures)
from tests.support.hostile_files import clean_pdf
from tests.support.issuing import sign_form, signer_client

pytestmark = pytest.mark.django_db

BUCKET = "govplan-shared"
# A whole PDF: the upload door refuses a damaged one (govplan/documents/uploads.py).
PDF = clean_pdf()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any) -> Iterator[Any]:
    """A fresh bucket as the default storage; the client to look inside it."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="govplan",
        aws_secret_access_key="govplan-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "govplan",
                "secret_key": "govplan-secret",
                "default_acl": None,
                "file_overwrite": True,
                "addressing_style": "path",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def nothing_local(media_root: Path) -> None:
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


def test_an_evidence_file_goes_to_the_bucket_and_comes_back(
    cast: Cast, document_a: Document, bucket: Any, media_root: Path
) -> None:
    client = Client()
    client.force_login(cast.editor_a)
    section = document_a.framework_version.parsed().sections[0].code
    response = client.post(
        reverse("document_attach", args=[document_a.pk, section]),
        {"file": SimpleUploadedFile("bien-ban.pdf", PDF), "description": "Biên bản"},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(document=document_a)
    assert keys(bucket) == [attachment.file.name]
    stored = bucket.get_object(Bucket=BUCKET, Key=attachment.file.name)["Body"].read()
    assert stored == PDF
    download = client.get(reverse("document_attachment", args=[document_a.pk, attachment.pk]))
    assert download.status_code == 200 and body(download) == PDF
    nothing_local(media_root)


def test_signed_copy_and_batch_export_live_in_the_bucket(
    cast: Cast,
    approved: Document,  # noqa: F811
    authority: Pki,  # noqa: F811
    bucket: Any,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    response = signer_client(cast).post(
        reverse("document_sign", args=[approved.pk]), sign_form(authority.p12)
    )
    assert response.status_code == 302
    document = Document.objects.get(pk=approved.pk)
    assert document.status == "issued" and document.signed_copy is not None
    signed_key = document.signed_copy.file.name
    assert signed_key in keys(bucket)
    signed = bucket.get_object(Bucket=BUCKET, Key=signed_key)["Body"].read()
    reader = Client()
    reader.force_login(cast.viewer_a)
    copy = reader.get(reverse("document_attachment", args=[document.pk, document.signed_copy_id]))
    assert copy.status_code == 200 and body(copy) == signed
    # The official PDF made for reading is stored in the bucket as well, and served from it.
    pdf = reader.get(reverse("document_pdf", args=[document.pk]))
    assert pdf.status_code == 200
    made = [k for k in keys(bucket) if k.startswith("official/") and k.endswith(".pdf")]
    assert made and body(pdf) == bucket.get_object(Bucket=BUCKET, Key=made[0])["Body"].read()

    admin = Client()
    admin.force_login(cast.central_admin)
    version = document.framework_version
    with django_capture_on_commit_callbacks(execute=True):
        started = admin.post(
            reverse("export_start", args=[version.framework.code, version.number]),
            {"status": "final", "formats": ["docx", "pdf"]},
        )
    assert started.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert job.state == ExportState.DONE, job.error
    zip_key = export_files.zip_name_of(job)
    assert zip_key in keys(bucket)
    assert not any(k.startswith(export_files.parts_prefix(job)) for k in keys(bucket))
    download = admin.get(reverse("export_download", args=[job.pk]))
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(download))) as archive:
        names = archive.namelist()
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == 1 and archive.read(pdfs[0]) == signed  # the file of record
        assert any(n.endswith(".docx") for n in names)
        assert export_files.MANIFEST_NAME in names and export_files.WORKBOOK_NAME in names
    nothing_local(media_root)

    # A backup reads the bucket: every object is in the archive, byte for byte. (Its database
    # copy is the round-trip tests' subject; here the test's open transaction holds the
    # rows, so the file names are read in it.)
    def copy_in_this_transaction(engine: str, target: Path) -> Any:
        target.write_bytes(b"database copy")
        with connection.cursor() as cursor:

            def execute(sql: str) -> list[Any]:
                cursor.execute(sql)
                return list(cursor.fetchall())

            return applied_migrations(execute), referenced_files(execute), "test"

    monkeypatch.setattr(backup, "copy_database", copy_in_this_transaction)
    archive_path = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive_path), verbosity=0)
    with tarfile.open(archive_path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        for key in keys(bucket):
            member = tar.extractfile(f"media/{key}")
            assert member is not None
            assert member.read() == bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert zip_key in manifest["referenced"] and signed_key in manifest["referenced"]

    # Pruning an old export removes its objects from the bucket.
    ExportJob.objects.filter(pk=job.pk).update(finished_at=job.created_at.replace(year=2000))
    call_command("prune_exports", stdout=io.StringIO())
    assert not any(k.startswith(f"exports/{job.pk}/") for k in keys(bucket))
    assert signed_key in keys(bucket)
