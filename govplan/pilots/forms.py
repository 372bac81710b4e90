"""The pilots' forms. They read the input; the rules (a unit existing on a day, a deadline
within the pilot) are the actions', whose refusals are shown at their fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from govplan.frameworks.models import Indicator
from govplan.orgunits.models import Kind, OrgUnit
from govplan.pilots.actions import COMPARABLE_TYPES
from govplan.pilots.models import Rating, Recommendation
from govplan.programmes.models import Programme, Task
from govplan.webutils.forms import date_field

# The units a pilot is designated among on the form, and its assigning authority: the
# provinces and the national agencies, past and present (a past one is refused with the
# reason, never hidden).
UNIT_KINDS = (Kind.PROVINCE, Kind.MINISTRY, Kind.MINISTRY_LEVEL, Kind.GOV_AGENCY)
AUTHORITY_KINDS = (Kind.CENTRAL, *UNIT_KINDS)


def _validity(unit: OrgUnit) -> str:
    start = formats.date_format(unit.valid_from, "SHORT_DATE_FORMAT") if unit.valid_from else "…"
    end = formats.date_format(unit.valid_to, "SHORT_DATE_FORMAT") if unit.valid_to else ""
    return f"{start} – {end}" if end or unit.valid_from else ""


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        span = _validity(obj)
        return f"{obj.name} ({span})" if span else str(obj.name)


def units_of(kinds: tuple[str, ...]) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind__in=kinds).order_by("kind", "name", "valid_from")


class PilotForm(forms.Form):
    name = forms.CharField(label=_("Name of the model"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        required=False,
        empty_label=_("— none —"),
    )
    task_code = forms.CharField(
        label=_("Task code in the programme"),
        max_length=64,
        required=False,
        help_text=_("The programme's task the pilot carries out (optional)."),
    )
    assigning_unit = UnitChoice(
        label=_("Assigning authority"),
        queryset=units_of(AUTHORITY_KINDS),
        help_text=_("It designates the pilot units and evaluates the pilot."),
    )
    start_date = date_field(_("Starts on"), required=True)
    end_date = date_field(_("Ends on"))
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators the pilot is judged by"),
        queryset=Indicator.objects.filter(value_type__in=COMPARABLE_TYPES).order_by("code"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("task_code") or "").strip()
        data["task"] = None
        if code:
            programme = data.get("programme")
            if programme is None:
                self.add_error("task_code", _("Choose the programme the task belongs to."))
            else:
                task = Task.objects.filter(programme=programme, code=code).first()
                if task is None:
                    self.add_error(
                        "task_code",
                        _("The programme has no task %(code)s.") % {"code": code},
                    )
                data["task"] = task
        return data


class DesignateForm(forms.Form):
    unit = UnitChoice(label=_("Unit"), queryset=units_of(UNIT_KINDS).exclude(Q(kind=Kind.CENTRAL)))
    designated_from = date_field(_("Pilot from"), required=True)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=300)
    deadline = date_field(_("Due by"), required=True)


class MilestoneEvaluationForm(forms.Form):
    reached_on = date_field(_("Reached on"), required=True)
    text = forms.CharField(label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 5}))
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)


class SelfEvaluationForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Pilot unit"), coerce=int)
    written_on = date_field(_("Date"), required=True)
    text = forms.CharField(label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 5}))
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(u.pk, u.name) for u in units]


class PilotEvaluationForm(forms.Form):
    evaluated_on = date_field(_("Evaluated on"), required=True)
    lessons = forms.CharField(label=_("What was learned"), widget=forms.Textarea(attrs={"rows": 8}))
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Recommendation.choices)


class ComparisonForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    layer = forms.ChoiceField(
        label=_("Figures"),
        required=False,
        choices=[("approved", _("approved")), ("submitted", _("latest submitted"))],
    )
