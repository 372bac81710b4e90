"""An editor adds a legal document missing from the catalogue, and cites it."""

from __future__ import annotations

import re
import unicodedata

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import requires
from govplan.access.scoping import Capability
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.core.frameworks.vocab import LEGAL_TYPES
from govplan.documents.access import load_document
from govplan.documents.actions import do_save_entry
from govplan.documents.content import ContentError
from govplan.documents.models import Entry
from govplan.frameworks.models import LegalDocument
from govplan.web.inputs import parse_day


def legal_code(number: str) -> str:
    """A catalogue code from the number as printed: 64/2007/NĐ-CP → USER-64-2007-ND-CP."""
    text = unicodedata.normalize("NFKD", number.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return "USER-" + re.sub(r"[^A-Z0-9]+", "-", text).strip("-")[:50]


@requires(Capability.EDIT)
@require_POST
def legal_new(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    spec = document.framework_version.parsed()
    section = spec.section(code)
    if section is None or section.legal_basis is None:
        raise Http404
    back = f"{reverse('document_edit', args=[pk])}#s-{code}"
    number = request.POST.get("legal_number", "").strip()[:100]
    issuer = request.POST.get("legal_issuer", "").strip()[:300]
    title = request.POST.get("legal_title", "").strip()[:1000]
    doc_type = request.POST.get("legal_type", "")
    missing = [
        label
        for label, value in ((_("Number"), number), (_("Issuer"), issuer), (_("Title"), title))
        if not value
    ]
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
    with transaction.atomic():
        legal, created = LegalDocument.objects.get_or_create(
            code=legal_code(number),
            defaults={
                "doc_type": doc_type,
                "number": number,
                "date": date,
                "issuer": issuer,
                "title": title,
                "from_catalogue": False,
                "created_by": request.user,
            },
        )
        if created:
            record(
                Action.CREATE,
                actor=request.user,
                obj=legal,
                after={"number": number, "issuer": issuer, "title": title, "date": date},
            )
        key = f"legal:{code}"
        entry = Entry.objects.filter(document=document, key=key).first()
        items = list(entry.content.get("items", [])) if entry else []
        if {"code": legal.code} not in items:
            items.append({"code": legal.code})
        try:
            do_save_entry(
                document,
                key,
                entry.revision if entry else 0,
                {"items": items},
                actor=request.user,
                locale="vi",
            )
        except ContentError as exc:
            for text in exc.errors.values():
                messages.error(request, text)
            return redirect(back)
    messages.success(request, _("%(number)s added.") % {"number": number})
    return redirect(back)
