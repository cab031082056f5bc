"""Writes for plans, events, findings, directives and the conclusion notice.

Each write is atomic, checked (:mod:`cchc.inspections.permissions`) and audited. Once
the signed conclusion notice is recorded the event is closed: its record no longer
changes (corrections are a new event that points at this one in its summary).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cchc.audit.services import record
from cchc.core.followup import Schedule, schedule_errors
from cchc.core.text import normalize_name
from cchc.documents.services import file_store
from cchc.followup import services as followup
from cchc.followup.models import Acceptance, FollowupItem, Priority
from cchc.frameworks.metrics import MetricValueError, parse_metric_value
from cchc.frameworks.models import Metric, MetricType
from cchc.inspections.models import (
    FIELD_CODES,
    ConclusionNotice,
    Directive,
    EventKind,
    FigureSource,
    Finding,
    FindingKind,
    HostOfficial,
    Inspection,
    InspectionPlan,
    InspectionUnit,
    IssuingBody,
    ObservedMetric,
    OutlineItem,
    PlannedEvent,
    TeamMember,
    TeamRole,
    UnitRecommendation,
)
from cchc.inspections.permissions import can_edit_event, can_plan
from cchc.reports.notice_docx import (
    NoticeData,
    NoticeDirective,
    heading_for,
    signer_lines_for,
    subject_for,
)
from cchc.units.models import Unit, UnitGroup, UnitLineage
from cchc.units.services import parent_on


class InspectionError(ValueError):
    """Input refused; the message is Vietnamese and names the field."""


# --- helpers -------------------------------------------------------------------------


def snapshot(unit: Unit, on: date) -> tuple[str, str]:
    """The unit's name and its parent's name on a date (dated parents are followed)."""
    parent = parent_on(unit, on)
    return unit.name, parent.name if parent is not None else ""


_LONE_CONSONANT = re.compile(r"\b([BCDĐGHKLMNPQRSTVX]) (?=[a-zđ\u00e0-\u1ef9])")


def clean_person_name(raw: str) -> str:
    """NFC, spaces collapsed, and a consonant split from its syllable joined back.

    ``"Đinh  Q uang Hưng "`` → ``"Đinh Quang Hưng"``: no Vietnamese syllable is a lone
    consonant, so a capital consonant followed by a space and a lower-case letter is a
    typing slip (a lone vowel such as "Y" is a real name and is left alone).
    """
    return _LONE_CONSONANT.sub(r"\1", normalize_name(raw))


def lineage_ids(unit: Unit) -> set[int]:
    """The unit and every unit it continues (predecessors, transitively)."""
    preds: dict[int, list[int]] = {}
    for pred, succ in UnitLineage.objects.values_list("predecessor_id", "successor_id"):
        preds.setdefault(succ, []).append(pred)
    found = {unit.pk}
    stack = [unit.pk]
    while stack:
        for pred in preds.get(stack.pop(), ()):
            if pred not in found:
                found.add(pred)
                stack.append(pred)
    return found


def _require_edit(user: Any, event: Inspection) -> None:
    if user is not None and not can_edit_event(user, event):
        raise PermissionDenied
    if event.is_signed:
        raise InspectionError(
            "Thông báo kết luận của sự kiện này đã ký và lưu: không sửa được nội dung nữa."
        )


def _topics(topics: Iterable[str]) -> list[str]:
    out = []
    for code in topics:
        if code not in FIELD_CODES:
            raise InspectionError(f"Lĩnh vực không hợp lệ: {code!r}.")
        if code not in out:
            out.append(code)
    return out


# --- plans -----------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    user: Any,
    body: IssuingBody,
    year: int,
    title: str,
    decision_number: str = "",
    decision_date: date | None = None,
    signer: str = "",
) -> InspectionPlan:
    if user is not None and not can_plan(user, body):
        raise PermissionDenied
    if not title.strip():
        raise InspectionError("Thiếu tên kế hoạch (trường “Tên kế hoạch”).")
    if decision_date is not None and decision_date.year not in (year - 1, year):
        raise InspectionError(
            f"Ngày ban hành {decision_date:%d/%m/%Y} không thuộc năm {year} hoặc năm trước."
        )
    plan = InspectionPlan.objects.create(
        year=year,
        body=body,
        title=title.strip(),
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        signer=normalize_name(signer),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record(actor=user, obj=plan, action="inspection_plan.create", changes={"year": (None, year)})
    return plan


@transaction.atomic
def planned_event_add(
    *,
    user: Any,
    plan: InspectionPlan,
    units: Sequence[Unit],
    planned_date: date,
    half_day: str = "",
    topics: Iterable[str] = (),
    team_number: int | None = None,
    kind: str = EventKind.INSPECTION,
) -> PlannedEvent:
    if user is not None and not can_plan(user, plan.body):
        raise PermissionDenied
    if not units:
        raise InspectionError("Chưa chọn đơn vị được kiểm tra (trường “Đơn vị”).")
    if planned_date.year != plan.year:
        raise InspectionError(
            f"Ngày dự kiến {planned_date:%d/%m/%Y} không thuộc năm kế hoạch {plan.year}."
        )
    event = PlannedEvent.objects.create(
        plan=plan,
        kind=kind,
        planned_date=planned_date,
        half_day=half_day,
        topics=_topics(topics),
        team_number=team_number,
    )
    event.units.set(units)
    record(
        actor=user,
        obj=plan,
        action="inspection_plan.event_add",
        changes={"planned": (None, [u.key for u in units] + [planned_date])},
    )
    return event


# --- events ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    unit: Unit
    half_day: str = ""
    # The parent on the day when the unit table does not know it (a missing dated parent).
    parent_name: str | None = None


@transaction.atomic
def inspection_create(
    *,
    user: Any,
    body: IssuingBody,
    kind: str,
    title: str,
    on: date,
    visits: Sequence[Visit],
    half_day: str = "",
    planned: PlannedEvent | None = None,
    legal_basis: str = "",
    topics: Iterable[str] = (),
    period_text: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    team_number: int | None = None,
    team_name: str = "",
    date_note: str = "",
    summary: str = "",
    source_note: str = "",
) -> Inspection:
    """Record an event for one or several units, their names and parents as of ``on``."""
    if user is not None and not can_plan(user, body):
        raise PermissionDenied
    if kind not in EventKind.values:
        raise InspectionError(f"Loại sự kiện không hợp lệ: {kind!r}.")
    if not title.strip():
        raise InspectionError("Thiếu tên sự kiện (trường “Tên”).")
    if not visits:
        raise InspectionError("Chưa có đơn vị nào (trường “Đơn vị”).")
    if period_start and period_end and period_start > period_end:
        raise InspectionError("Kỳ kiểm tra: ngày bắt đầu sau ngày kết thúc.")
    if planned is not None and Inspection.objects.filter(planned=planned).exists():
        raise InspectionError("Sự kiện theo kế hoạch này đã được ghi nhận.")
    event = Inspection.objects.create(
        kind=kind,
        body=body,
        plan=planned.plan if planned else None,
        planned=planned,
        title=title.strip(),
        date=on,
        half_day=half_day,
        date_note=date_note,
        team_number=team_number
        if team_number is not None
        else getattr(planned, "team_number", None),
        team_name=team_name,
        legal_basis=legal_basis.strip(),
        topics=_topics(topics or (planned.topics if planned else [])),
        period_text=period_text.strip(),
        period_start=period_start,
        period_end=period_end,
        summary=summary,
        source_note=source_note,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    seen: set[int] = set()
    for order, visit in enumerate(visits):
        if visit.unit.pk in seen:
            raise InspectionError(f"Đơn vị {visit.unit.name} được nhập hai lần.")
        seen.add(visit.unit.pk)
        name, parent = snapshot(visit.unit, on)
        InspectionUnit.objects.create(
            inspection=event,
            unit=visit.unit,
            name_as_of=name,
            parent_name_as_of=parent if visit.parent_name is None else visit.parent_name,
            half_day=visit.half_day,
            order=order,
        )
    record(
        actor=user,
        obj=event,
        action="inspection.create",
        changes={
            "kind": (None, kind),
            "date": (None, on),
            "units": (None, [v.unit.key for v in visits]),
        },
    )
    return event


def _next_order(qs: QuerySet[Any]) -> int:
    return qs.count()


@transaction.atomic
def team_member_add(
    *,
    user: Any,
    event: Inspection,
    role: str,
    organisation: str,
    name: str = "",
    title: str = "",
) -> TeamMember:
    _require_edit(user, event)
    if role not in TeamRole.values:
        raise InspectionError(f"Vai trò không hợp lệ: {role!r}.")
    if not organisation.strip():
        raise InspectionError("Thành viên đoàn: thiếu cơ quan (trường “Cơ quan”).")
    if role == TeamRole.HEAD and event.team.filter(role=TeamRole.HEAD).exists():
        raise InspectionError(f"Đoàn đã có {event.body.team_head_label.lower()}.")
    member = TeamMember.objects.create(
        inspection=event,
        role=role,
        organisation=normalize_name(organisation),
        name=clean_person_name(name),
        title=normalize_name(title),
        order=_next_order(event.team.all()),
    )
    record(
        actor=user,
        obj=event,
        action="inspection.team_add",
        changes={"team": (None, f"{member.get_role_display()}: {member}")},
    )
    return member


@transaction.atomic
def host_add(
    *,
    user: Any,
    event: Inspection,
    title: str,
    name: str = "",
    unit: Unit | None = None,
    is_group: bool = False,
) -> HostOfficial:
    _require_edit(user, event)
    if not title.strip():
        raise InspectionError("Thành phần tiếp đoàn: thiếu chức vụ hoặc tên nhóm.")
    host = HostOfficial.objects.create(
        inspection=event,
        unit=unit,
        name=clean_person_name(name),
        title=normalize_name(title),
        is_group=is_group,
        order=_next_order(event.hosts.all()),
    )
    record(actor=user, obj=event, action="inspection.host_add", changes={"host": (None, str(host))})
    return host


@transaction.atomic
def outline_add(
    *, user: Any, event: Inspection, topic: str, question: str, answer: str = ""
) -> OutlineItem:
    _require_edit(user, event)
    _topics([topic])
    if not question.strip():
        raise InspectionError("Đề cương: thiếu nội dung câu hỏi.")
    item = OutlineItem.objects.create(
        inspection=event,
        topic=topic,
        question=question.strip(),
        answer=answer.strip(),
        order=_next_order(event.outline.all()),
    )
    record(
        actor=user, obj=event, action="inspection.outline_add", changes={"outline": (None, topic)}
    )
    return item


def _event_unit(event: Inspection, unit: Unit) -> None:
    if not event.visits.filter(unit=unit).exists():
        raise InspectionError(f"{unit.name} không phải đơn vị của sự kiện này.")


@transaction.atomic
def figure_record(
    *,
    user: Any,
    event: Inspection,
    unit: Unit,
    metric: Metric,
    raw: object,
    period_text: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    source: str = "",
    source_kind: str = FigureSource.ENTERED,
) -> ObservedMetric:
    """Record (or correct) one observed figure; the value is read by the metric's type."""
    _require_edit(user, event)
    _event_unit(event, unit)
    try:
        value = parse_metric_value(metric.value_type, raw)
    except MetricValueError as exc:
        raise InspectionError(f"Chỉ tiêu “{metric.label}”: {exc}.") from exc
    figure, _created = ObservedMetric.objects.get_or_create(
        inspection=event, unit=unit, metric=metric
    )
    old = figure.value_text
    figure.value_decimal = value if isinstance(value, Decimal) else None
    figure.value_bool = value if isinstance(value, bool) else None
    if isinstance(value, Decimal):
        figure.value_text = str(value)
    elif isinstance(value, bool):
        figure.value_text = "Có" if value else "Không"
    elif isinstance(value, date):
        figure.value_text = value.strftime("%d/%m/%Y")
    else:
        figure.value_text = value
    figure.period_text = period_text.strip() or event.period_text
    figure.period_start = period_start or event.period_start
    figure.period_end = period_end or event.period_end
    figure.source = source.strip()
    figure.source_kind = source_kind
    figure.save()
    record(
        actor=user,
        obj=event,
        action="inspection.figure",
        changes={f"{unit.key}:{metric.code}": (old or None, figure.value_text)},
    )
    return figure


