"""Writes of the assessment workflow. Every change goes to the audit trail and refreshes
the materialised results of the units it touches (and the ranks of the round)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from cchc.accounts.models import Role
from cchc.accounts.permissions import can_write_unit, has_role, is_superuser
from cchc.assessments import results
from cchc.assessments.models import (
    AppraiserAssignment,
    Assessment,
    AssessmentRound,
    AssessmentStatus,
    Evidence,
    Extension,
    RoundStatus,
    SignOff,
    Stage,
    StageScore,
)
from cchc.assessments.results import compiled as compiled
from cchc.assessments.results import field_of as field_of
from cchc.audit.services import record
from cchc.core import scoring
from cchc.core.canonical import SignedCriterion, canonical_json, sha256_hex, signed_state
from cchc.core.indexset import Method
from cchc.core.numbers import format_number
from cchc.core.rules import RuleInputError
from cchc.documents.models import DocumentRef, StoredFile
from cchc.frameworks import kpi
from cchc.frameworks.models import IndexSet
from cchc.units.models import Unit, UnitGroup

ZERO = Decimal(0)
SECRETARIAT_ROLES = (Role.SECRETARIAT, Role.ADMIN)
UNIT_ROLES = (Role.UNIT_OFFICER, Role.ADMIN)


class WorkflowError(ValueError):
    """A write the workflow refuses; the message is Vietnamese and says why."""


class NotAllowed(WorkflowError):
    """The user may not do this (pages answer 403)."""


class ConflictError(WorkflowError):
    """Someone else saved the same criterion since the form was loaded."""


# -- permissions of the workflow -----------------------------------------------------------


def can_manage(user: Any, rnd: AssessmentRound) -> bool:
    """Secretariat of the organising unit (or an administrator)."""
    return can_write_unit(user, rnd.owner_unit_id, role_in=SECRETARIAT_ROLES)


def can_self_assess(user: Any, assessment: Assessment) -> bool:
    return can_write_unit(user, assessment.unit_id, role_in=UNIT_ROLES)


def appraisal_fields(user: Any, assessment: Assessment) -> set[str] | None:
    """Fields the user appraises for this unit: None = none, empty set = every field."""
    if is_superuser(user) or (
        has_role(user, Role.ADMIN) and can_write_unit(user, None, role_in=(Role.ADMIN,))
    ):
        return set()
    if not has_role(user, Role.APPRAISER):
        return None
    rows = AppraiserAssignment.objects.filter(round_id=assessment.round_id, user_id=user.pk)
    fields: set[str] = set()
    found = False
    for unit_id, field_code in rows.values_list("unit_id", "field_code"):
        if unit_id is not None and unit_id != assessment.unit_id:
            continue
        found = True
        if not field_code:
            return set()
        fields.add(field_code)
    return fields if found else None


def can_appraise(user: Any, assessment: Assessment, code: str | None = None) -> bool:
    fields = appraisal_fields(user, assessment)
    if fields is None:
        return False
    if not fields or code is None:
        return True
    cset = compiled(assessment.round)
    top = cset.codes[field_of(cset)[cset.index[code]]]
    return top in fields


# -- rounds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    self: date
    appraisal_1: date
    explanation: date
    appraisal_2: date
    publication: date


@transaction.atomic
def round_open(
    *,
    user: Any,
    code: str,
    name: str,
    index_set: IndexSet,
    owner_unit: Unit,
    deadlines: Deadlines,
    units: Sequence[Unit] = (),
    unit_group: UnitGroup | None = None,
    allow_appraisal: bool = True,
    previous: AssessmentRound | None = None,
    is_synthetic: bool = False,
    note: str = "",
    check_permission: bool = True,
) -> AssessmentRound:
    """Open a round for a published set and the units of a list or a group."""
    if check_permission and not can_write_unit(user, owner_unit, role_in=SECRETARIAT_ROLES):
        raise NotAllowed("Bạn không có quyền mở đợt đánh giá cho đơn vị này")
    if not index_set.is_published:
        raise WorkflowError(f"Bộ chỉ số {index_set.code} chưa ban hành")
    scope = list(units)
    if unit_group is not None:
        scope += list(unit_group.units.all())
    scope = list({u.pk: u for u in scope}.values())
    if not scope:
        raise WorkflowError("Đợt đánh giá cần ít nhất một đơn vị")
    if AssessmentRound.objects.filter(code=code).exists():
        raise WorkflowError(f"Mã đợt {code} đã có")
    order = [
        deadlines.self,
        deadlines.appraisal_1,
        deadlines.explanation,
        deadlines.appraisal_2,
        deadlines.publication,
    ]
    if order != sorted(order):
        raise WorkflowError(
            "Hạn các bước phải theo thứ tự: tự đánh giá ≤ thẩm định 1 ≤ … ≤ công bố"
        )
    rnd = AssessmentRound.objects.create(
        code=code,
        name=name,
        index_set=index_set,
        year=index_set.year,
        owner_unit=owner_unit,
        unit_group=unit_group,
        previous=previous,
        self_deadline=deadlines.self,
        appraisal_1_deadline=deadlines.appraisal_1,
        explanation_deadline=deadlines.explanation,
        appraisal_2_deadline=deadlines.appraisal_2,
        publication_deadline=deadlines.publication,
        allow_appraisal=allow_appraisal,
        is_synthetic=is_synthetic,
        note=note,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    Assessment.objects.bulk_create(
        Assessment(round=rnd, unit=u, is_synthetic=is_synthetic) for u in scope
    )
    record(
        actor=user,
        obj=rnd,
        action="assessment_round.open",
        changes={"index_set": (None, index_set.code), "units": (None, len(scope))},
    )
    results_refresh(rnd)
    return rnd


@transaction.atomic
def extension_set(*, user: Any, rnd: AssessmentRound, unit: Unit, stage: str, until: date) -> None:
    if not can_manage(user, rnd):
        raise NotAllowed("Chỉ thường trực đợt đánh giá được gia hạn")
    old = Extension.objects.filter(round=rnd, unit=unit, stage=stage).first()
    Extension.objects.update_or_create(round=rnd, unit=unit, stage=stage, defaults={"until": until})
    record(
        actor=user,
        obj=rnd,
        action="assessment_round.extension",
        changes={f"{unit.key}:{stage}": (old.until if old else None, until)},
    )


@transaction.atomic
def appraiser_assign(
    *, user: Any, rnd: AssessmentRound, appraiser: Any, unit: Unit | None, field_code: str = ""
) -> AppraiserAssignment:
    if not can_manage(user, rnd):
        raise NotAllowed("Chỉ thường trực đợt đánh giá được phân công thẩm định")
    row, _ = AppraiserAssignment.objects.get_or_create(
        round=rnd, user=appraiser, unit=unit, field_code=field_code
    )
    record(
        actor=user,
        obj=rnd,
        action="assessment_round.appraiser",
        changes={"appraiser": (None, f"{appraiser} {unit.key if unit else '*'} {field_code}")},
    )
    return row


def deadline_for(assessment: Assessment, stage: str) -> date:
    ext = Extension.objects.filter(
        round_id=assessment.round_id, unit_id=assessment.unit_id, stage=stage
    ).first()
    base = assessment.round.deadline(stage)
    return max(base, ext.until) if ext else base


def _check_deadline(assessment: Assessment, stage: str, today: date | None) -> None:
    today = today or timezone.localdate()
    limit = deadline_for(assessment, stage)
    if today > limit:
        raise WorkflowError(
            f"Đã quá hạn bước {Stage(stage).label} ({limit:%d/%m/%Y}); "
            "liên hệ thường trực để được gia hạn"
        )


# -- reading the current state -------------------------------------------------------------


def current_scores(
    assessment: Assessment, revision: int | None = None
) -> dict[tuple[str, str], StageScore]:
    """(stage, code) → the row in force at ``revision`` (the latest revision ≤ it)."""
    revision = revision or assessment.revision
    out: dict[tuple[str, str], StageScore] = {}
    rows = assessment.scores.filter(revision__lte=revision).order_by("revision")
    for row in rows:
        out[(row.stage, row.criterion_code)] = row
    return out


def current_evidence(assessment: Assessment, revision: int | None = None) -> list[Evidence]:
    revision = revision or assessment.revision
    return list(
        assessment.evidence.filter(revision__lte=revision).select_related("file", "document")
    )


# -- entering scores -----------------------------------------------------------------------


def _writable_stage(assessment: Assessment, stage: str) -> None:
    rnd = assessment.round
    if rnd.is_published and assessment.status == AssessmentStatus.FINAL:
        raise WorkflowError("Kết quả đã công bố, không sửa được; cần mở lại để điều chỉnh")
    if assessment.status != stage:
        raise WorkflowError(
            f"Bước {Stage(stage).label} đang khóa (hiện ở bước "
            f"{AssessmentStatus(assessment.status).label})"
        )


@transaction.atomic
def score_save(
    *,
    user: Any,
    assessment: Assessment,
    code: str,
    stage: str,
    value: str,
    note: str = "",
    base: str = "",
    today: date | None = None,
) -> StageScore:
    """Save one criterion of the open stage; the rule turns ``value`` into points.

    ``base`` is the version the form was loaded with (empty: no entry yet); a different
    version in the database means someone else saved meanwhile and nothing is written.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("round").get(pk=assessment.pk)
    )
    cset = compiled(assessment.round)
    if code not in cset.index or not cset.node(code).is_leaf:
        raise WorkflowError(
            f"Tiêu chí {code}: không có trong bộ chỉ số hoặc không phải tiêu chí lá"
        )
    node = cset.node(code)
    if node.method in (Method.SURVEY, Method.COMPUTED):
        raise WorkflowError(f"Tiêu chí {code}: điểm lấy từ điều tra hoặc số liệu, không chấm tay")
    if stage in (Stage.SELF, Stage.EXPLANATION):
        if not can_self_assess(user, assessment):
            raise NotAllowed("Bạn không có quyền nhập cho đơn vị này")
    elif stage in (Stage.APPRAISAL_1, Stage.APPRAISAL_2):
        if not can_appraise(user, assessment, code):
            raise NotAllowed(f"Bạn không được phân công thẩm định tiêu chí {code}")
    else:
        raise WorkflowError("Bước không hợp lệ")
    _writable_stage(assessment, stage)
    _check_deadline(assessment, stage, today)
    scores = current_scores(assessment)
    existing = scores.get((stage, code))
    current_version = version_of(existing)
    if existing is not None and existing.revision != assessment.revision:
        current_version = ""  # an older revision's row: this revision has no entry yet
    if base != current_version:
        who = existing.author if existing is not None else None
        raise ConflictError(
            f"Tiêu chí {code} vừa được {who or 'người khác'} lưu; tải lại trang để xem "
            "bản mới rồi nhập lại (bản của bạn chưa được lưu)"
        )
    value = value.strip()
    note = note.strip()
    points: Decimal | None = None
    excluded = False
    explanation = ""
    if stage == Stage.EXPLANATION:
        if not note:
            raise WorkflowError(f"Tiêu chí {code}: cần nội dung giải trình")
        if not contested(scores, code):
            raise WorkflowError(
                f"Tiêu chí {code}: không bị thẩm định điều chỉnh, không cần giải trình"
            )
    else:
        try:
            entry, explanation = scoring.entry_from_value(node, value)
        except RuleInputError as exc:
            raise WorkflowError(f"Tiêu chí {code}: {exc}") from exc
        points, excluded = entry.points, entry.excluded
        if stage in (Stage.APPRAISAL_1, Stage.APPRAISAL_2):
            own = scores.get((Stage.SELF, code))
            if (own is None or own.points != points) and not note:
                raise WorkflowError(
                    f"Tiêu chí {code}: điểm thẩm định khác điểm tự đánh giá, phải ghi lý do"
                )
    old = (existing.value, existing.points, existing.note) if existing else (None, None, None)
    author = user if getattr(user, "is_authenticated", False) else None
    if existing is not None and existing.revision == assessment.revision:
        row = existing
        row.value, row.points, row.excluded = value, points, excluded
        row.explanation, row.note = explanation[:400], note
        row.author = author
        row.save()
    else:
        row = StageScore.objects.create(
            assessment=assessment,
            criterion_code=code,
            stage=stage,
            revision=assessment.revision,
            value=value,
            points=points,
            excluded=excluded,
            explanation=explanation[:400],
            note=note,
            author=author,
        )
    record(
        actor=user,
        obj=assessment,
        action=f"score.{stage}",
        changes={
            f"{code}.value": (old[0], value),
            f"{code}.points": (old[1], points),
            f"{code}.note": (old[2], note),
        },
        reason=note if stage != Stage.SELF else "",
    )
    results_refresh(assessment.round, [assessment])
    return row


