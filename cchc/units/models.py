"""Administrative units of both hierarchies, their parents over time and their lineage.

A unit code is not an identity: ``01969`` is Thị trấn Phủ Thông (Bắc Kạn) in the legacy
hierarchy and Xã Phủ Thông (Thái Nguyên) in the 2025 one. A unit is keyed by
(hierarchy, code), written ``01969@2025``.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class Hierarchy(models.TextChoices):
    LEGACY = "legacy", _("Before 1/7/2025")
    Y2025 = "2025", _("From 1/7/2025")
    LOCAL = "local", _("Local (non-geographic)")


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Centrally-run city")
    DISTRICT = "district", _("District")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    TOWN = "town", _("District-level town")
    PROVINCIAL_CITY = "provincial_city", _("Provincial city")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    DEPARTMENT = "department", _("Department or agency")
    VERTICAL_AGENCY = "vertical_agency", _("Central agency located locally")
    SERVICE_CENTRE = "service_centre", _("Public administrative service centre")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Public service unit")
    OTHER = "other", _("Other")


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province level")
    DISTRICT = 2, _("District level")
    COMMUNE = 3, _("Commune level")


LEGACY_END = date(2025, 6, 30)
REFORM_DATE = date(2025, 7, 1)


class UnitQuerySet(models.QuerySet["Unit"]):
    def valid_on(self, when: date) -> UnitQuerySet:
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=when),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=when),
        )


class Unit(models.Model):
    """An administrative or non-geographic unit ("đơn vị")."""

    hierarchy = models.CharField(_("hierarchy"), max_length=8, choices=Hierarchy.choices)
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    # The parent at the end of the unit's validity; earlier parents are in UnitParent.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    sort_key = models.CharField(max_length=400, db_index=True, editable=False)
    search_key = models.CharField(max_length=400, db_index=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    # Where the row comes from: "vietnamadminunits" (official lists) or "csv"/"admin".
    source = models.CharField(_("source"), max_length=40, blank=True)
    source_version = models.CharField(_("source version"), max_length=40, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["hierarchy", "code"], name="unit_key_unique")
        ]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["level", "sort_key"])]
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return f"{self.code}@{self.hierarchy}"

    def is_valid_on(self, when: date) -> bool:
        return (self.valid_from is None or self.valid_from <= when) and (
            self.valid_to is None or self.valid_to >= when
        )


class UnitParent(models.Model):
    """The parent of a unit over a period (parents have validity dates too)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="parent_periods")
    parent = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["unit_id", "valid_from"]
        indexes = [models.Index(fields=["parent"])]


class LineageKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Rename")
    UNCHANGED = "unchanged", _("Unchanged")
    # An abolished district: its territory is now in these communes.
    DISSOLVED_INTO = "dissolved_into", _("Dissolved into")


class UnitLineage(models.Model):
    """Predecessor → successor on a date ("sáp nhập, chia tách")."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessor_links")
    effective = models.DateField(_("effective date"))
    kind = models.CharField(max_length=16, choices=LineageKind.choices)
    # A divided predecessor's records go to its default successor in history roll-ups.
    is_default = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective"], name="lineage_unique"
            )
        ]


class UnitGroup(models.Model):
    """A named group of units ("các xã nhóm I", "Chủ tịch UBND các xã, phường")."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(blank=True)
    units = models.ManyToManyField(Unit, related_name="groups")

    def __str__(self) -> str:
        return self.name


class RegistryVersion(models.Model):
    """One row whose token is replaced whenever units, their parents or lineage change.

    Caches built from the registry (the dossier report's unit tree) compare it per
    request instead of re-reading thousands of rows: see ``services.registry_version``.
    """

    token = models.CharField(max_length=32)
