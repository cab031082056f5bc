"""``{% event_outline event as oq %}``: the outline request of an inspection event.

Used by ``plans/_event_outline.html``, which the event page includes: the template layer
links the two sibling apps, no Python import of one by the other.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from cchc.plans import outline
from cchc.plans.views import _badge

register = template.Library()


@register.simple_tag(takes_context=True)
def event_outline(context: template.Context, event: Any) -> dict[str, Any] | None:
    """Per unit answered on time / late / missing, and whether the user may create it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or event is None:
        return None
    status = outline.outline_status(user, event.pk, timezone.localdate())
    can_create = status is None and outline.can_organise(user, event)
    if status is None and not can_create:
        return None
    rows = []
    if status is not None:
        rows = [{"row": r, "status": _badge(r.status)} for r in status.rows]
    return {
        "request": status.request if status else None,
        "rows": rows,
        "can_create": can_create,
        "create_url": reverse("plans:outline_request", args=[event.pk]),
    }
