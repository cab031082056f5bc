"""Stored files and document references ("tài liệu kiểm chứng", "văn bản").

Files live under ``MEDIA_ROOT`` with random names, byte-identical to what was uploaded
(a signed PDF keeps its signature), and are served only by a permission-checked view.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.units.models import Unit


class StoredFile(models.Model):
    """One uploaded file ("tệp")."""

    storage_name = models.CharField(max_length=100, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=120)
    kind = models.CharField(_("type"), max_length=8)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stored_files",
        verbose_name=_("owner unit"),
    )

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.storage_name

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


class DocumentRef(models.Model):
    """A document by its number and date ("1291/QĐ-UBND ngày 12/6/2023"), reusable."""

    number = models.CharField(_("number / symbol"), max_length=100)
    date = models.DateField(_("date"))
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    file = models.ForeignKey(
        StoredFile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_refs",
        verbose_name=_("file"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_refs",
        verbose_name=_("owner unit"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document reference")
        verbose_name_plural = _("document references")
        ordering = ["-date", "number"]
        indexes = [models.Index(fields=["number"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})"
