from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govplan.access.policies import requires
from govplan.access.scoping import Capability, get_for, visible_to
from govplan.accounts.actions import (
    do_create_user,
    do_grant_membership,
    do_revoke_membership,
    do_set_password,
    do_update_user,
)
from govplan.accounts.forms import (
    MembershipForm,
    NewUserForm,
    SetPasswordForm,
    UnitSearchForm,
    UserFilterForm,
    UserForm,
)
from govplan.accounts.models import Membership, User
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.inputs import parse_id
from govplan.orgunits.models import OrgUnit
from govplan.webutils.forms import attach_errors

USERS_PER_PAGE = 50
UNIT_MATCHES = 30


def _administered_users(request: HttpRequest) -> QuerySet[User]:
    return visible_to(User.objects.all(), request.user, Capability.ADMINISTER)


def _load_user(request: HttpRequest, pk: int) -> User:
    return get_for(request.user, _administered_users(request), Capability.ADMINISTER, pk=pk)


@requires(Capability.ADMINISTER)
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    users = _administered_users(request).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("org_unit"))
    )
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        if text:
            users = users.filter(
                Q(username__icontains=text)
                | Q(full_name__icontains=text)
                | Q(email__icontains=text)
            )
        if form.cleaned_data["role"]:
            users = users.filter(memberships__role=form.cleaned_data["role"]).distinct()
    page = Paginator(users.order_by("username"), USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"form": form, "page": page})


@requires(Capability.ADMINISTER)
def user_create(request: AuthenticatedRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
        try:
            user = do_create_user(
                actor=request.user, password=form.cleaned_data["password"], **data
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            return redirect("user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@requires(Capability.ADMINISTER)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _load_user(request, pk)
    memberships = target.memberships.select_related("org_unit").order_by("org_unit__name")
    search = UnitSearchForm(request.GET or None)
    matches: list[OrgUnit] = []
    if search.is_valid():
        matches = list(
            visible_to(OrgUnit.objects.current(), request.user, Capability.ADMINISTER)
            .search(search.cleaned_data["unit_q"])
            .select_related("parent")
            .order_by("depth", "name")[:UNIT_MATCHES]
        )
    membership_form = (
        MembershipForm(unit_choices=[(u.pk, _unit_label(u)) for u in matches]) if matches else None
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "memberships": memberships,
            "search": search,
            "membership_form": membership_form,
            "searched": search.is_bound,
        },
    )


def _unit_label(unit: OrgUnit) -> str:
    parent = f" — {unit.parent.name}" if unit.parent else ""
    return f"{unit.name}{parent} ({unit.code})"


@requires(Capability.ADMINISTER)
def user_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _load_user(request, pk)
    form = UserForm(request.POST or None, instance=User.objects.get(pk=target.pk))
    if request.method == "POST" and form.is_valid():
        if target == request.user and not form.cleaned_data["is_active"]:
            form.add_error("is_active", _("You cannot deactivate your own account."))
        else:
            try:
                do_update_user(
                    target,
                    actor=request.user,
                    **{f: form.cleaned_data[f] for f in UserForm.Meta.fields},
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("user_detail", pk=target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@requires(Capability.ADMINISTER)
def user_set_password(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _load_user(request, pk)
    form = SetPasswordForm(request.POST or None, user=target)
    if request.method == "POST" and form.is_valid():
        do_set_password(target, form.cleaned_data["password"], actor=request.user)
        messages.success(request, _("Password set for %(name)s.") % {"name": target.username})
        return redirect("user_detail", pk=target.pk)
    return render(request, "accounts/user_password.html", {"form": form, "target": target})


@requires(Capability.ADMINISTER)
@require_POST
def membership_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _load_user(request, pk)
    unit_id = parse_id(request.POST.get("org_unit"))
    unit = (
        visible_to(OrgUnit.objects.all(), request.user, Capability.ADMINISTER)
        .filter(pk=unit_id)
        .first()
        if unit_id is not None
        else None
    )
    form = MembershipForm(
        request.POST, unit_choices=[(unit.pk, unit.name)] if unit is not None else []
    )
    if not form.is_valid() or unit is None:
        messages.error(request, _("Choose a unit from the search results and a role."))
        return redirect("user_detail", pk=target.pk)
    try:
        do_grant_membership(target, unit, form.cleaned_data["role"], actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Role granted."))
    return redirect("user_detail", pk=target.pk)


@requires(Capability.ADMINISTER)
@require_POST
def membership_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    membership = get_for(
        request.user,
        Membership.objects.select_related("user", "org_unit"),
        Capability.ADMINISTER,
        pk=pk,
    )
    do_revoke_membership(membership, actor=request.user)
    messages.success(request, _("Role revoked."))
    return redirect("user_detail", pk=membership.user_id)
