from __future__ import annotations

from django.contrib import admin

from cchc.inspections.models import (
    CommitteeMember,
    ConclusionNotice,
    Directive,
    Finding,
    HostOfficial,
    Inspection,
    InspectionPlan,
    InspectionUnit,
    IssuingBody,
    ObservedMetric,
    PlannedEvent,
    SteeringCommittee,
    TeamMember,
)


class MemberInline(admin.TabularInline[CommitteeMember, SteeringCommittee]):
    model = CommitteeMember
    extra = 0


@admin.register(SteeringCommittee)
class SteeringCommitteeAdmin(admin.ModelAdmin[SteeringCommittee]):
    list_display = ["name", "unit", "scope", "valid_from", "valid_to"]
    raw_id_fields = ["unit", "decision"]
    inlines = [MemberInline]


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin[IssuingBody]):
    list_display = ["name", "kind", "unit", "team_head_label", "symbol"]
    raw_id_fields = ["unit"]
    filter_horizontal = ["committees"]


class PlannedInline(admin.TabularInline[PlannedEvent, InspectionPlan]):
    model = PlannedEvent
    extra = 0
    raw_id_fields = ["units"]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin[InspectionPlan]):
    list_display = ["title", "year", "body", "decision_number"]
    inlines = [PlannedInline]


class VisitInline(admin.TabularInline[InspectionUnit, Inspection]):
    model = InspectionUnit
    extra = 0
    raw_id_fields = ["unit"]


class TeamInline(admin.TabularInline[TeamMember, Inspection]):
    model = TeamMember
    extra = 0


class HostInline(admin.TabularInline[HostOfficial, Inspection]):
    model = HostOfficial
    extra = 0
    raw_id_fields = ["unit"]


class FindingInline(admin.TabularInline[Finding, Inspection]):
    model = Finding
    extra = 0
    raw_id_fields = ["units", "checked_item"]


class FigureInline(admin.TabularInline[ObservedMetric, Inspection]):
    model = ObservedMetric
    extra = 0
    raw_id_fields = ["unit", "metric"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin[Inspection]):
    """Corrections before signing; directives' items are changed on the follow-up pages."""

    list_display = ["title", "kind", "date", "body"]
    list_filter = ["kind"]
    search_fields = ["title"]
    raw_id_fields = ["plan", "planned", "legal_basis_ref"]
    inlines = [VisitInline, TeamInline, HostInline, FindingInline, FigureInline]


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin[Directive]):
    list_display = ["text", "inspection", "deadline", "ongoing", "review_on"]
    readonly_fields = ["inspection", "addressee_group", "deadline", "ongoing", "review_on"]


@admin.register(ConclusionNotice)
class ConclusionNoticeAdmin(admin.ModelAdmin[ConclusionNotice]):
    list_display = ["subject", "number", "signed_on"]
    readonly_fields = [
        "number",
        "signed_on",
        "signed_by",
        "signed_file",
        "recorded_by",
        "recorded_at",
    ]
