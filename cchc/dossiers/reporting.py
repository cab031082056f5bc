"""Units as plain data for the analytics engine, and the report, drill-down and 766 calls.

The hierarchy shown is the one valid at the period end (cchc.core.lineage); when it is the
2025 one, legacy units' dossiers are attributed to their successors, divided predecessors
to their default successor — counted for the footnote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from cchc.core.dossier import Options
from cchc.core.lineage import attribute, hierarchy_at
from cchc.core.periods import Period
from cchc.dossiers.importing import store
from cchc.reports.dossier_report import COLUMNS as FORM_COLUMNS
from cchc.units.models import Unit
from cchc.units.services import lineage_map

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


def unit_tree(period_end: date) -> TreeInfo:
    """The hierarchy valid at ``period_end`` with legacy → successor attribution."""
    hierarchy = hierarchy_at(period_end)
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
    result = attribute(lineage.keys(), lineage, period_end)
    divided = sorted(
        k for k, succ in lineage.items() if len({s for s, _ in succ}) > 1 and k in result.mapping
    )
    return TreeInfo(
        UnitTree(nodes, dict(result.mapping)), hierarchy, divided, sorted(result.unattributed_keys)
    )


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


def run_report(
    unit: Unit,
    period: Period,
    *,
    by: Literal["unit", "sector"] = "unit",
    options: Options | None = None,
) -> tuple[Report, dict[str, int]]:
    """The report and its footnote counts (``divided``: dossiers of divided predecessors)."""
    info = unit_tree(period.end)
    st = store()
    manifest = st.open()
    con = st.connect()
    try:
        report = period_report(con, manifest, info.tree, unit.key, period, options, by=by)
        notes = {"divided": 0}
        inside = {n.key for n, _ in info.tree.subtree(unit.key)}
        divided = [k for k in info.divided if info.tree.resolve(k) in inside]
        if divided:
            root = "__divided__"
            aux = UnitTree(
                [UnitNode(root, None, "", "")] + [UnitNode(k, root, k, k) for k in divided]
            )
            sub = period_report(con, manifest, aux, root, period, options)
            notes["divided"] = sub.rows[0].counts["received_total"]
    finally:
        con.close()
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
    st = store()
    manifest = st.open()
    con = st.connect()
    try:
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
    finally:
        con.close()


def run_766(unit: Unit, year: int, month: int) -> Indicators766 | None:
    """The unit's QĐ 766 rates for one calendar month (None when it has no row)."""
    info = unit_tree(date(year, month, 28))
    st = store()
    manifest = st.open()
    con = st.connect()
    try:
        rows = indicators_766(con, manifest, info.tree, unit.key, year, month)
    except KeyError:  # a 2025 unit before 1/7/2025: it did not exist yet
        return None
    finally:
        con.close()
    return rows[0] if rows else None
