"""The standard period report, its drill-down and the QĐ 766 monthly indicators.

Units arrive as plain data (``UnitTree``) from the dossiers app. A dossier's unit code is
resolved to a key by its received date (``CODE@legacy`` before 1/7/2025, else
``CODE@2025``), then through ``attribution`` (legacy key → successor key, followed to the
end) to the unit it is reported under: the hierarchy at the period end.
"""

from __future__ import annotations

import hashlib
import operator
import weakref
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

import duckdb

from cchc.analytics import sql
from cchc.analytics.store import Manifest, live_rows
from cchc.core.dossier import Options
from cchc.core.periods import Period, calendar_month

COUNTS = (
    "received_total",
    "new_total",
    "new_online_full",
    "new_online_partial",
    "new_direct",
    "new_postal",
    "carried_over",
    "resolved_total",
    "early",
    "on_time",
    "late",
    "late_with_apology",
    "late_without_apology",
    "in_progress_total",
    "in_progress_within",
    "in_progress_overdue",
    "apart_total",
    "rejected",
    "withdrawn",
    "returned_by_post",
    "new_digitized",
    "new_paid_online",
    "resolved_e_result",
    "handled_complaint",
)

_O = sql.OUTCOME_CODE
_RESOLVED = f"oc IN ({_O['early']}, {_O['on_time']}, {_O['late']})"

# Each count as a condition over classified rows (columns is_new, oc, channel, ...);
# None = every row. Used as aggregate filters and as drill-down conditions.
_COND: dict[str, str | None] = {
    "received_total": None,
    "new_total": "is_new",
    "new_online_full": "is_new AND channel = 'online_full'",
    "new_online_partial": "is_new AND channel = 'online_partial'",
    "new_direct": "is_new AND channel = 'direct'",
    "new_postal": "is_new AND channel = 'postal'",
    "carried_over": "NOT is_new",
    "resolved_total": _RESOLVED,
    "early": f"oc = {_O['early']}",
    "on_time": f"oc = {_O['on_time']}",
    "late": f"oc = {_O['late']}",
    "late_with_apology": f"oc = {_O['late']} AND apology_issued",
    "late_without_apology": f"oc = {_O['late']} AND NOT apology_issued",
    "in_progress_total": f"oc IN ({_O['pending_within']}, {_O['pending_overdue']})",
    "in_progress_within": f"oc = {_O['pending_within']}",
    "in_progress_overdue": f"oc = {_O['pending_overdue']}",
    "apart_total": f"oc IN ({_O['rejected']}, {_O['withdrawn']})",
    "rejected": f"oc = {_O['rejected']}",
    "withdrawn": f"oc = {_O['withdrawn']}",
    "returned_by_post": f"{_RESOLVED} AND returned_by_post",
    "new_digitized": "is_new AND digitized",
    "new_paid_online": "is_new AND paid_online",
    "resolved_e_result": f"{_RESOLVED} AND e_result",
    "handled_complaint": "complaint",
}
_AGG = {
    name: "count(*)" if cond is None else f"count(*) FILTER ({cond})"
    for name, cond in _COND.items()
}
_FILTER = {name: cond or "TRUE" for name, cond in _COND.items()}
_FLAGS = ("apology_issued", "returned_by_post", "digitized", "paid_online", "e_result", "complaint")
# The same counts from rows already counted per (unit code, era, is_new, oc, channel): ``n``
# rows, of which ``apology_issued`` … ``complaint`` had the flag. Counting those few
# thousand cells first costs the scan a quarter of 24 filtered counts per row.
# Cells also hold the rows outside the period (``oc`` = 0, see ``sql.classification``):
# every sum is filtered on ``oc`` (``_IN`` where no other outcome condition does it).
_IN = f"oc <> {sql.OUT_OF_SCOPE}"
_CELL_AGG = {
    "received_total": f"sum(n) FILTER ({_IN})",
    "new_total": f"sum(n) FILTER ({_IN} AND is_new)",
    "new_online_full": f"sum(n) FILTER ({_IN} AND is_new AND channel = 'online_full')",
    "new_online_partial": f"sum(n) FILTER ({_IN} AND is_new AND channel = 'online_partial')",
    "new_direct": f"sum(n) FILTER ({_IN} AND is_new AND channel = 'direct')",
    "new_postal": f"sum(n) FILTER ({_IN} AND is_new AND channel = 'postal')",
    "carried_over": f"sum(n) FILTER ({_IN} AND NOT is_new)",
    "resolved_total": f"sum(n) FILTER ({_RESOLVED})",
    "early": f"sum(n) FILTER (oc = {_O['early']})",
    "on_time": f"sum(n) FILTER (oc = {_O['on_time']})",
    "late": f"sum(n) FILTER (oc = {_O['late']})",
    "late_with_apology": f"sum(apology_issued) FILTER (oc = {_O['late']})",
    "late_without_apology": f"sum(n - apology_issued) FILTER (oc = {_O['late']})",
    "in_progress_total": f"sum(n) FILTER (oc IN ({_O['pending_within']}, {_O['pending_overdue']}))",
    "in_progress_within": f"sum(n) FILTER (oc = {_O['pending_within']})",
    "in_progress_overdue": f"sum(n) FILTER (oc = {_O['pending_overdue']})",
    "apart_total": f"sum(n) FILTER (oc IN ({_O['rejected']}, {_O['withdrawn']}))",
    "rejected": f"sum(n) FILTER (oc = {_O['rejected']})",
    "withdrawn": f"sum(n) FILTER (oc = {_O['withdrawn']})",
    "returned_by_post": f"sum(returned_by_post) FILTER ({_RESOLVED})",
    "new_digitized": f"sum(digitized) FILTER ({_IN} AND is_new)",
    "new_paid_online": f"sum(paid_online) FILTER ({_IN} AND is_new)",
    "resolved_e_result": f"sum(e_result) FILTER ({_RESOLVED})",
    "handled_complaint": f"sum(complaint) FILTER ({_IN})",
}
assert tuple(_CELL_AGG) == COUNTS

