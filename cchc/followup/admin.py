from __future__ import annotations

from django.contrib import admin

from cchc.followup.models import FollowupItem, FollowupUpdate


class UpdateInline(admin.TabularInline[FollowupUpdate, FollowupItem]):
    model = FollowupUpdate
    extra = 0
    fields = ("at", "author", "kind", "text", "progress", "status_before", "status_after")
    readonly_fields = fields
    can_delete = False


@admin.register(FollowupItem)
class FollowupItemAdmin(admin.ModelAdmin[FollowupItem]):
    """Read-mostly: status changes go through the item page so they are audited."""

    list_display = ["title", "lead_unit", "deadline", "ongoing", "review_on", "status"]
    list_filter = ["status", "ongoing", "priority"]
    search_fields = ["title", "source_label"]
    raw_id_fields = ["lead_unit", "issuing_unit", "assignee", "coordinating_units"]
    readonly_fields = ["status", "done_at", "accepted_at", "cancelled_reason", "last_reminded_on"]
    inlines = [UpdateInline]
