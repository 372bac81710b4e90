from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from govplan.access.policies import policy_of
from govplan.access.scoping import scope_for

logger = logging.getLogger(__name__)


class DefaultDenyMiddleware:
    """Refuse every view that has not declared who may reach it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        policy = policy_of(view_func)
        if policy is None:
            logger.error(
                "Refused %s: view %s declares no access policy",
                request.path,
                getattr(view_func, "__qualname__", view_func),
            )
            raise PermissionDenied
        if not policy.login_required:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if policy.capability is not None and not scope_for(request.user).can(policy.capability):
            raise PermissionDenied
        return None
