from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, requires
from govplan.access.scoping import Capability, scope_for, visible_to
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.frameworks.catalogue import parse_catalogue
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text
from govplan.frameworks import actions, views_legal
from govplan.frameworks.access import load_version
from govplan.frameworks.catalogues import apply_catalogue
from govplan.frameworks.forms import CloneForm, DraftEditForm, PublishForm, SpecUploadForm
from govplan.frameworks.models import (
    Dimension,
    FrameworkVersion,
    Indicator,
    LegalDocument,
    LegalStatus,
    Status,
)
from govplan.frameworks.presentation import blank_form_context, delivery_label, problem_text
from govplan.orgunits.models import Kind
from govplan.webutils.downloads import attachment
from govplan.webutils.forms import attach_errors

INDICATORS_PER_PAGE = 100


def _versions(request: HttpRequest, capability: Capability = Capability.VIEW) -> Any:
    return visible_to(
        FrameworkVersion.objects.select_related("framework"), request.user, capability
    )


def _problems(exc: SpecError) -> list[str]:
    return [problem_text(p) for p in exc.problems]


@authenticated
def framework_list(request: HttpRequest) -> HttpResponse:
    versions = list(_versions(request).order_by("-period_start", "framework__code", "-number"))
    latest: dict[str, FrameworkVersion] = {}
    drafts: dict[str, FrameworkVersion] = {}
    for version in versions:
        if version.status == Status.DRAFT:
            drafts.setdefault(version.framework.code, version)
        else:
            latest.setdefault(version.framework.code, version)
    published = sorted(latest.values(), key=lambda v: (-v.period_start, v.framework.code))
    return render(
        request,
        "frameworks/framework_list.html",
        {
            "published": published,
            "drafts": sorted(drafts.values(), key=lambda v: v.framework.code),
            "can_administer": scope_for(request.user).is_central_admin,
        },
    )


@requires(Capability.ADMINISTER)
def framework_upload(request: AuthenticatedRequest) -> HttpResponse:
    form = SpecUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.do_upload_framework(form.content(), actor=request.user)
        except SpecError as exc:
            problems = _problems(exc)
        else:
            messages.success(
                request,
                _("Draft %(code)s version %(number)s saved. Check the blank form, then publish.")
                % {"code": version.framework.code, "number": version.number},
            )
            return redirect("framework_version", code=version.framework.code, number=version.number)
    return render(request, "frameworks/framework_upload.html", {"form": form, "problems": problems})


@authenticated
def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = load_version(request, code, number)
    spec = version.parsed()
    targets = Counter(version.targets.values_list("org_unit__kind", flat=True))
    others = (
        _versions(request)
        .filter(framework=version.framework)
        .exclude(pk=version.pk)
        .order_by("-number")
    )
    return render(
        request,
        "frameworks/version_detail.html",
        {
            "version": version,
            "spec": spec,
            "delivery": delivery_label(spec),
            "sections": list(spec.walk()),
            "target_counts": [(Kind(k).label, n) for k, n in sorted(targets.items())],
            "target_total": sum(targets.values()),
            "others": others,
            "can_administer": scope_for(request.user).is_central_admin,
            "has_draft": version.framework.versions.filter(status=Status.DRAFT).exists(),
        },
    )


