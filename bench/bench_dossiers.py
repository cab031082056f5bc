"""Dossier analytics benchmark: app report vs one hand-written SQL statement, and import.

``.venv/bin/python -m bench.run dossiers``; ``CCHC_BENCH_ROWS`` (default 10,000,000) rows of
``synth`` seed 1 over 3 years on 3,321 unit codes in 34 provinces; ``CCHC_BENCH_DIR``
(default: cchc-bench-dossiers in the system temp directory) keeps the generated CSV between runs.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from cchc.analytics import synth
from cchc.analytics.report import COUNTS, UnitNode, UnitTree, period_report
from cchc.analytics.store import Manifest, Store, UnitCheck
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


def median_time(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Median wall and CPU (this process, all threads) seconds of warm runs, and a result."""
    fn()  # warm
    times = []
    cpu = []
    result = None
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu), result


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
        files=repr(manifest.base_files()),
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        unit_filter=unit_filter,
    )
    assert not manifest.deltas, "the baseline reads base files only: compact the store first"
    out = {}
    for g_prov, g_unit, prov, unit, *values in con.execute(query).fetchall():
        key = "VN" if g_prov else (prov if g_unit else f"{unit}@2025")
        out[key] = tuple(int(v) for v in values)
    return out


def import_child(argv: list[str]) -> None:
    """In a fresh process: import CSV into STORE; print rows, seconds and peak RSS (JSON)."""
    store_dir, csv_path, memory = argv
    store = Store(store_dir, memory_limit=memory)
    # The unit check the app hands the store (cchc.dossiers.importing.UnitIndex.check): every
    # code of the layout in both hierarchies, the importer allowed to write them all.
    codes = [c for cs in unit_layout().values() for c in cs]
    units = UnitCheck(frozenset((h, c) for c in codes for h in ("legacy", "2025")))
    started = time.perf_counter()
    result = store.import_csv(csv_path, units=units)
    took = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "rows": result.rows,
                "updated": result.updated,
                "seconds": took,
                "cpu": usage.ru_utime + usage.ru_stime,
                "rss": usage.ru_maxrss * 1024,
            }
        )
    )


def run_import(store_dir: Path, csv_path: Path, memory: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_dossiers", "import", str(store_dir), str(csv_path),
         memory],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def merge_on_read(store_dir: Path, memory: str, tree: UnitTree, root: str, period: Period) -> None:
    """After an import into a full store: the province-year report over the months with
    their delta files, the compaction that folds them, and the same report after it."""
    store = Store(store_dir, memory_limit=memory)
    con = store.connect()
    before = store.open()
    with_deltas = median_time(lambda: period_report(con, before, tree, root, period))
    started, started_cpu = time.perf_counter(), time.process_time()
    store.compact()
    took, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    after = store.open()
    folded = median_time(lambda: period_report(con, after, tree, root, period))
    assert app_numbers(with_deltas[2]) == app_numbers(folded[2]), "compaction changed a figure"
    print(
        f"     merge on read: {before.deltas} delta files; province-year report "
        f"{with_deltas[0] * 1000:.1f} ms with them, {folded[0] * 1000:.1f} ms after the "
        f"compaction ({took:.1f} s, CPU {cpu:.1f} s; a background job in the app); "
        "same figures",
        flush=True,
    )
    con.close()


