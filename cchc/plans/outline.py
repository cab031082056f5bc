"""The outline ("đề cương") of an inspection event as an ad-hoc report request.

Before a visit the inspected units answer the outline's questions in writing. From an
event (``/plans/requests/from-event/<event id>/``) the organiser — the secretariat /
appraisers / admins of the event's issuing unit — creates one ad-hoc request
"Báo cáo theo đề cương kiểm tra" addressed to the event's units, due a chosen number of
days before the visit (3 by default). Its form carries one text field per outline
question (code = the question's order, label = its text); it is versioned and frozen
once answered like every report form. One request per event: asking again leads to it.

The inspections app is a sibling layer: its models are reached through
:func:`django.apps.apps.get_model`, never imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from cchc.accounts.permissions import OVERSIGHT_ROLES, can_read_unit, can_write_unit
from cchc.audit.services import record
from cchc.frameworks.models import MetricType
from cchc.plans.models import ReportField, ReportKind, ReportRequest, Topic
from cchc.plans.remediation import event_label
from cchc.plans.services import AnswerRow, PlanError, answer_rows, request_create
from cchc.units.models import Unit

TITLE = "Báo cáo theo đề cương kiểm tra"
DEFAULT_DAYS_BEFORE = 3
MAX_DAYS_BEFORE = 90
LABEL_MAX = 300


@dataclass(frozen=True)
class Question:
    code: str
    topic: str
    text: str


def can_organise(user: Any, event: Any) -> bool:
    """The secretariat / appraisers / admins of the event's issuing unit (and superusers)."""
    return can_write_unit(user, event.body.unit_id, role_in=OVERSIGHT_ROLES)


def questions(event: Any) -> list[Question]:
    """The event's outline questions in order; the code is the question's rank (1, 2, …)."""
    return [
        Question(code=str(rank), topic=item.topic, text=item.question)
        for rank, item in enumerate(event.outline.order_by("order", "id"), start=1)
    ]


def event_units(event: Any) -> list[Unit]:
    ids = list(event.visits.order_by("order", "id").values_list("unit_id", flat=True))
    units = Unit.objects.in_bulk(ids)
    return [units[i] for i in ids]


def due_date(event: Any, days_before: int) -> date:
    on: date = event.date
    return on - timedelta(days=days_before)


def existing(event_id: int) -> ReportRequest | None:
    return ReportRequest.objects.filter(source_inspection_id=event_id).first()


def parse_days(raw: str | None) -> int:
    text = (raw or "").strip()
    if not text:
        return DEFAULT_DAYS_BEFORE
    if not text.isdigit() or int(text) > MAX_DAYS_BEFORE:
        raise PlanError(
            f"Trường “Số ngày trước ngày kiểm tra”: phải là số nguyên từ 0 đến "
            f"{MAX_DAYS_BEFORE}, không phải “{text}”."
        )
    return int(text)


def outline_request_create(
    *, user: Any, event: Any, days_before: int = DEFAULT_DAYS_BEFORE
) -> tuple[ReportRequest, bool]:
    """Create the event's outline request, or return the existing one (``created`` False)."""
    found = existing(event.pk)
    if found is not None:
        return found, False
    items = questions(event)
    if not items:
        raise PlanError(f"Cuộc kiểm tra “{event.title}” chưa có câu hỏi đề cương nào.")
    units = event_units(event)
    if not units:
        raise PlanError(f"Cuộc kiểm tra “{event.title}” chưa có đơn vị được kiểm tra.")
    topics = list(event.topics or [])
    label = event_label(event.kind, event.title, event.date)
    try:
        with transaction.atomic():
            req = request_create(
                user=user,
                title=f"{TITLE}: {event.title}"[:300],
                kind=ReportKind.AD_HOC,
                topic=Topic.DX if topics and all(t == "DX" for t in topics) else Topic.PAR,
                year=event.date.year,
                issuing_unit=event.body.unit,
                due_on=due_date(event, days_before),
                units=units,
                note=(
                    f"{label}. Các đơn vị trả lời từng câu hỏi của đề cương trước ngày "
                    f"kiểm tra {days_before} ngày."
                ),
                source_inspection_id=event.pk,
                source_label=label,
            )
            form = req.current_form()
            assert form is not None  # request_create makes version 1
            ReportField.objects.bulk_create(
                ReportField(
                    form=form,
                    position=position,
                    code=q.code,
                    label=q.text[:LABEL_MAX],
                    value_type=MetricType.TEXT,
                )
                for position, q in enumerate(items, start=1)
            )
            record(
                actor=user,
                obj=req,
                action="report_request.outline",
                changes={"inspection": (None, event.pk), "questions": (None, len(items))},
            )
    except IntegrityError:  # created meanwhile by someone else
        found = existing(event.pk)
        if found is None:
            raise
        return found, False
    return req, True


@dataclass(frozen=True)
class OutlineStatus:
    request: ReportRequest
    rows: list[AnswerRow]


def outline_status(user: Any, event_id: int, as_of: date) -> OutlineStatus | None:
    """Per unit of the event the user may read: answered on time / late / missing."""
    req = existing(event_id)
    if req is None:
        return None
    ids = list(req.units.values_list("id", flat=True))
    if not can_read_unit(user, req.issuing_unit_id):
        ids = [i for i in ids if can_read_unit(user, i)]
    return OutlineStatus(req, answer_rows(req, ids, as_of))
