"""Writes and reads across plans, tasks (follow-up items) and report submissions.

Who may do what (built on :mod:`cchc.accounts.permissions`):

- a plan and its tasks are read by readers of the plan's unit (a task also by the readers
  of its lead unit, through the follow-up pages); created and changed by writers of the
  plan's unit; its tasks are accepted ("nghiệm thu") by the plan's unit (the follow-up
  item's issuing unit) — all through :mod:`cchc.followup.services`;
- a report request is created and its form changed by the secretariat / appraisers / admins
  of the requesting unit; read by readers of the requesting unit (every answering unit)
  and by readers of an answering unit (their own rows); answered by writers of an
  answering unit.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cchc.accounts.permissions import (
    ALL,
    OVERSIGHT_ROLES,
    can_read_unit,
    can_write_unit,
    readable_unit_ids,
)
from cchc.assessments.models import AssessmentRound
from cchc.audit.services import record
from cchc.core import plans as rules
from cchc.core.dates import DateError, parse_date
from cchc.core.numbers import format_number
from cchc.documents.models import StoredFile
from cchc.followup.models import Acceptance, FollowupItem, FollowupItemQuerySet, Priority
from cchc.followup.services import FollowupError, item_create
from cchc.frameworks.metrics import MetricValueError, parse_metric_value
from cchc.frameworks.models import Metric, MetricType
from cchc.plans.models import (
    Plan,
    PlanKind,
    PlanTask,
    ReportField,
    ReportForm,
    ReportKind,
    ReportRequest,
    ReportSubmission,
    Topic,
)
from cchc.units.models import Unit
from cchc.units.services import subtree_ids


class PlanError(ValueError):
    """Input refused; the message is Vietnamese and names the row, field or line."""

    def __init__(self, errors: str | list[str]) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


# --- permissions ----------------------------------------------------------------------


def can_read_plan(user: Any, plan: Plan) -> bool:
    return can_read_unit(user, plan.unit_id)


def can_write_plan(user: Any, plan: Plan) -> bool:
    return can_write_unit(user, plan.unit_id)


def visible_plans(user: Any) -> QuerySet[Plan]:
    scope = readable_unit_ids(user)
    plans = Plan.objects.all()
    if scope is ALL:
        return plans
    return plans.filter(unit_id__in=sorted(scope))  # type: ignore[arg-type]


def can_manage_request(user: Any, request: ReportRequest) -> bool:
    return can_write_unit(user, request.issuing_unit_id, role_in=OVERSIGHT_ROLES)


def can_read_request(user: Any, request: ReportRequest) -> bool:
    if can_read_unit(user, request.issuing_unit_id):
        return True
    return any(can_read_unit(user, uid) for uid in request.units.values_list("id", flat=True))


def readable_answering_ids(user: Any, request: ReportRequest) -> list[int]:
    """The answering units whose rows the user may see."""
    ids = list(request.units.values_list("id", flat=True))
    if can_read_unit(user, request.issuing_unit_id):
        return ids
    return [uid for uid in ids if can_read_unit(user, uid)]


def visible_requests(user: Any) -> QuerySet[ReportRequest]:
    scope = readable_unit_ids(user)
    requests = ReportRequest.objects.all()
    if scope is ALL:
        return requests
    ids = sorted(scope)  # type: ignore[arg-type]
    mine = ReportRequest.objects.filter(units__in=ids).values("id")
    return requests.filter(issuing_unit_id__in=ids) | requests.filter(id__in=mine)


def can_read_submission_file(user: Any, stored: StoredFile) -> bool:
    """A report file is readable by the readers of the request's requesting unit."""
    issuing = ReportSubmission.objects.filter(file=stored).values_list(
        "request__issuing_unit_id", flat=True
    )
    return any(can_read_unit(user, uid) for uid in issuing)


