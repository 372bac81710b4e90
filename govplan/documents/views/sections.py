"""Saving a whole section with the plain form (no JavaScript): its text and its indicator
values, each still checked and conflict-checked on its own."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import requires
from govplan.access.scoping import Capability
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.documents.keys import EntryKey
from govplan.documents.access import load_document
from govplan.documents.actions import do_save_entry
from govplan.documents.content import ContentError
from govplan.documents.presentation import input_locale
from govplan.documents.read import visible_sections
from govplan.webutils.inputs import int_param


def _base(request: HttpRequest, name: str) -> int:
    return int_param(request.POST, name, 0) or 0


@requires(Capability.EDIT)
@require_POST
def section_save(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    document = load_document(request.user, pk, Capability.EDIT)
    spec = document.framework_version.parsed()
    # The section as the unit sees it: only the indicators it is asked.
    section = next((s for s in visible_sections(spec, document) if s.code == code), None)
    if section is None:
        raise Http404
    saves: list[tuple[str, int, dict[str, object], str]] = []
    if section.narrative and "narrative" in request.POST:
        saves.append(
            (
                str(EntryKey.narrative(code)),
                _base(request, "narrative_base"),
                {"html": request.POST["narrative"]},
                _("Text"),
            )
        )
    for use in section.indicators:
        indicator = spec.indicators[use.indicator]
        cells: dict[str, object] = {}
        for name, value in request.POST.items():
            part, _sep, rest = name.partition("::")
            indicator_code, _sep2, cell = rest.partition("::")
            if indicator_code != indicator.code or part not in ("v", "n", "d"):
                continue
            if part == "v":
                cells[cell] = value
            else:
                cells.setdefault(cell, {})[part] = value  # type: ignore[index]
        saves.append(
            (
                str(EntryKey.value(indicator.code)),
                _base(request, f"base::{indicator.code}"),
                {
                    "cells": cells,
                    "comment": request.POST.get(f"comment::{indicator.code}", ""),
                    "no_data": request.POST.get(f"no_data::{indicator.code}", ""),
                    "no_data_reason": request.POST.get(f"no_data_reason::{indicator.code}", ""),
                },
                indicator.name,
            )
        )
    saved = 0
    for key, base, content, label in saves:
        try:
            result = do_save_entry(
                document, key, base, content, actor=request.user, locale=input_locale()
            )
        except ContentError as exc:
            for field, text in exc.errors.items():
                messages.error(
                    request, f"{label} ({field}): {text}" if field else f"{label}: {text}"
                )
            continue
        if result.status == "conflict":
            messages.error(
                request,
                _(
                    "%(label)s: %(who)s saved another version meanwhile; yours was not saved. "
                    "Reload and compare."
                )
                % {"label": label, "who": result.theirs_by or _("someone")},
            )
        elif result.status in ("saved", "merged"):
            saved += 1
    if saved:
        messages.success(request, _("Section saved."))
    return redirect(f"{document_url(document)}#s-{code}")


def document_url(document: object) -> str:
    from django.urls import reverse

    return reverse("document_edit", args=[document.pk])  # type: ignore[attr-defined]
