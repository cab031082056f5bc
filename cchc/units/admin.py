from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from cchc.core.text import normalize_name, search_key, sort_key
from cchc.units.models import Hierarchy, Unit, UnitGroup, UnitLineage, UnitParent


class UnitParentInline(admin.TabularInline[UnitParent, Unit]):
    model = UnitParent
    fk_name = "unit"
    extra = 0
    raw_id_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("name", "code", "hierarchy", "kind", "level", "valid_from", "valid_to")
    list_filter = ("hierarchy", "level", "kind")
    search_fields = ("search_key", "code")
    ordering = ("sort_key",)
    raw_id_fields = ("parent",)
    readonly_fields = ("source", "source_version")
    inlines = (UnitParentInline,)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Unit], search_term: str
    ) -> tuple[QuerySet[Unit], bool]:
        return super().get_search_results(request, queryset, search_key(search_term))

    def save_model(self, request: HttpRequest, obj: Unit, form: object, change: bool) -> None:
        obj.name = normalize_name(obj.name)
        obj.sort_key = sort_key(obj.name)
        obj.search_key = search_key(obj.name)
        if not obj.source:
            obj.source = "admin"
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        # Official units come from the loader; only local units may be deleted here.
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.hierarchy == Hierarchy.LOCAL
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Unit]) -> None:
        # The bulk "delete selected" action passes obj=None above: refuse official units.
        if queryset.exclude(hierarchy=Hierarchy.LOCAL).exists():
            raise PermissionDenied("Chỉ xóa được đơn vị cục bộ (local)")
        super().delete_queryset(request, queryset)


@admin.register(UnitLineage)
class UnitLineageAdmin(admin.ModelAdmin[UnitLineage]):
    list_display = ("predecessor", "successor", "kind", "is_default", "effective")
    list_filter = ("kind", "is_default")
    raw_id_fields = ("predecessor", "successor")


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin[UnitGroup]):
    list_display = ("name",)
    search_fields = ("name",)
    filter_horizontal = ("units",)
