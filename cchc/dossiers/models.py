"""Import records, official QĐ 766 scores and API tokens of the dossier area.

The dossiers themselves live in the Parquet store (cchc.analytics), not in this database.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.documents.models import StoredFile
from cchc.units.models import Unit


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Ready to confirm")
    REJECTED = "rejected", _("Refused")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class DossierImport(models.Model):
    """One file (or API batch) imported into the dossier store."""

    file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    profile = models.CharField(_("profile"), max_length=60)
    source = models.CharField(_("source system"), max_length=60, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # capped [{place, column, value, reason}]
    error_total = models.PositiveIntegerField(default=0)
    unmatched = models.JSONField(default=dict, blank=True)  # column → values, each once
    ignored_columns = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    phase = models.CharField(max_length=120, blank=True)
    # The id recorded in the store's manifest (reconciliation after a crash).
    import_id = models.CharField(max_length=40, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dossier import")
        verbose_name_plural = _("dossier imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


class Official766Score(models.Model):
    """Group scores of QĐ 766 for one unit and month, as published on the national portal.

    Group 1 (disclosure) has no known formula: it is only ever imported or typed in.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    g1 = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    g2 = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    g3 = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    g4 = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    g5 = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    # Group 1 typed in on the manual entry form (officials.official_enter), not imported.
    g1_manual = models.BooleanField(default=False)
    source_note = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "month"], name="official766_unique")
        ]
        ordering = ["unit_id", "year", "month"]


class ApiToken(models.Model):
    """A token for ``POST /api/dossiers``; only its SHA-256 is kept."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiBatch(models.Model):
    """One accepted API batch; the same key from the same token is not applied twice."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="batches")
    key = models.CharField(max_length=100)
    record = models.OneToOneField(DossierImport, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="apibatch_key_unique")]
