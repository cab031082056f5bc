"""The outline ("đề cương") report request started from an inspection event."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cchc.plans import outline
from cchc.plans.remediation import SourceNotFound, event_url, load_event
from cchc.plans.services import PlanError


@require_http_methods(["GET", "POST"])
def from_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """GET: what the request will be; POST: create it (or go to the one already made)."""
    try:
        event = load_event(event_id)
    except SourceNotFound as exc:
        raise Http404(str(exc)) from exc
    if not outline.can_organise(request.user, event):
        raise PermissionDenied
    found = outline.existing(event.pk)
    if request.method == "POST" and found is not None:
        messages.info(request, _("The outline request of this event already exists."))
        return redirect("plans:report_detail", pk=found.pk)
    raw_days = request.POST.get("days") if request.method == "POST" else request.GET.get("days")
    errors: list[str] = []
    days = outline.DEFAULT_DAYS_BEFORE
    try:
        days = outline.parse_days(raw_days)
    except PlanError as exc:
        errors = exc.errors
    if request.method == "POST" and not errors:
        try:
            req, created = outline.outline_request_create(
                user=request.user, event=event, days_before=days
            )
        except PlanError as exc:
            errors = exc.errors
        else:
            if created:
                messages.success(request, _("Outline request sent to the units."))
            return redirect("plans:report_detail", pk=req.pk)
    return render(
        request,
        "plans/outline_form.html",
        {
            "event": event,
            "event_link": event_url(event.pk),
            "existing": found,
            "days": raw_days if errors else days,
            "due_on": outline.due_date(event, days),
            "units": outline.event_units(event),
            "questions": outline.questions(event),
            "errors": errors,
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )
