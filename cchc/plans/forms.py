from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.frameworks.models import Metric, MetricType
from cchc.plans.models import PlanKind, ReportKind, Topic

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


def date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy.")},
    )


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    unit = forms.CharField(
        label=_("Unit code"), help_text=_("For example 01969@2025."), max_length=40
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Plan title"), max_length=300)
    due_on = date_field(_("Due on"), required=False)
    number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issued_on = date_field(_("Issued on"), required=False)
    signer = forms.CharField(label=_("Signer"), max_length=200, required=False)
    require_subordinates = forms.BooleanField(
        label=_("Units directly below must issue their own plan"), required=False
    )
    subordinate_due_on = date_field(_("Subordinate plans due on"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("issued_on") and not data.get("number"):
            self.add_error("number", _("An issued plan needs its document number."))
        if data.get("require_subordinates") and not data.get("subordinate_due_on"):
            self.add_error("subordinate_due_on", _("Give the date subordinate plans are due."))
        return data


class IssueForm(forms.Form):
    number = forms.CharField(label=_("Document number"), max_length=100)
    issued_on = date_field(_("Issued on"))
    signer = forms.CharField(label=_("Signer"), max_length=200, required=False)


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("Task (what)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead = forms.CharField(
        label=_("Lead unit"), max_length=200, help_text=_("Name or code of a unit of the plan.")
    )
    person = forms.CharField(label=_("Person in charge"), max_length=200, required=False)
    coordinating = forms.CharField(
        label=_("Coordinating units"),
        max_length=1000,
        required=False,
        help_text=_("Names or codes separated by ;"),
    )
    deadline = date_field(_("Deadline"), required=False)
    ongoing = forms.BooleanField(label=_("Ongoing (thường xuyên)"), required=False)
    review_on = date_field(_("Review on"), required=False)
    deliverable = forms.CharField(
        label=_("Deliverable"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_code = forms.CharField(label=_("Field code (PAR/DX)"), max_length=32, required=False)
    criterion_code = forms.CharField(label=_("Criterion code"), max_length=64, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ongoing"):
            if not data.get("review_on"):
                self.add_error("review_on", _("An ongoing task needs a review date."))
            data["deadline"] = None
        else:
            if not data.get("deadline"):
                self.add_error("deadline", _("Give a deadline, or tick ongoing."))
            data["review_on"] = None
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Task table (.xlsx)"))


class ReportRequestForm(forms.Form):
    title = forms.CharField(label=_("Report title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    issuing_unit = forms.CharField(label=_("Requesting unit code"), max_length=40)
    due_on = date_field(_("Due on"))
    units = forms.CharField(
        label=_("Units that must answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names or codes, one per line; empty = all units directly below."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FieldForm(forms.Form):
    metric = forms.ModelChoiceField(
        label=_("Catalogue metric"), queryset=Metric.objects.all(), required=False
    )
    code = forms.CharField(label=_("Code"), max_length=64, required=False)
    label = forms.CharField(label=_("Label"), max_length=300, required=False)
    value_type = forms.ChoiceField(
        label=_("Type"), choices=MetricType.choices, initial=MetricType.INTEGER
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    min_value = forms.DecimalField(label=_("Minimum"), required=False)
    max_value = forms.DecimalField(label=_("Maximum"), required=False)


class SubmissionForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    file = forms.FileField(label=_("Report file (docx or pdf)"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


def this_year() -> int:
    return date.today().year


class RemediationForm(forms.Form):
    """Confirm a remediation plan; the common schedule only for tasks without one."""

    title = forms.CharField(label=_("Plan title"), max_length=300)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    deadline = date_field(_("Deadline of the tasks"), required=False)
    review_on = date_field(_("Review on (ongoing tasks)"), required=False)

    def __init__(self, *args: Any, schedule: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schedule:
            self.fields["deadline"].help_text = _(
                "Leave empty: the tasks are ongoing (thường xuyên), reviewed on the date below "
                "(15/12 of the plan year if empty)."
            )
        else:
            del self.fields["deadline"]
            del self.fields["review_on"]
