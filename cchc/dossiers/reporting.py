"""Units as plain data for the analytics engine, and the report, drill-down and 766 calls.

The hierarchy shown is the one valid at the period end (cchc.core.lineage); when it is the
2025 one, legacy units' dossiers are attributed to their successors, divided predecessors
to their default successor — counted for the footnote.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from cchc.analytics.report import (
    COUNTS,
    Indicators766,
    Report,
    UnitNode,
    UnitTree,
    drilldown,
    indicators_766,
    period_report,
)
from cchc.analytics.store import Manifest
from cchc.core.dossier import Options
from cchc.core.lineage import attribute, hierarchy_at
from cchc.core.periods import Period
from cchc.dossiers.importing import store
from cchc.reports.dossier_report import COLUMNS as FORM_COLUMNS
from cchc.units.models import REFORM_DATE, Unit
from cchc.units.services import lineage_map, registry_version

__all__ = ["COUNTS", "Indicators766", "Report"]

# Report columns: (count name, label in the form's second header row): the count groups
# of the official form (one definition, in cchc.reports.dossier_report), then the figures
# the page shows apart.
GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    *FORM_COLUMNS[:3],
    (
        "Khác",
        [
            ("rejected", "Từ chối"),
            ("withdrawn", "Rút hồ sơ"),
            ("returned_by_post", "Trả qua bưu chính"),
        ],
    ),
]
FIGURES = {name: label for _, cols in GROUPS for name, label in cols}


@dataclass
class TreeInfo:
    tree: UnitTree
    hierarchy: str
    divided: list[str] = field(default_factory=list)  # legacy keys sent to a default successor
    unattributed: list[str] = field(default_factory=list)
    # Per report root: the divided keys inside its subtree as a small tree of their own
    # (None when there are none). Filled lazily; the TreeInfo is shared between requests.
    _divided_trees: dict[str, UnitTree | None] = field(default_factory=dict, repr=False)

    def divided_tree(self, root_key: str) -> UnitTree | None:
        """The divided predecessors reported under ``root_key``, as one flat tree."""
        if root_key in self._divided_trees:
            return self._divided_trees[root_key]
        inside = {n.key for n, _ in self.tree.subtree(root_key)}
        keys = [k for k in self.divided if self.tree.resolve(k) in inside]
        aux = None
        if keys:
            aux = UnitTree(
                [UnitNode(DIVIDED_ROOT, None, "", "")]
                + [UnitNode(k, DIVIDED_ROOT, k, k) for k in keys]
            )
        self._divided_trees[root_key] = aux
        return aux


DIVIDED_ROOT = "__divided__"

# The unit trees, one per hierarchy, with the registry version they were built from.
# Building one reads every unit and the whole lineage (~0.2 s for the 2025 hierarchy):
# a request only asks for the version (three small aggregates) and reuses the tree, whose
# own caches (subtrees, code maps) and the temp tables registered from them on the
# reader connection then stay warm too. Any change of units, parents or lineage changes
# the version (cchc.units.services.registry_version), so the next request rebuilds.
_TREES: dict[str, tuple[tuple[Any, ...], TreeInfo]] = {}
_TREES_LOCK = threading.Lock()


def unit_tree(period_end: date) -> TreeInfo:
    """The hierarchy valid at ``period_end`` with legacy → successor attribution.

    The tree depends on ``period_end`` only through the hierarchy (``hierarchy_at``), so
    it is cached per hierarchy and registry version.
    """
    hierarchy = hierarchy_at(period_end)
    version = registry_version()  # read before the rows: a change meanwhile rebuilds later
    hit = _TREES.get(hierarchy)
    if hit is not None and hit[0] == version:
        return hit[1]
    with _TREES_LOCK:
        hit = _TREES.get(hierarchy)
        if hit is not None and hit[0] == version:
            return hit[1]
        info = _build_tree(hierarchy)
        _TREES[hierarchy] = (version, info)
    return info


def _build_tree(hierarchy: str) -> TreeInfo:
    rows = list(
        Unit.objects.filter(hierarchy=hierarchy).values_list(
            "id", "code", "name", "sort_key", "parent_id"
        )
    )
    key_of = {pk: f"{code}@{hierarchy}" for pk, code, _, _, _ in rows}
    nodes = [
        UnitNode(key_of[pk], key_of.get(parent) if parent else None, name, sort_key)
        for pk, _, name, sort_key, parent in rows
    ]
    if hierarchy == "legacy":
        return TreeInfo(UnitTree(nodes), hierarchy)
    lineage = lineage_map()
    # Any day of the 2025 hierarchy attributes the same way (only the hierarchy matters).
    result = attribute(lineage.keys(), lineage, REFORM_DATE)
    divided = sorted(
        k for k, succ in lineage.items() if len({s for s, _ in succ}) > 1 and k in result.mapping
    )
    return TreeInfo(
        UnitTree(nodes, dict(result.mapping)), hierarchy, divided, sorted(result.unattributed_keys)
    )


def _reader() -> tuple[Any, Manifest]:
    """This thread's long-lived store connection (never closed here) and the manifest."""
    st = store()
    return st.reader(), st.open()


