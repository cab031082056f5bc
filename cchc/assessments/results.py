"""The materialised results of a round: load → compute → write → rank.

Each phase is its own function so the benchmark can time them separately; ``refresh`` runs
them in one transaction. The rules:

- **Load** reads the stage scores of the chosen assessments with one raw query that
  returns one row per (assessment, stage): the codes, the exact decimal text of the points,
  the excluded flags and (only when a revision above 1 exists) the revisions, each joined
  into one string. Every distinct points text becomes one :class:`Decimal` once, so no
  float ever touches a point, and never a SQL ``SUM``.
- **Compute** is the core engine (:func:`cchc.core.scoring.score_unit`) plus the per-field
  breakdown, the adjustment and the criteria that lost most, from per-field leaf tuples
  worked out once (:class:`LeafPlan`) with ``map`` and comprehensions, no per-leaf loop.
- **Write** upserts one :class:`Result` row per assessment with one ``executemany`` of an
  ``INSERT … ON CONFLICT (assessment) DO UPDATE`` (no model instances), ranks included.
- **Rank** is one pass over the stored indexes of the round; only ranks that changed are
  written, one ``UPDATE`` per changed rank value. A full refresh ranks before writing and
  needs no second pass.
"""

from __future__ import annotations

import functools
import json
import operator
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cchc.assessments.models import Assessment, AssessmentRound, Result, Stage, StageScore
from cchc.core import scoring
from cchc.frameworks.models import IndexSet
from cchc.frameworks.services import definition_of

ZERO = Decimal(0)
POINT = Decimal("0.0001")  # StageScore.points has 4 decimal places
BATCH = 500  # rows per INSERT … ON CONFLICT statement (Django caps it lower on SQLite)
LOST_SHOWN = 10

_STAGE_OF = {
    Stage.SELF.value: scoring.Stage.SELF,
    Stage.APPRAISAL_1.value: scoring.Stage.APPRAISAL_1,
    Stage.APPRAISAL_2.value: scoring.Stage.APPRAISAL_2,
}


# -- the compiled set ----------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _compiled(index_set_id: int, sha256: str) -> scoring.CompiledSet:
    return scoring.compile_set(definition_of(IndexSet.objects.get(pk=index_set_id)))


def compiled(rnd: AssessmentRound) -> scoring.CompiledSet:
    index_set = rnd.index_set
    return _compiled(index_set.pk, index_set.sha256)


def field_of(cset: scoring.CompiledSet) -> list[int]:
    """For every node, the index of its field (top-level node)."""
    out = list(range(len(cset.codes)))
    for i, parent in enumerate(cset.parent):
        if parent >= 0:
            out[i] = out[parent]
    return out


# -- load ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """What a result row needs of an assessment (read with ``values_list``)."""

    id: int
    unit_id: int
    adjusted: bool
    is_synthetic: bool


def load(
    rnd: AssessmentRound, ids: Sequence[int] | None = None
) -> tuple[list[Member], dict[int, scoring.UnitInput]]:
    """The members (all, or ``ids``) and their engine inputs: two queries in all.

    A score counts when its revision is at most the assessment's current revision; of
    several, the latest wins. Explanation rows carry text, never points.
    """
    assessments = Assessment.objects.filter(round_id=rnd.pk)
    if ids is not None:
        assessments = assessments.filter(pk__in=list(ids))
    members = [
        Member(*row)
        for row in assessments.order_by("pk").values_list(
            "pk", "unit_id", "adjusted", "is_synthetic"
        )
    ]
    return members, inputs_from_groups(members, _score_groups(rnd, ids))


# One row per (assessment, stage): codes, exact points text and revisions joined by a
# separator no criterion code can hold, the excluded flags as one string of 0/1. Building
# 3,321 such rows in the database and splitting them in C is about twice as cheap as
# fetching 332,100 six-column rows one Python tuple at a time.
SEP = "\x1f"
_GROUPS_SQL = """
SELECT {s}."assessment_id", {s}."stage", {agg}({s}."criterion_code", %s),
       {agg}(CAST({s}."points" AS TEXT), %s),
       {agg}(CASE WHEN {s}."excluded" THEN '1' ELSE '0' END, %s),
       CASE WHEN MAX({s}."revision") > 1 THEN {agg}(CAST({s}."revision" AS TEXT), %s) END
FROM {s} INNER JOIN {a} ON ({s}."assessment_id" = {a}."id")
WHERE {a}."round_id" = %s AND {s}."revision" <= {a}."revision"
  AND {s}."points" IS NOT NULL AND {s}."stage" <> %s{only}
GROUP BY {s}."assessment_id", {s}."stage"
"""

GroupRow = tuple[int, str, str, str, str, str | None]


