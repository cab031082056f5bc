"""Units API: search and detail by key (``01969@2025``)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from cchc.units.models import Unit
from cchc.units.services import (
    LineageLink,
    UnitResolutionError,
    ancestors,
    predecessors,
    split_key,
    successors,
)
from cchc.units.views import search_units

# Reference data: any signed-in user (session) may read it.
router = Router(tags=["units"], auth=django_auth)


class UnitOut(Schema):
    key: str
    code: str
    hierarchy: str
    name: str
    kind: str
    level: int
    valid_from: date | None
    valid_to: date | None
    parent_key: str | None


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class LinkOut(Schema):
    unit: UnitOut
    kind: str
    effective: date
    is_default: bool


class UnitDetail(UnitOut):
    latitude: str | None
    longitude: str | None
    source: str
    source_version: str
    ancestors: list[UnitOut]
    predecessors: list[LinkOut]
    successors: list[LinkOut]


def _out(unit: Unit) -> UnitOut:
    return UnitOut(
        key=unit.key,
        code=unit.code,
        hierarchy=unit.hierarchy,
        name=unit.name,
        kind=unit.kind,
        level=unit.level,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
        parent_key=unit.parent.key if unit.parent_id and unit.parent else None,
    )


def _link(link: LineageLink) -> LinkOut:
    return LinkOut(
        unit=_out(link.unit), kind=link.kind, effective=link.effective, is_default=link.is_default
    )


@router.get("/", response=UnitPage)
def list_units(
    request: HttpRequest,
    q: str = "",
    hierarchy: str = "",
    level: str = "",
    limit: int = 100,
    offset: int = 0,
) -> UnitPage:
    """Units ordered by Vietnamese name; ``q`` folds diacritics and ignores kind words."""
    units, _ = search_units(q, hierarchy, level)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    return UnitPage(count=units.count(), items=[_out(u) for u in units[offset : offset + limit]])


@router.get("/{key}", response=UnitDetail)
def unit_detail(request: HttpRequest, key: str) -> UnitDetail:
    try:
        code, hierarchy = split_key(key)
    except UnitResolutionError as exc:
        raise HttpError(400, str(exc)) from exc
    if hierarchy is None:
        raise HttpError(400, f"Mã {code}: ghi rõ @legacy, @2025 hoặc @local")
    unit = Unit.objects.select_related("parent").filter(code=code, hierarchy=hierarchy).first()
    if unit is None:
        raise HttpError(404, f"Mã {key}: không tìm thấy đơn vị")
    base = _out(unit)
    return UnitDetail(
        **base.dict(),
        latitude=str(unit.latitude) if unit.latitude is not None else None,
        longitude=str(unit.longitude) if unit.longitude is not None else None,
        source=unit.source,
        source_version=unit.source_version,
        ancestors=[_out(a) for a in ancestors(unit)],
        predecessors=[_link(link) for link in predecessors(unit)],
        successors=[_link(link) for link in successors(unit)],
    )
