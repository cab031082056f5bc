from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from cchc.units.models import Unit

router = Router(tags=["units"])


class UnitOut(Schema):
    key: str
    code: str
    hierarchy: str
    name: str
    kind: str


@router.get("/", response=list[UnitOut])
def list_units(request: HttpRequest, q: str = "") -> list[Unit]:
    units = Unit.objects.all()
    if q:
        units = units.filter(name__icontains=q)
    return list(units[:100])
