"""Loading framework versions for a user, through the scoping layer: here rather than in the
views, so that other apps' pages (official's exports) load a version without importing
frameworks' views."""

from __future__ import annotations

from django.http import HttpRequest

from govplan.access.scoping import Capability, get_for
from govplan.frameworks.models import FrameworkVersion


def load_version(
    request: HttpRequest, code: str, number: int, capability: Capability = Capability.VIEW
) -> FrameworkVersion:
    """404 if the user cannot see the version, 403 if they may see it but not ``capability``."""
    return get_for(
        request.user,
        FrameworkVersion.objects.select_related("framework", "created_by", "published_by"),
        capability,
        framework__code=code,
        number=number,
    )
