"""Pages of plans, tasks and periodic reports. Thin: permission, service, render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts.permissions import (
    can_write_unit,
    grants_of,
    require_read,
    writable_unit_ids,
)
from cchc.core import plans as rules
from cchc.documents.services import UploadError, file_store
from cchc.followup.models import FollowupItem
from cchc.plans import services
from cchc.plans.forms import (
    FieldForm,
    ImportForm,
    IssueForm,
    PlanForm,
    ReportRequestForm,
    SubmissionForm,
    TaskForm,
)
from cchc.plans.kpis import register_metric
from cchc.plans.models import Plan, ReportRequest
from cchc.plans.remediation import source_link
from cchc.reports.plan_figures import FigureColumn, FigureRow, write_figures
from cchc.reports.plan_tasks import TaskLine, write_task_table
from cchc.units.models import Unit
from cchc.units.services import UnitResolutionError, resolve_unit, subtree_ids

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DUE_SOON_DAYS = 7
TABS = ("all", "overdue", "due_soon", "review", "awaiting")
STATUS_CLASS = {
    rules.Timeliness.ON_TIME: "good",
    rules.Timeliness.LATE: "warn",
    rules.Timeliness.MISSING: "bad",
    rules.Timeliness.PENDING: "",
}


def _status_label(status: rules.Timeliness) -> str:
    return {
        rules.Timeliness.ON_TIME: _("On time"),
        rules.Timeliness.LATE: _("Late"),
        rules.Timeliness.MISSING: _("Missing"),
        rules.Timeliness.PENDING: _("Not yet due"),
    }[status]


def _badge(status: rules.Timeliness) -> dict[str, str]:
    return {"label": _status_label(status), "css": STATUS_CLASS[status], "code": status.value}


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _default_unit_key(user: Any) -> str:
    for grant in grants_of(user):
        if grant.unit_id is not None:
            unit = Unit.objects.filter(pk=grant.unit_id).first()
            if unit is not None:
                return unit.key
    return ""


def _resolve(form: Any, field: str, year: int | None) -> Unit | None:
    try:
        as_of = date(year, 12, 31) if year else None
        return resolve_unit(form.cleaned_data[field], as_of=as_of)
    except UnitResolutionError as exc:
        form.add_error(field, str(exc))
        return None


# --- plans -----------------------------------------------------------------------------


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """Plans of the user's units, newest year first, with their completion."""
    plans = services.visible_plans(request.user).select_related("unit")
    year = request.GET.get("year", "")
    if year.isdigit():
        plans = plans.filter(year=int(year))
    today = timezone.localdate()
    rows = [
        {
            "plan": p,
            "completion": services.plan_completion(p, today),
            "status": _badge(p.timeliness_on(today)),
        }
        for p in plans[:200]
    ]
    can_create = bool(writable_unit_ids(request.user))
    return render(
        request,
        "plans/list.html",
        {"rows": rows, "year": year, "can_create": can_create},
    )


def plan_create(request: HttpRequest) -> HttpResponse:
    if not writable_unit_ids(request.user):
        raise PermissionDenied
    parent = None
    if request.GET.get("parent", "").isdigit():
        parent = get_object_or_404(Plan, pk=int(request.GET["parent"]))
        require_read(request.user, parent.unit)
    initial: dict[str, Any] = {
        "unit": _default_unit_key(request.user),
        "year": timezone.localdate().year,
    }
    if parent is not None:
        initial.update(kind=parent.kind, year=parent.year, due_on=parent.subordinate_due_on)
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = _resolve(form, "unit", data["year"])
        if unit is not None:
            if not can_write_unit(request.user, unit):
                form.add_error("unit", _("You cannot create plans for this unit."))
            else:
                required: list[Unit] = []
                if data["require_subordinates"]:
                    when = data["subordinate_due_on"] or date(data["year"], 12, 31)
                    required = list(unit.children.valid_on(when))
                try:
                    plan = services.plan_create(
                        user=request.user,
                        kind=data["kind"],
                        unit=unit,
                        year=data["year"],
                        title=data["title"],
                        due_on=data["due_on"],
                        number=data["number"],
                        issued_on=data["issued_on"],
                        signer=data["signer"],
                        parent=parent,
                        required_units=required,
                        subordinate_due_on=data["subordinate_due_on"],
                    )
                except services.PlanError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Plan created."))
                    return redirect("plans:detail", pk=plan.pk)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "parent": parent},
        status=400 if request.method == "POST" else 200,
    )


