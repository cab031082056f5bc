from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.assessments.models import AssessmentRound
from cchc.core.dates import DateError, parse_date
from cchc.followup.models import Priority
from cchc.frameworks.models import Metric
from cchc.inspections.models import (
    FIELD_CHOICES,
    ConclusionNotice,
    EventKind,
    FindingKind,
    HalfDay,
    IssuingBody,
    TeamRole,
)
from cchc.units.models import Unit, UnitGroup
from cchc.units.services import UnitResolutionError, resolve_unit

HALF_DAY_CHOICES = [("", _("Whole day")), *HalfDay.choices]


class VDateField(forms.Field):
    """A date typed as dd/mm/yyyy (yyyy-mm-dd also accepted).

    A text box, not the browser's date picker: on the English-language Windows many
    commune PCs run, the picker shows mm/dd/yyyy and 05/02 becomes the 2nd of May."""

    widget = forms.DateInput(
        attrs={"placeholder": "dd/mm/yyyy", "size": 10, "inputmode": "numeric"},
        format="%d/%m/%Y",
    )

    def to_python(self, value: Any) -> date | None:
        if value in (None, ""):
            return None
        try:
            return parse_date(value)
        except DateError as exc:
            raise forms.ValidationError(f"Ngày không hợp lệ: {exc}") from exc


def parse_unit_codes(raw: str, on: date | None) -> list[Unit]:
    """``"01975@legacy, 01990"`` → units, resolved by the date; errors name the code."""
    units: list[Unit] = []
    errors: list[str] = []
    for code in [c for c in re.split(r"[,;\s]+", raw or "") if c]:
        try:
            unit = resolve_unit(code, as_of=on)
        except UnitResolutionError as exc:
            errors.append(str(exc))
            continue
        if unit not in units:
            units.append(unit)
    if errors:
        raise forms.ValidationError(errors)
    return units


class UnitCodesMixin(forms.Form):
    date_field = "date"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "unit_codes" in self.fields and "unit_codes" not in self.errors:
            try:
                data["units"] = parse_unit_codes(
                    data.get("unit_codes", ""), data.get(self.date_field)
                )
            except forms.ValidationError as exc:
                self.add_error("unit_codes", exc)
        return data


UNIT_CODES_HELP = _("Unit codes separated by commas, e.g. 01975@legacy, 01990@legacy")


class PlanForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Issuing body"), queryset=IssuingBody.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Plan title"), max_length=300)
    decision_number = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    decision_date = VDateField(label=_("Decision date"), required=False)
    signer = forms.CharField(label=_("Signer"), max_length=200, required=False)

    def __init__(self, *args: Any, bodies: QuerySet[IssuingBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]


class PlannedEventForm(UnitCodesMixin):
    date_field = "planned_date"
    kind = forms.ChoiceField(label=_("Type"), choices=EventKind.choices)
    unit_codes = forms.CharField(label=_("Units"), help_text=UNIT_CODES_HELP)
    planned_date = VDateField(label=_("Planned date"))
    half_day = forms.ChoiceField(label=_("Half-day"), choices=HALF_DAY_CHOICES, required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=FIELD_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    team_number = forms.IntegerField(label=_("Team number"), min_value=1, required=False)


class EventForm(UnitCodesMixin):
    body = forms.ModelChoiceField(label=_("Held by"), queryset=IssuingBody.objects.none())
    kind = forms.ChoiceField(label=_("Type"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    date = VDateField(label=_("Date"))
    half_day = forms.ChoiceField(label=_("Half-day"), choices=HALF_DAY_CHOICES, required=False)
    unit_codes = forms.CharField(label=_("Units"), help_text=UNIT_CODES_HELP)
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=FIELD_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    period_text = forms.CharField(label=_("Period inspected"), max_length=200, required=False)
    period_start = VDateField(label=_("Period from"), required=False)
    period_end = VDateField(label=_("Period to"), required=False)
    team_number = forms.IntegerField(label=_("Team number"), min_value=1, required=False)
    team_name = forms.CharField(label=_("Team name"), max_length=200, required=False)

    def __init__(self, *args: Any, bodies: QuerySet[IssuingBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]


class TeamForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)
    organisation = forms.CharField(label=_("Organisation"), max_length=300)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    title = forms.CharField(label=_("Title on the day"), max_length=300, required=False)


class HostForm(forms.Form):
    title = forms.CharField(label=_("Title or group"), max_length=300)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    is_group = forms.BooleanField(label=_("A group of officials"), required=False)


class OutlineForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=FIELD_CHOICES)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(
        label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class _EventUnitsForm(forms.Form):
    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("unit", "units"):
            if name in self.fields:
                self.fields[name].queryset = units  # type: ignore[attr-defined]


class FigureForm(_EventUnitsForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    metric = forms.ModelChoiceField(label=_("Metric"), queryset=Metric.objects.all())
    value = forms.CharField(label=_("Value"), max_length=300, required=False)
    period_text = forms.CharField(label=_("Period"), max_length=200, required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)


class FindingForm(_EventUnitsForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (FindingKind.ACHIEVEMENT.value, FindingKind.ACHIEVEMENT.label),
            (FindingKind.SHORTCOMING.value, FindingKind.SHORTCOMING.label),
        ],
    )
    field_code = forms.ChoiceField(label=_("Field (PAR/DX)"), choices=FIELD_CHOICES)
    criterion_code = forms.CharField(label=_("Criterion code"), max_length=64, required=False)
    text = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 2}))
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )


class DirectiveForm(_EventUnitsForm):
    text = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 2}))
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    unit_codes = forms.CharField(
        label=_("Other units (codes)"), required=False, help_text=UNIT_CODES_HELP
    )
    group = forms.ModelChoiceField(
        label=_("Unit group"), queryset=UnitGroup.objects.all(), required=False
    )
    addressee_label = forms.CharField(label=_("Addressed to (as written)"), required=False)
    deadline = VDateField(label=_("Deadline"), required=False)
    ongoing = forms.BooleanField(label=_("Ongoing (thường xuyên)"), required=False)
    review_on = VDateField(label=_("Review on"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")
    field_code = forms.ChoiceField(
        label=_("Field (PAR/DX)"), choices=[("", "—"), *FIELD_CHOICES], required=False
    )


class RecommendationForm(_EventUnitsForm):
    unit = forms.ModelChoiceField(label=_("Recommending unit"), queryset=Unit.objects.none())
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 2}))
    addressee = forms.CharField(label=_("Addressed to"), max_length=300)
    addressee_code = forms.CharField(label=_("Responding unit (code)"), max_length=40)


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("Response"), widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.ModelForm[ConclusionNotice]):
    class Meta:
        model = ConclusionNotice
        fields = ["subject", "intro", "recipients", "signer_lines", "signer_name"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
            "signer_lines": forms.Textarea(attrs={"rows": 3}),
        }


class SignForm(forms.Form):
    number = forms.CharField(label=_("Number / symbol"), max_length=100)
    signed_on = VDateField(label=_("Signed on"))
    signed_by = forms.CharField(label=_("Signed by"), max_length=200)
    file = forms.FileField(label=_("Signed PDF"))


class RoundAttachForm(forms.Form):
    """Choose a published round with results of the event's units (empty: detach)."""

    round = forms.ModelChoiceField(
        label=_("Assessment round"),
        queryset=AssessmentRound.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(self, *args: Any, rounds: list[AssessmentRound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["round"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AssessmentRound.objects.filter(pk__in=[r.pk for r in rounds]).order_by(
            "-year", "name"
        )


class ExplanationForm(forms.Form):
    text = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
