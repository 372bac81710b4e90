"""Completeness and timeliness pages: the cycles, one cycle's counts at each level, the list
behind each count, and the reminders to the late ones (govplan.national.completeness)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from govplan.access.policies import requires
from govplan.access.scoping import Capability, get_for, visible_to
from govplan.accounts.types import AuthenticatedRequest
from govplan.documents.models import Document
from govplan.frameworks.access import load_version
from govplan.frameworks.models import FrameworkVersion
from govplan.national import completeness as figures
from govplan.national.actions import (
    ALREADY_TODAY,
    NOBODY,
    NOT_YOURS,
    SUBMITTED,
    do_send_reminders,
    may_remind,
)
from govplan.orgunits.models import OrgUnit
from govplan.webutils.inputs import InputRefused, int_param

PER_PAGE = 50
SHOWN_NAMES = 20  # units named in a reminder's result, per reason


def _load_cycle(request: AuthenticatedRequest, code: str, number: int) -> FrameworkVersion:
    """A published version the user may see; 404 otherwise (a draft expects nobody yet)."""
    version = load_version(request, code, number)
    if not version.is_published:
        raise Http404
    return version


def _subtree(request: AuthenticatedRequest, data: QueryDict) -> OrgUnit | None:
    """The unit whose subtree is asked for (``unit``), if the user sees it; 404 otherwise."""
    pk = int_param(data, "unit")
    return None if pk is None else get_for(request.user, OrgUnit, pk=pk)


def _choice(data: QueryDict, name: str, allowed: dict[str, Any]) -> str:
    value = str(data.get(name, ""))
    if value and value not in allowed:
        raise InputRefused(
            name,
            _("“%(field)s” must be one of %(allowed)s.")
            % {"field": name, "allowed": ", ".join(allowed)},
        )
    return value


def _query(**params: Any) -> str:
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items() if v not in (None, "")})
    return query.urlencode()


@requires(Capability.VIEW)
def index(request: AuthenticatedRequest) -> HttpResponse:
    """Every published cycle with how many of the units the user sees have filed it."""
    return render(
        request, "national/completeness_index.html", {"cycles": figures.cycles(request.user)}
    )


@requires(Capability.VIEW)
def cycle(request: AuthenticatedRequest, code: str, number: int) -> HttpResponse:
    """One cycle's counts and rates at each level, each count a link to its list."""
    version = _load_cycle(request, code, number)
    subtree = _subtree(request, request.GET)
    summary = figures.summary(version, request.user, subtree)
    list_url = reverse("national_completeness_list", args=[code, number])
    unit = subtree.pk if subtree else None

    def link(status: str = "", level: str = "") -> str:
        return f"{list_url}?{_query(status=status, level=level, unit=unit)}"

    def row(line: figures.Line) -> dict[str, Any]:
        return {
            "line": line,
            "expected_url": link(level=line.level),
            "cells": [(n, link(code_, line.level)) for code_, n in line.cells()],
            "overdue_url": link(figures.OVERDUE, line.level),
            "on_time_url": link(figures.FILED_ON_TIME, line.level),
            "late_url": link(figures.FILED_LATE, line.level),
            "filed_percent": figures.percent(line.filed_rate),
            "on_time_percent": figures.percent(line.on_time_rate),
            "done_percent": figures.percent(line.done_rate),
        }

    return render(
        request,
        "national/completeness.html",
        {
            "version": version,
            "subtree": subtree,
            "subtree_name": subtree.name_on(version.structure_date) if subtree else "",
            "summary": summary,
            "statuses": figures.STATUSES,
            "rows": [row(line) for line in summary.levels],
            "total": row(summary.total),
            "parents": [
                {
                    "line": line,
                    "url": f"{request.path}?{_query(unit=line.unit_id)}",
                    "filed_percent": figures.percent(line.filed_rate),
                    "on_time_percent": figures.percent(line.on_time_rate),
                }
                for line in summary.parents
            ],
        },
    )


