"""The scoring engine: from stage entries to criterion points, totals, index, band and rank.

Plain dataclasses in, plain dataclasses out, Decimal only, ROUND_HALF_UP. A set is compiled
once into flat arrays (document order, parents before children) so that scoring a round of
thousands of units is a tight loop over lists, not a tree walk per unit.

Sources of a leaf's final points:
- self-assessed and deduction criteria: APPRAISAL_2, else APPRAISAL_1, else SELF when the
  round has no appraisal;
- survey criteria: the survey source only;
- computed criteria: the computed source only (a KPI value run through the rule, or points
  imported as they are).

An entry marked ``excluded`` (not applicable, ``not_applicable: exclude``) scores 0 and its
maximum leaves every denominator above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from cchc.core.indexset import Display, IndexSetDef, Method, Node
from cchc.core.numbers import NumberError, parse_decimal, round_half_up
from cchc.core.rules import RuleInputError, check_points, evaluate, is_not_applicable

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Stage(StrEnum):
    SELF = "self"
    APPRAISAL_1 = "appraisal_1"
    EXPLANATION = "explanation"  # text only: the unit's reply, never points
    APPRAISAL_2 = "appraisal_2"


SCORED_STAGES = (Stage.SELF, Stage.APPRAISAL_1, Stage.APPRAISAL_2)
_STAGES, _SURVEY, _COMPUTED = 0, 1, 2
_SOURCE = {Method.SURVEY: _SURVEY, Method.COMPUTED: _COMPUTED}


@dataclass(frozen=True, slots=True)
class Entry:
    """Points of one criterion from one source."""

    points: Decimal
    excluded: bool = False


@dataclass(frozen=True)
class CompiledSet:
    """A set flattened for scoring. Index ``i`` addresses ``codes[i]`` everywhere."""

    code: str
    year: int
    max_points: Decimal
    display: Display
    precision: int
    bands: tuple[tuple[str, Decimal], ...]
    codes: tuple[str, ...]
    nodes: tuple[Node, ...]
    parent: tuple[int, ...]
    level: tuple[int, ...]
    max: tuple[Decimal, ...]
    leaf_max: tuple[Decimal, ...]  # max on leaves, 0 elsewhere: the start of a sum
    method: tuple[Method, ...]
    leaves: tuple[int, ...]
    fields: tuple[int, ...]
    index: Mapping[str, int]
    definition: IndexSetDef
    leaf_sources: tuple[tuple[int, str, int], ...]  # (index, code, source) of each leaf
    groups: tuple[tuple[int, tuple[int, ...]], ...]  # (node, its children), deepest first
    full_max: list[Decimal]  # effective max of every node when nothing is excluded

    def node(self, code: str) -> Node:
        return self.nodes[self.index[code]]


def compile_set(definition: IndexSetDef) -> CompiledSet:
    codes: list[str] = []
    nodes: list[Node] = []
    parent: list[int] = []
    level: list[int] = []
    position: dict[int, int] = {}
    for node, par, depth in definition.walk():
        position[id(node)] = len(codes)
        codes.append(node.code)
        nodes.append(node)
        parent.append(position[id(par)] if par is not None else -1)
        level.append(depth)
    leaf_max = [n.max if n.is_leaf and n.method != Method.DEDUCTION else ZERO for n in nodes]
    children: dict[int, list[int]] = {}
    for i, p in enumerate(parent):
        if p >= 0:
            children.setdefault(p, []).append(i)
    groups = tuple((p, tuple(children[p])) for p in sorted(children, reverse=True))
    full_max = list(leaf_max)
    for p, kids in groups:
        full_max[p] = sum((full_max[c] for c in kids), ZERO)
    return CompiledSet(
        code=definition.code,
        year=definition.year,
        max_points=definition.max_points,
        display=definition.display,
        precision=definition.display_precision,
        bands=tuple(
            sorted(((b.code, b.min_percent) for b in definition.bands), key=lambda b: -b[1])
        ),
        codes=tuple(codes),
        nodes=tuple(nodes),
        parent=tuple(parent),
        level=tuple(level),
        max=tuple(ZERO if n.method == Method.DEDUCTION else n.max for n in nodes),
        leaf_max=tuple(leaf_max),
        method=tuple(n.method for n in nodes),
        leaves=tuple(i for i, n in enumerate(nodes) if n.is_leaf),
        fields=tuple(i for i, p in enumerate(parent) if p == -1),
        index={c: i for i, c in enumerate(codes)},
        definition=definition,
        leaf_sources=tuple(
            (i, n.code, _SOURCE.get(n.method, _STAGES)) for i, n in enumerate(nodes) if n.is_leaf
        ),
        groups=groups,
        full_max=full_max,
    )


@dataclass
class UnitInput:
    """What is known of one unit: stage entries and the separate survey/computed sources."""

    unit: str
    stages: Mapping[Stage, Mapping[str, Entry]] = field(default_factory=dict)
    survey: Mapping[str, Entry] = field(default_factory=dict)
    computed: Mapping[str, Entry] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NodeResult:
    code: str
    max: Decimal  # effective maximum (not-applicable exclusions removed)
    points: Decimal
    self_points: Decimal | None
    adjustment: Decimal  # final − self over the leaves that have both

    @property
    def lost(self) -> Decimal:
        """Nội dung mất điểm: max − achieved."""
        return self.max - self.points


@dataclass
class UnitResult:
    unit: str
    cset: CompiledSet
    points: list[Decimal]
    max: list[Decimal]
    final: list[Entry | None]  # per node; set on leaves only
    self_entries: list[Entry | None]
    missing: tuple[str, ...]
    total: Decimal
    max_total: Decimal
    index: Decimal  # exact, in the set's display (points, percent or ratio)
    shown: Decimal  # rounded to the display precision: what is printed, ranked, banded
    percent: Decimal  # shown, as a percent, for bands
    band: str | None
    rank: int | None = None

    def node(self, code: str) -> NodeResult:
        i = self.cset.index[code]
        return self._node(i)

    def _node(self, i: int) -> NodeResult:
        self_sum: Decimal | None = None
        adjustment = ZERO
        for leaf in self._leaves_under(i):
            mine = self.self_entries[leaf]
            if mine is None:
                continue
            self_sum = (self_sum or ZERO) + mine.points
            fin = self.final[leaf]
            if fin is not None:
                adjustment += fin.points - mine.points
        return NodeResult(self.cset.codes[i], self.max[i], self.points[i], self_sum, adjustment)

    def _leaves_under(self, i: int) -> list[int]:
        cset = self.cset
        if cset.nodes[i].is_leaf:
            return [i]
        out: list[int] = []
        for leaf in cset.leaves:
            up = leaf
            while up != -1 and up != i:
                up = cset.parent[up]
            if up == i:
                out.append(leaf)
        return out

    def fields(self) -> list[NodeResult]:
        return [self._node(i) for i in self.cset.fields]

    def leaves(self) -> list[NodeResult]:
        return [self._node(i) for i in self.cset.leaves]

    @property
    def adjustment(self) -> Decimal:
        """Appraisal adjustment of the whole unit (final − self)."""
        return sum((f.adjustment for f in self.fields()), ZERO)


_EMPTY: Mapping[str, Entry] = {}


def score_unit(cset: CompiledSet, unit: UnitInput, *, appraisal: bool = True) -> UnitResult:
    """Score one unit. ``appraisal=False``: a round without appraisal, SELF is final."""
    n = len(cset.codes)
    points = [ZERO] * n
    maxes = cset.full_max
    any_excluded = False
    final: list[Entry | None] = [None] * n
    mine: list[Entry | None] = [None] * n
    missing: list[str] = []
    stages = unit.stages
    own = stages.get(Stage.SELF, _EMPTY)
    first = stages.get(Stage.APPRAISAL_1, _EMPTY)
    second = stages.get(Stage.APPRAISAL_2, _EMPTY)
    survey, computed = unit.survey, unit.computed
    for i, code, source in cset.leaf_sources:
        if source == _SURVEY:
            entry = survey.get(code)
        elif source == _COMPUTED:
            entry = computed.get(code)
        else:
            self_entry = own.get(code)
            mine[i] = self_entry
            entry = second.get(code) or first.get(code)
            if entry is None and not appraisal:
                entry = self_entry
        if entry is None:
            # A zero-point leaf (DTI's unscored smart city) or a deduction nobody entered
            # changes nothing; only a scorable criterion without points is missing.
            if cset.leaf_max[i] > 0:
                missing.append(code)
            continue
        final[i] = entry
        points[i] = entry.points
        if entry.excluded:
            any_excluded = True
    # Children come after their parent in document order: sum the deepest groups first.
    for p, children in cset.groups:
        points[p] = sum([points[c] for c in children], ZERO)
    if any_excluded:
        maxes = list(cset.leaf_max)
        for i in cset.leaves:
            entry = final[i]
            if entry is not None and entry.excluded:
                maxes[i] = ZERO
        for p, children in cset.groups:
            maxes[p] = sum([maxes[c] for c in children], ZERO)
    else:
        maxes = list(maxes)
    total = sum([points[i] for i in cset.fields], ZERO)
    max_total = sum([maxes[i] for i in cset.fields], ZERO)
    index, shown, percent = _index(cset, total, max_total)
    return UnitResult(
        unit=unit.unit,
        cset=cset,
        points=points,
        max=maxes,
        final=final,
        self_entries=mine,
        missing=tuple(missing),
        total=total,
        max_total=max_total,
        index=index,
        shown=shown,
        percent=percent,
        band=band_of(cset, percent),
    )


def _index(cset: CompiledSet, total: Decimal, max_total: Decimal) -> tuple[Decimal, ...]:
    places = cset.precision
    ratio = ZERO if max_total == 0 else total / max_total
    if cset.display == Display.PERCENT:
        index = ratio * HUNDRED
        shown = round_half_up(index, places)
        return index, shown, shown
    if cset.display == Display.RATIO:
        shown = round_half_up(ratio, places)
        return ratio, shown, shown * HUNDRED
    shown = round_half_up(total, places)
    return total, shown, round_half_up(ratio * HUNDRED, places)


def band_of(cset: CompiledSet, percent: Decimal) -> str | None:
    """The first band whose inclusive lower bound the (displayed) percent reaches."""
    for code, low in cset.bands:
        if percent >= low:
            return code
    return None


def competition_rank(values: Sequence[Decimal]) -> list[int]:
    """Standard competition ranking, highest first: 9, 8, 8, 7 → 1, 2, 2, 4."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0] * len(values)
    for pos, i in enumerate(order):
        if pos and values[i] == values[order[pos - 1]]:
            ranks[i] = ranks[order[pos - 1]]
        else:
            ranks[i] = pos + 1
    return ranks


