from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit entries are never changed or deleted."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditManager(models.Manager.from_queryset(AuditQuerySet)):  # type: ignore[misc]
    """Reading the trail inside a transaction that has recorded entries writes them first
    (they wait for the commit: govplan.audit.recorder), so a transaction reads its own."""

    def get_queryset(self) -> AuditQuerySet:
        from django.db import transaction

        from govplan.audit.recorder import flush_pending

        flush_pending(transaction.get_connection())
        return super().get_queryset()  # type: ignore[no-any-return]


class Action(models.TextChoices):
    LOGIN_SUCCESS = "login.success", _("Login succeeded")
    LOGIN_FAILURE = "login.failure", _("Login failed")
    LOGOUT = "logout", _("Logout")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    REFERENCE_LOAD = "reference.load", _("Reference data loaded")
    MEMBERSHIP_GRANT = "membership.grant", _("Role granted")
    MEMBERSHIP_REVOKE = "membership.revoke", _("Role revoked")
    PASSWORD_CHANGE = "password.change", _("Password changed")
    PASSWORD_SET = "password.set", _("Password set by an administrator")
    PASSWORD_RESET_REQUEST = "password.reset_request", _("Password reset requested")
    PASSWORD_RESET = "password.reset", _("Password reset through an e-mailed link")
    OTP_ENROL = "otp.enrol", _("Two-factor authentication enrolled")
    OTP_FAILURE = "otp.failure", _("Two-factor code refused")
    OTP_RECOVERY_USED = "otp.recovery_used", _("Recovery code used")
    OTP_RECOVERY_REGENERATE = "otp.recovery_regenerate", _("Recovery codes regenerated")
    OTP_RESET = "otp.reset", _("Two-factor authentication reset")
    ACCESS_DENIED = "access.denied", _("Access refused")
    DOWNLOAD = "download", _("File downloaded")
    CHECKLIST_MARK = "checklist.mark", _("Checklist marked")
    NOTIFICATION_READ = "notification.read", _("Notification read")
    IMPORT_ROW = "import.row", _("Row changed by an import")
    RESTORE_ROW = "restore.row", _("Row changed by a restore")
    SESSION_END = "session.end", _("Session ended by its user")
    SESSION_IDLE = "session.idle", _("Session ended after inactivity")
    PILOT_DESIGNATE = "pilot.designate", _("Unit designated as a pilot")
    PILOT_MILESTONE_EVALUATE = "pilot.milestone_evaluate", _("Pilot milestone evaluated")
    PILOT_SELF_EVALUATE = "pilot.self_evaluate", _("Pilot milestone self-evaluated")
    PILOT_EVALUATE = "pilot.evaluate", _("Pilot's final evaluation")
    OPINION_ASK = "opinion.ask", _("Opinion asked of another agency")
    OPINION_ANSWER = "opinion.answer", _("Opinion sent")
    OPINION_WITHDRAW = "opinion.withdraw", _("Opinion request withdrawn")
    OPINION_REMIND = "opinion.remind", _("Opinion request reminded")
    OPINION_RECORD = "opinion.record", _("Opinions recorded with the approval")
    FILL_ROWS = "fill.rows", _("Rows filled from a task list")
    POOL_CREATE = "allocation.pool", _("Central budget pool created")
    PROPOSAL_MARK = "allocation.mark", _("Proposal marked by the central authority")
    SCENARIO_COMPUTE = "allocation.compute", _("Allocation scenario computed")
    SCENARIO_APPROVE = "allocation.approve", _("Allocation scenario approved")
    TASK_PROGRESS = "task.progress", _("Task progress reported")
    TASK_COMPLETION_DECLARE = "task.completion_declare", _("Task completion declared")
    TASK_COMPLETION_CONFIRM = "task.completion_confirm", _("Task completion confirmed")
    TASK_COMPLETION_RETURN = "task.completion_return", _("Task completion returned")
    TASK_REOPEN = "task.reopen", _("Task reopened")
    TASK_EXTENSION_REQUEST = "task.extension_request", _("Task extension requested")
    TASK_EXTENSION_GRANT = "task.extension_grant", _("Task extension granted")
    TASK_EXTENSION_REFUSE = "task.extension_refuse", _("Task extension refused")


class AuditEvent(models.Model):
    """One append-only entry: who did what to which object, from where, before and after.

    The table is append-only twice over: the ORM refuses updates and deletes, and
    database triggers (migrations 0002, 0003) refuse UPDATE and DELETE for anything that
    goes around the ORM. On PostgreSQL the application's own role may only INSERT and
    SELECT it (``manage.py setup_database_roles``).

    Entries are chained (govplan.core.auditchain): ``seq`` numbers them without gaps,
    ``hash`` covers the entry's content and ``prev_hash``, the hash of the entry before.
    ``manage.py verify_audit_chain`` finds the first broken link.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept as text so the entry stays readable even for a failed login with an unknown name.
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=64)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)

    objects = AuditManager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")

    @property
    def action_label(self) -> str:
        try:
            return str(Action(self.action).label)
        except ValueError:
            return self.action

    def changes(self) -> list[tuple[str, Any, Any]]:
        """Field-by-field (name, before, after) for the fields that differ."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        # Sorted: PostgreSQL's jsonb does not keep key order.
        keys = sorted({*before.keys(), *after.keys()})
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class Verification(models.Model):
    """One run of the chain verifier (manage.py verify_audit_chain, daily): what it found."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("chain intact"), default=False)
    entries = models.BigIntegerField(_("entries verified"), default=0)
    head_seq = models.BigIntegerField(_("last entry"), default=0)
    head_hash = models.CharField(_("last hash"), max_length=64, blank=True)
    breaks = models.IntegerField(_("broken links"), default=0)
    problem = models.CharField(_("problem"), max_length=32, blank=True)
    break_seq = models.BigIntegerField(_("first broken entry"), null=True, blank=True)
    break_entry_id = models.BigIntegerField(_("first broken entry id"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    sink = models.CharField(_("external copy"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("audit chain verification")
        verbose_name_plural = _("audit chain verifications")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else self.problem}"