# The same sums in Python, for scopes with few cells: a second DuckDB aggregate with 24
# filtered sums has a fixed cost (~10 ms) larger than summing a commune's few dozen cells.
_INDEX = {name: i for i, name in enumerate(COUNTS)}
_NEW_BY_CHANNEL = {
    "online_full": "new_online_full",
    "online_partial": "new_online_partial",
    "direct": "new_direct",
    "postal": "new_postal",
}
_OUTCOME_COUNTS = {
    _O["early"]: ("resolved_total", "early"),
    _O["on_time"]: ("resolved_total", "on_time"),
    _O["late"]: ("resolved_total", "late", "late_without_apology"),
    _O["pending_within"]: ("in_progress_total", "in_progress_within"),
    _O["pending_overdue"]: ("in_progress_total", "in_progress_overdue"),
    _O["rejected"]: ("apart_total", "rejected"),
    _O["withdrawn"]: ("apart_total", "withdrawn"),
}
_RESOLVED_CODES = (_O["early"], _O["on_time"], _O["late"])
# Per cell kind (is_new, oc, channel): the counts receiving the cell's ``n`` and, for each
# flag of _FLAGS, the counts receiving the flag's count (negative index: subtracted).
_CellPlan = tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]


def _cell_plan(is_new: bool, oc: int, channel: str | None) -> _CellPlan:
    """Mirror of ``_CELL_AGG`` for one cell kind (tests/analytics compare both paths)."""
    if oc == sql.OUT_OF_SCOPE:
        return (), ((),) * len(_FLAGS)
    names = ["received_total"]
    flags: dict[str, list[str]] = {flag: [] for flag in _FLAGS}
    if is_new:
        names.append("new_total")
        if channel in _NEW_BY_CHANNEL:
            names.append(_NEW_BY_CHANNEL[channel])
        flags["digitized"].append("new_digitized")
        flags["paid_online"].append("new_paid_online")
    else:
        names.append("carried_over")
    names.extend(_OUTCOME_COUNTS.get(oc, ()))
    if oc == _O["late"]:
        flags["apology_issued"] += ["late_with_apology", "-late_without_apology"]
    if oc in _RESOLVED_CODES:
        flags["returned_by_post"].append("returned_by_post")
        flags["e_result"].append("resolved_e_result")
    flags["complaint"].append("handled_complaint")

    def index(name: str) -> int:
        # ~i (negative) marks a subtraction of count i.
        return ~_INDEX[name[1:]] if name.startswith("-") else _INDEX[name]

    return (
        tuple(_INDEX[n] for n in names),
        tuple(tuple(index(n) for n in flags[flag]) for flag in _FLAGS),
    )


