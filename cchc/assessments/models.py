"""Yearly assessment rounds: self-assessment, appraisal, explanation, publication.

A round scores units on one published index set. Every entry is a :class:`StageScore`
row of one stage and one revision; reopening a stage starts a new revision and leaves the
old rows and their :class:`SignOff` readable. :class:`Result` is the materialised table
pages read: it is rewritten by the services on each change, never computed by a page.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.documents.models import DocumentRef, StoredFile
from cchc.frameworks.models import IndexSet
from cchc.units.models import Unit, UnitGroup


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PUBLISHED = "published", _("Published")


class Stage(models.TextChoices):
    SELF = "self", _("Self-assessment")
    APPRAISAL_1 = "appraisal_1", _("Appraisal round 1")
    EXPLANATION = "explanation", _("Explanation")
    APPRAISAL_2 = "appraisal_2", _("Appraisal round 2")
    SURVEY = "survey", _("Survey")
    COMPUTED = "computed", _("Computed")


WORKFLOW = (Stage.SELF, Stage.APPRAISAL_1, Stage.EXPLANATION, Stage.APPRAISAL_2)


class AssessmentStatus(models.TextChoices):
    SELF = "self", _("Self-assessment")
    APPRAISAL_1 = "appraisal_1", _("Appraisal round 1")
    EXPLANATION = "explanation", _("Explanation")
    APPRAISAL_2 = "appraisal_2", _("Appraisal round 2")
    FINAL = "final", _("Final")


class AssessmentRound(models.Model):
    """Đợt đánh giá: one index set, the units in scope and a deadline per stage."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    index_set = models.ForeignKey(IndexSet, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveIntegerField(_("year"))
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organising unit")
    )
    unit_group = models.ForeignKey(
        UnitGroup, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("unit group")
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("previous year")
    )
    self_deadline = models.DateField(_("self-assessment deadline"))
    appraisal_1_deadline = models.DateField(_("appraisal round 1 deadline"))
    explanation_deadline = models.DateField(_("explanation deadline"))
    appraisal_2_deadline = models.DateField(_("appraisal round 2 deadline"))
    publication_deadline = models.DateField(_("publication deadline"))
    allow_appraisal = models.BooleanField(_("appraisal council"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    is_synthetic = models.BooleanField(_("synthetic data"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.name

    def deadline(self, stage: str) -> date:
        by_stage: dict[str, date] = {
            Stage.SELF: self.self_deadline,
            Stage.APPRAISAL_1: self.appraisal_1_deadline,
            Stage.EXPLANATION: self.explanation_deadline,
            Stage.APPRAISAL_2: self.appraisal_2_deadline,
        }
        return by_stage.get(stage, self.publication_deadline)

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED


class Extension(models.Model):
    """A later deadline for one unit and one stage (gia hạn)."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    until = models.DateField(_("until"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "stage"], name="extension_unique")
        ]


class Assessment(models.Model):
    """One unit in one round: its current stage and revision."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("stage"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.SELF
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    adjusted = models.BooleanField(_("adjusted after publication"), default=False)
    is_synthetic = models.BooleanField(_("synthetic data"), default=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="assessment_round_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.round}"


class StageScore(models.Model):
    """What a stage says about one criterion, in one revision."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion_code = models.CharField(max_length=64)
    stage = models.CharField(max_length=12, choices=Stage.choices)
    revision = models.PositiveIntegerField(default=1)
    value = models.CharField(_("reported value"), max_length=200, blank=True)
    points = models.DecimalField(
        _("points"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    excluded = models.BooleanField(default=False)
    explanation = models.CharField(_("rule explanation"), max_length=400, blank=True)
    note = models.TextField(_("note / reason"), blank=True)
    source_url = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion_code", "stage", "revision"],
                name="stagescore_unique",
            )
        ]
        indexes = [models.Index(fields=["assessment", "stage"])]


class Evidence(models.Model):
    """Tài liệu kiểm chứng: a stored file or a document reference behind a criterion."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    criterion_code = models.CharField(max_length=64)
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT)
    document = models.ForeignKey(DocumentRef, null=True, blank=True, on_delete=models.PROTECT)
    revision = models.PositiveIntegerField(default=1)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["criterion_code", "id"]

    def __str__(self) -> str:
        return str(self.file or self.document)

    @property
    def fingerprint(self) -> str:
        if self.file is not None:
            return self.file.sha256
        assert self.document is not None
        return f"ref:{self.document.number}|{self.document.date.isoformat()}"


class SignOff(models.Model):
    """Who locked a stage, when, and the SHA-256 of the canonical JSON of what they signed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="signoffs")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    revision = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    sha256 = models.CharField(max_length=64)
    payload = models.TextField()

    class Meta:
        ordering = ["assessment_id", "revision", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "stage", "revision"], name="signoff_unique"
            )
        ]


class AppraiserAssignment(models.Model):
    """An appraiser of a round, for a unit and/or a field (empty = all)."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="appraisers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    field_code = models.CharField(max_length=32, blank=True)


class Result(models.Model):
    """The materialised result of a unit in a round (what ranking pages read)."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="results")
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=14, decimal_places=4)
    max_total = models.DecimalField(max_digits=14, decimal_places=4)
    self_total = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    index = models.DecimalField(max_digits=14, decimal_places=6)  # as displayed (rounded)
    band = models.CharField(max_length=16, blank=True)
    rank = models.PositiveIntegerField(null=True)
    lost = models.DecimalField(max_digits=14, decimal_places=4)
    adjustment = models.DecimalField(max_digits=14, decimal_places=4)
    previous_index = models.DecimalField(max_digits=14, decimal_places=6, null=True)
    fields = models.JSONField(default=list)  # [{code,title,max,self,appraisal,survey,final,lost}]
    lost_criteria = models.JSONField(default=list)  # the leaves that lost most, most first
    missing = models.PositiveIntegerField(default=0)
    adjusted = models.BooleanField(default=False)
    is_synthetic = models.BooleanField(default=False)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["round", "rank"])]
        ordering = ["rank", "id"]

    @property
    def delta(self) -> object:
        if self.previous_index is None:
            return None
        return self.index - self.previous_index
