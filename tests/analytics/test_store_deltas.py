"""Merge on read: an import adds delta files instead of rewriting months; every report,
drill-down and the live rows are the same before and after ``Store.compact`` folds them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from cchc.analytics import synth
from cchc.analytics.report import UnitNode, UnitTree, drilldown, period_report
from cchc.analytics.store import Store
from cchc.core import periods
from cchc.core.dossier import Options
from tests.analytics.test_store_report import line, write

CODES = [f"X{i}" for i in range(1, 6)]
TREE = UnitTree(
    [UnitNode("P", None, "Tỉnh", "0")]
    + [UnitNode(f"{c}@2025", "P", f"Xã {c}", str(i)) for i, c in enumerate(CODES, 1)],
    {f"{c}@legacy": f"{c}@2025" for c in CODES},
)
PERIODS = [periods.year_period(2024), periods.custom(date(2023, 1, 1), date(2026, 12, 31))]


def figures(store: Store) -> list[object]:
    """Every report figure of two periods (by unit; by sector with the other option), the
    late drill-down of the root, and the live rows."""
    manifest, con = store.open(), store.connect()
    out: list[object] = []
    for period in PERIODS:
        for opts, by in ((Options(), "unit"), (Options(count_rejected_as_resolved=True), "sector")):
            report = period_report(con, manifest, TREE, "P", period, opts, by=by)  # type: ignore[arg-type]
            out.append([(r.key, r.counts) for r in report.rows])
        total, rows = drilldown(con, manifest, TREE, "P", period, "late", page_size=10_000)
        out.append((total, sorted(r["dossier_code"] for r in rows)))
    out.append(sorted(con.execute(f"SELECT * FROM ({manifest.live_sql()})").fetchall()))
    con.close()
    return out


def test_imports_add_deltas_and_compaction_changes_no_figure(tmp_path: Path) -> None:
    store = Store(tmp_path / "store", retire_delay=0)
    units = synth.zipf_weights(CODES)
    first = synth.generate(3000, 2, 21, units, tmp_path / "a.csv")
    later = synth.generate(1500, 1, 22, units, tmp_path / "b.csv")  # same codes: updates
    store.import_csv(first)
    assert store.open().deltas == 0  # an empty store gets bases only
    base_files = set(store.open().base_files())
    result = store.import_csv(later)
    assert result.updated > 0 and result.inserted == 1500 - result.updated
    # A key updated a second time, and one moved to another month by its new received date.
    moved = line("HS0000000001", "X2", "direct", "2023-02-01 08:00", "2023-02-03", "2023-02-02")
    again = write(tmp_path / "c.csv", ["SYNTH" + moved.removeprefix("S")])
    assert store.import_csv(again).updated == 1
    manifest = store.open()
    assert manifest.deltas > 0
    assert set(manifest.base_files()) == base_files  # no month was rewritten
    assert manifest.rows == 3000 + result.inserted
    with_deltas = figures(store)
    store.compact()
    folded = store.open()
    assert folded.deltas == 0 and folded.rows == manifest.rows
    assert figures(store) == with_deltas
    live = (
        store.connect()
        .execute(
            f"SELECT received_at, unit_code FROM ({folded.live_sql()}) "
            "WHERE dossier_code = 'HS0000000001'"
        )
        .fetchall()
    )
    assert [(str(t), u) for t, u in live] == [("2023-02-01 08:00:00", "X2")]
    # The live rows are the latest version of every key across the three files.
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for path in (first, later, again):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (row["source_system"], row["dossier_code"])
                latest[key] = (row["unit_code"], row["status"] or "in_progress")
    stored = (
        store.connect()
        .execute(
            f"SELECT source_system, dossier_code, unit_code, status FROM ({folded.live_sql()})"
        )
        .fetchall()
    )
    assert {(s, c): (u, st) for s, c, u, st in stored} == latest
    assert len(stored) == len(latest)