def update_file(work: Path, rows: int, codes: list[str], full_rows: int) -> Path:
    """``rows`` canonical rows (synth seed 2): the first 20 % keep codes of the seed-1 store
    (updates), the others get new codes."""
    target = work / f"update-seed2-{rows}.csv"
    if target.exists():
        return target
    raw = work / f"synth-seed2-{rows}.csv"
    if not raw.exists():
        synth.generate(rows, 3, 2, synth.zipf_weights(codes), raw)
    cut = f"HS{min(rows // 5, full_rows):010d}"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT * REPLACE (CASE WHEN dossier_code >= '{cut}'
                THEN 'HN' || substr(dossier_code, 3) ELSE dossier_code END AS dossier_code)
            FROM read_csv('{raw}', all_varchar = true, header = true))
        TO '{target}' (FORMAT csv, HEADER true)"""
    )
    con.close()
    return target


def main() -> None:
    rows = int(os.environ.get("CCHC_BENCH_ROWS", "10000000"))
    work = Path(
        os.environ.get("CCHC_BENCH_DIR", str(Path(tempfile.gettempdir()) / "cchc-bench-dossiers"))
    )
    memory = os.environ.get("CCHC_BENCH_MEMORY", "1500MB")
    work.mkdir(parents=True, exist_ok=True)
    layout = unit_layout()
    codes = [c for cs in layout.values() for c in cs]
    csv_path = work / f"synth-seed1-{rows}.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        synth.generate(rows, 3, 1, synth.zipf_weights(codes), csv_path)
        print(f"   generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
    print(f"   load average before: {os.getloadavg()[0]:.1f}", flush=True)
    store_dir = work / "store"
    if os.environ.get("CCHC_BENCH_REUSE") != "1" or not (store_dir / "manifest.json").exists():
        shutil.rmtree(store_dir, ignore_errors=True)
        full = run_import(store_dir, csv_path, memory)
        print(
            f"   import {rows:,} rows into an empty store (own process, memory_limit {memory}): "
            f"{full['seconds']:.1f} s = {full['rows'] / full['seconds']:,.0f} rows/s "
            f"(process CPU {full['cpu']:.1f} s); peak RSS {full['rss'] / 2**20:,.0f} MB "
            "(target <= 2,048 MB at 10,000,000)",
            flush=True,
        )
    store = Store(store_dir, memory_limit=memory)
    manifest = store.open()
    tree = tree_for(layout)
    con = store.connect()
    con.execute("CREATE TABLE bench_units(unit_code VARCHAR, province VARCHAR)")
    con.execute(
        "INSERT INTO bench_units VALUES "
        + ", ".join(f"('{c}', '{p}')" for p, cs in layout.items() for c in cs)
    )
    largest = max(layout, key=lambda p: len(layout[p]))
    counts = dict(
        con.execute(
            f"SELECT unit_code, count(*) FROM read_parquet({manifest.base_files()!r}) "
            "GROUP BY unit_code"
        ).fetchall()
    )
    # A commune of median volume in the largest province.
    commune = sorted(layout[largest], key=lambda c: counts.get(c, 0))[len(layout[largest]) // 2]
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

        mine = app_numbers(run_app())
        zero = (0,) * len(COUNTS)
        theirs = {k: v for k, v in baseline(con, manifest, period, scope_codes).items()}
        assert mine == {k: theirs.get(k, zero) for k in mine}, f"{name}: app and baseline differ"
        app_t, app_cpu, app_report = median_time(run_app)
        base_t, base_cpu, _ = median_time(run_base)
        print(
            f"   {name}: app {app_t * 1000:.1f} ms (CPU {app_cpu * 1000:.0f} ms), baseline "
            f"{base_t * 1000:.1f} ms (CPU {base_cpu * 1000:.0f} ms), "
            f"app/baseline {app_t / base_t:.2f} (target <= 1.5; absolute <= "
            f"{target * 1000:.0f} ms); received {app_report.rows[0].counts['received_total']:,}",
            flush=True,
        )
    con.close()
    if os.environ.get("CCHC_BENCH_IMPORT", "1") == "0":
        return
    half = rows // 2
    upd = update_file(work, half, codes, rows)
    for label, template in (("an empty store", None), (f"a {rows:,}-row store", store_dir)):
        rates = []
        for run in range(3):
            target_dir = work / f"run-{run}"
            shutil.rmtree(target_dir, ignore_errors=True)
            if template is not None:
                # Files are immutable: a hard-linked copy is an exact, cheap clone.
                subprocess.run(["cp", "-al", str(template), str(target_dir)], check=True)
            result = run_import(target_dir, upd, memory)
            rates.append(result["rows"] / result["seconds"])
            print(
                f"     run {run + 1}: {result['seconds']:.1f} s, CPU {result['cpu']:.1f} s, "
                f"updated {result['updated']:,}, load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if template is not None and run == 0:
                merge_on_read(target_dir, memory, tree, largest, year)
            shutil.rmtree(target_dir, ignore_errors=True)
        print(
            f"   import {half:,} rows ({half // 5:,} updates when the store holds them) into "
            f"{label}: median {statistics.median(rates):,.0f} rows/s "
            f"(runs {', '.join(f'{r:,.0f}' for r in rates)}; target >= 200,000)",
            flush=True,
        )
    print(f"   load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["import"]:
        import_child(sys.argv[2:])