def version_of(row: StageScore | None) -> str:
    return "" if row is None else f"{row.pk}.{row.at.timestamp():.6f}"


def contested(scores: dict[tuple[str, str], StageScore], code: str) -> bool:
    own = scores.get((Stage.SELF, code))
    first = scores.get((Stage.APPRAISAL_1, code))
    return first is not None and (own is None or own.points != first.points)


@transaction.atomic
def evidence_attach(
    *,
    user: Any,
    assessment: Assessment,
    code: str,
    file: StoredFile | None = None,
    document: DocumentRef | None = None,
) -> Evidence:
    """Link a stored file or a document reference of the unit to a criterion."""
    if not can_self_assess(user, assessment):
        raise NotAllowed("Bạn không có quyền thêm tài liệu kiểm chứng cho đơn vị này")
    if assessment.status not in (AssessmentStatus.SELF, AssessmentStatus.EXPLANATION):
        raise WorkflowError("Chỉ thêm tài liệu kiểm chứng khi đang tự đánh giá hoặc giải trình")
    if code not in compiled(assessment.round).index:
        raise WorkflowError(f"Tiêu chí {code}: không có trong bộ chỉ số")
    if (file is None) == (document is None):
        raise WorkflowError("Chọn một tệp hoặc một văn bản")
    owner = (file or document).unit_id  # type: ignore[union-attr]
    if owner not in (None, assessment.unit_id):
        raise WorkflowError("Tài liệu thuộc đơn vị khác")
    ev = Evidence.objects.create(
        assessment=assessment,
        criterion_code=code,
        file=file,
        document=document,
        revision=assessment.revision,
        added_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record(
        actor=user,
        obj=assessment,
        action="evidence.attach",
        changes={f"{code}.evidence": (None, str(file or document))},
    )
    return ev


# -- sign-off, verify ----------------------------------------------------------------------


def signed_payload(assessment: Assessment, stage: str, revision: int) -> dict[str, Any]:
    """The state a sign-off of ``stage`` at ``revision`` covers, rebuilt from the rows."""
    scores = current_scores(assessment, revision)
    evidence: dict[str, list[str]] = defaultdict(list)
    if stage in (Stage.SELF, Stage.EXPLANATION):
        for ev in current_evidence(assessment, revision):
            evidence[ev.criterion_code].append(ev.fingerprint)
    criteria = [
        SignedCriterion(
            code=code,
            value=row.value,
            points=row.points,
            excluded=row.excluded,
            note=row.note,
            evidence=tuple(evidence.get(code, ())),
        )
        for (row_stage, code), row in scores.items()
        if row_stage == stage
    ]
    return signed_state(
        round_code=assessment.round.code,
        unit_key=assessment.unit.key,
        stage=stage,
        revision=revision,
        criteria=criteria,
    )


def _next_status(assessment: Assessment, stage: str, scores: dict[Any, StageScore]) -> str:
    if stage == Stage.SELF:
        return AssessmentStatus.APPRAISAL_1 if assessment.round.allow_appraisal else "final"
    if stage == Stage.APPRAISAL_1:
        any_contested = any(contested(scores, code) for (_s, code) in scores)
        return AssessmentStatus.EXPLANATION if any_contested else AssessmentStatus.FINAL
    if stage == Stage.EXPLANATION:
        return AssessmentStatus.APPRAISAL_2
    return AssessmentStatus.FINAL


@transaction.atomic
def stage_submit(
    *, user: Any, assessment: Assessment, stage: str, today: date | None = None
) -> SignOff:
    """Lock the open stage and sign what it holds (SHA-256 of the canonical JSON)."""
    assessment = (
        Assessment.objects.select_for_update().select_related("round", "unit").get(pk=assessment.pk)
    )
    if stage in (Stage.SELF, Stage.EXPLANATION):
        if not can_self_assess(user, assessment):
            raise NotAllowed("Bạn không có quyền nộp cho đơn vị này")
    elif not can_appraise(user, assessment):
        raise NotAllowed("Bạn không được phân công thẩm định đơn vị này")
    _writable_stage(assessment, stage)
    _check_deadline(assessment, stage, today)
    cset = compiled(assessment.round)
    scores = current_scores(assessment)
    own_leaves = [
        code
        for _i, code, source in cset.leaf_sources
        if source == 0 and cset.leaf_max[cset.index[code]] > 0
    ]
    if stage == Stage.SELF:
        missing = [c for c in own_leaves if (Stage.SELF, c) not in scores]
        if missing:
            raise WorkflowError(f"Chưa tự chấm {len(missing)} tiêu chí: {', '.join(missing)}")
        with_evidence = {ev.criterion_code for ev in current_evidence(assessment)}
        bare = [
            c for c in own_leaves if c not in with_evidence and not scores[(Stage.SELF, c)].note
        ]
        if bare:
            raise WorkflowError(
                "Tiêu chí không có tài liệu kiểm chứng phải ghi giải thích: " + ", ".join(bare)
            )
    if stage == Stage.APPRAISAL_1:
        # What the council did not change stands as self-assessed.
        for code in own_leaves:
            if (Stage.APPRAISAL_1, code) not in scores and (Stage.SELF, code) in scores:
                own = scores[(Stage.SELF, code)]
                scores[(Stage.APPRAISAL_1, code)] = StageScore.objects.create(
                    assessment=assessment,
                    criterion_code=code,
                    stage=Stage.APPRAISAL_1,
                    revision=assessment.revision,
                    value=own.value,
                    points=own.points,
                    excluded=own.excluded,
                    explanation=own.explanation,
                    note="",
                    author=user if getattr(user, "is_authenticated", False) else None,
                )
    payload = signed_payload(assessment, stage, assessment.revision)
    text = canonical_json(payload)
    sign = SignOff.objects.create(
        assessment=assessment,
        stage=stage,
        revision=assessment.revision,
        user=user if getattr(user, "is_authenticated", False) else None,
        sha256=sha256_hex(text),
        payload=text,
    )
    old = assessment.status
    assessment.status = _next_status(assessment, stage, scores)
    assessment.save(update_fields=["status"])
    record(
        actor=user,
        obj=assessment,
        action=f"submit.{stage}",
        changes={"status": (old, assessment.status), "sha256": (None, sign.sha256)},
    )
    results_refresh(assessment.round, [assessment])
    return sign


@dataclass(frozen=True)
class Mismatch:
    unit_key: str
    stage: str
    revision: int
    stored: str
    recomputed: str

    def __str__(self) -> str:
        return (
            f"{self.unit_key} {self.stage} lần {self.revision}: chữ ký {self.stored[:12]}… "
            f"≠ tính lại {self.recomputed[:12]}…"
        )


def verify(rnd: AssessmentRound, unit: Unit | None = None) -> tuple[int, list[Mismatch]]:
    """Recompute the hash of every sign-off from the rows; return (checked, mismatches)."""
    signoffs = SignOff.objects.filter(assessment__round=rnd).select_related(
        "assessment__unit", "assessment__round"
    )
    if unit is not None:
        signoffs = signoffs.filter(assessment__unit=unit)
    bad: list[Mismatch] = []
    count = 0
    for sign in signoffs:
        count += 1
        payload = signed_payload(sign.assessment, sign.stage, sign.revision)
        digest = sha256_hex(canonical_json(payload))
        if digest != sign.sha256:
            bad.append(
                Mismatch(sign.assessment.unit.key, sign.stage, sign.revision, sign.sha256, digest)
            )
    return count, bad


# -- secretariat: publish, reopen, survey, computed ----------------------------------------


@transaction.atomic
def round_publish(*, user: Any, rnd: AssessmentRound) -> AssessmentRound:
    if not can_manage(user, rnd):
        raise NotAllowed("Chỉ thường trực đợt đánh giá được công bố kết quả")
    rnd = AssessmentRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.is_published:
        raise WorkflowError("Đợt đánh giá đã công bố")
    open_units = list(
        rnd.assessments.exclude(status=AssessmentStatus.FINAL).values_list("unit__name", flat=True)
    )
    if open_units:
        raise WorkflowError(
            f"Còn {len(open_units)} đơn vị chưa xong thẩm định: {', '.join(open_units[:10])}"
        )
    results_refresh(rnd)
    rnd.status = RoundStatus.PUBLISHED
    rnd.published_at = timezone.now()
    rnd.save(update_fields=["status", "published_at"])
    record(
        actor=user,
        obj=rnd,
        action="assessment_round.publish",
        changes={"status": ("open", "published")},
    )
    return rnd


@transaction.atomic
def stage_reopen(*, user: Any, assessment: Assessment, stage: str, reason: str) -> Assessment:
    """Open a locked stage again as a new revision; the old one stays readable."""
    assessment = (
        Assessment.objects.select_for_update().select_related("round").get(pk=assessment.pk)
    )
    if not can_manage(user, assessment.round):
        raise NotAllowed("Chỉ thường trực đợt đánh giá được mở lại")
    if not reason.strip():
        raise WorkflowError("Cần ghi lý do mở lại")
    if stage not in (Stage.SELF, Stage.APPRAISAL_1, Stage.EXPLANATION, Stage.APPRAISAL_2):
        raise WorkflowError("Bước không hợp lệ")
    old = (assessment.status, assessment.revision)
    assessment.status = stage
    assessment.revision += 1
    assessment.adjusted = assessment.adjusted or assessment.round.is_published
    assessment.save(update_fields=["status", "revision", "adjusted"])
    record(
        actor=user,
        obj=assessment,
        action="stage.reopen",
        changes={"status": (old[0], stage), "revision": (old[1], assessment.revision)},
        reason=reason.strip(),
    )
    results_refresh(assessment.round, [assessment])
    return assessment


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        col = f", cột {self.column}" if self.column else ""
        return f"Dòng {self.row}{col}: {self.message}"


class ImportRowsError(WorkflowError):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@transaction.atomic
def survey_import(
    *, user: Any, rnd: AssessmentRound, rows: Iterable[tuple[int, str, str, str]]
) -> int:
    """Import survey points ``(row, unit key, criterion code, points)`` all-or-nothing."""
    if not can_manage(user, rnd):
        raise NotAllowed("Chỉ thường trực đợt đánh giá được nhập điểm điều tra")
    if rnd.is_published:
        raise WorkflowError("Đợt đánh giá đã công bố, không nhập thêm điểm")
    cset = compiled(rnd)
    members = list(rnd.assessments.select_related("unit"))
    by_key = {a.unit.key: a for a in members} | {a.unit.code: a for a in members}
    errors: list[RowError] = []
    pending: list[tuple[Assessment, str, Decimal, str]] = []
    seen: dict[tuple[int, str], int] = {}
    for number, unit_key, code, raw in rows:
        assessment = by_key.get(unit_key.strip())
        if assessment is None:
            errors.append(RowError(number, "A", f"đơn vị {unit_key!r} không thuộc đợt đánh giá"))
            continue
        if code not in cset.index or cset.node(code).method != Method.SURVEY:
            errors.append(RowError(number, "B", f"{code!r} không phải tiêu chí điều tra XHH"))
            continue
        try:
            entry = scoring.entry_from_points(cset.node(code), raw)
        except RuleInputError as exc:
            errors.append(RowError(number, "C", str(exc)))
            continue
        key = (assessment.pk, code)
        if key in seen:
            errors.append(RowError(number, "", f"trùng với dòng {seen[key]}"))
            continue
        seen[key] = number
        pending.append((assessment, code, entry.points, str(raw)))
    if errors:
        raise ImportRowsError(errors)
    for assessment, code, points, raw in pending:
        StageScore.objects.update_or_create(
            assessment=assessment,
            criterion_code=code,
            stage=Stage.SURVEY,
            revision=assessment.revision,
            defaults={"value": raw, "points": points, "explanation": "điểm điều tra XHH"},
        )
    record(actor=user, obj=rnd, action="survey.import", changes={"rows": (None, len(pending))})
    results_refresh(rnd, {a.pk: a for a, *_ in pending}.values())
    return len(pending)


@transaction.atomic
def computed_refresh(*, user: Any, rnd: AssessmentRound) -> list[str]:
    """Fetch computed criteria through the KPI registry; return what could not be found."""
    if not can_manage(user, rnd):
        raise NotAllowed("Chỉ thường trực đợt đánh giá được cập nhật số liệu")
    cset = compiled(rnd)
    computed = [cset.nodes[i] for i, _c, source in cset.leaf_sources if source == 2]
    missing: list[str] = []
    touched: list[Assessment] = []
    for assessment in rnd.assessments.select_related("unit"):
        query = kpi.KpiQuery(
            assessment.unit_id, rnd.year, date(rnd.year, 1, 1), date(rnd.year, 12, 31)
        )
        for node in computed:
            assert node.kpi is not None
            found = kpi.evaluate(node.kpi, query)
            if found is None:
                missing.append(f"{assessment.unit.name}: {node.code} ({node.kpi})")
                continue
            try:
                entry, why = scoring.entry_from_value(node, found.value)
            except RuleInputError as exc:
                missing.append(f"{assessment.unit.name}: {node.code}: {exc}")
                continue
            StageScore.objects.update_or_create(
                assessment=assessment,
                criterion_code=node.code,
                stage=Stage.COMPUTED,
                revision=assessment.revision,
                defaults={
                    "value": found.display,
                    "points": entry.points,
                    "excluded": entry.excluded,
                    "explanation": why[:400],
                    "note": found.note,
                    "source_url": found.source_url,
                },
            )
        touched.append(assessment)
    record(
        actor=user, obj=rnd, action="computed.refresh", changes={"missing": (None, len(missing))}
    )
    results_refresh(rnd, touched)
    return missing


# -- materialised results ------------------------------------------------------------------


def compute_results(
    rnd: AssessmentRound, assessments: Sequence[Assessment]
) -> list[tuple[Assessment, scoring.UnitResult]]:
    """The engine's results of the given assessments, from their stored scores."""
    _members, inputs = results.load(rnd, [a.pk for a in assessments])
    cset = compiled(rnd)
    return [
        (a, scoring.score_unit(cset, inputs[a.pk], appraisal=rnd.allow_appraisal))
        for a in assessments
    ]


def results_refresh(rnd: AssessmentRound, assessments: Iterable[Assessment] | None = None) -> None:
    """Rewrite the results of the given assessments (all by default) and re-rank the round."""
    results.refresh(rnd, assessments)


def fmt(value: Decimal | None, places: int = 2) -> str:
    return "" if value is None else format_number(value, places)
