"""A unit across the years, through the criterion mappings (read only).

The sets of a history are the subject round's set code and every code reached through the
sets' ``previous`` (the mappings, ``CriterionMapping`` in the database, are the same
``maps_from`` the core compares with). Only published rounds count, plus the subject
round itself.

- The unit's own years: each year compared with the unit's year before — the displayed
  index change and criterion by criterion through the mappings (same/renamed: criterion to
  criterion; split: the old criterion against the sum of its parts; merged: the sum of the
  old ones against the new one), via :func:`cchc.core.scoring.year_over_year`; two versions
  of one set code compare code by code.
- Each predecessor (a 2025 commune that took in several) gets its own lines, "Xã Vi Hương
  (cũ)": its published results and its points on the criteria that continue into the
  subject set. No delta: the successor is not the predecessor, and predecessors are never
  averaged or summed.

Earlier rounds are published and frozen, so their per-criterion points are recomputed
from the frozen rows (the materialised ``Result`` keeps fields and lost criteria only).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count

from cchc.assessments import services
from cchc.assessments.models import Assessment, AssessmentRound, Result, RoundStatus
from cchc.core import scoring
from cchc.frameworks.models import IndexSet
from cchc.frameworks.services import definition_of
from cchc.units.models import Unit
from cchc.units.services import predecessors

PREDECESSOR_SUFFIX = " (cũ)"
MAPPING_LABELS = {"same": "giữ nguyên", "renamed": "đổi tên", "split": "tách", "merged": "gộp"}
CHAIN_LIMIT = 20  # sets named by ``previous``: guards against a loop in bad data


@dataclass(frozen=True)
class MappedCriterion:
    kind: str  # same | renamed | split | merged
    codes: tuple[str, ...]  # in the later set
    title: str
    previous_codes: tuple[str, ...]
    points: Decimal | None  # the later year; None on a predecessor's line
    previous_points: Decimal

    @property
    def delta(self) -> Decimal | None:
        return None if self.points is None else self.points - self.previous_points

    @property
    def kind_label(self) -> str:
        return MAPPING_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class HistoryLine:
    unit_name: str  # "Xã Vi Hương (cũ)" for a predecessor
    is_predecessor: bool
    is_subject: bool  # the round the page is about
    year: int
    round_pk: int
    round_name: str
    set_label: str  # "PAR-XA-2025 v1"
    assessment_pk: int
    index: Decimal  # as displayed
    places: int
    display: str
    total: Decimal
    max_total: Decimal
    rank: int | None
    of: int
    band: str
    adjusted: bool
    delta: Decimal | None  # vs the unit's own year before (same display only)
    compared_with: int | None  # the year ``criteria`` compare with (own lines)
    criteria: tuple[MappedCriterion, ...]


@dataclass(frozen=True)
class UnitHistory:
    unit: Unit
    set_codes: tuple[str, ...]  # newest first
    lines: tuple[HistoryLine, ...]

    @property
    def own(self) -> list[HistoryLine]:
        return [ln for ln in self.lines if not ln.is_predecessor]

    @property
    def earlier(self) -> list[HistoryLine]:
        return [ln for ln in self.lines if ln.is_predecessor]


def set_chain(index_set: IndexSet) -> tuple[str, ...]:
    """The set's code and the codes its versions name as ``previous``, newest first."""
    codes = [index_set.code]
    current: str | None = index_set.code
    while current is not None and len(codes) < CHAIN_LIMIT:
        found = IndexSet.objects.filter(code=current).order_by("-version")
        previous = None
        for stored in found:
            previous = definition_of(stored).previous
            if previous:
                break
        if not previous or previous in codes:
            break
        codes.append(previous)
        current = previous
    return tuple(codes)


