from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govplan.accounts.models import User
from govplan.official.models import IssuingData, IssuingProfile
from govplan.webutils.forms import date_field

# The number of an official document: digits, maybe a letter or a dot (2668, 12a, 1.2); in
# ASCII, since "²" and "٣" pass str.isalnum() but print as nothing a reader could cite.
NUMBER_RE = re.compile(r"[0-9A-Za-z.]+")


def official_number(value: str) -> str:
    number = value.strip()
    if number and not NUMBER_RE.fullmatch(number):
        raise forms.ValidationError(
            _("Only the number, e.g. 2668: the “/KH-UBND” part is added from the settings.")
        )
    return number


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = IssuingProfile
        fields = (
            "parent_body",
            "issuing_body",
            "issuer_name",
            "issuer_code",
            "place",
            "signer_authority",
            "signer_on_behalf",
            "signer_title",
            "signer_name",
            "recipients",
            "archive",
            "mode",
        )
        widgets = {
            "issuing_body": forms.Textarea(attrs={"rows": 2}),
            "recipients": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "parent_body": _("Only for a body under another, e.g. “UBND TỈNH BẮC NINH”."),
            "issuing_body": _("In upper case, as in the header; a line break where it breaks."),
            "issuer_code": _("As in the number: 2668/KH-UBND."),
            "signer_authority": _("“TM. ỦY BAN NHÂN DÂN” when signing for a collective body."),
            "signer_on_behalf": _("“KT. CHỦ TỊCH” when a deputy signs."),
        }


class IssuingDataForm(forms.ModelForm):  # type: ignore[type-arg]
    date = date_field(_("Date of issue"))
    decision_date = date_field(_("Decision date"))

    class Meta:
        model = IssuingData
        fields = (
            "number",
            "date",
            "subject",
            "mode",
            "decision_number",
            "decision_date",
            "legal_bases",
            "signer_name",
            "signer_title",
            "signer_on_behalf",
            "recipients",
        )
        widgets = {
            "legal_bases": forms.Textarea(attrs={"rows": 4}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "number": _("Only the number (2668); leave empty until the document is numbered."),
            "subject": _("Empty: from the framework, e.g. “Chuyển đổi số năm 2027”."),
            "mode": _("Empty: as the unit's settings say."),
            "recipients": _("Empty: the unit's usual recipients."),
        }

    def clean_number(self) -> str:
        return official_number(self.cleaned_data["number"])

    def clean_decision_number(self) -> str:
        return official_number(self.cleaned_data["decision_number"])

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("number") and not cleaned.get("date"):
            self.add_error("date", _("A numbered document needs its date."))
        return cleaned


class SignForm(forms.Form):
    number = forms.CharField(
        label=_("number"),
        max_length=20,
        help_text=_("Only the number (2668): the “/KH-UBND” part comes from the settings."),
    )
    date = date_field(_("date"), required=True)
    key_file = forms.FileField(
        label=_("key file (.p12 or .pfx)"),
        help_text=_(
            "The signer's key and certificate. It is used for this signature only and not kept."
        ),
    )
    passphrase = forms.CharField(
        label=_("passphrase of the key file"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )

    def clean_number(self) -> str:
        return official_number(self.cleaned_data["number"])

    def clean_key_file(self) -> Any:
        upload = self.cleaned_data["key_file"]
        if upload.size > 256 * 1024:
            raise forms.ValidationError(_("This is not a key file: it is far too large."))
        return upload


class CertificateForm(forms.Form):
    """A signer's public certificate (PEM or DER), and for whom: an approver registers their
    own, a central administrator chooses the approver."""

    user = forms.ModelChoiceField(
        queryset=None, label=_("approver"), empty_label=None, required=False
    )
    certificate = forms.FileField(
        label=_("certificate (.cer, .crt or .pem)"),
        help_text=_(
            "The public certificate only, as the certification authority issued it (exported "
            "from the USB token's tool): never the key file."
        ),
    )

    def __init__(self, *args: Any, people: list[Any], actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self.people = people
        self.fields["user"].queryset = User.objects.filter(pk__in=[p.pk for p in people])
        if [p.pk for p in people] == [actor.pk]:
            del self.fields["user"]  # for themself: nothing to choose

    def clean_user(self) -> Any:
        user = self.cleaned_data.get("user")
        if user is None:
            raise forms.ValidationError(_("Choose the approver."))
        return user

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if "user" not in self.fields and self.people:
            cleaned["user"] = self.people[0]
        return cleaned
