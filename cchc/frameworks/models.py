"""Index sets (bộ chỉ số) stored as versioned data, and their criterion trees.

The YAML definition validated by ``cchc.core.indexset`` is the source of truth and is kept
verbatim; the Criterion rows are its queryable projection. A published set never changes:
a correction is a new version.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.units.models import Unit


class FrozenSetError(ValidationError):
    """A published index set (or one of its criteria) cannot change."""


class SetKind(models.TextChoices):
    PAR = "PAR", _("PAR index")
    DX = "DX", _("Digital transformation index")
    SERVICE = "SERVICE", _("Service index (QĐ 766)")
    OTHER = "OTHER", _("Other")


class SetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Display(models.TextChoices):
    POINTS = "points", _("Points")
    PERCENT = "percent", _("Percent")
    RATIO = "ratio", _("Ratio")


class IndexSetQuerySet(models.QuerySet["IndexSet"]):
    """Bulk writes refuse published sets too: a published year never changes."""

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=SetStatus.PUBLISHED).exists():
            raise FrozenSetError(_("A published index set cannot be changed."))
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=SetStatus.PUBLISHED).exists():
            raise FrozenSetError(_("A published index set cannot be deleted."))
        return super().delete()


class IndexSet(models.Model):
    code = models.CharField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=8, choices=SetKind.choices)
    year = models.PositiveIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=SetStatus.choices, default=SetStatus.DRAFT
    )
    max_points = models.DecimalField(_("maximum points"), max_digits=12, decimal_places=4)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    display = models.CharField(
        _("display"), max_length=8, choices=Display.choices, default=Display.PERCENT
    )
    display_precision = models.PositiveSmallIntegerField(_("display precision"), default=2)
    is_sample = models.BooleanField(
        _("sample"), default=False, help_text=_("Points not taken from a decision")
    )
    definition = models.JSONField(_("definition"))
    source_yaml = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IndexSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("index set")
        verbose_name_plural = _("index sets")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="indexset_code_version")
        ]
        ordering = ["-year", "code", "-version"]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_status() == SetStatus.PUBLISHED:
            raise FrozenSetError(
                _("Index set %(code)s v%(version)s is published and cannot be changed.")
                % {"code": self.code, "version": self.version}
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_status() == SetStatus.PUBLISHED:
            raise FrozenSetError(
                _("Index set %(code)s v%(version)s is published and cannot be deleted.")
                % {"code": self.code, "version": self.version}
            )
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == SetStatus.PUBLISHED

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return IndexSet.objects.filter(pk=self.pk).values_list("status", flat=True).first()


class Method(models.TextChoices):
    SELF = "self", _("Self-assessed and appraised")
    SURVEY = "survey", _("Survey")
    COMPUTED = "computed", _("Computed from a KPI")
    DEDUCTION = "deduction", _("Deduction or bonus")
    GROUP = "group", _("Sum of children")


class CriterionQuerySet(models.QuerySet["Criterion"]):
    """Bulk writes refuse criteria of published sets."""

    def _touches_published(self) -> bool:
        return self.filter(index_set__status=SetStatus.PUBLISHED).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_published():
            raise FrozenSetError(_("Criteria of a published index set cannot be changed."))
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_published():
            raise FrozenSetError(_("Criteria of a published index set cannot be deleted."))
        return super().delete()


class Criterion(models.Model):
    """A node of the tree: field (lĩnh vực) → criterion (tiêu chí) → sub-criterion …"""

    index_set = models.ForeignKey(IndexSet, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=64)
    label = models.CharField(_("number"), max_length=32, blank=True)
    title = models.TextField(_("title"))
    level = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField()
    max_points = models.DecimalField(_("maximum points"), max_digits=12, decimal_places=4)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    rule = models.JSONField(null=True, blank=True)
    kpi = models.CharField(max_length=100, blank=True)
    cap = models.DecimalField(
        _("cap"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Largest effect of a deduction or bonus"),
    )
    is_bonus = models.BooleanField(_("bonus"), default=False)
    to_verify = models.BooleanField(_("to be verified"), default=False)
    evidence_required = models.TextField(_("evidence required"), blank=True)
    guidance = models.TextField(_("guidance"), blank=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["index_set", "code"], name="criterion_code_unique")
        ]
        ordering = ["index_set_id", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._frozen():
            raise FrozenSetError(_("Criteria of a published index set cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._frozen():
            raise FrozenSetError(_("Criteria of a published index set cannot be deleted."))
        return super().delete(*args, **kwargs)

    def _frozen(self) -> bool:
        # The set it belongs to now, and the one it belonged to (no moving out of a
        # published set).
        ids = {self.index_set_id}
        if self.pk is not None:
            ids |= set(Criterion.objects.filter(pk=self.pk).values_list("index_set_id", flat=True))
        return IndexSet.objects.filter(pk__in=ids, status=SetStatus.PUBLISHED).exists()


class MappingQuerySet(models.QuerySet["CriterionMapping"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(criterion__index_set__status=SetStatus.PUBLISHED).exists():
            raise FrozenSetError(_("A published index set cannot be changed."))
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(criterion__index_set__status=SetStatus.PUBLISHED).exists():
            raise FrozenSetError(_("A published index set cannot be changed."))
        return super().delete()


class CriterionMapping(models.Model):
    """How a criterion of a later version continues one of an earlier version."""

    class Kind(models.TextChoices):
        SAME = "same", _("Same")
        RENAMED = "renamed", _("Renamed")
        SPLIT = "split", _("Split")
        MERGED = "merged", _("Merged")

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="mappings")
    previous = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)

    objects = MappingQuerySet.as_manager()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._frozen():
            raise FrozenSetError(_("A published index set cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._frozen():
            raise FrozenSetError(_("A published index set cannot be changed."))
        return super().delete(*args, **kwargs)

    def _frozen(self) -> bool:
        ids = {self.criterion_id}
        if self.pk is not None:
            ids |= set(
                CriterionMapping.objects.filter(pk=self.pk).values_list("criterion_id", flat=True)
            )
        return Criterion.objects.filter(pk__in=ids, index_set__status=SetStatus.PUBLISHED).exists()


class KpiValueRow(models.Model):
    """An imported value of a KPI for a unit and year (a value table provider)."""

    kpi = models.CharField(_("KPI"), max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    value = models.CharField(_("value"), max_length=100)
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "unit", "year"], name="kpi_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.unit_id} {self.year}: {self.value}"


class MetricType(models.TextChoices):
    PERCENT = "percent", _("Percent (0–100)")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    YES_NO = "yes_no", _("Yes / no")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")


class Metric(models.Model):
    """One catalogue of observed figures (chỉ tiêu), shared by inspections and reports.

    Shipped entries come from ``catalogue/metrics.yaml`` (``metrics_sync``); a province may
    add its own in the admin.
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=300)
    label_en = models.CharField(_("English label"), max_length=300, blank=True)
    value_type = models.CharField(_("value type"), max_length=8, choices=MetricType.choices)
    field = models.CharField(_("topic"), max_length=8, blank=True)  # "par" / "dx"
    dossier_figure = models.CharField(max_length=64, blank=True)
    shipped = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label
