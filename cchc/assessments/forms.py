from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.assessments.models import AssessmentRound
from cchc.frameworks.models import IndexSet, SetStatus
from cchc.units.models import UnitGroup


class RoundForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=300)
    index_set = forms.ModelChoiceField(
        label=_("Index set"), queryset=IndexSet.objects.filter(status=SetStatus.PUBLISHED)
    )
    owner_unit = forms.CharField(label=_("Organising unit (code@hierarchy)"), max_length=40)
    units = forms.CharField(
        label=_("Units (one code@hierarchy per line)"), widget=forms.Textarea, required=False
    )
    unit_group = forms.ModelChoiceField(
        label=_("or a unit group"), queryset=UnitGroup.objects.all(), required=False
    )
    previous = forms.ModelChoiceField(
        label=_("Previous year's round"), queryset=AssessmentRound.objects.all(), required=False
    )
    self_deadline = forms.DateField(label=_("Self-assessment deadline"))
    appraisal_1_deadline = forms.DateField(label=_("Appraisal round 1 deadline"))
    explanation_deadline = forms.DateField(label=_("Explanation deadline"))
    appraisal_2_deadline = forms.DateField(label=_("Appraisal round 2 deadline"))
    publication_deadline = forms.DateField(label=_("Publication deadline"))
    allow_appraisal = forms.BooleanField(label=_("Appraisal council"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "self_deadline",
            "appraisal_1_deadline",
            "explanation_deadline",
            "appraisal_2_deadline",
            "publication_deadline",
        ):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
