"""Who may see and record inspection events (built on :mod:`cchc.accounts.permissions`).

- An event is visible to the readers of one of the units it visited (so a commune
  officer sees the events of its commune, and through lineage those of the communes
  merged into it; never the events of a neighbouring commune).
- Plans are visible to the readers of the issuing body's unit.
- Planning and recording (team, findings, directives, notice) need an oversight role
  (admin, secretariat, appraiser) over the issuing body's unit. Leaders only read.
- Remediation of a directive is posted on the follow-up item, where the follow-up rules
  apply: the addressed unit reports, the issuing body verifies.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cchc.accounts.permissions import (
    ALL,
    OVERSIGHT_ROLES,
    can_read_unit,
    can_write_unit,
    readable_unit_ids,
    writable_unit_ids,
)
from cchc.inspections.models import Inspection, InspectionPlan, IssuingBody


def visible_events(user: Any) -> QuerySet[Inspection]:
    scope = readable_unit_ids(user)
    events = Inspection.objects.all()
    if scope is ALL:
        return events
    ids = sorted(scope)  # type: ignore[arg-type]
    return events.filter(id__in=Inspection.objects.filter(visits__unit_id__in=ids).values("id"))


def can_read_event(user: Any, event: Inspection) -> bool:
    return any(can_read_unit(user, uid) for uid in event.visits.values_list("unit_id", flat=True))


def can_edit_event(user: Any, event: Inspection) -> bool:
    return can_write_unit(user, event.body.unit_id, role_in=OVERSIGHT_ROLES)


def can_plan(user: Any, body: IssuingBody) -> bool:
    return can_write_unit(user, body.unit_id, role_in=OVERSIGHT_ROLES)


def writable_bodies(user: Any) -> QuerySet[IssuingBody]:
    scope = writable_unit_ids(user, OVERSIGHT_ROLES)
    bodies = IssuingBody.objects.select_related("unit")
    if scope is ALL:
        return bodies
    return bodies.filter(unit_id__in=sorted(scope))  # type: ignore[arg-type]


def visible_plans(user: Any) -> QuerySet[InspectionPlan]:
    scope = readable_unit_ids(user)
    plans = InspectionPlan.objects.select_related("body", "body__unit")
    if scope is ALL:
        return plans
    return plans.filter(body__unit_id__in=sorted(scope))  # type: ignore[arg-type]


def can_read_plan(user: Any, plan: InspectionPlan) -> bool:
    return can_read_unit(user, plan.body.unit_id)
