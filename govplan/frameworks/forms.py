from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govplan.orgunits.models import Kind
from govplan.webutils.forms import date_field

MAX_UPLOAD = 2_000_000
FRAMEWORK_EXTENSIONS = (".yaml", ".yml", ".json")


class SpecUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (YAML or JSON)"),
        required=False,
        help_text=_("At most 2 MB. See “Writing a framework” for the format."),
    )
    text = forms.CharField(
        label=_("…or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code-input"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None and not (data.get("text") or "").strip():
            raise ValidationError(_("Choose a file or paste its text."))
        if upload is not None:
            name = upload.name.lower()
            if not name.endswith(FRAMEWORK_EXTENSIONS):
                self.add_error("file", _("Only .yaml, .yml or .json files are accepted."))
            elif upload.size > MAX_UPLOAD:
                self.add_error("file", _("The file is larger than 2 MB."))
        return data

    def content(self) -> bytes | str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return b"".join(upload.chunks())
        return str(self.cleaned_data["text"])


class DraftEditForm(forms.Form):
    text = forms.CharField(
        label=_("Framework file"),
        widget=forms.Textarea(attrs={"rows": 40, "spellcheck": "false", "class": "code-input"}),
        max_length=MAX_UPLOAD,
    )


class PublishForm(forms.Form):
    deadline = date_field(
        _("Last day on time"),
        help_text=_(
            "A document sent on this day is on time. For the letter's “before 30/11”, "
            "enter 29/11. Leave empty when the letter sets no deadline."
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Unit kinds it applies to"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.CharField(
        label=_("Named units"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line as scheme:code, e.g. govplan:BQP or gso-province:24."),
    )
    resolve_on = date_field(
        _("Units in force on"),
        help_text=_(
            "Leave empty to take the units in force on the deadline (today when there is none)."
        ),
    )

    def unit_refs(self) -> list[str]:
        text = self.cleaned_data.get("units") or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class CloneForm(forms.Form):
    new_code = forms.RegexField(
        label=_("Code of the new framework"),
        regex=r"^[A-Z0-9][A-Z0-9_.\-]*$",
        max_length=64,
        error_messages={"invalid": _("Use upper-case letters, digits, '.', '_' and '-'.")},
    )
    delta = forms.IntegerField(
        label=_("Move the years forward by"), min_value=1, max_value=10, initial=1
    )


LEGAL_TYPE_LABELS = {
    "law": _("Law"),
    "resolution": _("Resolution"),
    "decree": _("Decree"),
    "decision": _("Decision"),
    "directive": _("Directive"),
    "circular": _("Circular"),
    "letter": _("Official letter"),
    "plan": _("Plan"),
    "other": _("Other"),
}


class LegalEntryForm(forms.Form):
    """An entry of the legal-document catalogue as a central administrator adds or corrects
    it (the code only when adding: documents cite it by code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        help_text=_("Capital letters, digits and hyphens, e.g. ND-42-2022; it never changes."),
    )
    doc_type = forms.ChoiceField(label=_("Type"), choices=list(LEGAL_TYPE_LABELS.items()))
    number = forms.CharField(label=_("Number"), max_length=100)
    date = date_field(_("Date of issue"))
    issuer = forms.CharField(label=_("Issuer"), max_length=300)
    title = forms.CharField(
        label=_("Title"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, with_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]