def assign_ranks(results: Sequence[UnitResult]) -> None:
    """Rank peers on the value as displayed: units shown equal share a rank."""
    for result, rank in zip(results, competition_rank([r.shown for r in results]), strict=True):
        result.rank = rank


def score_round(
    cset: CompiledSet, units: Iterable[UnitInput], *, appraisal: bool = True
) -> list[UnitResult]:
    """Score and rank every unit of a round."""
    results = [score_unit(cset, unit, appraisal=appraisal) for unit in units]
    assign_ranks(results)
    return results


# -- year over year through the mappings ---------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # same | renamed | split | merged
    codes: tuple[str, ...]
    previous_codes: tuple[str, ...]
    points: Decimal
    previous_points: Decimal

    @property
    def delta(self) -> Decimal:
        return self.points - self.previous_points


@dataclass(frozen=True)
class YearOverYear:
    shown: Decimal
    previous_shown: Decimal
    changes: tuple[Change, ...]

    @property
    def delta(self) -> Decimal:
        """Change of the value as displayed (73,63 vs 77,93 → −4,30)."""
        return self.shown - self.previous_shown


def year_over_year(current: UnitResult, previous: UnitResult) -> YearOverYear:
    """Compare a unit with its previous result criterion by criterion, via ``maps_from``."""
    cur, prev = current.cset, previous.cset
    changes: list[Change] = []
    splits: dict[str, list[str]] = {}
    for code, node in zip(cur.codes, cur.nodes, strict=True):
        mapping = node.maps_from
        if mapping is None or any(old not in prev.index for old in mapping.codes):
            continue
        if mapping.kind == "split":
            splits.setdefault(mapping.codes[0], []).append(code)
            continue
        old = tuple(mapping.codes)
        changes.append(
            Change(
                mapping.kind,
                (code,),
                old,
                current.points[cur.index[code]],
                sum((previous.points[prev.index[o]] for o in old), ZERO),
            )
        )
    for old_code, parts in splits.items():
        changes.append(
            Change(
                "split",
                tuple(parts),
                (old_code,),
                sum((current.points[cur.index[c]] for c in parts), ZERO),
                previous.points[prev.index[old_code]],
            )
        )
    order = {c: i for i, c in enumerate(cur.codes)}
    changes.sort(key=lambda ch: order[ch.codes[0]])
    return YearOverYear(current.shown, previous.shown, tuple(changes))