@authenticated
def version_form(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The blank form an agency would fill, printable."""
    version = load_version(request, code, number)
    return render(request, "frameworks/blank_form.html", blank_form_context(version))


@authenticated
def version_source(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = load_version(request, code, number)
    return attachment(
        version.source_text, "application/yaml; charset=utf-8", f"{code}-v{number}.yaml"
    )


def _draft(request: HttpRequest, code: str, number: int) -> FrameworkVersion:
    version = load_version(request, code, number, Capability.ADMINISTER)
    if version.is_published:
        raise PermissionDenied
    return version


@requires(Capability.ADMINISTER)
def version_edit(request: AuthenticatedRequest, code: str, number: int) -> HttpResponse:
    version = _draft(request, code, number)
    form = DraftEditForm(request.POST or None, initial={"text": version.source_text})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_draft(version, form.cleaned_data["text"], actor=request.user)
        except SpecError as exc:
            problems = _problems(exc)
        except ValidationError as exc:
            problems = list(exc.messages)
        else:
            messages.success(request, _("Draft saved and checked: no problem found."))
            return redirect("framework_version", code=code, number=number)
    return render(
        request,
        "frameworks/version_edit.html",
        {"version": version, "form": form, "problems": problems},
    )


@requires(Capability.ADMINISTER)
def version_publish(request: AuthenticatedRequest, code: str, number: int) -> HttpResponse:
    version = _draft(request, code, number)
    spec = version.parsed()
    form = PublishForm(
        request.POST or None,
        initial={
            "deadline": spec.reporting.last_day,
            "kinds": list(spec.applies_to.kinds),
            "units": "\n".join(spec.applies_to.units),
        },
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_publish(
                version,
                actor=request.user,
                deadline=form.cleaned_data["deadline"],
                kinds=form.cleaned_data["kinds"],
                unit_refs=form.unit_refs(),
                resolve_on=form.cleaned_data["resolve_on"],
            )
        except SpecError as exc:
            problems = _problems(exc)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Published. The units it applies to now see it as due."))
            return redirect("framework_version", code=code, number=number)
    return render(
        request,
        "frameworks/version_publish.html",
        {"version": version, "spec": spec, "form": form, "problems": problems},
    )


@requires(Capability.ADMINISTER)
def version_clone(request: AuthenticatedRequest, code: str, number: int) -> HttpResponse:
    version = load_version(request, code, number, Capability.ADMINISTER)
    length = version.period_end - version.period_start + 1
    suggested = re.sub(r"\d{4}", lambda m: str(int(m.group()) + length), version.framework.code)
    form = CloneForm(request.POST or None, initial={"new_code": suggested, "delta": length})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            clone = actions.do_clone(
                version,
                actor=request.user,
                new_code=form.cleaned_data["new_code"],
                delta=form.cleaned_data["delta"],
            )
        except SpecError as exc:
            problems = _problems(exc)
        except ValidationError as exc:
            form.add_error("new_code", exc.messages)
        else:
            messages.success(
                request,
                _(
                    "Draft %(code)s created from %(old)s. "
                    "Review the dates and the letter, then publish."
                )
                % {"code": clone.framework.code, "old": version.framework.code},
            )
            return redirect("framework_version", code=clone.framework.code, number=clone.number)
    return render(
        request,
        "frameworks/version_clone.html",
        {"version": version, "form": form, "problems": problems},
    )


@requires(Capability.ADMINISTER)
@require_POST
def version_new(request: AuthenticatedRequest, code: str, number: int) -> HttpResponse:
    version = load_version(request, code, number, Capability.ADMINISTER)
    try:
        draft = actions.do_new_version(version, actor=request.user)
    except SpecError as exc:
        for text in _problems(exc):
            messages.error(request, text)
        return redirect("framework_version", code=code, number=number)
    messages.success(request, _("Draft version %(number)s created.") % {"number": draft.number})
    return redirect("framework_version", code=code, number=draft.number)


@authenticated
def indicator_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    indicators = Indicator.objects.all()
    if query:
        indicators = indicators.filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(name_en__icontains=query)
        )
    page = Paginator(indicators, INDICATORS_PER_PAGE).get_page(request.GET.get("page"))
    dimensions = {d.code: d for d in Dimension.objects.all()}
    return render(
        request,
        "frameworks/indicator_list.html",
        {
            "page": page,
            "query": query,
            "dimensions": dimensions,
            "can_administer": scope_for(request.user).is_central_admin,
        },
    )


@requires(Capability.ADMINISTER)
def catalogue_upload(request: AuthenticatedRequest) -> HttpResponse:
    form = SpecUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            catalogue = parse_catalogue(load_text(form.content()))
            report = apply_catalogue(catalogue, actor=request.user)
        except SpecError as exc:
            problems = _problems(exc)
        else:
            messages.success(
                request,
                _("Catalogue updated: %(created)s new, %(updated)s changed.")
                % {"created": report.created, "updated": report.updated},
            )
            return redirect("indicator_list")
    return render(request, "frameworks/catalogue_upload.html", {"form": form, "problems": problems})


@authenticated
def legal_list(request: HttpRequest) -> HttpResponse:
    """The catalogue with its codes: the entries offered to cite and the retired ones (kept
    for the documents citing them); central administrators maintain it from here."""
    query = request.GET.get("q", "").strip()[:100]
    documents = LegalDocument.objects.filter(
        status__in=(LegalStatus.CATALOGUE, LegalStatus.RETIRED)
    )
    if query:
        documents = documents.filter(
            Q(number__icontains=query) | Q(title__icontains=query) | Q(code__icontains=query)
        )
    central = scope_for(request.user).is_central_admin
    return render(
        request,
        "frameworks/legal_list.html",
        {
            "documents": documents,
            "query": query,
            "can_administer": central,
            "proposals": views_legal.proposal_count() if central else 0,
        },
    )
