"""The audit trail: one append-only row per change that matters ("nhật ký thay đổi").

Services write it through :func:`cchc.audit.services.record`; nothing updates or
deletes a row once written.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """An attempt to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """Who changed what, when, from which value to which, and why."""

    # PROTECT: a user who ever changed something is deactivated, never deleted, so the
    # trail keeps its authors.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    action = models.CharField(_("action"), max_length=64)
    field = models.CharField(_("field"), max_length=100, blank=True)
    old = models.JSONField(_("old value"), null=True, blank=True, encoder=DjangoJSONEncoder)
    new = models.JSONField(_("new value"), null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")
