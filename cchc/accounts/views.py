from __future__ import annotations

from datetime import datetime, time

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cchc.accounts.permissions import can_view_audit
from cchc.audit.models import AuditEvent
from cchc.core.dates import DateError, parse_date


def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail, filtered by object type, object, actor and date."""
    if not can_view_audit(request.user):
        raise PermissionDenied
    events = AuditEvent.objects.select_related("actor", "content_type")
    errors: list[str] = []
    params = request.GET
    type_id = params.get("type", "")
    if type_id.isdigit():
        events = events.filter(content_type_id=int(type_id))
    object_id = params.get("object", "").strip()
    if object_id:
        events = events.filter(object_id=object_id)
    actor = params.get("actor", "").strip()
    if actor:
        events = events.filter(actor__username=actor)
    for name, op, bound in (("from", "gte", time.min), ("to", "lte", time.max)):
        raw = params.get(name, "").strip()
        if not raw:
            continue
        try:
            day = parse_date(raw)
        except DateError as exc:
            errors.append(f"{'Từ ngày' if name == 'from' else 'Đến ngày'}: {exc}")
            continue
        moment = timezone.make_aware(datetime.combine(day, bound))
        events = events.filter(**{f"at__{op}": moment})
    type_ids = AuditEvent.objects.values_list("content_type_id", flat=True).distinct()
    types = ContentType.objects.filter(id__in=type_ids).order_by("app_label", "model")
    page = Paginator(events, 100).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "types": types,
            "type_id": type_id,
            "object_id": object_id,
            "actor": actor,
            "date_from": params.get("from", ""),
            "date_to": params.get("to", ""),
            "errors": errors,
            "query": query.urlencode(),
        },
    )