def unit_label(metric: Metric) -> str:
    """What the value is measured in: %, a count, yes/no."""
    return {
        MetricType.PERCENT: "%",
        MetricType.INTEGER: "số lượng",
        MetricType.DECIMAL: "số",
        MetricType.YES_NO: "có/không",
    }.get(MetricType(metric.value_type), "")


@transaction.atomic
def finding_add(
    *,
    user: Any,
    event: Inspection,
    kind: str,
    field_code: str,
    text: str,
    units: Sequence[Unit],
    criterion_code: str = "",
) -> Finding:
    _require_edit(user, event)
    if kind not in (FindingKind.ACHIEVEMENT, FindingKind.SHORTCOMING):
        raise InspectionError(f"Loại nhận xét không hợp lệ: {kind!r}.")
    _topics([field_code])
    if not text.strip():
        raise InspectionError("Nhận xét: thiếu nội dung.")
    if not units:
        raise InspectionError("Nhận xét: chưa chọn đơn vị.")
    for unit in units:
        _event_unit(event, unit)
    finding = Finding.objects.create(
        inspection=event,
        kind=kind,
        field_code=field_code,
        criterion_code=criterion_code.strip(),
        text=text.strip(),
        order=_next_order(event.findings.filter(kind=kind)),
    )
    finding.units.set(units)
    record(
        actor=user,
        obj=event,
        action="inspection.finding_add",
        changes={"finding": (None, f"{kind} {field_code}: {finding.text[:200]}")},
    )
    return finding


