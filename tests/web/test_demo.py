"""`make run` loads the demo: users who can sign in, and documents at each stage of the cycle."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from govplan.core.adapters import signing
from govplan.core.official.model import Issuer, OfficialDocument
from govplan.demo.management.commands.load_demo import DEMO_PASSWORD
from govplan.documents.models import Document
from govplan.official.render import pdf_bytes
from govplan.official.signatures import verify
from govplan.workflow.models import Comment, Notification
from govplan.workflow.queue import waiting_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The demo writes its signing key and trust root here, not into the checkout's var/."""
    settings.VAR_DIR = tmp_path
    settings.TRUST_ROOTS_DIR = tmp_path / "trust-roots"
    return tmp_path


def test_the_demo_shows_the_cycle_and_loading_it_again_changes_nothing() -> None:
    call_command("load_demo", stdout=io.StringIO())
    states = {d.pk: d.status for d in Document.objects.all()}
    call_command("load_demo", stdout=io.StringIO())
    assert {d.pk: d.status for d in Document.objects.all()} == states
    # The 2027 plans at each stage (the Ministry of Finance's asks for central budget, the
    # demo pool's proposals; Hà Nội's under appraisal, the Ministry of Finance asked for its
    # opinion), Bắc Ninh's 2011-2015 plan being written and the 2008 report on the demo
    # programme's tasks (a draft), and the Ministry of Finance's 2027 results report
    # (submitted: the demo pool's spent and remaining).
    assert sorted(states.values()) == [
        "draft",
        "draft",
        "returned",
        "submitted",
        "submitted",
        "submitted",
        "under_appraisal",
    ]
    assert mail.outbox == []  # the demo's addresses are fictional

    client = Client()
    assert client.login(username="thamdinh", password=DEMO_PASSWORD)
    queue = client.get(reverse("appraisal_queue")).content.decode()
    assert "Thành phố Hà Nội" in queue and "Tỉnh Bắc Ninh" not in queue

    from govplan.accounts.models import User

    province_appraiser = User.objects.get(username="bacninh.thamdinh")
    [commune_plan] = waiting_for(province_appraiser)
    assert commune_plan.org_unit.parent.name == "Tỉnh Bắc Ninh" and commune_plan.latest_number == 1

    returned = Document.objects.get(status="returned")
    assert Comment.objects.filter(document=returned, resolved=False).count() == 2
    editor = Client()
    assert editor.login(username="bacninh.bientap", password=DEMO_PASSWORD)
    page = editor.get(reverse("document_edit", args=[returned.pk])).content.decode()
    assert "Đề nghị làm rõ nguồn vốn" in page and "Gửi lại" in page
    assert Notification.objects.filter(user__username="bacninh.bientap").exists()


def test_the_demo_can_leave_the_documents_out() -> None:
    call_command("load_demo", "--without-documents", stdout=io.StringIO())
    assert not Document.objects.exists()


def test_the_demo_approver_signs_with_the_demo_key_and_the_signature_is_trusted(
    var_dir: Path,
) -> None:
    out = io.StringIO()
    call_command("load_demo", "--without-documents", stdout=out)
    key_file = var_dir / "demo" / "bacninh-lanhdao.p12"
    root = var_dir / "trust-roots" / "demo-root.pem"
    assert f"{key_file} (passphrase govplan-demo)" in out.getvalue()
    assert key_file.stat().st_mode & 0o077 == 0  # the key file is its owner's only
    files = key_file.read_bytes(), root.read_bytes()
    call_command("load_demo", "--without-documents", stdout=io.StringIO())
    assert (key_file.read_bytes(), root.read_bytes()) == files  # kept, not made again

    plan = OfficialDocument(
        kind="plan",
        issuer=Issuer(body="ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH", name="Ủy ban nhân dân tỉnh Bắc Ninh"),
        subject="Chuyển đổi số năm 2027",
    )
    signed = signing.sign_pdf(
        pdf_bytes(plan),
        key_and_certs=key_file.read_bytes(),
        passphrase=b"govplan-demo",
        reason="Ban hành",
        location="Bắc Ninh",
    )
    result = verify(signed)  # against the configured trust roots
    assert result.acceptable, result.problems
    assert "Phạm Minh Lãnh" in result.signer

    from govplan.official.models import SignerCertificate

    [registered] = SignerCertificate.objects.filter(
        user__username="bacninh.lanhdao", withdrawn_at__isnull=True
    )
    assert registered.fingerprint == result.signatures[0].fingerprint

    # A missing key file is made again, with a new root that replaces the old one; the new
    # certificate is registered in place of the old.
    key_file.unlink()
    call_command("load_demo", "--without-documents", stdout=io.StringIO())
    assert key_file.is_file() and root.read_bytes() != files[1]
    assert not verify(signed).trusted
    [current] = SignerCertificate.objects.filter(
        user__username="bacninh.lanhdao", withdrawn_at__isnull=True
    )
    assert current.fingerprint != registered.fingerprint


def test_the_demo_flow_signs_and_issues_bac_ninhs_plan(var_dir: Path) -> None:
    """README: resubmit the returned plan, appraise and approve it, then sign it as
    bacninh.lanhdao with the demo key file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govplan.accounts.models import User
    from govplan.workflow import actions

    call_command("load_demo", stdout=io.StringIO())
    plan = Document.objects.get(status="returned")
    actions.do_transition(plan, "resubmit", actor=User.objects.get(username="bacninh.bientap"))
    appraiser = User.objects.get(username="thamdinh")
    actions.do_transition(plan, "start_appraisal", actor=appraiser)
    actions.do_transition(plan, "approve", actor=appraiser)
    head = Client()
    assert head.login(username="bacninh.lanhdao", password=DEMO_PASSWORD)
    key_file = (var_dir / "demo" / "bacninh-lanhdao.p12").read_bytes()

    response = head.post(
        reverse("document_sign", args=[plan.pk]),
        {
            "number": "15",
            "date": "2027-01-15",
            "key_file": SimpleUploadedFile("bacninh-lanhdao.p12", key_file),
            "passphrase": "govplan-demo",
        },
    )

    assert response.status_code == 302, response.content.decode()[-3000:]
    plan.refresh_from_db()
    assert (plan.status, plan.issued_number) == ("issued", "15/KH-UBND")
