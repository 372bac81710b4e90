"""The user types that signatures name instead of ``Any``.

``User`` acts: every ``do_*`` action takes the signed-in person who makes the change.
``AnyUser`` is what ``request.user`` is to django-stubs, a signed-in ``User`` or Django's
``AnonymousUser``: the scoping layer takes it, and grants an anonymous user nothing.
``AuthenticatedRequest`` is the request a view declared ``@authenticated`` or
``@requires(...)`` receives: DefaultDenyMiddleware lets no anonymous user reach it.

The apps below accounts (audit, orgunits) do not import it: their signatures name Django's
``AbstractBaseUser``, which ``User`` extends.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from govplan.accounts.models import User

AnyUser: TypeAlias = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    """For annotations only: Django builds the request; this says its user is signed in."""

    user: User


__all__ = ["AnyUser", "AuthenticatedRequest", "User"]