@requires(Capability.VIEW)
def unit_list(request: AuthenticatedRequest, code: str, number: int) -> HttpResponse:
    """The units behind one count: status (or figure) × level, in the user's scope."""
    version = _load_cycle(request, code, number)
    subtree = _subtree(request, request.GET)
    status = _choice(request.GET, "status", figures.FILTERS)
    level = _choice(request.GET, "level", figures.LEVEL_LABELS)
    today = timezone.localdate()
    rows = figures.listing(
        figures.filtered(
            figures.expected(version, request.user, subtree),
            version,
            today,
            status=status,
            level=level,
        )
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    doc_ids = [r.doc_id for r in page if r.doc_id]
    openable = set(
        visible_to(Document.objects.filter(pk__in=doc_ids), request.user).values_list(
            "pk", flat=True
        )
    )
    day = version.structure_date
    passed = figures.deadline_passed(version, today)
    items = [
        {
            "target": r,
            "name": r.org_unit.name_on(day),
            "status": figures.STATUS_LABELS[figures.status_of(r)],
            "overdue": passed and figures.status_of(r) in (figures.NOT_STARTED, figures.DRAFT),
            "document_url": reverse("document_edit", args=[r.doc_id])
            if r.doc_id in openable
            else "",
            "subtree_url": reverse("national_completeness", args=[code, number])
            + "?"
            + _query(unit=r.org_unit_id),
        }
        for r in page
    ]
    return render(
        request,
        "national/completeness_list.html",
        {
            "version": version,
            "subtree": subtree,
            "subtree_name": subtree.name_on(day) if subtree else "",
            "status": status,
            "status_label": figures.FILTERS.get(status, ""),
            "level": level,
            "level_label": figures.LEVEL_LABELS.get(level, ""),
            "page": page,
            "items": items,
            "can_remind": may_remind(request.user),
            "back_url": reverse("national_completeness", args=[code, number])
            + ("?" + _query(unit=subtree.pk) if subtree else ""),
        },
    )


REASONS = {
    SUBMITTED: _("already submitted"),
    NOT_YOURS: _("not a unit you may remind"),
    ALREADY_TODAY: _("already reminded today"),
    NOBODY: _("no editor or approver to tell"),
}


@requires(Capability.VIEW)
@require_POST
def remind(request: AuthenticatedRequest, code: str, number: int) -> HttpResponse:
    """Remind the late units of the list (its filters, all its pages); once a day each."""
    version = _load_cycle(request, code, number)
    if not may_remind(request.user):
        raise PermissionDenied
    subtree = _subtree(request, request.POST)
    status = _choice(request.POST, "status", figures.FILTERS)
    level = _choice(request.POST, "level", figures.LEVEL_LABELS)
    today = timezone.localdate()
    targets = figures.remindable(
        figures.filtered(
            figures.expected(version, request.user, subtree),
            version,
            today,
            status=status,
            level=level,
        )
    )
    result = do_send_reminders(version, targets, actor=request.user, today=today)
    day = version.structure_date
    if result.reminded:
        messages.success(
            request,
            ngettext(
                "%(units)s unit reminded (%(people)s person told).",
                "%(units)s units reminded (%(people)s people told).",
                len(result.reminded),
            )
            % {"units": len(result.reminded), "people": result.people},
        )
    else:
        messages.info(request, _("No unit was reminded."))
    for reason, units in result.skipped.items():
        names = ", ".join(u.name_on(day) for u in units[:SHOWN_NAMES])
        if len(units) > SHOWN_NAMES:
            names += " " + _("and %(n)s more") % {"n": len(units) - SHOWN_NAMES}
        messages.warning(
            request,
            _("Skipped, %(reason)s: %(names)s")
            % {"reason": REASONS.get(reason, reason), "names": names},
        )
    url = reverse("national_completeness_list", args=[code, number])
    query = _query(status=status, level=level, unit=subtree.pk if subtree else None)
    return redirect(f"{url}?{query}" if query else url)
