"""The audit chain's daily verification on the job engine (django-tasks has no scheduler:
cron or a systemd timer runs `manage.py verify_audit_chain` or queues it with --queue)."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task

from govplan.audit.chain import verify_chain
from govplan.audit.origin import Origin, origin


@task()
def verify_audit_chain(sink: str = "") -> dict[str, object]:
    """Verify the chain (and the external copy when given); the outcome is recorded."""
    with origin(Origin(channel="task:verify_audit_chain")):
        _result, verification = verify_chain(Path(sink) if sink else None)
    return {
        "ok": verification.ok,
        "entries": verification.entries,
        "problem": verification.problem,
        "break_entry_id": verification.break_entry_id,
    }
