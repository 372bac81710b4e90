"""An editor cites a legal document missing from the catalogue: a proposal for the
central administrators, never a silent change to the national catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import requires
from govplan.access.scoping import Capability
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.frameworks.vocab import LEGAL_TYPES
from govplan.documents.access import load_document
from govplan.documents.actions import do_cite_new_legal_document
from govplan.documents.content import ContentError
from govplan.webutils.inputs import parse_day


@requires(Capability.EDIT)
@require_POST
def legal_new(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    spec = document.framework_version.parsed()
    section = spec.section(code)
    if section is None or section.legal_basis is None:
        raise Http404
    back = f"{reverse('document_edit', args=[pk])}#s-{code}"
    number = request.POST.get("legal_number", "").strip()
    issuer = request.POST.get("legal_issuer", "").strip()
    title = request.POST.get("legal_title", "").strip()
    doc_type = request.POST.get("legal_type", "")
    fields = ((_("Number"), number, 100), (_("Issuer"), issuer, 300), (_("Title"), title, 1000))
    too_long = [
        _("%(field)s is too long: at most %(max)s characters.") % {"field": label, "max": limit}
        for label, value, limit in fields
        if len(value) > limit
    ]
    if too_long:
        messages.error(request, " ".join(too_long))
        return redirect(back)
    missing = [label for label, value, _limit in fields if not value]
    if doc_type not in LEGAL_TYPES:
        missing.append(_("Type"))
    date = None
    if request.POST.get("legal_date"):
        date = parse_day(request.POST["legal_date"])
        if date is None:
            missing.append(_("Date"))
    if missing:
        messages.error(request, _("Fill in: %(fields)s.") % {"fields": ", ".join(missing)})
        return redirect(back)
    try:
        do_cite_new_legal_document(
            document,
            code,
            number=number,
            issuer=issuer,
            title=title,
            doc_type=doc_type,
            date=date,
            actor=request.user,
        )
    except ContentError as exc:
        for text in exc.errors.values():
            messages.error(request, text)
        return redirect(back)
    messages.success(
        request,
        _(
            "%(number)s cited. It is proposed to the central administrators for the national "
            "catalogue; until they accept it, only this document cites it."
        )
        % {"number": number},
    )
    return redirect(back)
