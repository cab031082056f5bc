from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import ValidationError as FormValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.accounts.permissions import require_read
from cchc.core.followup import TransitionError
from cchc.documents.services import UploadError
from cchc.followup import services as followup
from cchc.followup.models import FollowupItem
from cchc.inspections import dashboard as dash
from cchc.inspections import links, services
from cchc.inspections.forms import (
    DirectiveForm,
    EventForm,
    ExplanationForm,
    FigureForm,
    FindingForm,
    HostForm,
    NoticeForm,
    OutlineForm,
    PlanForm,
    PlannedEventForm,
    RecommendationForm,
    ResponseForm,
    RoundAttachForm,
    SignForm,
    TeamForm,
    parse_unit_codes,
)
from cchc.inspections.models import (
    ConclusionNotice,
    Directive,
    EventKind,
    FindingKind,
    Inspection,
    InspectionPlan,
    PlannedEvent,
    UnitRecommendation,
)
from cchc.inspections.permissions import (
    can_edit_event,
    can_plan,
    can_read_event,
    can_read_plan,
    visible_events,
    visible_plans,
    writable_bodies,
)
from cchc.reports.notice_docx import build_notice
from cchc.units.models import Unit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SECTIONS = ("team", "host", "outline", "figure", "finding", "directive", "recommendation")


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


def event_list(request: HttpRequest) -> HttpResponse:
    """Events and plans the user may read; the table alone for an htmx filter."""
    year = _year(request)
    events = visible_events(request.user).select_related("body").prefetch_related("visits")
    plans = visible_plans(request.user)
    if year is not None:
        events = events.filter(date__year=year)
        plans = plans.filter(year=year)
    context = {
        "events": events[:300],
        "plans": plans[:100],
        "year": year,
        "can_create": writable_bodies(request.user).exists(),
    }
    template = "inspections/list.html"
    if getattr(request, "htmx", False):
        template += "#events-table"
    return render(request, template, context)


def plan_create(request: HttpRequest) -> HttpResponse:
    bodies = writable_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied
    form = PlanForm(
        request.POST or None, bodies=bodies, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                user=request.user,
                body=data["body"],
                year=data["year"],
                title=data["title"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                signer=data["signer"],
            )
        except services.InspectionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("inspections:plan_detail", pk=plan.pk)
    return render(
        request, "inspections/plan_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _plan(request: HttpRequest, pk: int) -> InspectionPlan:
    plan = get_object_or_404(InspectionPlan.objects.select_related("body", "body__unit"), pk=pk)
    if not can_read_plan(request.user, plan):
        raise PermissionDenied
    return plan


def plan_detail(
    request: HttpRequest, pk: int, form: PlannedEventForm | None = None
) -> HttpResponse:
    plan = _plan(request, pk)
    planned = plan.events.prefetch_related("units").select_related("held")
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "planned": planned,
            "can_edit": can_plan(request.user, plan.body),
            "form": form or PlannedEventForm(initial={"planned_date": timezone.localdate()}),
        },
        status=400 if form is not None else 200,
    )


@require_POST
def plan_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not can_plan(request.user, plan.body):
        raise PermissionDenied
    form = PlannedEventForm(request.POST)
    if not form.is_valid():
        return plan_detail(request, pk, form)
    data = form.cleaned_data
    try:
        services.planned_event_add(
            user=request.user,
            plan=plan,
            units=data["units"],
            planned_date=data["planned_date"],
            half_day=data["half_day"],
            topics=data["topics"],
            team_number=data["team_number"],
            kind=data["kind"],
        )
    except services.InspectionError as exc:
        form.add_error(None, str(exc))
        return plan_detail(request, pk, form)
    messages.success(request, _("Saved."))
    return redirect("inspections:plan_detail", pk=plan.pk)


