"""The inspections panel of a unit's scorecard (assessments' panel registry)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from cchc.accounts.permissions import can_read_unit
from cchc.inspections.dashboard import directive_items
from cchc.inspections.models import Finding, FindingKind
from cchc.inspections.permissions import visible_events
from cchc.inspections.services import lineage_ids


def scorecard_panel(request: HttpRequest, unit: Any, rnd: Any) -> str | None:
    """Shortcomings found at the unit (and its predecessors) and its open directives."""
    if unit is None or not can_read_unit(request.user, unit):
        return None
    ids = sorted(lineage_ids(unit))
    shortcomings = (
        Finding.objects.filter(
            kind__in=[FindingKind.SHORTCOMING, FindingKind.NOT_REMEDIED],
            units__in=ids,
            inspection__in=visible_events(request.user),
        )
        .select_related("inspection")
        .distinct()
        .order_by("field_code", "-inspection__date", "id")[:50]
    )
    items = (
        directive_items(request.user)
        .filter(lead_unit_id__in=ids)
        .open()
        .select_related("lead_unit")
        .order_by("field_code", "deadline", "review_on", "id")[:50]
    )
    found, open_items = list(shortcomings), list(items)
    if not found and not open_items:
        return None
    return render_to_string(
        "inspections/_scorecard_panel.html",
        {"shortcomings": found, "items": open_items, "today": timezone.localdate()},
        request=request,
    )
