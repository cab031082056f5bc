"""Owned items with a deadline or "thường xuyên", their updates and evidence.

The one mechanism behind inspection directives ("chỉ đạo") and plan tasks
("nhiệm vụ"): the pure rules are in :mod:`cchc.core.followup`; writes go through
:mod:`cchc.followup.services`. Overdue is derived from the date, never stored.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core import followup as rules
from cchc.documents.models import DocumentRef, StoredFile
from cchc.units.models import Unit


class Status(models.TextChoices):
    NOT_STARTED = rules.Status.NOT_STARTED.value, _("Not started")
    IN_PROGRESS = rules.Status.IN_PROGRESS.value, _("In progress")
    CLAIMED_DONE = rules.Status.CLAIMED_DONE.value, _("Reported done")
    ACCEPTED = rules.Status.ACCEPTED.value, _("Accepted")
    CANCELLED = rules.Status.CANCELLED.value, _("Cancelled")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Acceptance(models.TextChoices):
    """What accepting the item is called: tasks are "nghiệm thu", directives "xác minh"."""

    ACCEPTANCE = "acceptance", _("Acceptance")
    VERIFICATION = "verification", _("Verification")


class UpdateKind(models.TextChoices):
    PROGRESS = rules.Action.PROGRESS.value, _("Progress")
    CLAIM = rules.Action.CLAIM.value, _("Reported done")
    ACCEPT = rules.Action.ACCEPT.value, _("Accepted")
    REJECT = rules.Action.REJECT.value, _("Claim rejected")
    CANCEL = rules.Action.CANCEL.value, _("Cancelled")
    REOPEN = rules.Action.REOPEN.value, _("Reopened")


_WORKING = [s.value for s in rules.WORKING]


class FollowupItemQuerySet(models.QuerySet["FollowupItem"]):
    def open(self) -> FollowupItemQuerySet:
        return self.filter(status__in=[s.value for s in rules.OPEN])

    def overdue(self, today: date) -> FollowupItemQuerySet:
        return self.filter(status__in=_WORKING, ongoing=False, deadline__lt=today)

    def due_soon(self, today: date, days: int = 7) -> FollowupItemQuerySet:
        return self.filter(
            status__in=_WORKING,
            ongoing=False,
            deadline__gte=today,
            deadline__lte=today + timedelta(days=days),
        )

    def to_review(self, today: date) -> FollowupItemQuerySet:
        return self.filter(status__in=_WORKING, ongoing=True, review_on__lte=today)

    def for_source(self, source: models.Model) -> FollowupItemQuerySet:
        ct = ContentType.objects.get_for_model(source, for_concrete_model=False)
        return self.filter(source_type=ct, source_id=source.pk)

    def involving_units(self, unit_ids: set[int] | None) -> FollowupItemQuerySet:
        """Items led by, or coordinated with, one of the units (None = no restriction)."""
        if unit_ids is None:
            return self
        ids = sorted(unit_ids)
        return self.filter(Q(lead_unit_id__in=ids) | Q(coordinating_units__in=ids)).distinct()


class FollowupItem(models.Model):
    """One owned item: a directive to a unit, or a task of a plan ("5 rõ")."""

    title = models.CharField(_("what"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="followup_items", verbose_name=_("lead unit")
    )
    coordinating_units = models.ManyToManyField(
        Unit, blank=True, related_name="followup_coordinated", verbose_name=_("coordinating units")
    )
    # The body that issued the item and accepts it (the plan's owner, the inspecting body).
    issuing_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followup_issued",
        verbose_name=_("issuing unit"),
    )
    person = models.CharField(_("person in charge"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_assigned",
        verbose_name=_("assignee"),
    )
    deliverable = models.TextField(_("deliverable"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    ongoing = models.BooleanField(_("ongoing"), default=False)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    field_code = models.CharField(_("field code"), max_length=32, blank=True)
    criterion_code = models.CharField(_("criterion code"), max_length=64, blank=True)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("source"), max_length=300, blank=True)
    acceptance_label = models.CharField(
        _("acceptance"), max_length=16, choices=Acceptance.choices, default=Acceptance.ACCEPTANCE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    done_at = models.DateTimeField(_("reported done at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = FollowupItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        ordering = ["deadline", "review_on", "id"]
        indexes = [
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["status", "deadline"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(ongoing=False, deadline__isnull=False, review_on__isnull=True)
                    | Q(ongoing=True, deadline__isnull=True, review_on__isnull=False)
                ),
                name="followup_deadline_xor_ongoing",
            )
        ]

    def __str__(self) -> str:
        return self.title[:120]

    @property
    def schedule(self) -> rules.Schedule:
        return rules.Schedule(
            deadline=self.deadline, ongoing=self.ongoing, review_on=self.review_on
        )

    def is_overdue_on(self, today: date) -> bool:
        return rules.is_overdue(self.status, self.schedule, today)

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    def is_due_soon_on(self, today: date, days: int = 7) -> bool:
        return rules.is_due_soon(self.status, self.schedule, today, days)

    @property
    def is_due_soon(self) -> bool:
        return self.is_due_soon_on(timezone.localdate())

    def needs_review_on(self, today: date) -> bool:
        return rules.needs_review(self.status, self.schedule, today)

    @property
    def needs_review(self) -> bool:
        return self.needs_review_on(timezone.localdate())

    @property
    def is_open(self) -> bool:
        return rules.Status(self.status) in rules.OPEN

    @property
    def finished_late(self) -> bool:
        done_on = timezone.localdate(self.done_at) if self.done_at else None
        return rules.finished_late(self.schedule, done_on)


class FollowupUpdate(models.Model):
    """A progress report, a claim, an acceptance, a rejection, a cancellation."""

    item = models.ForeignKey(FollowupItem, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=16, choices=UpdateKind.choices)
    text = models.TextField(_("content"), blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    status_before = models.CharField(max_length=16, choices=Status.choices)
    status_after = models.CharField(max_length=16, choices=Status.choices)
    files = models.ManyToManyField(StoredFile, blank=True, related_name="followup_updates")
    document_refs = models.ManyToManyField(DocumentRef, blank=True, related_name="followup_updates")

    class Meta:
        verbose_name = _("follow-up update")
        verbose_name_plural = _("follow-up updates")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.at:%Y-%m-%d}"
