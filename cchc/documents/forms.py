from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    number = forms.CharField(label=_("Document number / symbol"), max_length=100, required=False)
    date = forms.DateField(label=_("Document date"), required=False, input_formats=DATE_FORMATS)
    issuer = forms.CharField(label=_("Issuer"), max_length=255, required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("number") and not data.get("date"):
            self.add_error("date", _("Enter the date of the document."))
        if data.get("date") and not data.get("number"):
            self.add_error("number", _("Enter the number of the document."))
        return data