def lost_points(result: UnitResult, *, leaves_only: bool = True) -> list[NodeResult]:
    """Criteria by points lost, most first (ties in document order)."""
    rows = result.leaves() if leaves_only else [result._node(i) for i in range(len(result.points))]
    return sorted((r for r in rows if r.lost > 0), key=lambda r: -r.lost)


# -- inputs: rule values or points, as typed into a form, a CSV or a KPI -------------------


@dataclass(frozen=True)
class InputError(ValueError):
    place: str  # "dòng 4", "ô C7" …
    code: str
    message: str

    def __str__(self) -> str:
        who = f" tiêu chí {self.code}:" if self.code else ""
        return f"{self.place}:{who} {self.message}"


def entry_from_value(node: Node, raw: object) -> tuple[Entry, str]:
    """Run the node's rule on a reported value; returns the entry and its explanation."""
    result = evaluate(node.effective_rule, node.range, raw)
    return Entry(result.points, result.excluded), result.explanation


def entry_from_points(node: Node, raw: object) -> Entry:
    """Points given as they are (imported results, survey points)."""
    if is_not_applicable(raw):
        entry, _ = entry_from_value(node, raw)
        return entry
    try:
        value = parse_decimal(raw)
    except NumberError as exc:
        raise RuleInputError(f"điểm {raw!r} không phải là số") from exc
    check_points(value, node.range)
    return Entry(value)


