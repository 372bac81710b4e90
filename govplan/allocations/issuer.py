"""Who issues the allocation decision: the ministry the central authority belonged to on the
day of the decision (the Ministry of Information and Communications until February 2025, the
Ministry of Science and Technology since), named as it was named that day."""

from __future__ import annotations

import datetime as dt

from govplan.orgunits.models import Kind, OrgUnit


def issuing_ministry(on: dt.date) -> tuple[str, str]:
    """(name, code for the decision number) of the issuer on ``on``; the central authority
    itself when it has no ministry above it, ("", "") when there is none that day."""
    central = (
        OrgUnit.objects.valid_on(on)
        .filter(kind=Kind.CENTRAL)
        .select_related("parent")
        .order_by("pk")
        .first()
    )
    if central is None:
        return "", ""
    issuer = central.parent if central.parent is not None else central
    code = issuer.code if issuer.scheme == "govplan" else ""
    return issuer.name_on(on), code