def _load_plan(request: HttpRequest, pk: int) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("unit", "parent"), pk=pk)
    if not services.can_read_plan(request.user, plan):
        raise PermissionDenied
    return plan


def _task_rows(plan: Plan, show: str, today: date) -> tuple[list[dict[str, Any]], dict[str, int]]:
    items = services.plan_items(plan)
    tabs = {
        "all": items,
        "overdue": items.overdue(today),
        "due_soon": items.due_soon(today, DUE_SOON_DAYS),
        "review": items.to_review(today),
        "awaiting": items.filter(status="claimed_done"),
    }
    counts = {k: q.count() for k, q in tabs.items()}
    shown = (
        tabs[show]
        .select_related("lead_unit", "plan_task")
        .prefetch_related("coordinating_units")
        .order_by("plan_task__position", "id")
    )
    rows = [
        {
            "item": i,
            "task": i.plan_task,  # type: ignore[attr-defined]
            "outcome": rules.task_outcome(services.task_fact(i), today),
        }
        for i in shown
    ]
    return rows, counts


def _plan_context(request: HttpRequest, plan: Plan, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    show = request.GET.get("show", "all")
    if show not in TABS:
        show = "all"
    rows, counts = _task_rows(plan, show, today)
    can_write = services.can_write_plan(request.user, plan)
    context = {
        "plan": plan,
        "today": today,
        "show": show,
        "rows": rows,
        "tabs": [
            (key, label, counts[key])
            for key, label in (
                ("all", _("All")),
                ("overdue", _("Overdue")),
                ("due_soon", _("Due soon")),
                ("review", _("To review")),
                ("awaiting", _("Awaiting acceptance")),
            )
        ],
        "completion": services.plan_completion(plan, today),
        "by_unit": services.plan_completion_by_unit(plan, today),
        "status": _badge(plan.timeliness_on(today)),
        "can_write": can_write,
        "task_form": TaskForm(),
        "import_form": ImportForm(),
        "issue_form": IssueForm(
            initial={"number": plan.number, "issued_on": plan.issued_on, "signer": plan.signer}
        ),
        "children": plan.children.select_related("unit"),
        "has_required": plan.required_units.exists(),
        "source_link": source_link(plan),
    }
    context.update(extra)
    return context


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _load_plan(request, pk)
    context = _plan_context(request, plan)
    if getattr(request, "htmx", False):
        return render(request, "plans/detail.html#tasks", context)
    return render(request, "plans/detail.html", context)


def _require_plan_write(request: HttpRequest, plan: Plan) -> None:
    if not services.can_write_plan(request.user, plan):
        raise PermissionDenied


@require_POST
def plan_issue(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _load_plan(request, pk)
    _require_plan_write(request, plan)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            services.plan_issue(plan=plan, user=request.user, **form.cleaned_data)
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("plans:detail", pk=plan.pk)
    return render(
        request, "plans/detail.html", _plan_context(request, plan, issue_form=form), status=400
    )


def _units_of(plan: Plan) -> rules.UnitIndex:
    below = subtree_ids(plan.unit)
    return rules.UnitIndex(
        [
            rules.UnitRef(pk, code, name)
            for pk, code, name in Unit.objects.filter(pk__in=sorted(below)).values_list(
                "pk", "code", "name"
            )
        ]
    )


@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _load_plan(request, pk)
    _require_plan_write(request, plan)
    form = TaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        index = _units_of(plan)
        lead = coordinating = None
        try:
            lead = index.find(data["lead"])
        except LookupError as exc:
            form.add_error("lead", f"Cơ quan chủ trì: {exc}")
        names = [n for n in data["coordinating"].replace("\n", ";").split(";") if n.strip()]
        try:
            coordinating = [index.find(n) for n in names]
        except LookupError as exc:
            form.add_error("coordinating", f"Cơ quan phối hợp: {exc}")
        if lead is not None and coordinating is not None:
            units = Unit.objects.in_bulk([lead.id, *[c.id for c in coordinating]])
            try:
                services.task_create(
                    plan=plan,
                    user=request.user,
                    title=data["title"],
                    lead_unit=units[lead.id],
                    coordinating_units=[units[c.id] for c in coordinating if c.id != lead.id],
                    person=data["person"],
                    deadline=data["deadline"],
                    ongoing=data["ongoing"],
                    review_on=data["review_on"],
                    deliverable=data["deliverable"],
                    field_code=data["field_code"],
                    criterion_code=data["criterion_code"],
                )
            except services.PlanError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Task added."))
                return redirect("plans:detail", pk=plan.pk)
    return render(
        request, "plans/detail.html", _plan_context(request, plan, task_form=form), status=400
    )


@require_POST
def task_import(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _load_plan(request, pk)
    _require_plan_write(request, plan)
    form = ImportForm(request.POST, request.FILES)
    import_errors: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            import_errors = [_("The file is larger than 10 MB.")]
        else:
            try:
                created = services.tasks_import(plan=plan, user=request.user, data=upload.read())
            except services.PlanError as exc:
                import_errors = exc.errors
            else:
                messages.success(request, _("Imported %(n)d tasks.") % {"n": len(created)})
                return redirect("plans:detail", pk=plan.pk)
    return render(
        request,
        "plans/detail.html",
        _plan_context(request, plan, import_form=form, import_errors=import_errors),
        status=400,
    )


@require_GET
def task_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _load_plan(request, pk)
    today = timezone.localdate()
    lines = []
    outcome_vi = {
        rules.Outcome.DONE: "hoàn thành",
        rules.Outcome.DONE_LATE: "hoàn thành trễ hạn",
        rules.Outcome.AWAITING: "chờ nghiệm thu",
        rules.Outcome.OVERDUE: "quá hạn",
        rules.Outcome.OPEN: "đang thực hiện",
        rules.Outcome.CANCELLED: "đã hủy",
    }
    items = (
        services.plan_items(plan)
        .select_related("lead_unit", "plan_task")
        .prefetch_related("coordinating_units")
        .order_by("plan_task__position", "id")
    )
    for item in items:
        lines.append(
            TaskLine(
                position=item.plan_task.position,  # type: ignore[attr-defined]
                title=item.title,
                lead=item.lead_unit.name,
                coordinating=[u.name for u in item.coordinating_units.all()],
                deadline=item.deadline,
                when_text=rules.when_text(item.deadline, item.ongoing, item.review_on),
                deliverable=item.deliverable,
                status=rules_status_vi(item.status),
                outcome=outcome_vi[rules.task_outcome(services.task_fact(item), today)],
            )
        )
    data = write_task_table(plan.title, lines)
    return _xlsx(data, f"ke-hoach-{plan.pk}-nhiem-vu.xlsx")


def rules_status_vi(status: str) -> str:
    from cchc.core.followup import STATUS_LABELS_VI, Status

    return STATUS_LABELS_VI[Status(status)]


@require_GET
def subordinates(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _load_plan(request, pk)
    today = timezone.localdate()
    rows: list[dict[str, Any]] = [
        {"row": r, "status": _badge(r.status)} for r in services.subordinate_status(plan, today)
    ]
    counts = {s: sum(1 for r in rows if r["row"].status is s) for s in rules.Timeliness}
    return render(
        request,
        "plans/subordinates.html",
        {
            "plan": plan,
            "rows": rows,
            "summary": [(_badge(s), counts[s]) for s in rules.Timeliness],
        },
    )


@require_GET
def task_lists(request: HttpRequest) -> HttpResponse:
    """Plan tasks of the user's units: overdue, due soon, to review (follow-up querysets)."""
    today = timezone.localdate()
    plans = services.visible_plans(request.user)
    items = FollowupItem.objects.filter(plan_task__plan__in=plans.values("id"))
    lists = [
        (_("Overdue"), items.overdue(today)),
        (_("Due soon"), items.due_soon(today, DUE_SOON_DAYS)),
        (_("To review"), items.to_review(today)),
    ]
    shown = [
        (
            label,
            list(
                qs.select_related("lead_unit", "plan_task__plan").order_by(
                    "deadline", "review_on", "id"
                )[:200]
            ),
        )
        for label, qs in lists
    ]
    return render(request, "plans/tasks.html", {"lists": shown, "today": today})


@require_GET
def unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's plans with their completion and its report submission history."""
    unit = get_object_or_404(Unit, pk=unit_id)
    require_read(request.user, unit)
    today = timezone.localdate()
    year = request.GET.get("year", "")
    plans = Plan.objects.filter(unit=unit)
    requests = ReportRequest.objects.filter(units=unit)
    if year.isdigit():
        plans = plans.filter(year=int(year))
        requests = requests.filter(year=int(year))
    plan_rows = [
        {
            "plan": p,
            "completion": services.plan_completion(p, today),
            "status": _badge(p.timeliness_on(today)),
        }
        for p in plans
    ]
    report_rows: list[dict[str, Any]] = []
    for req in requests.order_by("due_on"):
        (row,) = services.answer_rows(req, [unit.pk], today)
        report_rows.append({"req": req, "row": row, "status": _badge(row.status)})
    facts = [
        rules.ReportFact(r["req"].due_on, r["row"].first.submitted_on if r["row"].first else None)
        for r in report_rows
    ]
    on_time, counted = rules.reports_on_time(facts, today)
    return render(
        request,
        "plans/unit.html",
        {
            "unit": unit,
            "year": year,
            "plan_rows": plan_rows,
            "report_rows": report_rows,
            "history": services.unit_history(unit)[:200],
            "on_time": on_time,
            "counted": counted,
            "rate": rules.rate(on_time, counted),
        },
    )


# --- report requests --------------------------------------------------------------------


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    reqs = (
        services.visible_requests(request.user)
        .select_related("issuing_unit")
        .order_by("-due_on", "id")[:200]
    )
    rows = []
    for req in reqs:
        answer = services.answer_rows(
            req, services.readable_answering_ids(request.user, req), today
        )
        counts = {s: sum(1 for a in answer if a.status is s) for s in rules.Timeliness}
        rows.append({"req": req, "counts": counts, "total": len(answer)})
    can_create = bool(writable_unit_ids(request.user, roles=services.OVERSIGHT_ROLES))
    return render(request, "plans/reports.html", {"rows": rows, "can_create": can_create})


def report_create(request: HttpRequest) -> HttpResponse:
    if not writable_unit_ids(request.user, roles=services.OVERSIGHT_ROLES):
        raise PermissionDenied
    form = ReportRequestForm(
        request.POST or None,
        initial={
            "issuing_unit": _default_unit_key(request.user),
            "year": timezone.localdate().year,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = _resolve(form, "issuing_unit", data["year"])
        if unit is not None:
            if not can_write_unit(request.user, unit, role_in=services.OVERSIGHT_ROLES):
                form.add_error("issuing_unit", _("You cannot request reports for this unit."))
            else:
                answering: list[Unit] = []
                names = [n.strip() for n in data["units"].splitlines() if n.strip()]
                if names:
                    index = rules.UnitIndex(
                        [
                            rules.UnitRef(pk, code, name)
                            for pk, code, name in Unit.objects.filter(
                                pk__in=sorted(subtree_ids(unit))
                            ).values_list("pk", "code", "name")
                        ]
                    )
                    found = []
                    for number, name in enumerate(names, start=1):
                        try:
                            found.append(index.find(name).id)
                        except LookupError as exc:
                            form.add_error("units", f"Dòng {number}: {exc}")
                    answering = list(Unit.objects.filter(pk__in=found))
                else:
                    answering = list(unit.children.valid_on(data["due_on"]))
                if not form.errors:
                    try:
                        req = services.request_create(
                            user=request.user,
                            title=data["title"],
                            kind=data["kind"],
                            topic=data["topic"],
                            year=data["year"],
                            issuing_unit=unit,
                            due_on=data["due_on"],
                            units=answering,
                            note=data["note"],
                        )
                    except services.PlanError as exc:
                        form.add_error(None, str(exc))
                    else:
                        messages.success(request, _("Report request created."))
                        return redirect("plans:report_detail", pk=req.pk)
    return render(
        request,
        "plans/report_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _load_request(request: HttpRequest, pk: int) -> ReportRequest:
    req = get_object_or_404(ReportRequest.objects.select_related("issuing_unit"), pk=pk)
    if not services.can_read_request(request.user, req):
        raise PermissionDenied
    return req


def _report_context(request: HttpRequest, req: ReportRequest, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    visible = services.readable_answering_ids(request.user, req)
    only = request.GET.get("unit", "")
    if only.isdigit() and int(only) in visible:
        visible = [int(only)]
    rows: list[dict[str, Any]] = [
        {"row": r, "status": _badge(r.status)} for r in services.answer_rows(req, visible, today)
    ]
    writable = [
        (r["row"].unit.pk, r["row"].unit.name)
        for r in rows
        if can_write_unit(request.user, r["row"].unit)
    ]
    form = req.current_form()
    fields = list(form.fields.select_related("metric")) if form else []
    context = {
        "req": req,
        "rows": rows,
        "form_version": form,
        "fields": fields,
        "can_manage": services.can_manage_request(request.user, req),
        "submit_form": SubmissionForm(units=writable) if writable else None,
        "figure_inputs": [(f, "") for f in fields],
        "field_form": FieldForm(),
        "summary": [
            (_badge(s), sum(1 for r in rows if r["row"].status is s)) for s in rules.Timeliness
        ],
    }
    context.update(extra)
    return context


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _load_request(request, pk)
    context = _report_context(request, req)
    if getattr(request, "htmx", False):
        return render(request, "plans/report_detail.html#answers", context)
    return render(request, "plans/report_detail.html", context)


@require_POST
def report_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or remove a figure field (a frozen form gets a new version)."""
    req = _load_request(request, pk)
    if not services.can_manage_request(request.user, req):
        raise PermissionDenied
    if "remove" in request.POST:
        try:
            services.field_remove(req=req, user=request.user, code=request.POST["remove"])
        except services.PlanError as exc:
            messages.error(request, str(exc))
        return redirect("plans:report_detail", pk=req.pk)
    form = FieldForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            field = services.field_add(req=req, user=request.user, **data)
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            if field.metric is not None:
                register_metric(field.metric.code, field.metric.label)
            messages.success(request, _("Field added."))
            return redirect("plans:report_detail", pk=req.pk)
    return render(
        request,
        "plans/report_detail.html",
        _report_context(request, req, field_form=form),
        status=400,
    )


@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    req = _load_request(request, pk)
    context = _report_context(request, req)
    if context["submit_form"] is None:
        raise PermissionDenied
    writable = context["submit_form"].fields["unit"].choices
    form = SubmissionForm(request.POST, request.FILES, units=writable)
    figures = {f.code: request.POST.get(f"fig_{f.code}", "") for f in context["fields"]}
    errors: list[str] = []
    if form.is_valid():
        unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"])
        try:
            with transaction.atomic():
                upload = form.cleaned_data.get("file")
                stored = (
                    file_store(uploaded=upload, user=request.user, unit=unit) if upload else None
                )
                services.submission_create(
                    req=req,
                    unit=unit,
                    user=request.user,
                    figures=figures,
                    file=stored,
                    note=form.cleaned_data["note"],
                )
        except (services.PlanError, UploadError) as exc:
            errors = exc.errors if isinstance(exc, services.PlanError) else [str(exc)]
        else:
            messages.success(request, _("Report sent."))
            return redirect("plans:report_detail", pk=req.pk)
    context.update(
        submit_form=form,
        submit_errors=errors,
        figure_inputs=[(f, figures.get(f.code, "")) for f in context["fields"]],
    )
    return render(request, "plans/report_detail.html", context, status=400)


def _figure_table(
    request: HttpRequest, req: ReportRequest
) -> tuple[list[Any], list[dict[str, Any]]]:
    today = timezone.localdate()
    form = req.current_form()
    fields = list(form.fields.all()) if form else []
    rows = []
    for answer in services.answer_rows(
        req, services.readable_answering_ids(request.user, req), today
    ):
        latest = answer.latest
        values: dict[str, Any] = {}
        shown: list[str] = []
        for field in fields:
            text = latest.figures.get(field.code, "") if latest else ""
            values[field.code] = services.from_stored(field.value_type, text) if text else None
            shown.append(services.display_value(field.value_type, text))
        rows.append(
            {"answer": answer, "values": values, "shown": shown, "status": _badge(answer.status)}
        )
    return fields, rows


@require_GET
def report_figures(request: HttpRequest, pk: int) -> HttpResponse:
    req = _load_request(request, pk)
    fields, rows = _figure_table(request, req)
    return render(request, "plans/figures.html", {"req": req, "fields": fields, "rows": rows})


@require_GET
def report_figures_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    req = _load_request(request, pk)
    fields, rows = _figure_table(request, req)
    status_vi = {
        rules.Timeliness.ON_TIME: "đúng hạn",
        rules.Timeliness.LATE: "trễ hạn",
        rules.Timeliness.MISSING: "chưa gửi",
        rules.Timeliness.PENDING: "chưa đến hạn",
    }
    data = write_figures(
        req.title,
        [FigureColumn(f.code, f.label, f.value_type) for f in fields],
        [
            FigureRow(
                unit_code=r["answer"].unit.code,
                unit_name=r["answer"].unit.name,
                status=status_vi[r["answer"].status],
                submitted_on=r["answer"].first.submitted_on if r["answer"].first else None,
                values=r["values"],
            )
            for r in rows
        ],
    )
    return _xlsx(data, f"bao-cao-{req.pk}-so-lieu.xlsx")
