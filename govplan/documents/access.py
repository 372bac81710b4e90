"""Loading documents and their parts for a user, through the scoping layer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from govplan.access.scoping import Capability, get_for, scope_for
from govplan.accounts.types import AnyUser
from govplan.documents.actions import EDITABLE_STATUSES
from govplan.documents.models import Document
from govplan.frameworks.models import version_heavy_fields


def load_document(user: AnyUser, pk: int, capability: Capability = Capability.VIEW) -> Document:
    """404 if the user cannot see it, 403 if they may see it but not ``capability`` it."""
    document = get_for(
        user,
        Document.objects.select_related(
            "org_unit", "framework", "framework_version", "framework_version__framework"
        ).defer(*version_heavy_fields("framework_version")),
        Capability.VIEW,
        pk=pk,
    )
    if capability != Capability.VIEW and not can_on_document(user, capability, document):
        raise PermissionDenied
    return document


def can_on_document(user: AnyUser, capability: Capability, document: Document) -> bool:
    """``capability`` over the document's unit; for a unit no longer in force that the user
    holds it over historically (a predecessor of their unit), only if the unit was in force
    on the day the document is written for."""
    return scope_for(user).can(capability, document.org_unit, on=document.structure_date)


def can_edit(user: AnyUser, document: Document) -> bool:
    return document.status in EDITABLE_STATUSES and can_on_document(user, Capability.EDIT, document)