def _score_groups(rnd: AssessmentRound, ids: Sequence[int] | None) -> list[GroupRow]:
    agg = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    score = connection.ops.quote_name(StageScore._meta.db_table)
    only = ""
    params: list[Any] = [SEP, SEP, "", SEP, rnd.pk, Stage.EXPLANATION.value]
    if ids is not None:
        if not ids:
            return []
        placeholders = ", ".join(["%s"] * len(ids))
        only = f' AND {score}."assessment_id" IN ({placeholders})'
        params.extend(ids)
    sql = _GROUPS_SQL.format(
        agg=agg, s=score, a=connection.ops.quote_name(Assessment._meta.db_table), only=only
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


class _EntryMemo(dict[str, scoring.Entry]):
    """One :class:`scoring.Entry` per distinct points text, made on first use."""

    def __init__(self, excluded: bool) -> None:
        super().__init__()
        self.excluded = excluded

    def __missing__(self, text: str) -> scoring.Entry:
        entry = self[text] = scoring.Entry(Decimal(text).quantize(POINT), self.excluded)
        return entry


def inputs_from_groups(
    members: Sequence[Member], groups: Iterable[GroupRow]
) -> dict[int, scoring.UnitInput]:
    """Engine inputs from ``(assessment, stage, codes, points, flags, revisions or None)``.

    Each distinct (flag, points text) becomes one :class:`scoring.Entry` (one ``Decimal``
    per distinct string). Of several revisions of one criterion the latest wins.
    """
    plain, excluded = _EntryMemo(False), _EntryMemo(True)
    entries: dict[int, dict[str, dict[str, scoring.Entry]]] = {m.id: {} for m in members}
    for aid, stage, codes, points, flags, revisions in groups:
        held = entries.get(aid)
        if held is None:
            continue
        texts = points.split(SEP)
        if "1" in flags:
            values = [
                (excluded if f == "1" else plain)[p] for f, p in zip(flags, texts, strict=True)
            ]
        else:
            values = list(map(plain.__getitem__, texts))
        names = codes.split(SEP)
        if revisions is None:
            held[stage] = dict(zip(names, values, strict=True))
            continue
        found: dict[str, scoring.Entry] = {}
        latest: dict[str, int] = {}
        for code, rev, value in zip(names, map(int, revisions.split(SEP)), values, strict=True):
            if latest.get(code, 0) < rev:
                latest[code] = rev
                found[code] = value
        held[stage] = found
    return _unit_inputs(members, entries)


def _unit_inputs(
    members: Sequence[Member], entries: dict[int, dict[str, dict[str, scoring.Entry]]]
) -> dict[int, scoring.UnitInput]:
    empty: dict[str, scoring.Entry] = {}
    return {
        m.id: scoring.UnitInput(
            unit=str(m.unit_id),
            stages={engine: entries[m.id].get(stage, empty) for stage, engine in _STAGE_OF.items()},
            survey=entries[m.id].get(Stage.SURVEY.value, empty),
            computed=entries[m.id].get(Stage.COMPUTED.value, empty),
        )
        for m in members
    }


# -- compute -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Computed:
    """One unit's figures as stored in its :class:`Result` row."""

    member: Member
    total: Decimal
    max_total: Decimal
    self_total: Decimal | None
    index: Decimal  # as displayed (rounded): what is ranked
    band: str
    adjustment: Decimal
    fields: list[dict[str, str]]
    lost_criteria: list[dict[str, str]]
    missing: int


def compute(
    cset: scoring.CompiledSet,
    members: Sequence[Member],
    inputs: dict[int, scoring.UnitInput],
    *,
    appraisal: bool,
) -> list[Computed]:
    plan = LeafPlan.of(cset)
    return [
        derive(plan, m, scoring.score_unit(cset, inputs[m.id], appraisal=appraisal))
        for m in members
    ]


@dataclass(frozen=True)
class LeafPlan:
    """Where each leaf counts in the breakdown, worked out once per refresh.

    Leaf positions are grouped by field (as index tuples) so that :func:`derive` sums with
    comprehensions and ``map`` instead of a Python loop with a branch per leaf. Every sum
    is exact (``Decimal`` addition of 4-place points never rounds), so its value and its
    exponent (the smallest of its terms') do not depend on the order or grouping of the
    terms; that is what lets a field's points stand for a sum of the same leaves.
    """

    cset: scoring.CompiledSet
    own: tuple[tuple[int, ...], ...]  # per field: its leaves scored in stages (self source)
    appraisal: tuple[tuple[int, ...], ...]  # per field: its leaves other than survey ones
    survey: tuple[tuple[int, ...], ...]  # per field: its survey leaves
    parents: frozenset[int]  # the fields that are not leaves (their points are sums)
    staged: tuple[int, ...]  # every stage-scored leaf (all fields, in field order)
    leaves: tuple[int, ...]  # every leaf in document order (ties of the lost criteria)
    static: tuple[tuple[str, str, str, Decimal, str], ...]  # code, label, title, max, shown

    @classmethod
    def of(cls, cset: scoring.CompiledSet) -> LeafPlan:
        tops = field_of(cset)
        position = {f: k for k, f in enumerate(cset.fields)}
        own: list[list[int]] = [[] for _ in cset.fields]
        rest: list[list[int]] = [[] for _ in cset.fields]
        survey: list[list[int]] = [[] for _ in cset.fields]
        for i, _code, source in cset.leaf_sources:
            k = position[tops[i]]
            if source == 1:
                survey[k].append(i)
                continue
            rest[k].append(i)
            if source == 0:
                own[k].append(i)
        return cls(
            cset,
            tuple(map(tuple, own)),
            tuple(map(tuple, rest)),
            tuple(map(tuple, survey)),
            frozenset(f for f in cset.fields if not cset.nodes[f].is_leaf),
            tuple(i for leaves in own for i in leaves),
            tuple(cset.leaves),
            tuple(
                (
                    cset.codes[f],
                    cset.nodes[f].label,
                    cset.nodes[f].title,
                    cset.full_max[f],
                    str(cset.full_max[f]),
                )
                for f in cset.fields
            ),
        )


def derive(plan: LeafPlan, member: Member, res: scoring.UnitResult) -> Computed:
    """Per-field breakdown, self total, adjustment and lost criteria, without a leaf loop."""
    cset = plan.cset
    points, final, mine, maxes = res.points, res.final, res.self_entries, res.max
    staged_own = list(map(mine.__getitem__, plan.staged))
    owns = [e.points for e in staged_own if e is not None]
    self_total: Decimal | None = sum(owns[1:], owns[0]) if owns else None
    # Final is self on every stage-scored leaf (a round without appraisal, say).
    final_is_self = all(map(operator.is_, staged_own, map(final.__getitem__, plan.staged)))
    if final_is_self:
        # Each final − self is a zero with the exponent of self: their sum is a zero with
        # the exponent of the self total.
        adjustment = ZERO if self_total is None else ZERO + (self_total - self_total)
    else:
        adjustment = sum(
            [
                fin.points - own.points
                for own, fin in zip(staged_own, map(final.__getitem__, plan.staged), strict=True)
                if own is not None and fin is not None
            ],
            ZERO,
        )
    # Most lost first, ties in document order (as scoring.lost_points orders them): a
    # stable sort on the lost points, highest first, keeps the document order of ties.
    leaves = plan.leaves
    lost = list(map(operator.sub, map(maxes.__getitem__, leaves), map(points.__getitem__, leaves)))
    worst = []
    for k in sorted(range(len(leaves)), key=lost.__getitem__, reverse=True)[:LOST_SHOWN]:
        if lost[k] <= 0:
            break
        worst.append((leaves[k], lost[k]))
    fields = []
    for k, f in enumerate(cset.fields):
        code, label, title, full_max, shown_max = plan.static[k]
        final_f, max_f = points[f], maxes[f]
        shown_final = str(final_f)
        if not plan.survey[k]:
            # No survey leaf: the appraisal sum has the terms of the field's points.
            appraisal_sum = shown_final if f in plan.parents else str(ZERO + final_f)
            survey_sum = "0"
        else:
            appraisal_sum = str(sum(map(points.__getitem__, plan.appraisal[k]), ZERO))
            survey_sum = str(sum(map(points.__getitem__, plan.survey[k]), ZERO))
        if final_is_self and plan.own[k] == plan.appraisal[k]:
            # Every leaf of the field is stage-scored and its final entry is the self one
            # (or both are missing, a zero like the start of the sum): self = appraisal.
            own_sum = appraisal_sum
        else:
            own_sum = str(
                sum([e.points for e in map(mine.__getitem__, plan.own[k]) if e is not None], ZERO)
            )
        fields.append(
            {
                "code": code,
                "label": label,
                "title": title,
                "max": shown_max if max_f is full_max else str(max_f),
                "self": own_sum,
                "appraisal": appraisal_sum,
                "survey": survey_sum,
                "final": shown_final,
                "lost": str(max_f - final_f),
            }
        )
    return Computed(
        member=member,
        total=res.total,
        max_total=res.max_total,
        self_total=self_total,
        index=res.shown,
        band=res.band or "",
        adjustment=adjustment,
        fields=fields,
        lost_criteria=[
            {
                "code": cset.codes[i],
                "title": cset.nodes[i].title,
                "max": str(maxes[i]),
                "points": str(points[i]),
                "lost": str(amount),
            }
            for i, amount in worst
        ],
        missing=len(res.missing),
    )


# -- write and rank ------------------------------------------------------------------------

_COLUMNS = (
    "round_id",
    "assessment_id",
    "unit_id",
    "total",
    "max_total",
    "self_total",
    "index",
    "band",
    "rank",
    "lost",
    "adjustment",
    "previous_index",
    "fields",
    "lost_criteria",
    "missing",
    "adjusted",
    "is_synthetic",
    "computed_at",
)


def _upsert_sql() -> str:
    """One ``INSERT … ON CONFLICT (assessment) DO UPDATE`` (SQLite and PostgreSQL)."""
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in _COLUMNS)
    updated = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in _COLUMNS[2:])
    return (
        f"INSERT INTO {q(Result._meta.db_table)} ({cols}) "
        f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
        f"ON CONFLICT ({q('assessment_id')}) DO UPDATE SET {updated}"
    )