def _pivot_cells(rows: list[tuple[Any, ...]]) -> dict[tuple[str, bool], list[int]]:
    """The 24 counts per (unit code, legacy) from cell rows (unit_code, legacy, is_new, oc,
    channel, n, *flag counts): the same sums as ``_CELL_AGG``."""
    width = len(COUNTS)
    plans: dict[tuple[Any, ...], _CellPlan] = {}
    out: dict[tuple[str, bool], list[int]] = {}
    for code, legacy, is_new, oc, channel, n, *flag_counts in rows:
        kind = (is_new, oc, channel)
        plan = plans.get(kind)
        if plan is None:
            plan = plans[kind] = _cell_plan(is_new, oc, channel)
        targets, flag_targets = plan
        if not targets:
            continue
        acc = out.get((code, legacy))
        if acc is None:
            acc = out[(code, legacy)] = [0] * width
        for i in targets:
            acc[i] += n
        for count, where in zip(flag_counts, flag_targets, strict=True):
            for i in where:
                if i >= 0:
                    acc[i] += count
                else:
                    acc[~i] -= count
    return out


# At most this many unit codes in scope: cells summed in Python (a province's 157 codes:
# ~4,500 cells, ~15 ms); above, by DuckDB (the country: ~97,000 cells).
_PYTHON_PIVOT_MAX_CODES = 200
# Columns the aggregates read (besides the classification's own).
_AGG_COLUMNS = (
    "channel",
    "apology_issued",
    "returned_by_post",
    "digitized",
    "paid_online",
    "e_result",
    "complaint",
)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class UnitNode:
    key: str
    parent_key: str | None
    name: str
    sort_key: str


