from __future__ import annotations

from django.contrib import admin

from cchc.accounts.models import LoginFailure, RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ["user", "role", "unit", "field_code"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    raw_id_fields = ["user", "unit"]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin[LoginFailure]):
    list_display = ["username", "failures", "last_failure", "locked_until"]
    search_fields = ["username"]