def write(rnd: AssessmentRound, computed: Sequence[Computed], *, full: bool) -> int:
    """Upsert the rows of ``computed`` with their ranks; re-rank the others (partial).

    One ``executemany`` of one upsert statement: no model instances, the JSON columns
    encoded once per row with the standard encoder (the values are plain strings).
    Returns how many rows of other units had their rank rewritten.
    """
    previous: dict[int, Decimal] = {}
    if rnd.previous_id:
        previous = dict(
            Result.objects.filter(round_id=rnd.previous_id).values_list("unit_id", "index")
        )
    index_of: dict[int, Decimal] = {}
    stored_rank: dict[int, tuple[int, int | None]] = {}
    if not full:
        for aid, pk, index, rank in Result.objects.filter(round_id=rnd.pk).values_list(
            "assessment_id", "pk", "index", "rank"
        ):
            index_of[aid] = index
            stored_rank[aid] = (pk, rank)
    for c in computed:
        index_of[c.member.id] = c.index
    order = list(index_of)
    rank_of = dict(zip(order, scoring.competition_rank([index_of[a] for a in order]), strict=True))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    rows = [
        (
            rnd.pk,
            c.member.id,
            c.member.unit_id,
            c.total,
            c.max_total,
            c.self_total,
            c.index,
            c.band,
            rank_of[c.member.id],
            c.max_total - c.total,
            c.adjustment,
            previous.get(c.member.unit_id),
            dumps(c.fields),
            dumps(c.lost_criteria),
            c.missing,
            c.member.adjusted,
            c.member.is_synthetic,
            now,
        )
        for c in computed
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(), rows)
    written = {c.member.id for c in computed}
    moved: dict[int, list[int]] = {}
    for aid, (pk, rank) in stored_rank.items():
        if aid not in written and rank != rank_of[aid]:
            moved.setdefault(rank_of[aid], []).append(pk)
    for rank, pks in moved.items():
        Result.objects.filter(pk__in=pks).update(rank=rank)
    return sum(len(pks) for pks in moved.values())


