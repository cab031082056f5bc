"""What an event links to: assessment results, lost points and the dossier report.

- A steering meeting may attach a **published** assessment round in which one of its
  units was scored. Its page then shows, per unit, the points lost in each field (max,
  achieved, lost — read from the materialised ``assessments.Result``) with one
  explanation box per field (:class:`LostPointExplanation`, saved per field, audited).
- Any directive may be flagged as starting a remediation plan; the plans app (a higher
  layer) picks the flag up — nothing here imports it.
- Every event page shows each unit's latest published index results (one per kind of
  index set, rounds of the event's year or earlier) and, when the event has an inspected
  period and dossier data has been imported, the unit's dossier figures for that period
  from ``cchc.dossiers.reporting.run_report`` (the service of the dossier report page).
  Observed metrics whose catalogue entry names a ``dossier_figure`` can be filled from
  it; their source is then recorded as the dossier report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cchc.accounts.permissions import can_write_unit
from cchc.assessments.models import AssessmentRound, Result, RoundStatus
from cchc.audit.services import record
from cchc.core.numbers import format_number
from cchc.core.periods import Period, custom
from cchc.dossiers.models import DossierImport, ImportStatus
from cchc.dossiers.reporting import run_report, unit_for_period
from cchc.frameworks.models import Metric
from cchc.inspections.models import (
    Directive,
    EventKind,
    FigureSource,
    Inspection,
    LostPointExplanation,
    ObservedMetric,
)
from cchc.inspections.permissions import can_edit_event
from cchc.inspections.services import InspectionError, _require_edit, figure_record
from cchc.units.models import Unit

# --- pure: catalogue figure names → dossier report counts ---------------------------------

# A catalogue ``dossier_figure`` is either a count of the report (``carried_over``) or one
# of these names, the sum of several counts.
DOSSIER_FIGURES: dict[str, tuple[str, ...]] = {
    "received_new": ("new_total",),
    "resolved": ("resolved_total",),
    "resolved_on_time_or_early": ("early", "on_time"),
    "in_progress": ("in_progress_total",),
}


def figure_value(name: str, counts: Mapping[str, int]) -> int | None:
    """The value of a catalogue dossier figure in a report row's counts (None: unknown)."""
    parts = DOSSIER_FIGURES.get(name, (name,))
    if not name or any(p not in counts for p in parts):
        return None
    return sum(counts[p] for p in parts)


# --- the attached assessment round ------------------------------------------------------


def eligible_rounds(event: Inspection) -> list[AssessmentRound]:
    """Published rounds in which at least one of the event's units has a result."""
    unit_ids = list(event.visits.values_list("unit_id", flat=True))
    return list(
        AssessmentRound.objects.filter(status=RoundStatus.PUBLISHED, results__unit_id__in=unit_ids)
        .distinct()
        .order_by("-year", "name")
    )


@transaction.atomic
def round_attach(*, user: Any, event: Inspection, rnd: AssessmentRound | None) -> Inspection:
    """Attach (or with None detach) a published assessment round to a steering meeting."""
    _require_edit(user, event)
    if event.kind != EventKind.MEETING:
        raise InspectionError("Chỉ hội nghị ban chỉ đạo mới gắn được đợt đánh giá chỉ số.")
    if rnd is not None:
        if not rnd.is_published:
            raise InspectionError(f"Đợt đánh giá “{rnd.name}” chưa công bố kết quả.")
        if rnd not in eligible_rounds(event):
            raise InspectionError(
                f"Đợt đánh giá “{rnd.name}” không có kết quả của đơn vị nào trong sự kiện này."
            )
    old = event.assessment_round
    event.assessment_round = rnd
    event.save(update_fields=["assessment_round"])
    record(
        actor=user,
        obj=event,
        action="inspection.round_attach",
        changes={"assessment_round": (old.code if old else None, rnd.code if rnd else None)},
    )
    return event


@dataclass
class FieldLoss:
    code: str
    title: str
    max: Decimal
    achieved: Decimal
    lost: Decimal
    explanation: str = ""


@dataclass
class UnitLoss:
    unit: Unit
    result: Result
    fields: list[FieldLoss] = field(default_factory=list)
    can_explain: bool = False

    @property
    def lost(self) -> Decimal:
        return sum((f.lost for f in self.fields), Decimal(0))


