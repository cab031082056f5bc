"""Remediation plans ("kế hoạch khắc phục") started from an inspection event or an index.

Two sources, one flow (``/plans/remediation/new/?event=<id>&unit=<key>`` or
``?round=<id>&unit=<key>``): the page proposes one task per item of the source, the user
confirms, and the plan is created with its tasks in one transaction, linked back to its
source. One remediation plan per unit and source: asking again leads to the existing plan.

- **After an inspection event** (any type: inspection, supervision, appraisal visit,
  steering meeting): one task per directive addressed to the unit (the directive has a
  follow-up item led by the unit). The content, deadline or "thường xuyên" with its review
  date, field, criterion and priority are copied. Directives flagged "starts a remediation
  plan" are proposed ticked; when none of the unit's directives is flagged, all are.
  The inspections app is a sibling layer: its models are reached through
  :func:`django.apps.apps.get_model`, never imported.
- **After a published index**: one task per field in which the unit lost points (from the
  materialised ``assessments.Result``), naming the criteria that lost most in that field.
  No source gives a deadline: the tasks are "thường xuyên", reviewed on 15/12 of the plan
  year, unless the user gives a common deadline.

Who may start one: the secretariat / appraisers / admins of the event's issuing unit (the
round's organising unit), and the writers of the unit itself (its own officers). The plan
belongs to the unit, so its creation also needs write access on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cchc.accounts.permissions import OVERSIGHT_ROLES, can_write_unit
from cchc.assessments.models import AssessmentRound, Result, RoundStatus
from cchc.audit.services import record
from cchc.core.numbers import format_number
from cchc.followup.models import FollowupItem
from cchc.plans.models import Plan, PlanKind
from cchc.plans.services import PlanError, plan_create, task_create
from cchc.units.models import Unit

EVENT_KIND_VI = {
    "inspection": "cuộc kiểm tra",
    "supervision": "cuộc giám sát",
    "appraisal": "đợt thẩm định",
    "meeting": "hội nghị",
}
TITLE_MAX = 500


class SourceNotFound(LookupError):
    """The event / round does not exist, or the unit has nothing in it (Vietnamese)."""


@dataclass(frozen=True)
class Proposal:
    """One task the page proposes; ``key`` is ``d<directive id>`` or ``f<field code>``."""

    key: str
    title: str
    description: str = ""
    deadline: date | None = None
    ongoing: bool = False
    review_on: date | None = None
    field_code: str = ""
    criterion_code: str = ""
    priority: str = ""
    preselected: bool = True
    note: str = ""
    # True when the source gives no schedule: the form's common deadline applies.
    scheduled_by_form: bool = False


@dataclass
class Source:
    kind: str  # "event" or "round"
    unit: Unit
    issuing_unit_id: int
    year: int
    title: str
    label: str
    proposals: list[Proposal] = field(default_factory=list)
    inspection_id: int | None = None
    round: AssessmentRound | None = None

    def existing(self) -> Plan | None:
        plans = Plan.objects.filter(unit=self.unit, kind=PlanKind.REMEDIATION)
        if self.inspection_id is not None:
            return plans.filter(source_inspection_id=self.inspection_id).first()
        return plans.filter(source_round=self.round).first()

    @property
    def link(self) -> str:
        if self.inspection_id is not None:
            return event_url(self.inspection_id)
        return round_url(self.round.pk) if self.round is not None else ""


# --- pure helpers ---------------------------------------------------------------------


def _dec(raw: object) -> Decimal:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _points(value: Decimal) -> str:
    """``3.7500`` → ``3,75``; ``1.0000`` → ``1`` (no padding zeros)."""
    return format_number(
        value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    )


def _in_field(criterion: str, field_code: str) -> bool:
    return criterion == field_code or criterion.startswith(f"{field_code}.")


def field_proposals(
    fields: Sequence[Mapping[str, Any]], lost_criteria: Sequence[Mapping[str, Any]]
) -> list[Proposal]:
    """One proposal per field with lost points, in the order of the set.

    ``fields`` and ``lost_criteria`` are ``Result.fields`` / ``Result.lost_criteria`` rows
    (points as decimal text)."""
    out = []
    for row in fields:
        lost = _dec(row.get("lost"))
        if lost <= 0:
            continue
        code = str(row["code"])
        label = str(row.get("label") or code)
        name = str(row.get("title") or "")
        heading = f"{label}. {name}" if name and name != label else label
        title = (
            f"Khắc phục điểm bị trừ lĩnh vực {heading}: đạt {_points(_dec(row.get('final')))}"
            f"/{_points(_dec(row.get('max')))} điểm, bị trừ {_points(lost)} điểm"
        )
        criteria = [c for c in lost_criteria if _in_field(str(c.get("code", "")), code)]
        description = ""
        if criteria:
            description = "Tiêu chí bị trừ điểm: " + "; ".join(
                f"{c['code']} {c.get('title', '')} (bị trừ {_points(_dec(c.get('lost')))})"
                for c in criteria
            )
        out.append(
            Proposal(
                key=f"f{code}",
                title=title[:TITLE_MAX],
                description=description,
                ongoing=True,
                field_code=code[:32],
                criterion_code=str(criteria[0]["code"])[:64] if len(criteria) == 1 else "",
                note=f"{label}: bị trừ {_points(lost)}/{_points(_dec(row.get('max')))} điểm",
                scheduled_by_form=True,
            )
        )
    return out


def event_label(
    kind: str,
    title: str,
    on: date,
    notice_number: str = "",
    notice_date: date | None = None,
) -> str:
    """ "Theo Thông báo kết luận số … ngày …" once signed, else "Theo cuộc kiểm tra …"."""
    what = EVENT_KIND_VI.get(kind, "sự kiện")
    if notice_number:
        when = f" ngày {notice_date:%d/%m/%Y}" if notice_date else ""
        text = f"Theo Thông báo kết luận số {notice_number}{when} ({what} “{title}”)"
    else:
        text = f"Theo {what} “{title}” ngày {on:%d/%m/%Y}"
    return text[:300]


# --- links (the other apps' pages, when their URLs exist) ----------------------------------


def event_url(inspection_id: int) -> str:
    try:
        return reverse("inspections:event_detail", args=[inspection_id])
    except NoReverseMatch:
        return ""


def round_url(round_id: int) -> str:
    try:
        return reverse("assessments:round", args=[round_id])
    except NoReverseMatch:
        return ""


def source_link(plan: Plan) -> str:
    if plan.source_inspection_id is not None:
        return event_url(plan.source_inspection_id)
    if plan.source_round_id is not None:
        return round_url(plan.source_round_id)
    return ""


# --- sources -------------------------------------------------------------------------------


def load_event(event_id: int) -> Any:
    """The inspection event (a model of the inspections app, looked up at run time)."""
    try:
        model = apps.get_model("inspections", "Inspection")
    except LookupError as exc:
        raise SourceNotFound("Chức năng kiểm tra chưa được cài đặt.") from exc
    event = model._default_manager.select_related("body").filter(pk=event_id).first()
    if event is None:
        raise SourceNotFound(f"Không tìm thấy cuộc kiểm tra số {event_id}.")
    return event


def event_source(event: Any, unit: Unit) -> Source:
    """The directives of ``event`` addressed to ``unit``, as proposed tasks."""
    directive_model = apps.get_model("inspections", "Directive")
    directives = list(
        directive_model._default_manager.filter(inspection_id=event.pk).order_by("order", "id")
    )
    ct = ContentType.objects.get_for_model(directive_model, for_concrete_model=False)
    addressed = set(
        FollowupItem.objects.filter(
            source_type=ct, source_id__in=[d.pk for d in directives], lead_unit=unit
        ).values_list("source_id", flat=True)
    )
    mine: list[Any] = [d for d in directives if d.pk in addressed]
    visited = event.visits.filter(unit=unit).exists()
    if not mine and not visited:
        raise SourceNotFound(
            f"{unit.name} không thuộc cuộc kiểm tra “{event.title}” và không nhận chỉ đạo nào."
        )
    flagged = any(d.starts_remediation_plan for d in mine)
    proposals = [
        Proposal(
            key=f"d{d.pk}",
            title=d.text[:TITLE_MAX],
            description=d.text if len(d.text) > TITLE_MAX else "",
            deadline=d.deadline,
            ongoing=d.ongoing,
            review_on=d.review_on,
            field_code=d.field_code,
            criterion_code=d.criterion_code,
            priority=d.priority,
            preselected=d.starts_remediation_plan or not flagged,
            note=d.addressee_label,
        )
        for d in mine
    ]
    # A missing one-to-one raises an AttributeError subclass: getattr's default applies.
    notice: Any = getattr(event, "notice", None)
    signed = notice is not None and bool(notice.signed_file_id) and bool(notice.number)
    label = event_label(
        event.kind,
        event.title,
        event.date,
        notice.number if signed else "",
        notice.signed_on if signed else None,
    )
    what = EVENT_KIND_VI.get(event.kind, "kiểm tra")
    return Source(
        kind="event",
        unit=unit,
        issuing_unit_id=event.body.unit_id,
        year=event.date.year,
        title=(
            f"Kế hoạch khắc phục tồn tại, hạn chế sau {what} ngày {event.date:%d/%m/%Y} "
            f"– {unit.name}"
        )[:300],
        label=label,
        proposals=proposals,
        inspection_id=event.pk,
    )


def load_round(round_id: int) -> AssessmentRound:
    rnd = AssessmentRound.objects.filter(pk=round_id).first()
    if rnd is None:
        raise SourceNotFound(f"Không tìm thấy đợt đánh giá số {round_id}.")
    if rnd.status != RoundStatus.PUBLISHED:
        raise SourceNotFound(f"Đợt đánh giá “{rnd.name}” chưa công bố kết quả.")
    return rnd


def round_source(rnd: AssessmentRound, unit: Unit) -> Source:
    """The fields of the published round in which ``unit`` lost points."""
    result = Result.objects.filter(round=rnd, unit=unit).first()
    if result is None:
        raise SourceNotFound(f"{unit.name} không có kết quả trong đợt “{rnd.name}”.")
    published = timezone.localdate(rnd.published_at) if rnd.published_at else None
    year = published.year if published else rnd.year + 1
    when = f" (công bố ngày {published:%d/%m/%Y})" if published else ""
    return Source(
        kind="round",
        unit=unit,
        issuing_unit_id=rnd.owner_unit_id,
        year=year,
        title=f"Kế hoạch khắc phục điểm bị trừ theo {rnd.name} – {unit.name}"[:300],
        label=f"Theo kết quả {rnd.name}{when}"[:300],
        proposals=field_proposals(result.fields, result.lost_criteria),
        round=rnd,
    )


# --- permission and creation ------------------------------------------------------------


def can_start(user: Any, source: Source) -> bool:
    return can_write_unit(user, source.issuing_unit_id, role_in=OVERSIGHT_ROLES) or can_write_unit(
        user, source.unit
    )


def remediation_create(
    *,
    user: Any,
    source: Source,
    picks: Sequence[str],
    title: str = "",
    year: int | None = None,
    deadline: date | None = None,
    review_on: date | None = None,
) -> tuple[Plan, bool]:
    """Create the plan with the picked tasks, all or nothing; ``(plan, created)``.

    When the unit already has a remediation plan for this source, nothing is written and
    that plan is returned with ``created=False``."""
    if user is not None and not can_start(user, source):
        raise PermissionDenied
    existing = source.existing()
    if existing is not None:
        return existing, False
    known = {p.key for p in source.proposals}
    unknown = [k for k in picks if k not in known]
    if unknown:
        raise PlanError(f"Nhiệm vụ không có trong nguồn: {', '.join(unknown)}.")
    chosen = [p for p in source.proposals if p.key in set(picks)]
    if not chosen:
        raise PlanError("Chọn ít nhất một nhiệm vụ (cột “Đưa vào kế hoạch”).")
    year = year or source.year
    try:
        with transaction.atomic():
            plan = plan_create(
                user=user,
                kind=PlanKind.REMEDIATION,
                unit=source.unit,
                year=year,
                title=title or source.title,
                source_inspection_id=source.inspection_id,
                source_round=source.round,
                source_label=source.label,
            )
            for position, proposal in enumerate(chosen, start=1):
                when: dict[str, Any] = {
                    "deadline": proposal.deadline,
                    "ongoing": proposal.ongoing,
                    "review_on": proposal.review_on,
                }
                if proposal.scheduled_by_form:
                    when = (
                        {"deadline": deadline, "ongoing": False, "review_on": None}
                        if deadline
                        else {
                            "deadline": None,
                            "ongoing": True,
                            "review_on": review_on or date(year, 12, 15),
                        }
                    )
                try:
                    task_create(
                        plan=plan,
                        user=user,
                        title=proposal.title,
                        description=proposal.description,
                        lead_unit=source.unit,
                        field_code=proposal.field_code,
                        criterion_code=proposal.criterion_code,
                        priority=proposal.priority,
                        position=position,
                        **when,
                    )
                except PlanError as exc:
                    raise PlanError(
                        [f"Nhiệm vụ {position} (“{proposal.title[:60]}”): {e}" for e in exc.errors]
                    ) from exc
            record(
                actor=user,
                obj=plan,
                action="plan.remediation_create",
                changes={
                    "source": (None, source.label),
                    "inspection": (None, source.inspection_id),
                    "round": (None, source.round.code if source.round else None),
                    "tasks": (None, [p.key for p in chosen]),
                },
            )
    except IntegrityError:
        # Another request created it first (the unique constraint per unit and source).
        existing = source.existing()
        if existing is None:
            raise
        return existing, False
    return plan, True
