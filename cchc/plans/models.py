"""Plans (kế hoạch CCHC / CĐS năm, kế hoạch khắc phục), their tasks and periodic reports.

A task is a :class:`~cchc.followup.models.FollowupItem` whose source is the
:class:`PlanTask`: statuses, deadlines, updates with evidence and the acceptance
("nghiệm thu") are the follow-up app's. The counting rules are in :mod:`cchc.core.plans`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.assessments.models import AssessmentRound
from cchc.core import plans as rules
from cchc.documents.models import DocumentRef, StoredFile
from cchc.followup.models import FollowupItem
from cchc.frameworks.models import Metric, MetricType
from cchc.units.models import Unit


class PlanKind(models.TextChoices):
    PAR = "par", _("Annual PAR plan")
    DX = "dx", _("Annual DX plan")
    REMEDIATION = "remediation", _("Remediation plan")


class Plan(models.Model):
    """A unit's plan for a year, with its issuing document and the date it was due."""

    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    document = models.ForeignKey(
        DocumentRef,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent plan"),
    )
    # Units that must issue a plan of their own under this one, and by when.
    required_units = models.ManyToManyField(
        Unit, blank=True, related_name="plans_required", verbose_name=_("units that must issue")
    )
    subordinate_due_on = models.DateField(_("subordinate plans due on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # What a remediation plan answers: an inspection event (kept by id — plans may not
    # import the inspections app) or a published assessment round; one plan per unit each.
    source_inspection_id = models.PositiveIntegerField(_("inspection event"), null=True, blank=True)
    source_round = models.ForeignKey(
        AssessmentRound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessment round"),
    )
    source_label = models.CharField(_("based on"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "unit__sort_key", "kind", "id"]
        indexes = [models.Index(fields=["unit", "year", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "source_inspection_id"],
                condition=models.Q(source_inspection_id__isnull=False),
                name="plans_remediation_event_unit",
            ),
            models.UniqueConstraint(
                fields=["unit", "source_round"],
                condition=models.Q(source_round__isnull=False),
                name="plans_remediation_round_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def timeliness_on(self, as_of: date) -> rules.Timeliness:
        return rules.timeliness(self.due_on, self.issued_on, as_of)

    @property
    def timeliness(self) -> rules.Timeliness:
        return self.timeliness_on(timezone.localdate())


class PlanTask(models.Model):
    """A task of a plan (the "5 rõ"), backed by one follow-up item."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    item = models.OneToOneField(FollowupItem, on_delete=models.PROTECT, related_name="plan_task")
    position = models.PositiveIntegerField(_("no."), default=0)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.item.title[:80]}"


class ReportKind(models.TextChoices):
    QUARTER = "quarter", _("Quarterly report")
    HALF_YEAR = "half_year", _("6-month report")
    NINE_MONTHS = "nine_months", _("9-month report")
    ANNUAL = "annual", _("Annual report")
    AD_HOC = "ad_hoc", _("Ad-hoc report")


class Topic(models.TextChoices):
    PAR = "par", _("PAR (CCHC)")
    DX = "dx", _("DX (CĐS)")


class ReportRequest(models.Model):
    """A report the secretariat asks units for, by a due date."""

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    topic = models.CharField(_("topic"), max_length=8, choices=Topic.choices, default=Topic.PAR)
    year = models.PositiveSmallIntegerField(_("year"))
    issuing_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="report_requests_issued",
        verbose_name=_("requested by"),
    )
    due_on = models.DateField(_("due on"))
    units = models.ManyToManyField(
        Unit, related_name="report_requests", verbose_name=_("units that must answer")
    )
    note = models.TextField(_("note"), blank=True)
    # An outline ("đề cương") request answers an inspection event, kept by id (plans may
    # not import the inspections app); one such request per event.
    source_inspection_id = models.PositiveIntegerField(_("inspection event"), null=True, blank=True)
    source_label = models.CharField(_("based on"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_inspection_id"],
                condition=models.Q(source_inspection_id__isnull=False),
                name="plans_request_event_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def current_form(self) -> ReportForm | None:
        return self.forms.order_by("-version").first()


class ReportForm(models.Model):
    """One version of a request's figures form; frozen once a unit has answered it."""

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="forms")
    version = models.PositiveIntegerField(_("version"), default=1)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("figures form")
        verbose_name_plural = _("figures forms")
        ordering = ["request", "version"]
        constraints = [
            models.UniqueConstraint(fields=["request", "version"], name="plans_form_version")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} v{self.version}"


class ReportField(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(_("code"), max_length=64)
    label = models.CharField(_("label"), max_length=300)
    value_type = models.CharField(_("type"), max_length=8, choices=MetricType.choices)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    metric = models.ForeignKey(
        Metric,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("catalogue metric"),
    )

    class Meta:
        verbose_name = _("figure field")
        verbose_name_plural = _("figure fields")
        ordering = ["form", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="plans_field_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"


class ReportSubmission(models.Model):
    """A unit's answer: the report file and the figures. Later ones keep the history."""

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="report_submissions")
    form = models.ForeignKey(
        ReportForm, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Figure code → the value as text (dates ISO, yes/no "true"/"false").
    figures = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["request", "unit", "submitted_at", "id"]
        indexes = [models.Index(fields=["request", "unit"])]

    def __str__(self) -> str:
        return f"{self.request_id} {self.unit_id} {self.submitted_at:%Y-%m-%d}"

    @property
    def submitted_on(self) -> date:
        return timezone.localdate(self.submitted_at)
