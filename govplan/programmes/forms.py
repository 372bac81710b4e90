"""The forms of programmes and tasks: each field says what is wrong with it; the rules
themselves are the actions' (checks.check_task), shown at the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govplan.core.programmes.deadline_text import parse_deadline
from govplan.core.programmes.deadlines import Deadline, DeadlineError
from govplan.documents.models import Document
from govplan.orgunits.models import TOP_LEVEL_KINDS, Kind, OrgUnit, valid_on_q
from govplan.programmes.models import Programme, Task
from govplan.webutils.forms import date_field

AGENCY_KINDS = (Kind.CENTRAL, *TOP_LEVEL_KINDS)
DEADLINE_HELP = _(
    "A day (30/06/2008), a month (01/2008 or tháng 01 năm 2008), a quarter (Quý II/2026), "
    "or “thường xuyên” for a standing task."
)


def agencies(*keep: int) -> QuerySet[OrgUnit]:
    """The units a task is assigned to: ministries, provinces, government agencies and the
    central authority in force today, plus those already chosen (``keep``)."""
    in_force = valid_on_q(timezone.localdate())
    return OrgUnit.objects.filter(Q(kind__in=AGENCY_KINDS) & (in_force | Q(pk__in=keep))).order_by(
        "kind", "name"
    )


MAX_PK = 2**31 - 1


def _check_pk(field: forms.Field, value: Any) -> None:
    """A choice that cannot be a row's id (text, a googol) is an invalid choice, refused
    before the database is asked (which would overflow)."""
    if value in field.empty_values:
        return
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or int(text) > MAX_PK:
        raise forms.ValidationError(
            field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": text[:20]},
        )


class RowChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def to_python(self, value: Any) -> Any:
        _check_pk(self, value)
        return super().to_python(value)


class AgencyChoice(RowChoice):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class AgenciesChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"

    def clean(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else ([value] if value else []):
            _check_pk(self, item)
        return super().clean(value)


class ProgrammeForm(forms.ModelForm):  # type: ignore[type-arg]
    basis_date = date_field(_("date of the establishing document"), required=True)
    assigning_unit = AgencyChoice(queryset=OrgUnit.objects.none(), label=_("assigning authority"))

    class Meta:
        model = Programme
        fields = [
            "code",
            "name",
            "name_en",
            "period_start",
            "period_end",
            "basis_number",
            "basis_date",
            "basis_title",
            "assigning_unit",
            "description",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "name": forms.TextInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = [self.instance.assigning_unit_id] if self.instance.pk else []
        self.fields["assigning_unit"].queryset = agencies(*keep)  # type: ignore[attr-defined]
        self.fields["period_start"].widget.attrs.update(min=1990, max=2100)
        self.fields["period_end"].widget.attrs.update(min=1990, max=2100)

    def clean_period_start(self) -> int:
        value: int = self.cleaned_data["period_start"]
        if not 1990 <= value <= 2100:
            raise forms.ValidationError(_("A year between 1990 and 2100."))
        return value

    def clean_period_end(self) -> int:
        value: int = self.cleaned_data["period_end"]
        if not 1990 <= value <= 2100:
            raise forms.ValidationError(_("A year between 1990 and 2100."))
        return value

    def clean(self) -> dict[str, Any]:
        # The uniqueness of the code is the action's to say (under its own wording).
        data: dict[str, Any] = self.cleaned_data
        return data

    def validate_unique(self) -> None:
        return None


class DeadlineField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=100, help_text=DEADLINE_HELP, **kwargs)

    def clean(self, value: Any) -> Deadline | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_deadline(text)
        except DeadlineError as error:
            raise forms.ValidationError(_(str(error))) from None


class TaskForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    parent = RowChoice(queryset=Task.objects.none(), label=_("Sub-task of"), required=False)
    content = forms.CharField(
        label=_("Content"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    source_document = forms.CharField(label=_("Assigning document"), max_length=300)
    source_article = forms.CharField(label=_("Article"), max_length=100, required=False)
    assigned_on = date_field(_("Assigned on"), required=True)
    # Not required here: the action's message ("a task needs a lead agency") is the one shown.
    lead_unit = AgencyChoice(
        queryset=OrgUnit.objects.none(), label=_("Lead agency"), required=False
    )
    co_units = AgenciesChoice(
        queryset=OrgUnit.objects.none(),
        label=_("Co-operating agencies"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deadline = DeadlineField(label=_("Deadline"), required=False)
    expected_product = forms.CharField(label=_("Expected product"), max_length=500, required=False)

    def __init__(self, *args: Any, programme: Programme, task: Task | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        keep: list[int] = []
        if task is not None:
            keep = [task.lead_unit_id, *task.co_units.values_list("pk", flat=True)]
        self.fields["lead_unit"].queryset = agencies(*keep)  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = agencies(*keep)  # type: ignore[attr-defined]
        parents = Task.objects.filter(programme=programme)
        if task is not None:
            parents = parents.exclude(pk=task.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class EvidenceFields(forms.Form):
    official_number = forms.CharField(label=_("Official number"), max_length=100, required=False)
    document = RowChoice(
        queryset=Document.objects.none(),
        label=_("A document of the agency in GovPlan"),
        required=False,
    )
    file = forms.FileField(label=_("Evidence file"), required=False)

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.filter(  # type: ignore[attr-defined]
            org_unit=task.lead_unit
        ).order_by("-pk")


class ProgressForm(EvidenceFields):
    reported_on = date_field(_("Report date"), required=True)
    text = forms.CharField(
        label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["reported_on", "text", "file", "document", "official_number"]


class CompletionForm(EvidenceFields):
    completed_on = date_field(_("Completed on"), required=True)
    product = forms.CharField(label=_("Product delivered"), max_length=500)
    text = forms.CharField(
        label=_("Report"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["completed_on", "product", "text", "file", "document", "official_number"]


class ExtensionForm(forms.Form):
    deadline = DeadlineField(label=_("New deadline"), required=True)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (required to return or refuse)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the task is reopened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Task list (.xlsx)"))


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    unit = RowChoice(queryset=OrgUnit.objects.none(), label=_("Agency"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        from govplan.core.programmes.deadlines import STATUS_LABELS

        super().__init__(*args, **kwargs)
        choices = [("", _("All")), *((s.value, _(label)) for s, label in STATUS_LABELS.items())]
        self.fields["status"].choices = choices  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
