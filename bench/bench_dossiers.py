"""Dossier analytics benchmark: app report vs one hand-written SQL statement, and import.

``.venv/bin/python -m bench.run dossiers``; ``CCHC_BENCH_ROWS`` (default 10,000,000) rows of
``synth`` seed 1 over 3 years on 3,321 unit codes in 34 provinces; ``CCHC_BENCH_DIR``
(default /tmp/cchc-bench-dossiers) keeps the generated CSV between runs.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cchc.analytics import synth
from cchc.analytics.report import COUNTS, UnitNode, UnitTree, period_report
from cchc.analytics.store import Manifest, Store
from cchc.core import periods
from cchc.core.periods import Period

UNITS = 3321
PROVINCES = 34
RUNS = 5


def unit_layout() -> dict[str, list[str]]:
    """34 provinces with 3,321 commune codes between them, codes contiguous per province."""
    rng = random.Random(1)
    weights = [rng.randint(40, 170) for _ in range(PROVINCES)]
    counts = [max(1, round(w * UNITS / sum(weights))) for w in weights]
    counts[-1] += UNITS - sum(counts)
    return {
        f"P{p + 1:02d}": [f"{p + 1:02d}{c:03d}" for c in range(1, n + 1)]
        for p, n in enumerate(counts)
    }


def tree_for(layout: dict[str, list[str]]) -> UnitTree:
    nodes = [UnitNode("VN", None, "Cả nước", "00")]
    attribution = {}
    for prov, codes in layout.items():
        nodes.append(UnitNode(prov, "VN", f"Tỉnh {prov}", prov))
        for code in codes:
            nodes.append(UnitNode(f"{code}@2025", prov, f"Xã {code}", code))
            attribution[f"{code}@legacy"] = f"{code}@2025"
    return UnitTree(nodes, attribution)


def median_time(fn: Callable[[], Any]) -> tuple[float, Any]:
    fn()  # warm
    times = []
    result = None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def app_numbers(report: Any) -> dict[str, tuple[int, ...]]:
    return {row.key: tuple(row.counts[c] for c in COUNTS) for row in report.rows}


def baseline(
    con: Any, manifest: Manifest, period: Period, codes: list[str] | None
) -> dict[str, tuple[int, ...]]:
    text = (Path(__file__).with_name("baseline_report.sql")).read_text(encoding="utf-8")
    unit_filter = ""
    if codes:
        unit_filter = "AND unit_code IN (" + ", ".join(f"'{c}'" for c in codes) + ")"
    query = text.format(
        files=repr(manifest.all_files()),
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        unit_filter=unit_filter,
    )
    out = {}
    for g_prov, g_unit, prov, unit, *values in con.execute(query).fetchall():
        key = "VN" if g_prov else (prov if g_unit else f"{unit}@2025")
        out[key] = tuple(int(v) for v in values)
    return out


def main() -> None:
    rows = int(os.environ.get("CCHC_BENCH_ROWS", "10000000"))
    work = Path(os.environ.get("CCHC_BENCH_DIR", "/tmp/cchc-bench-dossiers"))
    work.mkdir(parents=True, exist_ok=True)
    layout = unit_layout()
    codes = [c for cs in layout.values() for c in cs]
    csv_path = work / f"synth-seed1-{rows}.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        synth.generate(rows, 3, 1, synth.zipf_weights(codes), csv_path)
        print(f"   generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
    store_dir = work / "store"
    shutil.rmtree(store_dir, ignore_errors=True)
    store = Store(store_dir, memory_limit=os.environ.get("CCHC_BENCH_MEMORY", "1500MB"))
    started = time.perf_counter()
    result = store.import_csv(csv_path)
    took = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"   import: {result.rows:,} rows in {took:.1f} s = {result.rows / took:,.0f} rows/s "
        f"(target >= 200,000); peak RSS so far {rss_mb:,.0f} MB"
    )

    manifest = store.open()
    tree = tree_for(layout)
    con = store.connect()
    con.execute("CREATE TABLE bench_units(unit_code VARCHAR, province VARCHAR)")
    con.execute(
        "INSERT INTO bench_units VALUES "
        + ", ".join(f"('{c}', '{p}')" for p, cs in layout.items() for c in cs)
    )
    largest = max(layout, key=lambda p: len(layout[p]))
    commune = layout[largest][0]
    year = periods.year_period(2024)
    scopes = [
        ("province-year", largest, year, layout[largest], 0.1),
        ("country-year", "VN", year, None, 1.0),
        ("commune-month", f"{commune}@2025", periods.month(2024, 6), [commune], 0.03),
    ]
    for name, root, period, scope_codes, target in scopes:

        def run_app(root: str = root, period: Period = period) -> Any:
            return period_report(con, manifest, tree, root, period)

        def run_base(period: Period = period, scope_codes: list[str] | None = scope_codes) -> Any:
            return baseline(con, manifest, period, scope_codes)

        app_t, app_report = median_time(run_app)
        base_t, base_rows = median_time(run_base)
        mine = app_numbers(app_report)
        zero = (0,) * len(COUNTS)
        theirs = {k: base_rows.get(k, zero) for k in mine}
        assert mine == theirs, f"{name}: app and baseline disagree"
        print(
            f"   {name}: app {app_t * 1000:.1f} ms, baseline {base_t * 1000:.1f} ms, "
            f"app/baseline {app_t / base_t:.2f} (target <= 1.5; absolute <= "
            f"{target * 1000:.0f} ms); received {app_report.rows[0].counts['received_total']:,}"
        )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"   peak RSS {rss_mb:,.0f} MB")