# --- plans ---------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    user: Any,
    kind: str,
    unit: Unit,
    year: int,
    title: str,
    due_on: date | None = None,
    number: str = "",
    issued_on: date | None = None,
    signer: str = "",
    parent: Plan | None = None,
    required_units: Iterable[Unit] = (),
    subordinate_due_on: date | None = None,
    note: str = "",
    source_inspection_id: int | None = None,
    source_round: AssessmentRound | None = None,
    source_label: str = "",
) -> Plan:
    """Create a plan; ``user=None`` is the system (demo data)."""
    if user is not None and not can_write_unit(user, unit):
        raise PermissionDenied
    if kind not in PlanKind.values:
        raise PlanError(f"Loại kế hoạch không hợp lệ: {kind!r}.")
    if not title.strip():
        raise PlanError("Thiếu tên kế hoạch (trường “Tên kế hoạch”).")
    if issued_on is not None and not number.strip():
        raise PlanError("Kế hoạch đã ban hành cần số, ký hiệu văn bản (trường “Số văn bản”).")
    if parent is not None and due_on is None:
        due_on = parent.subordinate_due_on
    required = list(required_units)
    if required:
        below = subtree_ids(unit)
        outside = [u.name for u in required if u.pk not in below or u.pk == unit.pk]
        if outside:
            raise PlanError(f"Đơn vị không thuộc cấp dưới của {unit.name}: {', '.join(outside)}.")
    plan = Plan.objects.create(
        kind=kind,
        unit=unit,
        year=year,
        title=title.strip(),
        due_on=due_on,
        number=number.strip(),
        issued_on=issued_on,
        signer=signer.strip(),
        parent=parent,
        subordinate_due_on=subordinate_due_on,
        note=note,
        source_inspection_id=source_inspection_id,
        source_round=source_round,
        source_label=source_label[:300],
        created_by=user,
    )
    if required:
        plan.required_units.set(required)
    record(
        actor=user,
        obj=plan,
        action="plan.create",
        changes={
            "unit": (None, unit.key),
            "year": (None, year),
            "due_on": (None, due_on),
            "issued_on": (None, issued_on),
            "number": (None, plan.number),
        },
    )
    return plan


@transaction.atomic
def plan_issue(*, plan: Plan, user: Any, number: str, issued_on: date, signer: str = "") -> Plan:
    """Record the issuing document (number, date, signer) of a plan."""
    if user is not None and not can_write_plan(user, plan):
        raise PermissionDenied
    if not number.strip():
        raise PlanError("Thiếu số, ký hiệu văn bản (trường “Số văn bản”).")
    changes = {
        "number": (plan.number, number.strip()),
        "issued_on": (plan.issued_on, issued_on),
        "signer": (plan.signer, signer.strip()),
    }
    plan.number, plan.issued_on, plan.signer = number.strip(), issued_on, signer.strip()
    plan.save(update_fields=["number", "issued_on", "signer"])
    record(actor=user, obj=plan, action="plan.issue", changes=changes)
    return plan


def plan_items(plan: Plan) -> FollowupItemQuerySet:
    return FollowupItem.objects.filter(plan_task__plan=plan)


def _check_lead(plan: Plan, below: set[int], units: Iterable[Unit]) -> None:
    outside = [u.name for u in units if u.pk not in below]
    if outside:
        raise PlanError(
            f"Đơn vị không thuộc phạm vi kế hoạch ({plan.unit.name}): {', '.join(outside)}."
        )