def read_inputs(
    cset: CompiledSet, rows: Iterable[tuple[str, str, str, object]]
) -> dict[str, tuple[Entry, str]]:
    """Turn ``(place, code, "value"|"points", raw)`` rows into entries; errors name the place.

    Every row is checked; all problems are raised together as a list of :class:`InputError`.
    """
    out: dict[str, tuple[Entry, str]] = {}
    errors: list[InputError] = []
    seen: dict[str, str] = {}
    for place, code, kind, raw in rows:
        if code not in cset.index:
            errors.append(InputError(place, code, "mã tiêu chí không có trong bộ chỉ số"))
            continue
        node = cset.node(code)
        if not node.is_leaf:
            errors.append(
                InputError(place, code, "chỉ nhập cho tiêu chí lá (tiêu chí không có tiêu chí con)")
            )
            continue
        if code in seen:
            errors.append(InputError(place, code, f"bị lặp (đã nhập ở {seen[code]})"))
            continue
        seen[code] = place
        try:
            if kind == "points":
                entry = entry_from_points(node, raw)
                out[code] = (entry, "điểm nhập trực tiếp")
            else:
                out[code] = entry_from_value(node, raw)
        except RuleInputError as exc:
            errors.append(InputError(place, code, str(exc)))
    if errors:
        raise InputErrors(errors)
    return out


class InputErrors(ValueError):
    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def unit_input_from_entries(
    cset: CompiledSet, unit: str, entries: Mapping[str, Entry], stage: Stage = Stage.SELF
) -> UnitInput:
    """Route entries to their source by the criterion's method (for ``cchc score``)."""
    stage_entries: dict[str, Entry] = {}
    survey: dict[str, Entry] = {}
    computed: dict[str, Entry] = {}
    for code, entry in entries.items():
        method = cset.method[cset.index[code]]
        target = {Method.SURVEY: survey, Method.COMPUTED: computed}.get(method, stage_entries)
        target[code] = entry
    return UnitInput(unit, {stage: stage_entries}, survey, computed)