def _dec(raw: object) -> Decimal:
    return Decimal(str(raw))


def lost_points(event: Inspection, user: Any = None) -> list[UnitLoss]:
    """Per unit of the event with a result in the attached round: each field's loss."""
    rnd = event.assessment_round
    if rnd is None:
        return []
    visits = list(event.visits.select_related("unit"))
    results = {
        r.unit_id: r
        for r in Result.objects.filter(round=rnd, unit_id__in=[v.unit_id for v in visits])
    }
    texts = {
        (e.unit_id, e.field_code): e.text
        for e in LostPointExplanation.objects.filter(inspection=event, round=rnd)
    }
    out = []
    for visit in visits:
        result = results.get(visit.unit_id)
        if result is None:
            continue
        loss = UnitLoss(
            visit.unit,
            result,
            can_explain=user is not None and can_explain(user, event, visit.unit),
        )
        for row in result.fields:
            code = str(row["code"])
            loss.fields.append(
                FieldLoss(
                    code=code,
                    title=str(row.get("title") or row.get("label") or code),
                    max=_dec(row["max"]),
                    achieved=_dec(row["final"]),
                    lost=_dec(row["lost"]),
                    explanation=texts.get((visit.unit_id, code), ""),
                )
            )
        out.append(loss)
    return out


def can_explain(user: Any, event: Inspection, unit: Unit) -> bool:
    """The event's recorders, and the unit's own staff (it explains its lost points)."""
    if event.is_signed:
        return False
    return can_edit_event(user, event) or can_write_unit(user, unit)


@transaction.atomic
def explanation_save(
    *, user: Any, event: Inspection, unit: Unit, field_code: str, text: str
) -> LostPointExplanation | None:
    """Save (or with empty text remove) the unit's explanation for one field."""
    if user is not None and not (can_edit_event(user, event) or can_write_unit(user, unit)):
        raise PermissionDenied
    if event.is_signed:
        raise InspectionError(
            "Thông báo kết luận của sự kiện này đã ký và lưu: không sửa được nội dung nữa."
        )
    rnd = event.assessment_round
    if rnd is None:
        raise InspectionError("Sự kiện chưa gắn đợt đánh giá chỉ số: chưa có điểm bị mất.")
    result = Result.objects.filter(round=rnd, unit=unit).first()
    if result is None or not event.visits.filter(unit=unit).exists():
        raise InspectionError(f"{unit.name} không có kết quả trong đợt “{rnd.name}”.")
    if field_code not in {str(f["code"]) for f in result.fields}:
        raise InspectionError(f"Lĩnh vực {field_code!r} không có trong bộ chỉ số của đợt.")
    text = text.strip()
    found = LostPointExplanation.objects.filter(
        inspection=event, round=rnd, unit=unit, field_code=field_code
    ).first()
    old = found.text if found else None
    who = user if getattr(user, "is_authenticated", False) else None
    if not text:
        if found is not None:
            found.delete()
    elif found is None:
        found = LostPointExplanation.objects.create(
            inspection=event, round=rnd, unit=unit, field_code=field_code, text=text, updated_by=who
        )
    else:
        found.text = text
        found.updated_by = who
        found.save(update_fields=["text", "updated_by", "updated_at"])
    if old != (text or None):
        record(
            actor=user,
            obj=event,
            action="inspection.explanation",
            changes={f"{unit.key}:{rnd.code}:{field_code}": (old, text or None)},
        )
    return found if text else None


@transaction.atomic
def directive_plan_flag(*, user: Any, directive: Directive, flag: bool) -> Directive:
    """Mark a directive as starting a remediation plan (also after the notice is signed:
    the flag is a follow-up step, not part of the notice)."""
    if user is not None and not can_edit_event(user, directive.inspection):
        raise PermissionDenied
    old = directive.starts_remediation_plan
    if old != flag:
        directive.starts_remediation_plan = flag
        directive.save(update_fields=["starts_remediation_plan"])
        record(
            actor=user,
            obj=directive.inspection,
            action="inspection.directive_plan_flag",
            changes={f"directive:{directive.pk}": (old, flag)},
        )
    return directive


# --- index results of the units -----------------------------------------------------------


@dataclass
class IndexResult:
    round: AssessmentRound
    index: str
    rank: int | None
    of: int
    band: str
    synthetic: bool


