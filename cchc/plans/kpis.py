"""KPI providers: plans and reports feed the computed criteria of index sets.

Registered in :meth:`cchc.plans.apps.PlansConfig.ready`:

- ``plan.issued_on_time`` / ``plan.dx_issued_on_time`` — the unit's annual PAR / DX plan:
  "đúng hạn", "trễ hạn" or "không ban hành" (the words a timeliness rule reads);
- ``plan.completion_rate`` / ``plan.dx_completion_rate`` — percent of its tasks done;
- ``plan.reports_on_time`` / ``plan.dx_reports_on_time`` — percent of the year's periodic
  PAR / DX reports first sent on or before their due date;
- ``report.<metric code>`` — the latest figure a unit reported for a catalogue metric
  in a report request of the year.

Each value is judged at the query's period end and links to its evidence page.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.urls import reverse

from cchc.core import plans as rules
from cchc.core.numbers import format_number
from cchc.frameworks import kpi
from cchc.frameworks.kpi import KpiQuery, KpiValue
from cchc.frameworks.metrics import catalogue_entries
from cchc.frameworks.models import MetricType
from cchc.plans.models import PlanKind, ReportSubmission, Topic
from cchc.plans.services import (
    display_value,
    first_submissions,
    from_stored,
    plan_completion,
    required_by_parent,
    unit_plan_of_year,
)


def _pct(value: Decimal) -> str:
    return f"{format_number(value, 2).rstrip('0').rstrip(',')} %"


def issued_on_time(kind: str) -> Callable[[KpiQuery], KpiValue | None]:
    def provide(query: KpiQuery) -> KpiValue | None:
        as_of = query.period_end
        plan = unit_plan_of_year(query.unit_id, query.year, kind)
        if plan is not None:
            status = plan.timeliness_on(as_of)
            if status is rules.Timeliness.PENDING:
                return None
            issued = f"{plan.issued_on:%d/%m/%Y}" if plan.issued_on else "chưa ban hành"
            due = f"{plan.due_on:%d/%m/%Y}" if plan.due_on else "không quy định"
            return KpiValue(
                rules.TIMELINESS_WORDS[status],
                rules.TIMELINESS_LABELS_VI[status],
                reverse("plans:detail", args=[plan.pk]),
                f"{plan.number or plan.title}: ban hành {issued}, hạn {due}",
            )
        parent = required_by_parent(query.unit_id, query.year, kind)
        if parent is None:
            return None
        status = rules.timeliness(parent.subordinate_due_on, None, as_of)
        if status is rules.Timeliness.PENDING:
            return None
        return KpiValue(
            rules.TIMELINESS_WORDS[status],
            "không ban hành",
            reverse("plans:subordinates", args=[parent.pk]),
            f"Không có kế hoạch theo yêu cầu của {parent.title}",
        )

    return provide


def completion_rate(kind: str) -> Callable[[KpiQuery], KpiValue | None]:
    def provide(query: KpiQuery) -> KpiValue | None:
        plan = unit_plan_of_year(query.unit_id, query.year, kind)
        if plan is None:
            return None
        result = plan_completion(plan, query.period_end)
        rate = result.rate
        if rate is None:
            return None
        note = f"{result.fraction} nhiệm vụ hoàn thành"
        if result.done_late:
            note += f", {result.done_late} trễ hạn"
        if result.cancelled:
            note += f"; {result.cancelled} nhiệm vụ hủy không tính"
        return KpiValue(
            rate,
            f"{result.fraction} ({_pct(rate)})",
            reverse("plans:detail", args=[plan.pk]),
            note,
        )

    return provide


def reports_on_time(topic: str) -> Callable[[KpiQuery], KpiValue | None]:
    def provide(query: KpiQuery) -> KpiValue | None:
        facts = first_submissions(query.unit_id, query.year, topic)
        on_time, counted = rules.reports_on_time(facts, query.period_end)
        value = rules.rate(on_time, counted)
        if value is None:
            return None
        return KpiValue(
            value,
            f"{on_time}/{counted} ({_pct(value)})",
            reverse("plans:unit", args=[query.unit_id]) + f"?year={query.year}",
            f"{on_time}/{counted} báo cáo gửi đúng hạn",
        )

    return provide


def report_figure(code: str) -> Callable[[KpiQuery], KpiValue | None]:
    def provide(query: KpiQuery) -> KpiValue | None:
        subs = (
            ReportSubmission.objects.filter(
                unit_id=query.unit_id,
                request__year=query.year,
                form__fields__metric__code=code,
                submitted_at__date__lte=query.period_end,
            )
            .select_related("request")
            .order_by("-submitted_at", "-id")
        )
        for sub in subs:
            field = sub.form.fields.filter(metric__code=code).first() if sub.form else None
            if field is None or field.code not in sub.figures:
                continue
            text = sub.figures[field.code]
            typed = from_stored(field.value_type, text)
            value: Decimal | str
            if isinstance(typed, Decimal):
                value = typed
            elif field.value_type == MetricType.YES_NO:
                value = "có" if typed else "không"
            else:
                value = display_value(field.value_type, text)
            return KpiValue(
                value,
                display_value(field.value_type, text),
                reverse("plans:report_detail", args=[sub.request_id]) + f"?unit={query.unit_id}",
                f"{sub.request.title}, gửi {sub.submitted_on:%d/%m/%Y}",
            )
        return None

    return provide


def register_all() -> None:
    for kind, prefix, label in (
        (PlanKind.PAR, "plan.", "Kế hoạch CCHC năm"),
        (PlanKind.DX, "plan.dx_", "Kế hoạch CĐS năm"),
    ):
        kpi.register(
            f"{prefix}issued_on_time",
            label=f"{label} ban hành đúng hạn",
            provider=issued_on_time(kind),
        )
        kpi.register(
            f"{prefix}completion_rate",
            label=f"Tỷ lệ hoàn thành {label.lower()}",
            provider=completion_rate(kind),
        )
    kpi.register(
        "plan.reports_on_time",
        label="Tỷ lệ báo cáo CCHC định kỳ gửi đúng hạn",
        provider=reports_on_time(Topic.PAR),
    )
    kpi.register(
        "plan.dx_reports_on_time",
        label="Tỷ lệ báo cáo CĐS định kỳ gửi đúng hạn",
        provider=reports_on_time(Topic.DX),
    )
    for entry in catalogue_entries():
        register_metric(entry["code"], entry["label"])


def register_metric(code: str, label: str) -> None:
    """``report.<code>``: also called when a form field binds a metric added later."""
    kpi.register(f"report.{code}", label=f"Số liệu báo cáo: {label}", provider=report_figure(code))
