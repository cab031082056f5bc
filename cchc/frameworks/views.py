from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cchc.frameworks.models import IndexSet


def set_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frameworks/list.html", {"sets": IndexSet.objects.all()})


def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    index_set = get_object_or_404(IndexSet, pk=pk)
    criteria = index_set.criteria.order_by("position")
    return render(request, "frameworks/detail.html", {"set": index_set, "criteria": criteria})
