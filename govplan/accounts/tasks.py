"""E-mails telling a person that something about their sign-in changed (ASVS 2.5.3/2.8.x:
the owner learns of a change they did not make), sent by the job engine after the commit."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from govplan.accounts.models import User

PASSWORD_CHANGED = "password_changed"
PASSWORD_SET = "password_set"
PASSWORD_RESET = "password_reset"
SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
SECOND_FACTOR_RESET = "second_factor_reset"


def _what(kind: str) -> str:
    return {
        PASSWORD_CHANGED: _("Your GovPlan password was changed."),
        PASSWORD_SET: _(
            "An administrator set a new password for your GovPlan account; you choose your "
            "own at your next sign-in."
        ),
        PASSWORD_RESET: _("Your GovPlan password was reset through an e-mailed link."),
        SECOND_FACTOR_ENROLLED: _(
            "An authenticator was set up for two-factor sign-in to your GovPlan account."
        ),
        SECOND_FACTOR_RESET: _(
            "The authenticator and recovery codes of your GovPlan account were removed."
        ),
    }[kind]


@task()
def send_security_notice(user_id: int, kind: str, at: str) -> bool:
    """E-mail the account's owner; False when they have no address (nothing to send)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    when = timezone.localtime(dt.datetime.fromisoformat(at))
    with override("vi"):
        body = "\n\n".join(
            [
                _what(kind),
                _("When: %(when)s.") % {"when": date_format(when, "d/m/Y H:i")},
                _(
                    "If it was not you or your administrator, tell your unit's administrator "
                    "at once: someone else may be using your account."
                ),
                f"{settings.SITE_URL}/account/",
            ]
        )
        subject = "[GovPlan] " + _("A change to how you sign in")
    send_mail(subject, body + "\n", settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def notify_owner(user: User, kind: str) -> None:
    """Queue the notice once the surrounding transaction commits (never for a rollback)."""
    at = timezone.now().isoformat()
    user_id = user.pk
    transaction.on_commit(lambda: send_security_notice.enqueue(user_id, kind, at))
