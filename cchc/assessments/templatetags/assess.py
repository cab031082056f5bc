"""``{{ points|pts }}``: points without trailing zeros, Vietnamese style (1,5 · 2)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from cchc.core.rules import short_number

register = template.Library()


@register.filter
def pts(value: Decimal | str | None) -> str:
    if value is None or value == "":
        return ""
    return short_number(Decimal(value))
