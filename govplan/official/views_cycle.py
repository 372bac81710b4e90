"""A whole cycle's tables in one workbook: every document of a framework version the user may
see (optionally one unit's subtree, optionally one status), as XLSX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _

from govplan.access.policies import authenticated
from govplan.access.scoping import Capability, scope_for
from govplan.documents.models import DocumentStatus
from govplan.frameworks.access import load_version
from govplan.official.cycle import BadSelection, cycle_documents, parse_status, parse_unit
from govplan.official.cycle_workbook import cycle_workbook
from govplan.webutils.downloads import XLSX, attachment


def _bad_request(text: str) -> HttpResponse:
    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")


@authenticated
def cycle_xlsx(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = load_version(request, code, number)
    try:
        status = parse_status(request.GET.get("status"))
    except BadSelection as exc:
        return _bad_request(
            _("Unknown document status “%(value)s”; use one of: %(statuses)s.")
            % {"value": str(exc)[:100], "statuses": ", ".join(DocumentStatus.values)}
        )
    try:
        unit = parse_unit(request.user, request.GET.get("unit"))
    except BadSelection as exc:
        # A unit that exists but is out of reach is refused exactly like one that does not.
        return _bad_request(
            _("“%(value)s” is not a unit you can see; choose one of your units.")
            % {"value": str(exc)[:100]}
        )
    documents = list(cycle_documents(request.user, version, unit, status))
    spec = version.parsed()
    with translation.override("vi"):  # the workbook is written in Vietnamese
        if unit is not None:
            where = unit.name
        elif scope_for(request.user).grant(Capability.VIEW).national:
            where = "Cả nước"
        else:
            where = "Các đơn vị trong phạm vi được xem"
        title = f"{spec.title} – {where}"
        if status:
            title += f" – {DocumentStatus(status).label}"
    content = cycle_workbook(version, documents, title=title)
    return attachment(content, XLSX, f"{version.framework.code}-v{version.number}-bang-bieu.xlsx")
