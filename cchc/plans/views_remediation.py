"""The remediation plan page: propose the tasks of an event or an index, confirm, create."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cchc.core import plans as rules
from cchc.plans import remediation
from cchc.plans.forms import RemediationForm
from cchc.plans.services import PlanError
from cchc.units.models import Unit
from cchc.units.services import UnitResolutionError, resolve_unit


def _unit(key: str, as_of: Any) -> Unit:
    if not key:
        raise Http404("Thiếu đơn vị (tham số unit).")
    try:
        return resolve_unit(key, as_of=as_of)
    except UnitResolutionError as exc:
        raise Http404(str(exc)) from exc


def _source(request: HttpRequest) -> remediation.Source:
    event_id, round_id = request.GET.get("event", ""), request.GET.get("round", "")
    key = request.GET.get("unit", "").strip()
    try:
        if event_id.isdigit():
            event = remediation.load_event(int(event_id))
            return remediation.event_source(event, _unit(key, event.date))
        if round_id.isdigit():
            rnd = remediation.load_round(int(round_id))
            return remediation.round_source(rnd, _unit(key, None))
    except remediation.SourceNotFound as exc:
        raise Http404(str(exc)) from exc
    raise Http404("Thiếu cuộc kiểm tra (tham số event) hoặc đợt đánh giá (tham số round).")


@require_http_methods(["GET", "POST"])
def remediation_new(request: HttpRequest) -> HttpResponse:
    """GET proposes the tasks; POST creates the plan (or leads to the one that exists)."""
    source = _source(request)
    if not remediation.can_start(request.user, source):
        raise PermissionDenied
    existing = source.existing()
    if request.method == "POST" and existing is not None:
        messages.info(request, _("This unit already has a remediation plan for this source."))
        return redirect("plans:detail", pk=existing.pk)
    schedule = any(p.scheduled_by_form for p in source.proposals)
    form = RemediationForm(
        request.POST if request.method == "POST" else None,
        initial={"title": source.title, "year": source.year},
        schedule=schedule,
    )
    if request.method == "POST":
        picks = request.POST.getlist("pick")
    else:
        picks = [p.key for p in source.proposals if p.preselected]
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan, created = remediation.remediation_create(
                user=request.user,
                source=source,
                picks=picks,
                title=data["title"],
                year=data["year"],
                deadline=data.get("deadline"),
                review_on=data.get("review_on"),
            )
        except PlanError as exc:
            errors = exc.errors
        else:
            if created:
                messages.success(
                    request, _("Remediation plan created with %(n)d tasks.") % {"n": len(picks)}
                )
            return redirect("plans:detail", pk=plan.pk)
    rows = [
        {
            "p": p,
            "checked": p.key in picks,
            "when": (
                rules.when_text(p.deadline, p.ongoing, p.review_on)
                if not p.scheduled_by_form
                else ""
            ),
        }
        for p in source.proposals
    ]
    return render(
        request,
        "plans/remediation_form.html",
        {
            "source": source,
            "existing": existing,
            "rows": rows,
            "form": form,
            "errors": errors,
            "query": request.GET.urlencode(),
        },
        status=400 if request.method == "POST" else 200,
    )
