"""Inspections, supervisions, appraisal visits and steering meetings.

Who holds an event (a steering committee, two committees jointly, the People's
Committee, the index appraisal council, a People's Council supervision team), the plan
it belongs to, the units visited — with their names and parents as they were on the
day —, the team, what was seen, what was found, what was ordered and the conclusion
notice. Directives and the units' recommendations are followed up through
:mod:`cchc.followup`; nothing here re-implements deadlines or statuses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.assessments.models import AssessmentRound
from cchc.core.numbers import format_number
from cchc.documents.models import DocumentRef, StoredFile
from cchc.followup.models import FollowupItem, Priority
from cchc.frameworks.models import Metric
from cchc.units.models import Unit, UnitGroup


class Scope(models.TextChoices):
    PAR = "par", _("Administrative reform (CCHC)")
    DX = "dx", _("Digital transformation (CĐS)")
    BOTH = "both", _("CCHC and CĐS")


class CommitteeRole(models.TextChoices):
    HEAD = "head", _("Head (trưởng ban)")
    DEPUTY = "deputy", _("Deputy head (phó trưởng ban)")
    MEMBER = "member", _("Member (thành viên)")
    SUPPORT = "support", _("Support group (tổ giúp việc)")


class SteeringCommittee(models.Model):
    """A steering committee ("Ban chỉ đạo") for CCHC, CĐS or both."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="steering_committees", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=300)
    scope = models.CharField(_("scope"), max_length=4, choices=Scope.choices)
    decision = models.ForeignKey(
        DocumentRef,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("establishing decision"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("steering committee")
        verbose_name_plural = _("steering committees")
        ordering = ["unit__sort_key", "name"]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(
        SteeringCommittee, on_delete=models.CASCADE, related_name="members"
    )
    role = models.CharField(_("role"), max_length=8, choices=CommitteeRole.choices)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["committee_id", "role", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class BodyKind(models.TextChoices):
    STEERING_COMMITTEE = "steering", _("Steering committee(s)")
    PEOPLES_COMMITTEE = "ubnd", _("People's Committee")
    APPRAISAL_COUNCIL = "appraisal", _("Index appraisal council")
    COUNCIL_SUPERVISION = "hdnd", _("People's Council supervision team")


class IssuingBody(models.Model):
    """Who holds events and signs their conclusions."""

    kind = models.CharField(_("kind"), max_length=10, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=300)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="issuing_bodies", verbose_name=_("unit")
    )
    # Two committees meeting jointly (Kiến Tường: CCHC and CĐS) are one body with two.
    committees = models.ManyToManyField(
        SteeringCommittee, blank=True, related_name="bodies", verbose_name=_("steering committees")
    )
    superior = models.CharField(
        _("superior body"), max_length=300, blank=True, help_text=_("Printed above the body")
    )
    notice_issuer = models.CharField(
        _("issuer of the conclusion notice"),
        max_length=300,
        blank=True,
        help_text=_("When another body signs the notice (a People's Council standing committee)"),
    )
    team_head_label = models.CharField(_("team head title"), max_length=60, default="Trưởng đoàn")
    symbol = models.CharField(_("symbol"), max_length=40, default="BCĐ")
    place = models.CharField(_("place"), max_length=100)
    signer_collective = models.CharField(
        _("signing on behalf of"), max_length=200, blank=True, help_text=_("e.g. Ban chỉ đạo")
    )
    signer_head_title = models.CharField(
        _("title of the head signer"), max_length=100, default="Trưởng ban"
    )

    class Meta:
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")
        ordering = ["unit__sort_key", "name"]

    def __str__(self) -> str:
        return self.name


class HalfDay(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


class EventKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    SUPERVISION = "supervision", _("Supervision")
    APPRAISAL = "appraisal", _("Appraisal visit")
    MEETING = "meeting", _("Steering meeting")


# The eight PAR fields of the national scheme (QĐ 876/QĐ-BNV) and digital transformation.
FIELD_CHOICES: list[tuple[str, Any]] = [
    ("I", _("I. Leadership and direction")),
    ("II", _("II. Legal normative documents")),
    ("III", _("III. Administrative procedures")),
    ("IV", _("IV. Organisational apparatus")),
    ("V", _("V. Civil service")),
    ("VI", _("VI. Public finance")),
    ("VII", _("VII. E-government, digital government")),
    ("VIII", _("VIII. Impact on people and development")),
    ("DX", _("Digital transformation")),
]
FIELD_CODES = [code for code, _label in FIELD_CHOICES]


class InspectionPlan(models.Model):
    """An inspection plan ("kế hoạch kiểm tra") issued by a body for a year."""

    year = models.PositiveIntegerField(_("year"))
    body = models.ForeignKey(
        IssuingBody, on_delete=models.PROTECT, related_name="plans", verbose_name=_("issuing body")
    )
    title = models.CharField(_("title"), max_length=300)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


class PlannedEvent(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(
        _("type"), max_length=12, choices=EventKind.choices, default=EventKind.INSPECTION
    )
    units = models.ManyToManyField(Unit, related_name="+", verbose_name=_("units"))
    planned_date = models.DateField(_("planned date"))
    half_day = models.CharField(_("half-day"), max_length=2, choices=HalfDay.choices, blank=True)
    topics = models.JSONField(_("topics"), default=list)
    team_number = models.PositiveSmallIntegerField(_("team number"), null=True, blank=True)

    class Meta:
        ordering = ["planned_date", "half_day", "team_number", "id"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.planned_date:%d/%m/%Y}"


class Inspection(models.Model):
    """One event: an inspection, a supervision, an appraisal visit or a steering meeting."""

    kind = models.CharField(_("type"), max_length=12, choices=EventKind.choices)
    body = models.ForeignKey(
        IssuingBody, on_delete=models.PROTECT, related_name="events", verbose_name=_("held by")
    )
    plan = models.ForeignKey(
        InspectionPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="held"
    )
    planned = models.OneToOneField(
        PlannedEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="held"
    )
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    half_day = models.CharField(_("half-day"), max_length=2, choices=HalfDay.choices, blank=True)
    # The Kiến Tường meeting is known only by its article's publication date.
    date_note = models.CharField(_("note on the date"), max_length=300, blank=True)
    team_number = models.PositiveSmallIntegerField(_("team number"), null=True, blank=True)
    team_name = models.CharField(_("team name"), max_length=200, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    legal_basis_ref = models.ForeignKey(
        DocumentRef,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decision establishing the team"),
    )
    topics = models.JSONField(_("topics"), default=list)
    period_text = models.CharField(_("period inspected"), max_length=200, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # A steering meeting may discuss a published assessment round (lost points per field).
    assessment_round = models.ForeignKey(
        AssessmentRound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessment round"),
    )
    # Where the facts come from, and which parts are made up for the demo.
    source_note = models.TextField(_("source"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_signed(self) -> bool:
        notice = getattr(self, "notice", None)
        return notice is not None and notice.is_signed


class InspectionUnit(models.Model):
    """A unit visited, with its name and parent as they were on the day."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="visits")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="inspection_visits")
    name_as_of = models.CharField(_("name on the day"), max_length=200)
    parent_name_as_of = models.CharField(_("parent on the day"), max_length=200, blank=True)
    half_day = models.CharField(_("half-day"), max_length=2, choices=HalfDay.choices, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "unit"], name="inspection_unit_unique")
        ]

    def __str__(self) -> str:
        return self.name_as_of


class TeamRole(models.TextChoices):
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")


class TeamMember(models.Model):
    """A member of the team: the organisation is required, the name is not."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(_("role"), max_length=8, choices=TeamRole.choices)
    organisation = models.CharField(_("organisation"), max_length=300)
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title on the day"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection_id", "order", "id"]

    def __str__(self) -> str:
        return self.name or self.organisation


class HostOfficial(models.Model):
    """Who received the team: a person, or a group ("Thường trực Đảng ủy – HĐND – UBND")."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="hosts")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title or group"), max_length=300)
    is_group = models.BooleanField(_("group"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection_id", "order", "id"]

    def __str__(self) -> str:
        return self.name or self.title


class OutlineItem(models.Model):
    """One question of the outline ("đề cương") and the unit's answer."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="outline")
    topic = models.CharField(_("topic"), max_length=8, choices=FIELD_CHOICES)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection_id", "order", "id"]


class FigureSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    DOSSIER_REPORT = "dossiers", _("Dossier report")


class ObservedMetric(models.Model):
    """A figure seen or reported at the event, from the one metric catalogue."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="figures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    value_decimal = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    value_bool = models.BooleanField(null=True, blank=True)
    value_text = models.CharField(_("value"), max_length=300, blank=True)
    period_text = models.CharField(_("period"), max_length=200, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_kind = models.CharField(
        _("source kind"), max_length=8, choices=FigureSource.choices, default=FigureSource.ENTERED
    )

    class Meta:
        ordering = ["inspection_id", "unit_id", "metric__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "unit", "metric"], name="observed_metric_unique"
            )
        ]

    @property
    def display(self) -> str:
        """``97,5 %``, ``926``, ``Có``: the value as entered, without padding zeros."""
        if self.value_decimal is None:
            return self.value_text
        value = self.value_decimal
        # 926.0000 → 926 and 97.5000 → 97.5; normalize() alone would give 9.26E+2.
        text = format_number(
            value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
        )
        return f"{text} %" if self.metric.value_type == "percent" else text


class FindingKind(models.TextChoices):
    ACHIEVEMENT = "achievement", _("Achievement")
    SHORTCOMING = "shortcoming", _("Shortcoming")
    REMEDIED = "remedied", _("Earlier item remedied")
    NOT_REMEDIED = "not_remedied", _("Earlier item not yet remedied")


class Finding(models.Model):
    """An achievement or a shortcoming, tagged with a field, linked to units."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=12, choices=FindingKind.choices)
    field_code = models.CharField(_("field"), max_length=8, choices=FIELD_CHOICES)
    criterion_code = models.CharField(_("criterion"), max_length=64, blank=True)
    text = models.TextField(_("content"))
    units = models.ManyToManyField(Unit, related_name="inspection_findings")
    # For a remediation check: the earlier follow-up item that was looked at.
    checked_item = models.ForeignKey(
        FollowupItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection_id", "kind", "order", "id"]

    def __str__(self) -> str:
        return self.text[:120]


class Directive(models.Model):
    """A directive ("chỉ đạo, kiến nghị"): one follow-up item per addressee."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="directives")
    text = models.TextField(_("content"))
    field_code = models.CharField(_("field"), max_length=8, choices=FIELD_CHOICES, blank=True)
    criterion_code = models.CharField(_("criterion"), max_length=64, blank=True)
    addressee_group = models.ForeignKey(
        UnitGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit group"),
    )
    addressee_label = models.CharField(_("addressed to"), max_length=300, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    ongoing = models.BooleanField(_("ongoing"), default=False)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Plans (a higher layer) pick up the directives flagged here; nothing is imported.
    starts_remediation_plan = models.BooleanField(_("starts a remediation plan"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection_id", "order", "id"]

    def __str__(self) -> str:
        return self.text[:120]

    def items(self) -> models.QuerySet[FollowupItem]:
        return FollowupItem.objects.for_source(self).select_related("lead_unit")


class LostPointExplanation(models.Model):
    """The unit's explanation of the points it lost in one field of the attached round."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="explanations"
    )
    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    field_code = models.CharField(_("field"), max_length=32)
    text = models.TextField(_("explanation"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("explanation of lost points")
        verbose_name_plural = _("explanations of lost points")
        ordering = ["inspection_id", "unit_id", "field_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "round", "unit", "field_code"],
                name="lost_point_explanation_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.field_code}: {self.text[:80]}"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", _("Awaiting response")
    ANSWERED = "answered", _("Answered")


class UnitRecommendation(models.Model):
    """A recommendation of the inspected unit upward ("kiến nghị, đề xuất")."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("recommendation"))
    addressee = models.CharField(_("addressed to"), max_length=300)
    addressee_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responding unit")
    )
    response = models.TextField(_("response"), blank=True)
    item = models.OneToOneField(
        FollowupItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["inspection_id", "id"]

    @property
    def status(self) -> str:
        return RecommendationStatus.ANSWERED if self.response else RecommendationStatus.OPEN


class NoticeImmutableError(ValidationError):
    """A signed conclusion notice cannot change."""


class ConclusionNotice(models.Model):
    """The conclusion notice ("thông báo kết luận"): a draft, then the signed document."""

    inspection = models.OneToOneField(Inspection, on_delete=models.CASCADE, related_name="notice")
    subject = models.CharField(_("subject"), max_length=500)
    intro = models.TextField(_("opening paragraph"), blank=True)
    recipients = models.TextField(_("recipients"), help_text=_("One per line"))
    signer_lines = models.TextField(_("signer capacity"), help_text=_("One per line"))
    signer_name = models.CharField(_("signer"), max_length=200, blank=True)
    # Filled when the signed notice is recorded; the notice is then immutable.
    number = models.CharField(_("number / symbol"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conclusion notice")
        verbose_name_plural = _("conclusion notices")

    def __str__(self) -> str:
        return self.number or self.subject

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = ConclusionNotice.objects.filter(pk=self.pk, signed_file__isnull=False)
            if stored.exists():
                raise NoticeImmutableError(_("A signed conclusion notice cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_signed:
            raise NoticeImmutableError(_("A signed conclusion notice cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_file_id is not None
