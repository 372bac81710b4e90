from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from govplan.orgunits.models import Kind, OrgUnit, Scheme
from govplan.webutils.forms import date_field


class BrowseForm(forms.Form):
    as_of = date_field(_("As of"))
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )

    def day(self) -> Any:
        if self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return timezone.localdate()


class UnitCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    scheme = forms.ChoiceField(label=_("Code scheme"), choices=Scheme.choices, initial="govplan")
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Official name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=255, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=255, required=False)
    level_name = forms.CharField(
        label=_("Type"), max_length=64, required=False, help_text=_("e.g. Sở, Phường, Xã")
    )
    parent_id = forms.TypedChoiceField(label=_("Parent unit"), coerce=int, required=False)
    valid_from = date_field(_("Valid from"))
    valid_to = date_field(
        _("Valid to"),
        help_text=_("Leave empty while the unit is in force."),
    )

    def __init__(self, *args: Any, parent: OrgUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, str | Promise]] = [("", _("— none (top level) —"))]
        if parent is not None:
            choices.append((parent.pk, parent.name))
            self.fields["parent_id"].initial = parent.pk
        cast(forms.ChoiceField, self.fields["parent_id"]).choices = choices

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


# Unparametrised: ModelForm[X] fails at run time without django-stubs-ext's monkeypatch.
class UnitEditForm(forms.ModelForm):  # type: ignore[type-arg]
    rename_from = date_field(
        _("New name takes effect on"),
        help_text=_(
            "Give a date to keep the old name in the unit's history; leave empty to correct "
            "a mistake in the name."
        ),
    )
    valid_to = date_field(_("valid to"))

    class Meta:
        model = OrgUnit
        fields = ["kind", "name", "short_name", "name_en", "level_name", "valid_to"]