def unit_for_period(unit: Unit, period: Period) -> Unit:
    """The unit to report on: a unit of the other hierarchy is replaced by its successor."""
    wanted = hierarchy_at(period.end)
    if unit.hierarchy == wanted:
        return unit
    if wanted == "2025":
        link = unit.successor_links.select_related("successor").order_by("-is_default").first()
        if link is not None:
            return link.successor
    return unit


def _legacy_months(manifest: Manifest) -> Manifest:
    """The manifest without the partitions received from 1/7/2025 on.

    Divided predecessors are legacy keys, and a dossier has a legacy key only when it was
    received before 1/7/2025; partitions are by received month, so later ones can hold
    none of them (the carry-over snapshot stays). For a period after the reform the
    footnote's query then reads the snapshot only instead of the whole period again.
    """
    reform = f"{REFORM_DATE:%Y-%m}"
    return replace(
        manifest, partitions={m: p for m, p in manifest.partitions.items() if m < reform}
    )


def run_report(
    unit: Unit,
    period: Period,
    *,
    by: Literal["unit", "sector"] = "unit",
    options: Options | None = None,
) -> tuple[Report, dict[str, int]]:
    """The report and its footnote counts (``divided``: dossiers of divided predecessors)."""
    info = unit_tree(period.end)
    con, manifest = _reader()
    report = period_report(con, manifest, info.tree, unit.key, period, options, by=by)
    # API batches checked but not merged yet are not in the figures: say how many wait.
    notes = {"divided": 0, "staged": manifest.staged_rows}
    aux = info.divided_tree(unit.key)
    if aux is not None:
        sub = period_report(con, _legacy_months(manifest), aux, DIVIDED_ROOT, period, options)
        notes["divided"] = sub.rows[0].counts["received_total"]
    return report, notes


def run_drilldown(
    unit_key: str,
    period: Period,
    figure: str,
    *,
    sector: str | None = None,
    page: int = 1,
    page_size: int = 50,
    options: Options | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    info = unit_tree(period.end)
    con, manifest = _reader()
    return drilldown(
        con,
        manifest,
        info.tree,
        unit_key,
        period,
        figure,
        options,
        sector=sector,
        page=page,
        page_size=page_size,
    )


def run_766(unit: Unit, year: int, month: int) -> Indicators766 | None:
    """The unit's QĐ 766 rates for one calendar month (None when it has no row)."""
    info = unit_tree(date(year, month, 28))
    con, manifest = _reader()
    try:
        rows = indicators_766(con, manifest, info.tree, unit.key, year, month)
    except KeyError:  # a 2025 unit before 1/7/2025: it did not exist yet
        return None
    return rows[0] if rows else None