def earlier_open_items(event: Inspection, unit: Unit) -> list[FollowupItem]:
    """Open follow-up items of the unit and its predecessors from earlier events and plans."""
    own = Directive.objects.filter(inspection=event).values_list("id", flat=True)
    items = (
        FollowupItem.objects.open()
        .filter(lead_unit_id__in=sorted(lineage_ids(unit)))
        .select_related("lead_unit")
        .order_by("created_at", "id")
    )
    own_ids = set(own)
    from django.contrib.contenttypes.models import ContentType

    directive_ct = ContentType.objects.get_for_model(Directive)
    return [
        item
        for item in items
        if not (item.source_type_id == directive_ct.pk and item.source_id in own_ids)
    ]


@transaction.atomic
def remediation_check(
    *,
    user: Any,
    event: Inspection,
    unit: Unit,
    item: FollowupItem,
    remedied: bool,
    note: str = "",
) -> Finding:
    """The team marks an earlier item remedied / not yet remedied: a finding of this event."""
    _require_edit(user, event)
    _event_unit(event, unit)
    if item.lead_unit_id not in lineage_ids(unit):
        raise InspectionError(f"Nhiệm vụ “{item.title[:80]}” không thuộc {unit.name}.")
    existing = event.findings.filter(checked_item=item).first()
    if existing is not None:
        raise InspectionError(f"Đã đánh giá nhiệm vụ “{item.title[:80]}” trong sự kiện này.")
    kind = FindingKind.REMEDIED if remedied else FindingKind.NOT_REMEDIED
    verdict = "Đã khắc phục" if remedied else "Chưa khắc phục"
    text = f"{verdict}: {item.title}"
    if note.strip():
        text += f" — {note.strip()}"
    field = item.field_code if item.field_code in FIELD_CODES else "I"
    finding = Finding.objects.create(
        inspection=event,
        kind=kind,
        field_code=field,
        criterion_code=item.criterion_code,
        text=text,
        checked_item=item,
        order=_next_order(event.findings.filter(kind=kind)),
    )
    finding.units.set([unit])
    record(
        actor=user,
        obj=event,
        action="inspection.remediation_check",
        changes={f"item:{item.pk}": (item.status, kind)},
    )
    return finding