def compare(
    current: scoring.UnitResult, previous: scoring.UnitResult, *, with_delta: bool = True
) -> tuple[MappedCriterion, ...] | None:
    """Criterion by criterion through the mappings; None when the sets are not adjacent."""
    cur, prev = current.cset, previous.cset
    if cur.code == prev.code:
        changes = [
            scoring.Change(
                "same",
                (code,),
                (code,),
                current.points[i],
                previous.points[prev.index[code]],
            )
            for i, code in enumerate(cur.codes)
            if code in prev.index
        ]
    elif cur.definition.previous == prev.code:
        changes = list(scoring.year_over_year(current, previous).changes)
    else:
        return None
    return tuple(
        MappedCriterion(
            kind=ch.kind,
            codes=ch.codes,
            title=" + ".join(cur.node(c).title for c in ch.codes),
            previous_codes=ch.previous_codes,
            points=ch.points if with_delta else None,
            previous_points=ch.previous_points,
        )
        for ch in changes
    )


def _unit_result(assessment: Assessment) -> scoring.UnitResult:
    ((_a, result),) = services.compute_results(assessment.round, [assessment])
    return result


def unit_history(assessment: Assessment) -> UnitHistory:
    """The subject unit's years and, each on its own lines, its predecessors' years."""
    subject_round = assessment.round
    chain = set_chain(subject_round.index_set)
    units = [assessment.unit] + [link.unit for link in predecessors(assessment.unit)]
    results = list(
        Result.objects.filter(unit_id__in=[u.pk for u in units], round__index_set__code__in=chain)
        .filter(round__status=RoundStatus.PUBLISHED)
        .exclude(round=subject_round)
        .select_related("round", "round__index_set", "assessment", "assessment__unit")
        .order_by("round__year", "round__code")
    )
    subject_row = Result.objects.filter(assessment=assessment).first()
    rounds = {r.round_id for r in results} | {subject_round.pk}
    sizes: dict[int, int] = dict(
        Result.objects.filter(round_id__in=sorted(rounds))
        .values("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    subject_result = _unit_result(assessment)
    lines: list[HistoryLine] = []
    own = [r for r in results if r.unit_id == assessment.unit_id]
    if subject_row is not None:
        subject_row.round = subject_round
        subject_row.assessment = assessment
        own.append(subject_row)
    own.sort(key=lambda r: (r.round.year, r.round.code))
    before: tuple[Result, scoring.UnitResult] | None = None
    for row in own:
        computed = (
            subject_result if row.assessment_id == assessment.pk else _unit_result(row.assessment)
        )
        delta: Decimal | None = None
        criteria: tuple[MappedCriterion, ...] = ()
        compared_with: int | None = None
        if before is not None:
            prev_row, prev_result = before
            if prev_row.round.index_set.display == row.round.index_set.display:
                delta = row.index - prev_row.index
            criteria = compare(computed, prev_result) or ()
            compared_with = prev_row.round.year if criteria else None
        base = _line(row, assessment.unit.name, False, row.round_id == subject_round.pk, sizes)
        lines.append(replace(base, delta=delta, criteria=criteria, compared_with=compared_with))
        before = (row, computed)
    for unit in units[1:]:
        for row in (r for r in results if r.unit_id == unit.pk):
            mapped = compare(subject_result, _unit_result(row.assessment), with_delta=False)
            base = _line(row, unit.name + PREDECESSOR_SUFFIX, True, False, sizes)
            lines.append(replace(base, criteria=mapped or ()))
    return UnitHistory(assessment.unit, chain, tuple(lines))


def _line(
    row: Result, name: str, is_predecessor: bool, is_subject: bool, sizes: dict[int, int]
) -> HistoryLine:
    rnd: AssessmentRound = row.round
    return HistoryLine(
        unit_name=name,
        is_predecessor=is_predecessor,
        is_subject=is_subject,
        year=rnd.year,
        round_pk=rnd.pk,
        round_name=rnd.name,
        set_label=f"{rnd.index_set.code} v{rnd.index_set.version}",
        assessment_pk=row.assessment_id,
        index=row.index,
        places=rnd.index_set.display_precision,
        display=rnd.index_set.display,
        total=row.total,
        max_total=row.max_total,
        rank=row.rank,
        of=sizes.get(rnd.pk, 0),
        band=row.band,
        adjusted=row.adjusted,
        delta=None,
        compared_with=None,
        criteria=(),
    )