def index_results(event: Inspection, unit: Unit) -> list[IndexResult]:
    """The unit's latest published result per kind of index set (rounds up to the event's
    year: a later result was not known at the event)."""
    rows = (
        Result.objects.filter(
            unit=unit, round__status=RoundStatus.PUBLISHED, round__year__lte=event.date.year
        )
        .select_related("round", "round__index_set")
        .order_by("-round__year", "-round__published_at", "-round_id")
    )
    seen: set[str] = set()
    out = []
    for row in rows:
        kind = row.round.index_set.kind
        if kind in seen:
            continue
        seen.add(kind)
        places = row.round.index_set.display_precision
        out.append(
            IndexResult(
                round=row.round,
                index=format_number(row.index, places),
                rank=row.rank,
                of=Result.objects.filter(round_id=row.round_id).count(),
                band=row.band,
                synthetic=row.is_synthetic or row.round.is_synthetic,
            )
        )
    return out


# --- dossier figures for the inspected period ----------------------------------------------


@dataclass
class DossierFigures:
    unit: Unit  # the unit of the event
    reported: Unit  # the unit of the report (a successor when the period is after 1/7/2025)
    period: Period
    counts: dict[str, int]
    on_time_pct: Decimal | None
    online_pct: Decimal | None

    def value(self, name: str) -> int | None:
        return figure_value(name, self.counts)

    @property
    def on_time_or_early(self) -> int:
        return self.counts["early"] + self.counts["on_time"]


def event_period(event: Inspection) -> Period | None:
    if event.period_start is None or event.period_end is None:
        return None
    return custom(event.period_start, event.period_end)


def dossier_data_exists() -> bool:
    return DossierImport.objects.filter(status=ImportStatus.DONE).exists()


def dossier_figures(event: Inspection, unit: Unit) -> DossierFigures | None:
    """The unit's row of the dossier report for the inspected period (None: no period, no
    dossier data, or no dossier of the unit in the period)."""
    period = event_period(event)
    if period is None or not dossier_data_exists():
        return None
    reported = unit_for_period(unit, period)
    try:
        report, _notes = run_report(reported, period)
    except KeyError:  # the unit is not in the hierarchy of the period
        return None
    row = report.rows[0] if report.rows else None
    if row is None or row.counts["received_total"] == 0:
        return None
    return DossierFigures(unit, reported, period, dict(row.counts), row.on_time_pct, row.online_pct)


def dossier_metrics() -> list[Metric]:
    return list(Metric.objects.exclude(dossier_figure="").order_by("code"))


def report_source(figures: DossierFigures) -> str:
    return f"Báo cáo số liệu hồ sơ TTHC ({figures.reported.name}, {figures.period.label})"


@transaction.atomic
def dossier_fill(*, user: Any, event: Inspection) -> list[ObservedMetric]:
    """Fill every dossier metric of every unit from the dossier report of the period."""
    _require_edit(user, event)
    period = event_period(event)
    if period is None:
        raise InspectionError(
            "Sự kiện chưa có kỳ kiểm tra (trường “Kỳ kiểm tra từ … đến …”): "
            "không lấy được số liệu hồ sơ."
        )
    metrics = dossier_metrics()
    filled: list[ObservedMetric] = []
    missing: list[str] = []
    for visit in event.visits.select_related("unit"):
        figures = dossier_figures(event, visit.unit)
        if figures is None:
            missing.append(visit.name_as_of)
            continue
        for metric in metrics:
            value = figures.value(metric.dossier_figure)
            if value is None:
                continue
            filled.append(
                figure_record(
                    user=user,
                    event=event,
                    unit=visit.unit,
                    metric=metric,
                    raw=str(value),
                    period_text=period.label,
                    period_start=period.start,
                    period_end=period.end,
                    source=report_source(figures),
                    source_kind=FigureSource.DOSSIER_REPORT,
                )
            )
    if not filled:
        raise InspectionError(
            "Không có số liệu hồ sơ trong kỳ "
            f"{period.start:%d/%m/%Y}–{period.end:%d/%m/%Y} của: {', '.join(missing)}."
        )
    record(
        actor=user,
        obj=event,
        action="inspection.dossier_fill",
        changes={"figures": (None, len(filled)), "period": (None, period.label)},
    )
    return filled
