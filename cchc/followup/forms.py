from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Progress report"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100
    )


class ClaimForm(forms.Form):
    text = forms.CharField(
        label=_("Result achieved"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AcceptForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
