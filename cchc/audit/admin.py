from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cchc.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is append-only."""

    list_display = ["at", "actor", "action", "content_type", "object_repr", "field", "reason"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "reason", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
