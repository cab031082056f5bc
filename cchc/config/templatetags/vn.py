"""Template filters for Vietnamese display, over ``cchc.core`` functions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from cchc.core import dates, numbers

register = template.Library()


@register.filter
def vnum(value: Decimal | int | float | None, places: int | None = None) -> str:
    """``{{ x|vnum:2 }}`` → ``73,63``; ``{{ n|vnum }}`` → ``1.822.950``."""
    if value is None or value == "":
        return ""
    return numbers.format_number(value, places)


@register.filter
def vpct(value: Decimal | None, places: int = 2) -> str:
    return numbers.format_percent(value, places)


@register.filter
def vdate(value: date | datetime | None) -> str:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dates.format_date(value)


@register.filter
def vdatetime(value: datetime | None) -> str:
    if value is not None and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dates.format_datetime(value)
