"""The demo's report on assigned tasks: the Ministry of Information and Communications' 2008
report (BC-NHIEMVU-2008, data/frameworks/bc-nhiemvu-2008.yaml), its task table filled from
the demo programme of the 2007 conclusions (docs/programme.md). Written by the central
administrator, who enters the documents of units no longer in force (the ministry merged
into the Ministry of Science and Technology in 2025)."""

from __future__ import annotations

from govplan.accounts.types import User
from govplan.documents.actions import do_create_document, do_fill_rows
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import OrgUnit

FRAMEWORK = "BC-NHIEMVU-2008"
UNIT = ("govplan", "BTTTT")


def load_demo_task_report(actor: User) -> Document | None:
    """The ministry's report, created once and filled from the task list (again: only what
    the list changed since); None when the framework is not published."""
    version = (
        FrameworkVersion.objects.published()
        .filter(framework__code=FRAMEWORK)
        .order_by("-number")
        .first()
    )
    if version is None:
        return None
    unit = OrgUnit.objects.with_code(*UNIT, on=version.structure_date).get()
    document = Document.objects.filter(org_unit=unit, framework=version.framework).first()
    if document is None:
        document = do_create_document(unit=unit, version=version, actor=actor)
    if document.status == "draft":
        do_fill_rows(document, actor=actor)
    return document
