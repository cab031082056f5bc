"""Read-side figures for the inspections dashboard (selectors; no writes)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType

from cchc.accounts.permissions import ALL, readable_unit_ids
from cchc.core import followup as rules
from cchc.followup.models import FollowupItem
from cchc.inspections.models import (
    FIELD_CHOICES,
    Directive,
    Finding,
    FindingKind,
    PlannedEvent,
)
from cchc.inspections.permissions import visible_events, visible_plans

FIELD_LABELS = dict(FIELD_CHOICES)


@dataclass
class UnitRow:
    unit_id: int
    name: str
    open: int = 0
    overdue: int = 0
    ongoing: int = 0
    verified: int = 0
    total: int = 0


@dataclass
class YearRow:
    year: int
    planned: int = 0
    held: int = 0
    shortcomings: int = 0
    directives: int = 0
    verified: int = 0
    items: int = 0


@dataclass
class Dashboard:
    year: int
    years: list[int]
    planned: int
    held: int
    held_as_planned: int
    units: list[UnitRow]
    fields: list[tuple[str, str, int]]
    by_year: list[YearRow] = field(default_factory=list)


def directive_items(user: Any) -> Any:
    ct = ContentType.objects.get_for_model(Directive)
    items = FollowupItem.objects.filter(source_type=ct)
    scope = readable_unit_ids(user)
    if scope is not ALL:
        items = items.filter(lead_unit_id__in=sorted(scope))  # type: ignore[arg-type]
    return items


def build(user: Any, year: int | None, today: date) -> Dashboard:
    events = visible_events(user)
    plans = visible_plans(user)
    event_years = set(events.values_list("date__year", flat=True))
    plan_years = set(plans.values_list("year", flat=True))
    years = sorted(event_years | plan_years, reverse=True)
    chosen = year if year is not None else (years[0] if years else today.year)

    planned_qs = PlannedEvent.objects.filter(plan__in=plans)
    year_events = events.filter(date__year=chosen)
    planned = planned_qs.filter(plan__year=chosen).count()
    held = year_events.count()
    held_as_planned = year_events.filter(planned__isnull=False).count()

    # Items per unit: directives of events in the chosen year.
    directive_ct = ContentType.objects.get_for_model(Directive)
    directive_year: dict[int, int] = dict(
        Directive.objects.filter(inspection__in=events).values_list("id", "inspection__date__year")
    )
    rows: dict[int, UnitRow] = {}
    per_year_items: dict[int, list[str]] = defaultdict(list)
    items = directive_items(user).filter(source_type=directive_ct).select_related("lead_unit")
    for item in items:
        item_year = directive_year.get(item.source_id or 0)
        if item_year is None:
            continue
        per_year_items[item_year].append(item.status)
        if item_year != chosen or item.status == rules.Status.CANCELLED:
            continue
        row = rows.setdefault(item.lead_unit_id, UnitRow(item.lead_unit_id, item.lead_unit.name))
        row.total += 1
        if item.is_open:
            row.open += 1
            if item.ongoing:
                row.ongoing += 1
        if item.is_overdue_on(today):
            row.overdue += 1
        if item.status == rules.Status.ACCEPTED:
            row.verified += 1
    units = sorted(rows.values(), key=lambda r: (-r.overdue, -r.open, r.name))

    shortcomings = Finding.objects.filter(inspection__in=events, kind=FindingKind.SHORTCOMING)
    counts = Counter(
        shortcomings.filter(inspection__date__year=chosen).values_list("field_code", flat=True)
    )
    fields = [
        (code, str(FIELD_LABELS.get(code, code)), n)
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]

    by_year: list[YearRow] = []
    sc_by_year = Counter(shortcomings.values_list("inspection__date__year", flat=True))
    dir_by_year = Counter(directive_year.values())
    planned_by_year = Counter(planned_qs.values_list("plan__year", flat=True))
    held_by_year = Counter(events.values_list("date__year", flat=True))
    for y in sorted(years):
        accepted, total = rules.aggregate(per_year_items.get(y, []))
        by_year.append(
            YearRow(
                year=y,
                planned=planned_by_year.get(y, 0),
                held=held_by_year.get(y, 0),
                shortcomings=sc_by_year.get(y, 0),
                directives=dir_by_year.get(y, 0),
                verified=accepted,
                items=total,
            )
        )
    return Dashboard(
        year=chosen,
        years=years,
        planned=planned,
        held=held,
        held_as_planned=held_as_planned,
        units=units,
        fields=fields,
        by_year=by_year,
    )
