"""Every e-mail leaves through the job queue: the task that sends notifications and the one
that tells an account's owner of a change to their sign-in are the only code that calls
Django's mail functions, and a notification is e-mailed once even when two workers are given
it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.core import mail

from govplan.workflow.models import Notification
from govplan.workflow.notify import notify
from govplan.workflow.tasks import send_notification_emails
from tests.conftest import Cast

GOVPLAN = Path(__file__).resolve().parents[2] / "govplan"
SENDING = re.compile(
    r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|"
    r"EmailMultiAlternatives|mail\.get_connection|AdminEmailHandler)\b"
)


def test_only_the_notification_task_sends_mail() -> None:
    senders = sorted(
        str(path.relative_to(GOVPLAN))
        for path in GOVPLAN.rglob("*.py")
        if "migrations" not in path.parts and SENDING.search(path.read_text(encoding="utf-8"))
    )
    assert senders == ["accounts/tasks.py", "workflow/tasks.py"]
    # In both, what calls the mail functions is a task of the job engine (decorated @task).
    for name in senders:
        tree = ast.parse((GOVPLAN / name).read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef) and SENDING.search(ast.unparse(function)):
                decorators = [ast.unparse(d) for d in function.decorator_list]
                assert "task()" in decorators, f"{name}: {function.name} sends mail, not a task"


@pytest.mark.django_db
def test_a_notification_is_emailed_once_whoever_runs_the_task_again(
    cast: Cast,
    document_a,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    cast.appraiser.email = "appraiser@example.gov.vn"
    cast.appraiser.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify([cast.appraiser, cast.viewer_a], document_a, "Kế hoạch đã được nộp.")
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert [m.to for m in mail.outbox] == [["appraiser@example.gov.vn"]]
    # A second worker given the same ids (a retried job) sends nothing more.
    assert send_notification_emails.call(ids) == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=cast.appraiser, emailed_at__isnull=False).exists()
