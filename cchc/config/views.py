from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.config.api import api
from cchc.frameworks.models import IndexSet

__all__ = ["api", "home"]


def home(request: HttpRequest) -> HttpResponse:
    """Index sets and a unit search box."""
    index_sets = IndexSet.objects.order_by("-year", "code")[:50]
    return render(request, "home.html", {"index_sets": index_sets})