def event_create(request: HttpRequest) -> HttpResponse:
    bodies = writable_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied
    planned: PlannedEvent | None = None
    raw_planned = request.GET.get("planned") or request.POST.get("planned", "")
    initial: dict[str, Any] = {"date": timezone.localdate()}
    if raw_planned.isdigit():
        planned = get_object_or_404(
            PlannedEvent.objects.select_related("plan", "plan__body"), pk=int(raw_planned)
        )
        if not can_plan(request.user, planned.plan.body):
            raise PermissionDenied
        initial = {
            "body": planned.plan.body,
            "kind": planned.kind,
            "date": planned.planned_date,
            "half_day": planned.half_day,
            "unit_codes": ", ".join(u.key for u in planned.units.all()),
            "topics": planned.topics,
            "team_number": planned.team_number,
            "title": planned.plan.title,
        }
    form = EventForm(request.POST or None, bodies=bodies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.inspection_create(
                user=request.user,
                body=data["body"],
                kind=data["kind"],
                title=data["title"],
                on=data["date"],
                half_day=data["half_day"],
                visits=[services.Visit(u) for u in data["units"]],
                planned=planned,
                legal_basis=data["legal_basis"],
                topics=data["topics"],
                period_text=data["period_text"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                team_number=data["team_number"],
                team_name=data["team_name"],
            )
        except services.InspectionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("inspections:event_detail", pk=event.pk)
    return render(
        request,
        "inspections/event_form.html",
        {"form": form, "planned": planned},
        status=400 if form.errors else 200,
    )


def _event(request: HttpRequest, pk: int) -> Inspection:
    event = get_object_or_404(Inspection.objects.select_related("body", "body__unit"), pk=pk)
    if not can_read_event(request.user, event):
        raise PermissionDenied
    return event


def _forms(event: Inspection, data: Any = None, files: Any = None) -> dict[str, Any]:
    units = Unit.objects.filter(inspection_visits__inspection=event).order_by(
        "inspection_visits__order"
    )
    return {
        "team": TeamForm(data, prefix="team"),
        "host": HostForm(data, prefix="host"),
        "outline": OutlineForm(data, prefix="outline"),
        "figure": FigureForm(
            data,
            prefix="figure",
            units=units,
            initial={"period_text": event.period_text},
        ),
        "finding": FindingForm(data, prefix="finding", units=units),
        "directive": DirectiveForm(data, prefix="directive", units=units),
        "recommendation": RecommendationForm(data, prefix="recommendation", units=units),
    }


def event_detail(
    request: HttpRequest,
    pk: int,
    bound: tuple[str, Any] | None = None,
    error: str = "",
) -> HttpResponse:
    event = _event(request, pk)
    user = request.user
    forms = _forms(event)
    if bound is not None:
        forms[bound[0]] = bound[1]
    can_edit = can_edit_event(user, event) and not event.is_signed
    visits = list(event.visits.select_related("unit"))
    earlier = []
    if can_edit:
        for visit in visits:
            checked = set(
                event.findings.filter(checked_item__isnull=False).values_list(
                    "checked_item_id", flat=True
                )
            )
            items = [
                i for i in services.earlier_open_items(event, visit.unit) if i.pk not in checked
            ]
            earlier.append((visit, items))
    directives = []
    for directive in event.directives.all():
        items = list(directive.items())
        accepted, total = followup.aggregate(items)
        directives.append((directive, items, accepted, total))
    findings = list(event.findings.prefetch_related("units").select_related("checked_item"))
    notice = ConclusionNotice.objects.filter(inspection=event).select_related("signed_file").first()
    unit_links = [
        (visit, links.index_results(event, visit.unit), links.dossier_figures(event, visit.unit))
        for visit in visits
    ]
    context = {
        "event": event,
        "visits": visits,
        "team": event.team.all(),
        "hosts": event.hosts.all(),
        "outline": event.outline.all(),
        "figures": event.figures.select_related("metric", "unit"),
        "achievements": [f for f in findings if f.kind == FindingKind.ACHIEVEMENT],
        "shortcomings": [f for f in findings if f.kind == FindingKind.SHORTCOMING],
        "checks": [f for f in findings if f.checked_item_id],
        "directives": directives,
        "recommendations": event.recommendations.select_related("unit", "item"),
        "earlier": earlier,
        "notice": notice,
        "notice_form": NoticeForm(instance=notice) if notice and can_edit else None,
        "sign_form": SignForm(initial={"signed_on": event.date}) if notice and can_edit else None,
        "response_form": ResponseForm(),
        "can_edit": can_edit,
        "forms": forms,
        "error": error,
        "unit_links": unit_links,
        "has_dossier_figures": any(d is not None for _v, _r, d in unit_links),
        "dossier_metrics": links.dossier_metrics(),
        "losses": links.lost_points(event, user),
        "round_form": (
            RoundAttachForm(
                initial={"round": event.assessment_round_id}, rounds=links.eligible_rounds(event)
            )
            if can_edit and event.kind == EventKind.MEETING
            else None
        ),
        "can_flag": can_edit_event(user, event),
    }
    if bound is not None and bound[0] in ("notice", "sign", "round"):
        context[f"{bound[0]}_form"] = bound[1]
    return render(
        request,
        "inspections/event_detail.html",
        context,
        status=400 if (bound is not None or error) else 200,
    )


@require_POST
def event_add(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """One POST endpoint per section of the record; errors re-render the page."""
    event = _event(request, pk)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    if section not in SECTIONS:
        raise Http404
    form = _forms(event, request.POST)[section]
    if not form.is_valid():
        return event_detail(request, pk, (section, form))
    data = form.cleaned_data
    user = request.user
    try:
        with transaction.atomic():
            if section == "team":
                services.team_member_add(user=user, event=event, **data)
            elif section == "host":
                services.host_add(user=user, event=event, **data)
            elif section == "outline":
                services.outline_add(user=user, event=event, **data)
            elif section == "figure":
                services.figure_record(
                    user=user,
                    event=event,
                    unit=data["unit"],
                    metric=data["metric"],
                    raw=data["value"],
                    period_text=data["period_text"],
                    source=data["source"],
                )
            elif section == "finding":
                services.finding_add(
                    user=user,
                    event=event,
                    kind=data["kind"],
                    field_code=data["field_code"],
                    criterion_code=data["criterion_code"],
                    text=data["text"],
                    units=list(data["units"]),
                )
            elif section == "directive":
                extra = parse_unit_codes(data["unit_codes"], event.date)
                services.directive_create(
                    user=user,
                    event=event,
                    text=data["text"],
                    units=list(data["units"]) + [u for u in extra if u not in data["units"]],
                    group=data["group"],
                    addressee_label=data["addressee_label"],
                    deadline=data["deadline"],
                    ongoing=data["ongoing"],
                    review_on=data["review_on"],
                    priority=data["priority"],
                    field_code=data["field_code"],
                )
            else:
                responding = parse_unit_codes(data["addressee_code"], event.date)
                if len(responding) != 1:
                    raise services.InspectionError("Kiến nghị: cần đúng một mã đơn vị trả lời.")
                services.recommendation_add(
                    user=user,
                    event=event,
                    unit=data["unit"],
                    text=data["text"],
                    addressee=data["addressee"],
                    addressee_unit=responding[0],
                )
    except (services.InspectionError, followup.FollowupError) as exc:
        form.add_error(None, str(exc))
        # Once signed the forms are gone from the page: show the reason at the top.
        return event_detail(request, pk, (section, form), str(exc) if event.is_signed else "")
    except FormValidationError as exc:  # a bad unit code typed in the form
        form.add_error("unit_codes" if section == "directive" else "addressee_code", exc)
        return event_detail(request, pk, (section, form))
    messages.success(request, _("Saved."))
    return redirect(reverse("inspections:event_detail", args=[event.pk]) + f"#{section}")


@require_POST
def remediation_check(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    item = get_object_or_404(FollowupItem, pk=request.POST.get("item", "0") or 0)
    unit = get_object_or_404(Unit, pk=request.POST.get("unit", "0") or 0)
    verdict = request.POST.get("verdict", "")
    if verdict not in ("remedied", "not_remedied"):
        return event_detail(request, pk, error=_("Choose remedied or not yet remedied."))
    try:
        services.remediation_check(
            user=request.user,
            event=event,
            unit=unit,
            item=item,
            remedied=verdict == "remedied",
            note=request.POST.get("note", ""),
        )
    except services.InspectionError as exc:
        return event_detail(request, pk, error=str(exc))
    messages.success(request, _("Saved."))
    return redirect(reverse("inspections:event_detail", args=[event.pk]) + "#earlier")


def notice_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft .docx (number left blank), or the signed PDF once recorded."""
    event = _event(request, pk)
    notice = ConclusionNotice.objects.filter(inspection=event).first()
    if notice is None:
        if not can_edit_event(request.user, event):
            raise PermissionDenied
        notice = services.notice_prepare(user=request.user, event=event)
    if notice.is_signed and notice.signed_file is not None:
        return redirect("inspections:signed_file", pk=event.pk)
    data = services.notice_data(event, notice)
    content = build_notice(data)
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="du-thao-thong-bao-ket-luan-{event.pk}.docx"'
    )
    return response


@require_POST
def notice_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    try:
        services.notice_prepare(user=request.user, event=event)
    except services.InspectionError as exc:
        return event_detail(request, pk, error=str(exc))
    return redirect(reverse("inspections:event_detail", args=[event.pk]) + "#notice")


@require_POST
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    notice = get_object_or_404(ConclusionNotice, inspection=event)
    form = NoticeForm(request.POST, instance=ConclusionNotice.objects.get(pk=notice.pk))
    if not form.is_valid():
        return event_detail(request, pk, ("notice", form))
    try:
        services.notice_update(user=request.user, notice=notice, **form.cleaned_data)
    except services.InspectionError as exc:
        form.add_error(None, str(exc))
        return event_detail(request, pk, ("notice", form))
    messages.success(request, _("Saved."))
    return redirect(reverse("inspections:event_detail", args=[event.pk]) + "#notice")


@require_POST
def notice_sign(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    notice = get_object_or_404(ConclusionNotice, inspection=event)
    form = SignForm(request.POST, request.FILES)
    if not form.is_valid():
        return event_detail(request, pk, ("sign", form))
    data = form.cleaned_data
    try:
        services.notice_sign(
            user=request.user,
            notice=notice,
            number=data["number"],
            signed_on=data["signed_on"],
            signed_by=data["signed_by"],
            uploaded=data["file"],
        )
    except (services.InspectionError, UploadError) as exc:
        form.add_error(None, str(exc))
        return event_detail(request, pk, ("sign", form))
    messages.success(request, _("The signed notice is recorded; the conclusion is now closed."))
    return redirect(reverse("inspections:event_detail", args=[event.pk]) + "#notice")


@require_POST
def recommendation_respond(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_object_or_404(UnitRecommendation.objects.select_related("inspection", "item"), pk=pk)
    if not can_read_event(request.user, rec.inspection):
        raise PermissionDenied
    form = ResponseForm(request.POST)
    if not form.is_valid():
        return event_detail(request, rec.inspection_id, error=_("The response is empty."))
    try:
        services.recommendation_respond(
            user=request.user, rec=rec, response=form.cleaned_data["response"]
        )
    except (services.InspectionError, TransitionError) as exc:
        return event_detail(request, rec.inspection_id, error=str(exc))
    messages.success(request, _("Saved."))
    return redirect("inspections:event_detail", pk=rec.inspection_id)


def dashboard(request: HttpRequest) -> HttpResponse:
    data = dash.build(request.user, _year(request), timezone.localdate())
    return render(request, "inspections/dashboard.html", {"d": data})


def unit_items(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's events and the directives it still has to remedy (with its predecessors)."""
    unit = get_object_or_404(Unit, pk=unit_id)
    require_read(request.user, unit)
    ids = services.lineage_ids(unit)
    events = (
        visible_events(request.user)
        .filter(visits__unit_id__in=sorted(ids))
        .distinct()
        .select_related("body")
    )
    items = (
        dash.directive_items(request.user)
        .filter(lead_unit_id__in=sorted(ids))
        .open()
        .select_related("lead_unit")
        .order_by("deadline", "review_on", "id")
    )
    return render(
        request,
        "inspections/unit.html",
        {"unit": unit, "events": events, "items": items, "today": timezone.localdate()},
    )


def signed_file(request: HttpRequest, pk: int) -> FileResponse:
    """The signed notice (the one shown once recorded)."""
    event = _event(request, pk)
    notice = get_object_or_404(ConclusionNotice, inspection=event, signed_file__isnull=False)
    assert notice.signed_file is not None
    return FileResponse(
        open(notice.signed_file.path, "rb"),
        content_type="application/pdf",
        filename=notice.signed_file.original_name,
    )


# --- links: the assessment round, lost points, remediation plans, dossier figures --------


@require_POST
def round_attach(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    form = RoundAttachForm(request.POST, rounds=links.eligible_rounds(event))
    if not form.is_valid():
        return event_detail(request, pk, ("round", form))
    try:
        links.round_attach(user=request.user, event=event, rnd=form.cleaned_data["round"])
    except services.InspectionError as exc:
        form.add_error(None, str(exc))
        return event_detail(request, pk, ("round", form), str(exc))
    messages.success(request, _("Saved."))
    return redirect(reverse("inspections:event_detail", args=[event.pk]) + "#lost-points")


@require_POST
def explanation_save(request: HttpRequest, pk: int, unit_id: int, field_code: str) -> HttpResponse:
    """Save one field's explanation; an htmx request gets the field's box back."""
    event = _event(request, pk)
    unit = get_object_or_404(Unit, pk=unit_id)
    if not links.can_explain(request.user, event, unit) and not event.is_signed:
        raise PermissionDenied
    form = ExplanationForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    else:
        try:
            links.explanation_save(
                user=request.user,
                event=event,
                unit=unit,
                field_code=field_code,
                text=form.cleaned_data["text"],
            )
        except services.InspectionError as exc:
            error = str(exc)
    loss = next((u for u in links.lost_points(event, request.user) if u.unit == unit), None)
    row = next((f for f in loss.fields if f.code == field_code), None) if loss else None
    if getattr(request, "htmx", False) and row is not None:
        return render(
            request,
            "inspections/_lost_points.html#explanation",
            {
                "event": event,
                "loss": loss,
                "f": row,
                "error": error,
                "text": request.POST.get("text", ""),
            },
            status=400 if error else 200,
        )
    if error:
        return event_detail(request, pk, error=f"{unit.name}, lĩnh vực {field_code}: {error}")
    messages.success(request, _("Saved."))
    return redirect(
        reverse("inspections:event_detail", args=[event.pk]) + f"#loss-{unit.pk}-{field_code}"
    )


@require_POST
def directive_plan(request: HttpRequest, pk: int, directive_id: int) -> HttpResponse:
    event = _event(request, pk)
    directive = get_object_or_404(Directive, pk=directive_id, inspection=event)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    links.directive_plan_flag(
        user=request.user, directive=directive, flag=request.POST.get("flag") == "1"
    )
    messages.success(request, _("Saved."))
    return redirect(reverse("inspections:event_detail", args=[event.pk]) + "#directive")


@require_POST
def dossier_fill(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    try:
        filled = links.dossier_fill(user=request.user, event=event)
    except services.InspectionError as exc:
        return event_detail(request, pk, error=str(exc))
    messages.success(
        request, _("%(count)s figures filled from the dossier report.") % {"count": len(filled)}
    )
    return redirect(reverse("inspections:event_detail", args=[event.pk]) + "#figure")