@transaction.atomic
def directive_create(
    *,
    user: Any,
    event: Inspection,
    text: str,
    units: Sequence[Unit] = (),
    group: UnitGroup | None = None,
    addressee_label: str = "",
    deadline: date | None = None,
    ongoing: bool = False,
    review_on: date | None = None,
    priority: str = Priority.NORMAL,
    field_code: str = "",
    criterion_code: str = "",
    note: str = "",
) -> Directive:
    """A directive and one follow-up item (label "xác minh") per addressed unit."""
    _require_edit(user, event)
    if not text.strip():
        raise InspectionError("Chỉ đạo: thiếu nội dung.")
    if field_code:
        _topics([field_code])
    errors = schedule_errors(Schedule(deadline=deadline, ongoing=ongoing, review_on=review_on))
    if errors:
        raise InspectionError("Chỉ đạo: " + " ".join(errors))
    addressees: list[Unit] = list(units)
    if group is not None:
        addressees += [u for u in group.units.order_by("sort_key") if u not in addressees]
    if not addressees:
        raise InspectionError("Chỉ đạo: chưa chọn đơn vị thực hiện (đơn vị hoặc nhóm đơn vị).")
    label = addressee_label.strip() or (group.name if group else "; ".join(u.name for u in units))
    directive = Directive.objects.create(
        inspection=event,
        text=text.strip(),
        field_code=field_code,
        criterion_code=criterion_code.strip(),
        addressee_group=group,
        addressee_label=label[:300],
        deadline=deadline,
        ongoing=ongoing,
        review_on=review_on,
        priority=priority,
        note=note,
        order=_next_order(event.directives.all()),
    )
    source_label = f"{event.get_kind_display()}: {event.title}"[:300]
    for unit in addressees:
        followup.item_create(
            user=user,
            title=directive.text[:500],
            description=directive.text if len(directive.text) > 500 else "",
            lead_unit=unit,
            issuing_unit=event.body.unit,
            deadline=deadline,
            ongoing=ongoing,
            review_on=review_on,
            priority=priority,
            field_code=field_code,
            criterion_code=criterion_code,
            source=directive,
            source_label=source_label,
            acceptance_label=Acceptance.VERIFICATION,
        )
    record(
        actor=user,
        obj=event,
        action="inspection.directive_add",
        changes={"directive": (None, f"{directive.text[:200]} → {len(addressees)}")},
    )
    return directive


