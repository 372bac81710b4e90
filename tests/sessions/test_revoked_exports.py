"""Revoking a role ends access to what it gave, a finished export's ZIP included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.accounts.actions import do_grant_membership, do_revoke_membership
from govplan.accounts.models import Membership
from govplan.documents.models import Document
from govplan.official.models import ExportJob, ExportState
from tests.conftest import Cast, example_version
from tests.official.test_batch_export import approved

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def finished_export(user: Any, captured: Any) -> ExportJob:
    version = example_version()
    client = Client()
    client.force_login(user)
    with captured(execute=True):
        response = client.post(
            reverse("export_start", args=[version.framework.code, version.number]),
            {"status": "final", "formats": ["docx"]},
        )
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert job.state == ExportState.DONE
    return job


def download(user: Any, job: ExportJob) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse("export_download", args=[job.pk]))


def test_a_revoked_viewer_no_longer_downloads_an_earlier_export(
    cast: Cast, document_a: Document, django_capture_on_commit_callbacks: Any
) -> None:
    approved(document_a, cast.editor_a)
    job = finished_export(cast.viewer_a, django_capture_on_commit_callbacks)
    assert job.done == [document_a.pk]
    before = download(cast.viewer_a, job)
    assert before.status_code == 200
    assert "no-store" in before["Cache-Control"]
    do_revoke_membership(Membership.objects.get(user=cast.viewer_a), actor=cast.central_admin)
    after = download(cast.viewer_a, job)
    assert after.status_code == 403
    assert "Quyền truy cập của bạn với các văn bản trong lần xuất này đã thay đổi" in (
        after.content.decode()
    )
    # Granted again, the same file is theirs again.
    do_grant_membership(cast.viewer_a, cast.province_a, "viewer", actor=cast.central_admin)
    assert download(cast.viewer_a, job).status_code == 200


def test_a_document_deleted_since_closes_the_zip_too(
    cast: Cast, document_a: Document, django_capture_on_commit_callbacks: Any
) -> None:
    """The ZIP holds a document no one may see any more: it is not handed out."""
    approved(document_a, cast.editor_a)
    job = finished_export(cast.viewer_a, django_capture_on_commit_callbacks)
    Document.objects.filter(pk=document_a.pk).delete()
    assert download(cast.viewer_a, job).status_code == 403
