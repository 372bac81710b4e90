"""Run in a demo installation (``manage.py shell < seed.py``): what a backup must carry
besides the demo's documents and versions: an evidence file, a plan approved and issued
with its signed copy (the demo approver's key), and a finished batch export."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from govplan.accounts import second_factor
from govplan.accounts.models import User
from govplan.documents.actions import do_attach
from govplan.documents.models import Document
from govplan.official.models import ExportJob
from govplan.workflow import actions

editor = User.objects.get(username="bacninh.bientap")
appraiser = User.objects.get(username="thamdinh")
approver = User.objects.get(username="bacninh.lanhdao")


def signed_in(user: User) -> Client:
    """A session past the password and the demo authenticator's code (approvers and central
    administrators must pass the second factor)."""
    client = Client()
    client.force_login(user)
    device = second_factor.totp_device(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


plan = Document.objects.get(org_unit__code="24", org_unit__valid_to__isnull=True, status="returned")
do_attach(
    plan,
    plan.framework_version.parsed().sections[0].code,
    data=b"%PDF-1.4 evidence of Bac Ninh\n" + bytes(range(256)) * 40,
    filename="minh-chung.pdf",
    content_type="application/pdf",
    description="Biên bản nghiệm thu",
    actor=editor,
)
actions.do_transition(plan, "resubmit", actor=editor)
actions.do_transition(plan, "start_appraisal", actor=appraiser)
actions.do_transition(plan, "approve", actor=appraiser)
client = signed_in(approver)
key = (Path(settings.VAR_DIR) / "demo" / "bacninh-lanhdao.p12").read_bytes()
response = client.post(
    reverse("document_sign", args=[plan.pk]),
    {
        "number": "12",
        "date": dt.date.today().isoformat(),
        "key_file": SimpleUploadedFile("lanhdao.p12", key),
        "passphrase": "govplan-demo",
    },
)
assert response.status_code == 302, response.content.decode()[-3000:]
plan.refresh_from_db()
assert plan.status == "issued" and plan.signed_copy is not None, plan.status
admin = signed_in(User.objects.get(username="quantri"))
version = plan.framework_version
response = admin.post(
    reverse("export_start", args=[version.framework.code, version.number]),
    {"status": "final", "formats": ["docx", "pdf"]},
)
assert response.status_code in (302, 200), response.status_code
job = ExportJob.objects.latest("pk")
assert job.state == "done", (job.state, job.error)
print("seeded", plan.pk, job.pk)
