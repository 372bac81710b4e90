from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govplan.access.scoping import Capability, scope_for
from govplan.workflow.models import Notification


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs: which menu entries this user gets."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    scope = scope_for(user)
    return {
        "nav": {
            "administer": scope.can(Capability.ADMINISTER),
            "central": scope.is_central_admin,
            "appraise": scope.can(Capability.APPRAISE),
            "unread": Notification.objects.filter(user=user, read_at__isnull=True).count(),
        }
    }
