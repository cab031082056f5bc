"""Write the audit trail. The only way rows get into :class:`AuditEvent`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from cchc.audit.models import AuditEvent


def to_jsonable(value: Any) -> Any:
    """Turn a field value into plain JSON: decimals as text (exact), dates in ISO."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return {"id": value.pk, "repr": str(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def record(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    reason: str = "",
    request_id: str = "",
) -> list[AuditEvent]:
    """Append one row per changed field, or one row without a field.

    Fields whose old and new values are equal are skipped; when ``changes`` is given
    and nothing changed, nothing is written. ``actor`` may be None or an anonymous user
    for changes made by the system (commands, imports).
    """
    if obj.pk is None:
        raise ValueError("audit: the object must be saved first")
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    base = {
        "actor": user,
        "content_type": ContentType.objects.get_for_model(obj, for_concrete_model=False),
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:300],
        "action": action,
        "reason": reason,
        "request_id": request_id,
    }
    if changes is None:
        return [AuditEvent.objects.create(**base)]
    events: list[AuditEvent] = []
    for field, (old, new) in changes.items():
        old_j, new_j = to_jsonable(old), to_jsonable(new)
        if old_j == new_j:
            continue
        events.append(AuditEvent.objects.create(**base, field=field, old=old_j, new=new_j))
    return events


def history(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """The audit rows of one object, newest first."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
