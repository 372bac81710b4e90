"""A cycle's documents as one user may see them: the choice behind the cycle workbook and the
batch export (one framework version, optionally one unit's subtree, optionally one status)."""

from __future__ import annotations

from django.db.models import QuerySet

from govplan.access.scoping import visible_to
from govplan.accounts.types import AnyUser
from govplan.core.inputs import parse_id
from govplan.documents.models import Document, DocumentStatus
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import OrgUnit


class BadSelection(ValueError):
    """A filter value that names nothing (an unknown status, a unit the user cannot see)."""


def parse_status(raw: str | None) -> str:
    """ "" for every status, or one of DocumentStatus; anything else is refused."""
    value = (raw or "").strip()
    if value and value not in DocumentStatus.values:
        raise BadSelection(value)
    return value


def parse_unit(user: AnyUser, raw: str | None) -> OrgUnit | None:
    """The unit whose subtree to take (None: everything the user sees); a unit the user
    cannot see is refused exactly like one that does not exist."""
    value = (raw or "").strip()
    if not value:
        return None
    pk = parse_id(value)
    if pk is None:
        raise BadSelection(value)
    unit = visible_to(OrgUnit.objects.all(), user).filter(pk=pk).first()
    if unit is None:
        raise BadSelection(value)
    return unit


def cycle_documents(
    user: AnyUser, version: FrameworkVersion, unit: OrgUnit | None = None, status: str = ""
) -> QuerySet[Document]:
    """The version's documents the user may see, of ``unit`` and the units below it, in
    the order of the unit tree."""
    documents = visible_to(Document.objects.filter(framework_version=version), user)
    if unit is not None:
        documents = documents.filter(org_unit__path__startswith=unit.path)
    if status:
        documents = documents.filter(status=status)
    return documents.select_related("org_unit", "framework").order_by("org_unit__path", "pk")
