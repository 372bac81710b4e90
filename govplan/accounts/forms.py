from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from govplan.accounts.models import Role, User


class UserForm(forms.ModelForm):
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

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if password:
            validate_password(password)
        return password


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
        self.fields["org_unit"].choices = unit_choices


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, user name or email"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