def rank(rnd: AssessmentRound) -> int:
    """Re-rank the round from its stored indexes; returns how many ranks changed."""
    rows = list(Result.objects.filter(round_id=rnd.pk).values_list("pk", "index", "rank"))
    ranks = scoring.competition_rank([index for _pk, index, _rank in rows])
    moved: dict[int, list[int]] = {}
    for (pk, _index, old), new in zip(rows, ranks, strict=True):
        if old != new:
            moved.setdefault(new, []).append(pk)
    for new, pks in moved.items():
        Result.objects.filter(pk__in=pks).update(rank=new)
    return sum(len(pks) for pks in moved.values())


# -- all together --------------------------------------------------------------------------


@dataclass(frozen=True)
class Timings:
    """Seconds spent in each phase of one refresh (the benchmark prints them)."""

    load: float
    compute: float
    write: float
    units: int
    reranked: int

    @property
    def total(self) -> float:
        return self.load + self.compute + self.write


def refresh(rnd: AssessmentRound, assessments: Iterable[Any] | None = None) -> Timings:
    """Rewrite the results of the given assessments (all by default) and their ranks."""
    ids = None if assessments is None else sorted({a.pk for a in assessments})
    with transaction.atomic():
        # One writer per round at a time, so two refreshes never rank from stale indexes.
        list(AssessmentRound.objects.select_for_update().filter(pk=rnd.pk).values_list("pk"))
        started = time.perf_counter()
        members, inputs = load(rnd, ids)
        loaded = time.perf_counter()
        computed = compute(compiled(rnd), members, inputs, appraisal=rnd.allow_appraisal)
        done = time.perf_counter()
        reranked = write(rnd, computed, full=ids is None)
        written = time.perf_counter()
    return Timings(loaded - started, done - loaded, written - done, len(members), reranked)
