from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from govplan.audit.origin import Origin, origin
from govplan.core.inputs import strip_forbidden
from govplan.webutils.client_ip import client_ip


class RequestOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = Origin(
            channel="web",
            ip=client_ip(request),
            # What the browser says of itself is kept as text, without control characters.
            user_agent=strip_forbidden(request.META.get("HTTP_USER_AGENT", ""))[:255],
        )
        with origin(value):
            return self.get_response(request)
