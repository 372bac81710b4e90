from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.forms import SetPasswordForm as ResetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from govplan.access.policies import authenticated, public, requires
from govplan.access.scoping import Capability, get_for, visible_to
from govplan.accounts import second_factor
from govplan.accounts.actions import (
    do_create_user,
    do_enrol_second_factor,
    do_grant_membership,
    do_regenerate_recovery_codes,
    do_request_password_reset,
    do_reset_password,
    do_reset_second_factor,
    do_revoke_membership,
    do_set_password,
    do_update_user,
    do_verify_second_factor,
)
from govplan.accounts.forms import (
    MembershipForm,
    NewUserForm,
    OTPEnrolForm,
    OTPTokenForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    UnitSearchForm,
    UserFilterForm,
    UserForm,
)
from govplan.accounts.middleware import owed_step
from govplan.accounts.models import Membership, User
from govplan.accounts.types import AuthenticatedRequest
from govplan.audit.origin import current_origin
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
            "otp_enrolled": second_factor.has_second_factor(target),
            "otp_required": second_factor.requires_second_factor(target),
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


@requires(Capability.ADMINISTER)
@require_POST
def user_reset_second_factor(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A lost phone: the user's authenticator and recovery codes go; they enrol again."""
    target = _load_user(request, pk)
    do_reset_second_factor(target, actor=request.user)
    messages.success(
        request,
        _("Two-factor authentication of %(name)s reset: they set it up again at next login.")
        % {"name": target.username},
    )
    return redirect("user_detail", pk=target.pk)


# --- the signed-in user's own second factor and password ------------------------------------


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _after_step(request: HttpRequest) -> HttpResponse:
    """On to what the user still owes (the gate's next step), else where they were going."""
    step = owed_step(request)
    if step is not None:
        return HttpResponseRedirect(f"{reverse(step)}?next={_next_url(request)}")
    return HttpResponseRedirect(_next_url(request))


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """Recovery codes, shown this once (never stored in clear after this response)."""
    response = render(
        request, "accounts/otp_recovery_codes.html", {"codes": codes, "next": _next_url(request)}
    )
    response["Cache-Control"] = "no-store"
    return response


@authenticated
@never_cache
@sensitive_post_parameters("token")
def otp_verify(request: AuthenticatedRequest) -> HttpResponse:
    """After the password, the code from the authenticator app (or a recovery code)."""
    if request.user.is_verified() or not second_factor.has_second_factor(request.user):  # type: ignore[attr-defined]
        return _after_step(request)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = do_verify_second_factor(request.user, form.cleaned_data["token"])
        if result.device is not None:
            request.session.cycle_key()  # a new session id for the stronger session
            django_otp.login(request, result.device)
            if result.recovery_code:
                left = second_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "Recovery code used: %(left)d left. Make new ones on your account page.",
                        "Recovery code used: %(left)d left. Make new ones on your account page.",
                        left,
                    )
                    % {"left": left},
                )
            return _after_step(request)
        if result.wait_seconds:
            form.add_error(
                "token",
                ngettext(
                    "Too many wrong codes. Wait %(seconds)d second and try again.",
                    "Too many wrong codes. Wait %(seconds)d seconds and try again.",
                    result.wait_seconds,
                )
                % {"seconds": result.wait_seconds},
            )
        else:
            form.add_error("token", _("That code is not right, or it was already used."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


PENDING_KEY = "govplan_otp_pending_key"


@authenticated
@never_cache
@sensitive_post_parameters("token")
def otp_enrol(request: AuthenticatedRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, type its first code. The secret waits
    in the session until a code proves the app has it; only then is a device stored."""
    user = request.user
    secret = request.session.get(PENDING_KEY)
    if request.method != "POST" or not secret:
        secret = second_factor.new_secret()
        request.session[PENDING_KEY] = secret
    form = OTPEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = do_enrol_second_factor(user, secret, form.cleaned_data["token"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            del request.session[PENDING_KEY]
            request.session.cycle_key()
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return _codes_page(request, codes)
    response = render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr_svg": second_factor.qr_svg(second_factor.otpauth_uri(user, secret)),
            "manual_key": second_factor.base32_secret(secret),
            "required": second_factor.requires_second_factor(user),
            "replacing": second_factor.has_second_factor(user),
            "next": _next_url(request),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@authenticated
@require_POST
def otp_recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a user with an authenticator."""
    if not second_factor.has_second_factor(request.user):
        messages.error(request, _("Set up two-factor authentication first."))
        return redirect("profile")
    return _codes_page(request, do_regenerate_recovery_codes(request.user))


@authenticated
@require_POST
def otp_disable(request: AuthenticatedRequest) -> HttpResponse:
    """Turn two-factor authentication off, for a user whose roles do not require it."""
    if second_factor.requires_second_factor(request.user):
        messages.error(request, _("Your role requires two-factor authentication: it stays on."))
        return redirect("profile")
    do_reset_second_factor(request.user, actor=request.user)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("profile")


@authenticated
@never_cache
@sensitive_post_parameters()
def password_change_required(request: AuthenticatedRequest) -> HttpResponse:
    """An administrator set this user's password: they choose their own before anything."""
    if not request.user.must_change_password:
        return _after_step(request)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_set_password(request.user, form.cleaned_data["new_password1"], actor=request.user)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return _after_step(request)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/password_change_required.html", context)


# --- password reset by e-mail (Django's views; single-use links that expire) -----------------


def _over_limit(key: str) -> bool:
    """Count one more request under ``key`` this hour; whether it is beyond the limit."""
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    limit: int = settings.PASSWORD_RESET_PER_HOUR
    return count > limit


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        address = current_origin().ip or "unknown"
        if _over_limit(f"govplan:pwreset:ip:{address}"):
            busy = render(self.request, "registration/password_reset_busy.html", status=429)
            busy["Retry-After"] = "3600"
            return busy
        email: str = form.cleaned_data["email"]
        users = list(form.get_users(email))
        do_request_password_reset(email, users)
        if _over_limit(f"govplan:pwreset:email:{email.lower()}"):
            # Said the same as when the mail goes: nothing tells whether the address exists.
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        response: HttpResponse = super().form_valid(form)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        do_reset_password(form.user, form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


password_reset = public(PasswordResetView.as_view())
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
)
password_reset_confirm = public(PasswordResetConfirmView.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_reset_complete.html"
    )
)
