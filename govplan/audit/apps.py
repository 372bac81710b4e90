from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def may_delete_audit() -> int:
    """Whether SQLite's DELETE guard on the audit table lets a delete through: only while the
    test suite empties its database between tests (Django's flush deletes on SQLite)."""
    from django.conf import settings

    return 1 if getattr(settings, "TESTING", False) and ALLOW_FLUSH[0] else 0


ALLOW_FLUSH = [True]  # tests of the guard itself set it to False


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("govplan_audit_may_delete", 0, may_delete_audit)


class AuditConfig(AppConfig):
    name = "govplan.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from govplan.audit import signals  # noqa: F401  (connects the login signals)
        from govplan.audit.recorder import flush_pending
        from govplan.dbbackend import precommit

        precommit.register(flush_pending)

        connection_created.connect(_register_sqlite_functions)