@dataclass(frozen=True)
class UnitTree:
    """Report units (the hierarchy at the period end) and legacy → successor attribution.

    Treat it as immutable: subtrees and code maps are computed once per root and cached.
    """

    nodes: list[UnitNode]
    attribution: dict[str, str] = field(default_factory=dict)
    _cache: dict[tuple[str, str], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def resolve(self, key: str) -> str:
        seen = {key}
        while key in self.attribution:
            key = self.attribution[key]
            if key in seen:
                break
            seen.add(key)
        return key

    def _children(self) -> tuple[dict[str, UnitNode], dict[str | None, list[UnitNode]]]:
        cached: tuple[dict[str, UnitNode], dict[str | None, list[UnitNode]]] | None
        cached = self._cache.get(("children", ""))
        if cached is None:
            children: dict[str | None, list[UnitNode]] = {}
            for node in self.nodes:
                children.setdefault(node.parent_key, []).append(node)
            for kids in children.values():
                kids.sort(key=lambda n: n.sort_key)
            cached = ({n.key: n for n in self.nodes}, children)
            self._cache[("children", "")] = cached
        return cached

    def subtree(self, root_key: str) -> list[tuple[UnitNode, list[str]]]:
        """Nodes under ``root_key`` in display order, each with its path from the root."""
        cached: list[tuple[UnitNode, list[str]]] | None = self._cache.get(("subtree", root_key))
        if cached is not None:
            return cached
        by_key, children = self._children()
        if root_key not in by_key:
            raise KeyError(f"không có đơn vị {root_key!r}")
        out: list[tuple[UnitNode, list[str]]] = []
        stack: list[tuple[UnitNode, list[str]]] = [(by_key[root_key], [root_key])]
        while stack:
            node, path = stack.pop()
            out.append((node, path))
            for kid in reversed(children.get(node.key, [])):
                stack.append((kid, [*path, kid.key]))
        self._cache[("subtree", root_key)] = out
        return out

    def code_keys(self, root_key: str) -> list[tuple[str, str, str]]:
        """(unit_code, era, report_key) for every code whose dossiers land under root_key."""
        cached: list[tuple[str, str, str]] | None = self._cache.get(("codes", root_key))
        if cached is not None:
            return cached
        inside = {n.key for n, _ in self.subtree(root_key)}
        resolved: dict[str, str] | None = self._cache.get(("resolved", ""))
        if resolved is None:
            resolved = {key: self.resolve(key) for key in self.attribution}
            self._cache[("resolved", "")] = resolved
        keys = {k for k in inside if k not in resolved}
        keys |= {k for k, target in resolved.items() if target in inside}
        out = []
        for key in sorted(keys):
            code, _, era = key.rpartition("@")
            if era not in ("legacy", "2025") or not code:
                continue
            target = resolved.get(key, key)
            if target in inside:
                out.append((code, era, target))
        self._cache[("codes", root_key)] = out
        return out

    def shape(self, root_key: str) -> tuple[list[tuple[str, str | None]], set[str]]:
        """(key, parent key within the subtree) in display order, and the keys with children."""
        cached: tuple[list[tuple[str, str | None]], set[str]] | None
        cached = self._cache.get(("shape", root_key))
        if cached is None:
            nodes = self.subtree(root_key)
            parents = [(n.key, path[-2] if len(path) > 1 else None) for n, path in nodes]
            cached = (parents, {up for _, up in parents if up is not None})
            self._cache[("shape", root_key)] = cached
        return cached

    def key_map(self, root_key: str) -> dict[tuple[str, bool], str]:
        """(unit code, legacy era?) → report key, for ``code_keys(root_key)``."""
        cached: dict[tuple[str, bool], str] | None = self._cache.get(("keymap", root_key))
        if cached is None:
            cached = {(c, era == "legacy"): key for c, era, key in self.code_keys(root_key)}
            self._cache[("keymap", root_key)] = cached
        return cached


@dataclass
class ReportRow:
    key: str
    name: str
    depth: int
    has_children: bool
    counts: dict[str, int]
    on_time_pct: Decimal | None
    online_pct: Decimal | None
    checks: dict[str, bool]


@dataclass
class Report:
    period: Period
    by: Literal["unit", "sector"]
    options: Options
    rows: list[ReportRow]

    def to_json(self) -> dict[str, Any]:
        """The documented JSON structure (docs/DOSSIERS.md §4)."""
        return {
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "label": self.period.label,
            },
            "by": self.by,
            "options": asdict(self.options),
            "rows": [
                {
                    "key": r.key,
                    "name": r.name,
                    "depth": r.depth,
                    "has_children": r.has_children,
                    "counts": r.counts,
                    "on_time_pct": None if r.on_time_pct is None else str(r.on_time_pct),
                    "online_pct": None if r.online_pct is None else str(r.online_pct),
                    "checks": r.checks,
                }
                for r in self.rows
            ],
        }


def pct(numerator: int, denominator: int) -> Decimal | None:
    """Exact percentage (never integer division); None when nothing to divide by."""
    if denominator == 0:
        return None
    return Decimal(numerator) * HUNDRED / Decimal(denominator)


def on_time_pct(counts: dict[str, int], options: Options) -> Decimal | None:
    if options.on_time_rate_mode == "gia_lai":
        late = pct(counts["late"] + counts["in_progress_overdue"], counts["received_total"])
        return None if late is None else HUNDRED - late
    return pct(counts["early"] + counts["on_time"], counts["resolved_total"])


def _checks(c: dict[str, int]) -> dict[str, bool]:
    return {
        "total_is_new_plus_carried": c["received_total"] == c["new_total"] + c["carried_over"],
        "total_is_resolved_plus_in_progress_plus_apart": c["received_total"]
        == c["resolved_total"] + c["in_progress_total"] + c["apart_total"],
        "new_is_sum_of_channels": c["new_total"]
        == c["new_online_full"] + c["new_online_partial"] + c["new_direct"] + c["new_postal"],
        "resolved_is_early_on_time_late": c["resolved_total"]
        == c["early"] + c["on_time"] + c["late"],
        "in_progress_is_within_plus_overdue": c["in_progress_total"]
        == c["in_progress_within"] + c["in_progress_overdue"],
    }


