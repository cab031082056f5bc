from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cchc.units.models import Unit


def unit_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    units = Unit.objects.select_related("parent")
    if q:
        units = units.filter(name__icontains=q) | units.filter(code=q)
    page = Paginator(units.order_by("level", "sort_key"), 100).get_page(request.GET.get("page"))
    return render(request, "units/list.html", {"page": page, "q": q})


def unit_detail(request: HttpRequest, key: str) -> HttpResponse:
    code, _, hierarchy = key.partition("@")
    unit = get_object_or_404(Unit.objects.select_related("parent"), code=code, hierarchy=hierarchy)
    return render(request, "units/detail.html", {"unit": unit})
