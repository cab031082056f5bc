"""Writes to follow-up items: each transition atomic, checked and audited.

Who may do what (built on :mod:`cchc.accounts.permissions`):

- read an item: readers of its lead unit, of a coordinating unit or of the issuing unit;
- post progress: writers of the lead unit or of a coordinating unit;
- report done: writers of the lead unit;
- accept, reject a claim, cancel, reopen: the issuing body — writers of the issuing
  unit — or the secretariat / appraisers over the lead unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from cchc.accounts.permissions import (
    OVERSIGHT_ROLES,
    can_read_unit,
    can_write_unit,
    is_superuser,
)
from cchc.audit.services import record
from cchc.core import followup as rules
from cchc.core.followup import Action, TransitionError
from cchc.documents.models import DocumentRef, StoredFile
from cchc.followup.models import Acceptance, FollowupItem, FollowupUpdate, Priority, Status
from cchc.units.models import Unit

__all__ = [
    "FollowupError",
    "TransitionError",
    "can_accept_item",
    "can_claim_item",
    "can_read_evidence",
    "can_read_item",
    "can_update_item",
    "item_accept",
    "item_cancel",
    "item_claim_done",
    "item_create",
    "item_reject_claim",
    "item_reopen",
    "item_update",
]


class FollowupError(ValueError):
    """Input refused; the message is Vietnamese and names the field."""


# --- permissions -------------------------------------------------------------------


def _coordinating_ids(item: FollowupItem) -> list[int]:
    return list(item.coordinating_units.values_list("id", flat=True))


def can_read_item(user: Any, item: FollowupItem) -> bool:
    if can_read_unit(user, item.lead_unit_id):
        return True
    if item.issuing_unit_id is not None and can_read_unit(user, item.issuing_unit_id):
        return True
    return any(can_read_unit(user, uid) for uid in _coordinating_ids(item))


def can_read_evidence(user: Any, stored: StoredFile) -> bool:
    """A file attached to an update is readable by the readers of its item."""
    items = FollowupItem.objects.filter(updates__files=stored).distinct()
    return any(can_read_item(user, item) for item in items)


def can_update_item(user: Any, item: FollowupItem) -> bool:
    if can_write_unit(user, item.lead_unit_id):
        return True
    return any(can_write_unit(user, uid) for uid in _coordinating_ids(item))


def can_claim_item(user: Any, item: FollowupItem) -> bool:
    return can_write_unit(user, item.lead_unit_id)


def can_accept_item(user: Any, item: FollowupItem) -> bool:
    if is_superuser(user):
        return True
    if item.issuing_unit_id is not None and can_write_unit(user, item.issuing_unit_id):
        return True
    return can_write_unit(user, item.lead_unit_id, role_in=OVERSIGHT_ROLES)


# --- creation ----------------------------------------------------------------------


@transaction.atomic
def item_create(
    *,
    user: Any,
    title: str,
    lead_unit: Unit,
    deadline: date | None = None,
    ongoing: bool = False,
    review_on: date | None = None,
    description: str = "",
    issuing_unit: Unit | None = None,
    coordinating_units: Iterable[Unit] = (),
    person: str = "",
    assignee: Any = None,
    deliverable: str = "",
    priority: str = Priority.NORMAL,
    field_code: str = "",
    criterion_code: str = "",
    source: models.Model | None = None,
    source_label: str = "",
    acceptance_label: str = Acceptance.ACCEPTANCE,
) -> FollowupItem:
    """Create an item. ``user=None`` is the system (imports, demo data): no check.

    Otherwise the user must be able to write on the issuing unit (or, without one, on
    the lead unit).
    """
    if user is not None and not can_write_unit(user, issuing_unit or lead_unit):
        raise PermissionDenied
    title = title.strip()
    if not title:
        raise FollowupError("Thiếu nội dung nhiệm vụ (trường “Nội dung”).")
    errors = rules.schedule_errors(
        rules.Schedule(deadline=deadline, ongoing=ongoing, review_on=review_on)
    )
    if errors:
        raise FollowupError(" ".join(errors))
    if priority not in Priority.values:
        raise FollowupError(f"Mức ưu tiên không hợp lệ: {priority!r}.")
    if acceptance_label not in Acceptance.values:
        raise FollowupError(f"Kiểu nghiệm thu không hợp lệ: {acceptance_label!r}.")
    item = FollowupItem(
        title=title,
        description=description,
        lead_unit=lead_unit,
        issuing_unit=issuing_unit,
        person=person,
        assignee=assignee,
        deliverable=deliverable,
        priority=priority,
        deadline=deadline,
        ongoing=ongoing,
        review_on=review_on,
        field_code=field_code,
        criterion_code=criterion_code,
        source_label=source_label,
        acceptance_label=acceptance_label,
        created_by=user,
    )
    if source is not None:
        item.source = source
    item.save()
    coordinating = list(coordinating_units)
    if coordinating:
        item.coordinating_units.set(coordinating)
    record(
        actor=user,
        obj=item,
        action="followup.create",
        changes={
            "lead_unit": (None, lead_unit.key),
            "deadline": (None, deadline),
            "ongoing": (None, ongoing),
            "review_on": (None, review_on),
            "status": (None, item.status),
        },
    )
    return item


# --- transitions -------------------------------------------------------------------


def _transition(
    *,
    item: FollowupItem,
    user: Any,
    action: Action,
    text: str = "",
    reason: str = "",
    progress: int | None = None,
    files: Sequence[StoredFile] = (),
    refs: Sequence[DocumentRef] = (),
    extra: dict[str, tuple[Any, Any]] | None = None,
) -> FollowupUpdate:
    # Lock the row so two people acting at once cannot both pass the status check.
    locked = FollowupItem.objects.select_for_update().get(pk=item.pk)
    before = Status(locked.status)
    after = Status(rules.next_status(before, action, reason))
    if progress is not None and not 0 <= progress <= 100:
        raise FollowupError(f"Tiến độ phải từ 0 đến 100 %, không phải {progress}.")
    now = timezone.now()
    changes: dict[str, tuple[Any, Any]] = {"status": (before.value, after.value)}
    locked.status = after
    if action is Action.CLAIM:
        changes["done_at"] = (locked.done_at, now)
        locked.done_at = now
    elif action is Action.ACCEPT:
        changes["accepted_at"] = (locked.accepted_at, now)
        locked.accepted_at = now
    elif action is Action.REJECT:
        changes["done_at"] = (locked.done_at, None)
        locked.done_at = None
    elif action is Action.CANCEL:
        changes["cancelled_reason"] = (locked.cancelled_reason, reason.strip())
        locked.cancelled_reason = reason.strip()
    elif action is Action.REOPEN:
        changes["accepted_at"] = (locked.accepted_at, None)
        changes["cancelled_reason"] = (locked.cancelled_reason, "")
        locked.accepted_at = None
        locked.cancelled_reason = ""
        locked.done_at = None
    changes.update(extra or {})
    locked.updated_at = now
    locked.save()
    update = FollowupUpdate.objects.create(
        item=locked,
        author=user if getattr(user, "is_authenticated", False) else None,
        at=now,
        kind=action.value,
        text=(text or reason).strip(),
        progress=progress,
        status_before=before.value,
        status_after=after.value,
    )
    if files:
        update.files.set(files)
    if refs:
        update.document_refs.set(refs)
    if files or refs:
        changes["evidence"] = (None, [f.original_name for f in files] + [str(r) for r in refs])
    record(
        actor=user, obj=locked, action=f"followup.{action.value}", changes=changes, reason=reason
    )
    # Keep the caller's instance in step with the database.
    for name in ("status", "done_at", "accepted_at", "cancelled_reason", "updated_at"):
        setattr(item, name, getattr(locked, name))
    return update


@transaction.atomic
def item_update(
    *,
    item: FollowupItem,
    user: Any,
    text: str,
    progress: int | None = None,
    files: Sequence[StoredFile] = (),
    refs: Sequence[DocumentRef] = (),
) -> FollowupUpdate:
    """Post progress (with optional percent and evidence); starts a not-started item."""
    if not can_update_item(user, item):
        raise PermissionDenied
    if not text.strip() and not files and not refs and progress is None:
        raise FollowupError("Cần nội dung cập nhật, tiến độ hoặc tài liệu kiểm chứng.")
    return _transition(
        item=item,
        user=user,
        action=Action.PROGRESS,
        text=text,
        progress=progress,
        files=files,
        refs=refs,
    )


@transaction.atomic
def item_claim_done(
    *,
    item: FollowupItem,
    user: Any,
    text: str = "",
    files: Sequence[StoredFile] = (),
    refs: Sequence[DocumentRef] = (),
) -> FollowupUpdate:
    """The lead unit reports the item done; it waits for acceptance / verification."""
    if not can_claim_item(user, item):
        raise PermissionDenied
    return _transition(
        item=item, user=user, action=Action.CLAIM, text=text, progress=100, files=files, refs=refs
    )


@transaction.atomic
def item_accept(*, item: FollowupItem, user: Any, text: str = "") -> FollowupUpdate:
    """The issuing body accepts ("nghiệm thu") or verifies ("xác minh") a claim."""
    if not can_accept_item(user, item):
        raise PermissionDenied
    return _transition(item=item, user=user, action=Action.ACCEPT, text=text)


@transaction.atomic
def item_reject_claim(*, item: FollowupItem, user: Any, reason: str) -> FollowupUpdate:
    """Send a claim back: the item returns to IN_PROGRESS with the reason."""
    if not can_accept_item(user, item):
        raise PermissionDenied
    return _transition(item=item, user=user, action=Action.REJECT, reason=reason)


@transaction.atomic
def item_cancel(*, item: FollowupItem, user: Any, reason: str) -> FollowupUpdate:
    """Cancel an open item; the reason is required and kept."""
    if not can_accept_item(user, item):
        raise PermissionDenied
    return _transition(item=item, user=user, action=Action.CANCEL, reason=reason)


@transaction.atomic
def item_reopen(*, item: FollowupItem, user: Any, reason: str) -> FollowupUpdate:
    """Reopen an accepted or cancelled item (back to IN_PROGRESS), with a reason."""
    if not can_accept_item(user, item):
        raise PermissionDenied
    return _transition(item=item, user=user, action=Action.REOPEN, reason=reason)


def aggregate(items: Iterable[FollowupItem]) -> tuple[int, int]:
    """(accepted, total) for a source's items, cancelled ones left out: "7/12"."""
    if isinstance(items, models.QuerySet):
        return rules.aggregate(items.values_list("status", flat=True))
    return rules.aggregate(item.status for item in items)