def _row(
    key: str, name: str, depth: int, kids: bool, values: Sequence[int], options: Options
) -> ReportRow:
    """One table row from the 24 counts (Python ints, in COUNTS order)."""
    counts = dict(zip(COUNTS, values, strict=True))
    online = pct(counts["new_online_full"] + counts["new_online_partial"], counts["new_total"])
    return ReportRow(
        key, name, depth, kids, counts, on_time_pct(counts, options), online, _checks(counts)
    )


# Temp tables registered once per connection (unit maps, tree paths), by content digest;
# ``_BY_SOURCE`` remembers the table made from a given (cached, unchanging) list object.
_REGISTERED: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, set[str]] = (
    weakref.WeakKeyDictionary()
)
_BY_SOURCE: weakref.WeakKeyDictionary[
    duckdb.DuckDBPyConnection, dict[tuple[str, int], tuple[object, str]]
] = weakref.WeakKeyDictionary()


def _register(
    con: duckdb.DuckDBPyConnection,
    prefix: str,
    columns: list[tuple[str, str]],
    rows: list[tuple[Any, ...]],
) -> str:
    """A temp table holding ``rows``, created on first use on this connection."""
    digest = hashlib.sha256(repr((columns, rows)).encode("utf-8")).hexdigest()[:20]
    name = f"{prefix}_{digest}"
    seen = _REGISTERED.setdefault(con, set())
    if name in seen:
        return name
    select = ", ".join(
        f"CAST(unnest(${i + 1}) AS {kind}) AS {col}" for i, (col, kind) in enumerate(columns)
    )
    values = [[r[i] for r in rows] for i in range(len(columns))]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}", values)
    seen.add(name)
    return name


def _register_from(
    con: duckdb.DuckDBPyConnection,
    prefix: str,
    source: list[Any],
    build: Callable[[], tuple[list[tuple[str, str]], list[tuple[Any, ...]]]],
) -> str:
    """``_register`` of ``build()``, skipped when ``source`` (the very object) was seen."""
    memo = _BY_SOURCE.setdefault(con, {})
    hit = memo.get((prefix, id(source)))
    if hit is not None and hit[0] is source:
        return hit[1]
    columns, rows = build()
    name = _register(con, prefix, columns, rows)
    memo[(prefix, id(source))] = (source, name)
    return name


def _keys_table(con: duckdb.DuckDBPyConnection, codes: list[tuple[str, str, str]]) -> str:
    return _register_from(
        con,
        "unit_keys",
        codes,
        lambda: (
            [("unit_code", "VARCHAR"), ("legacy", "BOOLEAN"), ("report_key", "VARCHAR")],
            [(code, era == "legacy", key) for code, era, key in codes],
        ),
    )


LEGACY = "received_at < TIMESTAMP '2025-07-01 00:00:00'"
# Above this many codes the subtree is (nearly) everything: no code filter on the scan.
_CODE_FILTER_MAX = 1000


