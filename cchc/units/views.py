"""Unit list with Vietnamese search, and the unit page.

Units are reference data: every signed-in user may read them (the login middleware
guards the pages); they are changed only by ``cchc units load``/``import`` and the admin.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.core.text import search_key, strip_kind
from cchc.units.models import Hierarchy, Level, LineageKind, Unit, UnitLineage
from cchc.units.services import (
    UnitResolutionError,
    ancestors,
    predecessors,
    split_key,
    successors,
)

PAGE_SIZE = 50


def search_units(q: str = "", hierarchy: str = "", level: str = "") -> tuple[QuerySet[Unit], str]:
    """Units matching a query (name without kind words, code, or a former commune's name).

    Returns the queryset ordered by ``sort_key`` and the folded query used.
    """
    units = Unit.objects.select_related("parent", "parent__parent")
    if hierarchy in Hierarchy.values:
        units = units.filter(hierarchy=hierarchy)
    if level.isdigit() and int(level) in Level.values:
        units = units.filter(level=int(level))
    wanted = strip_kind(q) if q.strip() else ""
    if wanted:
        # A 2025 unit also matches by the names of the units it absorbed (not by the
        # abolished districts, which would list dozens of communes).
        absorbed = UnitLineage.objects.filter(predecessor__search_key__contains=wanted).exclude(
            kind=LineageKind.DISSOLVED_INTO
        )
        units = units.filter(
            Q(search_key__contains=wanted)
            | Q(code=q.strip())
            | Q(pk__in=absorbed.values("successor_id"))
        )
    return units.order_by("sort_key", "hierarchy", "code"), wanted


def _former_phrase(name: str) -> str:
    """``"Xã Vi Hương"`` → ``"xã Vi Hương"`` (the kind word in lower case)."""
    return name[:1].lower() + name[1:]


def unit_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    hierarchy = request.GET.get("hierarchy") or ""
    level = request.GET.get("level") or ""
    units, wanted = search_units(q, hierarchy, level)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[dict[str, Any]] = [{"unit": unit, "covers": []} for unit in page]
    if wanted:
        direct = {unit.pk for unit in page if wanted in unit.search_key}
        others = [unit.pk for unit in page if unit.pk not in direct]
        covers: dict[int, list[str]] = defaultdict(list)
        if others:
            links = (
                UnitLineage.objects.filter(
                    successor_id__in=others, predecessor__search_key__contains=wanted
                )
                .exclude(kind=LineageKind.DISSOLVED_INTO)
                .select_related("predecessor")
                .order_by("predecessor__sort_key")
            )
            for link in links:
                covers[link.successor_id].append(_former_phrase(link.predecessor.name))
        for row in rows:
            row["covers"] = covers.get(row["unit"].pk, [])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "q": q,
        "hierarchy": hierarchy,
        "level": level,
        "hierarchies": Hierarchy.choices,
        "levels": Level.choices,
        "query": query.urlencode(),
        "folded": search_key(q),
    }
    return render(request, "units/list.html", context)


def unit_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        code, hierarchy = split_key(key)
    except UnitResolutionError as exc:
        raise Http404(str(exc)) from exc
    if hierarchy is None:
        raise Http404("Khóa đơn vị phải có dạng mã@hệ thống")
    unit = Unit.objects.select_related("parent").filter(code=code, hierarchy=hierarchy).first()
    if unit is None:
        raise Http404(f"Không tìm thấy đơn vị {key}")
    context = {
        "unit": unit,
        "ancestors": ancestors(unit),
        # Sorted here: NULL dates order differently on SQLite and PostgreSQL.
        "parent_periods": sorted(
            unit.parent_periods.select_related("parent"),
            key=lambda p: p.valid_from or date.min,
        ),
        "children": list(unit.children.order_by("sort_key", "code")),
        "predecessors": predecessors(unit),
        "successors": successors(unit),
        "groups": list(unit.groups.order_by("name")),
    }
    return render(request, "units/detail.html", context)
