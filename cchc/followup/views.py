from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.accounts.permissions import ALL, readable_unit_ids, require_read
from cchc.core import followup as rules
from cchc.core.followup import TransitionError
from cchc.documents.services import UploadError, file_store
from cchc.followup import services
from cchc.followup.forms import AcceptForm, ClaimForm, ReasonForm, UpdateForm
from cchc.followup.models import FollowupItem, FollowupItemQuerySet
from cchc.units.models import Unit

ACTIONS = ("update", "claim", "accept", "reject", "cancel", "reopen")
TABS = ("open", "overdue", "due_soon", "review", "all")
DUE_SOON_DAYS = 7


def _visible(user: Any) -> FollowupItemQuerySet:
    scope = readable_unit_ids(user)
    items = FollowupItem.objects.all()
    if scope is ALL:
        return items
    ids = sorted(scope)  # type: ignore[arg-type]
    visible = FollowupItem.objects.filter(
        Q(lead_unit_id__in=ids) | Q(coordinating_units__in=ids) | Q(issuing_unit_id__in=ids)
    ).values("id")
    return items.filter(id__in=visible)


def item_list(request: HttpRequest) -> HttpResponse:
    """The items of the user's units: open, overdue, due soon, to review, all."""
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    if show not in TABS:
        show = "open"
    items = _visible(request.user)
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = get_object_or_404(Unit, pk=int(request.GET["unit"]))
        require_read(request.user, unit)
        items = items.filter(
            Q(lead_unit=unit) | Q(coordinating_units=unit) | Q(issuing_unit=unit)
        ).distinct()
    tabs = {
        "open": items.open(),
        "overdue": items.overdue(today),
        "due_soon": items.due_soon(today, DUE_SOON_DAYS),
        "review": items.to_review(today),
        "all": items,
    }
    counts = {name: qs.count() for name, qs in tabs.items()}
    shown = (
        tabs[show]
        .select_related("lead_unit", "issuing_unit")
        .order_by("deadline", "review_on", "id")[:500]
    )
    return render(
        request,
        "followup/list.html",
        {
            "items": shown,
            "show": show,
            "counts": counts,
            "unit": unit,
            "today": today,
            "tabs": [
                (key, label, counts[key])
                for key, label in (
                    ("open", _("Open")),
                    ("overdue", _("Overdue")),
                    ("due_soon", _("Due soon")),
                    ("review", _("To review")),
                    ("all", _("All")),
                )
            ],
        },
    )


_ACTION_OF = {
    "update": rules.Action.PROGRESS,
    "claim": rules.Action.CLAIM,
    "accept": rules.Action.ACCEPT,
    "reject": rules.Action.REJECT,
    "cancel": rules.Action.CANCEL,
    "reopen": rules.Action.REOPEN,
}


def _load(request: HttpRequest, pk: int) -> FollowupItem:
    item = get_object_or_404(
        FollowupItem.objects.select_related("lead_unit", "issuing_unit", "assignee"), pk=pk
    )
    if not services.can_read_item(request.user, item):
        raise PermissionDenied
    return item


def item_detail(request: HttpRequest, pk: int, forms: dict[str, Any] | None = None) -> HttpResponse:
    item = _load(request, pk)
    user = request.user
    status = item.status
    can_update = services.can_update_item(user, item) and item.is_open
    can_claim = services.can_claim_item(user, item) and status in ("not_started", "in_progress")
    can_judge = services.can_accept_item(user, item)
    context = {
        "item": item,
        "today": timezone.localdate(),
        "updates": item.updates.select_related("author").prefetch_related("files", "document_refs"),
        "coordinating": item.coordinating_units.all(),
        "can_update": can_update,
        "can_claim": can_claim,
        "can_accept": can_judge and status == "claimed_done",
        "can_cancel": can_judge and item.is_open,
        "can_reopen": can_judge and not item.is_open,
        "update_form": UpdateForm(),
        "claim_form": ClaimForm(),
        "accept_form": AcceptForm(),
        "reject_form": ReasonForm(auto_id="reject_%s"),
        "cancel_form": ReasonForm(auto_id="cancel_%s"),
        "reopen_form": ReasonForm(auto_id="reopen_%s"),
    }
    context.update(forms or {})
    return render(request, "followup/detail.html", context, status=400 if forms else 200)


def _store_files(request: HttpRequest, item: FollowupItem) -> list[Any]:
    return [
        file_store(uploaded=f, user=request.user, unit=item.lead_unit)
        for f in request.FILES.getlist("files")
    ]


@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST endpoint per transition; errors re-render the page with the message."""
    item = _load(request, pk)
    form_class = {
        "update": UpdateForm,
        "claim": ClaimForm,
        "accept": AcceptForm,
        "reject": ReasonForm,
        "cancel": ReasonForm,
        "reopen": ReasonForm,
    }[action]
    prefix_ids = {"reject": "reject_%s", "cancel": "cancel_%s", "reopen": "reopen_%s"}
    form = form_class(request.POST, auto_id=prefix_ids.get(action, "id_%s"))
    form_key = f"{action}_form"
    if not form.is_valid():
        return item_detail(request, pk, {form_key: form})
    data = form.cleaned_data
    permitted = {
        "update": services.can_update_item,
        "claim": services.can_claim_item,
    }.get(action, services.can_accept_item)
    if not permitted(request.user, item):
        raise PermissionDenied
    try:
        # Refuse a transition before storing any file for it.
        rules.next_status(item.status, _ACTION_OF[action], data.get("reason", "x"))
        with transaction.atomic():
            if action == "update":
                services.item_update(
                    item=item,
                    user=request.user,
                    text=data["text"],
                    progress=data["progress"],
                    files=_store_files(request, item),
                )
            elif action == "claim":
                services.item_claim_done(
                    item=item,
                    user=request.user,
                    text=data["text"],
                    files=_store_files(request, item),
                )
            elif action == "accept":
                services.item_accept(item=item, user=request.user, text=data["text"])
            elif action == "reject":
                services.item_reject_claim(item=item, user=request.user, reason=data["reason"])
            elif action == "cancel":
                services.item_cancel(item=item, user=request.user, reason=data["reason"])
            else:
                services.item_reopen(item=item, user=request.user, reason=data["reason"])
    except (TransitionError, services.FollowupError, UploadError) as exc:
        return item_detail(request, pk, {form_key: form, "action_error": str(exc)})
    messages.success(request, _("Saved."))
    return redirect("followup:detail", pk=item.pk)