@transaction.atomic
def task_create(
    *,
    plan: Plan,
    user: Any,
    title: str,
    lead_unit: Unit,
    coordinating_units: Sequence[Unit] = (),
    person: str = "",
    deadline: date | None = None,
    ongoing: bool = False,
    review_on: date | None = None,
    deliverable: str = "",
    field_code: str = "",
    criterion_code: str = "",
    position: int | None = None,
    description: str = "",
    priority: str = "",
    _below: set[int] | None = None,
) -> PlanTask:
    """Add a task with the "5 rõ" to a plan: one follow-up item issued by the plan's unit."""
    if user is not None and not can_write_plan(user, plan):
        raise PermissionDenied
    below = _below if _below is not None else subtree_ids(plan.unit)
    _check_lead(plan, below, [lead_unit, *coordinating_units])
    try:
        item = item_create(
            user=user,
            title=title,
            lead_unit=lead_unit,
            deadline=deadline,
            ongoing=ongoing,
            review_on=review_on,
            issuing_unit=plan.unit,
            coordinating_units=coordinating_units,
            person=person,
            deliverable=deliverable,
            field_code=field_code,
            criterion_code=criterion_code,
            description=description,
            priority=priority or Priority.NORMAL,
            source_label=plan.title[:300],
            acceptance_label=Acceptance.ACCEPTANCE,
        )
    except FollowupError as exc:
        raise PlanError(str(exc)) from exc
    if position is None:
        position = (
            plan.tasks.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
    task = PlanTask.objects.create(plan=plan, item=item, position=position)
    item.source = task
    item.save(update_fields=["source_type", "source_id"])
    return task


def read_sheet_rows(data: bytes) -> list[list[object]]:
    """The first sheet's rows as Python values (row i of the list = sheet row i + 1)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        raise PlanError(f"Không đọc được tệp Excel (.xlsx): {exc}") from exc
    if not book.sheet_names:
        raise PlanError("Tệp Excel không có trang tính nào.")
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return [list(r) for r in rows]


@transaction.atomic
def tasks_import(*, plan: Plan, user: Any, data: bytes) -> list[PlanTask]:
    """Import a task table (STT | Nhiệm vụ | Cơ quan chủ trì | …) all-or-nothing."""
    if user is not None and not can_write_plan(user, plan):
        raise PermissionDenied
    rows = read_sheet_rows(data)
    below = subtree_ids(plan.unit)
    units = [
        rules.UnitRef(pk, code, name)
        for pk, code, name in Unit.objects.filter(pk__in=sorted(below)).values_list(
            "pk", "code", "name"
        )
    ]
    try:
        parsed = rules.parse_task_table(
            rows, rules.UnitIndex(units), default_review=date(plan.year, 12, 15)
        )
    except rules.TableErrors as exc:
        raise PlanError(exc.errors) from exc
    by_id = Unit.objects.in_bulk(
        {r.lead_id for r in parsed} | {u for r in parsed for u in r.coordinating_ids}
    )
    start = plan.tasks.order_by("-position").values_list("position", flat=True).first() or 0
    created = []
    for row in parsed:
        try:
            created.append(
                task_create(
                    plan=plan,
                    user=user,
                    title=row.title,
                    lead_unit=by_id[row.lead_id],
                    coordinating_units=[by_id[u] for u in row.coordinating_ids],
                    deadline=row.deadline,
                    ongoing=row.ongoing,
                    review_on=row.review_on,
                    deliverable=row.deliverable,
                    position=start + row.position,
                    _below=below,
                )
            )
        except PlanError as exc:
            raise PlanError([f"Dòng {row.row}: {e}" for e in exc.errors]) from exc
    record(
        actor=user, obj=plan, action="plan.tasks_import", changes={"tasks": (None, len(created))}
    )
    return created


def task_fact(item: FollowupItem) -> rules.TaskFact:
    accepted = timezone.localdate(item.accepted_at) if item.accepted_at else None
    return rules.TaskFact(
        status=item.status, deadline=item.deadline, ongoing=item.ongoing, accepted_on=accepted
    )


def plan_completion(plan: Plan, as_of: date | None = None) -> rules.Completion:
    as_of = as_of or timezone.localdate()
    return rules.completion(
        (
            task_fact(i)
            for i in plan_items(plan).only("status", "deadline", "ongoing", "accepted_at")
        ),
        as_of,
    )


def plan_completion_by_unit(
    plan: Plan, as_of: date | None = None
) -> list[tuple[Unit, rules.Completion]]:
    as_of = as_of or timezone.localdate()
    items = list(plan_items(plan).select_related("lead_unit"))
    units = {i.lead_unit_id: i.lead_unit for i in items}
    grouped = rules.completion_by(((str(i.lead_unit_id), task_fact(i)) for i in items), as_of)
    return [(units[int(k)], c) for k, c in grouped.items()]


@dataclass(frozen=True)
class SubordinateRow:
    unit: Unit
    plan: Plan | None
    status: rules.Timeliness


def subordinate_status(plan: Plan, as_of: date | None = None) -> list[SubordinateRow]:
    """Which required units issued their plan on time, late or not at all."""
    as_of = as_of or timezone.localdate()
    children = {c.unit_id: c for c in plan.children.all()}
    rows = []
    for unit in plan.required_units.order_by("sort_key"):
        child = children.get(unit.pk)
        due = (child.due_on if child else None) or plan.subordinate_due_on
        issued = child.issued_on if child else None
        rows.append(SubordinateRow(unit, child, rules.timeliness(due, issued, as_of)))
    return rows


def unit_plan_of_year(unit_id: int, year: int, kind: str) -> Plan | None:
    return (
        Plan.objects.filter(unit_id=unit_id, year=year, kind=kind)
        .order_by("-issued_on", "-id")
        .first()
    )


def required_by_parent(unit_id: int, year: int, kind: str) -> Plan | None:
    return Plan.objects.filter(required_units=unit_id, year=year, kind=kind).first()


# --- report requests --------------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    user: Any,
    title: str,
    kind: str,
    topic: str,
    year: int,
    issuing_unit: Unit,
    due_on: date,
    units: Sequence[Unit],
    note: str = "",
    source_inspection_id: int | None = None,
    source_label: str = "",
) -> ReportRequest:
    if user is not None and not can_write_unit(user, issuing_unit, role_in=OVERSIGHT_ROLES):
        raise PermissionDenied
    if kind not in ReportKind.values or topic not in Topic.values:
        raise PlanError("Loại báo cáo hoặc lĩnh vực không hợp lệ.")
    if not title.strip():
        raise PlanError("Thiếu tên báo cáo (trường “Tên báo cáo”).")
    if not units:
        raise PlanError("Chọn ít nhất một đơn vị phải báo cáo (trường “Đơn vị phải báo cáo”).")
    below = subtree_ids(issuing_unit)
    outside = [u.name for u in units if u.pk not in below]
    if outside:
        raise PlanError(
            f"Đơn vị không thuộc phạm vi của {issuing_unit.name}: {', '.join(outside)}."
        )
    req = ReportRequest.objects.create(
        title=title.strip(),
        kind=kind,
        topic=topic,
        year=year,
        issuing_unit=issuing_unit,
        due_on=due_on,
        note=note,
        source_inspection_id=source_inspection_id,
        source_label=source_label[:300],
        created_by=user,
    )
    req.units.set(units)
    ReportForm.objects.create(request=req, version=1)
    record(
        actor=user,
        obj=req,
        action="report_request.create",
        changes={"due_on": (None, due_on), "units": (None, len(units))},
    )
    return req


def _editable_form(req: ReportRequest) -> ReportForm:
    """The current form, or a new version copying it when it is frozen."""
    form = req.current_form()
    if form is None:
        return ReportForm.objects.create(request=req, version=1)
    if form.frozen_at is None:
        return form
    new = ReportForm.objects.create(request=req, version=form.version + 1)
    for field in form.fields.all():
        field.pk = None
        field.form = new
        field.save()
    return new


@transaction.atomic
def field_add(
    *,
    req: ReportRequest,
    user: Any,
    code: str,
    label: str,
    value_type: str,
    required: bool = False,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    metric: Metric | None = None,
) -> ReportField:
    """Add a figure field; a frozen form gets a new version first."""
    if user is not None and not can_manage_request(user, req):
        raise PermissionDenied
    code = code.strip()
    if metric is not None:
        code = code or metric.code
        label = label.strip() or metric.label
        value_type = metric.value_type
    if not code or not code.replace("_", "").replace(".", "").isalnum():
        raise PlanError(f"Mã chỉ tiêu không hợp lệ: “{code}” (chỉ chữ, số, _ và .).")
    if not label.strip():
        raise PlanError("Thiếu tên chỉ tiêu (trường “Tên chỉ tiêu”).")
    if value_type not in MetricType.values:
        raise PlanError(f"Kiểu giá trị không hợp lệ: {value_type!r}.")
    if min_value is not None and max_value is not None and min_value > max_value:
        raise PlanError("Giá trị tối thiểu lớn hơn giá trị tối đa.")
    form = _editable_form(req)
    if form.fields.filter(code=code).exists():
        raise PlanError(f"Mã chỉ tiêu “{code}” đã có trong mẫu.")
    position = (
        form.fields.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    field = ReportField.objects.create(
        form=form,
        position=position,
        code=code,
        label=label.strip(),
        value_type=value_type,
        required=required,
        min_value=min_value,
        max_value=max_value,
        metric=metric,
    )
    record(
        actor=user,
        obj=req,
        action="report_request.field_add",
        changes={"field": (None, code), "form_version": (None, form.version)},
    )
    return field


@transaction.atomic
def field_remove(*, req: ReportRequest, user: Any, code: str) -> ReportForm:
    if user is not None and not can_manage_request(user, req):
        raise PermissionDenied
    form = _editable_form(req)
    deleted, _ = form.fields.filter(code=code).delete()
    if not deleted:
        raise PlanError(f"Không có chỉ tiêu mã “{code}” trong mẫu.")
    record(
        actor=user,
        obj=req,
        action="report_request.field_remove",
        changes={"field": (code, None), "form_version": (None, form.version)},
    )
    return form


def to_stored(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def from_stored(value_type: str, text: str) -> object:
    """The stored text back as a typed value (Decimal, bool, date, str)."""
    if text == "":
        return None
    if value_type == MetricType.YES_NO:
        return text == "true"
    if value_type == MetricType.DATE:
        return date.fromisoformat(text)
    if value_type == MetricType.TEXT:
        return text
    return Decimal(text)


def display_value(value_type: str, text: str | None) -> str:
    if text is None or text == "":
        return ""
    value = from_stored(value_type, text)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


def parse_figures(form: ReportForm | None, raw: dict[str, str]) -> dict[str, str]:
    """Check the figures against the form; all errors together, naming the field."""
    if form is None:
        return {}
    out: dict[str, str] = {}
    errors: list[str] = []
    for field in form.fields.all():
        text = (raw.get(field.code) or "").strip()
        if not text:
            if field.required:
                errors.append(f"Chỉ tiêu “{field.label}” ({field.code}): bắt buộc nhập.")
                continue
            else:
                continue
        try:
            value = parse_metric_value(
                field.value_type, text, minimum=field.min_value, maximum=field.max_value
            )
        except MetricValueError as exc:
            errors.append(f"Chỉ tiêu “{field.label}” ({field.code}): {exc}.")
            continue
        out[field.code] = to_stored(value)
    if errors:
        raise PlanError(errors)
    return out


@transaction.atomic
def submission_create(
    *,
    req: ReportRequest,
    unit: Unit,
    user: Any,
    figures: dict[str, str],
    file: StoredFile | None = None,
    note: str = "",
    at: datetime | None = None,
) -> ReportSubmission:
    """A unit answers (or answers again); the form it answered is frozen."""
    if user is not None and not can_write_unit(user, unit):
        raise PermissionDenied
    if not req.units.filter(pk=unit.pk).exists():
        raise PlanError(f"{unit.name} không thuộc danh sách đơn vị phải báo cáo.")
    form = req.current_form()
    has_fields = form is not None and form.fields.exists()
    if file is None and not has_fields:
        raise PlanError("Cần tệp báo cáo (docx hoặc pdf).")
    if file is not None and file.kind not in ("docx", "pdf", "doc"):
        raise PlanError(f"Tệp báo cáo phải là docx hoặc pdf: {file.original_name}.")
    values = parse_figures(form if has_fields else None, figures)
    if form is not None and form.frozen_at is None:
        form.frozen_at = timezone.now()
        form.save(update_fields=["frozen_at"])
    sub = ReportSubmission.objects.create(
        request=req,
        unit=unit,
        form=form if has_fields else None,
        file=file,
        figures=values,
        note=note,
        submitted_at=at or timezone.now(),
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record(
        actor=user,
        obj=sub,
        action="report.submit",
        changes={
            "request": (None, req.pk),
            "unit": (None, unit.key),
            "file": (None, file.original_name if file else None),
            "figures": (None, values),
        },
    )
    return sub


@dataclass(frozen=True)
class AnswerRow:
    unit: Unit
    first: ReportSubmission | None
    latest: ReportSubmission | None
    count: int
    status: rules.Timeliness


def answer_rows(
    req: ReportRequest, unit_ids: Iterable[int], as_of: date | None = None
) -> list[AnswerRow]:
    """Per answering unit: first and latest submission and on time / late / missing."""
    as_of = as_of or timezone.localdate()
    subs: dict[int, list[ReportSubmission]] = {}
    for sub in req.submissions.select_related("file", "submitted_by").order_by(
        "submitted_at", "id"
    ):
        subs.setdefault(sub.unit_id, []).append(sub)
    rows = []
    for unit in Unit.objects.filter(pk__in=sorted(unit_ids)).order_by("sort_key"):
        mine = subs.get(unit.pk, [])
        first = mine[0] if mine else None
        status = rules.timeliness(req.due_on, first.submitted_on if first else None, as_of)
        rows.append(AnswerRow(unit, first, mine[-1] if mine else None, len(mine), status))
    return rows


def first_submissions(unit_id: int, year: int, topic: str) -> list[rules.ReportFact]:
    """The unit's periodic (non ad-hoc) reports of a year, with their first submission."""
    facts = []
    requests = ReportRequest.objects.filter(units=unit_id, year=year, topic=topic).exclude(
        kind=ReportKind.AD_HOC
    )
    for req in requests:
        first = (
            req.submissions.filter(unit_id=unit_id)
            .order_by("submitted_at")
            .values_list("submitted_at", flat=True)
            .first()
        )
        facts.append(rules.ReportFact(req.due_on, timezone.localdate(first) if first else None))
    return facts


def unit_history(unit: Unit) -> QuerySet[ReportSubmission]:
    return (
        ReportSubmission.objects.filter(unit=unit)
        .select_related("request", "file")
        .order_by("-submitted_at")
    )


def parse_day(raw: str, label: str) -> date:
    try:
        return parse_date(raw)
    except DateError as exc:
        raise PlanError(f"Trường “{label}”: {exc}.") from exc
