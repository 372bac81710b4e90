from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.core import validators
from django.utils.translation import gettext_lazy as _

from govplan.accounts.models import Role, User

MAX_PASSWORD = 4096  # far beyond any password: a longer one is refused before any hashing


# Unparametrised: ModelForm[X] fails at run time without django-stubs-ext's monkeypatch.
class UserForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ["username", "full_name", "email", "job_title", "phone", "is_active"]


class NewUserForm(UserForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Leave empty to create the account without a password (it cannot log in yet)."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        password = cleaned.get("password", "")
        if password:
            # Checked against the new account's own names too (not saved here).
            person = User(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(password, person)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class SetPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password, self.user)
        return password


class UnitSearchForm(forms.Form):
    unit_q = forms.CharField(label=_("Find the unit (name or code)"), max_length=100)


class MembershipForm(forms.Form):
    org_unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, widget=forms.RadioSelect)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, unit_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["org_unit"]).choices = unit_choices


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, user name or email"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )


class LoginForm(AuthenticationForm):
    """Django's login form, with the length of the user name checked: Django sets the field's
    max_length after the field is made, so no validator holds it, and an over-long name
    reached the authentication backends and django-axes (whose columns hold 255
    characters: a DataError on PostgreSQL, from a page anyone can open)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.CharField, self.fields["username"])
        field.validators.append(validators.MaxLengthValidator(field.max_length))
        password = cast(forms.CharField, self.fields["password"])
        password.max_length = MAX_PASSWORD
        password.validators.append(validators.MaxLengthValidator(MAX_PASSWORD))


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class OTPEnrolForm(forms.Form):
    token = forms.CharField(
        label=_("Code shown by the app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form; the address is length-checked like every other input."""

    email = forms.EmailField(label=_("Email"), max_length=254)