def _source(
    manifest: Manifest,
    period: Period,
    codes: list[str],
    columns: tuple[str, ...],
    *,
    scoped: bool = True,
    live: bool = False,
) -> str:
    """Rows of the period's month partitions plus the carry-over snapshot.

    ``scoped``: only the rows in scope (``sql.in_scope``); otherwise the caller drops the
    others itself (``sql.classification(..., include_outside=True)``). Only ``columns``
    are read; for a small subtree, a code filter lets the zone maps of the files (sorted
    by unit code) skip every other row group. Where the months hold deltas (see
    ``store``): with ``live``, the live rows; otherwise every row with its weight ``w``
    (1, or -1 for a retracted old version), to be summed instead of counted
    (``_weighted``).
    """
    files = manifest.base_files(period)
    snap, snap_deltas = manifest.snapshot_files(manifest.snapshot_key(period))
    deltas = manifest.delta_files(period) + snap_deltas
    where = [sql.in_scope(period)] if scoped else []
    if codes and len(codes) <= _CODE_FILTER_MAX:
        if len(codes) == 1:
            where.append(f"unit_code = '{codes[0].replace(chr(39), chr(39) * 2)}'")
        else:
            lo, hi = (c.replace("'", "''") for c in (codes[0], codes[-1]))
            where.append(f"unit_code BETWEEN '{lo}' AND '{hi}'")
    cols = ", ".join(columns)
    condition = " AND ".join(where)
    if deltas and live:
        month_rows = manifest.live_sql(columns, period=period, where=condition)
        snap_rows = live_rows([snap] if snap else [], snap_deltas, columns, condition)
        return f"{month_rows} UNION ALL {snap_rows}"
    if snap:
        files = [*files, snap]
    if not files:
        kinds = dict(sql.STORE_COLUMNS) | {n: k for n, k, _ in sql.DERIVED_COLUMNS}
        empty = ", ".join(f"NULL::{kinds[name]} AS {name}" for name in columns)
        return f"SELECT {empty}{', 1::TINYINT AS w' if deltas else ''} WHERE FALSE"
    condition = f" WHERE {condition}" if condition else ""
    if deltas:
        return (
            f"SELECT {cols}, 1::TINYINT AS w FROM read_parquet({files!r}){condition} "
            f"UNION ALL SELECT {cols}, w FROM read_parquet({deltas!r}){condition}"
        )
    return f"SELECT {cols} FROM read_parquet({files!r}){condition}"


def _weighted(manifest: Manifest, period: Period, aggregates: str) -> str:
    """``aggregates`` (row counts) as sums of the weights where the period's months or
    its snapshot hold deltas (see ``_source``)."""
    snap_deltas = manifest.snapshot_files(manifest.snapshot_key(period))[1]
    if not manifest.delta_files(period) and not snap_deltas:
        return aggregates
    out, rest = [], aggregates
    while (at := rest.find("count(*)")) >= 0:
        out.append(rest[:at])
        rest = rest[at + len("count(*)") :]
        filtered = ""
        if rest.startswith(" FILTER ("):  # up to the bracket closing the filter
            depth, end = 0, len(" FILTER ")
            for end in range(len(" FILTER "), len(rest)):
                depth += {"(": 1, ")": -1}.get(rest[end], 0)
                if depth == 0:
                    break
            filtered, rest = rest[: end + 1], rest[end + 1 :]
        out.append(f"coalesce(sum(w){filtered}, 0)::BIGINT")
    return "".join(out) + rest


