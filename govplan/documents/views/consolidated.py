from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.documents.keys import EntryKey
from govplan.core.documents.values import cell_keys
from govplan.documents.access import can_edit, load_document
from govplan.documents.actions import do_save_entry
from govplan.documents.consolidation import consolidated
from govplan.documents.content import ContentError, as_sent
from govplan.webutils.inputs import int_param


@authenticated
def document_consolidated(request: HttpRequest, pk: int) -> HttpResponse:
    document = load_document(request.user, pk)
    context = consolidated(document, request.user)
    context.update({"document": document, "editable": can_edit(request.user, document)})
    return render(request, "documents/consolidated.html", context)


@requires(Capability.EDIT)
@require_POST
def take_sum(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Use the sub-units' sum as the parent's own value of an indicator."""
    document = load_document(request.user, pk, Capability.EDIT)
    code = request.POST.get("indicator", "")
    item = next(
        (i for i in consolidated(document, request.user)["indicators"] if i["code"] == code), None
    )
    if item is None:
        raise Http404
    base = int_param(request.POST, "base", 0)
    assert base is not None
    spec = document.framework_version.parsed()
    key = str(EntryKey.value(code))
    # The sum replaces every cell: one no sub-unit reported is cleared, explicitly, since a
    # save keeps what it leaves out (the comment stays).
    cells: dict[str, object] = dict.fromkeys(cell_keys(spec.indicators[code], spec.dimensions), "")
    cells.update(as_sent(spec, key, item["total"])["cells"])
    try:
        result = do_save_entry(
            document,
            key,
            base,
            {"cells": cells},
            actor=request.user,
            locale="en",
            reason="consolidate",
        )
    except ContentError as exc:
        for text in exc.errors.values():
            messages.error(request, text)
        return redirect("document_consolidated", pk=pk)
    if result.status == "conflict":
        messages.error(
            request, _("Someone changed this value meanwhile; look again before taking the sum.")
        )
    else:
        messages.success(request, _("The sub-units' sum is now this document's value."))
    return redirect("document_consolidated", pk=pk)
