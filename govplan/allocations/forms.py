"""The pool's forms: a clear message per field, nothing saved on error. The scenario form
turns its fields into the rules dict the core checks (govplan.core.allocation.rules) and
puts each problem beside the field it comes from."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from govplan.allocations.actions import problem_text
from govplan.core.allocation.rules import (
    FLAGS,
    INVESTMENT_DECIDED,
    MAX_AMOUNT,
    SHARED_PLATFORM,
    Rules,
    parse_rules,
)
from govplan.core.documents.cells import CellValueError, parse_number
from govplan.frameworks.models import Framework
from govplan.orgunits.models import Kind
from govplan.programmes.models import Programme
from govplan.webutils.forms import date_field

FLAG_LABELS = {
    SHARED_PLATFORM: _("Shared platforms"),
    INVESTMENT_DECIDED: _("Projects whose investment decision is approved"),
}
CODE = re.compile(r"[a-z0-9_]{1,64}")


def parse_dong(raw: str) -> Decimal:
    """A whole amount of đồng typed 200.000.000.000, 200 000 000 000 or 200000000000."""
    try:
        value = parse_number(raw, locale="vi", max_digits=30)
    except CellValueError:
        raise forms.ValidationError(
            gettext("Write a whole number of đồng, for example 200.000.000.000.")
        ) from None
    if value != value.to_integral_value():
        raise forms.ValidationError(gettext("Write a whole number of đồng, without decimals."))
    if value <= 0:
        raise forms.ValidationError(gettext("The amount must be greater than 0."))
    if value >= MAX_AMOUNT:
        raise forms.ValidationError(gettext("The amount must be below 10^18 đồng."))
    return value.quantize(Decimal(1))


def _optional(label: Any, max_length: int, help_text: Any) -> forms.CharField:
    """A typed field that may stay empty (the help text says what empty means)."""
    return forms.CharField(label=label, max_length=max_length, required=False, help_text=help_text)


def _codes(raw: str, label: str) -> list[str]:
    codes = [c.strip() for c in re.split(r"[,;\s]+", raw) if c.strip()]
    bad = [c for c in codes if not CODE.fullmatch(c)]
    if bad:
        raise forms.ValidationError(
            gettext("“%(code)s” is not a code of %(what)s (lower-case letters, digits, _).")
            % {"code": bad[0][:64], "what": label}
        )
    return codes


class PoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    amount = forms.CharField(
        label=_("Amount (đồng)"), max_length=40, help_text=_("For example 200.000.000.000")
    )
    year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all(), required=False
    )
    frameworks = forms.ModelMultipleChoiceField(
        label=_("Frameworks whose plans may propose"),
        queryset=Framework.objects.filter(kind="plan").order_by("-created_at", "code"),
        widget=forms.CheckboxSelectMultiple,
    )
    unit_kinds = forms.MultipleChoiceField(
        label=_("Eligible kinds of units (none ticked: all)"),
        choices=[(k.value, k.label) for k in Kind if k != Kind.CENTRAL],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fields_text = _optional(
        _("Eligible application fields (codes; empty: all)"),
        1000,
        _("For example: nen_tang, du_lieu"),
    )
    statuses_text = _optional(
        _("Eligible project statuses (codes; empty: all)"), 300, _("For example: new, continuing")
    )

    def clean_amount(self) -> Decimal:
        return parse_dong(self.cleaned_data["amount"])

    def clean_fields_text(self) -> list[str]:
        return _codes(self.cleaned_data.get("fields_text", ""), gettext("application field"))

    def clean_statuses_text(self) -> list[str]:
        return _codes(self.cleaned_data.get("statuses_text", ""), gettext("project status"))


class MarkForm(forms.Form):
    document = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    entry_key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    shared_platform = forms.BooleanField(label=_("Shared platform"), required=False)
    investment_decided = forms.BooleanField(label=_("Investment decision approved"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


PRIORITY_CHOICES = [("", _("(none)")), *((f, FLAG_LABELS[f]) for f in FLAGS)]


def _cap_text(cap: Any) -> str:
    if not isinstance(cap, dict):
        return ""
    if cap.get("kind") == "percent":
        return f"{cap.get('value')}%"
    return str(cap.get("value", ""))


def _cap_data(raw: str) -> dict[str, str] | None:
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if text.endswith("%"):
        return {"kind": "percent", "value": text[:-1].replace(",", ".")}
    digits = text.replace(".", "") if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", text) else text
    return {"kind": "amount", "value": digits}


def _weights_text(weights: Any) -> str:
    if not isinstance(weights, dict):
        return ""
    return "; ".join(f"{k}={v}" for k, v in weights.items())


def _weights_data(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for piece in re.split(r"[;\n]+", raw):
        if not piece.strip():
            continue
        code, sep, value = piece.partition("=")
        if not sep:
            code, sep, value = piece.partition(":")
        code = code.strip()
        if not sep or not CODE.fullmatch(code):
            raise forms.ValidationError(
                gettext("“%(piece)s” is not “code=weight”.") % {"piece": piece.strip()[:80]}
            )
        found[code] = value.strip().replace(",", ".")
    return found


# The rules' keys → the form field that shows their problems.
FIELD_OF = {
    "priorities": "priority_1",
    "agency_cap": "agency_cap",
    "project_cap": "project_cap",
    "province_minimum": "province_minimum",
    "weights.unit_kind": "unit_kind_weights",
    "weights.field": "field_weights",
}


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Scenario name"), max_length=200)
    priority_1 = forms.ChoiceField(
        label=_("Priority group 1"), choices=PRIORITY_CHOICES, required=False
    )
    priority_2 = forms.ChoiceField(
        label=_("Priority group 2"), choices=PRIORITY_CHOICES, required=False
    )
    agency_cap = _optional(
        _("Cap per agency"),
        40,
        _("An amount in đồng (20.000.000.000) or a share of the pool (10%); empty: none"),
    )
    project_cap = _optional(
        _("Cap per project"), 40, _("An amount in đồng or a share of the pool (5%); empty: none")
    )
    province_minimum = _optional(
        _("Minimum per province (đồng)"),
        40,
        _("For each province with at least one proposal; empty: none"),
    )
    unit_kind_weights = _optional(
        _("Weights by kind of unit"), 1000, _("For example: province=1.5; ministry=1")
    )
    field_weights = _optional(
        _("Weights by application field"), 1000, _("For example: nen_tang=2; du_lieu=1.5")
    )

    rules: Rules | None = None

    @classmethod
    def initial_from(cls, name: str, rules: dict[str, Any]) -> dict[str, Any]:
        priorities = [*(rules.get("priorities") or []), "", ""]
        weights = rules.get("weights") or {}
        minimum = rules.get("province_minimum") or ""
        return {
            "name": name,
            "priority_1": priorities[0],
            "priority_2": priorities[1],
            "agency_cap": _cap_text(rules.get("agency_cap")),
            "project_cap": _cap_text(rules.get("project_cap")),
            "province_minimum": minimum,
            "unit_kind_weights": _weights_text(weights.get("unit_kind")),
            "field_weights": _weights_text(weights.get("field")),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights: dict[str, dict[str, str]] = {}
        for name, key in (("unit_kind_weights", "unit_kind"), ("field_weights", "field")):
            try:
                weights[key] = _weights_data(data.get(name, "") or "")
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        minimum_raw = (data.get("province_minimum") or "").strip()
        minimum: str | None = None
        if minimum_raw:
            try:
                minimum = str(parse_dong(minimum_raw))
            except forms.ValidationError as exc:
                self.add_error("province_minimum", exc)
        if self.errors:
            return data
        priorities = [p for p in (data.get("priority_1"), data.get("priority_2")) if p]
        rules_data: dict[str, Any] = {"priorities": priorities, "weights": weights}
        for name in ("agency_cap", "project_cap"):
            cap = _cap_data(data.get(name) or "")
            if cap is not None:
                rules_data[name] = cap
        if minimum is not None:
            rules_data["province_minimum"] = minimum
        rules, problems = parse_rules(rules_data)
        for problem in problems:
            path = problem.path
            field = FIELD_OF.get(path) or FIELD_OF.get(path.rsplit(".", 1)[0])
            self.add_error(field, problem_text(problem))
        self.rules = rules
        data["rules_data"] = rules.as_data() if rules is not None else None
        return data


class ApproveForm(forms.Form):
    decision_number = _optional(
        _("Number of the decision"),
        50,
        _("For example 1234/QĐ-BTTTT; empty: written by hand on the printed copy"),
    )
    decision_date = date_field(_("Date of the decision"))


class EstimateForm(forms.Form):
    framework = forms.ModelChoiceField(
        label=_("Framework"), queryset=Framework.objects.filter(kind="plan"), required=False
    )
    year_from = forms.IntegerField(
        label=_("From year"), min_value=2000, max_value=2100, required=False
    )
    year_to = forms.IntegerField(label=_("To year"), min_value=2000, max_value=2100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("year_from"), data.get("year_to")
        if a is not None and b is not None and b < a:
            self.add_error("year_to", gettext("The last year is before the first."))
        elif a is not None and b is not None and b - a > 20:
            self.add_error("year_to", gettext("At most 20 years at once."))
        return data