def _needed(options: Options, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    cols = [
        "unit_code",
        "received_at",
        "finished_at",
        "status",
        "supplement_requests",
        sql.effective_due(options),
        *_AGG_COLUMNS,
        *extra,
    ]
    return tuple(dict.fromkeys(cols))


def period_report(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    tree: UnitTree,
    root_key: str,
    period: Period,
    options: Options | None = None,
    by: Literal["unit", "sector"] = "unit",
) -> Report:
    """The standard table for ``root_key``'s subtree: one statement, subtotals in Python.

    Rows in scope are classified and counted per cell (unit code, era, new or carried
    over, outcome, channel, with the flag counts) straight off the Parquet scan; the cells
    become the 24 counts per (unit code, era); only those few thousand rows meet the unit
    map (a temp table registered once per connection). Subtree totals are summed over the
    tree in Python. By sector: ``GROUP BY ROLLUP (sector)``.
    """
    opts = options or Options()
    nodes = tree.subtree(root_key)
    codes = tree.code_keys(root_key)
    code_list = sorted({c for c, _, _ in codes})
    aggs = _weighted(
        manifest, period, ",\n        ".join(f"{expr} AS {name}" for name, expr in _AGG.items())
    )
    sums = ", ".join(f"sum({name}) AS {name}" for name in COUNTS)
    extra = ("sector",) if by == "sector" else ()
    group = ", sector" if by == "sector" else ""
    facts = f"""facts AS ({_source(manifest, period, code_list, _needed(opts, extra))}),
    classified AS (SELECT *, {sql.classification(period, opts)} FROM facts)"""
    cell_aggs = ", ".join(f"{expr} AS {name}" for name, expr in _CELL_AGG.items())
    flags = _weighted(manifest, period, ", ".join(f"count(*) FILTER ({f}) AS {f}" for f in _FLAGS))
    n = _weighted(manifest, period, "count(*)")
    # By unit: no scope filter on the scan; rows outside the period get oc 0 and every
    # per-code sum filters on oc.
    cte_codes = f"""facts AS ({_source(manifest, period, code_list, _needed(opts), scoped=False)}),
    classified AS (
        SELECT *, {sql.classification(period, opts, include_outside=True)} FROM facts),
    cells AS (
        SELECT unit_code, {LEGACY} AS legacy, is_new, oc, channel, {n} AS n, {flags}
        FROM classified GROUP BY ALL)"""
    if by == "sector":
        keys = _keys_table(con, codes)
        cte = f"""{facts},
    per_code AS (
        SELECT unit_code, {LEGACY} AS legacy{group}, {aggs} FROM classified GROUP BY ALL),
    per_key AS (
        SELECT k.report_key{group}, {sums}
        FROM per_code p JOIN {keys} k ON k.unit_code = p.unit_code AND k.legacy = p.legacy
        GROUP BY ALL)"""
        query = f"""WITH {cte}
        SELECT GROUPING(sector) AS g, sector, {sums}
        FROM per_key GROUP BY ROLLUP (sector) ORDER BY g DESC, sector"""
        rows = []
        for g, sector, *values in con.execute(query).fetchall():
            key = "" if g else sector
            name = "Tổng cộng" if g else (sector or "(không rõ lĩnh vực)")
            counts = [int(v or 0) for v in values]
            rows.append(_row(key, name, 0 if g else 1, bool(g), counts, opts))
        if not rows:
            rows.append(_row("", "Tổng cộng", 0, True, (0,) * len(COUNTS), opts))
        return Report(period, "sector", opts, rows)
    # Per (unit code, era) counts; codes are mapped to report keys and subtotals summed over
    # the tree in Python: a few thousand rows, and a much smaller statement to plan than a
    # ROLLUP over the tree paths (planning dominated a commune's report).
    per_code: dict[tuple[str, bool], list[int]]
    if len(code_list) <= _PYTHON_PIVOT_MAX_CODES:
        per_code = _pivot_cells(con.execute(f"WITH {cte_codes} SELECT * FROM cells").fetchall())
    else:
        # coalesce: Python ints straight from the fetch, never None.
        selected = ", ".join(f"coalesce({name}, 0)::BIGINT" for name in COUNTS)
        query = f"""WITH {cte_codes}, per_code AS (
            SELECT unit_code, legacy, {cell_aggs} FROM cells GROUP BY ALL)
        SELECT unit_code, legacy, {selected} FROM per_code"""
        per_code = {(code, legacy): raw for code, legacy, *raw in con.execute(query).fetchall()}
    key_of = tree.key_map(root_key)
    totals: dict[str, list[int]] = {}
    for code_era, values in per_code.items():
        key = key_of.get(code_era)
        if key is None:  # a code outside the subtree inside the scanned code range
            continue
        acc = totals.get(key)
        totals[key] = values if acc is None else list(map(operator.add, acc, values))
    parents, has_kids = tree.shape(root_key)
    for node_key, up in reversed(parents):
        own = totals.get(node_key)
        if own is None or up is None:
            continue
        acc = totals.get(up)
        totals[up] = own[:] if acc is None else list(map(operator.add, acc, own))
    empty = [0] * len(COUNTS)
    return Report(
        period,
        "unit",
        opts,
        [
            _row(n.key, n.name, len(p) - 1, n.key in has_kids, totals.get(n.key, empty), opts)
            for n, p in nodes
        ],
    )


def drilldown(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    tree: UnitTree,
    unit_key: str,
    period: Period,
    figure: str,
    options: Options | None = None,
    *,
    sector: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[int, list[dict[str, Any]]]:
    """The dossiers behind one figure of one row: (total, rows of the page)."""
    if figure not in _FILTER:
        raise KeyError(f"không có cột {figure!r}")
    opts = options or Options()
    codes = tree.code_keys(unit_key)
    keys = _keys_table(con, codes)
    code_list = sorted({c for c, _, _ in codes})
    cond = _FILTER[figure]
    if sector is not None:
        cond += " AND sector = '" + sector.replace("'", "''") + "'"
    cte = f"""facts AS ({_source(manifest, period, code_list, sql.FILE_NAMES, live=True)}),
    classified AS (
        SELECT k.report_key, f.*, {sql.classification(period, opts)}
        FROM facts f JOIN {keys} k ON k.unit_code = f.unit_code AND k.legacy = ({LEGACY}))"""
    total = con.execute(f"WITH {cte} SELECT count(*) FROM classified WHERE {cond}").fetchone()[0]  # type: ignore[index]
    cur = con.execute(
        f"""WITH {cte} SELECT report_key, {", ".join(sql.STORE_NAMES)}, is_new,
            {sql.OUTCOME_NAME} AS outcome
        FROM classified WHERE {cond}
        ORDER BY received_at, source_system, dossier_code
        LIMIT {int(page_size)} OFFSET {int(max(page - 1, 0) * page_size)}"""
    )
    names = [d[0] for d in cur.description]
    return int(total), [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@dataclass(frozen=True)
class Indicators766:
    """Rates (percent, exact) of one unit for one calendar month; None = nothing to divide."""

    key: str
    name: str
    on_time_rate: Decimal | None
    online_rate: Decimal | None
    digitization_rate: Decimal | None
    e_result_rate: Decimal | None
    online_payment_rate: Decimal | None
    satisfaction_rate: Decimal | None


def indicators_766(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    tree: UnitTree,
    root_key: str,
    year: int,
    month: int,
    options: Options | None = None,
) -> list[Indicators766]:
    """QĐ 766 monthly rates per unit (subtree totals) over the calendar month.

    on-time = (early + on time + in progress within deadline) / handled (apart excluded);
    online = new online (full + partial) / new; digitisation = new digitised / new;
    electronic results = resolved with e-result / resolved; online payment = new paid
    online / new; satisfaction = 100 − (overdue % + complaint %) over handled, where
    overdue = late + in progress overdue.
    """
    report = period_report(
        con, manifest, tree, root_key, calendar_month(year, month), options or Options()
    )
    out = []
    for row in report.rows:
        c = row.counts
        handled = c["received_total"] - c["apart_total"]
        overdue = pct(c["late"] + c["in_progress_overdue"], handled)
        complaints = pct(c["handled_complaint"], handled)
        out.append(
            Indicators766(
                row.key,
                row.name,
                pct(c["early"] + c["on_time"] + c["in_progress_within"], handled),
                row.online_pct,
                pct(c["new_digitized"], c["new_total"]),
                pct(c["resolved_e_result"], c["resolved_total"]),
                pct(c["new_paid_online"], c["new_total"]),
                None if overdue is None or complaints is None else HUNDRED - overdue - complaints,
            )
        )
    return out


def classify_rows(
    con: duckdb.DuckDBPyConnection, table: str, period: Period, options: Options
) -> list[tuple[str, str | None, str | None, bool]]:
    """Per-row SQL classification of ``table`` (for the agreement test and drill-down checks).

    ``table`` holds the STORE_COLUMNS; the derived columns are computed here the way the
    import stores them. Returns (dossier_code, scope, outcome, late_with_apology) for every
    row of the table.
    """
    query = f"""SELECT dossier_code,
        CASE WHEN in_scope THEN CASE WHEN is_new THEN 'new' ELSE 'carried_over' END END,
        CASE WHEN in_scope THEN {sql.OUTCOME_NAME} END,
        coalesce(in_scope AND oc = {_O["late"]} AND apology_issued, FALSE)
    FROM (SELECT *, ({sql.in_scope(period)}) AS in_scope,
                 {sql.classification(period, options)} FROM {sql.with_derived(table)})
    ORDER BY dossier_code"""
    return [(r[0], r[1], r[2], bool(r[3])) for r in con.execute(query).fetchall()]