@transaction.atomic
def recommendation_add(
    *,
    user: Any,
    event: Inspection,
    unit: Unit,
    text: str,
    addressee: str,
    addressee_unit: Unit,
) -> UnitRecommendation:
    """The inspected unit's recommendation upward; the responding unit follows it up."""
    _require_edit(user, event)
    _event_unit(event, unit)
    if not text.strip():
        raise InspectionError("Kiến nghị: thiếu nội dung.")
    if not addressee.strip():
        raise InspectionError("Kiến nghị: thiếu nơi nhận kiến nghị (trường “Gửi tới”).")
    rec = UnitRecommendation.objects.create(
        inspection=event,
        unit=unit,
        text=text.strip(),
        addressee=addressee.strip(),
        addressee_unit=addressee_unit,
    )
    rec.item = followup.item_create(
        user=None,  # checked above: the team records what the unit asked for
        title=f"Trả lời kiến nghị của {unit.name}: {rec.text}"[:500],
        lead_unit=addressee_unit,
        issuing_unit=unit,
        ongoing=True,
        review_on=event.date.replace(year=event.date.year + 1)
        if not (event.date.month == 2 and event.date.day == 29)
        else date(event.date.year + 1, 2, 28),
        source=rec,
        source_label=f"{event.get_kind_display()}: {event.title}"[:300],
    )
    rec.save(update_fields=["item"])
    record(
        actor=user,
        obj=event,
        action="inspection.recommendation_add",
        changes={"text": (None, rec.text)},
    )
    return rec


