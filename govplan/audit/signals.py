"""Logins, failed logins and logouts go into the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from govplan.audit.models import Action
from govplan.audit.recorder import record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
    record(Action.LOGIN_SUCCESS, actor=user, obj=user, require_transaction=False)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Django has already masked the password in ``credentials``.
    username = str(credentials.get("username", ""))
    record(
        Action.LOGIN_FAILURE,
        actor_username=username,
        message="",
        require_transaction=False,
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: AbstractBaseUser | None, **kwargs: Any) -> None:
    if user is not None:
        record(Action.LOGOUT, actor=user, obj=user, require_transaction=False)