@transaction.atomic
def recommendation_respond(*, user: Any, rec: UnitRecommendation, response: str) -> None:
    """The responding unit answers; its follow-up item is reported done with the answer."""
    if rec.item is None or not followup.can_claim_item(user, rec.item):
        raise PermissionDenied
    if not response.strip():
        raise InspectionError("Trả lời kiến nghị: thiếu nội dung.")
    old = rec.response
    rec.response = response.strip()
    rec.save(update_fields=["response"])
    if rec.item.status in ("not_started", "in_progress"):
        followup.item_claim_done(item=rec.item, user=user, text=rec.response)
    record(
        actor=user,
        obj=rec.inspection,
        action="inspection.recommendation_respond",
        changes={"response": (old, rec.response)},
    )


# --- the conclusion notice ---------------------------------------------------------------


def _where(event: Inspection) -> str:
    names = [v.name_as_of for v in event.visits.all()]
    if len(names) <= 3:
        return ", ".join(n[0].lower() + n[1:] if n else n for n in names)
    return f"{len(names)} đơn vị"


_WHAT = {
    "par": "công tác cải cách hành chính",
    "dx": "công tác chuyển đổi số",
    "both": "công tác cải cách hành chính và chuyển đổi số",
}


def _what(event: Inspection) -> str:
    topics = set(event.topics)
    par = bool(topics - {"DX"})
    dx = "DX" in topics
    key = "both" if par and dx else ("dx" if dx else "par")
    return _WHAT[key]


def _signer(event: Inspection) -> tuple[list[str], str]:
    body = event.body
    head = event.team.filter(role="head").first()
    collective = body.signer_collective or body.name
    return signer_lines_for(collective, body.signer_head_title), head.name if head else ""


@transaction.atomic
def notice_prepare(*, user: Any, event: Inspection) -> ConclusionNotice:
    """The draft's editable parts, with defaults from the event (created once)."""
    existing = ConclusionNotice.objects.filter(inspection=event).first()
    if existing is not None:
        return existing
    _require_edit(user, event)
    lines, signer = _signer(event)
    where = _where(event)
    if event.kind == EventKind.MEETING:
        subject = subject_for(event.kind, f"{event.body.name}", "")
    else:
        subject = subject_for(event.kind, _what(event), where)
    recipients = [v.name_as_of for v in event.visits.all()] + ["Lưu: VT"]
    held_by = event.team_name or event.body.name
    intro = (
        f"Ngày {event.date:%d/%m/%Y}, {held_by} đã {heading_for(event.kind)[9:]} "
        f"{_what(event)} tại {where}."
        if event.kind != EventKind.MEETING
        else f"Ngày {event.date:%d/%m/%Y}, {event.body.name} tổ chức hội nghị."
    )
    notice = ConclusionNotice.objects.create(
        inspection=event,
        subject=subject,
        intro=intro,
        recipients="\n".join(recipients),
        signer_lines="\n".join(lines),
        signer_name=signer,
    )
    record(actor=user, obj=notice, action="notice.prepare", changes={"subject": (None, subject)})
    return notice


@transaction.atomic
def notice_update(
    *,
    user: Any,
    notice: ConclusionNotice,
    subject: str,
    intro: str,
    recipients: str,
    signer_lines: str,
    signer_name: str,
) -> ConclusionNotice:
    _require_edit(user, notice.inspection)
    if not subject.strip():
        raise InspectionError("Thông báo: thiếu trích yếu (trường “Trích yếu”).")
    if not recipients.strip():
        raise InspectionError("Thông báo: thiếu nơi nhận (trường “Nơi nhận”).")
    if not signer_lines.strip():
        raise InspectionError("Thông báo: thiếu thẩm quyền ký (trường “Thẩm quyền ký”).")
    changes = {}
    for name, value in (
        ("subject", subject.strip()),
        ("intro", intro.strip()),
        ("recipients", recipients.strip()),
        ("signer_lines", signer_lines.strip()),
        ("signer_name", clean_person_name(signer_name)),
    ):
        changes[name] = (getattr(notice, name), value)
        setattr(notice, name, value)
    notice.save()
    record(actor=user, obj=notice, action="notice.update", changes=changes)
    return notice


def notice_data(event: Inspection, notice: ConclusionNotice) -> NoticeData:
    """The plain data the .docx writer needs."""
    body = event.body
    findings = list(event.findings.all())
    directives = []
    for directive in event.directives.all():
        directives.append(
            NoticeDirective(
                text=directive.text,
                addressees=directive.addressee_label,
                deadline=directive.deadline,
                review_on=directive.review_on,
            )
        )
    issuer = body.notice_issuer or body.name
    return NoticeData(
        kind=event.kind,
        superior=body.superior,
        issuer=issuer,
        symbol=body.symbol,
        place=body.place,
        date=notice.signed_on or event.date,
        subject=notice.subject,
        intro=notice.intro,
        achievements=[f.text for f in findings if f.kind == FindingKind.ACHIEVEMENT],
        shortcomings=[f.text for f in findings if f.kind == FindingKind.SHORTCOMING],
        remediation=[
            f.text for f in findings if f.kind in (FindingKind.REMEDIED, FindingKind.NOT_REMEDIED)
        ],
        directives=directives,
        recipients=[r.strip() for r in notice.recipients.splitlines() if r.strip()],
        signer_lines=[s.strip() for s in notice.signer_lines.splitlines() if s.strip()],
        signer_name=notice.signer_name,
        number=notice.number,
        draft=not notice.is_signed,
    )


@transaction.atomic
def notice_sign(
    *,
    user: Any,
    notice: ConclusionNotice,
    number: str,
    signed_on: date,
    signed_by: str,
    uploaded: UploadedFile | bytes,
    file_name: str | None = None,
) -> ConclusionNotice:
    """Record the issued notice (number, date, signer, signed PDF): it becomes immutable."""
    event = notice.inspection
    _require_edit(user, event)
    if not number.strip():
        raise InspectionError("Thiếu số, ký hiệu của thông báo đã ký (trường “Số”).")
    if not signed_by.strip():
        raise InspectionError("Thiếu người ký (trường “Người ký”).")
    if signed_on < event.date:
        raise InspectionError(
            f"Ngày ký {signed_on:%d/%m/%Y} trước ngày {event.date:%d/%m/%Y} của sự kiện."
        )
    stored = file_store(uploaded=uploaded, name=file_name, user=user, unit=event.body.unit)
    if stored.kind != "pdf":
        raise InspectionError(f"Bản đã ký phải là tệp PDF: {stored.original_name}.")
    notice.number = number.strip()
    notice.signed_on = signed_on
    notice.signed_by = clean_person_name(signed_by)
    notice.signed_file = stored
    notice.recorded_by = user if getattr(user, "is_authenticated", False) else None
    notice.recorded_at = timezone.now()
    notice.save()
    record(
        actor=user,
        obj=notice,
        action="notice.sign",
        changes={
            "number": (None, notice.number),
            "signed_on": (None, signed_on),
            "signed_by": (None, notice.signed_by),
            "signed_file": (None, stored.sha256),
        },
    )
    return notice
